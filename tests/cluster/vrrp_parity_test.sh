#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scripts as keepalived runs them (issue 10): a dual-master layout, VI_1 preferring hbd (node hb, 150 vs
# 100) and VI_2 preferring keepalived 2.2.7 (node ka, 150 vs 100), both tracking a maintenance check written
# in bash syntax, `[[ -f DOWN ]] && exit 1 || exit 0`, with a bonus weight of +60; the same vrrp.conf text on
# both apart from the priorities. keepalived runs scripts without a shell and disables this one. hbd used
# to run it with /bin/sh -c: dash says "[[: not found", `|| exit 0` makes the check pass, the +60 lifts
# hbd's VI_2 to 160 over keepalived's 150, and hbd took both addresses.
#  1. VI_1 MASTER on hbd only, VI_2 MASTER on keepalived only, both daemons agree, stable for 3 s.
#  2. hbd logs the script as disabled with the reason, as keepalived does ("Disabling track script ...");
#     hbd --check warns at the script's line.
#  3. the DOWN file appears on both nodes: nothing moves (the script is disabled on both).
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
