#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VRRP acceptance 4: unicast peers (unicast_src_ip / unicast_peer) between hbd (pure VRRP router) and
# keepalived 2.2.7. Neither side joins 224.0.0.18, so multicast adverts would not be delivered: the
# election can only work through the unicast ones.
#  a. v3 @0.1 s, hbd 150, keepalived 100: hbd "VI_1 MASTER 150", keepalived BACKUP; kill -9 hbd: keepalived
#     has the VIP in < 1 s; hbd restarted: it preempts.
#  b. v3 @0.1 s, keepalived 150, hbd 100: hbd "VI_1 BACKUP 100" sees keepalived's unicast source as master
#     (the v3 checksum's pseudo-header holds the unicast destination); kill -9 keepalived: hbd in < 1 s.
#  c. v2 PASS @1 s, keepalived 150, hbd 100: same election; SIGTERM keepalived: hbd in < 1.5 s;
#     keepalived restarted: it preempts hbd.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_require_keepalived
hb_bridge hb ka
VIP="10.$HB_SUBNET.0.100"
HBIP=${HB_NODE_IP[hb]} KAIP=${HB_NODE_IP[ka]}

hb_conf() { hb_vrrp_config hb "$(hb_vrrp_instance VI_1 eth0 51 "$1" "$VIP/24" src="$HBIP" peers="$KAIP" "${@:2}")"; }
ka_start() { hb_ka_start ka "$(hb_vrrp_instance VI_1 eth0 51 "$1" "$VIP/24" src="$KAIP" peers="$HBIP" "${@:2}")"; }
only_vip() {
  local other=ka; [ "$1" = ka ] && other=hb
  hb_vip_on "$1" "$VIP" && ! hb_vip_on "$other" "$VIP"
}
reboot() { ip -n "${HB_NODE_NS[$1]}" addr del "$VIP/24" dev eth0 2>/dev/null; return 0; }
no_mcast() {
  local n
  for n in hb ka; do
    ip -n "${HB_NODE_NS[$n]}" maddr show dev eth0 | grep -q 224.0.0.18 && hb_vrrp_fail "$n joined 224.0.0.18 in unicast mode"
  done
  return 0
}
V3="version=3 advert=0.1"

# --- a. v3, hbd 150 ---
hb_conf 150 $V3
hb_start hb
ka_start 100 $V3
hb_wait 10 hb_vrrp_is hb "MASTER 150" || hb_vrrp_fail "hbd is '$(hb_vrrp hb)', expected 'MASTER 150'"
hb_wait 5 hb_ka_is ka BACKUP || hb_vrrp_fail "keepalived is $(hb_ka_state ka), expected BACKUP"
hb_wait 5 only_vip hb || hb_vrrp_fail "the VIP is not on hbd alone"
sleep 2
hb_vrrp_is hb "MASTER 150" && hb_ka_is ka BACKUP && only_vip hb || hb_vrrp_fail "unicast v3 not stable for 2 s"
grep -q ' MASTER ' "$HB_T/ka/ka/notify.log" 2>/dev/null && hb_vrrp_fail "keepalived was MASTER at some point"
no_mcast
hb_pass "a. unicast v3: hbd 'VI_1 MASTER 150', keepalived BACKUP, stable; nobody joined 224.0.0.18"
t0=${EPOCHREALTIME/./}
hb_vrrp_kill9 hb
hb_poll_ms 10 "$t0" hb_vip_on ka "$VIP" || hb_vrrp_fail "keepalived did not take the VIP after kill -9 of hbd"
ms=$HB_POLL_MS
hb_log "unicast v3: kill -9 hbd -> VIP on keepalived after $ms ms (master-down 361 ms)"
[ "$ms" -lt 1000 ] || hb_vrrp_fail "unicast failover to keepalived took $ms ms"
hb_wait 3 hb_ka_is ka MASTER || hb_vrrp_fail "keepalived is $(hb_ka_state ka)"
hb_start hb
hb_wait 10 eval 'hb_vrrp_is hb "MASTER 150" && only_vip hb' || hb_vrrp_fail "restarted hbd did not preempt: '$(hb_vrrp hb)'"
hb_wait 3 hb_ka_is ka BACKUP || hb_vrrp_fail "keepalived is $(hb_ka_state ka) after hbd preempted"
hb_pass "a. unicast v3: kill -9 hbd, keepalived MASTER after $ms ms; restarted hbd preempted"
hb_vrrp_kill9 hb
hb_ka_stop ka
reboot hb; reboot ka

# --- b. v3, keepalived 150 ---
ka_start 150 $V3
hb_conf 100 $V3
hb_start hb
hb_wait 10 eval 'hb_ka_is ka MASTER && only_vip ka' || hb_vrrp_fail "keepalived 150 did not become MASTER"
hb_wait 3 hb_vrrp_is hb "BACKUP 100" || hb_vrrp_fail "hbd is '$(hb_vrrp hb)', expected 'BACKUP 100'"
sleep 1
[ "$(hb_vrrp_field hb master)" = "$KAIP" ] || hb_vrrp_fail "hbd sees master '$(hb_vrrp_field hb master)'"
[ "$(hb_vrrp_field hb dropped.bad_checksum)" = 0 ] || hb_vrrp_fail "hbd dropped unicast adverts as bad_checksum"
n=$(hb_vrrp_field hb adverts_received)
[ "$n" -ge 5 ] || hb_vrrp_fail "hbd accepted only $n unicast adverts"
[ "$(hb_vrrp_field hb become_master)" = 0 ] || hb_vrrp_fail "hbd 100 was MASTER at some point"
no_mcast
hb_pass "b. unicast v3: hbd 'VI_1 BACKUP 100' following keepalived ($n adverts accepted)"
t0=${EPOCHREALTIME/./}
hb_ka_kill9 ka
hb_poll_ms 10 "$t0" hb_vip_on hb "$VIP" || hb_vrrp_fail "hbd did not take the VIP after kill -9 of keepalived"
ms=$HB_POLL_MS
hb_log "unicast v3: kill -9 keepalived -> VIP on hbd after $ms ms (master-down 360 ms)"
[ "$ms" -lt 1000 ] || hb_vrrp_fail "unicast failover to hbd took $ms ms"
[ "$ms" -ge 200 ] || hb_vrrp_fail "hbd took over after $ms ms, before its master-down interval (360 ms) could run out"
hb_wait 2 hb_vrrp_is hb "MASTER 100" || hb_vrrp_fail "hbd is '$(hb_vrrp hb)'"
hb_pass "b. unicast v3: kill -9 keepalived, hbd 'VI_1 MASTER 100' after $ms ms"
hb_vrrp_kill9 hb
reboot hb; reboot ka

# --- c. v2 PASS, advert 1 s, keepalived 150 ---
ka_start 150 pass=secret12
hb_conf 100 pass=secret12
hb_start hb
hb_wait 15 eval 'hb_ka_is ka MASTER && only_vip ka' || hb_vrrp_fail "v2 unicast: keepalived 150 did not become MASTER"
hb_wait 3 hb_vrrp_is hb "BACKUP 100" || hb_vrrp_fail "v2 unicast: hbd is '$(hb_vrrp hb)', expected 'BACKUP 100'"
sleep 2
[ "$(hb_vrrp_field hb master)" = "$KAIP" ] || hb_vrrp_fail "v2 unicast: hbd sees master '$(hb_vrrp_field hb master)'"
[ "$(hb_vrrp_field hb become_master)" = 0 ] || hb_vrrp_fail "v2 unicast: hbd 100 was MASTER at some point"
no_mcast
hb_pass "c. unicast v2 PASS: keepalived 150 MASTER, hbd 'VI_1 BACKUP 100'"
t0=${EPOCHREALTIME/./}
kill -TERM "${HB_KA_PID[ka]}"
hb_poll_ms 10 "$t0" hb_vip_on hb "$VIP" || hb_vrrp_fail "v2 unicast: hbd did not take the VIP after SIGTERM of keepalived"
hb_ka_stop ka
ms=$HB_POLL_MS
hb_log "unicast v2: SIGTERM keepalived -> VIP on hbd after $ms ms (skew 609 ms)"
[ "$ms" -lt 1500 ] || hb_vrrp_fail "v2 unicast hand-over took $ms ms"
hb_wait 2 hb_vrrp_is hb "MASTER 100" || hb_vrrp_fail "hbd is '$(hb_vrrp hb)'"
t0=${EPOCHREALTIME/./}
ka_start 150 pass=secret12
hb_poll_ms 15 "$t0" eval 'hb_vrrp_is hb "BACKUP 100" && only_vip ka' \
  || hb_vrrp_fail "v2 unicast: keepalived did not preempt: hbd '$(hb_vrrp hb)', keepalived $(hb_ka_state ka)"
hb_pass "c. unicast v2: SIGTERM keepalived, hbd MASTER after $ms ms; restarted keepalived preempted after $HB_POLL_MS ms"
kill -0 "${HB_NODE_PID[hb]}" && kill -0 "${HB_KA_PID[ka]}" || hb_vrrp_fail "a daemon died"
grep -qE "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$HB_T/hb/hbd.out" && hb_vrrp_fail "sanitizer report"
hb_pass "unicast peers: hbd and keepalived elect and fail over (v3 @0.1 s and v2 PASS)"
