/* The host layer the engine stands on: memory, locks, conditions, clocks. */
#include "wf_test.h"

#include <pthread.h>
#include <string.h>

#include "os/os.h"

static void alloc_is_zeroed(void **state)
{
    (void)state;
    unsigned char *p = wf_os_alloc(4096);
    assert_non_null(p);
    for (size_t i = 0; i < 4096; i++)
        assert_int_equal(p[i], 0);
    wf_os_free(p);
    wf_os_free(NULL);
}

static void cond_times_out(void **state)
{
    (void)state;
    wf_os_lock *lock = wf_os_lock_new();
    wf_os_cond *cond = wf_os_cond_new();
    uint64_t start = wf_os_monotonic_ns();

    wf_os_lock_acquire(lock);
    while (wf_os_cond_wait(cond, lock, 20 * 1000 * 1000))
        ; /* spurious wake-ups are allowed; only a timeout ends this */
    wf_os_lock_release(lock);
    assert_true(wf_os_monotonic_ns() - start >= 20u * 1000 * 1000);
    wf_os_cond_free(cond);
    wf_os_lock_free(lock);
}

struct handoff {
    wf_os_lock *lock;
    wf_os_cond *cond;
    int value;
};

static void *producer(void *arg)
{
    struct handoff *h = arg;
    wf_os_lock_acquire(h->lock);
    h->value = 42;
    wf_os_cond_broadcast(h->cond);
    wf_os_lock_release(h->lock);
    return NULL;
}

static void cond_wakes_waiter(void **state)
{
    (void)state;
    struct handoff h = {wf_os_lock_new(), wf_os_cond_new(), 0};
    pthread_t thread;

    wf_os_lock_acquire(h.lock);
    assert_int_equal(pthread_create(&thread, NULL, producer, &h), 0);
    while (h.value == 0)
        wf_os_cond_wait(h.cond, h.lock, -1);
    wf_os_lock_release(h.lock);
    pthread_join(thread, NULL);
    assert_int_equal(h.value, 42);
    wf_os_cond_free(h.cond);
    wf_os_lock_free(h.lock);
}

static void clocks_advance(void **state)
{
    (void)state;
    uint64_t a = wf_os_monotonic_ns(), b = wf_os_monotonic_ns();
    assert_true(b >= a);
    /* After 2020-01-01 and before 2200: a sane wall clock. */
    assert_true(wf_os_realtime_ns() > 1577836800LL * 1000000000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_is_zeroed),
        cmocka_unit_test(cond_times_out),
        cmocka_unit_test(cond_wakes_waiter),
        cmocka_unit_test(clocks_advance),
    };
    return WF_RUN_TESTS(tests);
}
