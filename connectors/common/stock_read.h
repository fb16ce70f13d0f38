/* The answer every ERP's stock read gives the inventory flow (sql.stock_record, sql/api/
 * inventory.sql): rows [{item, location, on_hand, committed, as_of}] in context.levels, and the
 * moment they were read in context.read_at, so a level read later wins over one read earlier. */
#ifndef O2C_STOCK_READ_H
#define O2C_STOCK_READ_H

#include "connectors/common/connector.h"

#include <json-c/json.h>

/* Sets out ok with patch levels (taken) and read_at (now, UTC, microseconds). */
void o2c_outcome_stock_levels(struct o2c_outcome *out, json_object *levels);

#endif
