/*
 * test_security.c - uid/gid <-> SID and mode <-> security descriptor,
 * checked against the rules of WinFsp's src/shared/ku/posix.c worked out
 * by hand (the expectations here are written independently of the code).
 */
#include "wf_test.h"

#include <stdbool.h>
#include <string.h>

#include "engine/security.h"
#include "engine/sddl.h"

/* The default account domain, as text. */
#define DOM "S-1-5-21-1004336348-1177238915-682003330"

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
    rng_state = seed ? seed : 1;
}

static uint64_t rng(void)
{
    /* xorshift64*: deterministic and good enough to spread test inputs. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint32_t rng32(void)
{
    return (uint32_t)(rng() >> 32);
}

static void sid_text(const wf_idmap *map, uint32_t id, char *out, size_t cap)
{
    uint8_t sid[WF_SID_MAX_SIZE];
    size_t len, needed;

    assert_int_equal(wf_sid_from_uid(map, id, sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_true(wf_sid_valid(sid, len));
    assert_int_equal(wf_sid_length(sid), len);
    assert_int_equal(wf_sid_to_string(sid, len, out, cap, &needed), STATUS_SUCCESS);
    assert_int_equal(needed, strlen(out) + 1);
}

static uint32_t id_of(const wf_idmap *map, const char *text)
{
    uint8_t sid[WF_SID_MAX_SIZE];
    size_t len;
    uint32_t id = 12345;

    assert_int_equal(wf_sid_from_string(text, sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(wf_sid_to_id(map, sid, len, &id), STATUS_SUCCESS);
    return id;
}

/* ---- uid -> SID ---- */

static void uid_known_sids(void **state)
{
    static const struct {
        uint32_t id;
        const char *sid;
    } cases[] = {
        { 0, "S-1-5-0" },
        { 18, "S-1-5-18" },
        { 0x1ff, "S-1-5-511" },
        { 0x200, "S-1-5-32-512" },
        { 544, "S-1-5-32-544" },
        { 545, "S-1-5-32-545" },
        { 999, "S-1-5-32-999" },
        { 1000, "S-1-5-1000" },
        { 1001, "S-1-0-65534" },
        { 2000, "S-1-0-65534" },
        { 0xffe, "S-1-0-65534" },
        { 0xfff, "S-1-0-65534" },
        { 0x1000, "S-1-5-1-0" },
        { 0x9005, "S-1-5-9-5" },
        { 0x5123, "S-1-5-5-291" },
        { 65534, "S-1-0-65534" },
        { 0xffff, "S-1-5-15-4095" },
        { 0x10000, "S-1-0-0" },
        { 0x10100, "S-1-1-0" },
        { 0x10200, "S-1-2-0" },
        { 0x10300, "S-1-3-0" },
        { 0x10301, "S-1-3-1" },
        { 0x10fff, "S-1-15-255" },
        { 0x11000, "S-1-5-17-0" },
        { 0x20220, "S-1-5-32-544" },
        { 0x30000 + 500, DOM "-500" },
        { 0x30000 + 513, DOM "-513" },
        { 197609, DOM "-1001" },
        { 0x3ffff, DOM "-65535" },
        { 0x40000, "S-1-5-64-0" },
        { 0x5ffff, "S-1-5-95-4095" },
        { 0x60000, "S-1-16-0" },
        { 0x62000, "S-1-16-8192" },
        { 0x6ffff, "S-1-16-65535" },
        { 0x70000, "S-1-5-112-0" },
        { 0xfffff, "S-1-5-255-4095" },
        { 0x100000, "S-1-0-65534" }, /* no primary domain by default */
        { 0x123456, "S-1-0-65534" },
        { 0xff000000, "S-1-0-65534" },
        { 0xffffffff, "S-1-0-65534" },
    };
    char text[WF_SID_MAX_STRING];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sid_text(NULL, cases[i].id, text, sizeof text);
        if (strcmp(text, cases[i].sid))
            fail_msg("uid 0x%x: got %s, want %s", cases[i].id, text, cases[i].sid);
        /* gid: the same scheme */
        uint8_t a[WF_SID_MAX_SIZE], b[WF_SID_MAX_SIZE];
        size_t la, lb;
        assert_int_equal(wf_sid_from_uid(NULL, cases[i].id, a, sizeof a, &la), STATUS_SUCCESS);
        assert_int_equal(wf_sid_from_gid(NULL, cases[i].id, b, sizeof b, &lb), STATUS_SUCCESS);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
    }
}

/* ---- SID -> uid ---- */

static void sid_known_ids(void **state)
{
    static const struct {
        const char *sid;
        uint32_t id;
    } cases[] = {
        { "S-1-5-18", 18 },
        { "S-1-5-0", 0 },
        { "S-1-5-1000", 1000 },
        { "S-1-5-32-544", 544 },
        { "S-1-5-32-1000", 1000 },
        { "S-1-1-0", 0x10100 },
        { "S-1-2-0", 0x10200 },
        { "S-1-3-0", 0x10300 },
        { "S-1-0-0", 0x10000 },
        { "S-1-0-65534", 65534 },
        { "S-1-0-65533", 0x10000 + 65533 },
        { "S-1-5-5-0-12345", 65534 },          /* logon SID */
        { "S-1-5-5-7", 65534 },
        { DOM "-1001", 197609 },
        { DOM "-513", 0x30000 + 513 },
        { DOM "-70000", 0x30000 + 70000 },      /* RID beyond the range: not round-trippable */
        { "S-1-5-21-1-2-3-1001", 65534 },       /* unknown domain */
        { DOM, 65534 },                         /* the domain itself */
        { DOM "-1001-1", 65534 },               /* 6 sub authorities */
        { "S-1-5-21-5", 0x15005 },              /* only 2: S-1-5-X-RID */
        { "S-1-5-21-1-2", 65534 },
        { "S-1-5-32-544-1", 65534 },
        { "S-1-5-9-5", 0x9005 },
        { "S-1-5-64-10", 0x4000a },
        { "S-1-16-8192", 0x62000 },
        { "S-1-16-1-2-3", 0x60003 },
        { "S-1-22-1-1000", 0x10000 + 0x1600 + 1000 }, /* no Unix-user scheme in WinFsp */
        { "S-1-22-2-1000", 0x10000 + 0x1600 + 1000 },
        { "S-1-200-5", 0x10000 + 200 * 0x100 + 5 },
        { "S-1-255-4294967295", 0x1feff },      /* wraps at 32 bits */
        { "S-1-5-4294967295", 65534 },           /* lands on -1: unmapped */
        { "S-1-0x010000000005-18", 18 },         /* only the low authority byte counts */
        { "S-1-15-2-1", 0x10f01 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t id = id_of(NULL, cases[i].sid);
        if (id != cases[i].id)
            fail_msg("%s: got 0x%x, want 0x%x", cases[i].sid, id, cases[i].id);
    }
}

static void sid_to_id_invalid(void **state)
{
    uint8_t sid[WF_SID_MAX_SIZE];
    size_t len;
    uint32_t id = 7;

    (void)state;
    assert_int_equal(wf_sid_from_string("S-1-5", sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(len, 8);
    assert_int_equal(wf_sid_to_id(NULL, sid, len, &id), STATUS_INVALID_SID);
    assert_int_equal(id, 65534);
    assert_int_equal(wf_sid_from_string("S-1-5-18", sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(wf_sid_to_id(NULL, sid, len - 1, &id), STATUS_INVALID_SID);
    sid[0] = 2;
    assert_int_equal(wf_sid_to_id(NULL, sid, len, &id), STATUS_INVALID_SID);
    assert_int_equal(wf_sid_to_id(NULL, NULL, 0, &id), STATUS_INVALID_SID);
}

/* What id -> SID -> id gives with the default map, by the documented rules. */
static uint32_t expected_round_trip(uint32_t id)
{
    if (id >= 1001 && id <= 0xfff)
        return 65534;
    if (id >= 0x5000 && id <= 0x5fff)
        return 65534;
    if (id >= 0x10500 && id <= 0x105ff)
        return id & 0xff;
    if (id >= 0x20000 && id <= 0x20fff)
        return id & 0xfff;
    if (id >= 0x100000)
        return 65534;
    return id;
}

static void check_round_trip(const wf_idmap *map, uint32_t id, uint32_t want)
{
    uint8_t sid[WF_SID_MAX_SIZE];
    size_t len;
    uint32_t back = 0;

    assert_int_equal(wf_sid_from_uid(map, id, sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(wf_sid_to_id(map, sid, len, &back), STATUS_SUCCESS);
    if (back != want)
        fail_msg("id 0x%x -> 0x%x, want 0x%x", id, back, want);
}

static void uid_round_trip_exhaustive_low(void **state)
{
    (void)state;
    /* Every id of the structured part of the space. */
    for (uint32_t id = 0; id < 0x120000; id++)
        check_round_trip(NULL, id, expected_round_trip(id));
}

static void uid_round_trip_random(void **state)
{
    (void)state;
    rng_seed(0x5eed0001);
    for (int i = 0; i < 200000; i++) {
        uint32_t id = rng32();
        check_round_trip(NULL, id, expected_round_trip(id));
    }
    check_round_trip(NULL, 0xfeffffff, 65534);
    check_round_trip(NULL, 0xff000000, 65534);
    check_round_trip(NULL, 0xffffffff, 65534);
}

static void idmap_domains(void **state)
{
    wf_idmap map;
    wf_idmap_domain dom;
    char text[WF_SID_MAX_STRING];
    uint8_t sid[WF_SID_MAX_SIZE];
    size_t len;

    (void)state;
    wf_idmap_init(&map);
    assert_int_equal(wf_sid_from_string("S-1-5-21-1-2-3", sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(wf_idmap_domain_from_sid(sid, len, &dom), STATUS_SUCCESS);
    assert_int_equal(dom.sub[0], 1);
    assert_int_equal(dom.sub[2], 3);
    map.primary_domain = dom;
    map.has_primary_domain = true;

    /* Primary domain: 0x100000 + RID, both ways. */
    sid_text(&map, 0x100000 + 500, text, sizeof text);
    assert_string_equal(text, "S-1-5-21-1-2-3-500");
    check_round_trip(&map, 0x100000 + 500, 0x100000 + 500);
    check_round_trip(&map, 0x2fffff, 0x2fffff);
    /* Without trusted domains the primary one covers everything up to 0xff000000. */
    check_round_trip(&map, 0xfe000000, 0xfe000000);
    check_round_trip(&map, 0xff000000, 65534);
    /* The account domain still works beside it. */
    check_round_trip(&map, 197609, 197609);

    /* Trusted domains take ids from 0x300000 on, by largest offset <= id. */
    wf_idmap_domain t1 = { { 4, 5, 6 }, 0x400000 };
    wf_idmap_domain t2 = { { 7, 8, 9 }, 0x10 }; /* wrong: becomes 0xfe500000 */
    assert_int_equal(wf_idmap_add_trusted(&map, &t1), STATUS_SUCCESS);
    assert_int_equal(wf_idmap_add_trusted(&map, &t2), STATUS_SUCCESS);
    assert_int_equal(map.trusted[1].posix_offset, 0xfe500000);
    sid_text(&map, 0x400007, text, sizeof text);
    assert_string_equal(text, "S-1-5-21-4-5-6-7");
    check_round_trip(&map, 0x400007, 0x400007);
    sid_text(&map, 0xfe500003, text, sizeof text);
    assert_string_equal(text, "S-1-5-21-7-8-9-3");
    check_round_trip(&map, 0xfe500003, 0xfe500003);
    sid_text(&map, 0x300005, text, sizeof text); /* below every trusted offset */
    assert_string_equal(text, "S-1-0-65534");
    check_round_trip(&map, 0x100005, 0x100005); /* below 0x300000: still primary */
    assert_int_equal(id_of(&map, "S-1-5-21-4-5-6-4294967295"), 0x3fffff);

    for (int i = 2; i < WF_IDMAP_MAX_TRUSTED; i++)
        assert_int_equal(wf_idmap_add_trusted(&map, &t1), STATUS_SUCCESS);
    assert_int_equal(wf_idmap_add_trusted(&map, &t1), STATUS_INSUFFICIENT_RESOURCES);

    /* A domain controller: primary == account, and primary wins back. */
    wf_idmap_init(&map);
    map.has_primary_domain = true;
    map.primary_domain = map.account_domain;
    check_round_trip(&map, 0x30000 + 5, 0x100000 + 5);

    /* No account domain: its range is unmapped. */
    wf_idmap_init(&map);
    map.has_account_domain = false;
    sid_text(&map, 197609, text, sizeof text);
    assert_string_equal(text, "S-1-0-65534");
    assert_int_equal(id_of(&map, DOM "-1001"), 65534);

    /* domain_from_sid wants exactly S-1-5-21-X-Y-Z */
    assert_int_equal(wf_sid_from_string("S-1-5-21-1-2", sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(wf_idmap_domain_from_sid(sid, len, &dom), STATUS_INVALID_SID);
    assert_int_equal(wf_sid_from_string("S-1-5-22-1-2-3", sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(wf_idmap_domain_from_sid(sid, len, &dom), STATUS_INVALID_SID);
}

static void idmap_overrides(void **state)
{
    wf_idmap map;
    uint8_t sid[WF_SID_MAX_SIZE];
    size_t len;
    char text[WF_SID_MAX_STRING];
    static const char *big = "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15";

    (void)state;
    wf_idmap_init(&map);
    assert_int_equal(wf_sid_from_string("S-1-5-21-9-9-9-1000", sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(wf_idmap_add_override(&map, 1000, sid, len), STATUS_SUCCESS);
    sid_text(&map, 1000, text, sizeof text);
    assert_string_equal(text, "S-1-5-21-9-9-9-1000");
    assert_int_equal(id_of(&map, "S-1-5-21-9-9-9-1000"), 1000);
    /* the scheme's own SID for 1000 still maps back by the scheme */
    assert_int_equal(id_of(&map, "S-1-5-1000"), 1000);

    assert_int_equal(wf_sid_from_string(big, sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(len, WF_SID_MAX_SIZE);
    assert_int_equal(wf_idmap_add_override(&map, 4242, sid, len), STATUS_SUCCESS);
    sid_text(&map, 4242, text, sizeof text);
    assert_string_equal(text, big);
    assert_int_equal(id_of(&map, big), 4242);
    assert_int_equal(wf_idmap_add_override(&map, 1, sid, len - 1), STATUS_INVALID_SID);

    /* The biggest descriptor: both SIDs at their maximum. */
    assert_int_equal(wf_idmap_add_override(&map, 4243, sid, len), STATUS_SUCCESS);
    map.overrides[2].sid[WF_SID_HEADER_SIZE] = 99; /* a different 15-part SID */
    uint8_t sd[WF_SD_POSIX_MAX_SIZE + 8];
    size_t sd_len;
    uint32_t uid = 0, gid = 0, mode = 0;
    assert_int_equal(wf_sd_from_posix(&map, 4242, 4243, 0047, sd, sizeof sd, &sd_len), STATUS_SUCCESS);
    assert_int_equal(sd_len, WF_SD_POSIX_MAX_SIZE);
    assert_int_equal(wf_sd_to_posix(&map, sd, sd_len, &uid, &gid, &mode), STATUS_SUCCESS);
    assert_int_equal(uid, 4242);
    assert_int_equal(gid, 4243);
    assert_int_equal(mode, 0047);

    for (uint32_t i = map.override_count; i < WF_IDMAP_MAX_OVERRIDES; i++)
        assert_int_equal(wf_idmap_add_override(&map, 5000 + i, sid, len), STATUS_SUCCESS);
    assert_int_equal(wf_idmap_add_override(&map, 6000, sid, len), STATUS_INSUFFICIENT_RESOURCES);
}

/* ---- SID text ---- */

static void sid_strings(void **state)
{
    static const struct {
        const char *in, *out;
    } good[] = {
        { "S-1-5-18", "S-1-5-18" },
        { "s-1-5-18", "S-1-5-18" },
        { "S-1-5", "S-1-5" },
        { "S-1-0", "S-1-0" },
        { "S-1-5-0018", "S-1-5-18" },
        { "S-1-0x5-18", "S-1-5-18" },
        { "S-1-0X00000000000F-1", "S-1-15-1" },
        { "S-1-4294967295-1", "S-1-4294967295-1" },
        { "S-1-4294967296-1", "S-1-0x000100000000-1" },
        { "S-1-281474976710655", "S-1-0xffffffffffff" },
        { "S-1-0x123456789abc-1", "S-1-0x123456789abc-1" },
        { "S-1-5-4294967295", "S-1-5-4294967295" },
        { "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15", "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15" },
        { "S-1-0x100000000000-4294967295-4294967295-4294967295-4294967295-4294967295-4294967295-"
          "4294967295-4294967295-4294967295-4294967295-4294967295-4294967295-4294967295-"
          "4294967295-4294967295", NULL },
    };
    static const char *bad[] = {
        "", "S", "S-", "S-1", "S-1-", "S-2-5-18", "S-11-5-18", "S-1-5-", "S-1-5-18-",
        "S-1-5--1", "S-1-5-4294967296", "S-1-281474976710656", "S-1-0x1234567890abc",
        "S-1-0x", "S-1-0x-1", "S-1-x5", "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
        "S-1-5-18x", " S-1-5-18", "S-1-5-18 ", "S-1--5", "X-1-5-18", "S_1_5_18", "S-1-+5",
        "S-1-5-+18", "S-1-5-18\n",
    };
    uint8_t sid[WF_SID_MAX_SIZE];
    char text[WF_SID_MAX_STRING];
    size_t len, needed;

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (wf_sid_from_string(good[i].in, sid, sizeof sid, &len) != STATUS_SUCCESS)
            fail_msg("rejected %s", good[i].in);
        assert_int_equal(wf_sid_to_string(sid, len, text, sizeof text, &needed), STATUS_SUCCESS);
        if (good[i].out)
            assert_string_equal(text, good[i].out);
        else
            assert_int_equal(needed, WF_SID_MAX_STRING); /* the longest there is */
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (wf_sid_from_string(bad[i], sid, sizeof sid, &len) != STATUS_INVALID_SID)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(wf_sid_from_string(NULL, sid, sizeof sid, &len), STATUS_INVALID_SID);

    /* Buffers: too small reports the size. */
    assert_int_equal(wf_sid_from_string("S-1-5-32-544", NULL, 0, &len), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(len, 16);
    assert_int_equal(wf_sid_from_string("S-1-5-32-544", sid, 15, &len), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(wf_sid_from_string("S-1-5-32-544x", NULL, 0, &len), STATUS_INVALID_SID);
    assert_int_equal(wf_sid_from_string("S-1-5-32-544", sid, 16, &len), STATUS_SUCCESS);
    assert_int_equal(wf_sid_to_string(sid, len, text, 12, &needed), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(needed, 13);
    assert_int_equal(wf_sid_to_string(sid, len, text, 13, &needed), STATUS_SUCCESS);
    assert_string_equal(text, "S-1-5-32-544");
    assert_int_equal(wf_sid_to_string(sid, len - 1, text, sizeof text, &needed), STATUS_INVALID_SID);

    /* Prefix parse: stops at the end of the SID. */
    size_t consumed;
    assert_int_equal(wf_sid_parse("S-1-5-32-544D:(", 15, &consumed, sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(consumed, 12);
    assert_int_equal(wf_sid_parse("S-1-5-32-544-", 13, &consumed, sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(consumed, 12);
    assert_int_equal(wf_sid_parse("S-1-5-32-544", 8, &consumed, sid, sizeof sid, &len), STATUS_SUCCESS);
    assert_int_equal(consumed, 8); /* "S-1-5-32" */
    assert_int_equal(len, 12);
}

static void sid_basics(void **state)
{
    uint8_t a[WF_SID_MAX_SIZE], b[WF_SID_MAX_SIZE];
    size_t la, lb;

    (void)state;
    assert_true(wf_sid_valid(wf_sid_world, sizeof wf_sid_world));
    assert_false(wf_sid_valid(wf_sid_world, sizeof wf_sid_world - 1));
    assert_false(wf_sid_valid(NULL, 12));
    assert_int_equal(wf_sid_length(wf_sid_administrators), 16);
    assert_true(wf_sid_equal(wf_sid_world, wf_sid_world));
    assert_false(wf_sid_equal(wf_sid_world, wf_sid_system));
    assert_false(wf_sid_equal(wf_sid_system, wf_sid_administrators));

    wf_sid_from_string("S-1-5-32-544", a, sizeof a, &la);
    assert_memory_equal(a, wf_sid_administrators, la);
    wf_sid_from_string("S-1-1-0", a, sizeof a, &la);
    assert_memory_equal(a, wf_sid_world, la);
    wf_sid_from_string("S-1-5-11", a, sizeof a, &la);
    assert_memory_equal(a, wf_sid_authenticated, la);
    wf_sid_from_string("S-1-0-65534", a, sizeof a, &la);
    assert_memory_equal(a, wf_sid_unmapped, la);
    wf_sid_from_string("S-1-5-18", a, sizeof a, &la);
    assert_memory_equal(a, wf_sid_system, la);

    /* byte layout: authority big-endian, sub authorities little-endian */
    wf_sid_from_string("S-1-0x0102030405-4278190080", b, sizeof b, &lb);
    static const uint8_t want[] = { 1, 1, 0, 1, 2, 3, 4, 5, 0, 0, 0, 0xff };
    assert_int_equal(lb, sizeof want);
    assert_memory_equal(b, want, lb);

    /* random binary SIDs: bytes -> text -> bytes */
    rng_seed(42);
    for (int i = 0; i < 20000; i++) {
        uint8_t sid[WF_SID_MAX_SIZE], back[WF_SID_MAX_SIZE];
        char text[WF_SID_MAX_STRING];
        size_t needed, len2;
        unsigned count = (unsigned)(rng() % 16);
        sid[0] = 1;
        sid[1] = (uint8_t)count;
        for (size_t k = 2; k < 8 + 4 * count; k++)
            sid[k] = (uint8_t)rng();
        if (rng() % 2)
            sid[2] = sid[3] = 0;
        assert_int_equal(wf_sid_to_string(sid, 8 + 4 * count, text, sizeof text, &needed), STATUS_SUCCESS);
        assert_int_equal(wf_sid_from_string(text, back, sizeof back, &len2), STATUS_SUCCESS);
        assert_int_equal(len2, 8 + 4 * count);
        assert_memory_equal(back, sid, len2);
    }
}

/* ---- mode -> SD ---- */

static void sddl_of_posix(const wf_idmap *map, uint32_t uid, uint32_t gid, uint32_t mode,
    char *text, size_t cap)
{
    uint8_t sd[WF_SD_POSIX_MAX_SIZE];
    size_t len, needed;

    assert_int_equal(wf_sd_from_posix(map, uid, gid, mode, sd, sizeof sd, &len), STATUS_SUCCESS);
    assert_int_equal(wf_sd_validate(sd, len), STATUS_SUCCESS);
    assert_int_equal(wf_sddl_from_sd(sd, len, text, cap, &needed), STATUS_SUCCESS);
}

static void sd_from_posix_known(void **state)
{
    static const struct {
        uint32_t uid, gid, mode;
        const char *sddl;
    } cases[] = {
        { 197609, 197121, 0100644,
          "O:" DOM "-1001G:" DOM "-513D:P(A;;0x1f019f;;;" DOM "-1001)(A;;FR;;;" DOM "-513)(A;;FR;;;WD)" },
        { 197609, 197121, 0100755,
          "O:" DOM "-1001G:" DOM "-513D:P(A;;0x1f01bf;;;" DOM "-1001)(A;;0x1200a9;;;" DOM
          "-513)(A;;0x1200a9;;;WD)" },
        /* a directory: w includes FILE_DELETE_CHILD, so the owner gets exactly FA */
        { 197609, 197121, 0040755,
          "O:" DOM "-1001G:" DOM "-513D:P(A;;FA;;;" DOM "-1001)(A;;0x1200a9;;;" DOM
          "-513)(A;;0x1200a9;;;WD)" },
        /* sticky directory: only the owner may delete children */
        { 197609, 197121, 0041777,
          "O:" DOM "-1001G:" DOM "-513D:P(A;;FA;;;" DOM "-1001)(A;;0x1201af;;;" DOM
          "-513)(A;;0x1201af;;;WD)" },
        /* without sticky they may */
        { 197609, 197121, 0040777,
          "O:" DOM "-1001G:" DOM "-513D:P(A;;FA;;;" DOM "-1001)(A;;0x1201ef;;;" DOM
          "-513)(A;;0x1201ef;;;WD)" },
        /* chmod 577: the owner is denied the w the others have (WRITE_ATTRIBUTES kept) */
        { 197609, 197121, 0100577,
          "O:" DOM "-1001G:" DOM "-513D:P(A;;0x1f01b9;;;" DOM "-1001)(D;;DCLC;;;" DOM
          "-1001)(A;;0x1201af;;;" DOM "-513)(A;;0x1201af;;;WD)" },
        /* 0604 file: group denied r, owner fine; group deny keeps WRITE_ATTRIBUTES rule */
        { 197609, 197121, 0100604,
          "O:" DOM "-1001G:" DOM "-513D:P(A;;0x1f019f;;;" DOM "-1001)(A;;0x120088;;;" DOM
          "-513)(D;;CC;;;" DOM "-513)(A;;FR;;;WD)" },
        /* 0002 directory: w for the world, denied to owner and group, with DC */
        { 197609, 197121, 0040002,
          "O:" DOM "-1001G:" DOM "-513D:P(A;;0x1f0198;;;" DOM "-1001)(D;;DCLCDT;;;" DOM
          "-1001)(A;;0x120088;;;" DOM "-513)(D;;DCLCDTCR;;;" DOM "-513)(A;;0x1201ce;;;WD)" },
        /* root and SYSTEM as WinFsp maps them */
        { 0, 18, 0100600, "O:S-1-5-0G:SYD:P(A;;0x1f019f;;;S-1-5-0)(A;;0x120088;;;SY)(A;;0x120088;;;WD)" },
        /* same owner and group SID: still five (here three) distinct ACEs */
        { 544, 544, 0100750, "O:BAG:BAD:P(A;;0x1f01bf;;;BA)(A;;0x1200a9;;;BA)(A;;0x120088;;;WD)" },
        /* setuid/setgid leave no trace */
        { 544, 544, 0106750, "O:BAG:BAD:P(A;;0x1f01bf;;;BA)(A;;0x1200a9;;;BA)(A;;0x120088;;;WD)" },
        /* sticky on a file: no trace either */
        { 544, 545, 0101777, "O:BAG:BUD:P(A;;0x1f01bf;;;BA)(A;;0x1201af;;;BU)(A;;0x1201af;;;WD)" },
        /* block device (060000 has the 040000 bit): WinFsp treats it as a directory */
        { 544, 545, 0060666, "O:BAG:BUD:P(A;;0x1f01df;;;BA)(A;;0x1201cf;;;BU)(A;;0x1201cf;;;WD)" },
    };
    char text[2048];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sddl_of_posix(NULL, cases[i].uid, cases[i].gid, cases[i].mode, text, sizeof text);
        if (strcmp(text, cases[i].sddl))
            fail_msg("mode 0%o:\n got %s\nwant %s", cases[i].mode, text, cases[i].sddl);
    }
}

static uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void sd_from_posix_layout(void **state)
{
    uint8_t sd[WF_SD_POSIX_MAX_SIZE];
    size_t len, len2;

    (void)state;
    /* 0640: owner allow, group allow, world allow; SIDs 12 (SY) and 16 (BA) bytes */
    assert_int_equal(wf_sd_from_posix(NULL, 18, 544, 0100640, sd, sizeof sd, &len), STATUS_SUCCESS);
    size_t acl = 8 + (8 + 12) + (8 + 16) + (8 + 12);
    assert_int_equal(len, 20 + acl + 12 + 16);
    assert_int_equal(sd[0], 1);
    assert_int_equal(sd[1], 0);
    assert_int_equal(sd[2] | sd[3] << 8, 0x9004); /* SELF_RELATIVE | DACL_PROTECTED | DACL_PRESENT */
    assert_int_equal(rd32le(sd + 4), 20 + acl);
    assert_int_equal(rd32le(sd + 8), 20 + acl + 12);
    assert_int_equal(rd32le(sd + 12), 0);
    assert_int_equal(rd32le(sd + 16), 20);
    assert_int_equal(sd[20], 2);                       /* ACL_REVISION */
    assert_int_equal(sd[22] | sd[23] << 8, acl);
    assert_int_equal(sd[24] | sd[25] << 8, 3);
    assert_memory_equal(sd + 20 + acl, wf_sid_system, 12);
    assert_memory_equal(sd + 20 + acl + 12, wf_sid_administrators, 16);
    /* first ACE: allowed, no flags, 20 bytes, 0x1f019f, SY */
    static const uint8_t ace0[] = { 0, 0, 20, 0, 0x9f, 0x01, 0x1f, 0x00 };
    assert_memory_equal(sd + 28, ace0, sizeof ace0);
    assert_memory_equal(sd + 36, wf_sid_system, 12);

    /* buffers */
    assert_int_equal(wf_sd_from_posix(NULL, 18, 544, 0640, NULL, 0, &len2), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(len2, len);
    for (size_t cap = 0; cap < len; cap++) {
        uint8_t *tight = malloc(cap ? cap : 1);
        assert_int_equal(wf_sd_from_posix(NULL, 18, 544, 0640, tight, cap, &len2), STATUS_BUFFER_TOO_SMALL);
        assert_int_equal(len2, len);
        free(tight);
    }
    uint8_t *exact = malloc(len);
    assert_int_equal(wf_sd_from_posix(NULL, 18, 544, 0640, exact, len, &len2), STATUS_SUCCESS);
    assert_memory_equal(exact, sd, len);
    free(exact);
}

/* The documented round trip of mode -> SD -> mode. */
static uint32_t expected_mode(uint32_t mode, bool same_sid)
{
    uint32_t o = (mode >> 6) & 7, g = (mode >> 3) & 7, w = mode & 7;
    bool dir = (mode & 040000) != 0, sticky = (mode & 01000) != 0;

    if (same_sid) {
        uint32_t r = o << 6 | o << 3 | w;
        if (dir && sticky && (o & 2) && (w & 2))
            r |= 01000;
        return r;
    }
    uint32_t r = mode & 0777;
    if (dir && sticky && (o & 2) && ((g & 2) || (w & 2)))
        r |= 01000;
    return r;
}

static void mode_round_trip_all(void **state)
{
    static const struct {
        uint32_t uid, gid, back_uid, back_gid;
        bool same;
    } owners[] = {
        { 197609, 197121, 197609, 197121, false },
        { 0, 0x10100 + 0x200, 0, 0x10300, false },       /* root, S-1-3-0 */
        { 197609, 197609, 197609, 197609, true },
        { 2000, 3000, 65534, 65534, true },               /* both unmapped: same SID */
    };
    static const uint32_t types[] = { 0100000, 0040000, 0120000, 0020000, 0010000, 0060000, 0140000 };
    uint8_t sd[WF_SD_POSIX_MAX_SIZE];
    size_t len;

    (void)state;
    for (size_t o = 0; o < sizeof owners / sizeof owners[0]; o++)
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
            for (uint32_t perm = 0; perm < 010000; perm++) {
                uint32_t mode = types[t] | perm, uid = 1, gid = 2, back;
                assert_int_equal(wf_sd_from_posix(NULL, owners[o].uid, owners[o].gid, mode,
                    sd, sizeof sd, &len), STATUS_SUCCESS);
                assert_true(len <= WF_SD_POSIX_MAX_SIZE);
                assert_int_equal(wf_sd_to_posix(NULL, sd, len, &uid, &gid, &back), STATUS_SUCCESS);
                assert_int_equal(uid, owners[o].back_uid);
                assert_int_equal(gid, owners[o].back_gid);
                if (back != expected_mode(mode, owners[o].same))
                    fail_msg("owner set %zu mode 0%o -> 0%o, want 0%o", o, mode, back,
                        expected_mode(mode, owners[o].same));
            }
}

/* ---- SD -> mode for descriptors Windows makes ---- */

static NTSTATUS posix_of_sddl(const char *sddl, uint32_t *uid, uint32_t *gid, uint32_t *mode)
{
    uint8_t sd[4096];
    size_t len;

    assert_int_equal(wf_sddl_to_sd(sddl, sd, sizeof sd, &len), STATUS_SUCCESS);
    /* an exact-size copy, so that reading past it is caught */
    uint8_t *copy = malloc(len);
    memcpy(copy, sd, len);
    NTSTATUS st = wf_sd_to_posix(NULL, copy, len, uid, gid, mode);
    free(copy);
    return st;
}

static void sd_to_posix_windows(void **state)
{
    static const struct {
        const char *sddl;
        uint32_t uid, gid, mode;
    } cases[] = {
        { "O:BAG:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;WD)", 544, 544, 0775 },
        { "O:BAG:SYD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;WD)", 544, 18, 0775 },
        { "O:BAG:SYD:", 544, 18, 0 },                        /* empty DACL: nothing */
        { "O:BAG:SY", 544, 18, 0777 },                       /* no DACL: everything */
        { "O:BAG:SYD:NO_ACCESS_CONTROL", 544, 18, 0777 },    /* NULL DACL: everything */
        { "O:BAG:SYD:(A;;GA;;;WD)", 544, 18, 0777 },
        { "O:BAG:SYD:(A;;FA;;;WD)", 544, 18, 0777 },
        { "O:BAG:SYD:(A;;FA;;;AU)", 544, 18, 0777 },         /* Authenticated Users = everyone */
        { "O:BAG:BUD:(A;;GRGX;;;BA)(A;;GR;;;BU)", 544, 545, 0540 },
        { "O:BAG:BUD:(A;;GW;;;BA)", 544, 545, 0200 },
        { "O:BAG:BUD:(A;;0x2;;;BA)", 544, 545, 0 },          /* WRITE_DATA without APPEND: no w */
        { "O:BAG:BUD:(A;;0x6;;;BA)", 544, 545, 0200 },
        { "O:BUG:BUD:(D;;FW;;;WD)(A;;FA;;;WD)", 545, 545, 0555 },
        /* deny after allow changes nothing already allowed */
        { "O:BUG:BUD:(A;;FA;;;WD)(D;;FW;;;WD)", 545, 545, 0777 },
        { "O:" DOM "-1001G:" DOM "-513D:(A;;FR;;;" DOM "-1001)(A;;GR;;;AU)", 197609, 197121, 0444 },
        /* the owner may delete children, the writing group may not: sticky */
        { "O:" DOM "-1001G:" DOM "-513D:(A;;FA;;;" DOM "-1001)(A;;0x1201af;;;" DOM "-513)",
          197609, 197121, 01770 },
        /* WinFsp ignores ACE flags, inherit-only included */
        { "O:BAG:SYD:(A;OICIIO;FA;;;BA)", 544, 18, 0700 },
        /* a real inherited directory DACL */
        { "O:BAG:SYD:AI(D;OICI;FA;;;BG)(A;;FA;;;BA)(A;OICIID;FA;;;BA)(A;OICIID;FA;;;SY)"
          "(A;OICIIOID;GA;;;CO)(A;OICIID;0x1200a9;;;BU)(A;CIID;LC;;;BU)(A;CIID;DC;;;BU)",
          544, 18, 0770 },
        /* audit ACEs in the SACL are not looked at */
        { "O:BAG:SYD:(A;;FR;;;WD)S:(AU;SAFA;FA;;;WD)", 544, 18, 0444 },
        { "O:S-1-0-65534G:S-1-0-65534D:(A;;FA;;;S-1-0-65534)", 65534, 65534, 0770 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t uid = 1, gid = 2, mode = 3;
        assert_int_equal(posix_of_sddl(cases[i].sddl, &uid, &gid, &mode), STATUS_SUCCESS);
        if (uid != cases[i].uid || gid != cases[i].gid || mode != cases[i].mode)
            fail_msg("%s: got %u %u 0%o, want %u %u 0%o", cases[i].sddl, uid, gid, mode,
                cases[i].uid, cases[i].gid, cases[i].mode);
    }
}

static void sd_to_posix_no_owner(void **state)
{
    uint32_t uid, gid, mode;

    (void)state;
    /* No owner: *uid is kept, and ACE SIDs are compared by their ids. */
    uid = 197609;
    gid = 99;
    assert_int_equal(posix_of_sddl("G:BUD:(A;;FA;;;" DOM "-1001)(A;;FR;;;BU)", &uid, &gid, &mode),
        STATUS_SUCCESS);
    assert_int_equal(uid, 197609);
    assert_int_equal(gid, 545);
    assert_int_equal(mode, 0740);

    /* No group either: the group ACE is found by id too. */
    uid = 197609;
    gid = 545;
    assert_int_equal(posix_of_sddl("D:(A;;FA;;;" DOM "-1001)(A;;FR;;;BU)", &uid, &gid, &mode),
        STATUS_SUCCESS);
    assert_int_equal(uid, 197609);
    assert_int_equal(gid, 545);
    assert_int_equal(mode, 0740);

    /* ...and an ACE SID that is not theirs matches neither. */
    uid = 1000;
    gid = 1000;
    assert_int_equal(posix_of_sddl("D:(A;;FA;;;BA)", &uid, &gid, &mode), STATUS_SUCCESS);
    assert_int_equal(mode, 0);
    uid = 544;
    assert_int_equal(posix_of_sddl("D:(A;;FA;;;BA)", &uid, &gid, &mode), STATUS_SUCCESS);
    assert_int_equal(mode, 0700);

    /* Unmapped ACE SIDs are id 65534, and so is an unmapped owner. */
    uid = 65534;
    gid = 1;
    assert_int_equal(posix_of_sddl("D:(A;;FR;;;S-1-5-21-1-2-3-4)", &uid, &gid, &mode), STATUS_SUCCESS);
    assert_int_equal(mode, 0400);

    /* Owner or group without sub authorities: WinFsp's STATUS_INVALID_SID. */
    assert_int_equal(posix_of_sddl("O:S-1-5G:BA", &uid, &gid, &mode), STATUS_INVALID_SID);
    assert_int_equal(posix_of_sddl("O:BAG:S-1-5", &uid, &gid, &mode), STATUS_INVALID_SID);
    /* An ACE SID without them is just nobody's. */
    uid = 1;
    gid = 2;
    assert_int_equal(posix_of_sddl("D:(A;;FA;;;S-1-5)", &uid, &gid, &mode), STATUS_SUCCESS);
    assert_int_equal(mode, 0);
    /* ...unless the caller's id is the -1 WinFsp's failed lookup leaves. */
    uid = 0xffffffff;
    assert_int_equal(posix_of_sddl("D:(A;;FA;;;S-1-5)", &uid, &gid, &mode), STATUS_SUCCESS);
    assert_int_equal(mode, 0700);
}

/* A descriptor built by hand: ACE types that are not allowed/denied are skipped. */
static void sd_to_posix_other_aces(void **state)
{
    uint8_t sd[256];
    size_t n = 0;
    uint32_t uid = 0, gid = 0, mode = 0;

    (void)state;
    memset(sd, 0, sizeof sd);
    sd[0] = 1;
    sd[2] = 0x04;
    sd[3] = 0x80; /* SELF_RELATIVE | DACL_PRESENT */
    sd[16] = 20;  /* DACL at 20 */
    n = 20;
    uint8_t *acl = sd + n;
    acl[0] = 4; /* ACL_REVISION_DS */
    n += 8;
    /* an object ACE (type 5) with an opaque 28-byte body */
    sd[n] = 5;
    sd[n + 2] = 32;
    memset(sd + n + 4, 0xee, 28);
    n += 32;
    /* a callback ACE (type 9): mask + SID + application data */
    sd[n] = 9;
    sd[n + 2] = 24;
    sd[n + 4] = 0xff;
    memcpy(sd + n + 8, wf_sid_world, 12);
    n += 24;
    /* an allowed ACE with trailing padding: 8 + 12 + 4 */
    sd[n] = 0;
    sd[n + 2] = 24;
    sd[n + 4] = 0x89;
    sd[n + 6] = 0x12; /* FR */
    memcpy(sd + n + 8, wf_sid_world, 12);
    n += 24;
    acl[2] = (uint8_t)(n - 20);
    acl[4] = 3;
    assert_int_equal(wf_sd_to_posix(NULL, sd, n, &uid, &gid, &mode), STATUS_SUCCESS);
    assert_int_equal(mode, 0444);
    /* a "SID" in a type-9 ACE is not checked... */
    sd[n - 48 + 8 + 1] = 15;
    assert_int_equal(wf_sd_to_posix(NULL, sd, n, &uid, &gid, &mode), STATUS_SUCCESS);
    assert_int_equal(mode, 0444);
    /* ...one in a type-0 ACE is: two sub authorities fit the padding, three do not */
    sd[n - 24 + 8 + 1] = 2;
    assert_int_equal(wf_sd_to_posix(NULL, sd, n, &uid, &gid, &mode), STATUS_SUCCESS);
    assert_int_equal(mode, 0);
    sd[n - 24 + 8 + 1] = 3;
    assert_int_equal(wf_sd_to_posix(NULL, sd, n, &uid, &gid, &mode), STATUS_INVALID_SECURITY_DESCR);
}

/* ---- malformed descriptors ---- */

/*
 * An independent statement of what a valid self-relative descriptor is,
 * used as the oracle for the fuzz tests.
 */
static bool ref_sid_ok(const uint8_t *sd, size_t len, uint64_t off)
{
    if (off < 20 || off + 8 > len)
        return false;
    if (sd[off] != 1 || sd[off + 1] > 15)
        return false;
    return off + 8 + 4ull * sd[off + 1] <= len;
}

static bool ref_acl_ok(const uint8_t *sd, size_t len, uint64_t off)
{
    if (off < 20 || off + 8 > len)
        return false;
    uint64_t size = sd[off + 2] | (uint64_t)sd[off + 3] << 8;
    uint64_t count = sd[off + 4] | (uint64_t)sd[off + 5] << 8;
    if (sd[off] != 2 && sd[off] != 3 && sd[off] != 4)
        return false;
    if (size < 8 || off + size > len)
        return false;
    uint64_t at = off + 8, end = off + size;
    for (uint64_t i = 0; i < count; i++) {
        if (at + 4 > end)
            return false;
        uint64_t ace = sd[at + 2] | (uint64_t)sd[at + 3] << 8;
        if (ace < 4 || at + ace > end)
            return false;
        uint8_t t = sd[at];
        if (t == 0 || t == 1 || t == 2 || t == 3 || t == 0x11 || t == 0x13 || t == 0x14) {
            if (ace < 16)
                return false;
            if (sd[at + 8] != 1 || sd[at + 9] > 15 || 16 + 4ull * sd[at + 9] > ace)
                return false;
        }
        at += ace;
    }
    return true;
}

static bool ref_sd_ok(const uint8_t *sd, size_t len)
{
    if (len < 20 || sd[0] != 1 || !(sd[3] & 0x80))
        return false;
    uint16_t control = (uint16_t)(sd[2] | sd[3] << 8);
    uint64_t owner = rd32le(sd + 4), group = rd32le(sd + 8);
    uint64_t sacl = rd32le(sd + 12), dacl = rd32le(sd + 16);
    if (owner && !ref_sid_ok(sd, len, owner))
        return false;
    if (group && !ref_sid_ok(sd, len, group))
        return false;
    if ((control & 0x10) && sacl && !ref_acl_ok(sd, len, sacl))
        return false;
    if ((control & 0x04) && dacl && !ref_acl_ok(sd, len, dacl))
        return false;
    return true;
}

/* Runs the parsers on an exact-size copy and checks them against the oracle. */
static void check_untrusted(const uint8_t *bytes, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    uint32_t uid = 5, gid = 6, mode = 7, nu, ng, nm;
    char text[16384];
    size_t needed;

    memcpy(copy, bytes, len);
    NTSTATUS st = wf_sd_to_posix(NULL, copy, len, &uid, &gid, &mode);
    bool ok = ref_sd_ok(bytes, len);
    if (!ok)
        assert_int_equal(st, STATUS_INVALID_SECURITY_DESCR);
    else {
        assert_true(st == STATUS_SUCCESS || st == STATUS_INVALID_SID);
        if (st == STATUS_SUCCESS)
            assert_int_equal(mode & ~01777u, 0);
    }
    assert_int_equal(wf_sd_validate(copy, len), ok ? STATUS_SUCCESS : STATUS_INVALID_SECURITY_DESCR);
    st = wf_sd_modify(NULL, 1, 2, 0100644, 7, copy, len, &nu, &ng, &nm);
    if (!ok)
        assert_int_equal(st, STATUS_INVALID_SECURITY_DESCR);
    st = wf_sddl_from_sd(copy, len, text, sizeof text, &needed);
    if (!ok)
        assert_int_equal(st, STATUS_INVALID_SECURITY_DESCR);
    else
        assert_true(st == STATUS_SUCCESS || st == STATUS_NOT_SUPPORTED);
    free(copy);
}

static void sd_malformed_specific(void **state)
{
    uint8_t good[WF_SD_POSIX_MAX_SIZE], sd[WF_SD_POSIX_MAX_SIZE];
    size_t len;
    uint32_t uid, gid, mode;

    (void)state;
    memset(sd, 0, sizeof sd);
    assert_int_equal(wf_sd_from_posix(NULL, 197609, 197121, 0100577, good, sizeof good, &len),
        STATUS_SUCCESS);
    uint32_t dacl = rd32le(good + 16), owner = rd32le(good + 4), group = rd32le(good + 8);
    assert_int_equal(dacl, 20);

#define CORRUPT(expr) do { \
        memcpy(sd, good, len); \
        expr; \
        check_untrusted(sd, len); \
        assert_int_equal(wf_sd_to_posix(NULL, sd, len, &uid, &gid, &mode), STATUS_INVALID_SECURITY_DESCR); \
    } while (0)
#define PUT32(at, v) do { sd[(at)] = (uint8_t)(v); sd[(at) + 1] = (uint8_t)((v) >> 8); \
        sd[(at) + 2] = (uint8_t)((v) >> 16); sd[(at) + 3] = (uint8_t)((v) >> 24); } while (0)

    CORRUPT(sd[0] = 0);
    CORRUPT(sd[0] = 2);
    CORRUPT(sd[3] &= 0x7f);                    /* absolute, not self-relative */
    CORRUPT(PUT32(4, 19));                     /* owner inside the header */
    CORRUPT(PUT32(4, 1));
    CORRUPT(PUT32(4, (uint32_t)len));          /* owner at the end */
    CORRUPT(PUT32(4, (uint32_t)len - 4));      /* owner truncated */
    CORRUPT(PUT32(4, 0xfffffff0));             /* offset + size overflows 32 bits */
    CORRUPT(PUT32(8, 0xffffffff));
    CORRUPT(sd[owner] = 2);                    /* SID revision */
    CORRUPT(sd[owner + 1] = 16);               /* too many sub authorities */
    CORRUPT(sd[group + 1] = 6);                /* group runs past the end */
    CORRUPT(PUT32(16, (uint32_t)len - 4));     /* DACL header past the end */
    CORRUPT(PUT32(16, 12));
    CORRUPT(sd[dacl] = 1);                     /* ACL revision */
    CORRUPT(sd[dacl] = 5);
    CORRUPT(sd[dacl + 2] = 7; sd[dacl + 3] = 0);      /* AclSize below its header */
    CORRUPT(sd[dacl + 2] = 0xff; sd[dacl + 3] = 0xff); /* AclSize past the end */
    CORRUPT(sd[dacl + 4] = 6);                 /* one ACE more than there is */
    CORRUPT(sd[dacl + 4] = 0xff; sd[dacl + 5] = 0xff);
    CORRUPT(sd[dacl + 8 + 2] = 3);             /* ACE smaller than its header */
    CORRUPT(sd[dacl + 8 + 2] = 0xf0);          /* ACE past the ACL */
    CORRUPT(sd[dacl + 8 + 2] = 8);             /* allowed ACE without a SID */
    CORRUPT(sd[dacl + 8 + 2] = 12);            /* ...or with half of one */
    CORRUPT(sd[dacl + 8 + 9] = 15);            /* ACE SID larger than the ACE */
    CORRUPT(sd[dacl + 8 + 8] = 0);             /* ACE SID revision */
    /* SACL present and bad */
    CORRUPT(sd[2] |= 0x10; PUT32(12, 3));
    CORRUPT(sd[2] |= 0x10; PUT32(12, (uint32_t)len));

    /* Offsets that are set without their PRESENT bit are ignored. */
    memcpy(sd, good, len);
    PUT32(12, 0xffffffff);
    assert_int_equal(wf_sd_to_posix(NULL, sd, len, &uid, &gid, &mode), STATUS_SUCCESS);
    sd[2] &= (uint8_t)~0x04; /* DACL no longer present: everything allowed */
    assert_int_equal(wf_sd_to_posix(NULL, sd, len, &uid, &gid, &mode), STATUS_SUCCESS);
    assert_int_equal(mode, 0777);

    /* Every truncation of a valid descriptor is invalid (the group is last). */
    for (size_t cut = 0; cut < len; cut++) {
        check_untrusted(good, cut);
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, good, cut);
        assert_int_equal(wf_sd_to_posix(NULL, copy, cut, &uid, &gid, &mode), STATUS_INVALID_SECURITY_DESCR);
        free(copy);
    }
    assert_int_equal(wf_sd_to_posix(NULL, NULL, 0, &uid, &gid, &mode), STATUS_INVALID_SECURITY_DESCR);
    /* Extra bytes after a valid descriptor are fine. */
    memcpy(sd, good, len);
    assert_int_equal(wf_sd_to_posix(NULL, sd, len + 8 <= sizeof sd ? len + 8 : len, &uid, &gid, &mode),
        STATUS_SUCCESS);
#undef CORRUPT
#undef PUT32
}

static void sd_fuzz_random(void **state)
{
    uint8_t buf[512];

    (void)state;
    rng_seed(0xf00d);
    for (int i = 0; i < 200000; i++) {
        size_t len = (size_t)(rng() % sizeof buf);
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)rng();
        /* Most of the time, a plausible header so the fuzz gets past it. */
        if (len >= 20 && rng() % 4) {
            buf[0] = 1;
            buf[3] |= 0x80;
            for (int f = 0; f < 4; f++)
                if (rng() % 3) {
                    uint32_t off = (uint32_t)(rng() % (len + 8));
                    buf[4 + 4 * f] = (uint8_t)off;
                    buf[5 + 4 * f] = (uint8_t)(off >> 8);
                    buf[6 + 4 * f] = 0;
                    buf[7 + 4 * f] = 0;
                    if (off + 8 <= len && f >= 2) {
                        buf[off] = (uint8_t)(2 + rng() % 3);
                        buf[off + 2] = (uint8_t)(rng() % (len - off + 1));
                        buf[off + 3] = 0;
                        buf[off + 4] = (uint8_t)(rng() % 4);
                        buf[off + 5] = 0;
                    } else if (off + 8 <= len) {
                        buf[off] = 1;
                        buf[off + 1] = (uint8_t)(rng() % 16);
                    }
                }
        }
        check_untrusted(buf, len);
    }
}

static void sd_fuzz_corrupt(void **state)
{
    static const char *seeds[] = {
        "O:BAG:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;WD)",
        "O:" DOM "-1001G:" DOM "-513D:AI(D;OICI;FA;;;BG)(A;OICIID;0x1200a9;;;BU)S:(AU;SAFA;FA;;;WD)(ML;;NW;;;ME)",
        "D:(A;;FA;;;WD)",
        "D:NO_ACCESS_CONTROL",
        "O:SYG:SY",
    };
    uint8_t good[1024], sd[1024];
    size_t len;

    (void)state;
    rng_seed(0xc0ffee);
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0] + 3; s++) {
        if (s < sizeof seeds / sizeof seeds[0])
            assert_int_equal(wf_sddl_to_sd(seeds[s], good, sizeof good, &len), STATUS_SUCCESS);
        else
            assert_int_equal(wf_sd_from_posix(NULL, (uint32_t)(s * 1000), 544, (uint32_t)(0141707 + s),
                good, sizeof good, &len), STATUS_SUCCESS);
        for (int i = 0; i < 40000; i++) {
            memcpy(sd, good, len);
            int flips = 1 + (int)(rng() % 4);
            for (int f = 0; f < flips; f++) {
                size_t at = (size_t)(rng() % len);
                switch (rng() % 4) {
                case 0: sd[at] = (uint8_t)rng(); break;
                case 1: sd[at] ^= (uint8_t)(1u << (rng() % 8)); break;
                case 2: sd[at] = 0; break;
                default: sd[at] = 0xff; break;
                }
            }
            size_t cut = rng() % 8 == 0 ? (size_t)(rng() % (len + 1)) : len;
            check_untrusted(sd, cut);
        }
    }
}

/* ---- SetSecurity ---- */

static void sd_modify_cases(void **state)
{
    uint8_t sd[1024];
    size_t len;
    uint32_t u, g, m;

    (void)state;
#define SD(s) assert_int_equal(wf_sddl_to_sd((s), sd, sizeof sd, &len), STATUS_SUCCESS)

    /* Owner only: the uid changes, nothing else. */
    SD("O:BAG:SYD:(A;;FA;;;WD)");
    assert_int_equal(wf_sd_modify(NULL, 197609, 197121, 0100640, OWNER_SECURITY_INFORMATION,
        sd, len, &u, &g, &m), STATUS_SUCCESS);
    assert_int_equal(u, 544);
    assert_int_equal(g, 197121);
    assert_int_equal(m, 0100640);
    /* Group only. */
    assert_int_equal(wf_sd_modify(NULL, 197609, 197121, 0100640, GROUP_SECURITY_INFORMATION,
        sd, len, &u, &g, &m), STATUS_SUCCESS);
    assert_int_equal(u, 197609);
    assert_int_equal(g, 18);
    assert_int_equal(m, 0100640);
    /* Nothing selected, or only bits we do not map. */
    assert_int_equal(wf_sd_modify(NULL, 1, 2, 0100640, SACL_SECURITY_INFORMATION | LABEL_SECURITY_INFORMATION,
        sd, len, &u, &g, &m), STATUS_SUCCESS);
    assert_true(u == 1 && g == 2 && m == 0100640);

    /* DACL: Everyone full control, setuid goes, the file type stays. */
    assert_int_equal(wf_sd_modify(NULL, 197609, 197121, 0106640, DACL_SECURITY_INFORMATION,
        sd, len, &u, &g, &m), STATUS_SUCCESS);
    assert_int_equal(u, 197609);
    assert_int_equal(g, 197121);
    assert_int_equal(m, 0100777);

    /* DACL naming the current owner: evaluated against the old uid's SID. */
    SD("D:(A;;FA;;;" DOM "-1001)(A;;FR;;;WD)");
    assert_int_equal(wf_sd_modify(NULL, 197609, 197121, 0100600, DACL_SECURITY_INFORMATION,
        sd, len, &u, &g, &m), STATUS_SUCCESS);
    assert_int_equal(m, 0100744);
    /* ...and the same DACL for a file of someone else. */
    assert_int_equal(wf_sd_modify(NULL, 544, 545, 0040600, DACL_SECURITY_INFORMATION,
        sd, len, &u, &g, &m), STATUS_SUCCESS);
    assert_int_equal(m, 0040444);

    /* Owner and DACL together: evaluated against the new owner. */
    SD("O:BAD:(A;;FA;;;BA)(A;;FR;;;" DOM "-1001)");
    assert_int_equal(wf_sd_modify(NULL, 197609, 197121, 0100600,
        OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, sd, len, &u, &g, &m), STATUS_SUCCESS);
    assert_int_equal(u, 544);
    assert_int_equal(m, 0100700);

    /* DACL selected but absent: no DACL is full access. */
    SD("O:BA");
    assert_int_equal(wf_sd_modify(NULL, 1, 2, 0100600, DACL_SECURITY_INFORMATION, sd, len, &u, &g, &m),
        STATUS_SUCCESS);
    assert_int_equal(m, 0100777);
    /* Group selected but absent. */
    assert_int_equal(wf_sd_modify(NULL, 1, 2, 0100600, GROUP_SECURITY_INFORMATION, sd, len, &u, &g, &m),
        STATUS_INVALID_PRIMARY_GROUP);
    SD("G:BA");
    assert_int_equal(wf_sd_modify(NULL, 1, 2, 0100600, OWNER_SECURITY_INFORMATION, sd, len, &u, &g, &m),
        STATUS_INVALID_OWNER);
    assert_true(u == 1 && g == 2 && m == 0100600);
    SD("O:S-1-5");
    assert_int_equal(wf_sd_modify(NULL, 1, 2, 0100600, OWNER_SECURITY_INFORMATION, sd, len, &u, &g, &m),
        STATUS_INVALID_SID);

    /* Invalid descriptor: nothing changes. */
    SD("O:BAG:SYD:(A;;FA;;;WD)");
    sd[0] = 9;
    assert_int_equal(wf_sd_modify(NULL, 1, 2, 0100600, 7, sd, len, &u, &g, &m), STATUS_INVALID_SECURITY_DESCR);
    assert_true(u == 1 && g == 2 && m == 0100600);

    /* Setting back what QuerySecurity returned keeps the mode (documented losses aside). */
    for (uint32_t perm = 0; perm < 01000; perm++) {
        uint8_t own[WF_SD_POSIX_MAX_SIZE];
        size_t own_len;
        assert_int_equal(wf_sd_from_posix(NULL, 197609, 197121, 0100000 | perm, own, sizeof own, &own_len),
            STATUS_SUCCESS);
        assert_int_equal(wf_sd_modify(NULL, 197609, 197121, 0100000 | perm, 7, own, own_len, &u, &g, &m),
            STATUS_SUCCESS);
        assert_true(u == 197609 && g == 197121);
        assert_int_equal(m, 0100000 | perm);
    }
#undef SD
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uid_known_sids),
        cmocka_unit_test(sid_known_ids),
        cmocka_unit_test(sid_to_id_invalid),
        cmocka_unit_test(uid_round_trip_exhaustive_low),
        cmocka_unit_test(uid_round_trip_random),
        cmocka_unit_test(idmap_domains),
        cmocka_unit_test(idmap_overrides),
        cmocka_unit_test(sid_strings),
        cmocka_unit_test(sid_basics),
        cmocka_unit_test(sd_from_posix_known),
        cmocka_unit_test(sd_from_posix_layout),
        cmocka_unit_test(mode_round_trip_all),
        cmocka_unit_test(sd_to_posix_windows),
        cmocka_unit_test(sd_to_posix_no_owner),
        cmocka_unit_test(sd_to_posix_other_aces),
        cmocka_unit_test(sd_malformed_specific),
        cmocka_unit_test(sd_fuzz_random),
        cmocka_unit_test(sd_fuzz_corrupt),
        cmocka_unit_test(sd_modify_cases),
    };
    return WF_RUN_TESTS(tests);
}
