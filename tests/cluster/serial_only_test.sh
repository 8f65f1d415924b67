#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two nodes joined ONLY by a serial link (a socat pty pair, no UDP medium at all):
#  - hbd started before the device exists keeps retrying; once the cable is plugged, both become
#    active over serial alone and the link (named by its device path) is up;
#  - killing socat (the "cable") makes each node declare the other dead after deadtime;
#  - a new socat on the same paths brings both back to active, same hbd processes.
. "$(dirname "$0")/lib.sh"
hb_require_netns
command -v socat >/dev/null || { [ "${CI:-}" = true ] && hb_fail "socat not installed"; hb_log "SKIP: no socat"; exit 77; }

# Node namespaces without any network link: hbd has nothing but the pty to talk over.
hb_ns alpha
hb_ns beta
TTY_A=$HB_T/ttyA
TTY_B=$HB_T/ttyB
SOCAT_PID=

hb_forget_pid() {  # drop a pid we already reaped from the cleanup list
  local p keep=()
  for p in "${HB_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  HB_PIDS=("${keep[@]}")
}
cable_plug() {  # the "null-modem cable": a pty pair whose slave ends are $TTY_A and $TTY_B
  socat pty,raw,echo=0,link="$TTY_A" pty,raw,echo=0,link="$TTY_B" 2>>"$HB_T/socat.log" &
  SOCAT_PID=$!
  HB_PIDS+=("$SOCAT_PID")
  hb_wait 5 test -e "$TTY_A" -a -e "$TTY_B" || hb_fail "socat did not create $TTY_A and $TTY_B"
}
cable_cut() {  # SIGTERM: socat closes the masters (the slaves see EIO/hang-up) and removes its links
  kill -TERM "$SOCAT_PID"
  wait "$SOCAT_PID" 2>/dev/null
  hb_forget_pid "$SOCAT_PID"
  rm -f "$TTY_A" "$TTY_B"   # never leave a link to a /dev/pts number someone else may get next
}
link_json() {  # NODE FIELD: that field of the node's only link in hbctl status --json
  hb_ctl "$1" status --json 2>/dev/null | python3 -c 'import json,sys
d=json.load(sys.stdin); l=d["links"]
assert len(l)==1, l
v=l[0][sys.argv[1]]
print(str(v).lower() if isinstance(v,bool) else v)' "$2"
}
# log_ms NODE PATTERN OFFSET: ms since the epoch of the first matching line of NODE's hbd.out after
# byte OFFSET (lines look like "2026/11/29_08:15:50.123 node hbd[pid]: ...").
log_ms() {
  local line
  line=$(tail -c +"$(( $3 + 1 ))" "$HB_T/$1/hbd.out" | grep -m1 -- "$2") || return 1
  local stamp=${line%% *}
  local d=${stamp%%_*} t=${stamp#*_}
  echo $(( $(date -d "${d//\//-} ${t%.*}" +%s) * 1000 + 10#${t##*.} ))
}
link_json_is() { [ "$(link_json "$1" "$2")" = "$3" ]; }

hb_serial_pair_config "$TTY_A" "$TTY_B"
# hbd starts before the cable exists: a missing device is retried in the background, not fatal.
hb_start alpha; hb_start beta
PID_A=${HB_NODE_PID[alpha]}; PID_B=${HB_NODE_PID[beta]}
link_json_is alpha device_ok false && link_json_is beta device_ok false || hb_fail "device_ok true without a device"
hb_wait 5 grep -q "serial link $TTY_A is down; retrying" "$HB_T/alpha/hbd.out" || hb_fail "alpha did not log the missing device"
sleep 1.2   # at least one reopen attempt against the missing device
kill -0 "$PID_A" && kill -0 "$PID_B" || hb_fail "hbd exited because its serial device was missing"
hb_nodestatus_is alpha beta active && hb_fail "alpha sees beta active without any cable"
cable_plug

hb_expect_nodestatus alpha beta active 15
hb_expect_nodestatus beta alpha active 15
# heartbeat's format: one "\tLINK" line per link.
[ "$(hb_cl alpha listhblinks beta)" = $'\t'"$TTY_A" ] || hb_fail "alpha listhblinks beta: '$(hb_cl alpha listhblinks beta)', expected '$TTY_A'"
[ "$(hb_cl beta listhblinks alpha)" = $'\t'"$TTY_B" ] || hb_fail "beta listhblinks alpha: '$(hb_cl beta listhblinks alpha)', expected '$TTY_B'"
hb_wait 5 hb_linkstatus_is alpha beta "$TTY_A" up || hb_fail "alpha: serial link to beta not up"
hb_wait 5 hb_linkstatus_is beta alpha "$TTY_B" up || hb_fail "beta: serial link to alpha not up"
for n in alpha beta; do
  link_json_is "$n" device_ok true || hb_fail "$n: device_ok is not true: $(hb_ctl "$n" status --json)"
  [ "$(link_json "$n" frames_received)" -gt 0 ] || hb_fail "$n received no serial frames"
  [ "$(link_json "$n" bad_frames)" = 0 ] || hb_log "note: $n bad_frames=$(link_json "$n" bad_frames) on a clean pty"
done
[ "$(link_json alpha name)" = "$TTY_A" ] || hb_fail "alpha's link is named '$(link_json alpha name)'"
[ "$(link_json beta name)" = "$TTY_B" ] || hb_fail "beta's link is named '$(link_json beta name)'"
# Stay active for a while (several deadtimes): the serial line alone keeps the pair together.
sleep 5
hb_nodestatus_is alpha beta active && hb_nodestatus_is beta alpha active || hb_fail "not active after 5 s on serial only"
grep -q ": is dead" "$HB_T/alpha/hbd.out" "$HB_T/beta/hbd.out" && hb_fail "a node was declared dead on an intact serial link"
hb_pass "serial only: both active, $TTY_A / $TTY_B up, device_ok"

# Cut the cable. The peers must be declared dead after deadtime (2 s), not at once, not much later.
fds_a=$(ls /proc/"$PID_A"/fd | wc -l) fds_b=$(ls /proc/"$PID_B"/fd | wc -l)
off_a=$(stat -c %s "$HB_T/alpha/hbd.out") off_b=$(stat -c %s "$HB_T/beta/hbd.out")
t0=$(hb_now_ms)
cable_cut
hb_wait 3 link_json_is alpha device_ok false || hb_fail "alpha: device_ok still true after socat died"
hb_wait 3 link_json_is beta device_ok false || hb_fail "beta: device_ok still true after socat died"
hb_expect_nodestatus alpha beta dead 8
hb_expect_nodestatus beta alpha dead 8
# When, by the daemons' own log lines (status polling would add its own delays on a loaded machine).
dead_a=$(log_ms alpha "node beta: is dead" "$off_a") || hb_fail "alpha logged no 'node beta: is dead'"
dead_b=$(log_ms beta "node alpha: is dead" "$off_b") || hb_fail "beta logged no 'node alpha: is dead'"
dead_a=$(( dead_a - t0 )) dead_b=$(( dead_b - t0 ))
hb_log "cable cut -> 'is dead' logged: alpha after $dead_a ms, beta after $dead_b ms (deadtime 2000 ms)"
# Upper bound: deadtime + 1.5 s (a loaded machine). Lower bound: half the deadtime (the last
# heartbeat may have arrived a keepalive or a late heartbeat before the cut, but a node declared
# dead as soon as its device vanishes would be wrong: deadtime is about silence).
for v in "alpha:$dead_a" "beta:$dead_b"; do
  ms=${v#*:}
  [ "$ms" -le 3500 ] || hb_fail "${v%%:*} declared its peer dead after $ms ms (> deadtime 2000 + 1500)"
  [ "$ms" -ge 1000 ] || hb_fail "${v%%:*} declared its peer dead after $ms ms, before deadtime (2000 ms)"
done
hb_linkstatus_is alpha beta "$TTY_A" dead || hb_fail "alpha: link $TTY_A not dead after the cut"
hb_linkstatus_is beta alpha "$TTY_B" dead || hb_fail "beta: link $TTY_B not dead after the cut"
grep -q "serial link $TTY_A lost" "$HB_T/alpha/hbd.out" || hb_fail "alpha did not log the device loss"
hb_pass "cable cut: peers dead after ${dead_a}/${dead_b} ms, links dead, device_ok false"

# Stay cut for a few reopen attempts, then plug a new cable on the same paths.
sleep 2.5
kill -0 "$PID_A" && kill -0 "$PID_B" || hb_fail "an hbd exited while its serial device was missing"
t0=$(hb_now_ms)
cable_plug
hb_expect_nodestatus alpha beta active 15
hb_expect_nodestatus beta alpha active 15
t1=$(hb_now_ms)
hb_wait 5 hb_linkstatus_is alpha beta "$TTY_A" up || hb_fail "alpha: serial link not up again"
hb_wait 5 hb_linkstatus_is beta alpha "$TTY_B" up || hb_fail "beta: serial link not up again"
link_json_is alpha device_ok true && link_json_is beta device_ok true || hb_fail "device_ok not true after replug"
[ "${HB_NODE_PID[alpha]}" = "$PID_A" ] && kill -0 "$PID_A" && kill -0 "$PID_B" || hb_fail "hbd was restarted or died"
[ "$(grep -c "serial link $TTY_A is up" "$HB_T/alpha/hbd.out")" -ge 2 ] || hb_fail "alpha did not log the reopen"
# The device was closed and reopened: no descriptor may have leaked (waits out a control-socket
# connection still being closed by the daemon).
fd_count_le() { [ "$(ls /proc/"$1"/fd | wc -l)" -le "$2" ]; }
hb_wait 3 fd_count_le "$PID_A" "$fds_a" || hb_fail "alpha: $fds_a descriptors before the cut, now: $(ls -l /proc/"$PID_A"/fd)"
hb_wait 3 fd_count_le "$PID_B" "$fds_b" || hb_fail "beta: $fds_b descriptors before the cut, now: $(ls -l /proc/"$PID_B"/fd)"
hb_log "cable replugged -> both active after $(( t1 - t0 )) ms (reopen interval 1000 ms)"
hb_pass "cable replugged: both active again, same hbd processes"
