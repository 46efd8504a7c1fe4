/*
 * test_status.c - NTSTATUS <-> errno <-> Win32 translation.
 *
 * The status list is read from include/winfuse/ntstatus.h itself, so a
 * status added there without a row in status.c fails here.
 */
#include "wf_test.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "engine/status.h"
#include "winfuse/linux_abi.h"

/* ---- the header's statuses ---- */

typedef struct
{
    char name[64];
    NTSTATUS status;
} header_status;

static header_status header[512];
static size_t header_count;

/* tests/unit/test_status.c -> include/winfuse/ntstatus.h */
static void header_path(char *path, size_t size)
{
    const char *file = __FILE__;
    const char *end = strstr(file, "tests/unit/test_status.c");

    assert_non_null(end);
    assert_true((size_t)(end - file) + sizeof "include/winfuse/ntstatus.h" <= size);
    memcpy(path, file, (size_t)(end - file));
    strcpy(path + (end - file), "include/winfuse/ntstatus.h");
}

static int load_header(void **state)
{
    char path[4096], line[256];
    FILE *file;

    (void)state;
    header_path(path, sizeof path);
    file = fopen(path, "r");
    if (file == NULL)
        return -1;
    header_count = 0;
    while (fgets(line, sizeof line, file)) {
        char name[64];
        unsigned value;

        if (sscanf(line, "#define %63s WF_NTSTATUS(0x%x)", name, &value) != 2)
            continue;
        if (header_count == sizeof header / sizeof header[0])
            break;
        strcpy(header[header_count].name, name);
        header[header_count].status = (NTSTATUS)value;
        header_count++;
    }
    fclose(file);
    return header_count > 0 ? 0 : -1;
}

static void header_is_generous_and_sorted(void **state)
{
    (void)state;
    assert_true(header_count >= 150);
    assert_true(header_count < sizeof header / sizeof header[0]);
    for (size_t i = 1; i < header_count; i++)
        assert_true((uint32_t)header[i - 1].status < (uint32_t)header[i].status);
}

static void every_header_status_has_a_row(void **state)
{
    (void)state;
    for (size_t i = 0; i < header_count; i++) {
        const char *name = wf_status_name(header[i].status);

        if (name == NULL || strcmp(name, header[i].name) != 0)
            fail_msg("%s (0x%08X) has no row or the wrong one: %s", header[i].name,
                (unsigned)header[i].status, name ? name : "(null)");
    }
}

/* The macro values agree with the parsed ones: the header compiles as read. */
static void macros_match_header(void **state)
{
    static const struct { const char *name; NTSTATUS status; } some[] = {
        { "STATUS_SUCCESS", STATUS_SUCCESS },
        { "STATUS_PENDING", STATUS_PENDING },
        { "STATUS_BUFFER_OVERFLOW", STATUS_BUFFER_OVERFLOW },
        { "STATUS_ACCESS_DENIED", STATUS_ACCESS_DENIED },
        { "STATUS_OBJECT_NAME_NOT_FOUND", STATUS_OBJECT_NAME_NOT_FOUND },
        { "STATUS_FILE_TOO_LARGE", STATUS_FILE_TOO_LARGE },
    };

    (void)state;
    for (size_t i = 0; i < sizeof some / sizeof some[0]; i++) {
        size_t j;

        for (j = 0; j < header_count; j++)
            if (strcmp(header[j].name, some[i].name) == 0)
                break;
        assert_true(j < header_count);
        assert_int_equal((uint32_t)header[j].status, (uint32_t)some[i].status);
    }
    assert_true(STATUS_ACCESS_DENIED < 0);
    assert_int_equal((uint32_t)STATUS_ACCESS_DENIED, 0xC0000022u);
    assert_int_equal((uint32_t)STATUS_BUFFER_OVERFLOW, 0x80000005u);
    assert_int_equal((uint32_t)STATUS_NOTIFY_ENUM_DIR, 0x0000010Cu);
    assert_false(NT_SUCCESS(STATUS_BUFFER_OVERFLOW));
    assert_false(NT_SUCCESS(STATUS_NO_MORE_FILES));
    assert_true(NT_SUCCESS(STATUS_PENDING));
    assert_true(NT_SUCCESS(STATUS_REPARSE));
    assert_true(NT_SUCCESS(STATUS_OBJECT_NAME_EXISTS));
}

/* ---- names ---- */

static void names_and_format(void **state)
{
    char buf[WF_STATUS_FORMAT_MAX];

    (void)state;
    assert_string_equal(wf_status_name(STATUS_ACCESS_DENIED), "STATUS_ACCESS_DENIED");
    assert_string_equal(wf_status_name(STATUS_SUCCESS), "STATUS_SUCCESS");
    assert_null(wf_status_name((NTSTATUS)0xC0001234u));
    assert_null(wf_status_name((NTSTATUS)0x00000001u));

    assert_int_equal(wf_status_format(STATUS_SHARING_VIOLATION, buf, sizeof buf),
        strlen("STATUS_SHARING_VIOLATION"));
    assert_string_equal(buf, "STATUS_SHARING_VIOLATION");
    assert_int_equal(wf_status_format((NTSTATUS)0xC0ABCDEFu, buf, sizeof buf), 10);
    assert_string_equal(buf, "0xC0ABCDEF");
    assert_int_equal(wf_status_format((NTSTATUS)0x00000007u, buf, sizeof buf), 10);
    assert_string_equal(buf, "0x00000007");

    /* Truncation keeps a terminated prefix and still reports the full size. */
    memset(buf, 'x', sizeof buf);
    assert_int_equal(wf_status_format(STATUS_ACCESS_DENIED, buf, 5), 20);
    assert_string_equal(buf, "STAT");
    assert_int_equal(buf[5], 'x');
    memset(buf, 'x', sizeof buf);
    assert_int_equal(wf_status_format((NTSTATUS)0xC0ABCDEFu, buf, 1), 10);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'x');
    assert_int_equal(wf_status_format(STATUS_ACCESS_DENIED, NULL, 0), 20);

    for (size_t i = 0; i < header_count; i++)
        assert_true(wf_status_format(header[i].status, NULL, 0) < WF_STATUS_FORMAT_MAX);
}

/* ---- Win32 ---- */

static void win32_known(void **state)
{
    static const struct { NTSTATUS status; ULONG win32; } cases[] = {
        { STATUS_SUCCESS, 0 },
        { STATUS_PENDING, 997 },
        { STATUS_REPARSE, 741 },
        { STATUS_MORE_ENTRIES, 234 },
        { STATUS_NOTIFY_ENUM_DIR, 1022 },
        { STATUS_BUFFER_OVERFLOW, 234 },
        { STATUS_NO_MORE_FILES, 18 },
        { STATUS_NO_MORE_EAS, 259 },
        { STATUS_STOPPED_ON_SYMLINK, 681 },
        { STATUS_UNSUCCESSFUL, 31 },
        { STATUS_NOT_IMPLEMENTED, 1 },
        { STATUS_INVALID_HANDLE, 6 },
        { STATUS_INVALID_PARAMETER, 87 },
        { STATUS_NO_SUCH_FILE, 2 },
        { STATUS_INVALID_DEVICE_REQUEST, 1 },
        { STATUS_END_OF_FILE, 38 },
        { STATUS_NO_MEMORY, 8 },
        { STATUS_ACCESS_DENIED, 5 },
        { STATUS_BUFFER_TOO_SMALL, 122 },
        { STATUS_OBJECT_NAME_INVALID, 123 },
        { STATUS_OBJECT_NAME_NOT_FOUND, 2 },
        { STATUS_OBJECT_NAME_COLLISION, 183 },
        { STATUS_OBJECT_PATH_NOT_FOUND, 3 },
        { STATUS_OBJECT_PATH_SYNTAX_BAD, 161 },
        { STATUS_SHARING_VIOLATION, 32 },
        { STATUS_FILE_LOCK_CONFLICT, 33 },
        { STATUS_LOCK_NOT_GRANTED, 33 },
        { STATUS_DELETE_PENDING, 5 },
        { STATUS_PRIVILEGE_NOT_HELD, 1314 },
        { STATUS_DISK_FULL, 112 },
        { STATUS_INSUFFICIENT_RESOURCES, 1450 },
        { STATUS_MEDIA_WRITE_PROTECTED, 19 },
        { STATUS_FILE_IS_A_DIRECTORY, 5 },
        { STATUS_NOT_SUPPORTED, 50 },
        { STATUS_NOT_SAME_DEVICE, 17 },
        { STATUS_DIRECTORY_NOT_EMPTY, 145 },
        { STATUS_NOT_A_DIRECTORY, 267 },
        { STATUS_NAME_TOO_LONG, 206 },
        { STATUS_CANCELLED, 995 },
        { STATUS_CANNOT_DELETE, 5 },
        { STATUS_FILE_CLOSED, 6 },
        { STATUS_IO_DEVICE_ERROR, 1117 },
        { STATUS_NOT_A_REPARSE_POINT, 4390 },
        { STATUS_IO_TIMEOUT, 121 },
        { STATUS_CONNECTION_DISCONNECTED, 64 },
        { STATUS_TOO_MANY_LINKS, 1142 },
        { STATUS_DISK_QUOTA_EXCEEDED, 1295 },
        { STATUS_FILE_SYSTEM_LIMITATION, 665 },
        { STATUS_FILE_TOO_LARGE, 223 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (wf_win32_from_status(cases[i].status) != cases[i].win32)
            fail_msg("%s: expected %lu got %lu", wf_status_name(cases[i].status),
                (unsigned long)cases[i].win32,
                (unsigned long)wf_win32_from_status(cases[i].status));
}

static void win32_every_status_mapped(void **state)
{
    (void)state;
    for (size_t i = 0; i < header_count; i++) {
        ULONG e = wf_win32_from_status(header[i].status);

        if (e == WF_ERROR_MR_MID_NOT_FOUND || (e == 0) != (header[i].status == STATUS_SUCCESS))
            fail_msg("%s maps to Win32 %lu", header[i].name, (unsigned long)e);
    }
}

static void win32_rules_outside_the_table(void **state)
{
    (void)state;
    /* Unknown. */
    assert_int_equal(wf_win32_from_status((NTSTATUS)0xC0001234u), WF_ERROR_MR_MID_NOT_FOUND);
    assert_int_equal(wf_win32_from_status((NTSTATUS)0x00000001u), WF_ERROR_MR_MID_NOT_FOUND);
    /* Customer statuses pass through. */
    assert_int_equal(wf_win32_from_status((NTSTATUS)0xE0000001u), 0xE0000001u);
    assert_int_equal(wf_win32_from_status((NTSTATUS)0x20000000u), 0x20000000u);
    /* 0xD is 0xC. */
    assert_int_equal(wf_win32_from_status((NTSTATUS)0xD0000022u), 5);
    assert_int_equal(wf_win32_from_status((NTSTATUS)0xD0000034u), 2);
    /* Wrapped Win32 errors. */
    assert_int_equal(wf_win32_from_status((NTSTATUS)0xC0070020u), 32);
    assert_int_equal(wf_win32_from_status((NTSTATUS)0x80070005u), 5);
    assert_int_equal(wf_win32_from_status((NTSTATUS)0xC0010057u), 0x57);
    assert_int_equal(wf_win32_from_status((NTSTATUS)0x40070005u), WF_ERROR_MR_MID_NOT_FOUND);
}

/* ---- errno -> NTSTATUS ---- */

static void from_errno_expected(void **state)
{
    static const struct { int err; NTSTATUS status; } cases[] = {
        { 0, STATUS_SUCCESS },
        { EPERM, STATUS_ACCESS_DENIED },
        { ENOENT, STATUS_OBJECT_NAME_NOT_FOUND },
        { EINTR, STATUS_CANCELLED },
        { EIO, STATUS_IO_DEVICE_ERROR },
        { EBADF, STATUS_INVALID_HANDLE },
        { EAGAIN, STATUS_RETRY },
        { ENOMEM, STATUS_INSUFFICIENT_RESOURCES },
        { EACCES, STATUS_ACCESS_DENIED },
        { EBUSY, STATUS_SHARING_VIOLATION },
        { EEXIST, STATUS_OBJECT_NAME_COLLISION },
        { EXDEV, STATUS_NOT_SAME_DEVICE },
        { ENOTDIR, STATUS_NOT_A_DIRECTORY },
        { EISDIR, STATUS_FILE_IS_A_DIRECTORY },
        { EINVAL, STATUS_INVALID_PARAMETER },
        { EMFILE, STATUS_TOO_MANY_OPENED_FILES },
        { EFBIG, STATUS_FILE_TOO_LARGE },
        { ENOSPC, STATUS_DISK_FULL },
        { EROFS, STATUS_MEDIA_WRITE_PROTECTED },
        { EMLINK, STATUS_TOO_MANY_LINKS },
        { ERANGE, STATUS_BUFFER_TOO_SMALL },
        { ENAMETOOLONG, STATUS_NAME_TOO_LONG },
        { ENOSYS, STATUS_INVALID_DEVICE_REQUEST },
        { ENOTEMPTY, STATUS_DIRECTORY_NOT_EMPTY },
        { ELOOP, STATUS_REPARSE_POINT_NOT_RESOLVED },
        { ENODATA, STATUS_END_OF_FILE },
        { EOPNOTSUPP, STATUS_NOT_SUPPORTED },
        { ENOTCONN, STATUS_CONNECTION_DISCONNECTED },
        { ETIMEDOUT, STATUS_IO_TIMEOUT },
        { ESTALE, STATUS_FILE_INVALID },
        { EDQUOT, STATUS_DISK_QUOTA_EXCEEDED },
        { ECANCELED, STATUS_CANCELLED },
        { EHWPOISON, STATUS_IO_DEVICE_ERROR },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        NTSTATUS got = wf_status_from_errno(cases[i].err);

        if (got != cases[i].status) {
            char want[WF_STATUS_FORMAT_MAX], have[WF_STATUS_FORMAT_MAX];

            wf_status_format(cases[i].status, want, sizeof want);
            wf_status_format(got, have, sizeof have);
            fail_msg("errno %d: expected %s got %s", cases[i].err, want, have);
        }
    }
}

static void from_errno_every_errno_is_an_error(void **state)
{
    (void)state;
    for (int err = 1; err <= LINUX_EMAX; err++) {
        NTSTATUS s = wf_status_from_errno(err);

        /* An error severity, never a warning or success, and one we can name. */
        if (((uint32_t)s >> 30) != 3 || wf_status_name(s) == NULL)
            fail_msg("errno %d gives 0x%08X", err, (unsigned)s);
        /* Never one that means "wait" or "complete later". */
        assert_int_not_equal(s, STATUS_PENDING);
        assert_int_not_equal(s, STATUS_CANT_WAIT);
    }
    /* The unassigned numbers and the out-of-range ones take the default. */
    assert_int_equal(wf_status_from_errno(41), STATUS_UNSUCCESSFUL);
    assert_int_equal(wf_status_from_errno(58), STATUS_UNSUCCESSFUL);
}

static void from_errno_out_of_range(void **state)
{
    (void)state;
    assert_int_equal(wf_status_from_errno(-1), STATUS_UNSUCCESSFUL);
    assert_int_equal(wf_status_from_errno(-ENOENT), STATUS_UNSUCCESSFUL);
    assert_int_equal(wf_status_from_errno(INT_MIN), STATUS_UNSUCCESSFUL);
    assert_int_equal(wf_status_from_errno(LINUX_EMAX + 1), STATUS_UNSUCCESSFUL);
    assert_int_equal(wf_status_from_errno(4096), STATUS_UNSUCCESSFUL);
    assert_int_equal(wf_status_from_errno(INT_MAX), STATUS_UNSUCCESSFUL);
}

/* ---- NTSTATUS -> errno ---- */

static void to_errno_expected(void **state)
{
    static const struct { NTSTATUS status; int err; } cases[] = {
        { STATUS_SUCCESS, 0 },
        { STATUS_PENDING, 0 },
        { STATUS_REPARSE, 0 },
        { STATUS_NO_MORE_FILES, 0 },
        { STATUS_NO_MORE_ENTRIES, 0 },
        { STATUS_NO_MORE_EAS, 0 },
        { STATUS_BUFFER_OVERFLOW, ERANGE },
        { STATUS_BUFFER_TOO_SMALL, ERANGE },
        { STATUS_OBJECT_NAME_NOT_FOUND, ENOENT },
        { STATUS_OBJECT_PATH_NOT_FOUND, ENOENT },
        { STATUS_NO_SUCH_FILE, ENOENT },
        { STATUS_OBJECT_NAME_COLLISION, EEXIST },
        { STATUS_OBJECT_NAME_INVALID, EINVAL },
        { STATUS_ACCESS_DENIED, EACCES },
        { STATUS_PRIVILEGE_NOT_HELD, EPERM },
        { STATUS_CANNOT_DELETE, EPERM },
        { STATUS_SHARING_VIOLATION, EBUSY },
        { STATUS_DELETE_PENDING, ENOENT },
        { STATUS_DIRECTORY_NOT_EMPTY, ENOTEMPTY },
        { STATUS_FILE_IS_A_DIRECTORY, EISDIR },
        { STATUS_NOT_A_DIRECTORY, ENOTDIR },
        { STATUS_DISK_FULL, ENOSPC },
        { STATUS_MEDIA_WRITE_PROTECTED, EROFS },
        { STATUS_NAME_TOO_LONG, ENAMETOOLONG },
        { STATUS_NOT_IMPLEMENTED, EOPNOTSUPP },
        { STATUS_INVALID_DEVICE_REQUEST, EOPNOTSUPP },
        { STATUS_NOT_SUPPORTED, EOPNOTSUPP },
        { STATUS_INSUFFICIENT_RESOURCES, ENOMEM },
        { STATUS_CANCELLED, EINTR },
        { STATUS_IO_DEVICE_ERROR, EIO },
        { STATUS_NOT_SAME_DEVICE, EXDEV },
        { STATUS_INVALID_HANDLE, EBADF },
        { STATUS_FILE_CLOSED, EBADF },
        { STATUS_LOCK_NOT_GRANTED, EAGAIN },
        { STATUS_NOT_A_REPARSE_POINT, EINVAL },
        { STATUS_INVALID_NETWORK_RESPONSE, EPROTO },
        { STATUS_TOO_MANY_LINKS, EMLINK },
        { STATUS_FILE_TOO_LARGE, EFBIG },
        { STATUS_EA_TOO_LARGE, E2BIG },
        { STATUS_NONEXISTENT_EA_ENTRY, ENODATA },
        { STATUS_EAS_NOT_SUPPORTED, EOPNOTSUPP },
        { STATUS_INVALID_PARAMETER, EINVAL },
        { STATUS_DEVICE_NOT_CONNECTED, ENOTCONN },
        { STATUS_STOPPED_ON_SYMLINK, ELOOP },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (wf_errno_from_status(cases[i].status) != cases[i].err)
            fail_msg("%s: expected errno %d got %d", wf_status_name(cases[i].status),
                cases[i].err, wf_errno_from_status(cases[i].status));
}

static void to_errno_every_status(void **state)
{
    (void)state;
    for (size_t i = 0; i < header_count; i++) {
        NTSTATUS s = header[i].status;
        int err = wf_errno_from_status(s);

        assert_true(err >= 0 && err <= LINUX_EMAX);
        assert_int_not_equal(err, ENOSYS);
        if (NT_SUCCESS(s))
            assert_int_equal(err, 0);
        /* Every error severity status is a real error for Linux. */
        if (((uint32_t)s >> 30) == 3 && err == 0)
            fail_msg("%s maps to errno 0", header[i].name);
    }
    /* Unknown errors are EIO; unknown successes are success. */
    assert_int_equal(wf_errno_from_status((NTSTATUS)0xC0001234u), EIO);
    assert_int_equal(wf_errno_from_status((NTSTATUS)0x80001234u), EIO);
    assert_int_equal(wf_errno_from_status((NTSTATUS)0xE0000001u), EIO);
    assert_int_equal(wf_errno_from_status((NTSTATUS)0x00000001u), 0);
    assert_int_equal(wf_errno_from_status((NTSTATUS)0x40001234u), 0);
}

/*
 * The errnos a file system commonly returns survive errno -> NTSTATUS ->
 * errno; the ones that do not are listed with what they become.
 */
static void errno_round_trip(void **state)
{
    static const int same[] = {
        ENOENT, EINTR, EIO, EBADF, EAGAIN, ENOMEM, EACCES, EBUSY, EEXIST, EXDEV,
        ENODEV, ENOTDIR, EISDIR, EINVAL, EMFILE, EFBIG, ENOSPC, EROFS, EMLINK,
        EPIPE, ERANGE, EDEADLK, ENAMETOOLONG, ENOTEMPTY, ELOOP, ENOLINK, EPROTO,
        EBADMSG, EOVERFLOW, ENOTUNIQ, EOPNOTSUPP, EADDRINUSE, EADDRNOTAVAIL,
        ENETUNREACH, ECONNABORTED, ECONNRESET, EISCONN, ENOTCONN, ESHUTDOWN,
        ETIMEDOUT, ECONNREFUSED, EHOSTDOWN, EHOSTUNREACH, ESTALE, EUCLEAN,
        EREMOTEIO, EDQUOT, ENOMEDIUM, EMEDIUMTYPE, ENOEXEC, E2BIG,
    };
    static const struct { int from, to; } changed[] = {
        { EPERM, EACCES },        /* both are "access denied" to Windows */
        { ENOSYS, EOPNOTSUPP },   /* never ENOSYS back to the kernel */
        { ENOTTY, EOPNOTSUPP },
        { ENFILE, EMFILE },
        { ETXTBSY, EBUSY },
        { EILSEQ, EINVAL },       /* a bad name */
        { ENODATA, ENODATA },
        { ECANCELED, EINTR },
        { ENOLCK, EAGAIN },
    };

    (void)state;
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (wf_errno_from_status(wf_status_from_errno(same[i])) != same[i])
            fail_msg("errno %d comes back as %d", same[i],
                wf_errno_from_status(wf_status_from_errno(same[i])));
    for (size_t i = 0; i < sizeof changed / sizeof changed[0]; i++)
        assert_int_equal(wf_errno_from_status(wf_status_from_errno(changed[i].from)),
            changed[i].to);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_is_generous_and_sorted),
        cmocka_unit_test(every_header_status_has_a_row),
        cmocka_unit_test(macros_match_header),
        cmocka_unit_test(names_and_format),
        cmocka_unit_test(win32_known),
        cmocka_unit_test(win32_every_status_mapped),
        cmocka_unit_test(win32_rules_outside_the_table),
        cmocka_unit_test(from_errno_expected),
        cmocka_unit_test(from_errno_every_errno_is_an_error),
        cmocka_unit_test(from_errno_out_of_range),
        cmocka_unit_test(to_errno_expected),
        cmocka_unit_test(to_errno_every_status),
        cmocka_unit_test(errno_round_trip),
    };
    /* WF_RUN_TESTS, with the header loaded once for the group. */
    return wf_test_tally(sizeof tests / sizeof tests[0],
        cmocka_run_group_tests(tests, load_header, NULL));
}
