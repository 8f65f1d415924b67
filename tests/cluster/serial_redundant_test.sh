#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One UDP link (ucast on eth0, through a bridge) and one serial link (a socat pty pair):
#  - alpha's eth0 down: both nodes stay active, eth0 dead, serial up; eth0 up again: eth0 back up;
#  - the serial cable cut (socat killed): both stay active, serial dead, eth0 up; replugged: back up.
. "$(dirname "$0")/lib.sh"
hb_require_netns
command -v socat >/dev/null || { [ "${CI:-}" = true ] && hb_fail "socat not installed"; hb_log "SKIP: no socat"; exit 77; }

# A bridge, so that alpha's eth0 going down does not take beta's carrier with it.
hb_bridge alpha beta
TTY_A=$HB_T/ttyA
TTY_B=$HB_T/ttyB
SOCAT_PID=
KEEPALIVE_MS=200 DEADTIME_MS=2000

hb_forget_pid() {
  local p keep=()
  for p in "${HB_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  HB_PIDS=("${keep[@]}")
}
cable_plug() {
  socat pty,raw,echo=0,link="$TTY_A" pty,raw,echo=0,link="$TTY_B" 2>>"$HB_T/socat.log" &
  SOCAT_PID=$!
  HB_PIDS+=("$SOCAT_PID")
  hb_wait 5 test -e "$TTY_A" -a -e "$TTY_B" || hb_fail "socat did not create $TTY_A and $TTY_B"
}
cable_cut() {
  kill -TERM "$SOCAT_PID"
  wait "$SOCAT_PID" 2>/dev/null
  hb_forget_pid "$SOCAT_PID"
  rm -f "$TTY_A" "$TTY_B"
}
# links_are ETH0_STATE SERIAL_STATE: as both nodes see each other (for hb_wait).
links_are() {
  hb_linkstatus_is alpha beta eth0 "$1" && hb_linkstatus_is beta alpha eth0 "$1" &&
    hb_linkstatus_is alpha beta "$TTY_A" "$2" && hb_linkstatus_is beta alpha "$TTY_B" "$2"
}
show_links() {
  echo "alpha->beta eth0=$(hb_cl alpha hblinkstatus beta eth0) serial=$(hb_cl alpha hblinkstatus beta "$TTY_A");" \
       "beta->alpha eth0=$(hb_cl beta hblinkstatus alpha eth0) serial=$(hb_cl beta hblinkstatus alpha "$TTY_B")"
}
# stay_active SECONDS WHAT: both nodes see each other active at every poll for that long.
stay_active() {
  local end=$(( $(hb_now_ms) + $1 * 1000 ))
  while [ "$(hb_now_ms)" -lt "$end" ]; do
    hb_nodestatus_is alpha beta active || hb_fail "$2: alpha sees beta '$(hb_cl alpha nodestatus beta)'"
    hb_nodestatus_is beta alpha active || hb_fail "$2: beta sees alpha '$(hb_cl beta nodestatus alpha)'"
    sleep 0.1
  done
}
no_deaths() {
  ! grep -h ": is dead" "$HB_T/alpha/hbd.out" "$HB_T/beta/hbd.out" || hb_fail "$1: a node was declared dead"
}

cable_plug
for n in alpha beta; do
  if [ "$n" = alpha ]; then dev=$TTY_A; else dev=$TTY_B; fi
  hb_config "$n" "keepalive ${KEEPALIVE_MS}ms
deadtime ${DEADTIME_MS}ms
warntime 1
initdead 3
baud 19200
ucast eth0 ${HB_NODE_IP[alpha]}
ucast eth0 ${HB_NODE_IP[beta]}
serial $dev
auto_failback off
node alpha beta"
done
hb_start alpha; hb_start beta
hb_expect_nodestatus alpha beta active 15
hb_expect_nodestatus beta alpha active 15
hb_wait 5 links_are up up || hb_fail "links not all up at start: $(show_links)"
[ "$(hb_cl alpha listhblinks beta | sort)" = "$(printf '\t%s\n\teth0' "$TTY_A" | sort)" ] \
  || hb_fail "alpha listhblinks beta: $(hb_cl alpha listhblinks beta)"
hb_pass "start: both active, eth0 and serial up"

# 1. The network goes (alpha's eth0 down); the serial line carries the pair.
hb_exec alpha ip link set eth0 down
t0=$(hb_now_ms)
hb_wait 8 links_are dead up || hb_fail "after eth0 down: $(show_links), expected eth0 dead, serial up"
hb_log "eth0 down -> eth0 dead on both after $(( $(hb_now_ms) - t0 )) ms"
stay_active 4 "eth0 down"   # two deadtimes with only the serial line
links_are dead up || hb_fail "after 4 s on serial only: $(show_links)"
no_deaths "eth0 down"
hb_pass "eth0 down: both active, eth0 dead, serial up"

hb_exec alpha ip link set eth0 up
t0=$(hb_now_ms)
hb_wait 10 links_are up up || hb_fail "after eth0 up: $(show_links), expected both up"
hb_log "eth0 up -> eth0 up on both after $(( $(hb_now_ms) - t0 )) ms"
stay_active 1 "eth0 restored"
hb_pass "eth0 restored: eth0 up again"

# 2. The serial cable goes; the network carries the pair.
cable_cut
t0=$(hb_now_ms)
hb_wait 8 links_are up dead || hb_fail "after cable cut: $(show_links), expected eth0 up, serial dead"
hb_log "cable cut -> serial dead on both after $(( $(hb_now_ms) - t0 )) ms"
stay_active 4 "serial cut"
links_are up dead || hb_fail "after 4 s on eth0 only: $(show_links)"
no_deaths "serial cut"
hb_pass "serial cut: both active, serial dead, eth0 up"

cable_plug
t0=$(hb_now_ms)
hb_wait 10 links_are up up || hb_fail "after replug: $(show_links), expected both up"
hb_log "cable replugged -> serial up on both after $(( $(hb_now_ms) - t0 )) ms"
stay_active 1 "serial restored"
no_deaths "end"
hb_pass "serial restored: both links up, no node ever declared dead"

# 3. Control: with both media gone the peer is dead (the checks above could fail).
cable_cut
hb_exec alpha ip link set eth0 down
hb_expect_nodestatus alpha beta dead 8
hb_expect_nodestatus beta alpha dead 8
hb_pass "both media cut: peers dead"
