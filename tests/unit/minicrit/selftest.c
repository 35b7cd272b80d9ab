/* minicrit's own test: tests that pass, fail, skip and crash on purpose,
 * run by check_selftest.py, which checks what the runner printed and its
 * exit status (tests/meson.build: the test "minicrit-selftest"). */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <signal.h>

Test(pass, every_assertion_holds)
{
    int x = 5;
    const char s[] = "abc";
    const unsigned char a[3] = { 1, 2, 3 }, b[3] = { 1, 2, 3 }, c[3] = { 1, 2, 4 };
    cr_assert(x == 5);
    cr_assert(x == 5, "with a message %d", x);
    cr_assert_not(x == 4);
    cr_assert_eq(x, 5);
    cr_assert_neq(x, 4);
    cr_assert_lt(x, 6);
    cr_assert_leq(x, 5);
    cr_assert_gt(x, 4);
    cr_assert_geq(x, 5);
    cr_assert_null(NULL);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, "abc");
    cr_assert_str_neq(s, "abd");
    cr_assert_arr_eq(a, b, sizeof a);
    cr_assert_arr_neq(a, c, sizeof a);
    cr_expect(x == 5);
    cr_expect_eq(x, 5, "x %d", x);
    cr_expect_neq(x, 4);
    cr_expect_lt(x, 6);
    cr_expect_leq(x, 5);
    cr_expect_gt(x, 4);
    cr_expect_geq(x, 5);
    cr_expect_null(NULL);
    cr_expect_not_null(s);
    cr_expect_str_eq(s, "abc");
    cr_expect_arr_eq(a, b, sizeof a);
    cr_log_info("info is shown only with --verbose");
}

Test(pass, each_test_counts_once) {}

Test(fail, assert_ends_the_test)
{
    cr_assert_eq(1 + 1, 3, "one and one make %d", 1 + 1);
    cr_log_error("selftest: NOT REACHED after a failed cr_assert");
}

Test(fail, expect_goes_on)
{
    cr_expect(1 > 2);
    cr_log_error("selftest: reached after a failed cr_expect");
}

Test(fail, str_eq_shows_both)
{
    cr_assert_str_eq("left side", "right side");
}

Test(fail, arr_eq)
{
    const unsigned char a[2] = { 1, 2 }, b[2] = { 1, 3 };
    cr_assert_arr_eq(a, b, sizeof a, "arrays %s", "differ");
}

Test(fail, not_null)
{
    cr_assert_not_null(NULL);
}

Test(fail, assert_fail)
{
    cr_assert_fail("multi\nline");
}

/* A suite's .init and .fini run around each of its tests, a test's own
 * inside them, and the .fini functions run after a failed cr_assert too. */
static int suite_ready, test_ready;

static void suite_init(void) { suite_ready = 1; }
static void suite_fini(void)
{
    cr_log_warn("selftest: suite fini (suite_ready %d)", suite_ready);
    suite_ready = 0;
}
static void test_init(void) { test_ready = suite_ready + 1; }
static void test_fini(void) { cr_log_warn("selftest: test fini (suite_ready %d)", suite_ready); }

TestSuite(fixture, .init = suite_init, .fini = suite_fini);

Test(fixture, init_ran)
{
    cr_assert_eq(suite_ready, 1);
}

Test(fixture, test_init_after_suite_init, .init = test_init, .fini = test_fini)
{
    cr_assert_eq(test_ready, 2);
}

Test(fixture, fini_after_a_failure, .fini = test_fini)
{
    cr_assert(suite_ready == 0, "fails on purpose");
}

Test(skip, skipped)
{
    cr_skip_test("skipped on purpose (%d)", 7);
    cr_log_error("selftest: NOT REACHED after cr_skip_test");
}

Test(skip, without_a_reason)
{
    cr_skip_test();
}

/* Last in the order ("zcrash"): a crash ends the run. */
Test(zcrash, crashes)
{
    raise(SIGSEGV);
}

Test(zcrash, never_runs) {}
