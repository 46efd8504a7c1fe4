/*
 * sddl.c - the SDDL subset of sddl.h, both ways.
 *
 * Parsing first finds the spans of the O:, G:, D: and S: components, then
 * writes the binary descriptor in layout order straight into the caller's
 * buffer (measuring past its end), so nothing is allocated and nothing
 * large lives on the (kernel) stack.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "winfuse/ntdefs.h"
#include "engine/security.h"
#include "engine/sddl.h"

/* ---- the vocabulary ---- */

typedef struct wf_sddl_name {
    char name[3];
    uint32_t value;
} wf_sddl_name;

static const wf_sddl_name ace_types[] = {
    { "A", ACCESS_ALLOWED_ACE_TYPE },
    { "D", ACCESS_DENIED_ACE_TYPE },
    { "AU", SYSTEM_AUDIT_ACE_TYPE },
    { "AL", SYSTEM_ALARM_ACE_TYPE },
    { "ML", SYSTEM_MANDATORY_LABEL_ACE_TYPE },
};

/* Valid SDDL ACE types this subset does not handle. */
static const char *const unsupported_ace_types[] = {
    "OA", "OD", "OU", "OL", "XA", "XD", "XU", "ZA", "RA", "SP",
};

/* In bit order, which is also the order written. */
static const wf_sddl_name ace_flags[] = {
    { "OI", OBJECT_INHERIT_ACE },
    { "CI", CONTAINER_INHERIT_ACE },
    { "NP", NO_PROPAGATE_INHERIT_ACE },
    { "IO", INHERIT_ONLY_ACE },
    { "ID", INHERITED_ACE },
    { "SA", SUCCESSFUL_ACCESS_ACE_FLAG },
    { "FA", FAILED_ACCESS_ACE_FLAG },
};

/* Names for whole masks, tried first when writing. */
static const wf_sddl_name combined_rights[] = {
    { "FA", 0x001f01ff }, /* FILE_ALL_ACCESS */
    { "FR", 0x00120089 }, /* FILE_GENERIC_READ */
    { "FW", 0x00120116 }, /* FILE_GENERIC_WRITE */
    { "FX", 0x001200a0 }, /* FILE_GENERIC_EXECUTE */
    { "KA", 0x000f003f }, /* KEY_ALL_ACCESS */
    { "KR", 0x00020019 }, /* KEY_READ */
    { "KW", 0x00020006 }, /* KEY_WRITE */
    { "KX", 0x00020019 }, /* KEY_EXECUTE, the same as KEY_READ */
};

/* Names of single rights, in bit order. */
static const wf_sddl_name single_rights[] = {
    { "CC", 0x00000001 }, /* ADS_RIGHT_DS_CREATE_CHILD */
    { "DC", 0x00000002 }, /* ADS_RIGHT_DS_DELETE_CHILD */
    { "LC", 0x00000004 }, /* ADS_RIGHT_ACTRL_DS_LIST */
    { "SW", 0x00000008 }, /* ADS_RIGHT_DS_SELF */
    { "RP", 0x00000010 }, /* ADS_RIGHT_DS_READ_PROP */
    { "WP", 0x00000020 }, /* ADS_RIGHT_DS_WRITE_PROP */
    { "DT", 0x00000040 }, /* ADS_RIGHT_DS_DELETE_TREE */
    { "LO", 0x00000080 }, /* ADS_RIGHT_DS_LIST_OBJECT */
    { "CR", 0x00000100 }, /* ADS_RIGHT_DS_CONTROL_ACCESS */
    { "SD", 0x00010000 }, /* DELETE */
    { "RC", 0x00020000 }, /* READ_CONTROL */
    { "WD", 0x00040000 }, /* WRITE_DAC */
    { "WO", 0x00080000 }, /* WRITE_OWNER */
    { "GA", 0x10000000 },
    { "GX", 0x20000000 },
    { "GW", 0x40000000 },
    { "GR", 0x80000000 },
};

/* Mandatory label policy, written for ML ACEs only. */
static const wf_sddl_name label_rights[] = {
    { "NW", 0x1 }, /* SYSTEM_MANDATORY_LABEL_NO_WRITE_UP */
    { "NR", 0x2 }, /* SYSTEM_MANDATORY_LABEL_NO_READ_UP */
    { "NX", 0x4 }, /* SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP */
};

typedef struct wf_sddl_sid {
    char name[3];
    uint8_t authority;
    uint8_t count;
    uint32_t sub[2];
} wf_sddl_sid;

static const wf_sddl_sid sid_aliases[] = {
    { "WD", 1, 1, { 0 } },          /* Everyone */
    { "CO", 3, 1, { 0 } },          /* Creator Owner */
    { "CG", 3, 1, { 1 } },          /* Creator Group */
    { "OW", 3, 1, { 4 } },          /* Owner Rights */
    { "NU", 5, 1, { 2 } },          /* Network */
    { "IU", 5, 1, { 4 } },          /* Interactive */
    { "SU", 5, 1, { 6 } },          /* Service */
    { "AN", 5, 1, { 7 } },          /* Anonymous */
    { "ED", 5, 1, { 9 } },          /* Enterprise Domain Controllers */
    { "PS", 5, 1, { 10 } },         /* Principal Self */
    { "AU", 5, 1, { 11 } },         /* Authenticated Users */
    { "RC", 5, 1, { 12 } },         /* Restricted Code */
    { "SY", 5, 1, { 18 } },         /* Local System */
    { "LS", 5, 1, { 19 } },         /* Local Service */
    { "NS", 5, 1, { 20 } },         /* Network Service */
    { "WR", 5, 1, { 33 } },         /* Write Restricted Code */
    { "BA", 5, 2, { 32, 544 } },    /* Administrators */
    { "BU", 5, 2, { 32, 545 } },    /* Users */
    { "BG", 5, 2, { 32, 546 } },    /* Guests */
    { "PU", 5, 2, { 32, 547 } },    /* Power Users */
    { "AO", 5, 2, { 32, 548 } },    /* Account Operators */
    { "SO", 5, 2, { 32, 549 } },    /* Server Operators */
    { "PO", 5, 2, { 32, 550 } },    /* Print Operators */
    { "BO", 5, 2, { 32, 551 } },    /* Backup Operators */
    { "RE", 5, 2, { 32, 552 } },    /* Replicator */
    { "RU", 5, 2, { 32, 554 } },    /* Pre-Windows 2000 Compatible Access */
    { "RD", 5, 2, { 32, 555 } },    /* Remote Desktop Users */
    { "NO", 5, 2, { 32, 556 } },    /* Network Configuration Operators */
    { "MU", 5, 2, { 32, 558 } },    /* Performance Monitor Users */
    { "LU", 5, 2, { 32, 559 } },    /* Performance Log Users */
    { "IS", 5, 2, { 32, 568 } },    /* IIS_IUSRS */
    { "CY", 5, 2, { 32, 569 } },    /* Cryptographic Operators */
    { "ER", 5, 2, { 32, 573 } },    /* Event Log Readers */
    { "CD", 5, 2, { 32, 574 } },    /* Certificate Service DCOM Access */
    { "RA", 5, 2, { 32, 575 } },    /* RDS Remote Access Servers */
    { "ES", 5, 2, { 32, 576 } },    /* RDS Endpoint Servers */
    { "MS", 5, 2, { 32, 577 } },    /* RDS Management Servers */
    { "HA", 5, 2, { 32, 578 } },    /* Hyper-V Administrators */
    { "AA", 5, 2, { 32, 579 } },    /* Access Control Assistance Operators */
    { "RM", 5, 2, { 32, 580 } },    /* Remote Management Users */
    { "AC", 15, 2, { 2, 1 } },      /* All Application Packages */
    { "LW", 16, 1, { 0x1000 } },    /* Low Mandatory Level */
    { "ME", 16, 1, { 0x2000 } },    /* Medium Mandatory Level */
    { "MP", 16, 1, { 0x2100 } },    /* Medium Plus Mandatory Level */
    { "HI", 16, 1, { 0x3000 } },    /* High Mandatory Level */
    { "SI", 16, 1, { 0x4000 } },    /* System Mandatory Level */
};

/* Aliases relative to a domain we do not know: valid SDDL, not supported here. */
static const char *const domain_aliases[] = {
    "DA", "DG", "DU", "DD", "DC", "CA", "SA", "EA", "PA", "RS", "LA", "LG", "AP", "CN", "RO",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static size_t alias_sid(const wf_sddl_sid *a, uint8_t *out)
{
    memset(out, 0, WF_SID_HEADER_SIZE);
    out[0] = SID_REVISION;
    out[1] = a->count;
    out[7] = a->authority;
    for (unsigned i = 0; i < a->count; i++) {
        uint8_t *p = out + WF_SID_HEADER_SIZE + 4 * i;
        p[0] = (uint8_t)a->sub[i];
        p[1] = (uint8_t)(a->sub[i] >> 8);
        p[2] = (uint8_t)(a->sub[i] >> 16);
        p[3] = (uint8_t)(a->sub[i] >> 24);
    }
    return (size_t)WF_SID_HEADER_SIZE + 4u * a->count;
}

static bool two_letters(const char *s, size_t n, const char *name)
{
    return n >= 2 && s[0] == name[0] && s[1] == name[1];
}

/* ---- text -> descriptor ---- */

typedef struct wf_sd_writer {
    uint8_t *buf;
    size_t cap;
    size_t pos;
} wf_sd_writer;

static void w_put(wf_sd_writer *w, const void *p, size_t n)
{
    if (n && w->pos <= w->cap && n <= w->cap - w->pos)
        memcpy(w->buf + w->pos, p, n);
    w->pos += n;
}

/* Stores a 16-bit field at an offset already written (if it fit). */
static void w_patch16(wf_sd_writer *w, size_t at, uint16_t v)
{
    if (at <= w->cap && w->cap - at >= 2) {
        w->buf[at] = (uint8_t)v;
        w->buf[at + 1] = (uint8_t)(v >> 8);
    }
}

/* A whole SID field: an alias or S-1-...; out has WF_SID_MAX_SIZE bytes. */
static NTSTATUS parse_sid(const char *s, size_t n, uint8_t *out, size_t *out_len)
{
    size_t consumed;

    if (n == 2) {
        for (size_t i = 0; i < COUNT_OF(sid_aliases); i++)
            if (two_letters(s, n, sid_aliases[i].name)) {
                *out_len = alias_sid(&sid_aliases[i], out);
                return STATUS_SUCCESS;
            }
        for (size_t i = 0; i < COUNT_OF(domain_aliases); i++)
            if (two_letters(s, n, domain_aliases[i]))
                return STATUS_NOT_SUPPORTED;
        return STATUS_INVALID_PARAMETER;
    }
    if (!NT_SUCCESS(wf_sid_parse(s, n, &consumed, out, WF_SID_MAX_SIZE, out_len)) || consumed != n)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

static NTSTATUS parse_rights(const char *s, size_t n, uint32_t *mask)
{
    uint64_t v = 0;

    *mask = 0;
    if (n == 0)
        return STATUS_SUCCESS;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (size_t i = 2; i < n; i++) {
            int d;
            if (s[i] >= '0' && s[i] <= '9')
                d = s[i] - '0';
            else if (s[i] >= 'a' && s[i] <= 'f')
                d = s[i] - 'a' + 10;
            else if (s[i] >= 'A' && s[i] <= 'F')
                d = s[i] - 'A' + 10;
            else
                return STATUS_INVALID_PARAMETER;
            v = (v << 4) | (uint64_t)d;
            if (v > 0xffffffffu)
                return STATUS_INVALID_PARAMETER;
        }
        *mask = (uint32_t)v;
        return STATUS_SUCCESS;
    }
    if (s[0] >= '0' && s[0] <= '9') {
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return STATUS_INVALID_PARAMETER;
            v = v * 10 + (uint64_t)(s[i] - '0');
            if (v > 0xffffffffu)
                return STATUS_INVALID_PARAMETER;
        }
        *mask = (uint32_t)v;
        return STATUS_SUCCESS;
    }
    for (size_t i = 0; i < n; i += 2) {
        bool found = false;
        for (size_t k = 0; !found && k < COUNT_OF(combined_rights); k++)
            if (two_letters(s + i, n - i, combined_rights[k].name)) {
                *mask |= combined_rights[k].value;
                found = true;
            }
        for (size_t k = 0; !found && k < COUNT_OF(single_rights); k++)
            if (two_letters(s + i, n - i, single_rights[k].name)) {
                *mask |= single_rights[k].value;
                found = true;
            }
        for (size_t k = 0; !found && k < COUNT_OF(label_rights); k++)
            if (two_letters(s + i, n - i, label_rights[k].name)) {
                *mask |= label_rights[k].value;
                found = true;
            }
        if (!found)
            return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

/* One ACE's text between its parentheses; writes the ACE. */
static NTSTATUS parse_ace(const char *s, size_t n, wf_sd_writer *w)
{
    const char *field[6];
    size_t flen[6], nf = 0, start = 0;
    uint8_t type = 0, flags = 0, sid[WF_SID_MAX_SIZE], head[8];
    uint32_t mask;
    size_t sid_len;
    bool found;
    NTSTATUS st;

    /* The type decides the grammar of the rest, so look at it first. */
    for (size_t i = 0; i < COUNT_OF(unsupported_ace_types); i++) {
        const char *t = unsupported_ace_types[i];
        if (n >= 3 && s[0] == t[0] && s[1] == t[1] && s[2] == ';')
            return STATUS_NOT_SUPPORTED;
    }

    for (size_t i = 0; i <= n; i++)
        if (i == n || s[i] == ';') {
            if (nf == 6)
                return STATUS_INVALID_PARAMETER;
            field[nf] = s + start;
            flen[nf] = i - start;
            nf++;
            start = i + 1;
        }
    if (nf != 6)
        return STATUS_INVALID_PARAMETER;

    found = false;
    for (size_t i = 0; i < COUNT_OF(ace_types); i++)
        if (flen[0] == strlen(ace_types[i].name) &&
            0 == memcmp(field[0], ace_types[i].name, flen[0])) {
            type = (uint8_t)ace_types[i].value;
            found = true;
        }
    if (!found)
        return STATUS_INVALID_PARAMETER;

    if (flen[1] % 2)
        return STATUS_INVALID_PARAMETER;
    for (size_t i = 0; i < flen[1]; i += 2) {
        found = false;
        for (size_t k = 0; !found && k < COUNT_OF(ace_flags); k++)
            if (two_letters(field[1] + i, 2, ace_flags[k].name)) {
                flags |= (uint8_t)ace_flags[k].value;
                found = true;
            }
        if (!found)
            return STATUS_INVALID_PARAMETER;
    }

    st = parse_rights(field[2], flen[2], &mask);
    if (!NT_SUCCESS(st))
        return st;
    /* Object GUIDs belong to object ACEs only. */
    if (flen[3] || flen[4])
        return STATUS_INVALID_PARAMETER;
    st = parse_sid(field[5], flen[5], sid, &sid_len);
    if (!NT_SUCCESS(st))
        return st;

    head[0] = type;
    head[1] = flags;
    head[2] = (uint8_t)(8 + sid_len);
    head[3] = 0;
    head[4] = (uint8_t)mask;
    head[5] = (uint8_t)(mask >> 8);
    head[6] = (uint8_t)(mask >> 16);
    head[7] = (uint8_t)(mask >> 24);
    w_put(w, head, sizeof head);
    w_put(w, sid, sid_len);
    return STATUS_SUCCESS;
}

/*
 * A D: or S: component after the colon: flags, then NO_ACCESS_CONTROL or
 * ACEs. Writes the ACL (unless NULL) and adds to *control.
 */
static NTSTATUS parse_acl(const char *s, size_t n, bool dacl, wf_sd_writer *w,
    uint16_t *control, uint32_t *offset)
{
    size_t i = 0, acl_at, count = 0;
    bool null_acl = false;
    uint8_t head[8] = { ACL_REVISION, 0, 0, 0, 0, 0, 0, 0 };

    *control |= dacl ? SE_DACL_PRESENT : SE_SACL_PRESENT;
    while (i < n && s[i] != '(') {
        static const char nac[] = "NO_ACCESS_CONTROL";
        if (n - i >= sizeof nac - 1 && 0 == memcmp(s + i, nac, sizeof nac - 1)) {
            null_acl = true;
            i += sizeof nac - 1;
        } else if (s[i] == 'P') {
            *control |= dacl ? SE_DACL_PROTECTED : SE_SACL_PROTECTED;
            i++;
        } else if (two_letters(s + i, n - i, "AR")) {
            *control |= dacl ? SE_DACL_AUTO_INHERIT_REQ : SE_SACL_AUTO_INHERIT_REQ;
            i += 2;
        } else if (two_letters(s + i, n - i, "AI")) {
            *control |= dacl ? SE_DACL_AUTO_INHERITED : SE_SACL_AUTO_INHERITED;
            i += 2;
        } else
            return STATUS_INVALID_PARAMETER;
    }
    if (null_acl) {
        *offset = 0;
        return i == n ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    }

    acl_at = w->pos;
    *offset = (uint32_t)acl_at;
    w_put(w, head, sizeof head);
    while (i < n) {
        size_t end;
        NTSTATUS st;

        size_t depth = 1;

        if (s[i] != '(')
            return STATUS_INVALID_PARAMETER;
        /* Conditional and resource-attribute ACEs nest parentheses. */
        for (end = i + 1; end < n; end++) {
            if (s[end] == '(')
                depth++;
            else if (s[end] == ')' && !--depth)
                break;
        }
        if (end == n)
            return STATUS_INVALID_PARAMETER;
        st = parse_ace(s + i + 1, end - i - 1, w);
        if (!NT_SUCCESS(st))
            return st;
        count++;
        if (w->pos - acl_at > 0xffff)
            return STATUS_INVALID_PARAMETER;
        i = end + 1;
    }
    w_patch16(w, acl_at + 2, (uint16_t)(w->pos - acl_at));
    w_patch16(w, acl_at + 4, (uint16_t)count);
    return STATUS_SUCCESS;
}

NTSTATUS wf_sddl_to_sd(const char *sddl, void *buf, size_t cap, size_t *len)
{
    /* Spans of the components, indexed O G D S. */
    static const char letters[] = "OGDS";
    const char *part[4] = { NULL, NULL, NULL, NULL };
    size_t part_len[4] = { 0, 0, 0, 0 };
    wf_sd_writer w = { buf, buf ? cap : 0, 0 };
    uint8_t head[WF_SD_HEADER_SIZE];
    uint32_t offsets[4] = { 0, 0, 0, 0 }; /* owner group sacl dacl, as in the header */
    uint16_t control = SE_SELF_RELATIVE;
    size_t n, i = 0;
    NTSTATUS st;

    if (len)
        *len = 0;
    if (!sddl)
        return STATUS_INVALID_PARAMETER;
    n = strlen(sddl);

    while (i < n) {
        const char *letter = i + 1 < n && sddl[i + 1] == ':' ? strchr(letters, sddl[i]) : NULL;
        size_t k, j, depth = 0;

        if (!letter || !*letter)
            return STATUS_INVALID_PARAMETER;
        k = (size_t)(letter - letters);
        if (part[k])
            return STATUS_INVALID_PARAMETER;
        /* The component ends where the next "X:" starts outside any ACE. */
        for (j = i + 2; j < n; j++) {
            if (sddl[j] == '(')
                depth++;
            else if (sddl[j] == ')') {
                if (!depth)
                    return STATUS_INVALID_PARAMETER;
                depth--;
            } else if (!depth && j + 1 < n && sddl[j + 1] == ':' && sddl[j] &&
                strchr(letters, sddl[j]))
                break;
        }
        part[k] = sddl + i + 2;
        part_len[k] = j - i - 2;
        i = j;
    }

    /* Layout: header, SACL, DACL, owner, group. */
    w.pos = WF_SD_HEADER_SIZE;
    if (part[3]) {
        st = parse_acl(part[3], part_len[3], false, &w, &control, &offsets[2]);
        if (!NT_SUCCESS(st))
            return st;
    }
    if (part[2]) {
        st = parse_acl(part[2], part_len[2], true, &w, &control, &offsets[3]);
        if (!NT_SUCCESS(st))
            return st;
    }
    for (int k = 0; k < 2; k++) {
        uint8_t sid[WF_SID_MAX_SIZE];
        size_t sid_len;
        if (!part[k])
            continue;
        st = parse_sid(part[k], part_len[k], sid, &sid_len);
        if (!NT_SUCCESS(st))
            return st;
        offsets[k] = (uint32_t)w.pos;
        w_put(&w, sid, sid_len);
    }

    memset(head, 0, sizeof head);
    head[0] = SECURITY_DESCRIPTOR_REVISION;
    head[2] = (uint8_t)control;
    head[3] = (uint8_t)(control >> 8);
    for (int k = 0; k < 4; k++) {
        uint8_t *p = head + 4 + 4 * k;
        p[0] = (uint8_t)offsets[k];
        p[1] = (uint8_t)(offsets[k] >> 8);
        p[2] = (uint8_t)(offsets[k] >> 16);
        p[3] = (uint8_t)(offsets[k] >> 24);
    }
    if (w.cap >= sizeof head)
        memcpy(w.buf, head, sizeof head);

    if (len)
        *len = w.pos;
    return w.pos <= w.cap ? STATUS_SUCCESS : STATUS_BUFFER_TOO_SMALL;
}

/* ---- descriptor -> text ---- */

typedef struct wf_text_writer {
    char *buf;
    size_t cap;
    size_t pos;
} wf_text_writer;

static void t_put(wf_text_writer *t, const char *s, size_t n)
{
    if (n && t->pos <= t->cap && n <= t->cap - t->pos)
        memcpy(t->buf + t->pos, s, n);
    t->pos += n;
}

static void t_str(wf_text_writer *t, const char *s)
{
    t_put(t, s, strlen(s));
}

static void t_sid(wf_text_writer *t, const uint8_t *sid)
{
    uint8_t alias[WF_SID_MAX_SIZE];
    char text[WF_SID_MAX_STRING];
    size_t needed;

    for (size_t i = 0; i < COUNT_OF(sid_aliases); i++) {
        alias_sid(&sid_aliases[i], alias);
        if (wf_sid_equal(alias, sid)) {
            t_put(t, sid_aliases[i].name, 2);
            return;
        }
    }
    /* Cannot fail: the SID was validated and the buffer is the maximum. */
    if (NT_SUCCESS(wf_sid_to_string(sid, wf_sid_length(sid), text, sizeof text, &needed)))
        t_put(t, text, needed - 1);
}

static void t_rights(wf_text_writer *t, uint8_t type, uint32_t mask)
{
    static const char hex[] = "0123456789abcdef";
    char text[11];
    size_t n = 0;
    uint32_t named = 0;

    if (!mask)
        return;
    if (type == SYSTEM_MANDATORY_LABEL_ACE_TYPE && !(mask & ~7u)) {
        for (size_t k = 0; k < COUNT_OF(label_rights); k++)
            if (mask & label_rights[k].value)
                t_put(t, label_rights[k].name, 2);
        return;
    }
    for (size_t k = 0; k < COUNT_OF(combined_rights); k++)
        if (mask == combined_rights[k].value) {
            t_put(t, combined_rights[k].name, 2);
            return;
        }
    for (size_t k = 0; k < COUNT_OF(single_rights); k++)
        named |= single_rights[k].value;
    if (!(mask & ~named)) {
        for (size_t k = 0; k < COUNT_OF(single_rights); k++)
            if (mask & single_rights[k].value)
                t_put(t, single_rights[k].name, 2);
        return;
    }
    text[n++] = '0';
    text[n++] = 'x';
    for (int shift = 28; shift >= 0; shift -= 4)
        if ((mask >> shift) || shift == 0)
            text[n++] = hex[(mask >> shift) & 15];
    t_put(t, text, n);
}

static NTSTATUS t_acl(wf_text_writer *t, const char *prefix, uint16_t control, bool dacl,
    const uint8_t *acl)
{
    wf_ace_view ace;
    size_t pos = 0;
    uint16_t index;

    t_str(t, prefix);
    if (control & (dacl ? SE_DACL_PROTECTED : SE_SACL_PROTECTED))
        t_str(t, "P");
    if (control & (dacl ? SE_DACL_AUTO_INHERIT_REQ : SE_SACL_AUTO_INHERIT_REQ))
        t_str(t, "AR");
    if (control & (dacl ? SE_DACL_AUTO_INHERITED : SE_SACL_AUTO_INHERITED))
        t_str(t, "AI");
    if (!acl) {
        t_str(t, "NO_ACCESS_CONTROL");
        return STATUS_SUCCESS;
    }
    while (wf_acl_next_ace(acl, &pos, &index, &ace)) {
        const char *type = NULL;
        uint8_t flags = ace.flags;

        for (size_t k = 0; k < COUNT_OF(ace_types); k++)
            if (ace.type == ace_types[k].value)
                type = ace_types[k].name;
        if (!type)
            return STATUS_NOT_SUPPORTED;
        t_str(t, "(");
        t_str(t, type);
        t_str(t, ";");
        for (size_t k = 0; k < COUNT_OF(ace_flags); k++)
            if (flags & ace_flags[k].value) {
                t_put(t, ace_flags[k].name, 2);
                flags &= (uint8_t)~ace_flags[k].value;
            }
        if (flags)
            return STATUS_NOT_SUPPORTED;
        t_str(t, ";");
        t_rights(t, ace.type, ace.mask);
        t_str(t, ";;;");
        t_sid(t, ace.sid);
        t_str(t, ")");
    }
    return STATUS_SUCCESS;
}

NTSTATUS wf_sddl_from_sd(const void *sd, size_t len, char *buf, size_t cap, size_t *needed)
{
    wf_text_writer t = { buf, buf ? cap : 0, 0 };
    wf_sd_view v;
    NTSTATUS st;

    if (needed)
        *needed = 0;
    st = wf_sd_parse(sd, len, &v);
    if (!NT_SUCCESS(st))
        return st;

    if (v.owner) {
        t_str(&t, "O:");
        t_sid(&t, v.owner);
    }
    if (v.group) {
        t_str(&t, "G:");
        t_sid(&t, v.group);
    }
    if (v.dacl_present) {
        st = t_acl(&t, "D:", v.control, true, v.dacl);
        if (!NT_SUCCESS(st))
            return st;
    }
    if (v.sacl_present) {
        st = t_acl(&t, "S:", v.control, false, v.sacl);
        if (!NT_SUCCESS(st))
            return st;
    }
    t_put(&t, "", 1);

    if (needed)
        *needed = t.pos;
    return t.pos <= t.cap ? STATUS_SUCCESS : STATUS_BUFFER_TOO_SMALL;
}
