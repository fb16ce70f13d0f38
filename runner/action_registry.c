#include "runner/action.h"

#include "connectors/centra/centra.h"
#include "connectors/netsuite/netsuite.h"
#include "connectors/sage200/sage200.h"

#include <string.h>

/* Every table of actions this runner binary knows. A connector adds its table here. */
static const struct o2c_action *const tables[] = {
    o2c_core_actions,
    o2c_netsuite_actions,
    o2c_centra_actions,
    o2c_netsuite_fulfil_actions,
    o2c_centra_shipment_actions,
    o2c_netsuite_stock_actions,
    o2c_centra_stock_actions,
    o2c_netsuite_item_actions,
    o2c_centra_item_actions,
    o2c_netsuite_customer_actions,
    o2c_netsuite_journal_actions,
    o2c_sage200_actions,
    o2c_sage200_stock_actions,
};

static const struct o2c_action sql_action = {
    "sql.*", NULL, true, "runs o2c_action.<name>(context, params) in the database", true,
};

const struct o2c_action *o2c_action_find(const char *name)
{
    if (strncmp(name, "sql.", 4) == 0 && name[4])
        return &sql_action;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct o2c_action *a = tables[t]; a->name; a++)
            if (strcmp(a->name, name) == 0)
                return a;
    return NULL;
}

void o2c_action_list(FILE *to)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct o2c_action *a = tables[t]; a->name; a++)
            fprintf(to, "%s\t%s\n", a->name, a->summary ? a->summary : "");
    fprintf(to, "%s\t%s\n", sql_action.name, sql_action.summary);
}
