/*
 * check_security.c - security descriptors: given on create, queried and set
 * (NtQuerySecurityObject / NtSetSecurityObject), as far as the POSIX
 * mapping can keep them: an owner, a group, and a DACL that becomes
 * permission bits and comes back as the same permissions.
 *
 * Permissions are chosen equal for owner and group, so that the checks
 * hold also when both are the same SID (a file system run by root).
 */
#include <stdio.h>

#include "check/ck.h"
#include "engine/sddl.h"
#include "engine/security.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)
#define ALL_INFO (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | \
    DACL_SECURITY_INFORMATION)
#define SD_MAX 4096

#define NEED_ACLS(c) CK_NEED(c, (c)->persistent_acls, \
    "no persistent ACLs (no FILE_PERSISTENT_ACLS, or told so)")

typedef struct sd_buf {
    UINT8 b[SD_MAX];
    UINT32 len;
} sd_buf;

static NTSTATUS get_sd(ck_ctx *c, nt_handle h, UINT32 info, sd_buf *sd)
{
    UINT32 needed = 0;
    NTSTATUS status;

    memset(sd, 0, sizeof *sd);
    status = nt_query_security_object(c->vol, h, info, sd->b, SD_MAX, &needed);
    sd->len = NT_SUCCESS(status) ? needed : 0;
    if (NT_SUCCESS(status) && (needed < WF_SD_HEADER_SIZE || needed > SD_MAX)) {
        ck_failf(c, __FILE__, __LINE__, "expected a descriptor length of 20..%u got %u", SD_MAX,
            needed);
        return STATUS_INTERNAL_ERROR;
    }
    return status;
}

static NTSTATUS parse(ck_ctx *c, const sd_buf *sd, wf_sd_view *v)
{
    NTSTATUS status = wf_sd_parse(sd->b, sd->len, v);
    if (!NT_SUCCESS(status))
        ck_failf(c, __FILE__, __LINE__, "expected a well-formed self-relative descriptor got %s",
            ck_status(status));
    return status;
}

/* The owner and group SIDs (as text) this caller's new files get: those of its scratch directory. */
static NTSTATUS my_sids(ck_ctx *c, char *owner, char *group, size_t cap)
{
    nt_handle h;
    sd_buf sd;
    wf_sd_view v;
    size_t n;
    NTSTATUS status = ck_open(c, &h, "", READ_CONTROL, CK_SHARE_ALL);

    if (!NT_SUCCESS(status))
        return status;
    status = get_sd(c, h, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION, &sd);
    ck_close(c, h);
    if (!NT_SUCCESS(status))
        return status;
    status = parse(c, &sd, &v);
    if (!NT_SUCCESS(status))
        return status;
    if (!v.owner || !v.group) {
        ck_failf(c, __FILE__, __LINE__, "expected the scratch directory to have an owner and a group");
        return STATUS_INTERNAL_ERROR;
    }
    status = wf_sid_to_string(v.owner, wf_sid_length(v.owner), owner, cap, &n);
    if (NT_SUCCESS(status))
        status = wf_sid_to_string(v.group, wf_sid_length(v.group), group, cap, &n);
    return status;
}

/* A descriptor for owner and group with these rights for owner, group and Everyone. */
static NTSTATUS make_sd(ck_ctx *c, const char *owner, const char *group, UINT32 own_rights,
    UINT32 grp_rights, UINT32 world_rights, sd_buf *sd)
{
    char sddl[1024];
    size_t len = 0;
    NTSTATUS status;

    if (world_rights)
        snprintf(sddl, sizeof sddl, "O:%sG:%sD:P(A;;0x%x;;;%s)(A;;0x%x;;;%s)(A;;0x%x;;;WD)",
            owner, group, own_rights, owner, grp_rights, group, world_rights);
    else
        snprintf(sddl, sizeof sddl, "O:%sG:%sD:P(A;;0x%x;;;%s)(A;;0x%x;;;%s)", owner, group,
            own_rights, owner, grp_rights, group);
    status = wf_sddl_to_sd(sddl, sd->b, SD_MAX, &len);
    sd->len = (UINT32)len;
    if (!NT_SUCCESS(status))
        ck_failf(c, __FILE__, __LINE__, "cannot build the descriptor %s: %s", sddl,
            ck_status(status));
    return status;
}

/* The permission bits a descriptor's DACL stands for, and its owner and group as text. */
static NTSTATUS mode_of(ck_ctx *c, const sd_buf *sd, UINT32 *mode, char *owner, char *group)
{
    UINT32 uid = 0, gid = 0;
    wf_sd_view v;
    size_t n;
    NTSTATUS status = parse(c, sd, &v);

    if (!NT_SUCCESS(status))
        return status;
    status = wf_sd_to_posix(NULL, sd->b, sd->len, &uid, &gid, mode);
    if (!NT_SUCCESS(status)) {
        ck_failf(c, __FILE__, __LINE__, "expected a descriptor the POSIX mapping reads got %s",
            ck_status(status));
        return status;
    }
    *mode &= 0777;
    owner[0] = group[0] = 0;
    if (v.owner)
        wf_sid_to_string(v.owner, wf_sid_length(v.owner), owner, 200, &n);
    if (v.group)
        wf_sid_to_string(v.group, wf_sid_length(v.group), group, 200, &n);
    return STATUS_SUCCESS;
}

static void owner_group(ck_ctx *c)
{
    nt_handle h;
    sd_buf sd;
    wf_sd_view v;

    NEED_ACLS(c);
    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_open(c, &h, "f", READ_CONTROL, CK_SHARE_ALL));
    CK_OK(c, get_sd(c, h, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION, &sd));
    CK_OK(c, parse(c, &sd, &v));
    CK_TRUE(c, v.owner != NULL, "an owner");
    CK_TRUE(c, v.group != NULL, "a group");
    CK_TRUE(c, !v.dacl_present, "no DACL when none was asked for");
    CK_TRUE(c, !v.sacl_present, "no SACL when none was asked for");
    CK_TRUE(c, v.control & SE_SELF_RELATIVE, "a self-relative descriptor");
}

static void dacl_only(ck_ctx *c)
{
    nt_handle h;
    sd_buf sd;
    wf_sd_view v;

    NEED_ACLS(c);
    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_open(c, &h, "f", READ_CONTROL, CK_SHARE_ALL));
    CK_OK(c, get_sd(c, h, DACL_SECURITY_INFORMATION, &sd));
    CK_OK(c, parse(c, &sd, &v));
    CK_TRUE(c, v.owner == NULL, "no owner when none was asked for");
    CK_TRUE(c, v.group == NULL, "no group when none was asked for");
    CK_TRUE(c, v.dacl_present && v.dacl != NULL, "a DACL");
    CK_TRUE(c, !v.sacl_present, "no SACL");
}

static void buffer_too_small(ck_ctx *c)
{
    nt_handle h;
    UINT32 needed = 0, again = 0;
    UINT8 *buf;

    NEED_ACLS(c);
    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_open(c, &h, "f", READ_CONTROL, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_BUFFER_TOO_SMALL, nt_query_security_object(c->vol, h, ALL_INFO, NULL, 0,
        &needed));
    CK_TRUE(c, needed > WF_SD_HEADER_SIZE && needed <= SD_MAX, "a plausible length needed");
    buf = ck_alloc(c, needed);
    CK_TRUE(c, buf != NULL, "memory");
    CK_STATUS(c, STATUS_BUFFER_TOO_SMALL, nt_query_security_object(c->vol, h, ALL_INFO, buf,
        needed - 1, &again));
    CK_EQ(c, "length needed (asked again)", again, needed);
    CK_OK(c, nt_query_security_object(c->vol, h, ALL_INFO, buf, needed, &again));
    CK_TRUE(c, again <= needed, "the descriptor within the length needed");
    CK_OK(c, wf_sd_validate(buf, again));
}

static void create_with(ck_ctx *c, bool dir)
{
    char owner[200], group[200], o2[200], g2[200];
    UINT32 rights = dir ? FILE_GENERIC_READ | FILE_GENERIC_WRITE | FILE_GENERIC_EXECUTE : RW;
    UINT32 world = dir ? FILE_GENERIC_READ | FILE_GENERIC_EXECUTE : FILE_GENERIC_READ;
    UINT32 want = dir ? 0775 : 0664, mode;
    sd_buf sd, got;
    nt_handle h;

    NEED_ACLS(c);
    CK_OK(c, my_sids(c, owner, group, sizeof owner));
    CK_OK(c, make_sd(c, owner, group, rights, rights, world, &sd));
    CK_OK(c, ck_create_sd(c, &h, "x", RW, CK_SHARE_ALL, FILE_CREATE,
        dir ? FILE_DIRECTORY_FILE : FILE_NON_DIRECTORY_FILE, sd.b, sd.len, 0, NULL));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_open(c, &h, "x", READ_CONTROL, CK_SHARE_ALL));
    CK_OK(c, get_sd(c, h, ALL_INFO, &got));
    CK_OK(c, mode_of(c, &got, &mode, o2, g2));
    CK_STR(c, "owner", o2, owner);
    CK_STR(c, "group", g2, group);
    CK_EQ(c, "permissions the DACL stands for", mode, want);
}

static void create_file(ck_ctx *c)
{
    create_with(c, false);
}

static void create_dir(ck_ctx *c)
{
    create_with(c, true);
}

static void default_owner(ck_ctx *c)
{
    char owner[200], group[200], o2[200], g2[200];
    nt_handle h;
    sd_buf sd;
    UINT32 mode;

    NEED_ACLS(c);
    CK_OK(c, my_sids(c, owner, group, sizeof owner));
    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_open(c, &h, "f", READ_CONTROL, CK_SHARE_ALL));
    CK_OK(c, get_sd(c, h, ALL_INFO, &sd));
    CK_OK(c, mode_of(c, &sd, &mode, o2, g2));
    CK_STR(c, "owner of a file created without a descriptor", o2, owner);
    CK_STR(c, "group of a file created without a descriptor", g2, group);
    CK_TRUE(c, mode & 0200, "the owner may write a file it created");
}

static void set_dacl(ck_ctx *c)
{
    char owner[200], group[200], o2[200], g2[200];
    sd_buf sd, got;
    nt_handle h;
    UINT32 mode;

    NEED_ACLS(c);
    CK_OK(c, my_sids(c, owner, group, sizeof owner));
    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h, "f", READ_CONTROL | WRITE_DAC, CK_SHARE_ALL));
    CK_OK(c, make_sd(c, owner, group, RW, RW, 0, &sd));
    CK_OK(c, nt_set_security_object(c->vol, h, DACL_SECURITY_INFORMATION, sd.b, sd.len));
    CK_OK(c, get_sd(c, h, ALL_INFO, &got));
    CK_OK(c, mode_of(c, &got, &mode, o2, g2));
    CK_EQ(c, "permissions after setting the DACL", mode, 0660);
    CK_STR(c, "owner (not asked to change)", o2, owner);
    CK_STR(c, "group (not asked to change)", g2, group);
    CK_OK(c, make_sd(c, owner, group, RW | FILE_GENERIC_EXECUTE, RW | FILE_GENERIC_EXECUTE,
        FILE_GENERIC_READ, &sd));
    CK_OK(c, nt_set_security_object(c->vol, h, DACL_SECURITY_INFORMATION, sd.b, sd.len));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_open(c, &h, "f", READ_CONTROL, CK_SHARE_ALL));
    CK_OK(c, get_sd(c, h, ALL_INFO, &got));
    CK_OK(c, mode_of(c, &got, &mode, o2, g2));
    CK_EQ(c, "permissions after setting the DACL again (new handle)", mode, 0774);
}

static void set_owner_same(ck_ctx *c)
{
    char owner[200], group[200], o2[200], g2[200];
    sd_buf sd, got;
    nt_handle h;
    UINT32 mode, before;

    NEED_ACLS(c);
    CK_OK(c, my_sids(c, owner, group, sizeof owner));
    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_open(c, &h, "f", READ_CONTROL | WRITE_OWNER, CK_SHARE_ALL));
    CK_OK(c, get_sd(c, h, ALL_INFO, &got));
    CK_OK(c, mode_of(c, &got, &before, o2, g2));
    CK_OK(c, make_sd(c, owner, group, RW, RW, 0, &sd));
    CK_OK(c, nt_set_security_object(c->vol, h,
        OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION, sd.b, sd.len));
    CK_OK(c, get_sd(c, h, ALL_INFO, &got));
    CK_OK(c, mode_of(c, &got, &mode, o2, g2));
    CK_STR(c, "owner", o2, owner);
    CK_STR(c, "group", g2, group);
    CK_EQ(c, "permissions (the DACL was not asked to change)", mode, before);
}

static void no_read_control(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[SD_MAX];
    UINT32 needed;

    NEED_ACLS(c);
    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, nt_query_security_object(c->vol, h, ALL_INFO, buf,
        sizeof buf, &needed));
    CK_STATUS(c, STATUS_ACCESS_DENIED, nt_query_security_object(c->vol, h,
        SACL_SECURITY_INFORMATION, buf, sizeof buf, &needed));
    CK_OK(c, ck_open(c, &h, "f", READ_CONTROL, CK_SHARE_ALL));
    /* The SACL needs ACCESS_SYSTEM_SECURITY, not READ_CONTROL. */
    CK_STATUS(c, STATUS_ACCESS_DENIED, nt_query_security_object(c->vol, h,
        SACL_SECURITY_INFORMATION, buf, sizeof buf, &needed));
}

static void no_write_dac(ck_ctx *c)
{
    char owner[200], group[200];
    sd_buf sd, got, after;
    nt_handle h;

    NEED_ACLS(c);
    CK_OK(c, my_sids(c, owner, group, sizeof owner));
    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_open(c, &h, "f", READ_CONTROL | WRITE_OWNER, CK_SHARE_ALL));
    CK_OK(c, get_sd(c, h, ALL_INFO, &got));
    CK_OK(c, make_sd(c, owner, group, RW, RW, 0, &sd));
    CK_STATUS(c, STATUS_ACCESS_DENIED, nt_set_security_object(c->vol, h,
        DACL_SECURITY_INFORMATION, sd.b, sd.len));
    CK_OK(c, ck_open(c, &h, "f", READ_CONTROL | WRITE_DAC, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, nt_set_security_object(c->vol, h,
        OWNER_SECURITY_INFORMATION, sd.b, sd.len));
    CK_OK(c, get_sd(c, h, ALL_INFO, &after));
    CK_EQ(c, "descriptor length after the refusals", after.len, got.len);
    CK_DATA(c, "descriptor after the refusals", after.b, got.b, got.len);
}

const ck_case ck_cases_security[] = {
    {"security_owner_group", owner_group, 0,
        "OWNER|GROUP_SECURITY_INFORMATION returns both and no DACL or SACL", "getsecurity_test"},
    {"security_dacl_only", dacl_only, 0,
        "DACL_SECURITY_INFORMATION returns a DACL and no owner or group", "getsecurity_test"},
    {"security_buffer_too_small", buffer_too_small, 0,
        "a short buffer: STATUS_BUFFER_TOO_SMALL with the length needed, which then suffices",
        "getsecurity_test"},
    {"security_create_file", create_file, 0,
        "a file created with a descriptor has its owner, group and permissions",
        "create_sd_test"},
    {"security_create_dir", create_dir, 0,
        "a directory created with a descriptor has its owner, group and permissions",
        "create_sd_test"},
    {"security_default_owner", default_owner, 0,
        "a file created without a descriptor belongs to its creator", "getsecurity_test"},
    {"security_set_dacl", set_dacl, 0,
        "setting a DACL changes the permissions and nothing else", "setsecurity_test"},
    {"security_set_owner_same", set_owner_same, 0,
        "setting the owner and group they already are changes nothing", "setsecurity_test"},
    {"security_no_read_control", no_read_control, 0,
        "querying without READ_CONTROL (or the SACL without ACCESS_SYSTEM_SECURITY): STATUS_ACCESS_DENIED",
        "getsecurity_test"},
    {"security_no_write_dac", no_write_dac, 0,
        "setting the DACL without WRITE_DAC, the owner without WRITE_OWNER: STATUS_ACCESS_DENIED",
        "setsecurity_test"},
    {NULL, NULL, 0, NULL, NULL},
};
