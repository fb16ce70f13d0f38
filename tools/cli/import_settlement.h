/* o2c import-settlement: loads settlement files (format found from the header). Returns 0 when
 * every file was imported (or was already), 1 otherwise; prints one line per settlement. */
#ifndef O2C_CLI_IMPORT_SETTLEMENT_H
#define O2C_CLI_IMPORT_SETTLEMENT_H

#include <libpq-fe.h>

int o2c_cli_import_settlement(PGconn *conn, int nfiles, char **files);

#endif
