/*
 * sddl.h - security descriptors as SDDL text and back, for tests, logs
 * and the command line.
 *
 * The subset: O:, G:, D: and S: (in any order, each at most once) with
 * ACL flags P, AR, AI and NO_ACCESS_CONTROL (a NULL ACL); ACEs of types
 * A, D, AU, AL and ML, as (type;flags;rights;;;sid) with empty GUID
 * fields; ACE flags OI CI NP IO ID SA FA; rights as 0x hex, decimal, or a
 * concatenation of FA FR FW FX KA KR KW KX GA GR GW GX RC SD WD WO CC DC
 * LC SW RP WP DT LO CR NW NR NX; SIDs as S-1-... or two-letter aliases
 * (the machine-independent ones: WD AN AU BA BG BO BU CG CO OW ED IU LS NS
 * NU PS RC SU SY WR AO PO SO PU RD RE RU NO MU LU ER IS CY CD RA ES MS HA
 * AA RM AC LW ME MP HI SI). No whitespace anywhere; letters upper case
 * except in hex and the S of a SID.
 *
 * Binary form written: header, SACL, DACL, owner, group (Windows' order),
 * control SE_SELF_RELATIVE plus the PRESENT and flag bits of the ACLs
 * given, ACL revision 2, ACE size 8 + SID length.
 *
 * Text form written (canonical, so text -> SD -> text -> SD is stable and
 * the two SDs are byte-identical): O: G: D: S: in that order, omitting
 * absent parts; flags P AR AI; ACE flags in bit order (OI CI NP IO ID SA
 * FA); rights as FA/FR/FW/FX/KA/KR/KW if the mask is exactly one of those
 * (KR for KEY_READ = KEY_EXECUTE), else as two-letter single-right names
 * in bit order if every bit has one (NW NR NX in ML ACEs), else 0x and
 * lower-case hex as Windows writes it ("0x1200a9"); 0 as nothing; SIDs as
 * their alias if they have one, else S-1-... .
 *
 * Errors: STATUS_INVALID_PARAMETER for malformed text (unknown alias,
 * bad SID, missing ';' or ')', trailing text, duplicate component, an ACL
 * over 64 KiB, ...); STATUS_NOT_SUPPORTED for valid SDDL outside the
 * subset (object, callback, conditional and resource-attribute ACEs,
 * domain-relative aliases such as DA or LA), and, when writing, for ACE
 * types or ACE flags the subset cannot express; STATUS_INVALID_SECURITY_DESCR
 * for a malformed descriptor; STATUS_BUFFER_TOO_SMALL as everywhere
 * (*len / *needed, which counts the NUL, say how much is needed).
 */
#ifndef WINFUSE_ENGINE_SDDL_H
#define WINFUSE_ENGINE_SDDL_H

#include <stddef.h>

#include "winfuse/ntdefs.h"

NTSTATUS wf_sddl_to_sd(const char *sddl, void *buf, size_t cap, size_t *len);
NTSTATUS wf_sddl_from_sd(const void *sd, size_t len, char *buf, size_t cap, size_t *needed);

#endif
