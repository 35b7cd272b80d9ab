/* Tests of pcvm-sst itself: bad input never crashes it, exit statuses,
 * --min-pass, --dir, metadata flags masks.  The files are made here, in
 * a fresh temporary directory per test; the binary comes from
 * $PCVM_SST_BIN (set by meson).  POSIX host code (popen, mkdtemp). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

static char dir[64];
static char out[16384];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/pcvm-sst-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
}

static void clean_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", dir);
}

static const char *path_of(const char *name)
{
    static char p[4][160];
    static int k;
    k = (k + 1) & 3;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static void write_plain(const char *name, const void *data, size_t n)
{
    FILE *f = fopen(path_of(name), "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void write_text(const char *name, const char *text)
{
    write_plain(name, text, strlen(text));
}

static void write_gz(const char *name, const char *text)
{
    gzFile f = gzopen(path_of(name), "wb");
    cr_assert_not_null(f);
    cr_assert_eq(gzwrite(f, text, (unsigned)strlen(text)), (int)strlen(text));
    cr_assert_eq(gzclose(f), Z_OK);
}

/* Runs pcvm-sst with `args` (already quoted as needed); returns its exit
 * status with the combined output in `out`. */
static int run(const char *fmt, ...)
{
    const char *bin = getenv("PCVM_SST_BIN");
    cr_assert_not_null(bin, "PCVM_SST_BIN is not set");
    char args[1024], cmd[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", bin, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    int st = pclose(p);
    cr_assert(WIFEXITED(st), "pcvm-sst did not exit normally (crash?): %s\n%s", args, out);
    return WEXITSTATUS(st);
}

/* The last line of the output. */
static const char *last_line(void)
{
    size_t n = strlen(out);
    while (n && out[n - 1] == '\n')
        out[--n] = 0;
    const char *s = strrchr(out, '\n');
    return s ? s + 1 : out;
}

/* NOP at F000:0100 on the 8086: IP advances by one, nothing else. */
#define NOP_INITIAL \
    "\"initial\": {\"regs\": {\"ax\": 1, \"bx\": 2, \"cx\": 3, \"dx\": 4, \"cs\": 61440, " \
    "\"ss\": 0, \"ds\": 0, \"es\": 0, \"sp\": 256, \"bp\": 0, \"si\": 0, \"di\": 0, " \
    "\"ip\": 256, \"flags\": 61442}, \"ram\": [[983296, 144]], \"queue\": []}"
static const char nop_pass[] =
    "[\n{\"name\": \"nop\", \"bytes\": [144], " NOP_INITIAL ", "
    "\"final\": {\"regs\": {\"ip\": 257}, \"ram\": [[983296, 144]], \"queue\": []}}\n]\n";
/* Same, but expects a flags value NOP never produces. */
static const char nop_badflags[] =
    "[\n{\"name\": \"nop\", \"bytes\": [144], " NOP_INITIAL ", "
    "\"final\": {\"regs\": {\"ip\": 257, \"flags\": 61443}, \"ram\": [], \"queue\": []}}\n]\n";

TestSuite(sst_cli, .init = make_dir, .fini = clean_dir);

Test(sst_cli, missing_file)
{
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("nothere.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "pcvm-sst: ") && strstr(out, "nothere.json.gz: "), "%s", out);
    cr_assert_str_eq(last_line(), "0 passed, 0 failed");
}

Test(sst_cli, truncated_gzip)
{
    /* A valid gzip stream cut in the middle. */
    write_gz("t.json.gz", nop_pass);
    FILE *f = fopen(path_of("t.json.gz"), "rb");
    cr_assert_not_null(f);
    unsigned char buf[4096];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    cr_assert_gt(len, 40u);
    write_plain("cut.json.gz", buf, len / 2);
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("cut.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "cut.json.gz: truncated gzip data"), "%s", out);
    /* only the 8-byte trailer missing */
    write_plain("cut2.json.gz", buf, len - 8);
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("cut2.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "cut2.json.gz: truncated gzip data"), "%s", out);
}

Test(sst_cli, corrupt_gzip)
{
    write_gz("ok.json.gz", nop_pass);
    FILE *f = fopen(path_of("ok.json.gz"), "rb");
    cr_assert_not_null(f);
    unsigned char buf[4096];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    for (size_t k = 12; k < len - 8; k += 3)
        buf[k] ^= 0x5A;
    write_plain("bad.json.gz", buf, len);
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("bad.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "bad.json.gz: "), "%s", out);
}

Test(sst_cli, not_json)
{
    write_gz("a.json.gz", "this is not JSON\n");
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("a.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "a.json.gz: not valid JSON"), "%s", out);
    static const unsigned char junk[] = { 0x00, 0xFF, 0x13, 0x37, 0x80, 0x7F };
    write_plain("b.json.gz", junk, sizeof junk);
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("b.json.gz")), 2, "%s", out);
    write_text("c.json.gz", "");
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("c.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "c.json.gz: "), "%s", out);
}

Test(sst_cli, not_an_array_of_tests)
{
    write_gz("obj.json.gz", "{\"name\": \"x\"}");
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("obj.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "obj.json.gz: not a JSON array"), "%s", out);
    write_gz("nums.json.gz", "[1, 2, 3]");
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("nums.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "nums.json.gz: test 0: "), "%s", out);
    write_gz("none.json.gz", "[]");
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("none.json.gz")), 2, "%s", out);
}

Test(sst_cli, test_missing_fields)
{
    write_gz("m1.json.gz", "[{\"name\": \"x\", \"bytes\": [144]}]");
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("m1.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "m1.json.gz: test 0: \"initial\" missing"), "%s", out);
    /* initial.regs without "flags" */
    write_gz("m2.json.gz",
             "[{\"name\": \"x\", \"bytes\": [144], \"initial\": {\"regs\": {\"ax\": 1}, \"ram\": []},"
             " \"final\": {\"regs\": {}, \"ram\": []}}]");
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("m2.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "m2.json.gz: test 0: register bx missing"), "%s", out);
    /* a ram entry that is not [address, byte] */
    char text[2048];
    snprintf(text, sizeof text, "%s", nop_pass);
    char *p = strstr(text, "[[983296, 144]]");
    cr_assert_not_null(p);
    memcpy(p, "[[983296, 999]]", 15);
    write_gz("m3.json.gz", text);
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("m3.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "m3.json.gz: test 0: \"ram\" entry"), "%s", out);
}

Test(sst_cli, bad_file_does_not_stop_the_others)
{
    write_gz("a.json.gz", "[");
    write_gz("b.json.gz", nop_pass);
    write_text("metadata.json", "{\"opcodes\": {}}");
    cr_assert_eq(run("-cpu 8086 '%s' '%s'", path_of("a.json.gz"), path_of("b.json.gz")), 2,
                 "%s", out);
    cr_assert(strstr(out, "b.json.gz: 1/1"), "%s", out);
    cr_assert_str_eq(last_line(), "1 passed, 0 failed");
}

Test(sst_cli, usage_errors)
{
    cr_assert_eq(run(""), 2, "%s", out);
    cr_assert_eq(run("--no-such-option x"), 2, "%s", out);
    cr_assert_eq(run("-cpu z80 x.json.gz"), 2, "%s", out);
    cr_assert(strstr(out, "unknown CPU model 'z80'") && strstr(out, "8086") &&
              strstr(out, "80286"), "%s", out);
    cr_assert_eq(run("--min-pass lots x.json.gz"), 2, "%s", out);
    /* no model given and none in the path */
    write_gz("n.json.gz", nop_pass);
    cr_assert_eq(run("'%s'", path_of("n.json.gz")), 2, "%s", out);
    cr_assert(strstr(out, "-cpu MODEL"), "%s", out);
    cr_assert_eq(run("--help"), 0, "%s", out);
}

Test(sst_cli, pass_fail_and_min_pass)
{
    write_text("metadata.json", "{\"opcodes\": {}}");
    write_gz("p.json.gz", nop_pass);
    write_gz("f.json.gz", nop_badflags);
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("p.json.gz")), 0, "%s", out);
    cr_assert_str_eq(last_line(), "1 passed, 0 failed");

    cr_assert_eq(run("-cpu 8086 '%s'", path_of("f.json.gz")), 1, "%s", out);
    cr_assert(strstr(out, "f.json.gz: 0/1"), "%s", out);
    cr_assert(strstr(out, "flags: expected F003 got F002"), "%s", out);
    cr_assert_str_eq(last_line(), "0 passed, 1 failed");

    const char *both = "'%s' '%s'";
    char args[512];
    snprintf(args, sizeof args, both, path_of("p.json.gz"), path_of("f.json.gz"));
    cr_assert_eq(run("-cpu 8086 --min-pass 50 %s", args), 0, "%s", out);
    cr_assert_str_eq(last_line(), "1 passed, 1 failed");
    cr_assert_eq(run("-cpu 8086 --min-pass 99.5 %s", args), 1, "%s", out);
}

Test(sst_cli, metadata_flags_mask)
{
    /* With CF declared undefined for opcode 90, the wrong CF passes. */
    write_text("metadata.json", "{\"opcodes\": {\"90\": {\"status\": \"normal\", "
               "\"flags\": \".......c\", \"flags-mask\": 65534}}}");
    write_gz("90.json.gz", nop_badflags);
    cr_assert_eq(run("-cpu 8086 '%s'", path_of("90.json.gz")), 0, "%s", out);
    cr_assert_str_eq(last_line(), "1 passed, 0 failed");
}

Test(sst_cli, dir_mode)
{
    cr_assert_eq(run("--dir '%s'", path_of("absent")), 77, "%s", out);
    cr_assert(strstr(out, "SingleStepTests data not found at "), "%s", out);

    /* A set directory named 8086: the model comes from the path. */
    char sub[160];
    snprintf(sub, sizeof sub, "%s", path_of("8086"));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "mkdir '%s'", sub);
    cr_assert_eq(system(cmd), 0);
    write_text("8086/metadata.json", "{\"opcodes\": {}}");
    write_gz("8086/B.json.gz", nop_pass);
    write_gz("8086/A.json.gz", nop_pass);
    write_text("8086/notes.txt", "x");
    cr_assert_eq(run("--dir '%s'", sub), 0, "%s", out);
    const char *a = strstr(out, "A.json.gz: 1/1"), *b = strstr(out, "B.json.gz: 1/1");
    cr_assert(a && b && a < b, "files not run in name order:\n%s", out);
    cr_assert_str_eq(last_line(), "2 passed, 0 failed");

    /* --set looks under $PCVM_SST_DIR */
    snprintf(cmd, sizeof cmd, "PCVM_SST_DIR='%s' '%s' --set 8086 >/dev/null 2>&1", dir,
             getenv("PCVM_SST_BIN"));
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "--set with PCVM_SST_DIR");
    snprintf(cmd, sizeof cmd, "PCVM_SST_DIR='%s' '%s' --set 80286 >/dev/null 2>&1", dir,
             getenv("PCVM_SST_BIN"));
    st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 77, "--set of a missing set skips");
}
