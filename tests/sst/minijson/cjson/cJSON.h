/* minijson: pcvm's own small JSON reader with the part of cJSON's
 * documented API that pcvm-sst uses, built only where the cJSON package is
 * not available (the Windows cross build, see tests/meson.build).
 *
 * Parsing follows RFC 8259 (JSON): objects, arrays, strings with every
 * escape (\uXXXX and surrogate pairs become UTF-8), numbers, true, false,
 * null; anything else is an error.  Nesting deeper than MINIJSON_MAX_DEPTH
 * is an error too (no unbounded recursion on hostile input).  Not
 * provided: building, printing or changing JSON. */
#ifndef PCVM_MINIJSON_CJSON_H
#define PCVM_MINIJSON_CJSON_H

#include <stddef.h>

#define MINIJSON_MAX_DEPTH 1000

typedef int cJSON_bool;

/* The kinds of value (cJSON's type bits). */
#define cJSON_Invalid 0
#define cJSON_False (1 << 0)
#define cJSON_True (1 << 1)
#define cJSON_NULL (1 << 2)
#define cJSON_Number (1 << 3)
#define cJSON_String (1 << 4)
#define cJSON_Array (1 << 5)
#define cJSON_Object (1 << 6)

/* One value.  An array's or object's members are its `child` list, linked
 * by `next`; an object member's name is its `string`. */
typedef struct cJSON {
    struct cJSON *next;
    struct cJSON *child;
    int type;
    char *valuestring;          /* strings: the text, UTF-8, NUL-terminated */
    int valueint;               /* numbers: the value, saturated to int */
    double valuedouble;         /* numbers: the value */
    char *string;               /* object members: the name */
} cJSON;

/* Parses the JSON text value[0..length).  On success returns the value and
 * sets *end (if end is not NULL) to just after it and the white space that
 * follows; with require_null_terminated, only white space may follow it up
 * to the end or a NUL byte.  On error returns NULL and sets *end to where
 * the text stopped being JSON. */
cJSON *cJSON_ParseWithLengthOpts(const char *value, size_t length, const char **end,
                                 cJSON_bool require_null_terminated);
void cJSON_Delete(cJSON *item);

int cJSON_GetArraySize(const cJSON *array);
/* The first member of `object` named exactly `name`, or NULL. */
cJSON *cJSON_GetObjectItemCaseSensitive(const cJSON *object, const char *name);

/* Each is false for NULL. */
cJSON_bool cJSON_IsArray(const cJSON *item);
cJSON_bool cJSON_IsObject(const cJSON *item);
cJSON_bool cJSON_IsNumber(const cJSON *item);
cJSON_bool cJSON_IsString(const cJSON *item);
cJSON_bool cJSON_IsBool(const cJSON *item);
cJSON_bool cJSON_IsNull(const cJSON *item);

#endif
