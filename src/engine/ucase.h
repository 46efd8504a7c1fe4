/*
 * ucase.h - case-insensitive comparison of names, Windows-style.
 *
 * Windows compares names on case-insensitive volumes unit by unit after
 * upcasing every UTF-16 code unit through a table of simple (one unit to
 * one unit) uppercase mappings; it does not normalize, fold "ß" to "SS",
 * or treat a surrogate pair as one character. wf_ucase is that table,
 * built from the Unicode data named in wf_ucase_unicode_version by
 * scripts/gen-ucase-table.py: e.g. U+0131 dotless i -> 'I', U+017F long s
 * -> 'S', U+03C2 final sigma -> U+03A3, U+00DF sharp s unchanged,
 * surrogates unchanged.
 *
 * Everything here agrees with wf_ucase: two strings are equal when their
 * upcased units are, their hashes are then equal too, and the UTF-8
 * variants behave exactly as the UTF-16 ones on the UTF-16 conversion of
 * their arguments.
 */
#ifndef WINFUSE_ENGINE_UCASE_H
#define WINFUSE_ENGINE_UCASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "winfuse/ntdefs.h"

/* The simple uppercase of one UTF-16 code unit. */
WCHAR wf_ucase(WCHAR c);

/* Ordinal comparison of the upcased units; a proper prefix sorts first.
 * Returns <0, 0 or >0. */
int wf_ucase_compare(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen);
bool wf_ucase_equal(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen);

/* 32-bit FNV-1a over the upcased units (low byte first): strings that
 * wf_ucase_equal calls equal hash equally. */
uint32_t wf_ucase_hash(const WCHAR *s, size_t len);

/* Case-sensitive ordinal comparison of code units, the order WinFsp
 * lists directories in. Returns <0, 0 or >0. */
int wf_ustr_compare(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen);

/*
 * Case-insensitive equality of two UTF-8 names (FUSE directory entries)
 * without converting them: true exactly when wf_ucase_equal holds for
 * their UTF-16 forms. Invalid UTF-8 has no UTF-16 form, so an invalid
 * piece only equals the identical bytes in the other name.
 * wf_ucase_hash_utf8 is the matching hash; for valid UTF-8 it equals
 * wf_ucase_hash of the UTF-16 conversion.
 */
bool wf_ucase_equal_utf8(const char *a, size_t alen, const char *b, size_t blen);
uint32_t wf_ucase_hash_utf8(const char *s, size_t len);

/* ---- the generated table (ucase_table.c) ---- */

#define WF_UCASE_SHIFT 5
extern const char wf_ucase_unicode_version[];
extern const uint8_t wf_ucase_index[0x10000 >> WF_UCASE_SHIFT];
extern const uint16_t wf_ucase_delta[];

#endif
