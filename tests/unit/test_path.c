/*
 * test_path.c - Windows <-> POSIX path mapping (WinFsp's U+F0xx scheme),
 * name and path validation, splitting and iteration.
 */
#include "wf_test.h"

#include <string.h>

#include "engine/path.h"
#include "engine/utf.h"

#define U16(s) ((const WCHAR *)(u##s))
#define U16LEN(s) (sizeof(u##s) / 2 - 1)

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s;
}

static uint32_t rng_below(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32) % n;
}

/* The characters WinFsp moves to U+F000 + c, listed by hand. */
static const char forbidden[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D\x0E\x0F"
    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F" "\"*:<>?\\|";

static bool is_forbidden(unsigned c)
{
    return c != 0 && c < 0x80 && strchr(forbidden, (int)c) != NULL;
}

/* ---- Windows -> POSIX ---- */

static void check_w2p(const WCHAR *w, size_t wlen, const char *expect, size_t elen)
{
    char out[64];
    size_t n = 999;
    assert_int_equal(wf_path_windows_to_posix(w, wlen, out, sizeof out, &n), STATUS_SUCCESS);
    assert_int_equal(n, elen);
    assert_memory_equal(out, expect, elen);
}

static void test_windows_to_posix(void **state)
{
    (void)state;
    check_w2p(U16("\\a\\b"), 4, "/a/b", 4);
    check_w2p(U16("\\"), 1, "/", 1);
    check_w2p(U16(""), 0, "", 0);
    check_w2p(U16("\\caf\u00e9\\\U0001F600"), 8, "/caf\xC3\xA9/\xF0\x9F\x98\x80", 11);
    /* The images of the forbidden characters come back as ASCII. */
    check_w2p(U16("\\a\uF02Ab\uF03F\uF03A\uF03C\uF03E\uF022\uF07C\uF05C\uF001\uF01F"), 13,
        "/a*b?:<>\"|\\\x01\x1F", 13);
    /* Other U+F0xx stay what they are. */
    check_w2p(U16("\uF000"), 1, "\xEF\x80\x80", 3);
    check_w2p(U16("\uF041"), 1, "\xEF\x81\x81", 3);
    check_w2p(U16("\uF02F"), 1, "\xEF\x80\xAF", 3); /* '/' is not an image */
    check_w2p(U16("\uF07F"), 1, "\xEF\x81\xBF", 3);
    check_w2p(U16("\uF080"), 1, "\xEF\x82\x80", 3);
    check_w2p(U16("\uF02E"), 1, "\xEF\x80\xAE", 3); /* '.' is not an image */
    /* Forbidden characters themselves pass (validation is elsewhere). */
    check_w2p(U16("\\a:s*"), 5, "/a:s*", 5);
}

static void test_windows_to_posix_refused(void **state)
{
    static const WCHAR nul[] = { '\\', 'a', 0, 'b' };
    static const WCHAR lone_hi[] = { 'a', 0xD800 };
    static const WCHAR lone_lo[] = { 0xDC00, 'a' };
    char out[16];
    size_t n = 99;
    (void)state;

    assert_int_equal(wf_path_windows_to_posix(nul, 4, out, 16, &n), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(n, 0);
    assert_int_equal(wf_path_windows_to_posix(U16("\\a/b"), 4, out, 16, &n),
        STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_path_windows_to_posix(lone_hi, 2, out, 16, &n),
        STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_path_windows_to_posix(lone_lo, 2, out, 16, &n),
        STATUS_OBJECT_NAME_INVALID);

    /* A single name has no separators. */
    assert_int_equal(wf_name_windows_to_posix(U16("a\\b"), 3, out, 16, &n),
        STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_windows_to_posix(U16("a/b"), 3, out, 16, &n),
        STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_windows_to_posix(U16("a\uF05Cb"), 3, out, 16, &n), STATUS_SUCCESS);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "a\\b", 3);
}

/* ---- POSIX -> Windows ---- */

static void check_p2w(const char *p, size_t plen, const WCHAR *expect, size_t elen)
{
    WCHAR out[64];
    size_t n = 999;
    assert_int_equal(wf_path_posix_to_windows(p, plen, out, 64, &n), STATUS_SUCCESS);
    assert_int_equal(n, elen);
    assert_memory_equal(out, expect, elen * sizeof(WCHAR));
}

static void test_posix_to_windows(void **state)
{
    WCHAR out[64];
    size_t n, i;
    (void)state;

    check_p2w("/a/b", 4, U16("\\a\\b"), 4);
    check_p2w("/", 1, U16("\\"), 1);
    check_p2w("", 0, U16(""), 0);
    check_p2w("a*b", 3, U16("a\uF02Ab"), 3);
    check_p2w("/x\\y", 4, U16("\\x\uF05Cy"), 4); /* a POSIX '\' is a name character */
    check_p2w("\xF0\x9F\x98\x80", 4, U16("\U0001F600"), 2);
    check_p2w("\xEF\x80\xAA", 3, U16("\uF02A"), 1); /* a literal U+F02A passes */

    /* Every forbidden character, and nothing else in ASCII, moves. */
    for (i = 1; i < 0x80; i++) {
        char c = (char)i;
        if (c == '/')
            continue;
        assert_int_equal(wf_name_posix_to_windows(&c, 1, out, 64, &n), STATUS_SUCCESS);
        assert_int_equal(n, 1);
        assert_int_equal(out[0], is_forbidden((unsigned)i) ? 0xF000 + i : i);
    }
}

static void test_posix_to_windows_refused(void **state)
{
    WCHAR out[16];
    size_t n = 99;
    (void)state;

    assert_int_equal(wf_path_posix_to_windows("/a\0b", 4, out, 16, &n), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(n, 0);
    assert_int_equal(wf_name_posix_to_windows("a/b", 3, out, 16, &n), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_path_posix_to_windows("/a\xFF", 3, out, 16, &n),
        STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_posix_to_windows("\xC0\xAF", 2, out, 16, &n),
        STATUS_OBJECT_NAME_INVALID);

    /* With replacement, invalid UTF-8 becomes U+FFFD, NUL is still refused. */
    assert_int_equal(wf_path_posix_to_windows_ex("/a\xFF*", 4, out, 16, &n, WF_UTF_REPLACE),
        STATUS_SOME_NOT_MAPPED);
    assert_int_equal(n, 4);
    assert_memory_equal(out, U16("\\a\uFFFD\uF02A"), 4 * sizeof(WCHAR));
    assert_int_equal(wf_name_posix_to_windows_ex("\xC0\xAF", 2, out, 16, &n, WF_UTF_REPLACE),
        STATUS_SOME_NOT_MAPPED);
    assert_int_equal(n, 2);
    assert_int_equal(wf_name_posix_to_windows_ex("a\0", 2, out, 16, &n, WF_UTF_REPLACE),
        STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_posix_to_windows_ex("a/", 2, out, 16, &n, WF_UTF_REPLACE),
        STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_posix_to_windows_ex("ok", 2, out, 16, &n, WF_UTF_REPLACE),
        STATUS_SUCCESS);
}

static void test_mapping_buffers(void **state)
{
    WCHAR w[8];
    char p[16];
    size_t n, cap;
    (void)state;

    /* "/é*😀" -> "\é\uF02A😀": 5 WCHARs; back: 1+2+1+4 = 8 bytes. */
    assert_int_equal(wf_path_posix_to_windows("/\xC3\xA9*\xF0\x9F\x98\x80", 8, NULL, 0, &n),
        STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(n, 5);
    for (cap = 0; cap < 5; cap++) {
        w[cap] = 0x7777;
        assert_int_equal(wf_path_posix_to_windows("/\xC3\xA9*\xF0\x9F\x98\x80", 8, w, cap, &n),
            STATUS_BUFFER_TOO_SMALL);
        assert_int_equal(n, 5);
        assert_int_equal(w[cap], 0x7777);
    }
    assert_int_equal(wf_path_posix_to_windows("/\xC3\xA9*\xF0\x9F\x98\x80", 8, w, 5, &n),
        STATUS_SUCCESS);

    assert_int_equal(wf_path_windows_to_posix(w, 5, NULL, 0, &n), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(n, 8);
    for (cap = 0; cap < 8; cap++) {
        memset(p, 0x77, sizeof p);
        assert_int_equal(wf_path_windows_to_posix(w, 5, p, cap, &n), STATUS_BUFFER_TOO_SMALL);
        assert_int_equal(n, 8);
        assert_int_equal((unsigned char)p[cap], 0x77);
    }
    assert_int_equal(wf_path_windows_to_posix(w, 5, p, 8, &n), STATUS_SUCCESS);
    assert_memory_equal(p, "/\xC3\xA9*\xF0\x9F\x98\x80", 8);
}

/* ---- randomized round trips ---- */

/* Append one random character, as UTF-8, that a POSIX name may hold. */
static size_t random_posix_char(char *o)
{
    static const char *const pool[] = { "a", "Z", ".", " ", "-", "~", "*", "?", ":", "<", ">",
        "\"", "|", "\\", "\x01", "\x1F", "\x7F", "\xC3\xA9", "\xCE\xA3", "\xE2\x82\xAC",
        "\xEF\x80\x80" /* U+F000 */, "\xEF\x81\x81" /* U+F041 */, "\xEF\xBF\xBD",
        "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF" };
    const char *s = pool[rng_below(sizeof pool / sizeof pool[0])];
    size_t n = strlen(s);
    memcpy(o, s, n);
    return n;
}

static void test_random_posix_round_trip(void **state)
{
    int r;
    (void)state;

    rng_seed(0x9A7B0001);
    for (r = 0; r < 5000; r++) {
        char p[256], back[256];
        WCHAR w[256];
        size_t plen = 0, nw, nb, k, ncomp = 1 + rng_below(4), c;
        bool single = ncomp == 1 && rng_below(2);

        for (c = 0; c < ncomp; c++) {
            size_t nch = 1 + rng_below(8);
            if (!single)
                p[plen++] = '/';
            for (k = 0; k < nch; k++)
                plen += random_posix_char(p + plen);
        }

        if (single)
            assert_int_equal(wf_name_posix_to_windows(p, plen, w, 256, &nw), STATUS_SUCCESS);
        else
            assert_int_equal(wf_path_posix_to_windows(p, plen, w, 256, &nw), STATUS_SUCCESS);

        /* What comes out is something Windows accepts. */
        if (single) {
            /* A random name may be "." or "..": not a Windows name. */
            bool dots = (plen == 1 && p[0] == '.') || (plen == 2 && p[0] == '.' && p[1] == '.');
            assert_int_equal(wf_name_validate(w, nw, 0, 0),
                dots ? STATUS_OBJECT_NAME_INVALID : STATUS_SUCCESS);
            assert_int_equal(wf_name_windows_to_posix(w, nw, back, 256, &nb), STATUS_SUCCESS);
        } else {
            size_t pos = 0, off, clen;
            while (wf_path_next_component(w, nw, &pos, &off, &clen)) {
                for (k = off; k < off + clen; k++) {
                    assert_true(w[k] >= 0x80 || !is_forbidden(w[k]));
                    assert_true(w[k] != '/');
                }
            }
            assert_int_equal(wf_path_windows_to_posix(w, nw, back, 256, &nb), STATUS_SUCCESS);
        }
        assert_int_equal(nb, plen);
        assert_memory_equal(back, p, plen);
    }
}

static void test_random_windows_round_trip(void **state)
{
    static const WCHAR pool[] = { 'a', 'Z', '.', ' ', '-', 0xE9, 0x3A3, 0x20AC, 0xF000,
        0xF001, 0xF01F, 0xF022, 0xF02A, 0xF02F, 0xF03A, 0xF03C, 0xF03E, 0xF03F, 0xF05C,
        0xF07C, 0xF041, 0xF07F, 0xF080, 0xFFFD, 0xFFFF };
    int r;
    (void)state;

    rng_seed(0x9A7B0002);
    for (r = 0; r < 5000; r++) {
        WCHAR w[128], back[128];
        char p[512];
        size_t wlen = 0, np, nb, k, ncomp = 1 + rng_below(4), c;

        for (c = 0; c < ncomp; c++) {
            size_t nch = 1 + rng_below(8);
            w[wlen++] = '\\';
            for (k = 0; k < nch; k++) {
                if (rng_below(8) == 0) {
                    /* an astral character as a surrogate pair */
                    w[wlen++] = (WCHAR)(0xD800 + rng_below(0x400));
                    w[wlen++] = (WCHAR)(0xDC00 + rng_below(0x400));
                } else {
                    w[wlen++] = pool[rng_below(sizeof pool / sizeof pool[0])];
                }
            }
        }

        assert_int_equal(wf_path_windows_to_posix(w, wlen, p, sizeof p, &np), STATUS_SUCCESS);
        assert_null(memchr(p, 0, np));
        assert_int_equal(wf_path_posix_to_windows(p, np, back, 128, &nb), STATUS_SUCCESS);
        assert_int_equal(nb, wlen);
        assert_memory_equal(back, w, wlen * sizeof(WCHAR));
    }
}

/* ---- name validation ---- */

static void test_name_validate(void **state)
{
    WCHAR longname[300];
    WCHAR c1;
    size_t i;
    (void)state;

    assert_int_equal(wf_name_validate(U16("a"), 1, 0, 0), STATUS_SUCCESS);
    assert_int_equal(wf_name_validate(U16(""), 0, 0, 0), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_validate(NULL, 0, 0, 0), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_validate(U16("."), 1, 0, 0), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_validate(U16(".."), 2, 0, 0), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_validate(U16("..."), 3, 0, 0), STATUS_SUCCESS);
    assert_int_equal(wf_name_validate(U16(".a"), 2, 0, 0), STATUS_SUCCESS);
    assert_int_equal(wf_name_validate(U16("a."), 2, 0, 0), STATUS_SUCCESS);  /* NT keeps it */
    assert_int_equal(wf_name_validate(U16("a "), 2, 0, 0), STATUS_SUCCESS);
    assert_int_equal(wf_name_validate(U16(" a"), 2, 0, 0), STATUS_SUCCESS);
    assert_int_equal(wf_name_validate(U16("a\uF02A"), 2, 0, 0), STATUS_SUCCESS);
    {
        static const WCHAR lone[] = { 0xD800, 'x' }, del[] = { 0x7F };
        assert_int_equal(wf_name_validate(lone, 2, 0, 0), STATUS_SUCCESS); /* NTFS allows */
        assert_int_equal(wf_name_validate(del, 1, 0, 0), STATUS_SUCCESS);
    }

    for (i = 0; i < 300; i++)
        longname[i] = (WCHAR)('0' + i % 10);
    assert_int_equal(wf_name_validate(longname, 255, 0, 0), STATUS_SUCCESS);
    assert_int_equal(wf_name_validate(longname, 256, 0, 0), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_validate(longname, 256, 256, 0), STATUS_SUCCESS);
    assert_int_equal(wf_name_validate(longname, 11, 10, 0), STATUS_OBJECT_NAME_INVALID);

    /* Every ASCII character, one at a time, in the middle of a name. */
    for (i = 0; i < 0x80; i++) {
        WCHAR name[3] = { 'x', (WCHAR)i, 'y' };
        bool bad = i < 0x20 || strchr("\"*/:<>?\\|", (int)i) != NULL;
        bool wild = i != 0 && strchr("*?<>\"", (int)i) != NULL;
        assert_int_equal(wf_name_validate(name, 3, 0, 0),
            bad ? STATUS_OBJECT_NAME_INVALID : STATUS_SUCCESS);
        assert_int_equal(wf_name_validate(name, 3, 0, WF_NAME_WILDCARDS),
            bad && !wild ? STATUS_OBJECT_NAME_INVALID : STATUS_SUCCESS);
    }
    c1 = '|';
    assert_int_equal(wf_name_validate(&c1, 1, 0, WF_NAME_WILDCARDS), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_name_validate(U16("*.txt"), 5, 0, WF_NAME_WILDCARDS), STATUS_SUCCESS);
    assert_int_equal(wf_name_validate(U16("<.\"x>"), 5, 0, WF_NAME_WILDCARDS), STATUS_SUCCESS);
}

/* ---- path validation ---- */

struct path_case {
    const WCHAR *path;
    size_t len;
    unsigned flags;
    NTSTATUS status;
    size_t file_len;
    bool has_stream;
    size_t stream_off, stream_len;
    bool data, trailing;
};

#define P(s) U16(s), U16LEN(s)

static void test_path_validate(void **state)
{
    const NTSTATUS OK = STATUS_SUCCESS, BAD = STATUS_OBJECT_NAME_INVALID;
    const struct path_case cases[] = {
        { P("\\"), 0, OK, 1, false, 0, 0, false, false },
        { P("\\a"), 0, OK, 2, false, 0, 0, false, false },
        { P("\\a\\b"), 0, OK, 4, false, 0, 0, false, false },
        { P("\\a\\b\\"), 0, OK, 4, false, 0, 0, false, true },
        { P("\\a.\\b "), 0, OK, 6, false, 0, 0, false, false },
        { P(""), 0, BAD, 0, false, 0, 0, false, false },
        { P("a"), 0, BAD, 0, false, 0, 0, false, false },
        { P("a\\b"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\\\"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\\\a"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\a\\\\b"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\a\\\\"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\a\\.\\b"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\a\\.."), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\.\\"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\a*"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\a?\\b"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\a|b"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\a/b"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\a\tb"), 0, BAD, 0, false, 0, 0, false, false },
        /* streams */
        { P("\\a:s"), 0, BAD, 0, false, 0, 0, false, false },
        { P("\\a:s"), WF_PATH_STREAMS, OK, 2, true, 3, 1, false, false },
        { P("\\d\\a:str"), WF_PATH_STREAMS, OK, 4, true, 5, 3, false, false },
        { P("\\a:s:$DATA"), WF_PATH_STREAMS, OK, 2, true, 3, 1, true, false },
        { P("\\a:s:$data"), WF_PATH_STREAMS, OK, 2, true, 3, 1, true, false },
        { P("\\a::$DATA"), WF_PATH_STREAMS, OK, 2, true, 3, 0, true, false },
        { P("\\:s"), WF_PATH_STREAMS, OK, 1, true, 2, 1, false, false },
        { P("\\a:*?\x01|\"<>"), WF_PATH_STREAMS, OK, 2, true, 3, 7, false, false },
        { P("\\a:"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
        { P("\\a:s:"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
        { P("\\a:s:$FOO"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
        { P("\\a:s:$DATA:x"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
        { P("\\a:s:$DATAx"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
        { P("\\a:s\\b"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
        { P("\\a:s\\"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
        { P("\\a:s/x"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
        { P("\\d\\:s"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
        { P("\\a*:s"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
        { P("\\.:s"), WF_PATH_STREAMS, BAD, 0, false, 0, 0, false, false },
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wf_path_info info;
        NTSTATUS st = wf_path_validate(cases[i].path, cases[i].len, 0, 0, cases[i].flags, &info);
        if (st != cases[i].status)
            fail_msg("case %zu: status 0x%08x, expected 0x%08x", i, (unsigned)st,
                (unsigned)cases[i].status);
        if (st != STATUS_SUCCESS)
            continue;
        assert_int_equal(info.file_len, cases[i].file_len);
        assert_int_equal(info.has_stream, cases[i].has_stream);
        assert_int_equal(info.trailing_backslash, cases[i].trailing);
        if (cases[i].has_stream) {
            assert_int_equal(info.stream_off, cases[i].stream_off);
            assert_int_equal(info.stream_len, cases[i].stream_len);
            assert_int_equal(info.stream_type_data, cases[i].data);
        }
        /* info is optional. */
        assert_int_equal(wf_path_validate(cases[i].path, cases[i].len, 0, 0, cases[i].flags,
            NULL), STATUS_SUCCESS);
    }
}

static void test_path_validate_lengths(void **state)
{
    static WCHAR path[40000];
    size_t i;
    (void)state;

    /* "\" + 255 chars: fine; 256: a bad component. */
    path[0] = '\\';
    for (i = 1; i < 300; i++)
        path[i] = 'x';
    assert_int_equal(wf_path_validate(path, 256, 0, 0, 0, NULL), STATUS_SUCCESS);
    assert_int_equal(wf_path_validate(path, 257, 0, 0, 0, NULL), STATUS_OBJECT_NAME_INVALID);
    assert_int_equal(wf_path_validate(path, 11, 10, 0, 0, NULL), STATUS_SUCCESS);
    assert_int_equal(wf_path_validate(path, 12, 10, 0, 0, NULL), STATUS_OBJECT_NAME_INVALID);

    /* The stream part counts against the last component, as in WinFsp. */
    path[250] = ':';
    assert_int_equal(wf_path_validate(path, 256, 0, 0, WF_PATH_STREAMS, NULL), STATUS_SUCCESS);
    assert_int_equal(wf_path_validate(path, 257, 0, 0, WF_PATH_STREAMS, NULL),
        STATUS_OBJECT_NAME_INVALID);

    /* Whole-path limit: components of 99 'x' separated by '\'. */
    for (i = 0; i < 40000; i++)
        path[i] = i % 100 == 0 ? '\\' : 'x';
    assert_int_equal(wf_path_validate(path, 32767, 0, 0, 0, NULL), STATUS_SUCCESS);
    assert_int_equal(wf_path_validate(path, 32768, 0, 0, 0, NULL), STATUS_NAME_TOO_LONG);
    assert_int_equal(wf_path_validate(path, 1024, 0, 1024, 0, NULL), STATUS_SUCCESS);
    assert_int_equal(wf_path_validate(path, 1025, 0, 1024, 0, NULL), STATUS_NAME_TOO_LONG);
    /* A malformed name is reported as such even when also too long. */
    path[1030] = '*';
    assert_int_equal(wf_path_validate(path, 1100, 0, 1024, 0, NULL), STATUS_OBJECT_NAME_INVALID);
}

/* ---- splitting and iterating ---- */

static void test_split_last(void **state)
{
    static const struct {
        const WCHAR *path;
        size_t len, parent_len, name_off;
    } cases[] = {
        { P("\\a\\b"), 2, 3 },
        { P("\\a"), 1, 1 },
        { P("\\"), 1, 1 },
        { P("a"), 0, 0 },
        { P(""), 0, 0 },
        { P("\\a\\"), 2, 3 },
        { P("\\abc\\def\\ghi"), 8, 9 },
        { P("\\a\\\\b"), 2, 4 },
        { P("\\\\a"), 1, 2 },
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t parent = 99, off = 99;
        wf_path_split_last(cases[i].path, cases[i].len, &parent, &off);
        if (parent != cases[i].parent_len || off != cases[i].name_off)
            fail_msg("case %zu: parent %zu name_off %zu", i, parent, off);
    }
}

static void test_next_component(void **state)
{
    const WCHAR *p = U16("\\ab\\\\c\\def\\");
    size_t len = U16LEN("\\ab\\\\c\\def\\"), pos = 0, off, clen;
    (void)state;

    assert_true(wf_path_next_component(p, len, &pos, &off, &clen));
    assert_int_equal(off, 1);
    assert_int_equal(clen, 2);
    assert_true(wf_path_next_component(p, len, &pos, &off, &clen));
    assert_int_equal(off, 5);
    assert_int_equal(clen, 1);
    assert_true(wf_path_next_component(p, len, &pos, &off, &clen));
    assert_int_equal(off, 7);
    assert_int_equal(clen, 3);
    assert_false(wf_path_next_component(p, len, &pos, &off, &clen));
    assert_false(wf_path_next_component(p, len, &pos, &off, &clen));

    pos = 0;
    assert_false(wf_path_next_component(U16("\\"), 1, &pos, &off, &clen));
    pos = 0;
    assert_false(wf_path_next_component(U16(""), 0, &pos, &off, &clen));
    pos = 0;
    assert_true(wf_path_next_component(U16("x"), 1, &pos, &off, &clen));
    assert_int_equal(off, 0);
    assert_int_equal(clen, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows_to_posix),
        cmocka_unit_test(test_windows_to_posix_refused),
        cmocka_unit_test(test_posix_to_windows),
        cmocka_unit_test(test_posix_to_windows_refused),
        cmocka_unit_test(test_mapping_buffers),
        cmocka_unit_test(test_random_posix_round_trip),
        cmocka_unit_test(test_random_windows_round_trip),
        cmocka_unit_test(test_name_validate),
        cmocka_unit_test(test_path_validate),
        cmocka_unit_test(test_path_validate_lengths),
        cmocka_unit_test(test_split_last),
        cmocka_unit_test(test_next_component),
    };
    return WF_RUN_TESTS(tests);
}
