/* minijson: a recursive-descent JSON reader (RFC 8259), see
 * cjson/cJSON.h. */
#include "cjson/cJSON.h"    /* this directory's, never the cJSON package's */

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const char *p, *end;
    int depth;
};

static cJSON *parse_value(struct parser *ps);

static void skip_space(struct parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int peek(const struct parser *ps)
{
    return ps->p < ps->end ? (unsigned char)*ps->p : -1;
}

static int literal(struct parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return 0;
    ps->p += n;
    return 1;
}

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int c = (unsigned char)s[k], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return 0;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 1;
}

static char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | cp >> 12);
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | cp >> 18);
        *o++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* A string at ps->p (the opening quote): its text, malloc'd, or NULL
 * with ps->p at the fault.  The text is never longer than the JSON form
 * (an escape of 2, 6 or 12 characters gives 1 to 4 bytes). */
static char *parse_string(struct parser *ps)
{
    const char *s = ps->p + 1, *q = s;
    while (q < ps->end && *q != '"') {
        if ((unsigned char)*q < 0x20) {
            ps->p = q;          /* control characters must be escaped */
            return NULL;
        }
        q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
    }
    if (q >= ps->end) {
        ps->p = ps->end;        /* no closing quote */
        return NULL;
    }
    char *text = malloc((size_t)(q - s) + 1), *o = text;
    if (!text)
        return NULL;
    while (s < q) {
        if (*s != '\\') {
            *o++ = *s++;
            continue;
        }
        const char *esc = s;
        uint32_t cp, lo;
        switch (s[1]) {
        case '"': *o++ = '"'; s += 2; continue;
        case '\\': *o++ = '\\'; s += 2; continue;
        case '/': *o++ = '/'; s += 2; continue;
        case 'b': *o++ = '\b'; s += 2; continue;
        case 'f': *o++ = '\f'; s += 2; continue;
        case 'n': *o++ = '\n'; s += 2; continue;
        case 'r': *o++ = '\r'; s += 2; continue;
        case 't': *o++ = '\t'; s += 2; continue;
        case 'u':
            if (q - s < 6 || !hex4(s + 2, &cp))
                break;
            s += 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                break;          /* a low surrogate first */
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                /* a high surrogate: a low one must follow (UTF-16 pair) */
                if (q - s < 6 || s[0] != '\\' || s[1] != 'u' || !hex4(s + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    break;
                s += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o = put_utf8(o, cp);
            continue;
        default:
            break;
        }
        ps->p = esc;            /* a bad escape */
        free(text);
        return NULL;
    }
    *o = '\0';
    ps->p = q + 1;
    return text;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(struct parser *ps, cJSON *v)
{
    const char *s = ps->p;
    if (peek(ps) == '-')
        ps->p++;
    if (peek(ps) == '0') {
        ps->p++;
    } else if (is_digit(peek(ps))) {
        while (is_digit(peek(ps)))
            ps->p++;
    } else {
        return 0;
    }
    if (peek(ps) == '.') {
        ps->p++;
        if (!is_digit(peek(ps)))
            return 0;
        while (is_digit(peek(ps)))
            ps->p++;
    }
    if (peek(ps) == 'e' || peek(ps) == 'E') {
        ps->p++;
        if (peek(ps) == '+' || peek(ps) == '-')
            ps->p++;
        if (!is_digit(peek(ps)))
            return 0;
        while (is_digit(peek(ps)))
            ps->p++;
    }
    /* strtod needs a NUL after the number; the input may have none. */
    size_t n = (size_t)(ps->p - s);
    char small[64], *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    double d = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    v->type = cJSON_Number;
    v->valuedouble = d;
    v->valueint = d >= (double)INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
    return 1;
}

/* The members of an array or object, after its opening bracket. */
static int parse_members(struct parser *ps, cJSON *v, int object)
{
    int close = object ? '}' : ']';
    cJSON **tail = &v->child;
    ps->p++;
    skip_space(ps);
    if (peek(ps) == close) {
        ps->p++;
        return 1;
    }
    for (;;) {
        char *name = NULL;
        if (object) {
            if (peek(ps) != '"' || !(name = parse_string(ps)))
                return 0;
            skip_space(ps);
            if (peek(ps) != ':') {
                free(name);
                return 0;
            }
            ps->p++;
            skip_space(ps);
        }
        cJSON *m = parse_value(ps);
        if (!m) {
            free(name);
            return 0;
        }
        m->string = name;
        *tail = m;
        tail = &m->next;
        skip_space(ps);
        if (peek(ps) == close) {
            ps->p++;
            return 1;
        }
        if (peek(ps) != ',')
            return 0;
        ps->p++;
        skip_space(ps);
    }
}

/* A value at ps->p (no white space before it), or NULL with ps->p at the
 * fault. */
static cJSON *parse_value(struct parser *ps)
{
    cJSON *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    int c = peek(ps), ok;
    if (c == '{' || c == '[') {
        if (++ps->depth > MINIJSON_MAX_DEPTH) {
            free(v);
            return NULL;
        }
        v->type = c == '{' ? cJSON_Object : cJSON_Array;
        ok = parse_members(ps, v, c == '{');
        ps->depth--;
    } else if (c == '"') {
        v->type = cJSON_String;
        ok = (v->valuestring = parse_string(ps)) != NULL;
    } else if (literal(ps, "true")) {
        v->type = cJSON_True;
        v->valueint = 1;
        ok = 1;
    } else if (literal(ps, "false")) {
        v->type = cJSON_False;
        ok = 1;
    } else if (literal(ps, "null")) {
        v->type = cJSON_NULL;
        ok = 1;
    } else {
        ok = parse_number(ps, v);
    }
    if (!ok) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

cJSON *cJSON_ParseWithLengthOpts(const char *value, size_t length, const char **end,
                                 cJSON_bool require_null_terminated)
{
    if (!value) {
        if (end)
            *end = NULL;
        return NULL;
    }
    struct parser ps = { value, value + length, 0 };
    skip_space(&ps);
    cJSON *v = parse_value(&ps);
    if (v) {
        skip_space(&ps);
        if (require_null_terminated && ps.p < ps.end && *ps.p != '\0') {
            cJSON_Delete(v);
            v = NULL;
        }
    }
    if (end)
        *end = ps.p;
    return v;
}

void cJSON_Delete(cJSON *item)
{
    while (item) {
        cJSON *next = item->next;
        cJSON_Delete(item->child);      /* depth is bounded by the parser */
        free(item->valuestring);
        free(item->string);
        free(item);
        item = next;
    }
}

int cJSON_GetArraySize(const cJSON *array)
{
    int n = 0;
    if (array)
        for (const cJSON *c = array->child; c; c = c->next)
            n++;
    return n;
}

cJSON *cJSON_GetObjectItemCaseSensitive(const cJSON *object, const char *name)
{
    if (!object || !name)
        return NULL;
    for (cJSON *c = object->child; c; c = c->next)
        if (c->string && strcmp(c->string, name) == 0)
            return c;
    return NULL;
}

cJSON_bool cJSON_IsArray(const cJSON *item) { return item && item->type == cJSON_Array; }
cJSON_bool cJSON_IsObject(const cJSON *item) { return item && item->type == cJSON_Object; }
cJSON_bool cJSON_IsNumber(const cJSON *item) { return item && item->type == cJSON_Number; }
cJSON_bool cJSON_IsString(const cJSON *item) { return item && item->type == cJSON_String; }
cJSON_bool cJSON_IsBool(const cJSON *item)
{
    return item && (item->type == cJSON_True || item->type == cJSON_False);
}
cJSON_bool cJSON_IsNull(const cJSON *item) { return item && item->type == cJSON_NULL; }
