/*
 * security.c - POSIX uid/gid/mode <-> Windows SIDs and security
 * descriptors, by WinFsp's rules (see security.h for the tables).
 *
 * Everything here is a pure function of its arguments and the wf_idmap:
 * no allocation, no locks, so it runs at any IRQL that may touch the
 * buffers and in any thread.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "winfuse/ntdefs.h"
#include "engine/security.h"

_Static_assert(sizeof(wf_sid) == WF_SID_MAX_SIZE, "SID layout");
_Static_assert(sizeof(wf_acl) == WF_ACL_HEADER_SIZE, "ACL layout");
_Static_assert(sizeof(wf_ace_header) == WF_ACE_HEADER_SIZE, "ACE_HEADER layout");
_Static_assert(sizeof(wf_ace) == 8, "ACCESS_ALLOWED_ACE layout");
_Static_assert(sizeof(wf_sd_relative) == WF_SD_HEADER_SIZE, "SECURITY_DESCRIPTOR_RELATIVE layout");

/* ---- little-endian fields at any alignment ---- */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ---- well-known SIDs ---- */

const uint8_t wf_sid_world[12] = { 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
const uint8_t wf_sid_authenticated[12] = { 1, 1, 0, 0, 0, 0, 0, 5, 11, 0, 0, 0 };
const uint8_t wf_sid_unmapped[12] = { 1, 1, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0, 0 };
const uint8_t wf_sid_system[12] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };
const uint8_t wf_sid_administrators[16] = { 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0 };

/* ---- SIDs ---- */

bool wf_sid_valid(const void *sid, size_t len)
{
    const uint8_t *p = sid;

    if (!p || len < WF_SID_HEADER_SIZE)
        return false;
    if (p[0] != SID_REVISION || p[1] > SID_MAX_SUB_AUTHORITIES)
        return false;
    return (size_t)WF_SID_HEADER_SIZE + 4u * p[1] <= len;
}

size_t wf_sid_length(const void *sid)
{
    return (size_t)WF_SID_HEADER_SIZE + 4u * ((const uint8_t *)sid)[1];
}

bool wf_sid_equal(const void *a, const void *b)
{
    size_t la = wf_sid_length(a);

    return la == wf_sid_length(b) && 0 == memcmp(a, b, la);
}

static uint32_t sid_sub(const uint8_t *sid, unsigned i)
{
    return rd32(sid + WF_SID_HEADER_SIZE + 4 * i);
}

static uint64_t sid_authority(const uint8_t *sid)
{
    uint64_t v = 0;

    for (int i = 2; i < 8; i++)
        v = (v << 8) | sid[i];
    return v;
}

/* Writes S-1-<authority>-<sub>... into out (WF_SID_MAX_SIZE bytes); returns its length. */
static size_t sid_make(uint8_t *out, uint64_t authority, unsigned count, const uint32_t *sub)
{
    out[0] = SID_REVISION;
    out[1] = (uint8_t)count;
    for (int i = 7; i >= 2; i--) {
        out[i] = (uint8_t)authority;
        authority >>= 8;
    }
    for (unsigned i = 0; i < count; i++)
        wr32(out + WF_SID_HEADER_SIZE + 4 * i, sub[i]);
    return (size_t)WF_SID_HEADER_SIZE + 4u * count;
}

static NTSTATUS copy_out(const void *src, size_t n, void *buf, size_t cap, size_t *len)
{
    if (len)
        *len = n;
    if (n > cap || !buf)
        return STATUS_BUFFER_TOO_SMALL;
    memcpy(buf, src, n);
    return STATUS_SUCCESS;
}

/* ---- SID text ---- */

static size_t fmt_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

NTSTATUS wf_sid_to_string(const void *sid, size_t len, char *buf, size_t cap, size_t *needed)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = sid;
    char text[WF_SID_MAX_STRING];
    size_t n = 0;

    if (needed)
        *needed = 0;
    if (!wf_sid_valid(sid, len))
        return STATUS_INVALID_SID;

    memcpy(text, "S-1-", 4);
    n = 4;
    /* RtlConvertSidToUnicodeString's rule: hex once the top 16 bits are in use. */
    if (p[2] || p[3]) {
        text[n++] = '0';
        text[n++] = 'x';
        for (int i = 2; i < 8; i++) {
            text[n++] = hex[p[i] >> 4];
            text[n++] = hex[p[i] & 15];
        }
    } else
        n += fmt_u64(text + n, sid_authority(p));
    for (unsigned i = 0; i < p[1]; i++) {
        text[n++] = '-';
        n += fmt_u64(text + n, sid_sub(p, i));
    }
    text[n++] = '\0';
    return copy_out(text, n, buf, cap, needed);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decimal digits at str[*pos..n) up to max; false on none or overflow. */
static bool parse_dec(const char *str, size_t n, size_t *pos, uint64_t max, uint64_t *out)
{
    size_t i = *pos;
    uint64_t v = 0;

    if (i >= n || str[i] < '0' || str[i] > '9')
        return false;
    for (; i < n && str[i] >= '0' && str[i] <= '9'; i++) {
        uint64_t d = (uint64_t)(str[i] - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *pos = i;
    *out = v;
    return true;
}

NTSTATUS wf_sid_parse(const char *str, size_t n, size_t *consumed,
    void *buf, size_t cap, size_t *len)
{
    uint8_t sid[WF_SID_MAX_SIZE];
    uint32_t sub[SID_MAX_SUB_AUTHORITIES];
    unsigned count = 0;
    uint64_t authority = 0, v;
    size_t pos;

    if (consumed)
        *consumed = 0;
    if (len)
        *len = 0;
    if (!str || n < 5 || (str[0] != 'S' && str[0] != 's') || str[1] != '-' ||
        str[2] != '1' || str[3] != '-')
        return STATUS_INVALID_SID;
    pos = 4;
    if (pos + 1 < n && str[pos] == '0' && (str[pos + 1] == 'x' || str[pos + 1] == 'X')) {
        size_t digits = 0;
        pos += 2;
        while (pos < n && hex_digit(str[pos]) >= 0) {
            if (++digits > 12)
                return STATUS_INVALID_SID;
            authority = (authority << 4) | (uint64_t)hex_digit(str[pos]);
            pos++;
        }
        if (!digits)
            return STATUS_INVALID_SID;
    } else if (!parse_dec(str, n, &pos, 0xffffffffffffull, &authority))
        return STATUS_INVALID_SID;

    while (pos + 1 < n && str[pos] == '-' && str[pos + 1] >= '0' && str[pos + 1] <= '9') {
        if (count == SID_MAX_SUB_AUTHORITIES)
            return STATUS_INVALID_SID;
        pos++;
        if (!parse_dec(str, n, &pos, 0xffffffffu, &v))
            return STATUS_INVALID_SID;
        sub[count++] = (uint32_t)v;
    }

    if (consumed)
        *consumed = pos;
    return copy_out(sid, sid_make(sid, authority, count, sub), buf, cap, len);
}

NTSTATUS wf_sid_from_string(const char *str, void *buf, size_t cap, size_t *len)
{
    size_t n, consumed;
    NTSTATUS st;

    if (len)
        *len = 0;
    if (!str)
        return STATUS_INVALID_SID;
    n = strlen(str);
    st = wf_sid_parse(str, n, &consumed, buf, cap, len);
    if (NT_SUCCESS(st) && consumed != n)
        return STATUS_INVALID_SID;
    /* A SID followed by junk is invalid, even when the buffer is too small. */
    if (st == STATUS_BUFFER_TOO_SMALL && consumed != n)
        return STATUS_INVALID_SID;
    return st;
}

/* ---- the idmap ---- */

static const wf_idmap wf_idmap_default = {
    .has_account_domain = true,
    .account_domain = {
        .sub = { WF_IDMAP_DEFAULT_DOMAIN_X, WF_IDMAP_DEFAULT_DOMAIN_Y, WF_IDMAP_DEFAULT_DOMAIN_Z },
    },
};

void wf_idmap_init(wf_idmap *map)
{
    *map = wf_idmap_default;
}

NTSTATUS wf_idmap_domain_from_sid(const void *sid, size_t len, wf_idmap_domain *dom)
{
    const uint8_t *p = sid;

    if (!wf_sid_valid(sid, len) || p[1] != 4 || sid_authority(p) != 5 || sid_sub(p, 0) != 21)
        return STATUS_INVALID_SID;
    memset(dom, 0, sizeof *dom);
    for (unsigned i = 0; i < 3; i++)
        dom->sub[i] = sid_sub(p, i + 1);
    return STATUS_SUCCESS;
}

NTSTATUS wf_idmap_add_trusted(wf_idmap *map, const wf_idmap_domain *dom)
{
    wf_idmap_domain *t;

    if (map->trusted_count >= WF_IDMAP_MAX_TRUSTED)
        return STATUS_INSUFFICIENT_RESOURCES;
    t = &map->trusted[map->trusted_count++];
    *t = *dom;
    if (t->posix_offset < 0x100000)
        t->posix_offset = 0xfe500000;
    return STATUS_SUCCESS;
}

NTSTATUS wf_idmap_add_override(wf_idmap *map, uint32_t id, const void *sid, size_t len)
{
    if (!wf_sid_valid(sid, len))
        return STATUS_INVALID_SID;
    if (map->override_count >= WF_IDMAP_MAX_OVERRIDES)
        return STATUS_INSUFFICIENT_RESOURCES;
    map->overrides[map->override_count].id = id;
    memset(map->overrides[map->override_count].sid, 0, WF_SID_MAX_SIZE);
    memcpy(map->overrides[map->override_count].sid, sid, wf_sid_length(sid));
    map->override_count++;
    return STATUS_SUCCESS;
}

static const wf_idmap *idmap_or_default(const wf_idmap *map)
{
    return map ? map : &wf_idmap_default;
}

static size_t domain_sid(uint8_t *out, const wf_idmap_domain *dom, uint32_t rid)
{
    uint32_t sub[5] = { 21, dom->sub[0], dom->sub[1], dom->sub[2], rid };

    return sid_make(out, 5, 5, sub);
}

/* The SID of an id: out has WF_SID_MAX_SIZE bytes; returns the length. */
static size_t map_id_to_sid(const wf_idmap *map, uint32_t id, uint8_t *out)
{
    uint32_t sub[2];

    for (uint32_t i = 0; i < map->override_count && i < WF_IDMAP_MAX_OVERRIDES; i++)
        if (map->overrides[i].id == id) {
            size_t n = wf_sid_length(map->overrides[i].sid);
            memcpy(out, map->overrides[i].sid, n);
            return n;
        }

    if (id < 0x200 || id == 1000) {
        sub[0] = id;
        return sid_make(out, 5, 1, sub);
    }
    if (id < 1000) {
        sub[0] = 32;
        sub[1] = id;
        return sid_make(out, 5, 2, sub);
    }
    if (id == 0xfff || id == 0xffe) {
        /* Logon sessions: WinFsp has no token to find them in, nor do we. */
    } else if (id >= 0x30000 && id < 0x40000) {
        if (map->has_account_domain)
            return domain_sid(out, &map->account_domain, id - 0x30000);
    } else if (id >= 0x100000 && id < 0xff000000) {
        if ((id < 0x300000 || map->trusted_count == 0) && map->has_primary_domain)
            return domain_sid(out, &map->primary_domain, id - 0x100000);
        /* The trusted domain with the largest offset at or below id. */
        const wf_idmap_domain *best = NULL;
        uint32_t best_offset = 0;
        for (uint32_t i = 0; i < map->trusted_count && i < WF_IDMAP_MAX_TRUSTED; i++)
            if (map->trusted[i].posix_offset <= id && map->trusted[i].posix_offset > best_offset) {
                best = &map->trusted[i];
                best_offset = best->posix_offset;
            }
        if (best)
            return domain_sid(out, best, id - best_offset);
    } else if (id >= 0x60000 && id < 0x70000) {
        sub[0] = id - 0x60000;
        return sid_make(out, 16, 1, sub);
    } else if (id >= 0x10000 && id < 0x11000) {
        sub[0] = (id - 0x10000) & 0xff;
        return sid_make(out, (id - 0x10000) >> 8, 1, sub);
    } else if (id != WF_IDMAP_UNMAPPED_ID && id >= 0x1000 && id < 0x100000) {
        sub[0] = id >> 12;
        sub[1] = id & 0xfff;
        return sid_make(out, 5, 2, sub);
    }

    memcpy(out, wf_sid_unmapped, sizeof wf_sid_unmapped);
    return sizeof wf_sid_unmapped;
}

static bool domain_relative(const wf_idmap_domain *dom, const uint8_t *sid)
{
    return sid[1] == 5 && sid_authority(sid) == 5 && sid_sub(sid, 0) == 21 &&
        sid_sub(sid, 1) == dom->sub[0] && sid_sub(sid, 2) == dom->sub[1] &&
        sid_sub(sid, 3) == dom->sub[2];
}

/* The id of a valid SID with at least one sub authority. */
static uint32_t map_sid_to_id(const wf_idmap *map, const uint8_t *sid)
{
    uint8_t count = sid[1];
    uint8_t authority = sid[7]; /* WinFsp looks at the low byte only */
    uint32_t sub0 = count >= 2 ? sid_sub(sid, 0) : 0;
    uint32_t rid = sid_sub(sid, count - 1u);
    uint32_t id = 0xffffffff;

    for (uint32_t i = 0; i < map->override_count && i < WF_IDMAP_MAX_OVERRIDES; i++)
        if (wf_sid_equal(map->overrides[i].sid, sid))
            return map->overrides[i].id;

    if (authority == 5) {
        if (count == 1)
            id = rid;
        else if (count == 2 && sub0 == 32)
            id = rid;
        else if (sub0 == 5) {
            /* logon SIDs: unmapped */
        } else if (count >= 5 && sub0 == 21) {
            /* Primary first: on a domain controller it is also the account domain. */
            if (map->has_primary_domain && domain_relative(&map->primary_domain, sid))
                id = 0x100000 + rid;
            else if (map->has_account_domain && domain_relative(&map->account_domain, sid))
                id = 0x30000 + rid;
            else
                for (uint32_t i = 0; i < map->trusted_count && i < WF_IDMAP_MAX_TRUSTED; i++)
                    if (domain_relative(&map->trusted[i], sid)) {
                        id = map->trusted[i].posix_offset + rid;
                        break;
                    }
        } else if (count == 2)
            id = 0x1000 * sub0 + rid;
    } else if (authority == 16)
        id = 0x60000 + rid;
    else if (authority != 0 || rid != WF_IDMAP_UNMAPPED_ID)
        id = 0x10000 + 0x100u * authority + rid;

    /* WinFsp marks "unmapped" with -1, so a sum that lands there is unmapped too. */
    return id == 0xffffffff ? WF_IDMAP_UNMAPPED_ID : id;
}

NTSTATUS wf_sid_from_uid(const wf_idmap *map, uint32_t uid, void *sid_buf, size_t cap, size_t *len)
{
    uint8_t sid[WF_SID_MAX_SIZE];

    return copy_out(sid, map_id_to_sid(idmap_or_default(map), uid, sid), sid_buf, cap, len);
}

NTSTATUS wf_sid_from_gid(const wf_idmap *map, uint32_t gid, void *sid_buf, size_t cap, size_t *len)
{
    return wf_sid_from_uid(map, gid, sid_buf, cap, len);
}

NTSTATUS wf_sid_to_id(const wf_idmap *map, const void *sid, size_t len, uint32_t *id)
{
    *id = WF_IDMAP_UNMAPPED_ID;
    if (!wf_sid_valid(sid, len) || ((const uint8_t *)sid)[1] == 0)
        return STATUS_INVALID_SID;
    *id = map_sid_to_id(idmap_or_default(map), sid);
    return STATUS_SUCCESS;
}

/* ---- parsing self-relative descriptors ---- */

/* The ACE types laid out as header, mask, SID. */
static bool ace_has_sid(uint8_t type)
{
    switch (type) {
    case ACCESS_ALLOWED_ACE_TYPE:
    case ACCESS_DENIED_ACE_TYPE:
    case SYSTEM_AUDIT_ACE_TYPE:
    case SYSTEM_ALARM_ACE_TYPE:
    case SYSTEM_MANDATORY_LABEL_ACE_TYPE:
    case SYSTEM_SCOPED_POLICY_ID_ACE_TYPE:
    case SYSTEM_PROCESS_TRUST_LABEL_ACE_TYPE:
        return true;
    default:
        return false;
    }
}

/* A component at off must start after the header and have min bytes before len. */
static bool sd_component_fits(uint32_t off, size_t len, size_t min)
{
    return off >= WF_SD_HEADER_SIZE && off <= len && len - off >= min;
}

static bool acl_valid(const uint8_t *sd, size_t len, uint32_t off)
{
    const uint8_t *acl;
    uint16_t size, count;
    size_t pos;

    if (!sd_component_fits(off, len, WF_ACL_HEADER_SIZE))
        return false;
    acl = sd + off;
    size = rd16(acl + 2);
    count = rd16(acl + 4);
    /* RtlValidAcl accepts revisions 2 (ACL_REVISION) to 4 (ACL_REVISION_DS). */
    if (acl[0] < ACL_REVISION || acl[0] > ACL_REVISION_DS)
        return false;
    if (size < WF_ACL_HEADER_SIZE || size > len - off)
        return false;
    pos = WF_ACL_HEADER_SIZE;
    for (uint16_t i = 0; i < count; i++) {
        uint16_t ace_size;
        if (size - pos < WF_ACE_HEADER_SIZE)
            return false;
        ace_size = rd16(acl + pos + 2);
        if (ace_size < WF_ACE_HEADER_SIZE || ace_size > size - pos)
            return false;
        if (ace_has_sid(acl[pos]) &&
            (ace_size < 8 || !wf_sid_valid(acl + pos + 8, ace_size - 8u)))
            return false;
        pos += ace_size;
    }
    return true;
}

NTSTATUS wf_sd_parse(const void *sd, size_t len, wf_sd_view *view)
{
    const uint8_t *p = sd;
    uint32_t owner, group, sacl, dacl;

    memset(view, 0, sizeof *view);
    if (!p || len < WF_SD_HEADER_SIZE || p[0] != SECURITY_DESCRIPTOR_REVISION)
        return STATUS_INVALID_SECURITY_DESCR;
    view->control = rd16(p + 2);
    if (!(view->control & SE_SELF_RELATIVE))
        return STATUS_INVALID_SECURITY_DESCR;
    owner = rd32(p + 4);
    group = rd32(p + 8);
    sacl = rd32(p + 12);
    dacl = rd32(p + 16);

    if (owner) {
        if (!sd_component_fits(owner, len, 0) || !wf_sid_valid(p + owner, len - owner))
            return STATUS_INVALID_SECURITY_DESCR;
        view->owner = p + owner;
    }
    if (group) {
        if (!sd_component_fits(group, len, 0) || !wf_sid_valid(p + group, len - group))
            return STATUS_INVALID_SECURITY_DESCR;
        view->group = p + group;
    }
    /* As GetSecurityDescriptorDacl: the offset counts only with the PRESENT bit. */
    if (view->control & SE_SACL_PRESENT) {
        view->sacl_present = true;
        if (sacl) {
            if (!acl_valid(p, len, sacl))
                return STATUS_INVALID_SECURITY_DESCR;
            view->sacl = p + sacl;
        }
    }
    if (view->control & SE_DACL_PRESENT) {
        view->dacl_present = true;
        if (dacl) {
            if (!acl_valid(p, len, dacl))
                return STATUS_INVALID_SECURITY_DESCR;
            view->dacl = p + dacl;
        }
    }
    return STATUS_SUCCESS;
}

NTSTATUS wf_sd_validate(const void *sd, size_t len)
{
    wf_sd_view view;

    return wf_sd_parse(sd, len, &view);
}

uint16_t wf_acl_ace_count(const uint8_t *acl)
{
    return rd16(acl + 4);
}

bool wf_acl_next_ace(const uint8_t *acl, size_t *pos, uint16_t *index, wf_ace_view *ace)
{
    const uint8_t *p;

    if (*pos == 0) {
        *pos = WF_ACL_HEADER_SIZE;
        *index = 0;
    }
    if (*index >= rd16(acl + 4))
        return false;
    p = acl + *pos;
    ace->type = p[0];
    ace->flags = p[1];
    ace->size = rd16(p + 2);
    ace->raw = p;
    if (ace_has_sid(ace->type)) {
        ace->mask = rd32(p + 4);
        ace->sid = p + 8;
    } else {
        ace->mask = 0;
        ace->sid = NULL;
    }
    *pos += ace->size;
    (*index)++;
    return true;
}

/* ---- mode -> descriptor ---- */

/* In every allowed ACE ([PERMS]). */
#define WF_POSIX_DEFAULT_PERM (SYNCHRONIZE | READ_CONTROL | FILE_READ_ATTRIBUTES | FILE_READ_EA)
/* And in the owner's, whatever the mode. */
#define WF_POSIX_OWNER_DEFAULT_PERM (WF_POSIX_DEFAULT_PERM | DELETE | WRITE_DAC | WRITE_OWNER | \
    FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA)

/*
 * The rights of one rwx triplet. Only the 0040000 and sticky bits of mode
 * matter: a directory without sticky lets w delete children. The owner's
 * triplet is computed with sticky cleared, so the owner always may.
 */
static uint32_t perm_to_mask(uint32_t mode, uint32_t perm)
{
    uint32_t delete_child = (mode & 0041000) == 0040000 ? FILE_DELETE_CHILD : 0;

    return ((perm & 4) ? FILE_READ_DATA : 0) |
        ((perm & 2) ? FILE_WRITE_ATTRIBUTES | FILE_WRITE_DATA | FILE_APPEND_DATA | delete_child : 0) |
        ((perm & 1) ? FILE_EXECUTE : 0);
}

typedef struct wf_writer {
    uint8_t *buf;
    size_t cap;
    size_t pos;
} wf_writer;

static void w_put(wf_writer *w, const void *p, size_t n)
{
    if (n && w->pos <= w->cap && n <= w->cap - w->pos)
        memcpy(w->buf + w->pos, p, n);
    w->pos += n;
}

static void w_ace(wf_writer *w, uint8_t type, uint32_t mask, const uint8_t *sid)
{
    uint8_t head[8];
    size_t sid_len = wf_sid_length(sid);

    head[0] = type;
    head[1] = 0;
    wr16(head + 2, (uint16_t)(8 + sid_len));
    wr32(head + 4, mask);
    w_put(w, head, sizeof head);
    w_put(w, sid, sid_len);
}

NTSTATUS wf_sd_from_posix(const wf_idmap *map, uint32_t uid, uint32_t gid, uint32_t mode,
    void *buf, size_t cap, size_t *len)
{
    uint8_t owner[WF_SID_MAX_SIZE], group[WF_SID_MAX_SIZE], head[WF_SD_HEADER_SIZE], aclh[8];
    uint32_t owner_perm, group_perm, world_perm, owner_deny, group_deny;
    size_t owner_len, group_len, acl_size;
    wf_writer w = { buf, buf ? cap : 0, 0 };

    map = idmap_or_default(map);
    owner_len = map_id_to_sid(map, uid, owner);
    group_len = map_id_to_sid(map, gid, group);

    owner_perm = (mode & 0700) >> 6;
    group_perm = (mode & 0070) >> 3;
    world_perm = mode & 0007;
    /*
     * Windows grants the union of all matching allow ACEs where POSIX picks
     * one class, so rights a wider class has and a narrower one lacks must
     * be denied explicitly, before the wider class's allow ACE.
     */
    owner_deny = (group_perm | world_perm) & ~owner_perm;
    group_deny = world_perm & ~group_perm;

    acl_size = WF_ACL_HEADER_SIZE + 3 * 8 + owner_len + group_len + sizeof wf_sid_world;
    if (owner_deny)
        acl_size += 8 + owner_len;
    if (group_deny)
        acl_size += 8 + group_len;

    memset(head, 0, sizeof head);
    head[0] = SECURITY_DESCRIPTOR_REVISION;
    wr16(head + 2, SE_SELF_RELATIVE | SE_DACL_PRESENT | SE_DACL_PROTECTED);
    wr32(head + 4, (uint32_t)(WF_SD_HEADER_SIZE + acl_size));
    wr32(head + 8, (uint32_t)(WF_SD_HEADER_SIZE + acl_size + owner_len));
    wr32(head + 16, WF_SD_HEADER_SIZE);
    w_put(&w, head, sizeof head);

    aclh[0] = ACL_REVISION;
    aclh[1] = 0;
    wr16(aclh + 2, (uint16_t)acl_size);
    wr16(aclh + 4, (uint16_t)(3 + !!owner_deny + !!group_deny));
    wr16(aclh + 6, 0);
    w_put(&w, aclh, sizeof aclh);

    w_ace(&w, ACCESS_ALLOWED_ACE_TYPE,
        WF_POSIX_OWNER_DEFAULT_PERM | perm_to_mask(mode & ~01000u, owner_perm), owner);
    if (owner_deny)
        w_ace(&w, ACCESS_DENIED_ACE_TYPE,
            ~(uint32_t)FILE_WRITE_ATTRIBUTES & perm_to_mask(mode & ~01000u, owner_deny), owner);
    w_ace(&w, ACCESS_ALLOWED_ACE_TYPE, WF_POSIX_DEFAULT_PERM | perm_to_mask(mode, group_perm), group);
    if (group_deny)
        w_ace(&w, ACCESS_DENIED_ACE_TYPE, perm_to_mask(mode, group_deny), group);
    w_ace(&w, ACCESS_ALLOWED_ACE_TYPE, WF_POSIX_DEFAULT_PERM | perm_to_mask(mode, world_perm),
        wf_sid_world);

    w_put(&w, owner, owner_len);
    w_put(&w, group, group_len);

    *len = w.pos;
    return w.pos <= w.cap ? STATUS_SUCCESS : STATUS_BUFFER_TOO_SMALL;
}

/* ---- descriptor -> mode ---- */

static uint32_t canonical_mask(uint32_t mask)
{
    if (mask & GENERIC_READ)
        mask |= FILE_GENERIC_READ;
    if (mask & GENERIC_WRITE)
        mask |= FILE_GENERIC_WRITE;
    if (mask & GENERIC_EXECUTE)
        mask |= FILE_GENERIC_EXECUTE;
    if (mask & GENERIC_ALL)
        mask |= FILE_ALL_ACCESS;
    return mask & ~(uint32_t)(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
}

static uint32_t mask_to_perm(uint32_t mask)
{
    return ((mask & FILE_READ_DATA) ? 4 : 0) |
        ((mask & (FILE_WRITE_DATA | FILE_APPEND_DATA)) == (FILE_WRITE_DATA | FILE_APPEND_DATA) ? 2 : 0) |
        ((mask & FILE_EXECUTE) ? 1 : 0);
}

/* One class's rights: a right once decided (allowed or denied) stays so. */
typedef struct wf_rights {
    uint32_t allow, deny;
} wf_rights;

static void rights_add(wf_rights *r, bool allow, uint32_t mask)
{
    if (allow)
        r->allow |= mask & ~r->deny;
    else
        r->deny |= mask & ~r->allow;
}

/*
 * The mode bits a DACL gives. owner/group may be NULL, then the ACE SIDs
 * are mapped to ids and compared with uid/gid instead (WinFsp's way for
 * a descriptor without owner or group).
 */
static uint32_t mode_from_dacl(const wf_idmap *map, const uint8_t *dacl,
    const uint8_t *owner, uint32_t uid, const uint8_t *group, uint32_t gid)
{
    wf_rights o = { 0, 0 }, g = { 0, 0 }, w = { 0, 0 };
    wf_ace_view ace;
    size_t pos = 0;
    uint16_t index;
    uint32_t mode;

    if (!dacl)
        return 0777;

    while (wf_acl_next_ace(dacl, &pos, &index, &ace)) {
        bool allow;
        uint32_t mask;

        if (ace.type == ACCESS_ALLOWED_ACE_TYPE)
            allow = true;
        else if (ace.type == ACCESS_DENIED_ACE_TYPE)
            allow = false;
        else
            continue;
        mask = canonical_mask(ace.mask);

        if (wf_sid_equal(ace.sid, wf_sid_world) || wf_sid_equal(ace.sid, wf_sid_authenticated)) {
            rights_add(&w, allow, mask);
            rights_add(&g, allow, mask);
            rights_add(&o, allow, mask);
            continue;
        }

        uint32_t ace_id = 0xffffffff; /* what WinFsp's failed lookup leaves */
        if (!owner || !group) {
            if (ace.sid[1] != 0)
                ace_id = map_sid_to_id(map, ace.sid);
        }
        if (group ? wf_sid_equal(group, ace.sid) : gid == ace_id)
            rights_add(&g, allow, mask);
        if (owner ? wf_sid_equal(owner, ace.sid) : uid == ace_id)
            rights_add(&o, allow, mask);
    }

    mode = (mask_to_perm(o.allow) << 6) | (mask_to_perm(g.allow) << 3) | mask_to_perm(w.allow);
    /* The owner may delete children where a writer class may not: sticky. */
    if ((o.allow & FILE_DELETE_CHILD) &&
        ((!(g.allow & FILE_DELETE_CHILD) && (mode & 0020)) ||
            (!(w.allow & FILE_DELETE_CHILD) && (mode & 0002))))
        mode |= 01000;
    return mode;
}

NTSTATUS wf_sd_to_posix(const wf_idmap *map, const void *sd, size_t len,
    uint32_t *uid, uint32_t *gid, uint32_t *mode)
{
    wf_sd_view v;
    uint32_t new_uid = *uid, new_gid = *gid;
    NTSTATUS st;

    *mode = 0;
    st = wf_sd_parse(sd, len, &v);
    if (!NT_SUCCESS(st))
        return st;
    map = idmap_or_default(map);
    if (v.owner) {
        if (v.owner[1] == 0)
            return STATUS_INVALID_SID;
        new_uid = map_sid_to_id(map, v.owner);
    }
    if (v.group) {
        if (v.group[1] == 0)
            return STATUS_INVALID_SID;
        new_gid = map_sid_to_id(map, v.group);
    }
    *mode = mode_from_dacl(map, v.dacl, v.owner, new_uid, v.group, new_gid);
    *uid = new_uid;
    *gid = new_gid;
    return STATUS_SUCCESS;
}

NTSTATUS wf_sd_modify(const wf_idmap *map, uint32_t uid, uint32_t gid, uint32_t mode,
    uint32_t secinfo, const void *sd, size_t len,
    uint32_t *new_uid, uint32_t *new_gid, uint32_t *new_mode)
{
    uint8_t owner_buf[WF_SID_MAX_SIZE], group_buf[WF_SID_MAX_SIZE];
    const uint8_t *owner, *group;
    wf_sd_view v;
    NTSTATUS st;

    *new_uid = uid;
    *new_gid = gid;
    *new_mode = mode;
    st = wf_sd_parse(sd, len, &v);
    if (!NT_SUCCESS(st))
        return st;
    map = idmap_or_default(map);

    if (secinfo & OWNER_SECURITY_INFORMATION) {
        if (!v.owner)
            return STATUS_INVALID_OWNER;
        if (v.owner[1] == 0)
            return STATUS_INVALID_SID;
        owner = v.owner;
    } else {
        map_id_to_sid(map, uid, owner_buf);
        owner = owner_buf;
    }
    if (secinfo & GROUP_SECURITY_INFORMATION) {
        if (!v.group)
            return STATUS_INVALID_PRIMARY_GROUP;
        if (v.group[1] == 0)
            return STATUS_INVALID_SID;
        group = v.group;
    } else {
        map_id_to_sid(map, gid, group_buf);
        group = group_buf;
    }

    if (secinfo & OWNER_SECURITY_INFORMATION)
        *new_uid = map_sid_to_id(map, owner);
    if (secinfo & GROUP_SECURITY_INFORMATION)
        *new_gid = map_sid_to_id(map, group);
    if (secinfo & DACL_SECURITY_INFORMATION)
        *new_mode = (mode & 0170000) |
            mode_from_dacl(map, v.dacl_present ? v.dacl : NULL, owner, 0, group, 0);
    return STATUS_SUCCESS;
}
