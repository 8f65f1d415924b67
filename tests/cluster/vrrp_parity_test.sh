#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# keepalived's files mean the same to hbd (issue 10), next to keepalived 2.2.7 running the same text.
# Scripts as keepalived runs them: a dual-master layout, VI_1 preferring hbd (node hb, 150 vs
# 100) and VI_2 preferring keepalived 2.2.7 (node ka, 150 vs 100), both tracking a maintenance check written
# in bash syntax, `[[ -f DOWN ]] && exit 1 || exit 0`, with a bonus weight of +60; the same vrrp.conf text on
# both apart from the priorities. keepalived runs scripts without a shell and disables this one. hbd used
# to run it with /bin/sh -c: dash says "[[: not found", `|| exit 0` makes the check pass, the +60 lifts
# hbd's VI_2 to 160 over keepalived's 150, and hbd took both addresses.
#  1. VI_1 MASTER on hbd only, VI_2 MASTER on keepalived only, both daemons agree, stable for 3 s.
#  2. hbd logs the script as disabled with the reason, as keepalived does ("Disabling track script ...");
#     hbd --check warns at the script's line.
#  3. the DOWN file appears on both nodes: nothing moves (the script is disabled on both).
#  4. `auth_type pass` (lower case), hbd reading a keepalived.conf in place (--vrrp-conf): keepalived says
#     "unknown authentication type" and runs without authentication; hbd the same (it used to refuse the file; a case-insensitive PASS would drop
#     keepalived's adverts and make two masters): hbd 150 MASTER, keepalived 100 BACKUP, one VIP.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_require_keepalived
hb_bridge hb ka
VIP1="10.$HB_SUBNET.0.101"
VIP2="10.$HB_SUBNET.0.102"
DOWN="$HB_T/down"

# conf P1 P2: the shared vrrp.conf text with priorities P1 (VI_1) and P2 (VI_2).
conf() {
  hb_vrrp_script chk_maint "[[ -f $DOWN ]] && exit 1 || exit 0" 60
  hb_vrrp_instance VI_1 eth0 51 "$1" "$VIP1/24" pass=secret12 track=chk_maint
  hb_vrrp_instance VI_2 eth0 52 "$2" "$VIP2/24" pass=secret12 track=chk_maint
}
hb_vrrp_config hb "$(conf 150 100)"
# ka_state VI: the last state keepalived's notify reported for that instance.
ka_state() { awk -v i="$1" '$2 == i { s = $3 } END { print (s == "" ? "NONE" : s) }' "$HB_T/ka/ka/notify.log" 2>/dev/null; }
only_on() {  # only_on NODE IP
  local other=ka; [ "$1" = ka ] && other=hb
  hb_vip_on "$1" "$2" && ! hb_vip_on "$other" "$2"
}
agreed() {
  hb_vrrp_is hb "MASTER 150" VI_1 && hb_vrrp_is hb "BACKUP 100" VI_2 \
    && [ "$(ka_state VI_1)" = BACKUP ] && [ "$(ka_state VI_2)" = MASTER ] \
    && only_on hb "$VIP1" && only_on ka "$VIP2"
}
show() { echo "hbd: VI_1 '$(hb_vrrp hb VI_1)' VI_2 '$(hb_vrrp hb VI_2)'; keepalived: VI_1 $(ka_state VI_1) VI_2 $(ka_state VI_2)"; }

# 2 (first half). --check reads the file as keepalived would and says what the line really does.
out=$("$HB_BIN/hbd" --check -c "$HB_T/hb/etc" -n hb 2>&1) || hb_fail "hbd --check refused the file: $out"
echo "$out" | grep -F "vrrp.conf:2: warning: script: '[[' is shell syntax, but scripts run without a shell" >/dev/null \
  || hb_fail "hbd --check does not warn about '[[' at line 2: $out"
hb_pass "hbd --check warns: $(echo "$out" | grep -F "'[[' is shell syntax" | sed "s|$HB_T/||")"

hb_start hb
hb_ka_start ka "$(conf 100 150)"
hb_wait 20 agreed || hb_vrrp_fail "hbd and keepalived do not agree: $(show)"
sleep 3
agreed || hb_vrrp_fail "not stable for 3 s: $(show)"
hb_pass "1. VI_1 MASTER on hbd (150) and VI_2 MASTER on keepalived (150), each address on one node: $(show)"

line=$(grep -F "vrrp_script chk_maint disabled: '[[' is not found in PATH" "$HB_T/hb/hbd.out" | head -1)
[ -n "$line" ] || hb_vrrp_fail "hbd did not log the disabled script"
hb_pass "2. hbd: ${line#*WARN: }"
ka_line=$(grep -i "chk_maint" "$HB_T/ka/ka/keepalived.log" | grep -i "disabl\|not found\|accessible" | head -1)
[ -n "$ka_line" ] || hb_vrrp_fail "keepalived did not log that it disabled chk_maint"
hb_pass "2. keepalived: ${ka_line#*: }"

touch "$DOWN"
sleep 4
agreed || hb_vrrp_fail "the DOWN file moved something although the script is disabled on both: $(show)"
hb_pass "3. with $DOWN present nothing moved: $(show)"
hb_ka_stop ka
hb_vrrp_term hb

lower() { hb_vrrp_instance VI_1 eth0 51 "$1" "$VIP1/24" pass=secret12 | sed 's/auth_type PASS/auth_type pass/'; }
# hbd reads a keepalived.conf in place (--vrrp-conf), global_defs and all; its config dir is empty.
rm -f "$HB_T/hb/etc/vrrp.conf"
KA_CONF="$HB_T/hb/keepalived.conf"
printf 'global_defs {\n  router_id hb\n  script_user root\n  enable_script_security\n}\n%s\n' "$(lower 150)" > "$KA_CONF"
out=$("$HB_BIN/hbd" --check -c "$HB_T/hb/etc" -n hb --vrrp-conf "$KA_CONF" 2>&1) \
  || hb_fail "hbd --check --vrrp-conf refused auth_type pass: $out"
echo "$out" | grep -q "keepalived.conf:14: warning: unknown authentication type 'pass'" \
  || hb_fail "hbd --check does not warn about auth_type pass at its line: $out"
hb_start hb --vrrp-conf "$KA_CONF"
hb_ka_start ka "$(lower 100)"
grep -q "unknown authentication type 'pass'" "$HB_T/ka/ka/keepalived.log" \
  || hb_vrrp_fail "keepalived did not call 'pass' an unknown authentication type"
one_master() { hb_vrrp_is hb "MASTER 150" VI_1 && [ "$(ka_state VI_1)" = BACKUP ] && only_on hb "$VIP1"; }
hb_wait 20 one_master || hb_vrrp_fail "auth_type pass: hbd '$(hb_vrrp hb VI_1)', keepalived $(ka_state VI_1)"
sleep 3
one_master || hb_vrrp_fail "auth_type pass: not stable for 3 s: hbd '$(hb_vrrp hb VI_1)', keepalived $(ka_state VI_1)"
[ "$(hb_vrrp_field hb dropped.auth_mismatch)" = 0 ] || hb_vrrp_fail "hbd dropped keepalived's adverts: $(hb_vrrp_field hb dropped)"
hb_pass "4. auth_type pass on both, hbd reading a keepalived.conf in place: no authentication on either, hbd MASTER 150 and keepalived BACKUP, the VIP on hbd only"
hb_ka_stop ka
