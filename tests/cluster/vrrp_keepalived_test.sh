#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VRRP acceptance 1: hbd (the real daemon, as a pure VRRP router: its config dir holds only vrrp.conf) and
# keepalived 2.2.7 in one virtual router (VRID 51), VRRPv2 with PASS authentication, advert 1 s, on a bridge.
#  a. hbd 150, keepalived 100: hbd MASTER (`hbctl vrrp`: "VI_1 MASTER 150") with the VIP, keepalived BACKUP
#     throughout; kill -9 hbd: keepalived has the VIP within its master-down interval (3.609 s) + 1.5 s;
#     hbd restarted: the VIP its crash left behind is removed, hbd is BACKUP, then preempts;
#     SIGTERM hbd: priority-0 advert, keepalived takes over in < 1.5 s (its skew: 0.609 s), hbd exits 0
#     and leaves no VIP.
#  b. swapped, keepalived 150, hbd 100: hbd BACKUP ("VI_1 BACKUP 100") seeing keepalived as master; kill -9
#     keepalived: hbd MASTER within 3.609 s + 1.5 s; keepalived restarted: it preempts, hbd steps down and
#     removes the VIP; SIGTERM keepalived: hbd takes over in < 1.5 s.
#  c. nopreempt on the higher-priority node (hbd, then keepalived): after its kill -9 and restart it stays
#     BACKUP for twice the master-down interval while the lower-priority node keeps the VIP.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_require_keepalived
hb_bridge hb ka
VIP="10.$HB_SUBNET.0.100"
MARGIN_MS=1500

hb_conf() { hb_vrrp_config hb "$(hb_vrrp_instance VI_1 eth0 51 "$1" "$VIP/24" pass=secret12 "${@:2}")"; }
ka_start() { hb_ka_start ka "$(hb_vrrp_instance VI_1 eth0 51 "$1" "$VIP/24" pass=secret12 "${@:2}")"; }
only_vip() {  # only_vip NODE: the VIP is on NODE and not on the other one
  local other=ka; [ "$1" = ka ] && other=hb
  hb_vip_on "$1" "$VIP" && ! hb_vip_on "$other" "$VIP"
}
no_vip() { ! hb_vip_on hb "$VIP" && ! hb_vip_on ka "$VIP"; }
ka_masters() { grep -c ' MASTER ' "$HB_T/ka/ka/notify.log" 2>/dev/null; }
# reboot NODE: what a crashed machine forgets (the VIP the dead daemon left plumbed).
reboot() { ip -n "${HB_NODE_NS[$1]}" addr del "$VIP/24" dev eth0 2>/dev/null; return 0; }

# --- a. hbd 150 (preempt), keepalived 100 ---
hb_conf 150
hb_start hb
ka_start 100
hb_wait 15 hb_vrrp_is hb "MASTER 150" || hb_vrrp_fail "hbd is '$(hb_vrrp hb)', expected 'MASTER 150'"
hb_wait 5 hb_ka_is ka BACKUP || hb_vrrp_fail "keepalived is $(hb_ka_state ka), expected BACKUP"
hb_wait 5 only_vip hb || hb_vrrp_fail "the VIP is not on hbd alone"
sleep 3
hb_vrrp_is hb "MASTER 150" && hb_ka_is ka BACKUP && only_vip hb || hb_vrrp_fail "not stable for 3 s"
[ "$(ka_masters)" = 0 ] || hb_vrrp_fail "keepalived was MASTER at some point: $(cat "$HB_T/ka/ka/notify.log")"
[ "$(hb_vrrp_field hb adverts_sent)" -ge 3 ] || hb_vrrp_fail "hbd sent $(hb_vrrp_field hb adverts_sent) adverts"
hb_pass "a. hbd 150 MASTER with the VIP, keepalived 100 BACKUP throughout"

t0=${EPOCHREALTIME/./}
hb_vrrp_kill9 hb
hb_poll_ms 15 "$t0" hb_vip_on ka "$VIP" || hb_vrrp_fail "keepalived did not take the VIP after kill -9 of hbd"
ms=$HB_POLL_MS
hb_wait 3 hb_ka_is ka MASTER || hb_vrrp_fail "keepalived is $(hb_ka_state ka) with the VIP"
hb_log "kill -9 hbd (MASTER 150) -> VIP on keepalived after $ms ms (its master-down interval 3609 ms)"
[ "$ms" -le $((3609 + MARGIN_MS)) ] || hb_vrrp_fail "failover to keepalived took $ms ms"
hb_pass "a. kill -9 hbd: keepalived MASTER with the VIP after $ms ms"

t0=${EPOCHREALTIME/./}
hb_start hb
hb_vrrp_is hb "BACKUP 150" || hb_vrrp_fail "restarted hbd is '$(hb_vrrp hb)', expected 'BACKUP 150' at first"
hb_vip_on hb "$VIP" && hb_vrrp_fail "restarted hbd kept the VIP its crash left behind"
hb_poll_ms 15 "$t0" eval 'hb_vrrp_is hb "MASTER 150" && only_vip hb' \
  || hb_vrrp_fail "restarted hbd did not preempt: hbd '$(hb_vrrp hb)', keepalived $(hb_ka_state ka)"
ms=$HB_POLL_MS
hb_wait 3 hb_ka_is ka BACKUP || hb_vrrp_fail "keepalived is $(hb_ka_state ka) after hbd preempted"
hb_log "hbd restarted -> stale VIP removed at once, MASTER (preempted) after $ms ms (its master-down 3414 ms)"
[ "$ms" -le $((3414 + MARGIN_MS)) ] || hb_vrrp_fail "preemption took $ms ms"
hb_pass "a. restarted hbd removed the stale VIP and preempted keepalived after $ms ms"

t0=${EPOCHREALTIME/./}
hb_vrrp_term hb
hb_poll_ms 10 "$t0" hb_vip_on ka "$VIP" || hb_vrrp_fail "keepalived did not take the VIP after SIGTERM of hbd"
ms=$HB_POLL_MS
hb_log "SIGTERM hbd (MASTER 150) -> VIP on keepalived after $ms ms (keepalived's skew 609 ms)"
[ "$ms" -lt 1500 ] || hb_vrrp_fail "hand-over after SIGTERM took $ms ms: priority 0 not sent or not honoured"
hb_vip_on hb "$VIP" && hb_vrrp_fail "hbd left the VIP plumbed after SIGTERM"
grep -q "Backup received priority 0 advertisement" "$HB_T/ka/ka/keepalived.log" \
  || hb_vrrp_fail "keepalived did not log a priority-0 advert"
hb_wait 3 hb_ka_is ka MASTER || hb_vrrp_fail "keepalived is $(hb_ka_state ka)"
hb_pass "a. SIGTERM hbd: priority 0, keepalived MASTER after $ms ms; hbd exited 0 without the VIP"
hb_ka_stop ka
reboot hb; reboot ka

# --- b. keepalived 150, hbd 100 ---
ka_start 150
hb_conf 100
hb_start hb
hb_wait 15 hb_ka_is ka MASTER || hb_vrrp_fail "keepalived 150 is $(hb_ka_state ka), expected MASTER"
hb_wait 5 only_vip ka || hb_vrrp_fail "the VIP is not on keepalived alone"
sleep 2
hb_vrrp_is hb "BACKUP 100" || hb_vrrp_fail "hbd is '$(hb_vrrp hb)', expected 'BACKUP 100'"
m=$(hb_vrrp_field hb master)
[ "$m" = "${HB_NODE_IP[ka]}" ] || hb_vrrp_fail "hbd sees master '$m', expected ${HB_NODE_IP[ka]}"
[ "$(hb_vrrp_field hb become_master)" = 0 ] || hb_vrrp_fail "hbd 100 was MASTER at some point"
n=$(hb_vrrp_field hb adverts_received)
[ "$n" -ge 2 ] || hb_vrrp_fail "hbd accepted $n adverts from keepalived"
hb_pass "b. keepalived 150 MASTER, hbd 'VI_1 BACKUP 100' following it ($n adverts accepted)"

t0=${EPOCHREALTIME/./}
hb_ka_kill9 ka
hb_poll_ms 15 "$t0" hb_vip_on hb "$VIP" || hb_vrrp_fail "hbd did not take the VIP after kill -9 of keepalived"
ms=$HB_POLL_MS
hb_wait 2 hb_vrrp_is hb "MASTER 100" || hb_vrrp_fail "hbd is '$(hb_vrrp hb)' with the VIP"
hb_log "kill -9 keepalived (MASTER 150) -> VIP on hbd after $ms ms (hbd's master-down 3609 ms)"
[ "$ms" -le $((3609 + MARGIN_MS)) ] || hb_vrrp_fail "failover to hbd took $ms ms"
# Not before master-down minus one advert (2609 ms): hbd must not take over early.
[ "$ms" -ge 2500 ] || hb_vrrp_fail "hbd took over after $ms ms, before its master-down interval could run out"
hb_pass "b. kill -9 keepalived: hbd 'VI_1 MASTER 100' with the VIP after $ms ms"

reboot ka
t0=${EPOCHREALTIME/./}
ka_start 150
hb_poll_ms 15 "$t0" eval 'hb_vrrp_is hb "BACKUP 100" && only_vip ka' \
  || hb_vrrp_fail "keepalived did not preempt: hbd '$(hb_vrrp hb)', keepalived $(hb_ka_state ka)"
ms=$HB_POLL_MS
hb_wait 3 hb_ka_is ka MASTER || hb_vrrp_fail "keepalived is $(hb_ka_state ka)"
hb_log "keepalived 150 restarted -> preempted, hbd BACKUP without the VIP after $ms ms"
hb_pass "b. restarted keepalived preempted hbd after $ms ms; hbd stepped down and removed the VIP"

t0=${EPOCHREALTIME/./}
kill -TERM "${HB_KA_PID[ka]}"
hb_poll_ms 10 "$t0" hb_vip_on hb "$VIP" || hb_vrrp_fail "hbd did not take the VIP after SIGTERM of keepalived"
hb_ka_stop ka
ms=$HB_POLL_MS
hb_log "SIGTERM keepalived (MASTER 150) -> VIP on hbd after $ms ms (hbd's skew 609 ms)"
[ "$ms" -lt 1500 ] || hb_vrrp_fail "hand-over after keepalived's SIGTERM took $ms ms"
hb_vrrp_is hb "MASTER 100" || hb_vrrp_fail "hbd is '$(hb_vrrp hb)'"
hb_pass "b. SIGTERM keepalived: hbd MASTER after $ms ms"
hb_vrrp_term hb
reboot hb; reboot ka

# --- c1. hbd 150 nopreempt, keepalived 100 ---
hb_conf 150 nopreempt
hb_start hb
ka_start 100
hb_wait 15 hb_vrrp_is hb "MASTER 150" || hb_vrrp_fail "hbd 150 nopreempt is '$(hb_vrrp hb)', expected MASTER at start-up"
hb_wait 5 only_vip hb || hb_vrrp_fail "the VIP is not on hbd alone"
hb_vrrp_kill9 hb
hb_wait 10 eval 'hb_ka_is ka MASTER && hb_vip_on ka "$VIP"' || hb_vrrp_fail "keepalived did not take over"
reboot hb
hb_start hb
sleep 7.5
hb_vrrp_is hb "BACKUP 150" || hb_vrrp_fail "restarted hbd 150 nopreempt is '$(hb_vrrp hb)', expected 'BACKUP 150'"
only_vip ka && hb_ka_is ka MASTER || hb_vrrp_fail "keepalived lost the VIP to a nopreempt hbd"
[ "$(hb_vrrp_field hb become_master)" = 0 ] || hb_vrrp_fail "restarted hbd was MASTER at some point"
hb_pass "c. restarted hbd 150 nopreempt stayed 'VI_1 BACKUP 150' for 7.5 s behind keepalived 100"
t0=${EPOCHREALTIME/./}
kill -TERM "${HB_KA_PID[ka]}"
hb_poll_ms 10 "$t0" hb_vip_on hb "$VIP" || hb_vrrp_fail "hbd did not take the VIP after keepalived stopped"
hb_ka_stop ka
hb_log "SIGTERM keepalived (MASTER 100) -> nopreempt hbd 150 MASTER after $HB_POLL_MS ms (skew 414 ms)"
[ "$HB_POLL_MS" -lt 1500 ] || hb_vrrp_fail "hand-over took $HB_POLL_MS ms"
hb_vrrp_term hb
reboot hb; reboot ka

# --- c2. keepalived 150 nopreempt, hbd 100 ---
ka_start 150 nopreempt
hb_conf 100
hb_start hb
hb_wait 15 eval 'hb_ka_is ka MASTER && only_vip ka' || hb_vrrp_fail "keepalived 150 did not become MASTER"
hb_ka_kill9 ka
hb_wait 10 eval 'hb_vrrp_is hb "MASTER 100" && hb_vip_on hb "$VIP"' || hb_vrrp_fail "hbd did not take over: '$(hb_vrrp hb)'"
reboot ka
ka_start 150 nopreempt
sleep 7.5
hb_vrrp_is hb "MASTER 100" && only_vip hb || hb_vrrp_fail "hbd 100 lost the VIP to a nopreempt keepalived: '$(hb_vrrp hb)'"
hb_ka_is ka BACKUP || hb_vrrp_fail "restarted keepalived 150 nopreempt is $(hb_ka_state ka)"
hb_pass "c. restarted keepalived 150 nopreempt stayed BACKUP for 7.5 s behind hbd 'VI_1 MASTER 100'"

# Both daemons alive to the end; sanitizer builds: any report from hbd fails.
kill -0 "${HB_NODE_PID[hb]}" && kill -0 "${HB_KA_PID[ka]}" || hb_vrrp_fail "a daemon died"
grep -qE "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$HB_T/hb/hbd.out" && hb_vrrp_fail "sanitizer report"
hb_pass "hbd and keepalived 2.2.7 interoperate (v2, PASS, advert 1 s)"
