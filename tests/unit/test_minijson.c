/* minijson (tests/sst/minijson), the JSON reader pcvm-sst uses where the
 * cJSON package is missing: RFC 8259 grammar, escapes, numbers, error
 * positions, the nesting limit, and the cJSON calls pcvm-sst makes.
 * Built and run on every host, whichever reader pcvm-sst links. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sst/minijson/cjson/cJSON.h"

static cJSON *parse(const char *text)
{
    return cJSON_ParseWithLengthOpts(text, strlen(text), NULL, 1);
}

/* NULL, and how far the text was read, for text that is not JSON. */
static size_t fails_at(const char *text)
{
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(text, strlen(text), &end, 1);
    cJSON_Delete(v);
    cr_assert_null(v, "'%s' was accepted", text);
    cr_assert(end >= text && end <= text + strlen(text), "'%s': end outside the text", text);
    return (size_t)(end - text);
}

Test(minijson, reads_an_sst_shaped_test)
{
    const char *text =
        "[ {\"name\": \"add al, 0x12\", \"bytes\": [4, 18],\n"
        "   \"initial\": {\"regs\": {\"ax\": 65535, \"ip\": 256}, \"ram\": [[1024, 4], [1025, 18]]},\n"
        "   \"final\": {\"regs\": {\"ax\": 65297}, \"ram\": []}, \"idx\": 0} ]";
    cJSON *root = parse(text);
    cr_assert_not_null(root);
    cr_assert(cJSON_IsArray(root));
    cr_assert_eq(cJSON_GetArraySize(root), 1);
    cJSON *t = root->child;
    cr_assert(cJSON_IsObject(t));
    cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
    cr_assert(cJSON_IsString(name));
    cr_assert_str_eq(name->valuestring, "add al, 0x12");
    cJSON *bytes = cJSON_GetObjectItemCaseSensitive(t, "bytes");
    cr_assert_eq(cJSON_GetArraySize(bytes), 2);
    cr_assert_eq(bytes->child->next->valuedouble, 18.0);
    cJSON *regs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "initial"),
                                                   "regs");
    cr_assert(cJSON_IsObject(regs));
    /* members in document order, with their names */
    cr_assert_str_eq(regs->child->string, "ax");
    cr_assert_eq(regs->child->valuedouble, 65535.0);
    cr_assert_str_eq(regs->child->next->string, "ip");
    cr_assert_null(regs->child->next->next);
    cJSON *ram = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "initial"),
                                                  "ram");
    cr_assert_eq(cJSON_GetArraySize(ram), 2);
    cr_assert_eq(ram->child->next->child->valueint, 1025);
    cJSON *fin = cJSON_GetObjectItemCaseSensitive(t, "final");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fin, "ram")), 0);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(t, "Name"), "names are case-sensitive");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(t, "exception"));
    cJSON_Delete(root);
}

Test(minijson, literals_and_kinds)
{
    cJSON *v = parse(" [true, false, null, {}, [], \"\", 0] ");
    cr_assert_not_null(v);
    const cJSON *e = v->child;
    cr_assert(cJSON_IsBool(e) && e->type == cJSON_True);
    e = e->next;
    cr_assert(cJSON_IsBool(e) && e->type == cJSON_False);
    e = e->next;
    cr_assert(cJSON_IsNull(e));
    e = e->next;
    cr_assert(cJSON_IsObject(e) && !e->child);
    e = e->next;
    cr_assert(cJSON_IsArray(e) && !e->child);
    e = e->next;
    cr_assert(cJSON_IsString(e));
    cr_assert_str_eq(e->valuestring, "");
    e = e->next;
    cr_assert(cJSON_IsNumber(e) && !cJSON_IsString(e));
    cr_assert_null(e->next);
    cJSON_Delete(v);
    cr_assert(!cJSON_IsArray(NULL) && !cJSON_IsObject(NULL) && !cJSON_IsNumber(NULL) &&
              !cJSON_IsString(NULL) && !cJSON_IsBool(NULL) && !cJSON_IsNull(NULL));
    cr_assert_eq(cJSON_GetArraySize(NULL), 0);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(NULL, "a"));
    cJSON_Delete(NULL);
}

Test(minijson, string_escapes_become_utf8)
{
    cJSON *v = parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0041\\u00e9\\u20AC\\ud83d\\ude00\"");
    cr_assert_not_null(v);
    cr_assert_str_eq(v->valuestring, "q\" b\\ s/ \b\f\n\r\t A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    cJSON_Delete(v);
    /* UTF-8 in the text passes through */
    v = parse("\"\xC3\xA9t\xC3\xA9\"");
    cr_assert_not_null(v);
    cr_assert_str_eq(v->valuestring, "\xC3\xA9t\xC3\xA9");
    cJSON_Delete(v);
}

Test(minijson, numbers)
{
    static const struct { const char *text; double value; int asint; } cases[] = {
        { "0", 0, 0 }, { "-0", 0, 0 }, { "7", 7, 7 }, { "-42", -42, -42 },
        { "12.5e2", 1250, 1250 }, { "1E-3", 0.001, 0 }, { "2.5", 2.5, 2 },
        { "4294967295", 4294967295.0, 2147483647 }, { "-1e10", -1e10, -2147483647 - 1 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cJSON *v = parse(cases[k].text);
        cr_assert(cJSON_IsNumber(v), "%s", cases[k].text);
        cr_expect_eq(v->valuedouble, cases[k].value, "%s: %.17g", cases[k].text, v->valuedouble);
        cr_expect_eq(v->valueint, cases[k].asint, "%s: valueint %d", cases[k].text, v->valueint);
        cJSON_Delete(v);
    }
    /* longer than the reader's buffer for a number: the same value */
    const char *lng = "-123456789012345678901234567890123456789012345678901234567890123456789.5e-3";
    cJSON *v = parse(lng);
    cr_assert(cJSON_IsNumber(v));
    cr_assert_eq(v->valuedouble, strtod(lng, NULL));
    cr_assert_eq(v->valueint, -2147483647 - 1);
    cJSON_Delete(v);
}

Test(minijson, rejects_what_is_not_json)
{
    static const struct { const char *text; size_t at; } cases[] = {
        { "", 0 }, { "   ", 3 }, { "{", 1 }, { "[1,]", 3 }, { "[1 2]", 3 }, { "{\"a\" 1}", 5 },
        { "{1:2}", 1 }, { "{\"a\":}", 5 }, { "01", 1 }, { "1.", 2 }, { ".5", 0 }, { "+1", 0 },
        { "-", 1 }, { "1e", 2 }, { "1e+", 3 }, { "tru", 0 }, { "nul", 0 }, { "True", 0 },
        { "\"abc", 4 }, { "\"a\\x\"", 2 }, { "\"\\u12G4\"", 1 }, { "\"\\ud800\"", 1 },
        { "\"\\ud800\\u0041\"", 1 }, { "\"\\udc00\"", 1 }, { "\"a\tb\"", 2 }, { "[1, x]", 4 },
        { "[1]]", 3 }, { "1 2", 2 }, { "'a'", 0 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        cr_expect_eq(fails_at(cases[k].text), cases[k].at, "'%s' failed at byte %zu, not %zu",
                     cases[k].text, fails_at(cases[k].text), cases[k].at);
}

Test(minijson, length_and_what_follows)
{
    const char *end = NULL;
    /* only `length` bytes are read: no NUL needed after them */
    cJSON *v = cJSON_ParseWithLengthOpts("[1]garbage", 3, &end, 1);
    cr_assert_not_null(v);
    cJSON_Delete(v);
    v = cJSON_ParseWithLengthOpts("12345", 2, &end, 1);
    cr_assert_not_null(v);
    cr_assert_eq(v->valuedouble, 12.0);
    cJSON_Delete(v);
    /* not required to end: stops after the value and its white space */
    const char *text = "{\"a\": 1}  xyz";
    v = cJSON_ParseWithLengthOpts(text, strlen(text), &end, 0);
    cr_assert_not_null(v);
    cr_assert_eq(end - text, 10);
    cJSON_Delete(v);
    /* required to end: a NUL inside the length ends the text */
    v = cJSON_ParseWithLengthOpts("[2] \0zz", 7, &end, 1);
    cr_assert_not_null(v);
    cJSON_Delete(v);
    cr_assert_null(cJSON_ParseWithLengthOpts(NULL, 0, &end, 0));
}

Test(minijson, nesting_limit)
{
    size_t n = MINIJSON_MAX_DEPTH + 1;
    char *text = malloc(2 * n + 1);
    cr_assert_not_null(text);
    for (int extra = 0; extra <= 1; extra++) {
        size_t d = MINIJSON_MAX_DEPTH + (size_t)extra;
        memset(text, '[', d);
        memset(text + d, ']', d);
        text[2 * d] = '\0';
        cJSON *v = parse(text);
        if (extra)
            cr_expect_null(v, "%zu levels accepted", d);
        else
            cr_expect_not_null(v, "%zu levels refused", d);
        cJSON_Delete(v);
    }
    free(text);
}

Test(minijson, duplicate_names_find_the_first)
{
    cJSON *v = parse("{\"k\": 1, \"k\": 2}");
    cr_assert_not_null(v);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(v, "k")->valueint, 1);
    cJSON_Delete(v);
}
