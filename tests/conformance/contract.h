/* The one conformance suite every connector passes against its sandbox (River's driver-test
 * model): the contract cases are written once, in storefront_contract.c and erp_contract.c,
 * against a small driver that says how to reach one system; each connector adds a test program
 * (test_<system>_contract.c) that fills a driver and runs the cases. A new storefront or ERP is
 * one more driver, never a copy of the cases.
 *
 * Storefront contract: reads everything changed since its cursor exactly once, through same-second
 * ties and pages; honours throttling and Retry-After; retries 5xx and cut-off bodies; a bad token
 * is remote_auth, a missing permission remote_permission; malformed answers never crash it; a
 * runner killed mid-ingest loses nothing.
 *
 * ERP contract: creates exactly once under faults; the fleet holds the account's concurrency
 * limit; a record lock is `locked`, then done; a refusal is an exception with the remote's words
 * and field; a refused login is remote_auth; a missing record is not_found. */
#ifndef O2C_TESTS_CONTRACT_H
#define O2C_TESTS_CONTRACT_H

#include <stdbool.h>

struct storefront_driver {
    const char *system;            /* connection system and sandbox service: "centra" */
    const char *poll_action;       /* reads records changed since the cursor: "centra.poll_orders";
                                      its context takes page_size, poll_interval_ms, child_workflow,
                                      cancel_workflow and starts one child per record */
    const char *token_env;         /* the variable both sandbox and runners read the token from */
    const char *good_token;
    const char *permissions_env;   /* read by the sandbox: the permissions its token has */
    const char *permissions_lacking; /* a set without one the poller needs */
    const char *lacking_words;     /* the missing permission, as the refusal names it */
    const char *auth_words;        /* the start of the remote_auth message */
    const char *key_prefix;        /* the child of record N has business key key_prefix || N */
    const char *number_expr;       /* SQL over a child's `context`: its record's number */
    const char *updated_expr;      /* SQL over a child's `context`: its record's last change */
    const char *records_stat;      /* the sandbox's figure counting records: "records.orders" */
    const char *const *fault_args; /* sandbox args injecting 429s, 5xx, cut-off bodies, a tight rate limit */
    const char *const *garbage_args; /* sandbox args answering garbage often */
    int (*place)(int port, int count); /* places records in the sandbox; 0 on success */
};

struct erp_driver {
    const char *system;            /* connection system and sandbox service: "netsuite" */
    const char *create_action;     /* creates a record exactly once by its external key */
    const char *create_params;     /* the create state's params (JSON object) */
    const char *create_input_sql;  /* SQL expression over columns `ext` (the external key) and `item`:
                                      the create's workflow input (jsonb) */
    const char *valid_item, *unknown_item;
    const char *result_key;        /* the context key holding the ERP's id after a create */
    const char *records_stat;      /* the sandbox's figure counting created records */
    const char *duplicates_stat;   /* the sandbox's figure counting records made twice */
    const char *refusal_field;     /* the field the refusal of unknown_item names */
    const char *find_action;       /* answers found / not_found */
    const char *find_params;       /* its params (JSON object); the value to look for is context "value" */
    const char *concurrency_arg;   /* the sandbox's flag for the account's concurrency limit */
    const char *const *fault_args; /* sandbox args injecting 429s, 5xx, locks, cut-off bodies */
    const char *const *lock_args;  /* sandbox args locking records often */
    void (*credentials)(bool good);/* sets the variables the runners sign with: right or wrong */
};

/* Runs every case of a contract against the driver; the test program's exit status. */
int storefront_contract_run(const char *program, const struct storefront_driver *driver);
int erp_contract_run(const char *program, const struct erp_driver *driver);

#endif
