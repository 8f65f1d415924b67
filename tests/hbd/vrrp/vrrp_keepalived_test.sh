#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interoperability of hb_vrrp (vrrp_probe) with keepalived 2.2.7 in network namespaces: election,
# preemption, graceful hand-over (priority 0), wrong password (dropped and counted), v3 unicast crash.
# Exit 77 = skipped (not root, no ip netns, no keepalived), unless CI=true, where that fails.
set -u

skip() {
  echo "SKIP: $*"
  if [ "${CI:-}" = true ]; then exit 1; fi
  exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root"
command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || skip "no ip netns"
KA=$(command -v keepalived || echo /usr/sbin/keepalived)
[ -x "$KA" ] || skip "no keepalived"
PROBE=${HB_BUILD:-$(dirname "$0")/../../../build}/tests/vrrp_probe
[ -x "$PROBE" ] || { echo "ERROR: $PROBE not built"; exit 99; }

P=hbv$$
NA=${P}a NB=${P}b NBR=${P}br
DIR=$(mktemp -d /tmp/hbvrrp.XXXXXX)
PIDS=()
fails=0

cleanup() {
  # Only the main shell cleans up (a subshell that exits must not tear the test bed down).
  [ "$BASHPID" = "$$" ] || return 0
  local p
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$NA" 2>/dev/null
  ip netns del "$NB" 2>/dev/null
  ip netns del "$NBR" 2>/dev/null
  if [ "$fails" = 0 ]; then rm -rf "$DIR"; else echo "logs kept in $DIR"; fi
}
trap cleanup EXIT

ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
now() { date +%s.%N; }
elapsed() { echo "$(now) $1" | awk '{printf "%.3f", $1 - $2}'; }

# wait_for SECONDS CMD...: polls every 20 ms; 0 when CMD succeeded in time.
wait_for() {
  local limit=$1; shift
  local end; end=$(echo "$(now) $limit" | awk '{printf "%.3f", $1 + $2}')
  while :; do
    "$@" && return 0
    [ "$(echo "$(now) $end" | awk '{print ($1 > $2)}')" = 1 ] && return 1
    sleep 0.02
  done
}

# A bridge in a third namespace, so one side's link can go down without the other's.
ip netns add "$NA" && ip netns add "$NB" && ip netns add "$NBR" || { echo "ERROR: netns"; exit 99; }
ip -n "$NBR" link add br0 type bridge
ip -n "$NBR" link set br0 type bridge mcast_snooping 0 stp_state 0
ip -n "$NBR" link set br0 up
ip link add "va$$" netns "$NA" type veth peer name pa netns "$NBR"
ip link add "vb$$" netns "$NB" type veth peer name pb netns "$NBR"
for x in pa pb; do ip -n "$NBR" link set "$x" master br0 && ip -n "$NBR" link set "$x" up; done
IFA=va$$ IFB=vb$$
ip -n "$NA" addr add 10.205.0.1/24 dev "$IFA" && ip -n "$NA" link set "$IFA" up && ip -n "$NA" link set lo up
ip -n "$NB" addr add 10.205.0.2/24 dev "$IFB" && ip -n "$NB" link set "$IFB" up && ip -n "$NB" link set lo up
VIP=10.205.0.100

vip_on() { ip -n "$1" -4 -o addr show | grep -q " $VIP/"; }
ka_state() { cat "$DIR/ka.state" 2>/dev/null; }
ka_is() { [ "$(ka_state)" = "$1" ]; }
probe_is() { grep -q "^STATE VI_1 $1 " <(tail -n 1 "$DIR/probe.out" 2>/dev/null); }

# ka_conf VERSION PRIO EXTRA...: keepalived config for node B.
ka_start() {
  local body=$1
  cat >"$DIR/notify.sh" <<EOS
#!/bin/sh
echo "\$3" > "$DIR/ka.state.tmp" && mv -f "$DIR/ka.state.tmp" "$DIR/ka.state"
EOS
  chmod 755 "$DIR/notify.sh"
  cat >"$DIR/ka.conf" <<EOC
global_defs {
  router_id kab$$
  script_user root
  enable_script_security
}
vrrp_instance VI_1 {
  state BACKUP
  interface $IFB
  virtual_router_id 51
  priority 100
$body
  virtual_ipaddress {
    $VIP/24 dev $IFB
  }
  notify $DIR/notify.sh
}
EOC
  rm -f "$DIR/ka.state"
  ip netns exec "$NB" "$KA" -P -n -l -D -f "$DIR/ka.conf" -p "$DIR/ka.pid" -r "$DIR/kav.pid" \
    -c "$DIR/kac.pid" -b "$DIR/kab.pid" >>"$DIR/ka.log" 2>&1 </dev/null &
  KAPID=$!
  PIDS+=("$KAPID")
}
ka_stop() {
  kill -TERM "$KAPID" 2>/dev/null
  wait_for 10 bash -c "! kill -0 $KAPID 2>/dev/null" || kill -KILL "$KAPID" 2>/dev/null
  wait "$KAPID" 2>/dev/null
}

probe_start() {
  local body=$1
  cat >"$DIR/hb.conf" <<EOC
global_defs {
  router_id hba$$
}
vrrp_instance VI_1 {
  state BACKUP
  interface $IFA
  virtual_router_id 51
  priority 150
$body
  virtual_ipaddress {
    $VIP/24 dev $IFA
  }
}
EOC
  : >"$DIR/probe.out"
  ip netns exec "$NA" "$PROBE" "$DIR/hb.conf" "$DIR/probe.status" >"$DIR/probe.out" 2>>"$DIR/probe.err" &
  PRPID=$!
  PIDS+=("$PRPID")
}
probe_stop() {
  kill -"${1:-TERM}" "$PRPID" 2>/dev/null
  wait "$PRPID" 2>/dev/null
}
counter() { grep -o " $1=[0-9]*" "$DIR/probe.status" | head -1 | cut -d= -f2; }

V2="  advert_int 1
  authentication {
    auth_type PASS
    auth_pass secret12
  }"

# 1. keepalived alone becomes MASTER; hbd (150) starts and preempts it.
ka_start "$V2"
wait_for 8 ka_is MASTER && ok "keepalived alone: MASTER" || fail "keepalived did not become MASTER"
t0=$(now)
probe_start "$V2"
if wait_for 8 probe_is MASTER; then ok "hbd preempted keepalived after $(elapsed "$t0") s (keepalived reference 3.55 s)"
else fail "hbd did not become MASTER"; fi
wait_for 3 ka_is BACKUP && ok "keepalived went BACKUP" || fail "keepalived state $(ka_state), expected BACKUP"
wait_for 2 vip_on "$NA" && ok "VIP on hbd" || fail "VIP not on hbd"
wait_for 3 bash -c "! ip -n $NB -4 -o addr show | grep -q ' $VIP/'" && ok "VIP gone from keepalived" || fail "VIP still on keepalived"
sleep 2
kill -USR1 "$PRPID"; sleep 0.3
[ "$(counter received)" -gt 0 ] 2>/dev/null && ok "hbd received keepalived adverts: $(counter received)" || fail "hbd received nothing"
probe_is MASTER && ka_is BACKUP && ok "stable for 2 s" || fail "not stable"

# 2. Graceful stop of hbd: priority 0, keepalived takes over after its skew only.
t0=$(now)
probe_stop TERM
if wait_for 3 ka_is MASTER; then
  dt=$(elapsed "$t0")
  ok "keepalived MASTER $dt s after hbd's SIGTERM (prio-0 advert; keepalived itself 0.65 s)"
  [ "$(echo "$dt" | awk '{print ($1 < 1.5)}')" = 1 ] || fail "hand-over too slow ($dt s): prio 0 not honoured"
else
  fail "keepalived did not take over after hbd stopped"
fi
vip_on "$NA" && fail "hbd left the VIP plumbed on stop" || ok "hbd removed the VIP on stop"

# 3. hbd with the wrong password: every keepalived advert is dropped and counted, nothing crashes.
probe_start "  advert_int 1
  authentication {
    auth_type PASS
    auth_pass wrongpw
  }"
sleep 2.5
kill -USR1 "$PRPID"; sleep 0.3
n=$(counter auth_mismatch)
[ "${n:-0}" -gt 0 ] && ok "wrong auth_pass: $n adverts dropped as auth_mismatch" || fail "no auth_mismatch counted"
[ "$(counter received)" = 0 ] && ok "no advert accepted with the wrong password" || fail "accepted adverts despite wrong password"
kill -0 "$PRPID" 2>/dev/null && kill -0 "$KAPID" 2>/dev/null && ok "both alive" || fail "a daemon died"
probe_stop TERM
ka_stop

# 4. VRRPv3, unicast, 0.1 s: hbd wins; kill -9 hbd; keepalived takes over within master-down.
V3A="  version 3
  advert_int 0.1
  unicast_src_ip 10.205.0.1
  unicast_peer {
    10.205.0.2
  }"
V3B="  version 3
  advert_int 0.1
  unicast_src_ip 10.205.0.2
  unicast_peer {
    10.205.0.1
  }"
ip -n "$NA" addr del "$VIP/24" dev "$IFA" 2>/dev/null
ka_start "$V3B"
probe_start "$V3A"
wait_for 5 probe_is MASTER && ok "v3 unicast: hbd MASTER" || fail "v3 unicast: hbd not MASTER"
wait_for 3 ka_is BACKUP && ok "v3 unicast: keepalived BACKUP" || fail "v3 unicast: keepalived $(ka_state)"
sleep 1
probe_is MASTER && ka_is BACKUP && ok "v3 unicast stable for 1 s at 0.1 s adverts" || fail "v3 unicast flapping"
t0=$(now)
probe_stop KILL
if wait_for 3 ka_is MASTER; then
  dt=$(elapsed "$t0")
  ok "v3 crash failover to keepalived: $dt s (keepalived reference 0.40 s worst case)"
  [ "$(echo "$dt" | awk '{print ($1 < 1.0)}')" = 1 ] || fail "v3 failover too slow ($dt s)"
else
  fail "keepalived did not take over after kill -9"
fi
ka_stop

# 5. v2 with a tracked script (weight -60) on hbd, then hbd's link down (FAULT) and up again.
ip -n "$NB" addr del "$VIP/24" dev "$IFB" 2>/dev/null
ip -n "$NA" addr del "$VIP/24" dev "$IFA" 2>/dev/null
cat >"$DIR/hb_head.conf" <<EOC
vrrp_script chk_marker {
  script "test ! -e $DIR/fail"
  interval 1
  weight -60
}
EOC
ka_start "$V2"
probe_start "$V2
  track_script {
    chk_marker
  }"
# probe_start wrote hb.conf; prepend the script definition and restart with it.
probe_stop TERM
cat "$DIR/hb_head.conf" "$DIR/hb.conf" >"$DIR/hb2.conf" && mv "$DIR/hb2.conf" "$DIR/hb.conf"
: >"$DIR/probe.out"
ip netns exec "$NA" "$PROBE" "$DIR/hb.conf" "$DIR/probe.status" >"$DIR/probe.out" 2>>"$DIR/probe.err" &
PRPID=$!
PIDS+=("$PRPID")
wait_for 8 probe_is MASTER && wait_for 3 ka_is BACKUP && ok "script test: hbd MASTER (150)" || fail "script test: hbd not MASTER"
t0=$(now)
touch "$DIR/fail"
if wait_for 8 ka_is MASTER; then ok "script failed (150-60=90 < 100): keepalived MASTER after $(elapsed "$t0") s (keepalived reference 3.36 s)"
else fail "script failure did not move the VIP"; fi
wait_for 2 probe_is BACKUP && ok "hbd BACKUP at priority $(tail -n1 "$DIR/probe.out" | cut -d' ' -f4)" || fail "hbd not BACKUP"
rm -f "$DIR/fail"
wait_for 8 probe_is MASTER && ok "script recovered: hbd preempted back after $(elapsed "$t0") s total" || fail "hbd did not preempt back"
wait_for 3 ka_is BACKUP || fail "keepalived not BACKUP after hbd recovered"
t0=$(now)
ip -n "$NA" link set "$IFA" down
wait_for 2 probe_is FAULT && ok "link down: hbd FAULT after $(elapsed "$t0") s" || fail "hbd not FAULT on link down"
vip_on "$NA" && fail "VIP still on hbd in FAULT" || ok "hbd removed the VIP in FAULT"
wait_for 8 ka_is MASTER && ok "keepalived MASTER after $(elapsed "$t0") s (master-down 3.61 s)" || fail "keepalived did not take over"
ip -n "$NA" link set "$IFA" up
wait_for 3 bash -c "tail -n 2 '$DIR/probe.out' | grep -q 'BACKUP'" && ok "link up: hbd FAULT -> BACKUP" || fail "hbd did not leave FAULT"
wait_for 8 probe_is MASTER && ok "hbd preempted again after link up" || fail "hbd did not preempt after link up"
probe_stop TERM
ka_stop

# Sanitizer builds: any report from the probe is a failure.
if grep -qE "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$DIR/probe.err"; then
  fail "sanitizer report in $DIR/probe.err"
else
  ok "no sanitizer report from hbd"
fi

[ "$fails" = 0 ] && echo "PASS" || echo "$fails failure(s)"
[ "$fails" = 0 ]
