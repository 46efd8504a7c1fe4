/*
 * test_filetime.c - FILETIME <-> POSIX time: edges, clamps, round trips.
 */
#include "wf_test.h"

#include <string.h>

#include "engine/filetime.h"

#define DELTA 11644473600ll

/* Deterministic xorshift64*. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* The conversion done independently, in 128-bit arithmetic. */
static uint64_t model_from_unix(int64_t sec, uint32_t nsec)
{
    __int128 ticks;

    if (nsec > 999999999u)
        nsec = 999999999u;
    ticks = ((__int128)sec + DELTA) * 10000000 + nsec / 100;
    if (ticks < 0)
        return 0;
    if (ticks > (__int128)INT64_MAX)
        return (uint64_t)INT64_MAX;
    return (uint64_t)ticks;
}

static void check_to_unix(uint64_t ft, int64_t want_sec, uint32_t want_nsec)
{
    int64_t sec = 12345;
    uint32_t nsec = 12345;

    wf_filetime_to_unix(ft, &sec, &nsec);
    assert_int_equal(sec, want_sec);
    assert_int_equal(nsec, want_nsec);
}

static void constants(void **state)
{
    (void)state;
    assert_int_equal(WF_FILETIME_UNIX_EPOCH, (uint64_t)DELTA * 10000000u);
    assert_int_equal(WF_FILETIME_MAX, 0x7FFFFFFFFFFFFFFFull);
}

static void epoch_and_1601(void **state)
{
    (void)state;
    assert_int_equal(wf_filetime_from_unix(0, 0), WF_FILETIME_UNIX_EPOCH);
    check_to_unix(WF_FILETIME_UNIX_EPOCH, 0, 0);

    assert_int_equal(wf_filetime_from_unix(-DELTA, 0), 0);
    check_to_unix(0, -DELTA, 0);
    assert_int_equal(wf_filetime_from_unix(-DELTA, 100), 1);
    check_to_unix(1, -DELTA, 100);

    /* 2000-01-01 00:00:00 UTC, and one tick later. */
    assert_int_equal(wf_filetime_from_unix(946684800, 0), 125911584000000000ull);
    assert_int_equal(wf_filetime_from_unix(946684800, 100), 125911584000000001ull);
    check_to_unix(125911584000000001ull, 946684800, 100);
}

static void before_1970(void **state)
{
    (void)state;
    /* Half a second before the epoch: nsec counts forward from sec. */
    assert_int_equal(wf_filetime_from_unix(-1, 500000000), WF_FILETIME_UNIX_EPOCH - 5000000);
    check_to_unix(WF_FILETIME_UNIX_EPOCH - 5000000, -1, 500000000);
    /* One tick before the epoch. */
    assert_int_equal(wf_filetime_from_unix(-1, 999999900), WF_FILETIME_UNIX_EPOCH - 1);
    check_to_unix(WF_FILETIME_UNIX_EPOCH - 1, -1, 999999900);
    /* 1969-07-20 20:17:40 UTC. */
    assert_int_equal(wf_filetime_from_unix(-14182940, 0),
        WF_FILETIME_UNIX_EPOCH - 14182940ull * 10000000u);
}

static void before_1601_clamps_to_zero(void **state)
{
    (void)state;
    assert_int_equal(wf_filetime_from_unix(-DELTA - 1, 999999999), 0);
    assert_int_equal(wf_filetime_from_unix(-DELTA - 1, 0), 0);
    assert_int_equal(wf_filetime_from_unix(INT64_MIN, 0), 0);
    assert_int_equal(wf_filetime_from_unix(INT64_MIN, UINT32_MAX), 0);
}

static void nanoseconds_floor(void **state)
{
    (void)state;
    assert_int_equal(wf_filetime_from_unix(0, 99), WF_FILETIME_UNIX_EPOCH);
    assert_int_equal(wf_filetime_from_unix(0, 100), WF_FILETIME_UNIX_EPOCH + 1);
    assert_int_equal(wf_filetime_from_unix(0, 199), WF_FILETIME_UNIX_EPOCH + 1);
    assert_int_equal(wf_filetime_from_unix(0, 999999999), WF_FILETIME_UNIX_EPOCH + 9999999);
    assert_int_equal(wf_filetime_from_unix(-1, 99), WF_FILETIME_UNIX_EPOCH - 10000000);
}

static void nanoseconds_out_of_range_clamp(void **state)
{
    (void)state;
    assert_int_equal(wf_filetime_from_unix(0, 1000000000), WF_FILETIME_UNIX_EPOCH + 9999999);
    assert_int_equal(wf_filetime_from_unix(0, UINT32_MAX), WF_FILETIME_UNIX_EPOCH + 9999999);
    assert_int_equal(wf_filetime_from_unix(-1, UINT32_MAX), WF_FILETIME_UNIX_EPOCH - 1);
    /* Never past the second named. */
    assert_true(wf_filetime_from_unix(5, UINT32_MAX) < wf_filetime_from_unix(6, 0));
}

static void maximum(void **state)
{
    const int64_t max_sec = 922337203685ll - DELTA; /* INT64_MAX / 10^7 since 1601 */

    (void)state;
    /* The last representable tick: 922337203685 s and 4775807 ticks after 1601. */
    assert_int_equal(wf_filetime_from_unix(max_sec, 477580700), WF_FILETIME_MAX);
    assert_int_equal(wf_filetime_from_unix(max_sec, 477580799), WF_FILETIME_MAX);
    assert_int_equal(wf_filetime_from_unix(max_sec, 477580600), WF_FILETIME_MAX - 1);
    assert_int_equal(wf_filetime_from_unix(max_sec, 477580800), WF_FILETIME_MAX);
    assert_int_equal(wf_filetime_from_unix(max_sec, 999999999), WF_FILETIME_MAX);
    assert_int_equal(wf_filetime_from_unix(max_sec + 1, 0), WF_FILETIME_MAX);
    assert_int_equal(wf_filetime_from_unix(INT64_MAX, UINT32_MAX), WF_FILETIME_MAX);

    check_to_unix(WF_FILETIME_MAX, max_sec, 477580700);
    /* Above the maximum reads as the maximum. */
    check_to_unix(WF_FILETIME_MAX + 1, max_sec, 477580700);
    check_to_unix(UINT64_MAX, max_sec, 477580700);
}

static void random_filetime_round_trip_exact(void **state)
{
    (void)state;
    for (int i = 0; i < 200000; i++) {
        uint64_t ft = rng() & WF_FILETIME_MAX;
        int64_t sec;
        uint32_t nsec;

        /* Also near the ends and around the epoch. */
        if (i % 4 == 1)
            ft = rng() % 100000000000ull;
        else if (i % 4 == 2)
            ft = WF_FILETIME_MAX - rng() % 100000000000ull;
        else if (i % 4 == 3)
            ft = WF_FILETIME_UNIX_EPOCH - 50000000000ull + rng() % 100000000000ull;

        wf_filetime_to_unix(ft, &sec, &nsec);
        assert_true(nsec < 1000000000u);
        assert_int_equal(nsec % 100, 0);
        assert_int_equal(wf_filetime_from_unix(sec, nsec), ft);
    }
}

static void random_unix_round_trip_floors(void **state)
{
    const int64_t lo = -DELTA, hi = 922337203685ll - DELTA - 1;

    (void)state;
    for (int i = 0; i < 200000; i++) {
        int64_t sec = lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
        uint32_t nsec = (uint32_t)(rng() % 1000000000u);
        int64_t back_sec;
        uint32_t back_nsec;

        if (i % 2)
            sec = (int64_t)(rng() % 8000000000ull) - 4000000000ll;

        wf_filetime_to_unix(wf_filetime_from_unix(sec, nsec), &back_sec, &back_nsec);
        assert_int_equal(back_sec, sec);
        assert_int_equal(back_nsec, nsec - nsec % 100);
    }
}

/* Any input at all: the model's answer, in range, and ordered. */
static void random_any_input_matches_model(void **state)
{
    (void)state;
    for (int i = 0; i < 200000; i++) {
        int64_t sec = (int64_t)rng();
        uint32_t nsec = (uint32_t)rng();
        uint64_t ft;

        if (i % 3 == 1)
            sec >>= 24;
        else if (i % 3 == 2)
            sec >>= 40;

        ft = wf_filetime_from_unix(sec, nsec);
        assert_int_equal(ft, model_from_unix(sec, nsec));
        assert_true(ft <= WF_FILETIME_MAX);
        if (sec < INT64_MAX)
            assert_true(wf_filetime_from_unix(sec + 1, 0) >= ft);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constants),
        cmocka_unit_test(epoch_and_1601),
        cmocka_unit_test(before_1970),
        cmocka_unit_test(before_1601_clamps_to_zero),
        cmocka_unit_test(nanoseconds_floor),
        cmocka_unit_test(nanoseconds_out_of_range_clamp),
        cmocka_unit_test(maximum),
        cmocka_unit_test(random_filetime_round_trip_exact),
        cmocka_unit_test(random_unix_round_trip_floors),
        cmocka_unit_test(random_any_input_matches_model),
    };
    return WF_RUN_TESTS(tests);
}
