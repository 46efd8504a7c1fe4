/*
 * ck.h - what the conformance cases are written with (private to src/check).
 *
 * A case is a function that makes its files in its scratch directory and
 * asserts results with the CK_ macros below. An assertion that does not
 * hold records the failure (the first one wins) and returns from the case
 * function at once; everything the case opened through the ck_ helpers is
 * closed afterwards and the scratch directory removed, so a case never
 * needs cleanup code of its own.
 *
 * Paths given to the helpers ("rel") are relative to the case's scratch
 * directory ("a\b" is \check-<case>\a\b); "" is the scratch directory
 * itself; a path that begins with a backslash is taken from the volume
 * root as it is. All text is UTF-8; the helpers convert to UTF-16 where
 * the NT API wants it.
 */
#ifndef WINFUSE_CHECK_CK_H
#define WINFUSE_CHECK_CK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check/check.h"
#include "winfuse/nt.h"

/* ---- the registry ---- */

typedef struct ck_ctx ck_ctx;

/* The case changes nothing on the volume: it runs on read-only volumes, without a scratch directory. */
#define CK_RO_SAFE 0x1u

typedef struct ck_case {
    const char *name;
    void (*fn)(ck_ctx *c);
    unsigned flags;
    const char *desc;   /* the Windows behaviour verified, one line */
    const char *winfsp; /* the winfsp-tests test it corresponds to */
} ck_case;

/* Each family file defines one table, ended by an entry with a NULL name. */
extern const ck_case ck_cases_create[];
extern const ck_case ck_cases_security[];
extern const ck_case ck_cases_share[];
extern const ck_case ck_cases_info[];
extern const ck_case ck_cases_delete[];
extern const ck_case ck_cases_rename[];
extern const ck_case ck_cases_volume[];
extern const ck_case ck_cases_rw[];
extern const ck_case ck_cases_flush[];
extern const ck_case ck_cases_lock[];
extern const ck_case ck_cases_dir[];
extern const ck_case ck_cases_reparse[];
extern const ck_case ck_cases_case[];
extern const ck_case ck_cases_badinput[];

/* ---- the context of a running case ---- */

#define CK_PATH_MAX 4096
#define CK_MAX_HANDLES 256
#define CK_MAX_ALLOCS 64
#define CK_MSG_MAX 1024

enum { CK_PASS, CK_FAIL, CK_SKIP };

struct ck_ctx {
    wf_fsd_volume *vol;
    const wf_check_options *opts;
    const ck_case *cs;
    char dir[CK_PATH_MAX];           /* "\check-<name>"; "" for read-only-safe cases */
    nt_handle handles[CK_MAX_HANDLES];
    unsigned nhandles;
    void *allocs[CK_MAX_ALLOCS];
    unsigned nallocs;
    char paths[4][CK_PATH_MAX];      /* ck_path's rotating results */
    unsigned next_path;

    /* What the volume says it is and does (FILE_FS_ATTRIBUTE_INFORMATION). */
    UINT32 fs_attributes;
    UINT32 max_component;
    bool read_only;
    bool case_sensitive;
    bool reparse_points;
    bool posix_semantics;
    bool persistent_acls;
    bool named_streams;

    int outcome;                     /* CK_PASS, CK_FAIL or CK_SKIP */
    char msg[CK_MSG_MAX];
};

/* ---- assertions (use in case functions; they return from them) ---- */

void ck_fail_status(ck_ctx *c, const char *file, int line, NTSTATUS expected, NTSTATUS got);
void ck_failf(ck_ctx *c, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ck_skipf(ck_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Compares data; on a difference records "expected <what> ... got ..." and returns false. */
bool ck_data_equal(ck_ctx *c, const char *file, int line, const char *what, const void *got,
    const void *expected, size_t len);
/* The status name ("STATUS_ACCESS_DENIED" or "0xC0000022"), in one of a few rotating buffers. */
const char *ck_status(NTSTATUS status);

#define CK_STATUS(c, expected, call)                                  \
    do {                                                              \
        NTSTATUS ck_got_ = (call), ck_exp_ = (expected);              \
        if (ck_got_ != ck_exp_) {                                     \
            ck_fail_status((c), __FILE__, __LINE__, ck_exp_, ck_got_); \
            return;                                                   \
        }                                                             \
    } while (0)

#define CK_OK(c, call) CK_STATUS(c, STATUS_SUCCESS, call)

/* Integers: "expected <what> <expected> got <got>". */
#define CK_EQ(c, what, got, expected)                                               \
    do {                                                                            \
        uint64_t ck_g_ = (uint64_t)(got), ck_e_ = (uint64_t)(expected);             \
        if (ck_g_ != ck_e_) {                                                       \
            ck_failf((c), __FILE__, __LINE__, "expected %s %llu (0x%llx) got %llu (0x%llx)", \
                (what), (unsigned long long)ck_e_, (unsigned long long)ck_e_,        \
                (unsigned long long)ck_g_, (unsigned long long)ck_g_);               \
            return;                                                                 \
        }                                                                           \
    } while (0)

/* A condition: "expected <what>". */
#define CK_TRUE(c, cond, what)                                            \
    do {                                                                  \
        if (!(cond)) {                                                    \
            ck_failf((c), __FILE__, __LINE__, "expected %s", (what));     \
            return;                                                       \
        }                                                                 \
    } while (0)

#define CK_DATA(c, what, got, expected, len)                                      \
    do {                                                                          \
        if (!ck_data_equal((c), __FILE__, __LINE__, (what), (got), (expected), (len))) \
            return;                                                               \
    } while (0)

/* Strings (UTF-8). */
#define CK_STR(c, what, got, expected)                                                \
    do {                                                                              \
        const char *ck_gs_ = (got), *ck_es_ = (expected);                             \
        if (strcmp(ck_gs_, ck_es_) != 0) {                                            \
            ck_failf((c), __FILE__, __LINE__, "expected %s \"%s\" got \"%s\"", (what), \
                ck_es_, ck_gs_);                                                      \
            return;                                                                   \
        }                                                                             \
    } while (0)

#define CK_SKIP(c, ...)              \
    do {                             \
        ck_skipf((c), __VA_ARGS__);  \
        return;                      \
    } while (0)

/* Skip unless the volume can: CK_NEED(c, c->reparse_points, "no reparse points"). */
#define CK_NEED(c, cond, reason)            \
    do {                                    \
        if (!(cond)) {                      \
            ck_skipf((c), "%s", (reason));  \
            return;                         \
        }                                   \
    } while (0)

/* A failure already recorded (by a helper): just leave. */
#define CK_BAIL(c)                      \
    do {                                \
        if ((c)->outcome == CK_FAIL)    \
            return;                     \
    } while (0)

/* ---- helpers ---- */

/*
 * Options of ck_create beyond the NT ones (kept out of the 24 NT bits):
 * CK_RAW passes access and options exactly as given; otherwise SYNCHRONIZE
 * and FILE_SYNCHRONOUS_IO_NONALERT are added, as CreateFile does, so that
 * the handle has a file position.
 */
#define CK_RAW 0x80000000u
#define CK_SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)

/* "\check-<case>\<rel>" (see above); valid until four more calls. */
const char *ck_path(ck_ctx *c, const char *rel);

/* A block freed when the case ends. */
void *ck_alloc(ck_ctx *c, size_t size);

NTSTATUS ck_create(ck_ctx *c, nt_handle *h, const char *rel, ACCESS_MASK access,
    UINT32 attributes, UINT32 share, UINT32 disposition, UINT32 options, nt_io_status *iosb);
/* The same, relative to an open directory (name as given, not scratch-relative). */
NTSTATUS ck_create_rel(ck_ctx *c, nt_handle *h, nt_handle root, const char *name,
    ACCESS_MASK access, UINT32 attributes, UINT32 share, UINT32 disposition, UINT32 options,
    nt_io_status *iosb);
/* ck_create with an explicit security descriptor and allocation size. */
NTSTATUS ck_create_sd(ck_ctx *c, nt_handle *h, const char *rel, ACCESS_MASK access,
    UINT32 share, UINT32 disposition, UINT32 options, const void *sd, size_t sd_len,
    UINT64 allocation_size, nt_io_status *iosb);
/* FILE_OPEN, no options (files or directories). */
NTSTATUS ck_open(ck_ctx *c, nt_handle *h, const char *rel, ACCESS_MASK access, UINT32 share);
NTSTATUS ck_close(ck_ctx *c, nt_handle h);
/* Tracks a handle the case got some other way, so that it is closed at the end. */
void ck_track(ck_ctx *c, nt_handle h);

/* Make a file with this content / a directory; both fail if the name exists. */
NTSTATUS ck_mkfile(ck_ctx *c, const char *rel, const void *data, size_t len);
NTSTATUS ck_mkdir(ck_ctx *c, const char *rel);
/* STATUS_SUCCESS when rel can be opened (without following reparse points), else why not. */
NTSTATUS ck_exists(ck_ctx *c, const char *rel);
/* DeleteFile / RemoveDirectory: open for DELETE, set the disposition, close. */
NTSTATUS ck_delete(ck_ctx *c, const char *rel);

NTSTATUS ck_read(ck_ctx *c, nt_handle h, INT64 offset, void *buf, UINT32 len, UINT32 *got);
NTSTATUS ck_write(ck_ctx *c, nt_handle h, INT64 offset, const void *buf, UINT32 len,
    UINT32 *done);
/* offset value that means "no ByteOffset: the file position" */
#define CK_POS NT_USE_FILE_POINTER_POSITION
/* The whole content of a file, up to cap bytes. */
NTSTATUS ck_read_file(ck_ctx *c, const char *rel, void *buf, size_t cap, size_t *len);

NTSTATUS ck_query(ck_ctx *c, nt_handle h, void *info, UINT32 len, UINT32 cls);
NTSTATUS ck_set(ck_ctx *c, nt_handle h, const void *info, UINT32 len, UINT32 cls);
NTSTATUS ck_basic(ck_ctx *c, nt_handle h, FILE_BASIC_INFORMATION *info);
NTSTATUS ck_standard(ck_ctx *c, nt_handle h, FILE_STANDARD_INFORMATION *info);
NTSTATUS ck_index(ck_ctx *c, nt_handle h, INT64 *index);
NTSTATUS ck_set_basic(ck_ctx *c, nt_handle h, INT64 creation, INT64 access, INT64 write,
    INT64 change, UINT32 attributes);
NTSTATUS ck_set_eof(ck_ctx *c, nt_handle h, INT64 eof);
NTSTATUS ck_set_delete(ck_ctx *c, nt_handle h, bool del);
NTSTATUS ck_set_delete_ex(ck_ctx *c, nt_handle h, UINT32 flags);
/*
 * Rename (FileRenameInformation, or FileRenameInformationEx with ex):
 * target as given (UTF-8), so pass ck_path() for a full path or a bare
 * name for the same directory; flags is ReplaceIfExists or the Ex flags.
 */
NTSTATUS ck_rename(ck_ctx *c, nt_handle h, nt_handle root, const char *target, bool ex,
    UINT32 flags);
/* FileNameInformation as UTF-8. */
NTSTATUS ck_name(ck_ctx *c, nt_handle h, char *buf, size_t cap);
/* Basic/standard information by path. */
NTSTATUS ck_attributes(ck_ctx *c, const char *rel, UINT32 *attributes);
NTSTATUS ck_size(ck_ctx *c, const char *rel, INT64 *eof);

/* Attributes as a FUSE file system can keep them: without ARCHIVE and NORMAL. */
UINT32 ck_attr(UINT32 attributes);

/* Deterministic bytes for data checks. */
void ck_fill(void *buf, size_t len, uint32_t seed);

/* UTF-8 <-> UTF-16 for names the API gives or wants in UTF-16. */
size_t ck_to_utf16(const char *s, WCHAR *out, size_t cap);
void ck_from_utf16(const WCHAR *s, size_t n, char *out, size_t cap);

/* ---- directory listings ---- */

typedef struct ck_entry {
    char name[1024];
    UINT32 attributes;
    INT64 end_of_file;
    INT64 allocation_size;
    INT64 creation_time, last_access_time, last_write_time, change_time;
    INT64 file_id;         /* FileIdBothDirectoryInformation */
    UINT32 ea_size;        /* Full, Both, IdBoth */
    UINT32 short_name_len; /* Both, IdBoth (bytes) */
} ck_entry;

typedef struct ck_list {
    ck_entry *e;
    unsigned count, cap;
    unsigned calls;        /* NtQueryDirectoryFile calls that returned entries */
} ck_list;

/*
 * Lists an open directory to the end: the first call with pattern (NULL:
 * all) and restart_scan as given, the next ones without; buffers of
 * buflen bytes; single: ReturnSingleEntry. STATUS_SUCCESS after a final
 * STATUS_NO_MORE_FILES; the status of the first call that fails otherwise
 * (STATUS_NO_SUCH_FILE when nothing matched). Entries are checked as they
 * are parsed (alignment, bounds, a single entry per call with single); a
 * malformed buffer fails the case. The list lives until the case ends.
 */
NTSTATUS ck_list_handle(ck_ctx *c, nt_handle h, const char *pattern, UINT32 cls, UINT32 buflen,
    bool single, bool restart_scan, ck_list *out);
/* Opens rel as a directory and lists it (FileDirectoryInformation, 64 KiB, not single). */
NTSTATUS ck_list_dir(ck_ctx *c, const char *rel, const char *pattern, ck_list *out);
/* How often name occurs in a listing (exact, case-sensitive comparison). */
unsigned ck_list_count(const ck_list *l, const char *name);
const ck_entry *ck_list_find(const ck_list *l, const char *name);
/*
 * The listing is exactly these names, each once, in any order (NULL-ended
 * array); otherwise records what differs and returns false.
 */
bool ck_list_is(ck_ctx *c, const char *file, int line, const ck_list *l, const char *const *names);
#define CK_LIST_IS(c, l, ...)                                                \
    do {                                                                     \
        static const char *const ck_names_[] = {__VA_ARGS__, NULL};          \
        if (!ck_list_is((c), __FILE__, __LINE__, (l), ck_names_))            \
            return;                                                          \
    } while (0)

/* ---- time ---- */

/* Now as a FILETIME (100 ns since 1601). */
INT64 ck_now(void);

#endif
