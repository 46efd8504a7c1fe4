#!/usr/bin/env bash
# libfuse_lowlevel.sh - libfuse's own low-level examples (Debian's
# libfuse3-dev sources, unmodified, built against our headers and our
# libfuse3.so) serving the Linux kernel's FUSE.
#
#     libfuse_lowlevel.sh [EXAMPLES_DIR]     (default: build/tests/libfuse-examples)
#
# EXAMPLES_DIR holds hello_ll, passthrough_ll, notify_inval_inode,
# notify_store_retrieve and notify_inval_entry, and the high-level examples
# hello, null, passthrough, passthrough_fh, ioctl (with its client
# ioctl_client). Needs /dev/fuse and root
# (exits 77, skip, otherwise). Every process it starts it ends by PID.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

EX=${1:-${LIBFUSE_EXAMPLES:-$here/../../build/tests/libfuse-examples}}
TMP=$(mktemp -d /tmp/libfuse-ll.XXXXXX)
wf_on_exit "rm -rf '$TMP'"

skip() {
    echo "SKIP: $*"
    [ -n "${WF_TEST_TALLY:-}" ] && echo "0 0" >"$WF_TEST_TALLY"
    exit 77
}

for p in hello_ll passthrough_ll notify_inval_inode notify_store_retrieve notify_inval_entry \
    hello null passthrough passthrough_fh ioctl ioctl_client; do
    [ -x "$EX/$p" ] || skip "no $p in $EX"
done
[ -c /dev/fuse ] || skip "no /dev/fuse"
[ "$(id -u)" = 0 ] || skip "not root"

# Our library, not the system's, must be the one serving.
if command -v ldd >/dev/null; then
    lib=$(ldd "$EX/hello_ll" | awk '/libfuse3\.so/ {print $3}')
    wf_check "examples load our libfuse3 ($lib)" eval "[ -n '$lib' ] && ! cmp -s '$lib' /lib/x86_64-linux-gnu/libfuse3.so.3"
fi

is_mounted() { grep -q " $1 fuse" /proc/mounts; }

PID=
MNT=
LOG=

# start NAME PROGRAM ARGS...: PROGRAM -f ARGS MNT in the background; waits for the mount.
start() {
    local name=$1 prog=$2 i; shift 2
    MNT=$TMP/$name
    LOG=$TMP/$name.log
    mkdir -p "$MNT"
    "$EX/$prog" -f "$@" "$MNT" >"$LOG" 2>&1 &
    PID=$!
    wf_on_exit "stop_fallback $PID '$MNT'"
    for ((i = 0; i < 100; i++)); do
        is_mounted "$MNT" && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "$prog did not mount; its log:"; cat "$LOG"
    return 1
}

stop_fallback() {
    local pid=$1 mnt=$2 i
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    is_mounted "$mnt" && umount -l "$mnt" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# stop NAME: SIGTERM; the program must unmount and exit within 5 s. libfuse
# 3.14's loops return the signal number, so the examples exit 1.
stop() {
    local name=$1 rc i
    kill -TERM "$PID"
    for ((i = 0; i < 50; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PID" 2>/dev/null; then
        wf_fail "$name exits on SIGTERM"
        return
    fi
    wait "$PID"; rc=$?
    wf_check "$name exits on SIGTERM (status $rc)" [ "$rc" = 1 ]
    wf_check "$name unmounted after SIGTERM" eval "! is_mounted '$MNT'"
}

eq() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'"; return 1; }; }

# ---- hello_ll, in each loop flavour ----------------------------------------

for mode in mt "-s" "-o clone_fd" "-d"; do
    name="hello_ll ${mode}"
    # shellcheck disable=SC2086
    if ! start hello "hello_ll" $([ "$mode" = mt ] || echo "$mode"); then
        wf_fail "$name mounts"
        continue
    fi
    wf_pass "$name mounts"
    wf_check "$name: ls" eq "$(ls "$MNT")" hello
    wf_check "$name: cat" eq "$(cat "$MNT/hello")" "Hello World!"
    wf_check "$name: size" eq "$(stat -c %s "$MNT/hello")" 13
    wf_check "$name: mode" eq "$(stat -c %a "$MNT/hello")" 444
    wf_check "$name: missing file" eval "! test -e '$MNT/nope'"
    wf_check "$name: cannot write" eval "! (echo x >'$MNT/hello') 2>/dev/null"
    wf_check "$name: fs type" eval "grep -q ' $MNT fuse.hello_ll ' /proc/mounts"
    if [ "$mode" = "-d" ]; then
        wf_check "$name: debug shows INIT" grep -q "^INIT: 7\." "$LOG"
        wf_check "$name: debug shows requests" grep -q "opcode: LOOKUP" "$LOG"
    fi
    stop "$name"
done

# ---- the mount options reach the kernel -------------------------------------

if start opts hello_ll -o fsname=wftest,allow_other,default_permissions,ro; then
    line=$(grep " $MNT " /proc/mounts)
    wf_check "fsname= becomes the source" eq "$(echo "$line" | cut -d' ' -f1)" wftest
    wf_check "ro is a mount flag" eval "echo '$line' | grep -q ' ro,'"
    wf_check "allow_other reaches the kernel" eval "echo '$line' | grep -q allow_other"
    wf_check "default_permissions reaches the kernel" eval "echo '$line' | grep -q default_permissions"
    stop "hello_ll with options"
else
    wf_fail "hello_ll with options mounts"
fi

# ---- fusermount3: auto_unmount goes through the helper even as root ---------

if command -v fusermount3 >/dev/null && start au hello_ll -o auto_unmount; then
    wf_check "auto_unmount: served through fusermount3's descriptor" \
        eq "$(cat "$MNT/hello")" "Hello World!"
    kill -KILL "$PID"
    wait "$PID" 2>/dev/null
    # fusermount3 notices its parent's death on its own schedule; a loaded machine is slow.
    for ((i = 0; i < 300; i++)); do is_mounted "$MNT" || break; sleep 0.1; done
    wf_check "auto_unmount: unmounted after SIGKILL" eval "! is_mounted '$MNT'"
else
    echo "note: no fusermount3; auto_unmount not tested"
fi

# ---- /dev/fd/N: the caller opened /dev/fuse and mounted ---------------------

if command -v python3 >/dev/null; then
    mkdir -p "$TMP/fdmnt"
    python3 - "$EX/hello_ll" "$TMP/fdmnt" "$TMP/fd.log" <<'EOF' &
import ctypes, os, sys
prog, mnt, log = sys.argv[1:4]
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("/dev/fuse", os.O_RDWR)
opts = "fd=%d,rootmode=40000,user_id=0,group_id=0" % fd
if libc.mount(b"fdtest", mnt.encode(), b"fuse.fdtest", 0, opts.encode()) != 0:
    sys.exit("mount: %s" % os.strerror(ctypes.get_errno()))
os.set_inheritable(fd, True)
out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
os.dup2(out, 1)
os.dup2(out, 2)
os.execv(prog, [prog, "-f", "/dev/fd/%d" % fd])
EOF
    PID=$!
    MNT=$TMP/fdmnt
    wf_on_exit "stop_fallback $PID '$MNT'"
    for ((i = 0; i < 50; i++)); do [ -e "$MNT/hello" ] && break; sleep 0.1; done
    wf_check "/dev/fd/N: served" eq "$(cat "$MNT/hello" 2>/dev/null)" "Hello World!"
    kill -TERM "$PID"
    for ((i = 0; i < 50; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    wf_check "/dev/fd/N: exits on SIGTERM" eval "! kill -0 $PID 2>/dev/null"
    wait "$PID" 2>/dev/null
    # Its mount is the caller's: still there (disconnected) until the caller unmounts.
    wf_check "/dev/fd/N: the mount is left to the caller" is_mounted "$MNT"
    umount -l "$MNT" 2>/dev/null
fi

# ---- passthrough_ll: the whole low-level API against a real directory -------

SRC=$TMP/src
mkdir -p "$SRC"
echo orig >"$SRC/a"
if start pt passthrough_ll -o "source=$SRC" -o xattr; then
    M=$MNT
    wf_check "passthrough: ls" eq "$(ls "$M")" a
    wf_check "passthrough: cat" eq "$(cat "$M/a")" orig
    echo "written through" >"$M/b"
    wf_check "passthrough: write lands in the source" eq "$(cat "$SRC/b")" "written through"
    head -c $((5 * 1024 * 1024 + 77)) /dev/urandom >"$TMP/big"
    cp "$TMP/big" "$SRC/big"
    wf_check "passthrough: read 5 MiB" cmp "$TMP/big" "$M/big"
    cp "$TMP/big" "$M/big2"
    wf_check "passthrough: write 5 MiB" cmp "$TMP/big" "$SRC/big2"
    wf_check "passthrough: mkdir" mkdir "$M/d"
    wf_check "passthrough: rename" mv "$M/b" "$M/d/c"
    wf_check "passthrough: renamed in source" test -f "$SRC/d/c"
    wf_check "passthrough: symlink" ln -s a "$M/l"
    wf_check "passthrough: readlink" eq "$(readlink "$M/l")" a
    wf_check "passthrough: hard link" ln "$M/a" "$M/a2"
    wf_check "passthrough: link count" eq "$(stat -c %h "$M/a")" 2
    wf_check "passthrough: truncate" truncate -s 2 "$M/a"
    wf_check "passthrough: truncated" eq "$(cat "$SRC/a")" or
    wf_check "passthrough: chmod" chmod 600 "$M/a"
    wf_check "passthrough: mode" eq "$(stat -c %a "$SRC/a")" 600
    wf_check "passthrough: touch -d" touch -d @1000000000 "$M/a"
    wf_check "passthrough: mtime" eq "$(stat -c %Y "$SRC/a")" 1000000000
    wf_check "passthrough: unlink" rm "$M/d/c"
    wf_check "passthrough: rmdir" rmdir "$M/d"
    wf_check "passthrough: statfs" eval "df '$M' >/dev/null"
    wf_check "passthrough: readdir after changes" eq "$(ls "$M" | tr '\n' ' ')" "a a2 big big2 l "
    if command -v python3 >/dev/null; then
        out=$(python3 - "$M" <<'EOF' 2>&1
import fcntl, os, sys
m = sys.argv[1]
p = os.path.join(m, "a")
os.setxattr(p, "user.k", b"v1")
assert os.getxattr(p, "user.k") == b"v1"
assert "user.k" in os.listxattr(p)
os.removexattr(p, "user.k")
assert "user.k" not in os.listxattr(p)
fd = os.open(p, os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX); fcntl.flock(fd, fcntl.LOCK_UN)
fcntl.lockf(fd, fcntl.LOCK_EX, 10, 0); fcntl.lockf(fd, fcntl.LOCK_UN, 10, 0)
os.posix_fallocate(fd, 0, 8192)
assert os.fstat(fd).st_size == 8192
fd2 = os.open(os.path.join(m, "copy"), os.O_RDWR | os.O_CREAT, 0o644)
os.pwrite(fd, b"ABCDE", 0)
assert os.copy_file_range(fd, fd2, 5, 0, 0) == 5
assert os.pread(fd2, 5, 0) == b"ABCDE"
assert os.lseek(fd, 0, os.SEEK_DATA) == 0
os.close(fd); os.close(fd2)
print("ok")
EOF
)
        wf_check "passthrough: xattr, flock, lockf, fallocate, copy_file_range, SEEK_DATA" eq "$out" ok
    fi
    stop "passthrough_ll"
else
    wf_fail "passthrough_ll mounts"
fi

# ---- notifications ----------------------------------------------------------

if start nii notify_inval_inode --update-interval=1; then
    a=$(cat "$MNT/current_time"); sleep 2.2; b=$(cat "$MNT/current_time")
    wf_check "notify_inval_inode: cached content is invalidated" eval "[ '$a' != '$b' ]"
    stop "notify_inval_inode"
else
    wf_fail "notify_inval_inode mounts"
fi

if start nsr notify_store_retrieve --update-interval=1 -d; then
    a=$(cat "$MNT/current_time"); sleep 2.2; b=$(cat "$MNT/current_time")
    wf_check "notify_store_retrieve: stored content is seen" eval "[ '$a' != '$b' ]"
    wf_check "notify_store_retrieve: store sent" grep -q "NOTIFY: code=4" "$LOG"
    wf_check "notify_store_retrieve: retrieve answered" grep -q "opcode: NOTIFY_REPLY" "$LOG"
    stop "notify_store_retrieve"
else
    wf_fail "notify_store_retrieve mounts"
fi

if start nie notify_inval_entry --update-interval=1; then
    a=$(ls "$MNT"); sleep 2.2; b=$(ls "$MNT")
    wf_check "notify_inval_entry: the name changes" eval "[ '$a' != '$b' ]"
    wf_check "notify_inval_entry: the old name is gone" eval "! test -e '$MNT/$a'"
    stop "notify_inval_entry"
else
    wf_fail "notify_inval_entry mounts"
fi

# ---- the high-level API: hello, null, passthrough, passthrough_fh, ioctl ----
#
# Started by PID like the others, but ended the way a user ends them:
# fusermount3 -u, after which the program must exit 0 on its own.

# start_on NAME MOUNTPOINT PROGRAM ARGS...: like start, on a given mountpoint
# (null mounts on a regular file).
start_on() {
    local name=$1 mnt=$2 prog=$3 i; shift 3
    MNT=$mnt
    LOG=$TMP/$name.log
    "$EX/$prog" -f "$@" "$MNT" >"$LOG" 2>&1 &
    PID=$!
    wf_on_exit "stop_fallback $PID '$MNT'"
    for ((i = 0; i < 100; i++)); do
        is_mounted "$MNT" && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "$prog did not mount; its log:"; cat "$LOG"
    return 1
}

# unmount NAME: fusermount3 -u; the program exits 0 within 5 s. Without
# fusermount3, SIGTERM (stop).
unmount() {
    local name=$1 rc i
    if ! command -v fusermount3 >/dev/null; then
        stop "$name"
        return
    fi
    wf_check "$name: fusermount3 -u" fusermount3 -u "$MNT"
    for ((i = 0; i < 50; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PID" 2>/dev/null; then
        wf_fail "$name exits after fusermount3 -u"
        return
    fi
    wait "$PID"; rc=$?
    wf_check "$name exits after fusermount3 -u (status $rc)" [ "$rc" = 0 ]
    wf_check "$name unmounted" eval "! is_mounted '$MNT'"
}

if command -v ldd >/dev/null; then
    lib=$(ldd "$EX/hello" | awk '/libfuse3\.so/ {print $3}')
    wf_check "high-level examples load our libfuse3 ($lib)" eval "[ -n '$lib' ] && ! cmp -s '$lib' /lib/x86_64-linux-gnu/libfuse3.so.3"
fi

mkdir -p "$TMP/hl"
if start_on hello "$TMP/hl" hello; then
    wf_check "hello: ls" eq "$(ls "$MNT")" hello
    wf_check "hello: cat" eq "$(cat "$MNT/hello")" "Hello World!"
    wf_check "hello: size" eq "$(stat -c %s "$MNT/hello")" 13
    wf_check "hello: cannot write" eval "! (echo x >'$MNT/hello') 2>/dev/null"
    wf_check "hello: fs type" eval "grep -q ' $MNT fuse.hello ' /proc/mounts"
    unmount hello
else
    wf_fail "hello mounts"
fi

if start_on hello_opts "$TMP/hl" hello --name=greeting --contents=bonjour; then
    wf_check "hello --name/--contents: ls" eq "$(ls "$MNT")" greeting
    wf_check "hello --name/--contents: cat" eq "$(cat "$MNT/greeting")" bonjour
    unmount "hello with options"
else
    wf_fail "hello with options mounts"
fi

: >"$TMP/nullfile"
if start_on null "$TMP/nullfile" null; then
    wf_check "null: mounted on a regular file" eval "grep -q ' $MNT fuse.null ' /proc/mounts"
    wf_check "null: is a regular file" test -f "$MNT"
    wf_check "null: size 4 GiB" eq "$(stat -c %s "$MNT")" 4294967296
    wf_check "null: read 100 bytes of zeros" cmp <(head -c 100 "$MNT") <(head -c 100 /dev/zero)
    wf_check "null: read 1 MiB + 3 of zeros" cmp <(head -c $((1024 * 1024 + 3)) "$MNT") \
        <(head -c $((1024 * 1024 + 3)) /dev/zero)
    wf_check "null: read at an offset" eq "$(dd if="$MNT" bs=4096 skip=1000 count=3 2>/dev/null | tr -d '\0' | wc -c)" 0
    wf_check "null: read length" eq "$(dd if="$MNT" bs=4096 skip=1000 count=3 2>/dev/null | wc -c)" 12288
    wf_check "null: write" eval "head -c 200000 /dev/urandom | dd of='$MNT' bs=65536 conv=notrunc 2>/dev/null"
    wf_check "null: truncating write" eval "echo hi >'$MNT'"
    wf_check "null: still zeros after writes" eq "$(head -c 4096 "$MNT" | tr -d '\0' | wc -c)" 0
    wf_check "null: size unchanged" eq "$(stat -c %s "$MNT")" 4294967296
    unmount null
    wf_check "null: the file underneath is back" eq "$(stat -c %s "$TMP/nullfile")" 0
else
    wf_fail "null mounts"
fi

# passthrough and passthrough_fh mirror "/": only files under $TMP are changed.
for prog in passthrough passthrough_fh; do
    D=$TMP/$prog.dir
    mkdir -p "$D" "$TMP/$prog.mnt"
    printf 'known content of %s\n' "$prog" >"$D/known"
    head -c $((3 * 1024 * 1024 + 5)) /dev/urandom >"$D/big"
    if ! start_on "$prog" "$TMP/$prog.mnt" "$prog"; then
        wf_fail "$prog mounts"
        continue
    fi
    M=$MNT$D
    if [ -r /etc/hostname ]; then
        wf_check "$prog: /etc/hostname through the mount" cmp /etc/hostname "$MNT/etc/hostname"
    fi
    wf_check "$prog: a file of ours through the mount" eq "$(cat "$M/known")" "known content of $prog"
    wf_check "$prog: read 3 MiB" cmp "$D/big" "$M/big"
    wf_check "$prog: ls" eq "$(ls "$M" | tr '\n' ' ')" "big known "
    wf_check "$prog: create and write" eval "echo 'written by $prog' >'$M/new'"
    wf_check "$prog: the write lands on the host" eq "$(cat "$D/new" 2>/dev/null)" "written by $prog"
    wf_check "$prog: write 3 MiB" cp "$D/big" "$M/big2"
    wf_check "$prog: 3 MiB on the host" cmp "$D/big" "$D/big2"
    wf_check "$prog: append" eval "echo more >>'$M/new'"
    wf_check "$prog: appended on the host" eq "$(tail -n 1 "$D/new")" more
    wf_check "$prog: mkdir" mkdir "$M/sub"
    wf_check "$prog: rename" mv "$M/new" "$M/sub/renamed"
    wf_check "$prog: renamed on the host" test -f "$D/sub/renamed"
    wf_check "$prog: chmod" chmod 600 "$M/sub/renamed"
    wf_check "$prog: mode on the host" eq "$(stat -c %a "$D/sub/renamed")" 600
    wf_check "$prog: truncate" truncate -s 3 "$M/sub/renamed"
    wf_check "$prog: truncated on the host" eq "$(cat "$D/sub/renamed")" wri
    wf_check "$prog: remove" rm "$M/sub/renamed" "$M/big2"
    wf_check "$prog: removed on the host" eval "! test -e '$D/sub/renamed' && ! test -e '$D/big2'"
    wf_check "$prog: rmdir" rmdir "$M/sub"
    wf_check "$prog: rmdir on the host" eval "! test -e '$D/sub'"
    unmount "$prog"
done

mkdir -p "$TMP/ioctl.mnt"
if start_on ioctl "$TMP/ioctl.mnt" ioctl; then
    F=$MNT/fioc
    wf_check "ioctl: ls" eq "$(ls "$MNT")" fioc
    wf_check "ioctl: FIOC_GET_SIZE, empty" eq "$("$EX/ioctl_client" "$F")" 0
    wf_check "ioctl: write" eval "printf abcdef >'$F'"
    wf_check "ioctl: FIOC_GET_SIZE after a write" eq "$("$EX/ioctl_client" "$F")" 6
    wf_check "ioctl: FIOC_SET_SIZE 100" "$EX/ioctl_client" "$F" 100
    wf_check "ioctl: FIOC_GET_SIZE after set" eq "$("$EX/ioctl_client" "$F")" 100
    wf_check "ioctl: stat sees the size" eq "$(stat -c %s "$F")" 100
    wf_check "ioctl: content kept, zero-filled" eq "$(head -c 6 "$F")" abcdef
    wf_check "ioctl: FIOC_SET_SIZE 3" "$EX/ioctl_client" "$F" 3
    wf_check "ioctl: shrunk" eq "$(cat "$F")" abc
    wf_check "ioctl: FIOC_GET_SIZE after shrink" eq "$("$EX/ioctl_client" "$F")" 3
    unmount ioctl
else
    wf_fail "ioctl mounts"
fi

wf_finish
