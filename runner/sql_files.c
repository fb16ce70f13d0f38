#include "runner/sql_files.h"

#include <string.h>

const struct o2c_sql_file *o2c_sql_file_find(const char *path)
{
    for (size_t i = 0; i < o2c_sql_file_count; i++)
        if (strcmp(o2c_sql_files[i].path, path) == 0)
            return &o2c_sql_files[i];
    return NULL;
}
