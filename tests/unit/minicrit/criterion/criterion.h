/* minicrit: pcvm's own small stand-in for the Criterion test framework,
 * built only where the Criterion package is not available (the Windows
 * cross build, see tests/meson.build).  It offers the part of Criterion's
 * documented API that tests/unit uses, with the same meaning:
 *
 *   Test(suite, name, .init = f, .fini = g, .timeout = seconds) { ... }
 *   TestSuite(suite, .init = f, .fini = g);
 *   cr_assert*(..., [format, args...])  a failure ends the test
 *   cr_expect*(..., [format, args...])  a failure marks it failed, goes on
 *   cr_skip_test([format, args...]), cr_log_info/warn/error(format, ...)
 *
 * Tests register themselves before main (GCC constructor functions) and
 * run one after the other in this process (tests/unit/minicrit/runner.c);
 * there is no fork, so a test that crashes ends the whole run.  The message
 * of an assertion must start with a string literal, as in Criterion. */
#ifndef PCVM_MINICRIT_CRITERION_H
#define PCVM_MINICRIT_CRITERION_H

#include <stddef.h>
#include <string.h>

#if defined(__MINGW32__)
#define MC_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define MC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

/* The options of Test() and TestSuite() (designated initialisers). */
struct mc_options {
    int mc_unused_;                 /* keeps "{ mc_unused_ = 0, }" valid */
    void (*init)(void);
    void (*fini)(void);
    double timeout;                 /* seconds; 0: none */
    int disabled;
    const char *description;
};

struct mc_test {
    const char *suite, *name, *file;
    int line;
    void (*fn)(void);
    struct mc_options opt;
    struct mc_test *next;           /* the runner's list */
};

struct mc_suite {
    const char *name;
    struct mc_options opt;
    struct mc_suite *next;
};

void mc_register_test(struct mc_test *t);
void mc_register_suite(struct mc_suite *s);

/* An assertion failed: marks the test failed and prints "file:line:
 * Assertion Failed" and the message (`fmt` is " " followed by the caller's
 * format; with no format, `expr`); mc_fail_str also shows the two strings
 * (NULL as "(null)").  A cr_assert then calls mc_abort_test, which ends the
 * test (longjmp to the runner: the suite's and test's .fini still run). */
void mc_fail(const char *file, int line, const char *expr, const char *fmt, ...) MC_PRINTF(4, 5);
void mc_fail_str(const char *file, int line, const char *expr, const char *a, const char *b,
                 const char *fmt, ...) MC_PRINTF(6, 7);
_Noreturn void mc_abort_test(void);
_Noreturn void mc_skip(const char *fmt, ...) MC_PRINTF(1, 2);
/* strcmp(a, b) == 0, with a NULL string equal to nothing. */
int mc_str_equal(const char *a, const char *b);

enum mc_level { MC_INFO, MC_WARN, MC_ERROR };
void mc_log(enum mc_level level, const char *fmt, ...) MC_PRINTF(2, 3);

#define MC_CAT_(a, b) a##b
#define MC_ID_(what, suite, name) MC_CAT_(mc_##what##_##suite, _##name)

#define Test(suite, name, ...)                                                          \
    static void MC_ID_(fn, suite, name)(void);                                          \
    static struct mc_test MC_ID_(test, suite, name) = {                                 \
        #suite, #name, __FILE__, __LINE__, MC_ID_(fn, suite, name),                     \
        { .mc_unused_ = 0, __VA_ARGS__ }, NULL };                                       \
    __attribute__((constructor)) static void MC_ID_(reg, suite, name)(void)             \
    {                                                                                   \
        mc_register_test(&MC_ID_(test, suite, name));                                   \
    }                                                                                   \
    static void MC_ID_(fn, suite, name)(void)

#define TestSuite(suite, ...)                                                           \
    static struct mc_suite MC_CAT_(mc_suite_, suite) = {                                \
        #suite, { .mc_unused_ = 0, __VA_ARGS__ }, NULL };                               \
    __attribute__((constructor)) static void MC_CAT_(mc_suitereg_, suite)(void)         \
    {                                                                                   \
        mc_register_suite(&MC_CAT_(mc_suite_, suite));                                  \
    }                                                                                   \
    struct mc_suite_semicolon_

/* ---- assertions: cr_assert_X ends the test, cr_expect_X goes on ---- */

#define MC_CHECK_(fatal, cond, expr, ...)                                               \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            mc_fail(__FILE__, __LINE__, expr, " " __VA_ARGS__);                         \
            if (fatal)                                                                  \
                mc_abort_test();                                                        \
        }                                                                               \
    } while (0)

#define MC_OP_(fatal, op, a, b, ...)                                                    \
    MC_CHECK_(fatal, (a)op(b), "The expression (" #a ") " #op " (" #b ") is false.",    \
              __VA_ARGS__)

#define MC_STR_(fatal, want, op, a, b, ...)                                             \
    do {                                                                                \
        const char *mc_a_ = (a), *mc_b_ = (b);                                          \
        if (mc_str_equal(mc_a_, mc_b_) != (want)) {                                     \
            mc_fail_str(__FILE__, __LINE__,                                             \
                        "The expression (as strings) (" #a ") " op " (" #b ") is false.", \
                        mc_a_, mc_b_, " " __VA_ARGS__);                                 \
            if (fatal)                                                                  \
                mc_abort_test();                                                        \
        }                                                                               \
    } while (0)

#define cr_assert(cond, ...) MC_CHECK_(1, cond, "The expression " #cond " is false.", __VA_ARGS__)
#define cr_expect(cond, ...) MC_CHECK_(0, cond, "The expression " #cond " is false.", __VA_ARGS__)
#define cr_assert_not(cond, ...) MC_CHECK_(1, !(cond), "The expression !(" #cond ") is false.", __VA_ARGS__)
#define cr_expect_not(cond, ...) MC_CHECK_(0, !(cond), "The expression !(" #cond ") is false.", __VA_ARGS__)
#define cr_assert_fail(...) MC_CHECK_(1, 0, "The conditions for this assertion were not met.", __VA_ARGS__)
#define cr_expect_fail(...) MC_CHECK_(0, 0, "The conditions for this assertion were not met.", __VA_ARGS__)

#define cr_assert_eq(a, b, ...) MC_OP_(1, ==, a, b, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) MC_OP_(1, !=, a, b, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) MC_OP_(1, <, a, b, __VA_ARGS__)
#define cr_assert_leq(a, b, ...) MC_OP_(1, <=, a, b, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) MC_OP_(1, >, a, b, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) MC_OP_(1, >=, a, b, __VA_ARGS__)
#define cr_expect_eq(a, b, ...) MC_OP_(0, ==, a, b, __VA_ARGS__)
#define cr_expect_neq(a, b, ...) MC_OP_(0, !=, a, b, __VA_ARGS__)
#define cr_expect_lt(a, b, ...) MC_OP_(0, <, a, b, __VA_ARGS__)
#define cr_expect_leq(a, b, ...) MC_OP_(0, <=, a, b, __VA_ARGS__)
#define cr_expect_gt(a, b, ...) MC_OP_(0, >, a, b, __VA_ARGS__)
#define cr_expect_geq(a, b, ...) MC_OP_(0, >=, a, b, __VA_ARGS__)

#define cr_assert_null(p, ...) MC_CHECK_(1, (p) == NULL, "The expression (" #p ") == NULL is false.", __VA_ARGS__)
#define cr_assert_not_null(p, ...) MC_CHECK_(1, (p) != NULL, "The expression (" #p ") != NULL is false.", __VA_ARGS__)
#define cr_expect_null(p, ...) MC_CHECK_(0, (p) == NULL, "The expression (" #p ") == NULL is false.", __VA_ARGS__)
#define cr_expect_not_null(p, ...) MC_CHECK_(0, (p) != NULL, "The expression (" #p ") != NULL is false.", __VA_ARGS__)

#define cr_assert_str_eq(a, b, ...) MC_STR_(1, 1, "==", a, b, __VA_ARGS__)
#define cr_assert_str_neq(a, b, ...) MC_STR_(1, 0, "!=", a, b, __VA_ARGS__)
#define cr_expect_str_eq(a, b, ...) MC_STR_(0, 1, "==", a, b, __VA_ARGS__)
#define cr_expect_str_neq(a, b, ...) MC_STR_(0, 0, "!=", a, b, __VA_ARGS__)

#define MC_ARR_(fatal, op, a, b, n, ...)                                                \
    MC_CHECK_(fatal, memcmp((a), (b), (n)) op 0,                                        \
              "The expression memcmp(" #a ", " #b ", " #n ") " #op " 0 is false.", __VA_ARGS__)
#define cr_assert_arr_eq(a, b, n, ...) MC_ARR_(1, ==, a, b, n, __VA_ARGS__)
#define cr_assert_arr_neq(a, b, n, ...) MC_ARR_(1, !=, a, b, n, __VA_ARGS__)
#define cr_expect_arr_eq(a, b, n, ...) MC_ARR_(0, ==, a, b, n, __VA_ARGS__)
#define cr_expect_arr_neq(a, b, n, ...) MC_ARR_(0, !=, a, b, n, __VA_ARGS__)

#define cr_skip_test(...) mc_skip(" " __VA_ARGS__)

#define cr_log_info(...) mc_log(MC_INFO, __VA_ARGS__)
#define cr_log_warn(...) mc_log(MC_WARN, __VA_ARGS__)
#define cr_log_error(...) mc_log(MC_ERROR, __VA_ARGS__)

#endif
