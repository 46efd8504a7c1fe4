#!/usr/bin/env bash
# lxfront_mount.sh - Linux processes on `winfuse mount`: every request goes
# through lxfront (NT calls), the fsd (WinFsp requests), the engine (FUSE)
# and the file system behind it.
#
#     lxfront_mount.sh WINFUSE BACKEND RANDOPS
#
# BACKEND: memfs (the embedded one) or bindfs (an external program over a
# temporary directory, started by the wslfuse launcher: `winfuse mount DIR
# -- bindfs -f -o hard_remove SRC {}`). RANDOPS: tests/integration/lxfront_randops.
#
# Cases: ordinary tools; a source tree through tar and back (diff -r); git
# init, commit, clone, fsck; fio with crc32c verification (sequential and
# random); 50 000 random operations compared with a reference directory;
# 8 processes in one directory at once; for memfs also the explicit errors,
# permissions as another user, flock, the -d trace, a case-insensitive
# volume, background mode and `fusermount3 -u`; for bindfs the program's death ending the mount.
#
# Needs root and /dev/fuse (exit 77 otherwise). Every mount is started
# here and ended by its PID (`winfuse unmount`, then signals if need be).
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

WINFUSE=${1:?usage: lxfront_mount.sh WINFUSE BACKEND RANDOPS}
BACKEND=${2:?backend}
RANDOPS=${3:?randops}
SRCROOT=$(cd "$here/../.." && pwd)

skip() {
    echo "SKIP: $*"
    [ -n "${WF_TEST_TALLY:-}" ] && echo "0 0" >"$WF_TEST_TALLY"
    exit 77
}

[ -x "$WINFUSE" ] || skip "no winfuse at $WINFUSE"
[ -x "$RANDOPS" ] || skip "no randops at $RANDOPS"
[ -c /dev/fuse ] || skip "no /dev/fuse"
[ "$(id -u)" = 0 ] || skip "needs root (kernel FUSE mounts with allow_other)"
have() { command -v "$1" >/dev/null 2>&1; }
if [ "$BACKEND" = bindfs ] && ! have bindfs; then skip "bindfs is not installed"; fi

TMP=$(mktemp -d /tmp/lxfront.XXXXXX)
chmod 755 "$TMP"
wf_on_exit "rm -rf '$TMP'"
export HOME=$TMP GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=lxfront GIT_AUTHOR_EMAIL=lxfront@example.org
export GIT_COMMITTER_NAME=lxfront GIT_COMMITTER_EMAIL=lxfront@example.org

is_mounted() { grep -q " $1 fuse.winfuse " /proc/mounts; }
mount_pid() { awk -v m="$1" '$2 == m && $1 ~ /^winfuse:/ { split($1, a, ":"); print a[2] }' /proc/mounts | tail -1; }

# stop_mount PID MNT: the fallback cleanup (normally already done).
stop_mount() {
    local pid=$1 mnt=$2 i
    if is_mounted "$mnt"; then
        "$WINFUSE" unmount "$mnt" >/dev/null 2>&1 || umount -l "$mnt" 2>/dev/null
    fi
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# start NAME [-d]: a fresh mount point $TMP/NAME, winfuse in the foreground of a
# background job (so that its exit status and sanitizer reports are seen);
# sets MNT, PID, LOG, SRC (bindfs's directory). Waits 20 s at most.
start() {
    local name=$1 i; shift
    MNT=$TMP/$name LOG=$TMP/$name.log SRC=$TMP/$name.src
    mkdir -p "$MNT" "$SRC"
    if [ "$BACKEND" = bindfs ]; then
        # -f: bindfs stays our child, so that its death can be arranged below.
        "$WINFUSE" mount -f "$@" "$MNT" -- bindfs -f -o hard_remove "$SRC" {} >"$LOG" 2>&1 &
    else
        "$WINFUSE" mount -f "$@" "$MNT" >"$LOG" 2>&1 &
    fi
    PID=$!
    wf_on_exit "stop_mount $PID '$MNT'"
    for ((i = 0; i < 200; i++)); do
        is_mounted "$MNT" && stat "$MNT" >/dev/null 2>&1 && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "winfuse did not mount; its log:"; tail -20 "$LOG"
    return 1
}

# finish: `winfuse unmount`, then winfuse must exit 0 by itself, cleanly.
finish() {
    local rc i
    wf_check "$BACKEND: winfuse unmount" "$WINFUSE" unmount "$MNT"
    for ((i = 0; i < 100; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    wait "$PID"; rc=$?
    wf_check "$BACKEND: winfuse exits 0 after unmount (status $rc)" [ "$rc" = 0 ]
    wf_check "$BACKEND: unmounted" eval "! is_mounted '$MNT'"
    if grep -q "Sanitizer" "$LOG"; then
        wf_fail "$BACKEND: sanitizer report in the log"; grep -A20 "Sanitizer" "$LOG" | head -40
    fi
}

eq() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'"; return 1; }; }

start main || { wf_fail "$BACKEND: mount"; wf_finish; exit; }
wf_pass "$BACKEND: mount ($MNT)"
M=$MNT

# ---- ordinary tools ----
mkdir "$M/dir" && echo hello >"$M/dir/file"
wf_check "$BACKEND: echo > file; cat" eq "$(cat "$M/dir/file")" hello
wf_check "$BACKEND: ls" eq "$(ls "$M/dir")" file
ln -s dir/file "$M/link"
wf_check "$BACKEND: symlink, readlink" eq "$(readlink "$M/link")" dir/file
wf_check "$BACKEND: cat through a link" eq "$(cat "$M/link")" hello
mv "$M/dir/file" "$M/dir/moved"
wf_check "$BACKEND: mv" eq "$(cat "$M/dir/moved")" hello
chmod 640 "$M/dir/moved"
wf_check "$BACKEND: chmod 640" eq "$(stat -c %a "$M/dir/moved")" 640
touch -d '2001-02-03 04:05:06 UTC' "$M/dir/moved"
wf_check "$BACKEND: touch -d" eq "$(stat -c %Y "$M/dir/moved")" 981173106
rm -r "$M/dir" "$M/link"
wf_check "$BACKEND: rm -r" eq "$(ls -A "$M")" ""
wf_check "$BACKEND: statfs (df)" eval "df -P '$M' | grep -q winfuse"

# Windows-invalid characters travel through the U+F000 mapping.
odd='a:b*c?d<e>f|g"h\i'
echo x >"$M/$odd"
wf_check "$BACKEND: names Windows cannot hold" eq "$(ls "$M")" "$odd"
rm -f "$M/$odd"

# What the file system cannot do, found out rather than assumed.
limits=()
tarflags=()
if [ "$BACKEND" = bindfs ]; then
    # bindfs (libfuse 2) cannot read a file whose last name went (hard_remove;
    # without it, .fuse_hidden files would show): no descriptors kept open.
    limits+=(LXFRONT_NO_UNLINK_OPEN=1)
fi
mkdir "$M/probe"
if ! chmod 700 "$M/probe" 2>/dev/null; then
    # The engine sends SETATTR with a directory's OPENDIR handle (FATTR_FH),
    # which libfuse 2 takes for a file handle: EBADF (docs/lxfront.md).
    echo "NOTE $BACKEND: chmod of a directory fails (engine: FATTR_FH on a directory);" \
        "directories' modes, owners and times are left alone below"
    limits+=(LXFRONT_NO_DIR_META=1)
    tarflags=(--no-same-owner --no-same-permissions -m)
fi
rmdir "$M/probe"

# ---- a source tree through tar and back ----
mkdir "$M/tree" "$TMP/out"
if tar -C "$SRCROOT" -cf - src include | tar "${tarflags[@]}" -C "$M/tree" -xf - &&
    tar -C "$M/tree" -cf - . | tar -C "$TMP/out" -xf -; then
    wf_check "$BACKEND: tar in, tar out, diff -r" diff -r "$SRCROOT/src" "$TMP/out/src"
    wf_check "$BACKEND: tar: include/ too" diff -r "$SRCROOT/include" "$TMP/out/include"
else
    wf_fail "$BACKEND: tar in and out"
fi
rm -rf "$M/tree" "$TMP/out"

# ---- git ----
if have git; then
    (
        set -e
        cd "$M"
        git init -q repo
        cp -r "$SRCROOT/src/lxfront" repo/
        cd repo
        git add -A
        git commit -qm first
        echo change >>lxfront/node.c
        git commit -qam second
        [ -z "$(git status --porcelain)" ]
        cd ..
        git clone -q repo clone
        cd clone
        git fsck --full --strict
        [ "$(git rev-list --count HEAD)" = 2 ]
        diff -r ../repo/lxfront lxfront
    ) >"$TMP/git.log" 2>&1
    rc=$?
    wf_check "$BACKEND: git init, commit, clone, fsck" [ $rc = 0 ]
    [ $rc = 0 ] || tail -20 "$TMP/git.log"
    rm -rf "$M/repo" "$M/clone"
else
    echo "SKIP $BACKEND: git (not installed)"
fi

# ---- fio, verified ----
if have fio; then
    for rw in write randwrite randrw; do
        fio --verify_state_save=0 --name="lx-$rw" --directory="$M" --size=16M --bs=4k --rw=$rw --verify=crc32c \
            --direct=0 --ioengine=psync --numjobs=2 --output="$TMP/fio-$rw.log" >/dev/null 2>&1
        rc=$?
        wf_check "$BACKEND: fio $rw 2x16 MiB --verify=crc32c" [ $rc = 0 ]
        [ $rc = 0 ] || tail -20 "$TMP/fio-$rw.log"
        rm -f "$M"/lx-*
    done
else
    echo "SKIP $BACKEND: fio (not installed; scripts/deps.sh installs it)"
fi

# ---- random operations against a reference directory ----
mkdir "$M/rand" "$TMP/ref"
env "${limits[@]}" "$RANDOPS" run "$M/rand" "$TMP/ref" 20240601 50000 >"$TMP/randops.log" 2>&1
rc=$?
wf_check "$BACKEND: 50000 random operations agree with the reference" [ $rc = 0 ]
[ $rc = 0 ] || tail -50 "$TMP/randops.log"
rm -rf "$M/rand" "$TMP/ref"

# ---- 8 processes in one directory ----
mkdir "$M/hammer"
timeout 120 env "${limits[@]}" "$RANDOPS" hammer "$M/hammer" 8 10 >"$TMP/hammer.log" 2>&1
rc=$?
wf_check "$BACKEND: 8 processes at once: no corruption, no deadlock" [ $rc = 0 ]
[ $rc = 0 ] || grep -v " operations$" "$TMP/hammer.log" | head -60
rm -rf "$M/hammer"

# ---- user.* extended attributes are the file's EAs ----
touch "$M/xa"
wf_check "$BACKEND: setfattr/getfattr user.*" eval \
    "setfattr -n user.color -v blue '$M/xa' && setfattr -n user.n -v 42 '$M/xa' &&
     [ \"\$(getfattr --only-values -n user.color '$M/xa')\" = blue ] &&
     [ \"\$(getfattr --only-values -n user.n '$M/xa')\" = 42 ]"
wf_check "$BACKEND: listxattr lists them" eval \
    "[ \"\$(getfattr -d '$M/xa' | grep -c '^user\\.')\" = 2 ]"
wf_check "$BACKEND: removexattr, then ENODATA" eval \
    "setfattr -x user.color '$M/xa' && ! getfattr -n user.color '$M/xa' 2>/dev/null &&
     getfattr -n user.color '$M/xa' 2>&1 | grep -q 'No such attribute'"
rm -f "$M/xa"

if [ "$BACKEND" = memfs ]; then
    # ---- what is not supported fails, explicitly ----
    touch "$M/f"
    wf_check "memfs: mkfifo: EPERM" eval "mkfifo '$M/p' 2>&1 | grep -q 'not permitted'"
    wf_check "memfs: hard link: EPERM" eval "ln '$M/f' '$M/h' 2>&1 | grep -q 'not permitted'"
    wf_check "memfs: trusted.* xattr: not supported" \
        eval "setfattr -n trusted.x -v 1 '$M/f' 2>&1 | grep -q 'not supported'"
    wf_check "memfs: chmod u+s: EPERM (a descriptor cannot hold it)" \
        eval "chmod u+s '$M/f' 2>&1 | grep -q 'not permitted'"
    wf_check "memfs: RENAME_EXCHANGE: EINVAL" python3 - "$M" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
m = sys.argv[1]
open(m + "/x1", "w").close(); open(m + "/x2", "w").close()
r = libc.renameat2(-100, (m + "/x1").encode(), -100, (m + "/x2").encode(), 2)
sys.exit(0 if r == -1 and ctypes.get_errno() == 22 else 1)
EOF
    rm -f "$M/x1" "$M/x2"
    # An open file can be unlinked and still used, as on Linux (POSIX delete).
    wf_check "memfs: unlink an open file, then read it" python3 - "$M/f" <<'EOF'
import os, sys
p = sys.argv[1]
with open(p, "w") as f: f.write("kept")
fd = os.open(p, os.O_RDWR); os.unlink(p)
ok = os.pread(fd, 4, 0) == b"kept" and os.fstat(fd).st_size == 4 and not os.path.exists(p)
os.close(fd); sys.exit(0 if ok else 1)
EOF

    # ---- permissions: the engine's checks, with the caller's credentials ----
    mkdir -m 1777 "$M/sticky"; mkdir -m 777 "$M/open"
    echo root >"$M/open/rootfile"; chmod 644 "$M/open/rootfile"
    as1000() { setpriv --reuid=1000 --regid=1000 --clear-groups -- "$@"; }
    wf_check "memfs: another user cannot write a 0644 file" eval "! as1000 sh -c 'echo x >> $M/open/rootfile' 2>/dev/null"
    wf_check "memfs: another user reads it" eq "$(as1000 cat "$M/open/rootfile")" root
    wf_check "memfs: another user creates in a 0777 directory" as1000 sh -c "echo mine > $M/open/userfile"
    wf_check "memfs: ... owned by that user" eq "$(stat -c %u:%g "$M/open/userfile")" 1000:1000
    wf_check "memfs: ... and deletes root's file there (write on the directory)" as1000 rm -f "$M/open/rootfile"
    echo root >"$M/sticky/rootfile"
    wf_check "memfs: ... but not in a sticky directory" eval "! as1000 rm -f '$M/sticky/rootfile' 2>/dev/null"
    wf_check "memfs: chmod of root's file by another user: EPERM" \
        eval "as1000 chmod 777 '$M/sticky/rootfile' 2>&1 | grep -q 'not permitted'"
    rm -rf "$M/sticky" "$M/open"

    # ---- flock: NT byte-range locks on the open file ----
    touch "$M/lock"
    flock "$M/lock" sleep 2 &
    holder=$!
    sleep 0.5
    wf_check "memfs: flock -n while another holds it: refused" eval "! flock -n '$M/lock' true"
    wait $holder
    wf_check "memfs: flock -n once released" flock -n "$M/lock" true
    wf_check "memfs: a locked file is still readable (flock is advisory)" \
        eval "flock '$M/lock' cat '$M/lock' >/dev/null"
    rm -f "$M/f" "$M/lock"
fi

if [ "$BACKEND" = bindfs ]; then
    # The file system dies: its mount ends by itself.
    echo data >"$M/gone"
    wf_check "bindfs: the program's files are in its directory" eq "$(cat "$SRC/gone")" data
    prog=$(pgrep -P "$PID" -x bindfs | head -1)
    if [ -n "$prog" ]; then
        kill -KILL "$prog"
        for ((i = 0; i < 100; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
        wf_check "bindfs: killed: winfuse ends and the mount goes" eval "! kill -0 $PID 2>/dev/null && ! is_mounted '$M'"
        stop_mount "$PID" "$M"
    else
        wf_fail "bindfs: find the program"
        finish
    fi
else
    finish
fi

if [ "$BACKEND" = memfs ]; then
    # ---- -d: one line per Linux request, NT call, WinFsp request, FUSE request ----
    if start traced -d; then
        echo hi >"$MNT/x" && cat "$MNT/x" >/dev/null
        wf_check "memfs -d: Linux requests traced" grep -q '^linux  #[0-9]* CREATE 1 "x"' "$LOG"
        wf_check "memfs -d: NT calls traced" grep -q '^nt .*NtWriteFile' "$LOG"
        wf_check "memfs -d: WinFsp requests traced" grep -q '^winfsp    Write' "$LOG"
        wf_check "memfs -d: FUSE requests traced" grep -q '^fuse .*WRITE' "$LOG"
        finish
    else
        wf_fail "memfs -d: mount"
    fi

    # ---- a volume that folds case: names in any spelling, Linux still sees one file ----
    if start folded -o case_insensitive; then
        echo seven >"$MNT/File7"
        wf_check "memfs case_insensitive: another spelling opens the file" \
            eq "$(cat "$MNT/file7")" seven
        wf_check "memfs case_insensitive: one entry, as created" eq "$(ls "$MNT")" File7
        rm "$MNT/FILE7"
        wf_check "memfs case_insensitive: rm FILE7: file7 no longer opens" \
            eval "! cat '$MNT/file7' 2>/dev/null"
        echo eight >"$MNT/Eight" && cat "$MNT/eight" >/dev/null
        echo "a longer other file" >"$MNT/other"
        mv "$MNT/other" "$MNT/EIGHT"
        # The kernel may still hold "eight" (and its size) for the old file: it must end
        # up at the new one, whole (a fresh lookup, or lxfront's ESTALE for a stale node).
        wf_check "memfs case_insensitive: mv other EIGHT: eight opens the new file, whole" \
            eq "$(cat "$MNT/eight")" "a longer other file"
        finish
    else
        wf_fail "memfs case_insensitive: mount"
    fi

    # ---- --help, as for every subcommand ----
    wf_check "winfuse mount --help: the usage, exit 0" \
        eval "'$WINFUSE' mount --help | grep -q '^usage: winfuse'"
    wf_check "winfuse unmount --help: the usage, exit 0" \
        eval "'$WINFUSE' unmount --help | grep -q '^usage: winfuse'"

    # ---- background mode; fusermount3 -u ends it too ----
    mkdir -p "$TMP/bg"
    if "$WINFUSE" mount "$TMP/bg"; then
        wf_pass "memfs: mount in the background: exit 0 once it works"
        bgpid=$(mount_pid "$TMP/bg")
        wf_on_exit "stop_mount ${bgpid:-0} '$TMP/bg'"
        echo bg >"$TMP/bg/f"
        wf_check "memfs: the background mount answers" eq "$(cat "$TMP/bg/f")" bg
        wf_check "memfs: fusermount3 -u" fusermount3 -u "$TMP/bg"
        for ((i = 0; i < 100; i++)); do kill -0 "$bgpid" 2>/dev/null || break; sleep 0.1; done
        wf_check "memfs: ... and winfuse ends" eval "! kill -0 ${bgpid:-0} 2>/dev/null"
    else
        wf_fail "memfs: mount in the background"
    fi
    wf_check "memfs: mount on a missing directory fails" eval "! '$WINFUSE' mount '$TMP/nowhere' 2>/dev/null"
fi

wf_finish
