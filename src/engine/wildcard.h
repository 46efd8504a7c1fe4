/*
 * wildcard.h - Windows name patterns (QueryDirectory's FileName).
 *
 * wf_wildcard_match has the semantics of the NT kernel's
 * FsRtlIsNameInExpression, which is what the FSD applies to the pattern
 * a caller passes to NtQueryDirectoryFile:
 *
 *   *   any run of characters, including none;
 *   ?   exactly one character;
 *   <   DOS_STAR: any run of characters that stops at the name's last '.';
 *       the run may end by consuming that '.' ("ab<exe" matches "abcd.exe");
 *   >   DOS_QM: any one character; at a '.' or at the end of the name it
 *       matches nothing instead, skipping the rest of a run of DOS_QMs;
 *   "   DOS_DOT: a '.', or nothing at the end of the name;
 *   anything else: itself (with case_insensitive: itself after wf_ucase of
 *       both sides). '\' has no special meaning.
 *
 * Quirks kept from FsRtlIsNameInExpression, because callers see them:
 *   - an empty pattern matches only an empty name, and an empty name
 *     matches no non-empty pattern ("*" does not match "");
 *   - a pattern that is used up while a DOS_QM skipped the name's final
 *     '.' still matches ("a>" matches "a.", as on Windows).
 *
 * These are the NT-level semantics. The Win32 layer rewrites patterns
 * before they reach a file system (FindFirstFile turns "*.*" into "*",
 * "?" into ">" and "." into "\""), so here "*.*" requires a '.', exactly
 * as a file system driver sees it.
 *
 * Unlike FsRtlIsNameInExpression with IgnoreCase, the pattern does not
 * have to be upcased by the caller: case_insensitive upcases both sides.
 *
 * Cost: O(plen * nlen) time at worst, no backtracking; patterns without
 * DOS wildcards take a greedy path that is linear in practice. No
 * allocation for patterns up to WF_WILDCARD_STACK_STATES - 1 units;
 * longer ones take one wf_os_alloc, and if that fails the call answers
 * false.
 */
#ifndef WINFUSE_ENGINE_WILDCARD_H
#define WINFUSE_ENGINE_WILDCARD_H

#include <stdbool.h>
#include <stddef.h>

#include "winfuse/ntdefs.h"

#define WF_WILDCARD_STACK_STATES 512

bool wf_wildcard_match(const WCHAR *pattern, size_t plen,
    const WCHAR *name, size_t nlen, bool case_insensitive);

/* Does the pattern hold any of * ? < > " (FsRtlDoesNameContainWildCards)? */
bool wf_wildcard_has_wildcards(const WCHAR *pattern, size_t plen);

#endif
