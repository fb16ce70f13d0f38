/* GraphQL parser for executable documents (spec §2): operations (with the query shorthand),
 * variable definitions with defaults, selection sets, fields with aliases and arguments, every
 * value kind, fragments, inline fragments and directives. Recursive descent with a depth bound so
 * a hostile document cannot exhaust the stack. */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_name(gq_tok_kind k)
{
    switch (k) {
    case GQ_TOK_EOF: return "<EOF>";
    case GQ_TOK_BANG: return "\"!\"";
    case GQ_TOK_DOLLAR: return "\"$\"";
    case GQ_TOK_AMP: return "\"&\"";
    case GQ_TOK_LPAREN: return "\"(\"";
    case GQ_TOK_RPAREN: return "\")\"";
    case GQ_TOK_SPREAD: return "\"...\"";
    case GQ_TOK_COLON: return "\":\"";
    case GQ_TOK_EQUALS: return "\"=\"";
    case GQ_TOK_AT: return "\"@\"";
    case GQ_TOK_LBRACKET: return "\"[\"";
    case GQ_TOK_RBRACKET: return "\"]\"";
    case GQ_TOK_LBRACE: return "\"{\"";
    case GQ_TOK_PIPE: return "\"|\"";
    case GQ_TOK_RBRACE: return "\"}\"";
    case GQ_TOK_NAME: return "Name";
    case GQ_TOK_INT: return "Int";
    case GQ_TOK_FLOAT: return "Float";
    case GQ_TOK_STRING: return "String";
    case GQ_TOK_BLOCK_STRING: return "BlockString";
    }
    return "?";
}

static void unexpected(gq_lexer *lx)
{
    char d[128];
    gq_syntax_error(lx, lx->tok.line, lx->tok.column, "Unexpected %s.",
                    gq_tok_describe(&lx->tok, d, sizeof d));
}

bool gq_peek(gq_lexer *lx, gq_tok_kind kind) { return !lx->failed && lx->tok.kind == kind; }

bool gq_peek_name(gq_lexer *lx, const char *name)
{
    return gq_peek(lx, GQ_TOK_NAME) && strcmp(lx->tok.value, name) == 0;
}

bool gq_expect(gq_lexer *lx, gq_tok_kind kind)
{
    if (lx->failed)
        return false;
    if (lx->tok.kind == kind) {
        gq_lex_next(lx);
        return !lx->failed || kind == GQ_TOK_EOF;
    }
    char d[128];
    gq_syntax_error(lx, lx->tok.line, lx->tok.column, "Expected %s, found %s.", kind_name(kind),
                    gq_tok_describe(&lx->tok, d, sizeof d));
    return false;
}

char *gq_parse_name(gq_lexer *lx)
{
    if (!gq_peek(lx, GQ_TOK_NAME)) {
        gq_expect(lx, GQ_TOK_NAME);
        return NULL;
    }
    char *n = lx->tok.value;
    gq_lex_next(lx);
    return n;
}

static bool enter(gq_lexer *lx)
{
    if (++lx->depth > GQ_MAX_DEPTH) {
        gq_syntax_error(lx, lx->tok.line, lx->tok.column, "Document nesting exceeds %d levels.",
                        GQ_MAX_DEPTH);
        return false;
    }
    return true;
}

gq_value *gq_parse_value(gq_lexer *lx, bool is_const)
{
    if (lx->failed || !enter(lx))
        return NULL;
    gq_value *v = gq_alloc(lx->arena, sizeof *v);
    v->line = lx->tok.line;
    v->column = lx->tok.column;
    switch (lx->tok.kind) {
    case GQ_TOK_DOLLAR:
        if (is_const) {
            unexpected(lx);
            break;
        }
        gq_lex_next(lx);
        v->kind = GQ_V_VARIABLE;
        v->text = gq_parse_name(lx);
        break;
    case GQ_TOK_INT: v->kind = GQ_V_INT; v->text = lx->tok.value; gq_lex_next(lx); break;
    case GQ_TOK_FLOAT: v->kind = GQ_V_FLOAT; v->text = lx->tok.value; gq_lex_next(lx); break;
    case GQ_TOK_STRING:
    case GQ_TOK_BLOCK_STRING: v->kind = GQ_V_STRING; v->text = lx->tok.value; gq_lex_next(lx); break;
    case GQ_TOK_NAME:
        if (strcmp(lx->tok.value, "true") == 0 || strcmp(lx->tok.value, "false") == 0) {
            v->kind = GQ_V_BOOLEAN;
            v->boolean = lx->tok.value[0] == 't';
        } else if (strcmp(lx->tok.value, "null") == 0) {
            v->kind = GQ_V_NULL;
        } else {
            v->kind = GQ_V_ENUM;
            v->text = lx->tok.value;
        }
        gq_lex_next(lx);
        break;
    case GQ_TOK_LBRACKET:
        v->kind = GQ_V_LIST;
        gq_lex_next(lx);
        while (!lx->failed && !gq_peek(lx, GQ_TOK_RBRACKET)) {
            if (gq_peek(lx, GQ_TOK_EOF)) {
                gq_expect(lx, GQ_TOK_RBRACKET);
                break;
            }
            gq_value *item = gq_parse_value(lx, is_const);
            if (!item)
                break;
            *(gq_value **)gq_push(lx->arena, (void **)&v->items, &v->n, sizeof item) = item;
        }
        gq_expect(lx, GQ_TOK_RBRACKET);
        break;
    case GQ_TOK_LBRACE: {
        v->kind = GQ_V_OBJECT;
        gq_lex_next(lx);
        size_t nkeys = 0;
        while (!lx->failed && !gq_peek(lx, GQ_TOK_RBRACE)) {
            char *key = gq_parse_name(lx);
            if (!key || !gq_expect(lx, GQ_TOK_COLON))
                break;
            gq_value *item = gq_parse_value(lx, is_const);
            if (!item)
                break;
            *(char **)gq_push(lx->arena, (void **)&v->keys, &nkeys, sizeof key) = key;
            *(gq_value **)gq_push(lx->arena, (void **)&v->items, &v->n, sizeof item) = item;
        }
        gq_expect(lx, GQ_TOK_RBRACE);
        break;
    }
    default:
        unexpected(lx);
        break;
    }
    lx->depth--;
    return lx->failed ? NULL : v;
}

gq_type_ref *gq_parse_type(gq_lexer *lx)
{
    if (lx->failed || !enter(lx))
        return NULL;
    gq_type_ref *t = gq_alloc(lx->arena, sizeof *t);
    if (gq_peek(lx, GQ_TOK_LBRACKET)) {
        gq_lex_next(lx);
        t->kind = GQ_T_LIST;
        t->of = gq_parse_type(lx);
        gq_expect(lx, GQ_TOK_RBRACKET);
    } else {
        t->kind = GQ_T_NAMED;
        t->name = gq_parse_name(lx);
    }
    if (!lx->failed && gq_peek(lx, GQ_TOK_BANG)) {
        gq_lex_next(lx);
        gq_type_ref *nn = gq_alloc(lx->arena, sizeof *nn);
        nn->kind = GQ_T_NON_NULL;
        nn->of = t;
        t = nn;
    }
    lx->depth--;
    return lx->failed ? NULL : t;
}

static gq_argument *parse_arguments(gq_lexer *lx, bool is_const, size_t *n)
{
    gq_argument *args = NULL;
    *n = 0;
    if (!gq_peek(lx, GQ_TOK_LPAREN))
        return NULL;
    gq_lex_next(lx);
    /* The spec requires at least one argument between the parentheses. */
    do {
        gq_argument a = {0};
        a.line = lx->tok.line;
        a.column = lx->tok.column;
        a.name = gq_parse_name(lx);
        if (!a.name || !gq_expect(lx, GQ_TOK_COLON))
            return NULL;
        a.value = gq_parse_value(lx, is_const);
        if (!a.value)
            return NULL;
        *(gq_argument *)gq_push(lx->arena, (void **)&args, n, sizeof a) = a;
    } while (!lx->failed && !gq_peek(lx, GQ_TOK_RPAREN));
    gq_expect(lx, GQ_TOK_RPAREN);
    return args;
}

gq_directive *gq_parse_directives(gq_lexer *lx, bool is_const, size_t *n)
{
    gq_directive *ds = NULL;
    *n = 0;
    while (gq_peek(lx, GQ_TOK_AT)) {
        gq_directive d = {0};
        d.line = lx->tok.line;
        d.column = lx->tok.column;
        gq_lex_next(lx);
        d.name = gq_parse_name(lx);
        if (!d.name)
            return NULL;
        d.args = parse_arguments(lx, is_const, &d.n_args);
        if (lx->failed)
            return NULL;
        *(gq_directive *)gq_push(lx->arena, (void **)&ds, n, sizeof d) = d;
    }
    return ds;
}

static gq_selection_set *parse_selection_set(gq_lexer *lx);

static bool parse_selection(gq_lexer *lx, gq_selection *s)
{
    s->line = lx->tok.line;
    s->column = lx->tok.column;
    if (gq_peek(lx, GQ_TOK_SPREAD)) {
        gq_lex_next(lx);
        if (gq_peek(lx, GQ_TOK_NAME) && strcmp(lx->tok.value, "on") != 0) {
            s->kind = GQ_SEL_SPREAD;
            s->name = gq_parse_name(lx);
            s->directives = gq_parse_directives(lx, false, &s->n_directives);
            return !lx->failed;
        }
        s->kind = GQ_SEL_INLINE;
        if (gq_peek_name(lx, "on")) {
            gq_lex_next(lx);
            s->type_condition = gq_parse_name(lx);
        }
        s->directives = gq_parse_directives(lx, false, &s->n_directives);
        s->set = parse_selection_set(lx);
        return !lx->failed;
    }
    s->kind = GQ_SEL_FIELD;
    char *first = gq_parse_name(lx);
    if (!first)
        return false;
    if (gq_peek(lx, GQ_TOK_COLON)) {
        gq_lex_next(lx);
        s->alias = first;
        s->name = gq_parse_name(lx);
    } else {
        s->name = first;
    }
    s->args = parse_arguments(lx, false, &s->n_args);
    s->directives = gq_parse_directives(lx, false, &s->n_directives);
    if (gq_peek(lx, GQ_TOK_LBRACE))
        s->set = parse_selection_set(lx);
    return !lx->failed;
}

static gq_selection_set *parse_selection_set(gq_lexer *lx)
{
    if (lx->failed || !enter(lx))
        return NULL;
    gq_selection_set *set = gq_alloc(lx->arena, sizeof *set);
    set->line = lx->tok.line;
    set->column = lx->tok.column;
    if (!gq_expect(lx, GQ_TOK_LBRACE))
        return NULL;
    /* A selection set holds at least one selection. */
    do {
        gq_selection s = {0};
        if (!parse_selection(lx, &s))
            return NULL;
        *(gq_selection *)gq_push(lx->arena, (void **)&set->items, &set->n, sizeof s) = s;
    } while (!lx->failed && !gq_peek(lx, GQ_TOK_RBRACE));
    gq_expect(lx, GQ_TOK_RBRACE);
    lx->depth--;
    return lx->failed ? NULL : set;
}

static bool parse_variable_defs(gq_lexer *lx, gq_operation *op)
{
    if (!gq_peek(lx, GQ_TOK_LPAREN))
        return true;
    gq_lex_next(lx);
    do {
        gq_variable_def v = {0};
        v.line = lx->tok.line;
        v.column = lx->tok.column;
        if (!gq_expect(lx, GQ_TOK_DOLLAR))
            return false;
        v.name = gq_parse_name(lx);
        if (!v.name || !gq_expect(lx, GQ_TOK_COLON))
            return false;
        v.type = gq_parse_type(lx);
        if (!v.type)
            return false;
        if (gq_peek(lx, GQ_TOK_EQUALS)) {
            gq_lex_next(lx);
            v.default_value = gq_parse_value(lx, true);
            if (!v.default_value)
                return false;
        }
        /* Kept for validation, which refuses them: no directive of these schemas may be used on
         * VARIABLE_DEFINITION (graphql-js: "Directive "@skip" may not be used on ..."). */
        v.directives = gq_parse_directives(lx, true, &v.n_directives);
        if (lx->failed)
            return false;
        *(gq_variable_def *)gq_push(lx->arena, (void **)&op->vars, &op->n_vars, sizeof v) = v;
    } while (!lx->failed && !gq_peek(lx, GQ_TOK_RPAREN));
    return gq_expect(lx, GQ_TOK_RPAREN);
}

static bool parse_definition(gq_lexer *lx, gq_document *doc, gq_errors *errors)
{
    int line = lx->tok.line, column = lx->tok.column;
    if (gq_peek(lx, GQ_TOK_LBRACE)) {
        gq_operation op = {0};
        op.kind = GQ_OP_QUERY;
        op.line = line;
        op.column = column;
        op.set = parse_selection_set(lx);
        if (!op.set)
            return false;
        *(gq_operation *)gq_push(doc->arena, (void **)&doc->ops, &doc->n_ops, sizeof op) = op;
        return true;
    }
    if (!gq_peek(lx, GQ_TOK_NAME)) {
        unexpected(lx);
        return false;
    }
    const char *kw = lx->tok.value;
    if (strcmp(kw, "query") == 0 || strcmp(kw, "mutation") == 0 || strcmp(kw, "subscription") == 0) {
        gq_operation op = {0};
        op.kind = kw[0] == 'q' ? GQ_OP_QUERY : kw[0] == 'm' ? GQ_OP_MUTATION : GQ_OP_SUBSCRIPTION;
        op.line = line;
        op.column = column;
        gq_lex_next(lx);
        if (gq_peek(lx, GQ_TOK_NAME))
            op.name = gq_parse_name(lx);
        if (!parse_variable_defs(lx, &op))
            return false;
        op.directives = gq_parse_directives(lx, false, &op.n_directives);
        op.set = parse_selection_set(lx);
        if (!op.set)
            return false;
        *(gq_operation *)gq_push(doc->arena, (void **)&doc->ops, &doc->n_ops, sizeof op) = op;
        return true;
    }
    if (strcmp(kw, "fragment") == 0) {
        gq_fragment f = {0};
        f.line = line;
        f.column = column;
        gq_lex_next(lx);
        if (gq_peek_name(lx, "on")) {
            unexpected(lx);
            return false;
        }
        f.name = gq_parse_name(lx);
        if (!f.name)
            return false;
        if (!gq_peek_name(lx, "on")) {
            char d[128];
            gq_syntax_error(lx, lx->tok.line, lx->tok.column, "Expected \"on\", found %s.",
                            gq_tok_describe(&lx->tok, d, sizeof d));
            return false;
        }
        gq_lex_next(lx);
        f.type_condition = gq_parse_name(lx);
        f.directives = gq_parse_directives(lx, false, &f.n_directives);
        f.set = parse_selection_set(lx);
        if (!f.set)
            return false;
        *(gq_fragment *)gq_push(doc->arena, (void **)&doc->frags, &doc->n_frags, sizeof f) = f;
        return true;
    }
    static const char *const sdl[] = {"schema", "scalar", "type", "interface", "union", "enum",
                                      "input", "directive", "extend"};
    for (size_t i = 0; i < sizeof sdl / sizeof *sdl; i++) {
        if (strcmp(kw, sdl[i]) == 0) {
            /* Well-formed, but not executable: graphql-js's ExecutableDefinitions rule. */
            gq_error_add(errors, line, column, "graphql",
                         "The \"%s\" definition is not executable.", kw);
            return false;
        }
    }
    unexpected(lx);
    return false;
}

/* ---- spreads resolved once, by name, through a sorted index ---------------------------------- */

static int by_fragment_name(const void *a, const void *b, void *doc_)
{
    const gq_document *doc = doc_;
    const gq_fragment *fa = &doc->frags[*(const size_t *)a], *fb = &doc->frags[*(const size_t *)b];
    int c = strcmp(fa->name, fb->name);
    return c ? c : (fa < fb ? -1 : fa > fb);
}

static const gq_fragment *lookup(const gq_document *doc, const size_t *order, const char *name)
{
    size_t lo = 0, hi = doc->n_frags;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(doc->frags[order[mid]].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < doc->n_frags && strcmp(doc->frags[order[lo]].name, name) == 0 ? &doc->frags[order[lo]] : NULL;
}

static void resolve_set(const gq_document *doc, const size_t *order, gq_selection_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        gq_selection *s = &set->items[i];
        if (s->kind == GQ_SEL_SPREAD)
            s->fragment = lookup(doc, order, s->name);
        else
            resolve_set(doc, order, s->set); /* lexical nesting is bounded by the parser */
    }
}

static void resolve_spreads(gq_document *doc)
{
    size_t *order = gq_alloc(doc->arena, (doc->n_frags + 1) * sizeof *order);
    for (size_t i = 0; i < doc->n_frags; i++)
        order[i] = i;
    qsort_r(order, doc->n_frags, sizeof *order, by_fragment_name, doc); /* first of a name first */
    for (size_t i = 0; i < doc->n_ops; i++)
        resolve_set(doc, order, doc->ops[i].set);
    for (size_t i = 0; i < doc->n_frags; i++)
        resolve_set(doc, order, doc->frags[i].set);
}

gq_document *gq_parse(const char *source, size_t len, gq_errors *errors)
{
    gq_document *doc = calloc(1, sizeof *doc);
    if (!doc)
        return NULL;
    doc->arena = gq_arena_new();
    gq_lexer lx;
    gq_lexer_init(&lx, doc->arena, source, len, errors);
    lx.max_tokens = GQ_MAX_TOKENS;
    size_t before = gq_error_count(errors);
    if (gq_peek(&lx, GQ_TOK_EOF) && !lx.failed) {
        char d[32];
        gq_syntax_error(&lx, lx.tok.line, lx.tok.column, "Unexpected %s.",
                        gq_tok_describe(&lx.tok, d, sizeof d));
    }
    while (!lx.failed && !gq_peek(&lx, GQ_TOK_EOF)) {
        if (!parse_definition(&lx, doc, errors))
            break;
    }
    if (lx.failed || gq_error_count(errors) > before) {
        gq_document_free(doc);
        return NULL;
    }
    resolve_spreads(doc);
    return doc;
}

void gq_document_free(gq_document *doc)
{
    if (!doc)
        return;
    gq_arena_free(doc->arena);
    free(doc);
}
