#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf_tester_filesystem.sh: ocf:hbd:Filesystem passes ocf-tester on tmpfs and on an ext4 image
# on a loop device, and stop unmounts a busy filesystem by killing its users (also users that
# ignore TERM). Mounts live under the test's temp dir and are undone at exit.

# shellcheck source=ocf_test_common.sh
. "$(dirname "$0")/ocf_test_common.sh"

t_need_root
t_need_cmd ocf-tester xmllint mount umount fuser
t_setup_ocf_root

# At exit: kill what we started, then unmount everything below T_DIR (deepest first).
PIDS=()
t_on_exit 'umount_all'
t_on_exit 'kill_pids'
kill_pids() {
    local p
    for p in "${PIDS[@]}"; do kill -9 "$p"; done
    sleep 0.1
}
umount_all() {
    local m
    # /proc/mounts writes a blank as \040: turn that into \0040 for printf %b.
    awk 'index($2, ENVIRON["T_DIR"]) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
        umount -l "$(printf '%b' "${m//\\/\\0}")"
    done
}

AGENT=$T_AGENTS/Filesystem
export OCF_RESOURCE_INSTANCE=hbocf_fs
agent() {
    local action=$1 kv env=()
    shift
    for kv in "$@"; do env+=("OCF_RESKEY_$kv"); done
    env "${env[@]}" "$AGENT" "$action"
}
# mounted DIR: DIR (spelt as in /proc/mounts, a blank as \040) is a mount point.
mounted() { M=$1 awk '$2 == ENVIRON["M"] { f = 1 } END { exit !f }' /proc/mounts; }
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $st != Z* ]]; }

# --- ocf-tester: tmpfs, then an ext4 image on a loop device --------------------------------------
mnt=$T_DIR/mnt
t_ocf_tester Filesystem -n hbocf_fs1 -o device=tmpfs -o directory="$mnt" -o fstype=tmpfs -o options=size=8m
mounted "$mnt" && t_fail "ocf-tester left $mnt mounted"

if command -v losetup >/dev/null && command -v mkfs.ext4 >/dev/null; then
    truncate -s 32M "$T_DIR/fs.img"
    mkfs.ext4 -q -F "$T_DIR/fs.img" || t_fail "mkfs.ext4"
    if loopdev=$(losetup -f --show "$T_DIR/fs.img" 2>/dev/null); then
        t_on_exit "umount_all; losetup -d '$loopdev'"
        t_ocf_tester Filesystem -n hbocf_fs2 -o device="$loopdev" -o directory="$T_DIR/ext4" -o fstype=ext4
        mounted "$T_DIR/ext4" && t_fail "ocf-tester left the ext4 mount"
    else
        # tmpfs above is the acceptance case; a container may lack loop devices.
        t_log "no loop device available: ext4-on-loop part not run"
    fi
else
    t_log "losetup or mkfs.ext4 missing: ext4-on-loop part not run"
fi

# --- a busy filesystem still stops -----------------------------------------------------------------
# A mount point with a blank and a trailing slash: /proc/mounts spells it with \040.
busy="$T_DIR/busy dir"
params=(device=tmpfs "directory=$busy/" fstype=tmpfs options=size=4m)
t_expect_rc 0 "start" agent start "${params[@]}"
mounted "$T_DIR/busy\\040dir" || t_fail "not mounted on '$busy'"
t_expect_rc 0 "monitor" agent monitor "${params[@]}"
t_expect_rc 0 "start again" agent start "${params[@]}"
[ "$(grep -c "busy\\\\040dir" /proc/mounts)" = 1 ] || t_fail "mounted twice"

(cd "$busy" && exec sleep 1000) &
PIDS+=($!); p_cwd=$!
(exec sleep 1000 3>"$busy/open-file") &
PIDS+=($!); p_file=$!
bash -c 'trap "" TERM; cd "$1" && exec sleep 1000' _ "$busy" &
PIDS+=($!); p_stubborn=$!
sleep 0.3
agent stop "${params[@]}" force_unmount=false 2>"$T_DIR/noforce.err" && t_fail "stop succeeded on a busy mount without force_unmount"
mounted "$T_DIR/busy\\040dir" || t_fail "busy mount went away without force"
alive "$p_cwd" || t_fail "force_unmount=false killed a process"

t0=$(date +%s)
t_expect_rc 0 "stop of a busy filesystem" agent stop "${params[@]}"
t_log "busy stop took $(($(date +%s) - t0)) s"
mounted "$T_DIR/busy\\040dir" && t_fail "still mounted after stop"
sleep 0.2
for p in "$p_cwd" "$p_file" "$p_stubborn"; do
    alive "$p" && t_fail "process $p using the filesystem survived stop"
done
grep -q 'busy: sending KILL' "$T_DIR/last.err" || t_fail "a TERM-proof user should have needed KILL"
t_expect_rc 7 "monitor after stop" agent monitor "${params[@]}"
t_expect_rc 0 "stop again" agent stop "${params[@]}"

# Unmounted behind the agent's back: monitor says stopped.
t_expect_rc 0 "start" agent start "${params[@]}"
umount "$busy" || t_fail "manual umount"
t_expect_rc 7 "monitor after an external umount" agent monitor "${params[@]}"

# --- bad parameters ------------------------------------------------------------------------------
t_expect_rc 6 "directory /" agent validate-all device=tmpfs directory=/
t_expect_rc 6 "relative directory" agent validate-all device=tmpfs directory=mnt
t_expect_rc 6 "no device" agent validate-all directory="$mnt"
t_expect_rc 6 "bad force_unmount" agent validate-all device=tmpfs directory="$mnt" force_unmount=maybe
t_expect_rc 5 "device missing on this node" agent validate-all device=/dev/hbocf-none directory="$mnt"
grep -q '^ocf-exit-reason:' "$T_DIR/last.err" || t_fail "no exit reason for a missing device"
t_expect_rc 7 "probe with a missing device" agent monitor device=/dev/hbocf-none directory="$mnt" CRM_meta_interval=0
t_expect_rc 7 "probe with bad parameters" agent monitor device=tmpfs directory=/ CRM_meta_interval=0
t_expect_rc 1 "start with an unknown fstype" agent start device=tmpfs directory="$mnt" fstype=hbocfnofs
grep -q '^ocf-exit-reason:.*failed' "$T_DIR/last.err" || t_fail "no exit reason for a failed mount"
mounted "$mnt" && t_fail "mounted despite a failed start"
t_log "PASS"
