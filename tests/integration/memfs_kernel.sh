#!/usr/bin/env bash
# memfs_kernel.sh - memfs mounted on the Linux kernel's FUSE, driven with
# ordinary tools (coreutils, attr, python3 for the calls no tool makes).
#
#     memfs_kernel.sh [MEMFS_BINARY]      (default: build/bin/memfs)
#
# MEMFS_OPTS (environment): extra options for every mount, e.g. "-s".
#
# Needs /dev/fuse and the right to mount (root here). Exits 77 (skip) when
# it cannot mount at all. Every process it starts it ends by PID.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

MEMFS=${1:-${MEMFS:-$here/../../build/bin/memfs}}
TMP=$(mktemp -d /tmp/memfs-kernel.XXXXXX)
chmod 755 "$TMP"    # other users reach the mount points (permission cases)
wf_on_exit "rm -rf '$TMP'"

skip() {
    echo "SKIP: $*"
    [ -n "${WF_TEST_TALLY:-}" ] && echo "0 0" >"$WF_TEST_TALLY"
    exit 77
}

[ -x "$MEMFS" ] || skip "no memfs binary at $MEMFS"
[ -c /dev/fuse ] || skip "no /dev/fuse"
if [ "$(id -u)" != 0 ] && ! command -v fusermount3 >/dev/null; then
    skip "not root and no fusermount3"
fi

MNT=
PID=
LOG=

is_mounted() { grep -q " $1 fuse" /proc/mounts; }

# mount_memfs NAME OPTIONS...: a fresh mount point under $TMP, memfs in the
# foreground of a background job; waits (10 s at most) for the mount.
mount_memfs() {
    local name=$1; shift
    MNT=$TMP/$name
    LOG=$TMP/$name.log
    mkdir -p "$MNT"
    # shellcheck disable=SC2086
    "$MEMFS" -f ${MEMFS_OPTS:-} "$@" "$MNT" >"$LOG" 2>&1 &
    PID=$!
    wf_on_exit "stop_memfs $PID '$MNT'"
    local i
    for ((i = 0; i < 100; i++)); do
        is_mounted "$MNT" && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "memfs did not mount; its log:"; cat "$LOG"
    return 1
}

# stop_memfs PID MNT: the fallback cleanup (normally already done).
stop_memfs() {
    local pid=$1 mnt=$2 i
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    if is_mounted "$mnt"; then
        fusermount3 -u -z "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
    fi
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}

# unmount_memfs: the way a user stops it - SIGTERM, then memfs must unmount
# and exit by itself: status 0, or 8, which is what libfuse 3.14's
# fuse_main() returns when a signal ended its loop.
unmount_memfs() {
    local rc i
    kill -TERM "$PID"
    for ((i = 0; i < 100; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PID" 2>/dev/null; then
        wf_fail "memfs exits on SIGTERM"
        return
    fi
    wait "$PID"; rc=$?
    wf_check "memfs exits cleanly on SIGTERM (status $rc)" eval "[ $rc = 0 ] || [ $rc = 8 ]"
    wf_check "unmounted after SIGTERM" eval "! is_mounted '$MNT'"
}

eq() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'"; return 1; }; }

have_py=0; command -v python3 >/dev/null && have_py=1

# ---------------------------------------------------------------------------
# Main mount: multi-threaded, 1 GiB capacity, other users allowed in.
# ---------------------------------------------------------------------------
mount_memfs main -o capacity=1G -o allow_other || { wf_fail "mount memfs"; wf_finish; exit; }
wf_pass "mount memfs (multi-threaded)"
M=$MNT
cd "$M" || exit 1

wf_check "empty root" eq "$(ls -A "$M" | wc -l)" 0
wf_check "mkdir -p" mkdir -p "$M/d/e/f"
wf_check "nested dir exists" test -d "$M/d/e/f"
wf_check "dir link count" eq "$(stat -c %h "$M/d")" 3

echo hello >"$M/d/file"
wf_check "echo > file; cat" eq "$(cat "$M/d/file")" hello
echo world >>"$M/d/file"
wf_check "append >>" eq "$(cat "$M/d/file")" "$(printf 'hello\nworld')"
wf_check "size after append" eq "$(stat -c %s "$M/d/file")" 12
printf 'xy' >"$M/d/file"
wf_check "O_TRUNC rewrite" eq "$(cat "$M/d/file")" xy

head -c $((5 * 1024 * 1024 + 123)) /dev/urandom >"$TMP/big"
wf_check "cp 5 MiB file" cp "$TMP/big" "$M/big"
wf_check "cmp 5 MiB file" cmp "$TMP/big" "$M/big"
wf_check "ls -l size" eq "$(ls -l "$M/big" | awk '{print $5}')" $((5 * 1024 * 1024 + 123))
wf_check "st_blocks of a dense file" eq "$(stat -c %b "$M/big")" $(((5 * 1024 * 1024 + 4096) / 512))

wf_check "ln (hard link)" ln "$M/big" "$M/big2"
wf_check "hard link count 2" eq "$(stat -c %h "$M/big2")" 2
wf_check "hard links share the inode number" eq "$(stat -c %i "$M/big")" "$(stat -c %i "$M/big2")"
wf_check "hard link content" cmp "$TMP/big" "$M/big2"
wf_check "ln to a directory refused" eval "! ln '$M/d' '$M/dlink' 2>/dev/null"

wf_check "ln -s" ln -s d/file "$M/lnk"
wf_check "readlink" eq "$(readlink "$M/lnk")" d/file
wf_check "cat through symlink" eq "$(cat "$M/lnk")" xy
wf_check "symlink is a link" test -L "$M/lnk"

wf_check "mv (rename)" mv "$M/d/file" "$M/d/file2"
wf_check "old name gone" eval "! test -e '$M/d/file'"
wf_check "new name reads" eq "$(cat "$M/d/file2")" xy
echo A >"$M/a"; echo B >"$M/b"
mv -n "$M/a" "$M/b" 2>/dev/null
wf_check "mv -n keeps the target (RENAME_NOREPLACE)" eq "$(cat "$M/b"):$(cat "$M/a")" B:A
wf_check "mv over a file replaces it" mv "$M/a" "$M/b"
wf_check "replaced content" eq "$(cat "$M/b")" A
mkdir -p "$M/t1/sub" "$M/t2"
wf_check "mv -T dir over an empty dir" mv -T "$M/t1" "$M/t2"
wf_check "moved dir content" test -d "$M/t2/sub"
mkdir "$M/t3"; touch "$M/t3/x"
wf_check "mv -T over a non-empty dir fails" eval "! mv -T '$M/t2' '$M/t3' 2>/dev/null"
wf_check "mv a dir into itself fails" eval "! mv '$M/t2' '$M/t2/sub/' 2>/dev/null"
wf_check "mv across directories" mv "$M/t3/x" "$M/t2/sub/x"
wf_check "moved file present" test -f "$M/t2/sub/x"

if [ $have_py = 1 ]; then
    echo one >"$M/x1"; mkdir "$M/x2"
    wf_check "RENAME_EXCHANGE (renameat2)" python3 - "$M/x1" "$M/x2" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
a, b = (p.encode() for p in sys.argv[1:3])
if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, 2) != 0:
    sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))
assert os.path.isdir(sys.argv[1]) and open(sys.argv[2]).read() == "one\n"
# exchange with a missing name fails with ENOENT
if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b + b"-none", 2) == 0 or ctypes.get_errno() != 2:
    sys.exit("exchange with a missing name did not fail with ENOENT")
EOF
else
    echo "SKIP RENAME_EXCHANGE: no python3"
fi

wf_check "rm -r" rm -r "$M/d"
wf_check "rm -r removed it" eval "! test -e '$M/d'"

touch "$M/m"
wf_check "chmod" chmod 640 "$M/m"
wf_check "stat mode" eq "$(stat -c %a "$M/m")" 640
wf_check "chmod setuid" chmod 4755 "$M/m"
wf_check "stat setuid mode" eq "$(stat -c %a "$M/m")" 4755
wf_check "chown" chown 1234:5678 "$M/m"
wf_check "stat owner" eq "$(stat -c %u:%g "$M/m")" 1234:5678
wf_check "chown dropped setuid" eq "$(stat -c %a "$M/m")" 755
wf_check "chgrp only" chgrp 42 "$M/m"
wf_check "stat owner after chgrp" eq "$(stat -c %u:%g "$M/m")" 1234:42

wf_check "touch -d" touch -d "2001-02-03 04:05:06 UTC" "$M/m"
wf_check "mtime set" eq "$(stat -c %Y "$M/m")" 981173106
wf_check "atime set" eq "$(stat -c %X "$M/m")" 981173106
wf_check "touch -m -d (atime omitted)" touch -m -d "2010-01-01 00:00:00 UTC" "$M/m"
wf_check "mtime only" eq "$(stat -c %X:%Y "$M/m")" 981173106:1262304000
before=$(date +%s)
wf_check "touch (now)" touch "$M/m"
wf_check "mtime is now" test "$(stat -c %Y "$M/m")" -ge "$before"
touch -d '2020-01-01 00:00:00.123456789 UTC' "$M/m"
wf_check "nanoseconds kept" eq "$(TZ=UTC stat -c %y "$M/m")" "2020-01-01 00:00:00.123456789 +0000"

if command -v setfattr >/dev/null && command -v getfattr >/dev/null; then
    touch "$M/x"
    wf_check "setfattr" setfattr -n user.color -v blue "$M/x"
    wf_check "getfattr value" eq "$(getfattr --only-values -n user.color "$M/x")" blue
    wf_check "setfattr second" setfattr -n user.size -v 42 "$M/x"
    wf_check "getfattr -d lists both" eq "$(getfattr -d --absolute-names "$M/x" | grep -c '^user\.')" 2
    wf_check "setfattr -x" setfattr -x user.color "$M/x"
    wf_check "removed xattr is gone" eval "! getfattr -n user.color '$M/x' >/dev/null 2>&1"
    wf_check "xattr on a directory" setfattr -n user.d -v 1 "$M/t2"
elif [ $have_py = 1 ]; then
    echo "NOTE: setfattr/getfattr missing (Debian package 'attr'); using python3 os.*xattr"
    touch "$M/x"
    wf_check "xattrs via python3" python3 - "$M/x" <<'EOF'
import errno, os, sys
p = sys.argv[1]
os.setxattr(p, "user.color", b"blue")
assert os.getxattr(p, "user.color") == b"blue"
os.setxattr(p, "user.size", b"42")
assert sorted(os.listxattr(p)) == ["user.color", "user.size"]
try:
    os.setxattr(p, "user.color", b"red", os.XATTR_CREATE); sys.exit("XATTR_CREATE replaced")
except OSError as e:
    assert e.errno == errno.EEXIST
os.removexattr(p, "user.color")
try:
    os.getxattr(p, "user.color"); sys.exit("removed xattr still there")
except OSError as e:
    assert e.errno == errno.ENODATA
EOF
else
    echo "SKIP xattr cases: no setfattr/getfattr (Debian package 'attr') and no python3"
fi

wf_check "truncate -s 1T (sparse)" truncate -s 1T "$M/sparse"
wf_check "sparse size" eq "$(stat -c %s "$M/sparse")" 1099511627776
wf_check "sparse du is 0" eq "$(du -k "$M/sparse" | cut -f1)" 0
printf XYZ | dd of="$M/sparse" bs=1 seek=$((512 * 1024 * 1024 * 1024)) conv=notrunc status=none
wf_check "dd at 512 GiB" eq "$(dd if="$M/sparse" bs=1 skip=$((512 * 1024 * 1024 * 1024)) count=3 status=none)" XYZ
wf_check "dd kept the size" eq "$(stat -c %s "$M/sparse")" 1099511627776
wf_check "one page allocated" eq "$(du -k "$M/sparse" | cut -f1)" 4
wf_check "hole reads zeros" eq "$(dd if="$M/sparse" bs=4096 skip=1000 count=1 status=none | tr -d '\0' | wc -c)" 0
if [ $have_py = 1 ]; then
    wf_check "SEEK_DATA/SEEK_HOLE" python3 - "$M/sparse" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
g = 512 << 30
assert os.lseek(fd, 0, os.SEEK_DATA) == g, os.lseek(fd, 0, os.SEEK_DATA)
assert os.lseek(fd, g + 1, os.SEEK_DATA) == g + 1
assert os.lseek(fd, g, os.SEEK_HOLE) == g + 4096
assert os.lseek(fd, 5, os.SEEK_HOLE) == 5
try:
    os.lseek(fd, g + 4096, os.SEEK_DATA); sys.exit("no ENXIO past the last data")
except OSError as e:
    assert e.errno == 6
EOF
fi
truncate -s 10 "$M/sparse"
wf_check "truncate down frees" eq "$(du -k "$M/sparse" | cut -f1):$(stat -c %s "$M/sparse")" 0:10

wf_check "fallocate 1M" fallocate -l 1M "$M/fa"
wf_check "fallocate size" eq "$(stat -c %s "$M/fa")" 1048576
wf_check "fallocate blocks" eq "$(du -k "$M/fa" | cut -f1)" 1024
wf_check "fallocate -n (keep size)" fallocate -n -l 2M "$M/fa"
wf_check "keep size: size" eq "$(stat -c %s "$M/fa")" 1048576
wf_check "keep size: blocks" eq "$(du -k "$M/fa" | cut -f1)" 2048
printf 'abcdefgh' | dd of="$M/fa" bs=1 seek=4094 conv=notrunc status=none
wf_check "fallocate -p (punch hole)" fallocate -p -o 4096 -l 8192 "$M/fa"
wf_check "punch: size kept" eq "$(stat -c %s "$M/fa")" 1048576
wf_check "punch: blocks freed" eq "$(du -k "$M/fa" | cut -f1)" 2040
wf_check "punch: edge bytes" eq "$(dd if="$M/fa" bs=1 skip=4094 count=8 status=none | tr '\0' .)" "ab......"
wf_check "fallocate beyond capacity: ENOSPC" eval "! fallocate -l 2G '$M/huge' 2>/dev/null"

if [ $have_py = 1 ]; then
    wf_check "copy_file_range" python3 - "$M/big" "$M/copy" <<'EOF'
import os, sys
src = os.open(sys.argv[1], os.O_RDONLY)
dst = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
size = os.fstat(src).st_size
done = 0
while done < size:
    n = os.copy_file_range(src, dst, size - done)
    assert n > 0
    done += n
os.close(dst)
assert open(sys.argv[1], "rb").read() == open(sys.argv[2], "rb").read()
EOF
fi

wf_check "df shows the capacity" eq "$(df -B1 --output=size "$M" | tail -1 | tr -d ' ')" 1073741824
used_before=$(df -B1 --output=used "$M" | tail -1 | tr -d ' ')
head -c $((8 * 1024 * 1024)) /dev/zero >"$M/eight"
used_after=$(df -B1 --output=used "$M" | tail -1 | tr -d ' ')
wf_check "df used grows with data" test $((used_after - used_before)) -ge $((8 * 1024 * 1024))

# An unlinked file stays usable through its open descriptor.
echo keep >"$M/open"
exec 3<>"$M/open"
rm "$M/open"
wf_check "no hidden file (hard_remove)" eq "$(ls -A "$M" | grep -c fuse_hidden)" 0
if [ $have_py = 1 ]; then
    wf_check "unlinked open file: read, write by descriptor" python3 - <<'EOF'
import os
assert os.pread(3, 100, 0) == b"keep\n"
assert os.pwrite(3, b"KEEP", 0) == 4
assert os.pread(3, 100, 0) == b"KEEP\n"
EOF
fi
# fstat/fchmod reach the kernel without a file handle; our libfuse finds the
# open handle (Debian's libfuse 3.14 answers ESTALE here).
wf_check "unlinked open file: fstat (cat)" eq "$(cat <&3)" KEEP
if [ $have_py = 1 ]; then
    wf_check "unlinked open file: fchmod" python3 -c 'import os; os.fchmod(3, 0o600); assert os.fstat(3).st_mode & 0o777 == 0o600'
fi
exec 3<&-

mkdir "$M/many"
( cd "$M/many" && touch $(seq -f 'f%g' 1 1500) )
wf_check "readdir 1500 entries" eq "$(ls "$M/many" | wc -l)" 1500
wf_check "rm 1500 entries" rm -r "$M/many"

# POSIX details: link counts, errors, special files, holes, O_APPEND, links.
if [ $have_py = 1 ]; then
    wf_check "POSIX edge cases (python3)" python3 - "$M" <<'EOF'
import errno, os, stat, sys
m = sys.argv[1]
def P(*a): return os.path.join(m, *a)
def expect_err(e, f, *a):
    try:
        f(*a)
    except OSError as x:
        assert x.errno == e, (getattr(f, "__name__", "?"), a, x)
        return
    raise AssertionError("no error %s from %s%r" % (errno.errorcode[e], f.__name__, a))
os.mkdir(P("e")); os.mkdir(P("e/a")); os.mkdir(P("e/b"))
assert os.stat(P("e")).st_nlink == 4
os.rename(P("e/a"), P("e/b/a"))
assert os.stat(P("e")).st_nlink == 3 and os.stat(P("e/b")).st_nlink == 3
expect_err(errno.ENOTEMPTY, os.rmdir, P("e/b"))
expect_err(errno.EISDIR, os.unlink, P("e/b"))
open(P("e/f"), "w").close()
expect_err(errno.ENOTDIR, os.rmdir, P("e/f"))
expect_err(errno.EEXIST, os.open, P("e/f"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
expect_err(errno.EEXIST, os.mkdir, P("e/f"))
expect_err(errno.ENOTDIR, os.open, P("e/f/x"), os.O_RDONLY)
expect_err(errno.EISDIR, os.rename, P("e/f"), P("e/b"))
expect_err(errno.ENOTDIR, os.rename, P("e/b"), P("e/f"))
expect_err(errno.EINVAL, os.rename, P("e/b"), P("e/b/a/c"))
os.mkfifo(P("e/fifo"))
assert stat.S_ISFIFO(os.lstat(P("e/fifo")).st_mode)
if os.geteuid() == 0:
    os.mknod(P("e/chr"), stat.S_IFCHR | 0o600, os.makedev(1, 3))
    st = os.lstat(P("e/chr")); assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
os.mknod(P("e/sock"), stat.S_IFSOCK | 0o600)
assert stat.S_ISSOCK(os.lstat(P("e/sock")).st_mode)
expect_err(errno.ENAMETOOLONG, os.mkdir, P("e", "x" * 256))
os.mkdir(P("e", "y" * 255))
assert os.statvfs(m).f_namemax == 255
fd = os.open(P("e/g"), os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"abc"); os.ftruncate(fd, 10000)
assert os.pread(fd, 20000, 0) == b"abc" + b"\0" * 9997
os.ftruncate(fd, 2); os.ftruncate(fd, 8)
assert os.pread(fd, 20, 0) == b"ab" + b"\0" * 6
os.pwrite(fd, b"Z", 100000)
d = os.pread(fd, 200000, 0); assert len(d) == 100001 and d[:2] == b"ab" and d[2:100000] == b"\0" * 99998
os.close(fd)
fd = os.open(P("e/g"), os.O_WRONLY | os.O_APPEND)
os.write(fd, b"END"); os.close(fd)
assert open(P("e/g"), "rb").read()[-4:] == b"ZEND"
os.symlink("nowhere", P("e/dangling"))
assert os.readlink(P("e/dangling")) == "nowhere"
expect_err(errno.ENOENT, os.stat, P("e/dangling"))
os.symlink("loop", P("e/loop"))
expect_err(errno.ELOOP, os.stat, P("e/loop"))
expect_err(errno.EPERM, lambda: os.setxattr(P("e/dangling"), "user.x", b"1", follow_symlinks=False))
if os.geteuid() == 0:
    os.setxattr(P("e/g"), "trusted.t", b"root")
    assert "trusted.t" in os.listxattr(P("e/g"))
os.link(P("e/g"), P("e/b/g2"))
os.rename(P("e/g"), P("e/b/g2"))   # same inode: nothing happens
assert os.path.exists(P("e/g")) and os.path.exists(P("e/b/g2"))
st = os.stat(P("e/g")); assert st.st_nlink == 2
for n in sorted(os.listdir(P("e")), reverse=True):
    p = P("e", n)
    if os.path.isdir(p) and not os.path.islink(p):
        for r, ds, fs in os.walk(p, topdown=False):
            for f in fs: os.unlink(os.path.join(r, f))
            for dd in ds: os.rmdir(os.path.join(r, dd))
        os.rmdir(p)
    else:
        os.unlink(p)
os.rmdir(P("e"))
assert not os.path.exists(P("e"))
EOF
fi

# Concurrency: renames of files and of their directories, lookups, creates
# and removals all at once (multi-threaded memfs, libfuse's path locks).
mkdir -p "$M/c1/sub" "$M/c2"
echo payload >"$M/c1/sub/x"
(for ((i = 0; i < 150; i++)); do
    mv "$M/c1/sub/x" "$M/c2/x" 2>/dev/null; mv "$M/c2/x" "$M/c1/sub/x" 2>/dev/null
done) & j1=$!
(for ((i = 0; i < 150; i++)); do
    mv "$M/c1/sub" "$M/c1/sub2" 2>/dev/null; mv "$M/c1/sub2" "$M/c1/sub" 2>/dev/null
done) & j2=$!
(for ((i = 0; i < 150; i++)); do
    cat "$M/c1/sub/x" "$M/c2/x" "$M/c1/sub2/x" >/dev/null 2>&1; ls -R "$M/c1" "$M/c2" >/dev/null 2>&1
done) & j3=$!
(for ((i = 0; i < 150; i++)); do
    echo "$i" >"$M/c2/f$i"; [ $((i % 2)) = 0 ] && rm -f "$M/c2/f$i"
done) & j4=$!
(for ((i = 0; i < 8; i++)); do
    head -c $((512 * 1024)) /dev/urandom >"$TMP/par$i"
    cp "$TMP/par$i" "$M/par$i" & 
done; wait) & j5=$!
wait $j1 $j2 $j3 $j4 $j5
wf_check "concurrent: memfs alive" kill -0 "$PID"
wf_check "concurrent: the renamed file exists once" eq "$(find "$M/c1" "$M/c2" -name x | wc -l)" 1
wf_check "concurrent: its content" eq "$(cat "$(find "$M/c1" "$M/c2" -name x)")" payload
wf_check "concurrent: creates and removals" eq "$(ls "$M/c2" | grep -c '^f')" 75
ok=1; for ((i = 0; i < 8; i++)); do cmp -s "$TMP/par$i" "$M/par$i" || ok=0; done
wf_check "concurrent: parallel copies intact" [ $ok = 1 ]
rm -rf "$M/c1" "$M/c2" "$M"/par*

# Permissions as an unprivileged user (allow_other lets it in).
if command -v setpriv >/dev/null; then
    as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
    echo secret >"$M/private"; chmod 600 "$M/private"
    echo open >"$M/public"; chmod 644 "$M/public"
    wf_check "nobody reads 644" eq "$(as_nobody cat "$M/public")" open
    wf_check "nobody cannot read 600" eval "! as_nobody cat '$M/private' 2>/dev/null"
    wf_check "nobody cannot write 644" eval "! as_nobody sh -c 'echo x >> \"$M/public\"' 2>/dev/null"
    wf_check "nobody cannot create in 755 root dir" eval "! as_nobody touch '$M/nobody-file' 2>/dev/null"
    mkdir "$M/tmp"; chmod 1777 "$M/tmp"
    wf_check "nobody creates in 1777" as_nobody touch "$M/tmp/mine"
    wf_check "created file owned by nobody" eq "$(stat -c %u:%g "$M/tmp/mine")" 65534:65534
    touch "$M/tmp/roots"
    wf_check "sticky: nobody cannot remove root's file" eval "! as_nobody rm -f '$M/tmp/roots' 2>/dev/null"
    wf_check "sticky: nobody removes own file" as_nobody rm "$M/tmp/mine"
    wf_check "nobody cannot chmod root's file" eval "! as_nobody chmod 777 '$M/public' 2>/dev/null"
    wf_check "access(2) W_OK denied" eval "! as_nobody test -w '$M/public'"
else
    echo "SKIP permission cases: no setpriv"
fi

cd / || exit 1
unmount_memfs

# ---------------------------------------------------------------------------
# Second mount: single-threaded, libfuse hides unlinked open files.
# ---------------------------------------------------------------------------
if mount_memfs hidden -s -o hidden_unlink; then
    wf_pass "mount memfs (-s, hidden_unlink)"
    M=$MNT
    echo keep >"$M/open"
    exec 3<"$M/open"
    rm "$M/open"
    wf_check "hidden: .fuse_hidden file while open" eq "$(ls -A "$M" | grep -c '^\.fuse_hidden')" 1
    wf_check "hidden: still readable" eq "$(cat <&3)" keep
    exec 3<&-
    for ((i = 0; i < 50; i++)); do [ "$(ls -A "$M" | grep -c fuse_hidden)" = 0 ] && break; sleep 0.1; done
    wf_check "hidden: gone after close" eq "$(ls -A "$M" | grep -c fuse_hidden)" 0
    echo x >"$M/y"; echo z >"$M/w"
    exec 3<"$M/w"
    mv "$M/y" "$M/w"
    wf_check "hidden: rename over an open file" eq "$(cat "$M/w"):$(cat <&3)" x:z
    exec 3<&-
    unmount_memfs
else
    wf_fail "mount memfs (-s, hidden_unlink)"
fi

# ---------------------------------------------------------------------------
# Third mount: libfuse 3.14's own options (uid/gid/umask overrides,
# caching, remember).
# ---------------------------------------------------------------------------
if mount_memfs opts -o uid=4242,gid=4343,umask=027,remember=1,auto_cache \
        -o negative_timeout=2,entry_timeout=0.5,attr_timeout=0.5; then
    wf_pass "mount memfs (library options)"
    M=$MNT
    echo data >"$M/f"
    wf_check "uid=/gid= override" eq "$(stat -c %u:%g "$M/f")" 4242:4343
    wf_check "umask= override" eq "$(stat -c %a "$M/f")" 750
    wf_check "umask= keeps the type" test -f "$M/f"
    wf_check "negative entry, then created" eval "! test -e '$M/n' && touch '$M/n' && test -e '$M/n'"
    wf_check "auto_cache: reopen sees new data" eval "echo one >'$M/g' && cat '$M/g' >/dev/null && echo two >'$M/g' && [ \"\$(cat '$M/g')\" = two ]"
    unmount_memfs
else
    wf_fail "mount memfs (library options)"
fi

# ---------------------------------------------------------------------------
# Fourth mount: the libfuse 2 options our library takes on the command line
# too (libfuse 3.14 refuses them: it leaves them to init()).
# ---------------------------------------------------------------------------
if mount_memfs ext -o intr,intr_signal=12,readdir_ino,direct_io,kernel_cache; then
    wf_pass "mount memfs (intr, readdir_ino, direct_io)"
    M=$MNT
    wf_check "direct_io copy" eval "cp '$TMP/big' '$M/big' && cmp '$TMP/big' '$M/big'"
    mkdir "$M/d"; touch "$M/d/a" "$M/d/b"
    wf_check "readdir_ino listing" eq "$(ls "$M/d" | tr '\n' ' ')" "a b "
    wf_check "intr: calls still complete" eq "$(cat "$M/big" | wc -c)" $((5 * 1024 * 1024 + 123))
    unmount_memfs
else
    wf_fail "mount memfs (intr, readdir_ino, direct_io)"
fi

wf_finish
