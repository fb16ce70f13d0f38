/* Until order_to_cash's map step fills the canonical order and its ERP links itself (the
 * canonical-model work), tests of the flows that start from them (fulfilment, returns) make those
 * rows here from the orders order_to_cash posted: canonical_order(+_line) from the Centra order in
 * the workflow's context, erp_order (external id CENTRA-<store>-<number>, the sales order's
 * internal id) and erp_order_line (the n-th product line with units is NetSuite line n, as
 * sql/api/map_centra_netsuite.sql writes them). Once map fills them, callers drop the call. */
#ifndef O2C_TESTS_ORDER_LINKS_H
#define O2C_TESTS_ORDER_LINKS_H

#include <libpq-fe.h>

/* Links every posted order not linked yet; returns how many orders it linked, -1 on error. */
long long tlinks_record_posted_orders(PGconn *db);

#endif
