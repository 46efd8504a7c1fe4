/* POSIX permissions as Windows access rights. */
#include "wf_test.h"

#include "engine/access.h"

static void owner_group_other(void **state)
{
    (void)state;
    /* 0640 owned by 1000:100 */
    ACCESS_MASK owner = wf_access_rights(1000, 100, LINUX_S_IFREG | 0640, 1000, 5);
    ACCESS_MASK group = wf_access_rights(1000, 100, LINUX_S_IFREG | 0640, 2000, 100);
    ACCESS_MASK other = wf_access_rights(1000, 100, LINUX_S_IFREG | 0640, 2000, 5);

    assert_true(owner & FILE_READ_DATA);
    assert_true(owner & FILE_WRITE_DATA);
    assert_true(owner & DELETE);
    assert_true(owner & WRITE_DAC);
    assert_false(owner & FILE_EXECUTE);
    assert_true(group & FILE_READ_DATA);
    assert_false(group & FILE_WRITE_DATA);
    assert_false(group & DELETE);
    assert_false(other & FILE_READ_DATA);
    assert_true(other & READ_CONTROL);
    assert_true(other & FILE_READ_ATTRIBUTES);
}

static void checks_and_grants(void **state)
{
    ACCESS_MASK granted;
    (void)state;

    assert_int_equal(wf_access_check(1000, 100, LINUX_S_IFREG | 0644, 2000, 5,
        FILE_READ_DATA | FILE_WRITE_DATA, &granted), STATUS_ACCESS_DENIED);
    assert_int_equal(granted, 0);
    assert_int_equal(wf_access_check(1000, 100, LINUX_S_IFREG | 0644, 2000, 5, FILE_READ_DATA,
        &granted), STATUS_SUCCESS);
    assert_int_equal(granted, FILE_READ_DATA);
    /* MAXIMUM_ALLOWED grants what is held. */
    assert_int_equal(wf_access_check(1000, 100, LINUX_S_IFREG | 0644, 1000, 5,
        MAXIMUM_ALLOWED, &granted), STATUS_SUCCESS);
    assert_true(granted & FILE_WRITE_DATA);
    assert_true(granted & DELETE);
    /* Root passes everything, as on Linux. */
    assert_int_equal(wf_access_check(1000, 100, LINUX_S_IFREG | 0, 0, 0,
        FILE_WRITE_DATA | DELETE | WRITE_OWNER, NULL), STATUS_SUCCESS);
}

static void directories_and_sticky(void **state)
{
    (void)state;
    /* A writable directory lets others delete entries unless it is sticky. */
    assert_true(wf_access_rights(0, 0, LINUX_S_IFDIR | 0777, 1000, 1000) & FILE_DELETE_CHILD);
    assert_false(wf_access_rights(0, 0, LINUX_S_IFDIR | 01777, 1000, 1000) & FILE_DELETE_CHILD);
    assert_true(wf_access_rights(0, 0, LINUX_S_IFDIR | 01777, 1000, 1000) & FILE_ADD_FILE);
    /* Write on a file never means deleting children. */
    assert_false(wf_access_rights(0, 0, LINUX_S_IFREG | 0777, 1000, 1000) & FILE_DELETE_CHILD);
}

static void generic_rights_mapped(void **state)
{
    (void)state;
    assert_int_equal(wf_access_map_generic(GENERIC_READ), FILE_GENERIC_READ);
    assert_int_equal(wf_access_map_generic(GENERIC_WRITE | DELETE), FILE_GENERIC_WRITE | DELETE);
    assert_int_equal(wf_access_map_generic(GENERIC_ALL), FILE_ALL_ACCESS);
    assert_int_equal(wf_access_map_generic(FILE_READ_DATA), FILE_READ_DATA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(owner_group_other),
        cmocka_unit_test(checks_and_grants),
        cmocka_unit_test(directories_and_sticky),
        cmocka_unit_test(generic_rights_mapped),
    };
    return WF_RUN_TESTS(tests);
}
