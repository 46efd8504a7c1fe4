#!/usr/bin/env bash
# wslfuse_check.sh - `winfuse check`, the Windows conformance suite through
# the fsd and the engine, against unmodified FUSE programs started by the
# wslfuse launcher: peer_fs through each channel, sshfs (against an sshd
# started here), squashfuse (read-only), bindfs and fuse2fs (libfuse 2).
#
#     wslfuse_check.sh [WINFUSE [PEER_FS]]     (default: build/bin/winfuse, build/tests/peer_fs)
#
# A case passes when the suite runs to its end (exit 0 or 1, a tally line)
# with at least a floor of passed cases: the program was served. Which
# cases fail is the conformance suite's business (docs/conformance.md).
# Programs not installed are skipped (scripts/deps.sh installs them); so
# are libfuse 2 programs while the CLI does not start programs with the
# launcher (no "channel=" option). Every process it starts it ends by PID.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

WINFUSE=${1:-$here/../../build/bin/winfuse}
PEER_FS=${2:-$here/../../build/tests/peer_fs}
TMP=$(mktemp -d /tmp/wslfuse-check.XXXXXX)
wf_on_exit "rm -rf '$TMP'"

skip() {
    echo "SKIP: $*"
    [ -n "${WF_TEST_TALLY:-}" ] && echo "0 0" >"$WF_TEST_TALLY"
    exit 77
}

[ -x "$WINFUSE" ] || skip "no winfuse at $WINFUSE"
LAUNCHER=0
"$WINFUSE" check --help 2>/dev/null | grep -q 'channel=' && LAUNCHER=1

have() { command -v "$1" >/dev/null 2>&1; }

# check_run NAME MIN_PASSED WINFUSE-CHECK-ARGS...
check_run() {
    local name=$1 min=$2 rc tally passed
    shift 2
    timeout 600 "$WINFUSE" check "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
    rc=$?
    tally=$(tail -n 1 "$TMP/$name.out")
    echo "    $name: $tally (exit $rc)"
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        wf_fail "$name: winfuse check exited with $rc"
        tail -n 5 "$TMP/$name.err" | sed 's/^/        /'
        return 1
    fi
    passed=$(sed -n 's/^\([0-9][0-9]*\) passed, .*/\1/p' <<<"$tally")
    if [ -n "$passed" ] && [ "$passed" -ge "$min" ]; then
        wf_pass "$name"
    else
        wf_fail "$name: fewer than $min cases passed"
        tail -n 5 "$TMP/$name.err" | sed 's/^/        /'
        return 1
    fi
}

# ---- peer_fs (libfuse 3), every channel ----
if [ -x "$PEER_FS" ]; then
    check_run peer_fs.default 100 -- "$PEER_FS" --mt
    if [ "$LAUNCHER" = 1 ]; then
        check_run peer_fs.fusermount 100 -o channel=fusermount -- "$PEER_FS" --mt
        check_run peer_fs.mount 100 -o channel=mount -- "$PEER_FS" --mt
    fi
else
    echo "SKIP peer_fs: not built ($PEER_FS)"
fi

# ---- sshfs against a local sshd ----
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
if have sshfs && [ -x "$SSHD" ] && have ssh-keygen; then
    mkdir -p "$TMP/ssh/export"
    ssh-keygen -q -t ed25519 -N "" -f "$TMP/ssh/host_key"
    ssh-keygen -q -t ed25519 -N "" -f "$TMP/ssh/user_key"
    cp "$TMP/ssh/user_key.pub" "$TMP/ssh/authorized_keys"
    [ "$(id -u)" = 0 ] && mkdir -p /run/sshd
    sshd_pid=
    # A random port; sshd exits when it is taken, and the next one is tried.
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$((20000 + RANDOM % 40000))
        cat >"$TMP/ssh/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $TMP/ssh/host_key
AuthorizedKeysFile $TMP/ssh/authorized_keys
PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
LogLevel FATAL
EOF
        "$SSHD" -D -e -f "$TMP/ssh/sshd_config" </dev/null &
        sshd_pid=$!
        for i in $(seq 100); do
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
            kill -0 "$sshd_pid" 2>/dev/null || break
            sleep 0.05
        done
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            break
        fi
        kill "$sshd_pid" 2>/dev/null; wait "$sshd_pid" 2>/dev/null
        sshd_pid=
    done
    if [ -n "$sshd_pid" ]; then
        wf_on_exit "kill $sshd_pid 2>/dev/null; wait $sshd_pid 2>/dev/null"
        check_run sshfs 100 -- sshfs -f -p "$port" \
            -o "StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,IdentityFile=$TMP/ssh/user_key,BatchMode=yes,LogLevel=ERROR" \
            "$(id -un)@127.0.0.1:$TMP/ssh/export"
        kill "$sshd_pid" 2>/dev/null; wait "$sshd_pid" 2>/dev/null
    else
        wf_fail "sshfs: sshd did not start"
    fi
else
    echo "SKIP sshfs: sshfs, sshd or ssh-keygen missing"
fi

# ---- squashfuse (libfuse 3, read-only) ----
if have squashfuse && have mksquashfs; then
    mkdir -p "$TMP/sq/src/dir"
    head -c 3000000 /dev/urandom >"$TMP/sq/src/dir/big"
    echo small >"$TMP/sq/src/small"
    mksquashfs "$TMP/sq/src" "$TMP/sq/image" -noappend -quiet -no-progress >/dev/null
    check_run squashfuse 10 -o read_only -- squashfuse -f "$TMP/sq/image"
else
    echo "SKIP squashfuse: squashfuse or mksquashfs missing"
fi

# ---- libfuse 2: bindfs and fuse2fs ----
if [ "$LAUNCHER" = 0 ]; then
    echo "SKIP bindfs, fuse2fs: this winfuse does not start programs with the launcher (no -o channel=)"
else
    if have bindfs; then
        mkdir -p "$TMP/bind1" "$TMP/bind2"
        check_run bindfs.fusermount 100 -- bindfs -f "$TMP/bind1"
        check_run bindfs.mount 100 -o channel=mount -- bindfs -f "$TMP/bind2"
    else
        echo "SKIP bindfs: not installed"
    fi
    if have fuse2fs && have mkfs.ext4 && have e2fsck; then
        truncate -s 64M "$TMP/ext4.img"
        mkfs.ext4 -q -F -O ^has_journal "$TMP/ext4.img"
        if check_run fuse2fs 100 -- fuse2fs "$TMP/ext4.img" {} -f; then
            if e2fsck -fn "$TMP/ext4.img" >"$TMP/e2fsck.out" 2>&1; then
                wf_pass "fuse2fs: e2fsck finds the image clean"
            else
                wf_fail "fuse2fs: e2fsck finds the image damaged"
                tail -n 5 "$TMP/e2fsck.out" | sed 's/^/        /'
            fi
        fi
    else
        echo "SKIP fuse2fs: fuse2fs, mkfs.ext4 or e2fsck missing"
    fi
fi

wf_finish
