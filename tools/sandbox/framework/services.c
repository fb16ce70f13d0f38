/* The services o2c-sandbox can host. Adding one = one line here and its sb_service. */
#include "tools/sandbox/framework/sandbox.h"

#include <string.h>

const sb_service *const sb_services[] = {
    &sb_netsuite_service,
    &sb_centra_service,
    &sb_sage200_service,
    NULL,
};

const sb_service *sb_find_service(const char *name)
{
    for (size_t i = 0; sb_services[i]; i++)
        if (strcmp(sb_services[i]->name, name) == 0)
            return sb_services[i];
    return NULL;
}
