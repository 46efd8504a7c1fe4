/*
 * test_sddl.c - SDDL text <-> self-relative security descriptors.
 */
#include "wf_test.h"

#include <stdbool.h>
#include <string.h>

#include "engine/security.h"
#include "engine/sddl.h"

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
    rng_state = seed ? seed : 1;
}

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* text -> SD -> text -> SD: the texts are canonical and the SDs identical. */
static void round_trip(const char *in, char *out, size_t out_cap)
{
    uint8_t sd1[8192], sd2[8192];
    size_t len1, len2, needed;
    char text2[16384];

    if (wf_sddl_to_sd(in, sd1, sizeof sd1, &len1) != STATUS_SUCCESS)
        fail_msg("rejected: %s", in);
    assert_int_equal(wf_sd_validate(sd1, len1), STATUS_SUCCESS);
    assert_int_equal(wf_sddl_from_sd(sd1, len1, out, out_cap, &needed), STATUS_SUCCESS);
    assert_int_equal(needed, strlen(out) + 1);
    assert_int_equal(wf_sddl_to_sd(out, sd2, sizeof sd2, &len2), STATUS_SUCCESS);
    assert_int_equal(len1, len2);
    assert_memory_equal(sd1, sd2, len1);
    assert_int_equal(wf_sddl_from_sd(sd2, len2, text2, sizeof text2, &needed), STATUS_SUCCESS);
    assert_string_equal(out, text2);
}

static void sddl_binary_layout(void **state)
{
    static const uint8_t want[] = {
        /* header: revision, sbz1, control 0x8004, owner 48, group 60, sacl 0, dacl 20 */
        1, 0, 0x04, 0x80, 48, 0, 0, 0, 60, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0,
        /* DACL: revision 2, size 28, one ACE */
        2, 0, 28, 0, 1, 0, 0, 0,
        /* ACE: allowed, CI, 20 bytes, FILE_ALL_ACCESS, S-1-1-0 */
        0, 2, 20, 0, 0xff, 0x01, 0x1f, 0x00, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
        /* owner S-1-5-18 */
        1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0,
        /* group S-1-5-32-544 */
        1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0,
    };
    uint8_t sd[256];
    size_t len;

    (void)state;
    assert_int_equal(wf_sddl_to_sd("O:SYG:BAD:(A;CI;FA;;;WD)", sd, sizeof sd, &len), STATUS_SUCCESS);
    assert_int_equal(len, sizeof want);
    assert_memory_equal(sd, want, sizeof want);
    /* The same in another order is the same descriptor. */
    assert_int_equal(wf_sddl_to_sd("D:(A;CI;FA;;;WD)G:BAO:SY", sd, sizeof sd, &len), STATUS_SUCCESS);
    assert_memory_equal(sd, want, sizeof want);

    /* SACL before DACL; NULL DACL has a zero offset; flags go to control. */
    assert_int_equal(wf_sddl_to_sd("D:PAINO_ACCESS_CONTROLS:ARP(AU;FA;0x1;;;WD)", sd, sizeof sd, &len),
        STATUS_SUCCESS);
    assert_int_equal(len, 20 + 8 + 20);
    assert_int_equal(sd[2] | sd[3] << 8, 0x8000 | 0x0004 | 0x1000 | 0x0400 | 0x0010 | 0x2000 | 0x0200);
    assert_int_equal(sd[12], 20); /* SACL */
    assert_int_equal(sd[16], 0);  /* NULL DACL */
    assert_int_equal(sd[28], 2);  /* SYSTEM_AUDIT_ACE_TYPE */
    assert_int_equal(sd[29], 0x80);

    /* Nothing at all: a bare header, which fits a buffer of exactly its size. */
    uint8_t *exact = malloc(20);
    memset(exact, 0xcc, 20);
    assert_int_equal(wf_sddl_to_sd("", exact, 20, &len), STATUS_SUCCESS);
    assert_int_equal(len, 20);
    assert_memory_equal(exact, "\x01\x00\x00\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
    free(exact);
}

static void sddl_canonical(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "O:BAG:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;WD)", NULL },
        /* what Windows' cacls /S printed for a share (Microsoft's blog) */
        { "D:AI(D;OICI;FA;;;BG)(A;;FA;;;BA)(A;OICIID;FA;;;BA)(A;OICIID;FA;;;SY)(A;OICIIOID;GA;;;CO)"
          "(A;OICIID;0x1200a9;;;BU)(A;CIID;LC;;;BU)(A;CIID;DC;;;BU)", NULL },
        { "D:(A;;0x1F01FF;;;S-1-1-0)", "D:(A;;FA;;;WD)" },
        { "D:(A;;2032127;;;WD)", "D:(A;;FA;;;WD)" },
        { "D:(A;;0x00120089;;;WD)", "D:(A;;FR;;;WD)" },
        { "D:(A;;0x120116;;;WD)(A;;0x1200a0;;;WD)", "D:(A;;FW;;;WD)(A;;FX;;;WD)" },
        { "D:(A;;GRGWGX;;;WD)", "D:(A;;GXGWGR;;;WD)" },
        { "D:(A;;GAGRGWGX;;;WD)", "D:(A;;GAGXGWGR;;;WD)" },
        { "D:(A;;KX;;;WD)(A;;KA;;;WD)(A;;KW;;;WD)", "D:(A;;KR;;;WD)(A;;KA;;;WD)(A;;KW;;;WD)" },
        { "D:(A;;RPWPCCDCLCSWRCWDWOGA;;;S-1-5-32-544)", "D:(A;;CCDCLCSWRPWPRCWDWOGA;;;BA)" },
        { "D:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;WD)", NULL }, /* 0xf01ff: named bit by bit */
        { "D:(A;;SDRCWDWO;;;WD)", "D:(A;;SDRCWDWO;;;WD)" },
        { "D:(A;;FRFW;;;WD)", "D:(A;;0x12019f;;;WD)" },
        { "D:(A;;0x200;;;WD)", "D:(A;;0x200;;;WD)" },
        { "D:(A;;0x100000;;;WD)", "D:(A;;0x100000;;;WD)" },
        { "D:(A;;0xFFFFFFFF;;;WD)", "D:(A;;0xffffffff;;;WD)" },
        { "D:(A;;0x1;;;WD)", "D:(A;;CC;;;WD)" },
        { "D:(A;;0x0;;;WD)", "D:(A;;;;;WD)" },
        { "D:(A;;;;;WD)", NULL },
        { "O:S-1-5-21-1-2-3-500G:S-1-5-21-1-2-3-513", NULL },
        { "G:SYO:BA", "O:BAG:SY" },
        { "O:s-1-5-18", "O:SY" },
        { "O:S-1-0x123456789abc-1", NULL },
        { "O:S-1-0X00000000000F-1", "O:S-1-15-1" },
        { "O:S-1-5-32-544D:(A;;FA;;;WD)", "O:BAD:(A;;FA;;;WD)" },
        { "S:(ML;;NW;;;LW)", NULL },
        { "S:(ML;;0x3;;;HI)", "S:(ML;;NWNR;;;HI)" },
        { "S:(ML;;NXNRNW;;;SI)", "S:(ML;;NWNRNX;;;SI)" },
        { "S:(ML;;0x8;;;ME)", "S:(ML;;SW;;;ME)" },
        { "S:(AU;SAFA;FA;;;WD)(AL;FA;GA;;;AN)", NULL },
        { "D:(A;;NW;;;WD)", "D:(A;;CC;;;WD)" },
        { "D:PARAI(A;;FA;;;WD)", NULL },
        { "D:AIARP(A;;FA;;;WD)", "D:PARAI(A;;FA;;;WD)" },
        { "D:PP(A;;FA;;;WD)", "D:P(A;;FA;;;WD)" },
        { "D:NO_ACCESS_CONTROL", NULL },
        { "D:PNO_ACCESS_CONTROL", NULL },
        { "S:NO_ACCESS_CONTROL", NULL },
        { "D:", NULL },
        { "D:P", NULL },
        { "D:S:", NULL },
        { "", NULL },
        { "D:(A;OICINPIOID;FA;;;WD)", NULL },
        { "D:(A;IDOI;FA;;;WD)", "D:(A;OIID;FA;;;WD)" },
        { "O:WDG:CO", NULL },
        { "D:(A;;FA;;;AN)(A;;FA;;;AO)(A;;FA;;;AU)(A;;FA;;;BA)(A;;FA;;;BG)(A;;FA;;;BO)(A;;FA;;;BU)"
          "(A;;FA;;;CG)(A;;FA;;;CO)(A;;FA;;;ED)(A;;FA;;;IU)(A;;FA;;;LS)(A;;FA;;;MU)(A;;FA;;;LU)"
          "(A;;FA;;;NO)(A;;FA;;;NS)(A;;FA;;;NU)(A;;FA;;;PO)(A;;FA;;;PS)(A;;FA;;;PU)(A;;FA;;;RC)"
          "(A;;FA;;;RD)(A;;FA;;;RE)(A;;FA;;;RU)(A;;FA;;;SO)(A;;FA;;;SU)(A;;FA;;;SY)(A;;FA;;;WD)"
          "(A;;FA;;;OW)(A;;FA;;;WR)(A;;FA;;;AC)(A;;FA;;;ER)(A;;FA;;;IS)(A;;FA;;;CY)(A;;FA;;;CD)"
          "(A;;FA;;;RA)(A;;FA;;;ES)(A;;FA;;;MS)(A;;FA;;;HA)(A;;FA;;;AA)(A;;FA;;;RM)(A;;FA;;;LW)"
          "(A;;FA;;;ME)(A;;FA;;;MP)(A;;FA;;;HI)(A;;FA;;;SI)", NULL },
        /* the aliases stand for these SIDs */
        { "D:(A;;FA;;;S-1-5-7)(A;;FA;;;S-1-5-32-548)(A;;FA;;;S-1-5-11)(A;;FA;;;S-1-3-1)(A;;FA;;;S-1-3-0)"
          "(A;;FA;;;S-1-5-19)(A;;FA;;;S-1-5-20)(A;;FA;;;S-1-5-32-555)(A;;FA;;;S-1-15-2-1)"
          "(A;;FA;;;S-1-16-8448)(A;;FA;;;S-1-5-12)(A;;FA;;;S-1-5-33)(A;;FA;;;S-1-3-4)",
          "D:(A;;FA;;;AN)(A;;FA;;;AO)(A;;FA;;;AU)(A;;FA;;;CG)(A;;FA;;;CO)(A;;FA;;;LS)(A;;FA;;;NS)"
          "(A;;FA;;;RD)(A;;FA;;;AC)(A;;FA;;;MP)(A;;FA;;;RC)(A;;FA;;;WR)(A;;FA;;;OW)" },
        { "D:(A;;FA;;;S-1-5-32-544-1)", NULL },
        { "D:(A;;FA;;;S-1-5)", NULL },
    };
    char out[16384];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        round_trip(cases[i].in, out, sizeof out);
        const char *want = cases[i].out ? cases[i].out : cases[i].in;
        if (strcmp(out, want))
            fail_msg("%s\n got %s\nwant %s", cases[i].in, out, want);
    }
}

static void sddl_malformed(void **state)
{
    static const struct {
        const char *in;
        NTSTATUS st;
    } cases[] = {
        { "X:BA", STATUS_INVALID_PARAMETER },
        { "O", STATUS_INVALID_PARAMETER },
        { ":", STATUS_INVALID_PARAMETER },
        { "O:", STATUS_INVALID_PARAMETER },
        { "O:B", STATUS_INVALID_PARAMETER },
        { "O:XX", STATUS_INVALID_PARAMETER },
        { "O:BAX", STATUS_INVALID_PARAMETER },
        { "O:ba", STATUS_INVALID_PARAMETER },
        { "o:BA", STATUS_INVALID_PARAMETER },
        { " O:BA", STATUS_INVALID_PARAMETER },
        { "O:BA ", STATUS_INVALID_PARAMETER },
        { "O:BAO:SY", STATUS_INVALID_PARAMETER },
        { "D:D:", STATUS_INVALID_PARAMETER },
        { "O:BA)", STATUS_INVALID_PARAMETER },
        { ")", STATUS_INVALID_PARAMETER },
        { "O:S-1-5-", STATUS_INVALID_PARAMETER },
        { "O:S-1-5-18-", STATUS_INVALID_PARAMETER },
        { "O:S-2-5-18", STATUS_INVALID_PARAMETER },
        { "O:S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;WD", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;WD))", STATUS_INVALID_PARAMETER },
        { "D:((A;;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;WD;x)", STATUS_INVALID_PARAMETER },
        { "D:()", STATUS_INVALID_PARAMETER },
        { "D:(;;;;;)", STATUS_INVALID_PARAMETER },
        { "D:(Q;;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(a;;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(AA;;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;XX;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;O;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;OIC;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;ZZ;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;F;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FAF;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;fa;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;0x;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;0xg;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;0x100000000;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;4294967296;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;12a;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;-1;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;x;;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;x;WD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;W)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;WDD)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;S-1-5-)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;S-1-5-18x)", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;WD)(A;;FA;;;WD", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;WD)junk", STATUS_INVALID_PARAMETER },
        { "D:(A;;FA;;;WD) ", STATUS_INVALID_PARAMETER },
        { "D: (A;;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:X(A;;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:p(A;;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:A(A;;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:NO_ACCESS_CONTROL(A;;FA;;;WD)", STATUS_INVALID_PARAMETER },
        { "D:NO_ACCESS", STATUS_INVALID_PARAMETER },
        { "D:(A;(;FA;;;WD))", STATUS_INVALID_PARAMETER },
        /* valid SDDL beyond the subset */
        { "D:(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)", STATUS_NOT_SUPPORTED },
        { "D:(OD;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)", STATUS_NOT_SUPPORTED },
        { "D:(XA;;FA;;;WD;(@User.Title==\"PM\"))", STATUS_NOT_SUPPORTED },
        { "D:(XD;;FA;;;WD;(Member_of {SID(BA)}))", STATUS_NOT_SUPPORTED },
        { "S:(RA;;;;;WD;(\"Secrecy\",TU,0x0,3))", STATUS_NOT_SUPPORTED },
        { "S:(SP;;;;;S-1-17-1)", STATUS_NOT_SUPPORTED },
        { "O:DA", STATUS_NOT_SUPPORTED },
        { "O:LA", STATUS_NOT_SUPPORTED },
        { "D:(A;;FA;;;DU)", STATUS_NOT_SUPPORTED },
    };
    uint8_t sd[1024];
    size_t len;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        NTSTATUS st = wf_sddl_to_sd(cases[i].in, sd, sizeof sd, &len);
        if (st != cases[i].st)
            fail_msg("\"%s\": got 0x%08x, want 0x%08x", cases[i].in, (unsigned)st, (unsigned)cases[i].st);
    }
    assert_int_equal(wf_sddl_to_sd(NULL, sd, sizeof sd, &len), STATUS_INVALID_PARAMETER);
}

static void sddl_acl_limit(void **state)
{
    /* (A;;FA;;;WD) is a 20-byte ACE: 3276 fit in 65535 bytes with the header, 3277 do not. */
    size_t max = (65535 - 8) / 20;
    char *text = malloc(2 + 14 * (max + 1) + 1);
    uint8_t *sd = malloc(65536 + 64);
    size_t len;

    (void)state;
    strcpy(text, "D:");
    for (size_t i = 0; i < max; i++)
        strcat(text, "(A;;FA;;;WD)");
    assert_int_equal(wf_sddl_to_sd(text, sd, 65536 + 64, &len), STATUS_SUCCESS);
    assert_int_equal(len, 20 + 8 + 20 * max);
    assert_int_equal(sd[24] | sd[25] << 8, max);
    assert_int_equal(wf_sd_validate(sd, len), STATUS_SUCCESS);
    strcat(text, "(A;;FA;;;WD)");
    assert_int_equal(wf_sddl_to_sd(text, sd, 65536 + 64, &len), STATUS_INVALID_PARAMETER);
    /* 8 + 3274 * 20 + 2 * 24 is exactly 65536: one byte too many, not a size of 0 */
    strcpy(text, "D:");
    for (size_t i = 0; i < max - 2; i++)
        strcat(text, "(A;;FA;;;WD)");
    strcat(text, "(A;;FA;;;BA)");
    assert_int_equal(wf_sddl_to_sd(text, sd, 65536 + 64, &len), STATUS_SUCCESS);
    assert_int_equal(len, 20 + 65536 - 24);
    strcat(text, "(A;;FA;;;BA)");
    assert_int_equal(wf_sddl_to_sd(text, sd, 65536 + 64, &len), STATUS_INVALID_PARAMETER);
    free(text);
    free(sd);
}

static void sddl_buffers(void **state)
{
    static const char *in = "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;;0x1200a9;;;S-1-5-21-1-2-3-1001)S:(ML;;NW;;;ME)";
    uint8_t full[512];
    size_t len, len2, needed, needed2;
    char text[512];

    (void)state;
    assert_int_equal(wf_sddl_to_sd(in, full, sizeof full, &len), STATUS_SUCCESS);
    assert_int_equal(wf_sddl_to_sd(in, NULL, 0, &len2), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(len2, len);
    /* every short buffer: reported size, no write past it (exact heap blocks) */
    for (size_t cap = 0; cap <= len; cap++) {
        uint8_t *buf = malloc(cap ? cap : 1);
        NTSTATUS st = wf_sddl_to_sd(in, buf, cap, &len2);
        assert_int_equal(len2, len);
        if (cap < len)
            assert_int_equal(st, STATUS_BUFFER_TOO_SMALL);
        else {
            assert_int_equal(st, STATUS_SUCCESS);
            assert_memory_equal(buf, full, len);
        }
        free(buf);
    }

    assert_int_equal(wf_sddl_from_sd(full, len, text, sizeof text, &needed), STATUS_SUCCESS);
    assert_string_equal(text, in);
    assert_int_equal(needed, strlen(in) + 1);
    assert_int_equal(wf_sddl_from_sd(full, len, NULL, 0, &needed2), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(needed2, needed);
    for (size_t cap = 0; cap <= needed; cap++) {
        char *buf = malloc(cap ? cap : 1);
        NTSTATUS st = wf_sddl_from_sd(full, len, buf, cap, &needed2);
        assert_int_equal(needed2, needed);
        if (cap < needed)
            assert_int_equal(st, STATUS_BUFFER_TOO_SMALL);
        else {
            assert_int_equal(st, STATUS_SUCCESS);
            assert_string_equal(buf, in);
        }
        free(buf);
    }
}

static void sddl_from_sd_unsupported(void **state)
{
    uint8_t sd[256];
    size_t len;
    char text[512];
    size_t needed;

    (void)state;
    assert_int_equal(wf_sddl_to_sd("D:(A;;FA;;;WD)", sd, sizeof sd, &len), STATUS_SUCCESS);
    sd[28 + 1] = 0x20; /* an ACE flag SDDL has no name for */
    assert_int_equal(wf_sddl_from_sd(sd, len, text, sizeof text, &needed), STATUS_NOT_SUPPORTED);
    sd[28 + 1] = 0;
    sd[28] = 9; /* a callback ACE */
    assert_int_equal(wf_sddl_from_sd(sd, len, text, sizeof text, &needed), STATUS_NOT_SUPPORTED);
    sd[28] = 0;
    sd[0] = 2;
    assert_int_equal(wf_sddl_from_sd(sd, len, text, sizeof text, &needed), STATUS_INVALID_SECURITY_DESCR);
    assert_int_equal(wf_sddl_from_sd(NULL, 0, text, sizeof text, &needed), STATUS_INVALID_SECURITY_DESCR);
    sd[0] = 1;
    assert_int_equal(wf_sddl_from_sd(sd, len - 1, text, sizeof text, &needed), STATUS_INVALID_SECURITY_DESCR);

    /* What SDDL cannot carry is dropped: *_DEFAULTED bits, ACL revision, ACE padding. */
    sd[2] |= 0x0b;
    sd[20] = 4;
    assert_int_equal(wf_sddl_from_sd(sd, len, text, sizeof text, &needed), STATUS_SUCCESS);
    assert_string_equal(text, "D:(A;;FA;;;WD)");
}

/* Every descriptor wf_sd_from_posix builds survives SD -> SDDL -> SD byte for byte. */
static void sddl_posix_descriptors(void **state)
{
    static const uint32_t owners[][2] = { { 197609, 197121 }, { 0, 18 }, { 544, 544 }, { 2000, 0x10100 } };
    uint8_t sd[WF_SD_POSIX_MAX_SIZE], back[WF_SD_POSIX_MAX_SIZE];
    char text[2048];
    size_t len, len2, needed;

    (void)state;
    for (size_t o = 0; o < sizeof owners / sizeof owners[0]; o++)
        for (uint32_t mode = 0; mode < 010000; mode++)
            for (int dir = 0; dir < 2; dir++) {
                uint32_t m = (dir ? 0040000 : 0100000) | mode;
                assert_int_equal(wf_sd_from_posix(NULL, owners[o][0], owners[o][1], m, sd, sizeof sd, &len),
                    STATUS_SUCCESS);
                assert_int_equal(wf_sddl_from_sd(sd, len, text, sizeof text, &needed), STATUS_SUCCESS);
                assert_int_equal(wf_sddl_to_sd(text, back, sizeof back, &len2), STATUS_SUCCESS);
                assert_int_equal(len2, len);
                assert_memory_equal(back, sd, len);
            }
}

/* Random descriptors written as SDDL by the test itself. */
static void append(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    assert_true(n + strlen(s) < cap);
    strcpy(buf + n, s);
}

static void random_sid(char *buf, size_t cap)
{
    static const char *aliases[] = { "WD", "SY", "BA", "BU", "AU", "CO", "CG", "AN", "NS", "LS", "ME", "AC" };
    char tmp[256];
    if (rng() % 2) {
        append(buf, cap, aliases[rng() % (sizeof aliases / sizeof aliases[0])]);
        return;
    }
    int n = (int)(rng() % 16);
    snprintf(tmp, sizeof tmp, "S-1-%llu", (unsigned long long)(rng() % 3 ? rng() % 30 : rng() >> 16));
    append(buf, cap, tmp);
    for (int i = 0; i < n; i++) {
        snprintf(tmp, sizeof tmp, "-%u", (unsigned)(rng() % 2 ? rng() % 1000 : (uint32_t)rng()));
        append(buf, cap, tmp);
    }
}

static void random_acl(char *buf, size_t cap, bool dacl)
{
    static const char *flags[] = { "", "P", "AI", "AR", "PAI", "ARAI", "PARAI" };
    static const char *types_d[] = { "A", "D" };
    static const char *types_s[] = { "AU", "AL", "ML" };
    static const char *aflags[] = { "OI", "CI", "NP", "IO", "ID", "SA", "FA" };
    static const char *rights[] = { "FA", "FR", "FW", "FX", "GA", "GR", "GW", "GX", "RC", "SD", "WD", "WO",
        "KA", "KR", "KW", "KX", "CC", "DC", "LC", "SW", "RP", "WP", "DT", "LO", "CR", "NW", "NR", "NX" };
    char tmp[64];

    append(buf, cap, dacl ? "D:" : "S:");
    append(buf, cap, flags[rng() % 7]);
    if (rng() % 10 == 0) {
        append(buf, cap, "NO_ACCESS_CONTROL");
        return;
    }
    int n = (int)(rng() % 6);
    for (int i = 0; i < n; i++) {
        append(buf, cap, "(");
        append(buf, cap, dacl ? types_d[rng() % 2] : types_s[rng() % 3]);
        append(buf, cap, ";");
        for (int k = 0; k < 7; k++)
            if (rng() % 4 == 0)
                append(buf, cap, aflags[k]);
        append(buf, cap, ";");
        switch (rng() % 3) {
        case 0:
            snprintf(tmp, sizeof tmp, "0x%x", (unsigned)rng());
            append(buf, cap, tmp);
            break;
        case 1:
            snprintf(tmp, sizeof tmp, "%u", (unsigned)(rng() % 0x200000));
            append(buf, cap, tmp);
            break;
        default:
            for (int k = (int)(rng() % 4); k >= 0; k--)
                append(buf, cap, rights[rng() % (sizeof rights / sizeof rights[0])]);
        }
        append(buf, cap, ";;;");
        random_sid(buf, cap);
        append(buf, cap, ")");
    }
}

static void sddl_random_round_trip(void **state)
{
    char in[8192], out[16384];

    (void)state;
    rng_seed(0x5dd1);
    for (int i = 0; i < 20000; i++) {
        in[0] = '\0';
        /* components in a random order */
        int order[4] = { 0, 1, 2, 3 };
        for (int k = 3; k > 0; k--) {
            int j = (int)(rng() % (uint64_t)(k + 1)), t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        for (int k = 0; k < 4; k++) {
            if (rng() % 4 == 0)
                continue;
            switch (order[k]) {
            case 0: append(in, sizeof in, "O:"); random_sid(in, sizeof in); break;
            case 1: append(in, sizeof in, "G:"); random_sid(in, sizeof in); break;
            case 2: random_acl(in, sizeof in, true); break;
            default: random_acl(in, sizeof in, false); break;
            }
        }
        round_trip(in, out, sizeof out);
    }
}

/* Mangled text: never a crash, only the documented statuses, and what passes is sound. */
static void sddl_fuzz_text(void **state)
{
    static const char *pieces[] = {
        "O:", "G:", "D:", "S:", "(", ")", ";", "A", "D", "AU", "ML", "OA", "XA", "FA", "GA", "OI", "CI",
        "WD", "BA", "SY", "S-1-", "5", "-", "0x", "1f", "P", "AI", "NO_ACCESS_CONTROL", "21", "x", ":", " ",
        "S-1-5-32-544", "(A;;FA;;;WD)", "DA",
    };
    char in[512], out[16384];
    uint8_t sd[4096], sd2[4096];
    size_t len, len2, needed;

    (void)state;
    rng_seed(0xfa22);
    for (int i = 0; i < 100000; i++) {
        in[0] = '\0';
        int n = (int)(rng() % 24);
        for (int k = 0; k < n; k++) {
            const char *p = pieces[rng() % (sizeof pieces / sizeof pieces[0])];
            if (strlen(in) + strlen(p) < sizeof in)
                strcat(in, p);
        }
        /* an exact-size heap copy: reading past the NUL is caught */
        char *copy = strdup(in);
        NTSTATUS st = wf_sddl_to_sd(copy, sd, sizeof sd, &len);
        free(copy);
        assert_true(st == STATUS_SUCCESS || st == STATUS_INVALID_PARAMETER || st == STATUS_NOT_SUPPORTED);
        if (st != STATUS_SUCCESS)
            continue;
        assert_int_equal(wf_sd_validate(sd, len), STATUS_SUCCESS);
        assert_int_equal(wf_sddl_from_sd(sd, len, out, sizeof out, &needed), STATUS_SUCCESS);
        assert_int_equal(wf_sddl_to_sd(out, sd2, sizeof sd2, &len2), STATUS_SUCCESS);
        assert_int_equal(len2, len);
        assert_memory_equal(sd2, sd, len);
    }
}

/* Mangled descriptors: the writer never crashes; what it writes reads back the same. */
static void sddl_fuzz_binary(void **state)
{
    static const char *seeds[] = {
        "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(D;;0x1200a9;;;S-1-5-21-1-2-3-1001)S:(ML;;NW;;;ME)(AU;SA;GA;;;WD)",
        "D:(A;;FA;;;WD)",
        "O:S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15G:WD",
    };
    uint8_t good[1024], sd[1024], sd2[1024];
    char text[16384], text2[16384];
    size_t len, len2, needed;

    (void)state;
    rng_seed(0xb1a5);
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        assert_int_equal(wf_sddl_to_sd(seeds[s], good, sizeof good, &len), STATUS_SUCCESS);
        for (int i = 0; i < 30000; i++) {
            memcpy(sd, good, len);
            for (int f = (int)(rng() % 4); f >= 0; f--)
                sd[rng() % len] = (uint8_t)rng();
            size_t cut = rng() % 8 == 0 ? (size_t)(rng() % (len + 1)) : len;
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, sd, cut);
            NTSTATUS st = wf_sddl_from_sd(copy, cut, text, sizeof text, &needed);
            free(copy);
            assert_true(st == STATUS_SUCCESS || st == STATUS_INVALID_SECURITY_DESCR ||
                st == STATUS_NOT_SUPPORTED);
            if (st != STATUS_SUCCESS)
                continue;
            assert_int_equal(wf_sddl_to_sd(text, sd2, sizeof sd2, &len2), STATUS_SUCCESS);
            assert_int_equal(wf_sddl_from_sd(sd2, len2, text2, sizeof text2, &needed), STATUS_SUCCESS);
            assert_string_equal(text, text2);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sddl_binary_layout),
        cmocka_unit_test(sddl_canonical),
        cmocka_unit_test(sddl_malformed),
        cmocka_unit_test(sddl_acl_limit),
        cmocka_unit_test(sddl_buffers),
        cmocka_unit_test(sddl_from_sd_unsupported),
        cmocka_unit_test(sddl_posix_descriptors),
        cmocka_unit_test(sddl_random_round_trip),
        cmocka_unit_test(sddl_fuzz_text),
        cmocka_unit_test(sddl_fuzz_binary),
    };
    return WF_RUN_TESTS(tests);
}
