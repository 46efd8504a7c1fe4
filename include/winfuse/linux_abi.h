/*
 * linux_abi.h - the Linux numbers that travel on the FUSE wire.
 *
 * FUSE replies carry Linux errno values, modes, open flags, rename and
 * xattr flags as plain integers. The engine must understand them on every
 * build, including the NT kernel, where no Linux header exists, and on Linux
 * it may not include errno.h or sys/stat.h either. So they are spelled here,
 * each with a LINUX_ prefix so nothing collides with a Windows or libc name.
 * Values are the x86_64 ones (identical to the generic ABI for everything
 * here except the few open flags noted below); tests/unit/test_linux_abi.c
 * checks each one against the real Linux headers.
 */
#ifndef WINFUSE_LINUX_ABI_H
#define WINFUSE_LINUX_ABI_H

#include <stdint.h>

/* ---- errno (asm-generic; the FUSE reply carries the negated value) ---- */

#define LINUX_EPERM            1
#define LINUX_ENOENT           2
#define LINUX_ESRCH            3
#define LINUX_EINTR            4
#define LINUX_EIO              5
#define LINUX_ENXIO            6
#define LINUX_E2BIG            7
#define LINUX_ENOEXEC          8
#define LINUX_EBADF            9
#define LINUX_ECHILD           10
#define LINUX_EAGAIN           11
#define LINUX_ENOMEM           12
#define LINUX_EACCES           13
#define LINUX_EFAULT           14
#define LINUX_ENOTBLK          15
#define LINUX_EBUSY            16
#define LINUX_EEXIST           17
#define LINUX_EXDEV            18
#define LINUX_ENODEV           19
#define LINUX_ENOTDIR          20
#define LINUX_EISDIR           21
#define LINUX_EINVAL           22
#define LINUX_ENFILE           23
#define LINUX_EMFILE           24
#define LINUX_ENOTTY           25
#define LINUX_ETXTBSY          26
#define LINUX_EFBIG            27
#define LINUX_ENOSPC           28
#define LINUX_ESPIPE           29
#define LINUX_EROFS            30
#define LINUX_EMLINK           31
#define LINUX_EPIPE            32
#define LINUX_EDOM             33
#define LINUX_ERANGE           34
#define LINUX_EDEADLK          35
#define LINUX_ENAMETOOLONG     36
#define LINUX_ENOLCK           37
#define LINUX_ENOSYS           38
#define LINUX_ENOTEMPTY        39
#define LINUX_ELOOP            40
#define LINUX_ENOMSG           42
#define LINUX_EIDRM            43
#define LINUX_ECHRNG           44
#define LINUX_EL2NSYNC         45
#define LINUX_EL3HLT           46
#define LINUX_EL3RST           47
#define LINUX_ELNRNG           48
#define LINUX_EUNATCH          49
#define LINUX_ENOCSI           50
#define LINUX_EL2HLT           51
#define LINUX_EBADE            52
#define LINUX_EBADR            53
#define LINUX_EXFULL           54
#define LINUX_ENOANO           55
#define LINUX_EBADRQC          56
#define LINUX_EBADSLT          57
#define LINUX_EBFONT           59
#define LINUX_ENOSTR           60
#define LINUX_ENODATA          61
#define LINUX_ETIME            62
#define LINUX_ENOSR            63
#define LINUX_ENONET           64
#define LINUX_ENOPKG           65
#define LINUX_EREMOTE          66
#define LINUX_ENOLINK          67
#define LINUX_EADV             68
#define LINUX_ESRMNT           69
#define LINUX_ECOMM            70
#define LINUX_EPROTO           71
#define LINUX_EMULTIHOP        72
#define LINUX_EDOTDOT          73
#define LINUX_EBADMSG          74
#define LINUX_EOVERFLOW        75
#define LINUX_ENOTUNIQ         76
#define LINUX_EBADFD           77
#define LINUX_EREMCHG          78
#define LINUX_ELIBACC          79
#define LINUX_ELIBBAD          80
#define LINUX_ELIBSCN          81
#define LINUX_ELIBMAX          82
#define LINUX_ELIBEXEC         83
#define LINUX_EILSEQ           84
#define LINUX_ERESTART         85
#define LINUX_ESTRPIPE         86
#define LINUX_EUSERS           87
#define LINUX_ENOTSOCK         88
#define LINUX_EDESTADDRREQ     89
#define LINUX_EMSGSIZE         90
#define LINUX_EPROTOTYPE       91
#define LINUX_ENOPROTOOPT      92
#define LINUX_EPROTONOSUPPORT  93
#define LINUX_ESOCKTNOSUPPORT  94
#define LINUX_EOPNOTSUPP       95
#define LINUX_EPFNOSUPPORT     96
#define LINUX_EAFNOSUPPORT     97
#define LINUX_EADDRINUSE       98
#define LINUX_EADDRNOTAVAIL    99
#define LINUX_ENETDOWN         100
#define LINUX_ENETUNREACH      101
#define LINUX_ENETRESET        102
#define LINUX_ECONNABORTED     103
#define LINUX_ECONNRESET       104
#define LINUX_ENOBUFS          105
#define LINUX_EISCONN          106
#define LINUX_ENOTCONN         107
#define LINUX_ESHUTDOWN        108
#define LINUX_ETOOMANYREFS     109
#define LINUX_ETIMEDOUT        110
#define LINUX_ECONNREFUSED     111
#define LINUX_EHOSTDOWN        112
#define LINUX_EHOSTUNREACH     113
#define LINUX_EALREADY         114
#define LINUX_EINPROGRESS      115
#define LINUX_ESTALE           116
#define LINUX_EUCLEAN          117
#define LINUX_ENOTNAM          118
#define LINUX_ENAVAIL          119
#define LINUX_EISNAM           120
#define LINUX_EREMOTEIO        121
#define LINUX_EDQUOT           122
#define LINUX_ENOMEDIUM        123
#define LINUX_EMEDIUMTYPE      124
#define LINUX_ECANCELED        125
#define LINUX_ENOKEY           126
#define LINUX_EKEYEXPIRED      127
#define LINUX_EKEYREVOKED      128
#define LINUX_EKEYREJECTED     129
#define LINUX_EOWNERDEAD       130
#define LINUX_ENOTRECOVERABLE  131
#define LINUX_ERFKILL          132
#define LINUX_EHWPOISON        133

/* The kernel's aliases; 41 and 58 are unassigned. */
#define LINUX_EWOULDBLOCK       LINUX_EAGAIN
#define LINUX_EDEADLOCK         LINUX_EDEADLK
#define LINUX_ENOTSUP           LINUX_EOPNOTSUPP
#define LINUX_ENOATTR           LINUX_ENODATA   /* what getxattr reports */

/* Largest errno value; anything above it is not a Linux errno. */
#define LINUX_EMAX              133

/* ---- file type and permission bits (st_mode, fuse_attr.mode) ---- */

#define LINUX_S_IFMT            0170000u
#define LINUX_S_IFSOCK          0140000u
#define LINUX_S_IFLNK           0120000u
#define LINUX_S_IFREG           0100000u
#define LINUX_S_IFBLK           0060000u
#define LINUX_S_IFDIR           0040000u
#define LINUX_S_IFCHR           0020000u
#define LINUX_S_IFIFO           0010000u

#define LINUX_S_ISUID           0004000u
#define LINUX_S_ISGID           0002000u
#define LINUX_S_ISVTX           0001000u

#define LINUX_S_IRWXU           0000700u
#define LINUX_S_IRUSR           0000400u
#define LINUX_S_IWUSR           0000200u
#define LINUX_S_IXUSR           0000100u
#define LINUX_S_IRWXG           0000070u
#define LINUX_S_IRGRP           0000040u
#define LINUX_S_IWGRP           0000020u
#define LINUX_S_IXGRP           0000010u
#define LINUX_S_IRWXO           0000007u
#define LINUX_S_IROTH           0000004u
#define LINUX_S_IWOTH           0000002u
#define LINUX_S_IXOTH           0000001u

/* Convenience groups: all write bits, all permission bits (incl. suid...). */
#define LINUX_S_IWALL           (LINUX_S_IWUSR | LINUX_S_IWGRP | LINUX_S_IWOTH)
#define LINUX_S_IALLUGO         07777u

#define LINUX_S_ISTYPE(m, t)    (((uint32_t)(m) & LINUX_S_IFMT) == (t))
#define LINUX_S_ISSOCK(m)       LINUX_S_ISTYPE(m, LINUX_S_IFSOCK)
#define LINUX_S_ISLNK(m)        LINUX_S_ISTYPE(m, LINUX_S_IFLNK)
#define LINUX_S_ISREG(m)        LINUX_S_ISTYPE(m, LINUX_S_IFREG)
#define LINUX_S_ISBLK(m)        LINUX_S_ISTYPE(m, LINUX_S_IFBLK)
#define LINUX_S_ISDIR(m)        LINUX_S_ISTYPE(m, LINUX_S_IFDIR)
#define LINUX_S_ISCHR(m)        LINUX_S_ISTYPE(m, LINUX_S_IFCHR)
#define LINUX_S_ISFIFO(m)       LINUX_S_ISTYPE(m, LINUX_S_IFIFO)

/* ---- directory entry types (fuse_dirent.type) ---- */

#define LINUX_DT_UNKNOWN        0
#define LINUX_DT_FIFO           1
#define LINUX_DT_CHR            2
#define LINUX_DT_DIR            4
#define LINUX_DT_BLK            6
#define LINUX_DT_REG            8
#define LINUX_DT_LNK            10
#define LINUX_DT_SOCK           12
#define LINUX_DT_WHT            14

/* The dirent type is the file type field shifted down; both directions. */
#define LINUX_IFTODT(m)         ((((uint32_t)(m)) & LINUX_S_IFMT) >> 12)
#define LINUX_DTTOIF(t)         (((uint32_t)(t)) << 12)

/*
 * ---- open flags (fuse_open_in.flags, fuse_create_in.flags) ----
 * x86_64 values. O_DIRECT, O_LARGEFILE, O_DIRECTORY and O_NOFOLLOW have other
 * values on arm, arm64 and powerpc; the wire carries the FUSE client kernel's
 * native values, so a peer on such an architecture needs them translated.
 */

#define LINUX_O_ACCMODE         00000003u
#define LINUX_O_RDONLY          00000000u
#define LINUX_O_WRONLY          00000001u
#define LINUX_O_RDWR            00000002u
#define LINUX_O_CREAT           00000100u
#define LINUX_O_EXCL            00000200u
#define LINUX_O_NOCTTY          00000400u
#define LINUX_O_TRUNC           00001000u
#define LINUX_O_APPEND          00002000u
#define LINUX_O_NONBLOCK        00004000u
#define LINUX_O_DSYNC           00010000u
#define LINUX_O_FASYNC          00020000u
#define LINUX_O_DIRECT          00040000u
#define LINUX_O_LARGEFILE       00100000u
#define LINUX_O_DIRECTORY       00200000u
#define LINUX_O_NOFOLLOW        00400000u
#define LINUX_O_NOATIME         01000000u
#define LINUX_O_CLOEXEC         02000000u
#define LINUX_O_SYNC            (04000000u | LINUX_O_DSYNC)
#define LINUX_O_PATH            010000000u
#define LINUX_O_TMPFILE         (020000000u | LINUX_O_DIRECTORY)

/* ---- renameat2 flags (fuse_rename2_in.flags) ---- */

#define LINUX_RENAME_NOREPLACE  (1u << 0)
#define LINUX_RENAME_EXCHANGE   (1u << 1)
#define LINUX_RENAME_WHITEOUT   (1u << 2)

/* ---- setxattr flags (fuse_setxattr_in.flags) ---- */

#define LINUX_XATTR_CREATE      0x1u
#define LINUX_XATTR_REPLACE     0x2u

/* ---- fallocate modes (fuse_fallocate_in.mode) ---- */

#define LINUX_FALLOC_FL_KEEP_SIZE       0x01u
#define LINUX_FALLOC_FL_PUNCH_HOLE      0x02u
#define LINUX_FALLOC_FL_NO_HIDE_STALE   0x04u
#define LINUX_FALLOC_FL_COLLAPSE_RANGE  0x08u
#define LINUX_FALLOC_FL_ZERO_RANGE      0x10u
#define LINUX_FALLOC_FL_INSERT_RANGE    0x20u
#define LINUX_FALLOC_FL_UNSHARE_RANGE   0x40u

/* ---- POSIX record lock types (fuse_file_lock.type) ---- */

#define LINUX_F_RDLCK           0
#define LINUX_F_WRLCK           1
#define LINUX_F_UNLCK           2

/* ---- flock(2) operations (with FUSE_LK_FLOCK) ---- */

#define LINUX_LOCK_SH           1
#define LINUX_LOCK_EX           2
#define LINUX_LOCK_NB           4
#define LINUX_LOCK_UN           8

/* ---- *at() flags ---- */

#define LINUX_AT_FDCWD              (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW   0x100u
#define LINUX_AT_REMOVEDIR          0x200u
#define LINUX_AT_SYMLINK_FOLLOW     0x400u
#define LINUX_AT_NO_AUTOMOUNT       0x800u
#define LINUX_AT_EMPTY_PATH         0x1000u

/* ---- access(2) modes (fuse_access_in.mask) ---- */

#define LINUX_F_OK              0
#define LINUX_X_OK              1
#define LINUX_W_OK              2
#define LINUX_R_OK              4

/* ---- utimensat special nanosecond values ---- */

#define LINUX_UTIME_NOW         ((1l << 30) - 1l)
#define LINUX_UTIME_OMIT        ((1l << 30) - 2l)

/* ---- lseek whence (fuse_lseek_in.whence) ---- */

#define LINUX_SEEK_SET          0
#define LINUX_SEEK_CUR          1
#define LINUX_SEEK_END          2
#define LINUX_SEEK_DATA         3
#define LINUX_SEEK_HOLE         4

#endif
