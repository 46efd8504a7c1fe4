/*
 * dir.c - directory listings: NtQueryDirectoryFile
 * (FileIdBothDirectoryInformation) continues where it stopped, while
 * the kernel asks by offset; so each open directory keeps the entries
 * read so far, and offset k is the k-th of them ("." and ".." first).
 * Offset 0 again (rewinddir) starts a fresh listing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lxfront/internal.h"

#define LX_DIR_BUFFER (64 * 1024)

void lx_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    lx_req r;
    lx_node *n;
    lx_file *f;
    nt_handle h;
    const ACCESS_MASK access = FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | READ_CONTROL |
        SYNCHRONIZE;
    NTSTATUS status;

    lx_begin(&r, req, "OPENDIR %llu", (unsigned long long)ino);
    n = lx_node_get(r.lx, ino);
    if (!n) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    status = lx_open_path(&r, n, NULL, 0, access, FILE_OPEN,
        FILE_DIRECTORY_FILE | FILE_OPEN_REPARSE_POINT, NULL, 0, &h, NULL, false);
    if (!NT_SUCCESS(status)) {
        lx_reply_err(&r, lx_errno(status));
        lx_node_put(r.lx, n);
        return;
    }
    f = lx_file_new(r.lx, n, h, access, true);
    if (!f) {
        lx_nt_close(&r, h);
        lx_reply_err(&r, ENOMEM);
    } else {
        fi->fh = (uint64_t)(uintptr_t)f;
        if (fuse_reply_open(req, fi) != 0)
            lx_file_release(&r, f);
    }
    lx_node_put(r.lx, n);
}

static int add_entry(lx_file *f, char *name, uint64_t ino, uint32_t type)
{
    if (f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        lx_dirent *e = realloc(f->ents, cap * sizeof *e);
        if (!e)
            return -ENOMEM;
        f->ents = e;
        f->cap = cap;
    }
    f->ents[f->count].name = name;
    f->ents[f->count].ino = ino;
    f->ents[f->count].type = type;
    f->count++;
    return 0;
}

static void clear_entries(lx_file *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->ents[i].name);
    f->count = 0;
    f->started = false;
    f->eof = false;
}

/* Read the next batch of entries; 0, or -errno. */
static int fetch(lx_req *r, lx_file *f)
{
    uint8_t *buf;
    UINT32 done = 0;
    NTSTATUS status;
    bool restart = !f->started;
    int err = 0;

    if (!f->started) {
        char *dot = strdup("."), *dotdot = strdup("..");
        if (!dot || !dotdot || add_entry(f, dot, 0, S_IFDIR) || add_entry(f, dotdot, 0, S_IFDIR)) {
            free(dot);
            free(dotdot);
            return -ENOMEM;
        }
        f->started = true;
    }
    buf = malloc(LX_DIR_BUFFER);
    if (!buf)
        return -ENOMEM;
    status = lx_nt_query_dir(r, f->handle, buf, LX_DIR_BUFFER, restart, &done);
    if (status == STATUS_NO_MORE_FILES || status == STATUS_NO_SUCH_FILE) {
        f->eof = true;
    } else if (!NT_SUCCESS(status)) {
        err = -lx_errno(status);
    } else if (done == 0) {
        f->eof = true; /* nothing more, whatever the status said */
    } else {
        size_t pos = 0;
        const size_t base = offsetof(FILE_ID_BOTH_DIR_INFORMATION, FileName);
        for (;;) {
            FILE_ID_BOTH_DIR_INFORMATION d;
            WCHAR *name;
            char *lname;
            uint32_t type;
            if (pos + base > done)
                break;
            memcpy(&d, buf + pos, base);
            if (d.FileNameLength % sizeof(WCHAR) || pos + base + d.FileNameLength > done)
                break;
            name = malloc(d.FileNameLength + sizeof(WCHAR));
            if (!name) {
                err = -ENOMEM;
                break;
            }
            memcpy(name, buf + pos + base, d.FileNameLength);
            lname = lx_name_to_linux(name, d.FileNameLength / sizeof(WCHAR));
            free(name);
            if (lname && strcmp(lname, ".") && strcmp(lname, "..")) {
                /* For a reparse point the EaSize field carries its tag. */
                if (d.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
                    type = d.EaSize == IO_REPARSE_TAG_SYMLINK ? S_IFLNK : 0;
                else if (d.FileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                    type = S_IFDIR;
                else
                    type = S_IFREG;
                if (add_entry(f, lname, (uint64_t)d.FileId, type)) {
                    free(lname);
                    err = -ENOMEM;
                    break;
                }
            } else {
                free(lname);
            }
            if (d.NextEntryOffset == 0)
                break;
            pos += d.NextEntryOffset;
        }
    }
    free(buf);
    return err;
}

void lx_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    lx_req r;
    lx_file *f = lx_file_of(fi);
    char *buf;
    size_t used = 0;
    int err = 0;

    lx_begin(&r, req, "READDIR %llu %zu at %lld", (unsigned long long)ino, size, (long long)off);
    if (off < 0) {
        lx_reply_err(&r, EINVAL);
        return;
    }
    buf = malloc(size ? size : 1);
    if (!buf) {
        lx_reply_err(&r, ENOMEM);
        return;
    }
    pthread_mutex_lock(&f->dir_lock);
    if (off == 0 && f->started)
        clear_entries(f);
    for (size_t i = (size_t)off;;) {
        struct stat st;
        size_t need;
        if (i >= f->count) {
            if (f->started && f->eof)
                break;
            err = fetch(&r, f);
            if (err)
                break;
            continue;
        }
        memset(&st, 0, sizeof st);
        st.st_ino = f->ents[i].ino ? f->ents[i].ino : 0xffffffffu; /* FUSE_UNKNOWN_INO */
        st.st_mode = f->ents[i].type;
        need = fuse_add_direntry(req, buf + used, size - used, f->ents[i].name, &st,
            (off_t)(i + 1));
        if (need > size - used)
            break;
        used += need;
        i++;
    }
    pthread_mutex_unlock(&f->dir_lock);
    /* An error after some entries: give those; the next call meets it again. */
    if (err && used == 0)
        lx_reply_err(&r, -err);
    else
        fuse_reply_buf(req, buf, used);
    free(buf);
}

void lx_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    lx_req r;
    lx_file *f = lx_file_of(fi);

    lx_begin(&r, req, "RELEASEDIR %llu", (unsigned long long)ino);
    lx_file_release(&r, f);
    lx_reply_err(&r, 0);
}

void lx_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    lx_req r;

    (void)fi;
    /* WinFsp: directories hold nothing to flush (and NtFlushBuffersFile wants write access). */
    lx_begin(&r, req, "FSYNCDIR %llu%s", (unsigned long long)ino, datasync ? " (data)" : "");
    lx_reply_err(&r, 0);
}
