/* minicrit's runner: main() of pcvm-unit where Criterion is not available
 * (see criterion/criterion.h for what the tests can use).
 *
 * Runs every registered test in this process, one after the other, in
 * Criterion's order (suites by name, tests by name within a suite).  For
 * each test: the suite's .init, the test's .init, the test, the test's
 * .fini, the suite's .fini; a failing cr_assert (or cr_skip_test) leaves
 * the step it is in through longjmp and the .fini functions still run.
 *
 * Output follows Criterion's: failures as "[----] file:line: Assertion
 * Failed" and the message, "[FAIL] suite::name", "[SKIP] suite::name: why",
 * the last line "[====] Synthesis: Tested: N | Passing: N | Failing: N |
 * Crashing: N" (a skipped test is not "Tested"), and --list prints Criterion's
 * tree ("suite: N tests" then "├── name" ... "└── name").  Exit status 0
 * only when no test failed or crashed.
 *
 * No fork (there is none on Windows): a test that crashes (SIGSEGV,
 * SIGILL, SIGFPE, SIGABRT) ends the whole run; the handler names the test,
 * prints the Synthesis line with "Crashing: 1" and exits with status 2.
 * A .timeout cannot stop a test here: a test that took longer than its
 * timeout is reported as failed after it returns. */
#include <criterion/criterion.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct mc_test *tests;
static struct mc_suite *suites;

void mc_register_test(struct mc_test *t)
{
    t->next = tests;
    tests = t;
}

void mc_register_suite(struct mc_suite *s)
{
    s->next = suites;
    suites = s;
}

/* The test being run and what happened to it. */
static const struct mc_test *current;
static int current_failed, current_skipped;
static jmp_buf current_jump;
static int verbose;
static unsigned n_tested, n_passing, n_failing;

/* Prints `text` with "[----]   " before each of its lines. */
static void print_indented(const char *text)
{
    for (;;) {
        const char *nl = strchr(text, '\n');
        int len = nl ? (int)(nl - text) : (int)strlen(text);
        fprintf(stderr, "[----]   %.*s\n", len, text);
        if (!nl)
            break;
        text = nl + 1;
    }
}

/* The caller's message (its format comes after one " ") or, if it gave
 * none, `dflt`. */
static void print_message(const char *dflt, const char *fmt, va_list ap)
{
    char buf[4096];
    vsnprintf(buf, sizeof buf, fmt + 1, ap);
    fprintf(stderr, "[----]   \n");
    print_indented(buf[0] ? buf : dflt);
}

static void fail_header(const char *file, int line)
{
    current_failed = 1;
    fprintf(stderr, "[----] %s:%d: Assertion Failed\n", file, line);
}

void mc_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
    va_list ap;
    fail_header(file, line);
    va_start(ap, fmt);
    print_message(expr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "[----]   \n");
}

void mc_fail_str(const char *file, int line, const char *expr, const char *a, const char *b,
                 const char *fmt, ...)
{
    va_list ap;
    fail_header(file, line);
    va_start(ap, fmt);
    print_message(expr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "[----]   left:  %s%s%s\n", a ? "\"" : "", a ? a : "(null)", a ? "\"" : "");
    fprintf(stderr, "[----]   right: %s%s%s\n", b ? "\"" : "", b ? b : "(null)", b ? "\"" : "");
    fprintf(stderr, "[----]   \n");
}

int mc_str_equal(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

_Noreturn void mc_abort_test(void)
{
    if (!current) {
        fprintf(stderr, "[----] minicrit: an assertion failed outside any test\n");
        exit(1);
    }
    longjmp(current_jump, 1);
}

_Noreturn void mc_skip(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt + 1, ap);
    va_end(ap);
    if (current) {
        current_skipped = 1;
        fprintf(stderr, "[SKIP] %s::%s: %s\n", current->suite, current->name,
                buf[0] ? buf : "Test was skipped");
    }
    mc_abort_test();
}

void mc_log(enum mc_level level, const char *fmt, ...)
{
    static const char *const tag[] = { "[----]", "[WARN]", "[ERR ]" };
    if (level == MC_INFO && !verbose)
        return;         /* as Criterion: info only with --verbose */
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s\n", tag[level], buf);
}

static void synthesis(unsigned crashing)
{
    fprintf(stderr, "[====] Synthesis: Tested: %u | Passing: %u | Failing: %u | Crashing: %u\n",
            n_tested, n_passing, n_failing, crashing);
}

/* A crash ends the process: name the test, count it, stop.  (stdio in a
 * signal handler: the process is lost anyway, and this is only output.) */
static void on_crash(int sig)
{
    const char *name = sig == SIGSEGV ? "SIGSEGV" : sig == SIGILL ? "SIGILL"
                     : sig == SIGFPE ? "SIGFPE" : "SIGABRT";
    if (current) {
        fprintf(stderr, "[----] %s:%d: Unexpected signal (%s) caught in this test: the run "
                "ends here (minicrit runs the tests in one process)\n", current->file,
                current->line, name);
        fprintf(stderr, "[FAIL] %s::%s: CRASH!\n", current->suite, current->name);
    } else {
        fprintf(stderr, "[----] minicrit: unexpected signal (%s) outside any test\n", name);
    }
    n_tested++;
    n_failing++;
    synthesis(1);
    fflush(stderr);
    _Exit(2);
}

/* Runs one step of a test; 1 if it was left through mc_abort_test. */
static int guarded(void (*step)(void))
{
    if (!step)
        return 0;
    if (setjmp(current_jump))
        return 1;
    step();
    return 0;
}

static const struct mc_options *suite_options(const char *name)
{
    static const struct mc_options none;
    for (const struct mc_suite *s = suites; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return &s->opt;
    return &none;
}

static void run_test(const struct mc_test *t)
{
    const struct mc_options *so = suite_options(t->suite);
    current = t;
    current_failed = current_skipped = 0;
    if (verbose)
        fprintf(stderr, "[RUN ] %s::%s\n", t->suite, t->name);
    if (t->opt.disabled || so->disabled) {
        fprintf(stderr, "[SKIP] %s::%s: test is disabled\n", t->suite, t->name);
        current = NULL;
        return;
    }
    time_t start = time(NULL);
    clock_t cpu = clock();
    if (!guarded(so->init) && !guarded(t->opt.init))
        guarded(t->fn);
    guarded(t->opt.fini);
    guarded(so->fini);
    double secs = (double)(clock() - cpu) / CLOCKS_PER_SEC;
    double timeout = t->opt.timeout > 0 ? t->opt.timeout : so->timeout;
    double wall = difftime(time(NULL), start);
    if (timeout > 0 && wall > timeout + 1) {
        fprintf(stderr, "[----] %s::%s ran %.0f s, over its timeout of %.0f s (minicrit "
                "cannot stop a test: it reports this after the test returned)\n",
                t->suite, t->name, wall, timeout);
        current_failed = 1;
    }
    if (current_skipped && !current_failed) {
        current = NULL;
        return;         /* not "Tested", as in Criterion */
    }
    n_tested++;
    if (current_failed) {
        n_failing++;
        fprintf(stderr, "[FAIL] %s::%s: (%.2fs)\n", t->suite, t->name, secs);
    } else {
        n_passing++;
        if (verbose)
            fprintf(stderr, "[PASS] %s::%s: (%.2fs)\n", t->suite, t->name, secs);
    }
    current = NULL;
}

static int by_name(const void *a, const void *b)
{
    const struct mc_test *x = *(const struct mc_test *const *)a;
    const struct mc_test *y = *(const struct mc_test *const *)b;
    int c = strcmp(x->suite, y->suite);
    return c ? c : strcmp(x->name, y->name);
}

/* Glob match with * and ? (the --filter pattern, against "suite/name"). */
static int glob(const char *p, const char *s)
{
    for (; *p; p++, s++) {
        if (*p == '*') {
            for (;; s++) {
                if (glob(p + 1, s))
                    return 1;
                if (!*s)
                    return 0;
            }
        }
        if (!*s || (*p != '?' && *p != *s))
            return 0;
    }
    return !*s;
}

static int matches(const char *filter, const struct mc_test *t)
{
    if (!filter)
        return 1;
    char full[512];
    snprintf(full, sizeof full, "%s/%s", t->suite, t->name);
    return glob(filter, full);
}

static void list(struct mc_test **v, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(v[j]->suite, v[i]->suite) == 0)
            j++;
        printf("%s: %zu test%s\n", v[i]->suite, j - i, j - i == 1 ? "" : "s");
        for (size_t k = i; k < j; k++)
            printf("%s %s\n", k + 1 == j ? "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80"
                                         : "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80", v[k]->name);
        i = j;
    }
}

static void usage(const char *prog)
{
    printf("usage: %s [--list] [--filter PATTERN] [--verbose] [--jobs N]\n"
           "pcvm's unit tests, run by minicrit (pcvm's stand-in for Criterion, which this\n"
           "build does not have): every test in this process, one after the other.\n"
           "  -l, --list          print the tests\n"
           "  --filter PATTERN    only the tests whose suite/name matches (* and ?)\n"
           "  --verbose[=N]       name each test as it runs, show cr_log_info\n"
           "  -jN, --jobs N       accepted for Criterion's sake, ignored\n", prog);
}

int main(int argc, char **argv)
{
    int want_list = 0;
    const char *filter = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-l") == 0 || strcmp(a, "--list") == 0) {
            want_list = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(argv[0]);
            return 0;
        } else if (strcmp(a, "--verbose") == 0 || strncmp(a, "--verbose=", 10) == 0) {
            verbose = 1;
        } else if ((strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0 ||
                    strcmp(a, "--filter") == 0) && i + 1 < argc) {
            if (a[2] == 'f')
                filter = argv[i + 1];
            i++;
        } else if (strncmp(a, "--filter=", 9) == 0) {
            filter = a + 9;
        } else if (strncmp(a, "--jobs=", 7) == 0 || (strncmp(a, "-j", 2) == 0 && a[2])) {
            /* one job: the tests run in this process */
        } else {
            fprintf(stderr, "%s: unknown option '%s' (see --help)\n", argv[0], a);
            return 1;
        }
    }

    size_t n = 0;
    for (const struct mc_test *t = tests; t; t = t->next)
        n++;
    struct mc_test **v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        return 1;
    }
    size_t k = 0;
    for (struct mc_test *t = tests; t; t = t->next)
        if (matches(filter, t))
            v[k++] = t;
    n = k;
    qsort(v, n, sizeof *v, by_name);
    for (size_t i = 1; i < n; i++) {
        if (by_name(&v[i - 1], &v[i]) == 0) {
            fprintf(stderr, "%s: test %s::%s is defined twice (%s:%d, %s:%d)\n", argv[0],
                    v[i]->suite, v[i]->name, v[i - 1]->file, v[i - 1]->line, v[i]->file,
                    v[i]->line);
            return 1;
        }
    }
    if (want_list) {
        list(v, n);
        free(v);
        return 0;
    }

    fprintf(stderr, "[----] minicrit (pcvm's stand-in for Criterion): %zu tests, run one after "
            "the other in this process\n", n);
    signal(SIGSEGV, on_crash);
    signal(SIGILL, on_crash);
    signal(SIGFPE, on_crash);
    signal(SIGABRT, on_crash);
    for (size_t i = 0; i < n; i++)
        run_test(v[i]);
    synthesis(0);
    free(v);
    return n_failing ? 1 : 0;
}
