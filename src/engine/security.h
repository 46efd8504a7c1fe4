/*
 * security.h - POSIX owners and modes as Windows SIDs and security
 * descriptors, and back.
 *
 * The mapping is WinFsp's (src/shared/ku/posix.c, after Cygwin's IDMAP and
 * Services for UNIX' PERMS), so that a FUSE file system looks the same
 * to Windows whether WinFsp-FUSE or winfuse serves it. Where WinFsp asks
 * the LSA or the registry (which domain this machine belongs to), the
 * answer comes from a wf_idmap the caller configures instead.
 *
 * Binary formats are Windows' own, little-endian, and are read and written
 * byte by byte: SIDs and descriptors arrive from user mode at any
 * alignment, and nothing here trusts a length it has not checked.
 *
 * Buffers, Windows-style: a call that fills (buf, cap) stores the size it
 * needs (or wrote) in *len; when that is more than cap it returns
 * STATUS_BUFFER_TOO_SMALL and the buffer holds nothing useful. buf may be
 * NULL when cap is 0.
 */
#ifndef WINFUSE_ENGINE_SECURITY_H
#define WINFUSE_ENGINE_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "winfuse/ntdefs.h"

/* ---- Windows security constants (the DDK has them too, hence the guards) ---- */

#ifndef SID_REVISION
#define SID_REVISION 1
#endif
#ifndef SID_MAX_SUB_AUTHORITIES
#define SID_MAX_SUB_AUTHORITIES 15
#endif
#ifndef ACL_REVISION
#define ACL_REVISION 2
#endif
#ifndef ACL_REVISION_DS
#define ACL_REVISION_DS 4
#endif
#ifndef SECURITY_DESCRIPTOR_REVISION
#define SECURITY_DESCRIPTOR_REVISION 1
#endif

/* ACE types (ACE_HEADER.AceType) */
#ifndef ACCESS_ALLOWED_ACE_TYPE
#define ACCESS_ALLOWED_ACE_TYPE 0x0
#endif
#ifndef ACCESS_DENIED_ACE_TYPE
#define ACCESS_DENIED_ACE_TYPE 0x1
#endif
#ifndef SYSTEM_AUDIT_ACE_TYPE
#define SYSTEM_AUDIT_ACE_TYPE 0x2
#endif
#ifndef SYSTEM_ALARM_ACE_TYPE
#define SYSTEM_ALARM_ACE_TYPE 0x3
#endif
#ifndef SYSTEM_MANDATORY_LABEL_ACE_TYPE
#define SYSTEM_MANDATORY_LABEL_ACE_TYPE 0x11
#endif
#ifndef SYSTEM_SCOPED_POLICY_ID_ACE_TYPE
#define SYSTEM_SCOPED_POLICY_ID_ACE_TYPE 0x13
#endif
#ifndef SYSTEM_PROCESS_TRUST_LABEL_ACE_TYPE
#define SYSTEM_PROCESS_TRUST_LABEL_ACE_TYPE 0x14
#endif

/* ACE flags (ACE_HEADER.AceFlags) */
#ifndef OBJECT_INHERIT_ACE
#define OBJECT_INHERIT_ACE 0x1
#endif
#ifndef CONTAINER_INHERIT_ACE
#define CONTAINER_INHERIT_ACE 0x2
#endif
#ifndef NO_PROPAGATE_INHERIT_ACE
#define NO_PROPAGATE_INHERIT_ACE 0x4
#endif
#ifndef INHERIT_ONLY_ACE
#define INHERIT_ONLY_ACE 0x8
#endif
#ifndef INHERITED_ACE
#define INHERITED_ACE 0x10
#endif
#ifndef SUCCESSFUL_ACCESS_ACE_FLAG
#define SUCCESSFUL_ACCESS_ACE_FLAG 0x40
#endif
#ifndef FAILED_ACCESS_ACE_FLAG
#define FAILED_ACCESS_ACE_FLAG 0x80
#endif

/* SECURITY_DESCRIPTOR_CONTROL */
#ifndef SE_OWNER_DEFAULTED
#define SE_OWNER_DEFAULTED 0x0001
#endif
#ifndef SE_GROUP_DEFAULTED
#define SE_GROUP_DEFAULTED 0x0002
#endif
#ifndef SE_DACL_PRESENT
#define SE_DACL_PRESENT 0x0004
#endif
#ifndef SE_DACL_DEFAULTED
#define SE_DACL_DEFAULTED 0x0008
#endif
#ifndef SE_SACL_PRESENT
#define SE_SACL_PRESENT 0x0010
#endif
#ifndef SE_SACL_DEFAULTED
#define SE_SACL_DEFAULTED 0x0020
#endif
#ifndef SE_DACL_AUTO_INHERIT_REQ
#define SE_DACL_AUTO_INHERIT_REQ 0x0100
#endif
#ifndef SE_SACL_AUTO_INHERIT_REQ
#define SE_SACL_AUTO_INHERIT_REQ 0x0200
#endif
#ifndef SE_DACL_AUTO_INHERITED
#define SE_DACL_AUTO_INHERITED 0x0400
#endif
#ifndef SE_SACL_AUTO_INHERITED
#define SE_SACL_AUTO_INHERITED 0x0800
#endif
#ifndef SE_DACL_PROTECTED
#define SE_DACL_PROTECTED 0x1000
#endif
#ifndef SE_SACL_PROTECTED
#define SE_SACL_PROTECTED 0x2000
#endif
#ifndef SE_RM_CONTROL_VALID
#define SE_RM_CONTROL_VALID 0x4000
#endif
#ifndef SE_SELF_RELATIVE
#define SE_SELF_RELATIVE 0x8000
#endif

/* SECURITY_INFORMATION values (OWNER_SECURITY_INFORMATION, ...) come from ntdefs.h. */

/* ---- binary layouts (documentation and sizes; the code reads bytes) ---- */

/* SID: S-<revision>-<authority, 48-bit big-endian>-<sub authority, LE>... */
typedef struct wf_sid {
    uint8_t revision;
    uint8_t sub_authority_count;
    uint8_t identifier_authority[6];
    uint32_t sub_authority[SID_MAX_SUB_AUTHORITIES];
} wf_sid;

/* ACL header; AceCount ACEs follow within AclSize bytes. */
typedef struct wf_acl {
    uint8_t revision;
    uint8_t sbz1;
    uint16_t size;
    uint16_t ace_count;
    uint16_t sbz2;
} wf_acl;

typedef struct wf_ace_header {
    uint8_t type;
    uint8_t flags;
    uint16_t size;
} wf_ace_header;

/* ACCESS_ALLOWED/DENIED, SYSTEM_AUDIT/ALARM/MANDATORY_LABEL: header, mask, SID. */
typedef struct wf_ace {
    wf_ace_header header;
    uint32_t mask;
    /* the SID starts here */
} wf_ace;

/* SECURITY_DESCRIPTOR_RELATIVE: offsets from its start; 0 = absent. */
typedef struct wf_sd_relative {
    uint8_t revision;
    uint8_t sbz1;
    uint16_t control;
    uint32_t owner;
    uint32_t group;
    uint32_t sacl;
    uint32_t dacl;
} wf_sd_relative;

#define WF_SID_HEADER_SIZE 8
#define WF_SID_MAX_SIZE (WF_SID_HEADER_SIZE + 4 * SID_MAX_SUB_AUTHORITIES) /* 68 */
#define WF_SID_MAX_STRING 184 /* "S-1-0x" 12 hex digits, 15 x "-4294967295", NUL */
#define WF_ACL_HEADER_SIZE 8
#define WF_ACE_HEADER_SIZE 4
#define WF_SD_HEADER_SIZE 20

/*
 * The largest descriptor wf_sd_from_posix builds (488 bytes): four ACEs
 * naming owner or group, one naming Everyone, and the two SIDs again, each
 * at most WF_SID_MAX_SIZE (only an idmap override can be that long; the
 * built-in scheme never exceeds 28 bytes).
 */
#define WF_SD_POSIX_MAX_SIZE (WF_SD_HEADER_SIZE + WF_ACL_HEADER_SIZE + \
    4 * (8 + WF_SID_MAX_SIZE) + (8 + 12) + 2 * WF_SID_MAX_SIZE)

/* Well-known SIDs, in binary. */
extern const uint8_t wf_sid_world[12];          /* S-1-1-0 Everyone */
extern const uint8_t wf_sid_authenticated[12];  /* S-1-5-11 Authenticated Users */
extern const uint8_t wf_sid_unmapped[12];       /* S-1-0-65534, WinFsp's "nobody" */
extern const uint8_t wf_sid_system[12];         /* S-1-5-18 Local System */
extern const uint8_t wf_sid_administrators[16]; /* S-1-5-32-544 BUILTIN\Administrators */

/* ---- SIDs ---- */

/* A well-formed SID within the len bytes at sid: revision 1, <= 15 sub authorities. */
bool wf_sid_valid(const void *sid, size_t len);
/* The length of a SID already known to be valid. */
size_t wf_sid_length(const void *sid);
/* Two valid SIDs are the same SID. */
bool wf_sid_equal(const void *a, const void *b);

/*
 * SID text, as RtlConvertSidToUnicodeString writes it: "S-1-5-32-544";
 * an authority of 2^32 or more as 0x and 12 hex digits. *needed counts
 * the terminating NUL. STATUS_INVALID_SID for an invalid SID.
 */
NTSTATUS wf_sid_to_string(const void *sid, size_t len, char *buf, size_t cap, size_t *needed);
/*
 * Parses "S-1-<authority>(-<sub authority>)*" (the S in either case; the
 * authority decimal below 2^48 or 0x with 1-12 hex digits; at most 15 sub
 * authorities, each decimal below 2^32). STATUS_INVALID_SID if malformed.
 */
NTSTATUS wf_sid_from_string(const char *str, void *buf, size_t cap, size_t *len);
/*
 * The same on the first n chars of str, stopping at the end of the SID:
 * *consumed says where it ended (used by the SDDL parser, where a SID is
 * followed by more text).
 */
NTSTATUS wf_sid_parse(const char *str, size_t n, size_t *consumed,
    void *buf, size_t cap, size_t *len);

/* ---- uid/gid <-> SID ---- */

/*
 * The IDMAP scheme (WinFsp FspPosixMapUidToSid/FspPosixMapSidToUid); the
 * same for uids and gids:
 *
 *   id                          SID
 *   0 .. 0x1ff, 1000            S-1-5-id              (0 is S-1-5-0, 18 SYSTEM)
 *   0x200 .. 999                S-1-5-32-id           (BUILTIN aliases)
 *   0x10000 + 0x100 * X + Y     S-1-X-Y               (0x10000 .. 0x10fff)
 *   0x30000 + RID               S-1-5-21-<account domain>-RID   (0x30000 .. 0x3ffff, local SAM)
 *   0x60000 + RID               S-1-16-RID            (0x60000 .. 0x6ffff, mandatory labels)
 *   0x1000 * X + RID            S-1-5-X-RID           (any other id 0x1000 .. 0xfffff)
 *   0x100000 + RID              S-1-5-21-<primary domain>-RID   (0x100000 .. 0xfeffffff)
 *   offset(domain) + RID        S-1-5-21-<trusted domain>-RID   (ids >= 0x300000 when
 *                               trusted domains exist: the largest offset <= id)
 *   65534, 1001 .. 0xfff and    S-1-0-65534           (unmapped: "nobody"; also a range
 *   everything else                                    above whose domain is not set)
 *
 * and back, in this order: S-1-5-RID -> RID; S-1-5-32-RID -> RID;
 * S-1-5-5-... (logon SIDs) unmapped; S-1-5-21-D-RID -> primary domain
 * 0x100000 + RID, account domain 0x30000 + RID, trusted domain
 * offset + RID, other domains unmapped; S-1-5-X-RID -> 0x1000 * X + RID;
 * other S-1-5-... unmapped; S-1-16-...-RID -> 0x60000 + RID;
 * S-1-0-65534 -> 65534; any other S-1-X-...-RID -> 0x10000 + 0x100 * X + RID
 * (RID: the last sub authority; X: the low byte of the authority). Sums
 * wrap at 32 bits, as WinFsp's do. Unmapped SIDs give 65534. Like WinFsp
 * there is no S-1-22-1-uid (Unix user) scheme: such a SID is just "S-1-X-Y".
 *
 * Ids that do not survive id -> SID -> id (see the tests): 1001..0xfff and
 * everything otherwise unmapped (-> 65534), 0x5000..0x5fff (logon SIDs),
 * 0x10500..0x105ff (S-1-5-Y -> Y), 0x20000..0x20fff (S-1-5-32-RID -> RID),
 * account-domain ids when the primary domain is the same domain (a domain
 * controller: -> 0x100000 + RID), ids >= 0x100000 without a primary or
 * trusted domain, and ids >= 0xff000000.
 */

#define WF_IDMAP_UNMAPPED_ID 65534u
#define WF_IDMAP_MAX_TRUSTED 8
#define WF_IDMAP_MAX_OVERRIDES 8

/* A domain S-1-5-21-X-Y-Z: sub = {X, Y, Z}. */
typedef struct wf_idmap_domain {
    uint32_t sub[3];
    uint32_t posix_offset; /* trusted domains: their trustPosixOffset */
} wf_idmap_domain;

typedef struct wf_idmap {
    bool has_account_domain; /* the machine's SAM (LSA PolicyAccountDomainInformation) */
    wf_idmap_domain account_domain;
    bool has_primary_domain; /* the domain the machine has joined, if any */
    wf_idmap_domain primary_domain;
    uint32_t trusted_count;
    wf_idmap_domain trusted[WF_IDMAP_MAX_TRUSTED];
    /* Explicit id <-> SID pairs tried before the scheme (FspPosixSetUidMap). */
    uint32_t override_count;
    struct {
        uint32_t id;
        uint8_t sid[WF_SID_MAX_SIZE];
    } overrides[WF_IDMAP_MAX_OVERRIDES];
} wf_idmap;

/*
 * The default: a stand-alone machine whose account domain is
 * S-1-5-21-WF_IDMAP_DEFAULT_DOMAIN (the example domain of Microsoft's
 * documentation), no primary domain, no trusted domains, no overrides.
 * Every call below takes map == NULL to mean this default.
 */
#define WF_IDMAP_DEFAULT_DOMAIN_X 1004336348u
#define WF_IDMAP_DEFAULT_DOMAIN_Y 1177238915u
#define WF_IDMAP_DEFAULT_DOMAIN_Z 682003330u
void wf_idmap_init(wf_idmap *map);
/* {X, Y, Z} of a SID S-1-5-21-X-Y-Z; STATUS_INVALID_SID for any other SID. */
NTSTATUS wf_idmap_domain_from_sid(const void *sid, size_t len, wf_idmap_domain *dom);
/*
 * Adds a trusted domain. Like WinFsp, an offset below 0x100000 is taken
 * as wrong and replaced by Cygwin's 0xfe500000. STATUS_INSUFFICIENT_RESOURCES
 * when WF_IDMAP_MAX_TRUSTED are set.
 */
NTSTATUS wf_idmap_add_trusted(wf_idmap *map, const wf_idmap_domain *dom);
/* Adds an override (id <-> sid); STATUS_INSUFFICIENT_RESOURCES when full. */
NTSTATUS wf_idmap_add_override(wf_idmap *map, uint32_t id, const void *sid, size_t len);

/* Never fails but for STATUS_BUFFER_TOO_SMALL: an unmapped id is S-1-0-65534. */
NTSTATUS wf_sid_from_uid(const wf_idmap *map, uint32_t uid, void *sid_buf, size_t cap, size_t *len);
NTSTATUS wf_sid_from_gid(const wf_idmap *map, uint32_t gid, void *sid_buf, size_t cap, size_t *len);
/* STATUS_INVALID_SID for an invalid SID or one without sub authorities (*id = 65534). */
NTSTATUS wf_sid_to_id(const wf_idmap *map, const void *sid, size_t len, uint32_t *id);

/* ---- mode <-> security descriptor ---- */

/*
 * The self-relative descriptor WinFsp's FspPosixMapPermissionsToSecurityDescriptor
 * builds: owner, group, and a protected DACL of
 *   allow owner   defaults + owner rights + DELETE, WRITE_DAC, WRITE_OWNER,
 *                 FILE_WRITE_ATTRIBUTES, FILE_WRITE_EA
 *   deny  owner   rights group or world have and the owner lacks (if any)
 *   allow group   defaults + group rights
 *   deny  group   rights world has and the group lacks (if any)
 *   allow Everyone defaults + world rights
 * defaults = SYNCHRONIZE, READ_CONTROL, FILE_READ_ATTRIBUTES, FILE_READ_EA;
 * r = FILE_READ_DATA, w = FILE_WRITE_DATA, FILE_APPEND_DATA,
 * FILE_WRITE_ATTRIBUTES (not in the owner's deny), and for a directory
 * FILE_DELETE_CHILD (for group and world only without the sticky bit),
 * x = FILE_EXECUTE. "Directory" is WinFsp's test of the 0040000 bit of
 * mode, so block devices and sockets count too. setuid and setgid are
 * not represented. Same SID for owner and group: the ACEs are still
 * distinct (WinFsp's DistinctPermsForSameOwnerGroup, always on in its kernel).
 * Layout: header, DACL, owner, group; STATUS_BUFFER_TOO_SMALL with *len.
 */
NTSTATUS wf_sd_from_posix(const wf_idmap *map, uint32_t uid, uint32_t gid, uint32_t mode,
    void *buf, size_t cap, size_t *len);

/*
 * WinFsp's FspPosixMapSecurityDescriptorToPermissions for any valid
 * self-relative descriptor. *uid and *gid are in/out: the owner's and
 * group's ids, or, for a descriptor without owner or group, left as the
 * caller set them (WinFsp's "optional" owner/group, which WinFuse uses
 * with the caller's ids on create). *mode gets 0777 bits plus 01000
 * (sticky) only: no DACL (absent or NULL) is 0777; otherwise each
 * ACCESS_ALLOWED/DENIED ACE (others ignored; flags, inherit-only too, are
 * ignored as in WinFsp), its generic rights mapped to file rights, adds
 * the rights not already decided to the allowed or denied set of the
 * class it names: Everyone and Authenticated Users all three, the owner
 * SID the owner, the group SID the group (both when they are equal);
 * r = FILE_READ_DATA, w = FILE_WRITE_DATA and FILE_APPEND_DATA,
 * x = FILE_EXECUTE; sticky when the owner may delete children and a group
 * or world class with w may not.
 *
 * Round trips of wf_sd_from_posix (owner SID != group SID): mode & 0777
 * is kept; setuid and setgid are lost; sticky survives only on
 * directories whose owner has w and whose group or world has w. Same SID:
 * the group class reads back as the owner's, and sticky needs owner w and
 * world w.
 *
 * Errors: STATUS_INVALID_SECURITY_DESCR for anything malformed (bad
 * revision, not self-relative, offsets, SIDs, ACLs or ACEs out of bounds
 * or inconsistent), STATUS_INVALID_SID for an owner or group SID without
 * sub authorities (as WinFsp). Never reads outside [sd, sd + len).
 */
NTSTATUS wf_sd_to_posix(const wf_idmap *map, const void *sd, size_t len,
    uint32_t *uid, uint32_t *gid, uint32_t *mode);

/*
 * A SetSecurity request on a file with (uid, gid, mode): the parts that
 * secinfo selects change, the rest is kept.
 *   OWNER_SECURITY_INFORMATION  new uid from sd's owner (STATUS_INVALID_OWNER without one)
 *   GROUP_SECURITY_INFORMATION  new gid from sd's group (STATUS_INVALID_PRIMARY_GROUP)
 *   DACL_SECURITY_INFORMATION   new mode = (mode & 0170000) | the bits
 *                               wf_sd_to_posix computes from sd's DACL (none:
 *                               0777) for the new owner and group; as in
 *                               WinFuse this clears setuid and setgid.
 * Other bits (SACL, label, ...) are ignored. Unlike WinFuse, which maps the
 * old mode to a DACL, merges and maps back (so a chown alone re-evaluates
 * the old DACL against the new owner), an owner or group change alone
 * leaves the mode as it was. sd is validated as in wf_sd_to_posix.
 */
NTSTATUS wf_sd_modify(const wf_idmap *map, uint32_t uid, uint32_t gid, uint32_t mode,
    uint32_t secinfo, const void *sd, size_t len,
    uint32_t *new_uid, uint32_t *new_gid, uint32_t *new_mode);

/* STATUS_SUCCESS or STATUS_INVALID_SECURITY_DESCR, as wf_sd_to_posix validates. */
NTSTATUS wf_sd_validate(const void *sd, size_t len);

/* ---- a validated descriptor, for the SDDL writer and other readers ---- */

typedef struct wf_sd_view {
    uint16_t control;
    const uint8_t *owner; /* NULL: none */
    const uint8_t *group;
    bool dacl_present;    /* SE_DACL_PRESENT */
    const uint8_t *dacl;  /* NULL with dacl_present: a NULL DACL */
    bool sacl_present;
    const uint8_t *sacl;
} wf_sd_view;

/* Validates sd and points into it. */
NTSTATUS wf_sd_parse(const void *sd, size_t len, wf_sd_view *view);

typedef struct wf_ace_view {
    uint8_t type;
    uint8_t flags;
    uint16_t size;
    uint32_t mask;       /* the types with a mask and SID; 0 otherwise */
    const uint8_t *sid;  /* those types only; NULL otherwise */
    const uint8_t *raw;  /* the whole ACE, size bytes */
} wf_ace_view;

/* The number of ACEs of an ACL from a wf_sd_view. */
uint16_t wf_acl_ace_count(const uint8_t *acl);
/*
 * Iterates the ACEs of an ACL from a wf_sd_view: start with *pos = 0;
 * false after the last one.
 */
bool wf_acl_next_ace(const uint8_t *acl, size_t *pos, uint16_t *index, wf_ace_view *ace);

#endif
