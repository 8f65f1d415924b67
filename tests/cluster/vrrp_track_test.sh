#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VRRP acceptance 5: a vrrp_script with weight -60 on hbd (150) against keepalived 2.2.7 (100), v2 PASS @1 s.
#  The script fails: hbd's effective priority is 90 < 100 ("VI_1 MASTER 90", then "VI_1 BACKUP 90" once
#  keepalived, which discards the lower-priority adverts, takes over); status --json shows priority 150,
#  effective_priority 90 and the master-down interval computed from 90 (3648 ms).
#  The script recovers: "VI_1 BACKUP 150", then hbd preempts back ("VI_1 MASTER 150") and keepalived is BACKUP.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_require_keepalived
hb_bridge hb ka
VIP="10.$HB_SUBNET.0.100"
FAIL="$HB_T/hb/fail"
only_vip() {
  local other=ka; [ "$1" = ka ] && other=hb
  hb_vip_on "$1" "$VIP" && ! hb_vip_on "$other" "$VIP"
}

hb_vrrp_config hb "$(hb_vrrp_script chk_fail "test ! -e $FAIL" -60)
$(hb_vrrp_instance VI_1 eth0 51 150 "$VIP/24" pass=secret12 track=chk_fail)"
hb_start hb
hb_ka_start ka "$(hb_vrrp_instance VI_1 eth0 51 100 "$VIP/24" pass=secret12)"
hb_wait 15 hb_vrrp_is hb "MASTER 150" || hb_vrrp_fail "hbd is '$(hb_vrrp hb)', expected 'MASTER 150'"
hb_wait 5 eval 'hb_ka_is ka BACKUP && only_vip hb' || hb_vrrp_fail "keepalived $(hb_ka_state ka), VIP not on hbd alone"
[ "$(hb_vrrp_field hb effective_priority)" = 150 ] || hb_vrrp_fail "effective priority $(hb_vrrp_field hb effective_priority)"
hb_pass "script succeeds: hbd 'VI_1 MASTER 150', keepalived 100 BACKUP"

t0=${EPOCHREALTIME/./}
touch "$FAIL"
hb_poll_ms 5 "$t0" hb_vrrp_is hb "MASTER 90" || hb_vrrp_fail "hbd is '$(hb_vrrp hb)' after the script failed, expected 'MASTER 90'"
hb_log "script failed -> hbd 'VI_1 MASTER 90' after $HB_POLL_MS ms"
hb_poll_ms 12 "$t0" eval 'hb_vrrp_is hb "BACKUP 90" && only_vip ka' \
  || hb_vrrp_fail "keepalived 100 did not take over from hbd at 90: hbd '$(hb_vrrp hb)', keepalived $(hb_ka_state ka)"
ms=$HB_POLL_MS
hb_wait 3 hb_ka_is ka MASTER || hb_vrrp_fail "keepalived is $(hb_ka_state ka)"
grep -q "received lower priority (90) advert" "$HB_T/ka/ka/keepalived.log" \
  || hb_vrrp_fail "keepalived never saw an advert with priority 90"
[ "$(hb_vrrp_field hb priority)" = 150 ] || hb_vrrp_fail "base priority $(hb_vrrp_field hb priority)"
[ "$(hb_vrrp_field hb effective_priority)" = 90 ] || hb_vrrp_fail "effective priority $(hb_vrrp_field hb effective_priority)"
mdi=$(hb_vrrp_field hb master_down_interval_ms)
[ "$mdi" -ge 3647 ] && [ "$mdi" -le 3649 ] || hb_vrrp_fail "master-down interval $mdi ms, expected 3648 (skew from priority 90)"
[ "$(hb_vrrp_field hb master)" = "${HB_NODE_IP[ka]}" ] || hb_vrrp_fail "hbd sees master '$(hb_vrrp_field hb master)'"
hb_log "script failed -> keepalived MASTER, hbd 'VI_1 BACKUP 90' after $ms ms (script interval 1 s + keepalived's master-down 3609 ms)"
[ "$ms" -le 7000 ] || hb_vrrp_fail "the master moved after $ms ms"
hb_pass "script fails: 150-60=90 < 100, keepalived MASTER after $ms ms; hbd shows 'VI_1 BACKUP 90', master-down $mdi ms"

sleep 2
hb_vrrp_is hb "BACKUP 90" && only_vip ka || hb_vrrp_fail "not stable at 90: '$(hb_vrrp hb)'"
t0=${EPOCHREALTIME/./}
rm -f "$FAIL"
hb_poll_ms 5 "$t0" eval 'hb_vrrp_is hb "BACKUP 150" || hb_vrrp_is hb "MASTER 150"' \
  || hb_vrrp_fail "hbd is '$(hb_vrrp hb)' after the script recovered, expected priority 150"
hb_poll_ms 12 "$t0" eval 'hb_vrrp_is hb "MASTER 150" && only_vip hb' \
  || hb_vrrp_fail "hbd did not preempt back: '$(hb_vrrp hb)', keepalived $(hb_ka_state ka)"
ms=$HB_POLL_MS
hb_wait 3 hb_ka_is ka BACKUP || hb_vrrp_fail "keepalived is $(hb_ka_state ka) after hbd preempted"
[ "$(hb_vrrp_field hb effective_priority)" = 150 ] || hb_vrrp_fail "effective priority $(hb_vrrp_field hb effective_priority)"
hb_log "script recovered -> hbd 'VI_1 MASTER 150' (preempted) after $ms ms (script interval 1 s + its master-down 3414 ms)"
[ "$ms" -le 7000 ] || hb_vrrp_fail "preemption after recovery took $ms ms"
hb_pass "script recovers: hbd preempted back after $ms ms, keepalived BACKUP"
kill -0 "${HB_NODE_PID[hb]}" && kill -0 "${HB_KA_PID[ka]}" || hb_vrrp_fail "a daemon died"
grep -qE "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$HB_T/hb/hbd.out" && hb_vrrp_fail "sanitizer report"
hb_pass "track_script weight moves the master between hbd and keepalived and back"
