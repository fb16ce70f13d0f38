/* Internals shared by the graphql_*.c files: the lexer and the parser pieces the SDL reader
 * reuses. Not for services: they use graphql.h. */
#ifndef O2C_SANDBOX_GRAPHQL_INTERNAL_H
#define O2C_SANDBOX_GRAPHQL_INTERNAL_H

#include "tools/sandbox/graphql/graphql.h"

typedef enum gq_tok_kind {
    GQ_TOK_EOF, GQ_TOK_BANG, GQ_TOK_DOLLAR, GQ_TOK_AMP, GQ_TOK_LPAREN, GQ_TOK_RPAREN,
    GQ_TOK_SPREAD, GQ_TOK_COLON, GQ_TOK_EQUALS, GQ_TOK_AT, GQ_TOK_LBRACKET, GQ_TOK_RBRACKET,
    GQ_TOK_LBRACE, GQ_TOK_PIPE, GQ_TOK_RBRACE, GQ_TOK_NAME, GQ_TOK_INT, GQ_TOK_FLOAT,
    GQ_TOK_STRING, GQ_TOK_BLOCK_STRING
} gq_tok_kind;

typedef struct gq_token {
    gq_tok_kind kind;
    const char *start;   /* source text of the token */
    size_t len;
    char *value;         /* names, numbers: copy; strings: decoded value (arena) */
    int line, column;
} gq_token;

typedef struct gq_lexer {
    gq_arena *arena;
    const char *src;
    size_t len, pos;
    int line;
    size_t line_start;
    gq_token tok;        /* current token */
    gq_errors *errors;
    bool failed;         /* a syntax error was reported; everything after is ignored */
    int depth;           /* nesting, bounded for stack safety */
    size_t tokens, max_tokens; /* tokens read; more than max_tokens (0 = no bound) is an error */
} gq_lexer;

void gq_lexer_init(gq_lexer *lx, gq_arena *arena, const char *src, size_t len, gq_errors *errors);
/* Advances to the next token; on a lexical error sets failed (and reports once). */
void gq_lex_next(gq_lexer *lx);
const char *gq_tok_describe(const gq_token *t, char *buf, size_t len); /* "Name \"foo\"", "\"}\"" */
/* Reports "Syntax Error: <msg>" at a position (only the first error counts). */
void gq_syntax_error(gq_lexer *lx, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parser pieces (graphql_parse.c) used by the SDL reader too. */
bool gq_expect(gq_lexer *lx, gq_tok_kind kind);
bool gq_peek(gq_lexer *lx, gq_tok_kind kind);
bool gq_peek_name(gq_lexer *lx, const char *name);
char *gq_parse_name(gq_lexer *lx);
gq_value *gq_parse_value(gq_lexer *lx, bool is_const);
gq_type_ref *gq_parse_type(gq_lexer *lx);
gq_directive *gq_parse_directives(gq_lexer *lx, bool is_const, size_t *n);

/* Grows an arena array by one element (copying), returns the new element. */
void *gq_push(gq_arena *a, void **items, size_t *n, size_t size);

#define GQ_MAX_DEPTH 64

/* The OverlappingFieldsCanBeMerged rule (graphql_overlap.c), run by gq_validate on a document
 * whose fields all exist and whose fragments are acyclic. */
void gq_validate_overlaps(const gq_schema *schema, const gq_document *doc, gq_errors *errors);

/* The introspection types and built-in directives in SDL (graphql_meta.c). */
extern const char *const gq_meta_sdl;

/* Prints a value in GraphQL syntax as graphql-js's printer does ([id_ASC], {a: 1}, strings
 * quoted with JSON-style escapes), for introspection's defaultValue and for comparing
 * arguments. The result lives in the arena. */
char *gq_print_value(gq_arena *a, const gq_value *v);

#endif
