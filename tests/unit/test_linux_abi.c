/*
 * test_linux_abi.c - include/winfuse/linux_abi.h against the real headers.
 *
 * The engine spells the Linux numbers itself (it cannot include Linux
 * headers when it builds for the NT kernel); every one of them is checked
 * here against glibc's and the kernel's own definitions on this x86_64
 * machine. Kernel uapi headers are used where glibc differs from the
 * kernel (O_LARGEFILE is 0 for 64-bit glibc programs, but the FUSE wire
 * carries the kernel's flags).
 */
#include "wf_test.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/fcntl.h>
#include <linux/falloc.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/xattr.h>

#include "winfuse/linux_abi.h"

#define EQ(name) assert_int_equal(LINUX_##name, name)

static void errno_values(void **state)
{
    (void)state;
    EQ(EPERM);
    EQ(ENOENT);
    EQ(ESRCH);
    EQ(EINTR);
    EQ(EIO);
    EQ(ENXIO);
    EQ(E2BIG);
    EQ(ENOEXEC);
    EQ(EBADF);
    EQ(ECHILD);
    EQ(EAGAIN);
    EQ(ENOMEM);
    EQ(EACCES);
    EQ(EFAULT);
    EQ(ENOTBLK);
    EQ(EBUSY);
    EQ(EEXIST);
    EQ(EXDEV);
    EQ(ENODEV);
    EQ(ENOTDIR);
    EQ(EISDIR);
    EQ(EINVAL);
    EQ(ENFILE);
    EQ(EMFILE);
    EQ(ENOTTY);
    EQ(ETXTBSY);
    EQ(EFBIG);
    EQ(ENOSPC);
    EQ(ESPIPE);
    EQ(EROFS);
    EQ(EMLINK);
    EQ(EPIPE);
    EQ(EDOM);
    EQ(ERANGE);
    EQ(EDEADLK);
    EQ(ENAMETOOLONG);
    EQ(ENOLCK);
    EQ(ENOSYS);
    EQ(ENOTEMPTY);
    EQ(ELOOP);
    EQ(ENOMSG);
    EQ(EIDRM);
    EQ(ECHRNG);
    EQ(EL2NSYNC);
    EQ(EL3HLT);
    EQ(EL3RST);
    EQ(ELNRNG);
    EQ(EUNATCH);
    EQ(ENOCSI);
    EQ(EL2HLT);
    EQ(EBADE);
    EQ(EBADR);
    EQ(EXFULL);
    EQ(ENOANO);
    EQ(EBADRQC);
    EQ(EBADSLT);
    EQ(EBFONT);
    EQ(ENOSTR);
    EQ(ENODATA);
    EQ(ETIME);
    EQ(ENOSR);
    EQ(ENONET);
    EQ(ENOPKG);
    EQ(EREMOTE);
    EQ(ENOLINK);
    EQ(EADV);
    EQ(ESRMNT);
    EQ(ECOMM);
    EQ(EPROTO);
    EQ(EMULTIHOP);
    EQ(EDOTDOT);
    EQ(EBADMSG);
    EQ(EOVERFLOW);
    EQ(ENOTUNIQ);
    EQ(EBADFD);
    EQ(EREMCHG);
    EQ(ELIBACC);
    EQ(ELIBBAD);
    EQ(ELIBSCN);
    EQ(ELIBMAX);
    EQ(ELIBEXEC);
    EQ(EILSEQ);
    EQ(ERESTART);
    EQ(ESTRPIPE);
    EQ(EUSERS);
    EQ(ENOTSOCK);
    EQ(EDESTADDRREQ);
    EQ(EMSGSIZE);
    EQ(EPROTOTYPE);
    EQ(ENOPROTOOPT);
    EQ(EPROTONOSUPPORT);
    EQ(ESOCKTNOSUPPORT);
    EQ(EOPNOTSUPP);
    EQ(EPFNOSUPPORT);
    EQ(EAFNOSUPPORT);
    EQ(EADDRINUSE);
    EQ(EADDRNOTAVAIL);
    EQ(ENETDOWN);
    EQ(ENETUNREACH);
    EQ(ENETRESET);
    EQ(ECONNABORTED);
    EQ(ECONNRESET);
    EQ(ENOBUFS);
    EQ(EISCONN);
    EQ(ENOTCONN);
    EQ(ESHUTDOWN);
    EQ(ETOOMANYREFS);
    EQ(ETIMEDOUT);
    EQ(ECONNREFUSED);
    EQ(EHOSTDOWN);
    EQ(EHOSTUNREACH);
    EQ(EALREADY);
    EQ(EINPROGRESS);
    EQ(ESTALE);
    EQ(EUCLEAN);
    EQ(ENOTNAM);
    EQ(ENAVAIL);
    EQ(EISNAM);
    EQ(EREMOTEIO);
    EQ(EDQUOT);
    EQ(ENOMEDIUM);
    EQ(EMEDIUMTYPE);
    EQ(ECANCELED);
    EQ(ENOKEY);
    EQ(EKEYEXPIRED);
    EQ(EKEYREVOKED);
    EQ(EKEYREJECTED);
    EQ(EOWNERDEAD);
    EQ(ENOTRECOVERABLE);
    EQ(ERFKILL);
    EQ(EHWPOISON);
}

static void errno_aliases(void **state)
{
    (void)state;
    EQ(EWOULDBLOCK);
    EQ(EDEADLOCK);
    EQ(ENOTSUP);
    /* libattr's ENOATTR; glibc does not define it. */
    assert_int_equal(LINUX_ENOATTR, ENODATA);
    assert_int_equal(LINUX_EMAX, EHWPOISON);
}

static void mode_bits(void **state)
{
    (void)state;
    EQ(S_IFMT);
    EQ(S_IFSOCK);
    EQ(S_IFLNK);
    EQ(S_IFREG);
    EQ(S_IFBLK);
    EQ(S_IFDIR);
    EQ(S_IFCHR);
    EQ(S_IFIFO);
    EQ(S_ISUID);
    EQ(S_ISGID);
    EQ(S_ISVTX);
    EQ(S_IRWXU);
    EQ(S_IRUSR);
    EQ(S_IWUSR);
    EQ(S_IXUSR);
    EQ(S_IRWXG);
    EQ(S_IRGRP);
    EQ(S_IWGRP);
    EQ(S_IXGRP);
    EQ(S_IRWXO);
    EQ(S_IROTH);
    EQ(S_IWOTH);
    EQ(S_IXOTH);
    assert_int_equal(LINUX_S_IWALL, S_IWUSR | S_IWGRP | S_IWOTH);
    assert_int_equal(LINUX_S_IALLUGO, S_ISUID | S_ISGID | S_ISVTX | S_IRWXU | S_IRWXG | S_IRWXO);
}

static void mode_tests(void **state)
{
    static const uint32_t types[] = {
        S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO, 0,
    };

    (void)state;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        uint32_t m = types[i] | 07777u;

        assert_int_equal(!!LINUX_S_ISSOCK(m), !!S_ISSOCK(m));
        assert_int_equal(!!LINUX_S_ISLNK(m), !!S_ISLNK(m));
        assert_int_equal(!!LINUX_S_ISREG(m), !!S_ISREG(m));
        assert_int_equal(!!LINUX_S_ISBLK(m), !!S_ISBLK(m));
        assert_int_equal(!!LINUX_S_ISDIR(m), !!S_ISDIR(m));
        assert_int_equal(!!LINUX_S_ISCHR(m), !!S_ISCHR(m));
        assert_int_equal(!!LINUX_S_ISFIFO(m), !!S_ISFIFO(m));
        assert_int_equal(LINUX_IFTODT(m), IFTODT(m));
        assert_int_equal(LINUX_DTTOIF(IFTODT(m)), DTTOIF(IFTODT(m)));
    }
}

static void dirent_types(void **state)
{
    (void)state;
    EQ(DT_UNKNOWN);
    EQ(DT_FIFO);
    EQ(DT_CHR);
    EQ(DT_DIR);
    EQ(DT_BLK);
    EQ(DT_REG);
    EQ(DT_LNK);
    EQ(DT_SOCK);
    EQ(DT_WHT);
}

static void open_flags(void **state)
{
    (void)state;
    EQ(O_ACCMODE);
    EQ(O_RDONLY);
    EQ(O_WRONLY);
    EQ(O_RDWR);
    EQ(O_CREAT);
    EQ(O_EXCL);
    EQ(O_NOCTTY);
    EQ(O_TRUNC);
    EQ(O_APPEND);
    EQ(O_NONBLOCK);
    EQ(O_DSYNC);
    assert_int_equal(LINUX_O_FASYNC, FASYNC);
    EQ(O_DIRECT);
    EQ(O_LARGEFILE);
    EQ(O_DIRECTORY);
    EQ(O_NOFOLLOW);
    EQ(O_NOATIME);
    EQ(O_CLOEXEC);
    EQ(O_SYNC);
    EQ(O_PATH);
    EQ(O_TMPFILE);
    assert_int_not_equal(LINUX_O_LARGEFILE, 0);
}

static void rename_xattr_falloc(void **state)
{
    (void)state;
    EQ(RENAME_NOREPLACE);
    EQ(RENAME_EXCHANGE);
    EQ(RENAME_WHITEOUT);
    EQ(XATTR_CREATE);
    EQ(XATTR_REPLACE);
    EQ(FALLOC_FL_KEEP_SIZE);
    EQ(FALLOC_FL_PUNCH_HOLE);
    EQ(FALLOC_FL_NO_HIDE_STALE);
    EQ(FALLOC_FL_COLLAPSE_RANGE);
    EQ(FALLOC_FL_ZERO_RANGE);
    EQ(FALLOC_FL_INSERT_RANGE);
    EQ(FALLOC_FL_UNSHARE_RANGE);
}

static void locks_at_access_seek_utime(void **state)
{
    (void)state;
    EQ(F_RDLCK);
    EQ(F_WRLCK);
    EQ(F_UNLCK);
    EQ(LOCK_SH);
    EQ(LOCK_EX);
    EQ(LOCK_NB);
    EQ(LOCK_UN);
    EQ(AT_FDCWD);
    EQ(AT_SYMLINK_NOFOLLOW);
    EQ(AT_REMOVEDIR);
    EQ(AT_SYMLINK_FOLLOW);
    EQ(AT_NO_AUTOMOUNT);
    EQ(AT_EMPTY_PATH);
    EQ(F_OK);
    EQ(X_OK);
    EQ(W_OK);
    EQ(R_OK);
    EQ(UTIME_NOW);
    EQ(UTIME_OMIT);
    EQ(SEEK_SET);
    EQ(SEEK_CUR);
    EQ(SEEK_END);
    EQ(SEEK_DATA);
    EQ(SEEK_HOLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errno_values),
        cmocka_unit_test(errno_aliases),
        cmocka_unit_test(mode_bits),
        cmocka_unit_test(mode_tests),
        cmocka_unit_test(dirent_types),
        cmocka_unit_test(open_flags),
        cmocka_unit_test(rename_xattr_falloc),
        cmocka_unit_test(locks_at_access_seek_utime),
    };
    return WF_RUN_TESTS(tests);
}
