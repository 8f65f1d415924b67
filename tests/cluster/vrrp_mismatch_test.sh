#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VRRP acceptance 3: adverts hbd must refuse are dropped and counted (`hbctl status --json`: vrrp[].dropped,
# and vrrp_unassigned_dropped for VRIDs with no instance), and neither daemon crashes.
# hbd (pure VRRP router, priority 100) and keepalived 2.2.7 (priority 150) share the interface; each pair of
# instances differs in one thing, so hbd must drop keepalived's adverts and become MASTER itself despite
# keepalived's higher priority ("VI_n MASTER 100", adverts_received 0):
#   VI_1 VRID 51: auth_pass wrongpw / secret12             -> auth_mismatch
#   VI_2 VRID 61: advert_int 2 / 1 (v2)                      -> advert_mismatch
#   VI_3 VRID 71: version 2 / version 3                      -> version_mismatch
#   VI_4 VRID 81: hbd's VRID 81, keepalived's VRID 82        -> vrid_mismatch (no instance for VRID 82)
# Then forged packets for VRID 51 (TTL 64; bad checksum) -> bad_ttl, bad_checksum.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_require_keepalived
hb_bridge hb ka
S="10.$HB_SUBNET.0"
P=secret12

# keepalived first: all its instances become MASTER (nothing valid reaches them). hbd then starts in BACKUP
# and, while it is silent (until its master-down timer runs out), hears keepalived's adverts every second.
# (Once hbd is MASTER too, keepalived hardly sends: it re-arms its advert timer on every packet it receives,
# even one it rejects.)
hb_ka_start ka "$(hb_vrrp_instance VI_1 eth0 51 150 "$S.101/24" pass=$P)
$(hb_vrrp_instance VI_2 eth0 61 150 "$S.102/24" pass=$P advert=1)
$(hb_vrrp_instance VI_3 eth0 71 150 "$S.103/24" version=3 advert=1)
$(hb_vrrp_instance VI_4 eth0 82 150 "$S.104/24" pass=$P)"
for i in 1 2 3 4; do
  hb_wait 15 grep -q "VI_$i MASTER" "$HB_T/ka/ka/notify.log" || hb_vrrp_fail "keepalived VI_$i did not become MASTER"
done
hb_vrrp_config hb "$(hb_vrrp_instance VI_1 eth0 51 100 "$S.101/24" pass=wrongpw)
$(hb_vrrp_instance VI_2 eth0 61 100 "$S.102/24" pass=$P advert=2)
$(hb_vrrp_instance VI_3 eth0 71 100 "$S.103/24" pass=$P)
$(hb_vrrp_instance VI_4 eth0 81 100 "$S.104/24" pass=$P)"
hb_start hb
for i in 1 2 3 4; do
  hb_wait 15 hb_vrrp_is hb "MASTER 100" "VI_$i" || hb_vrrp_fail "hbd VI_$i is '$(hb_vrrp hb "VI_$i")', expected 'MASTER 100'"
done
sleep 1
json=$(hb_ctl hb status --json) || hb_vrrp_fail "hbctl status --json failed"
check() {  # check INSTANCE REASON: counted at least 3 times (hbd's BACKUP time >= 3 of keepalived's adverts)
  local r
  r=$(printf '%s' "$json" | python3 -c 'import json,sys
d=json.load(sys.stdin); i=[v for v in d["vrrp"] if v["name"]==sys.argv[1]][0]
print(i["dropped"][sys.argv[2]], i["adverts_received"], i["state"])' "$1" "$2")
  set -- "$1" "$2" $r
  hb_log "$1: dropped.$2=$3 adverts_received=$4 state=$5"
  [ "$3" -ge 3 ] || hb_vrrp_fail "$1: dropped.$2 is $3, expected >= 3"
  [ "$4" = 0 ] || hb_vrrp_fail "$1: $4 adverts accepted"
  [ "$5" = MASTER ] || hb_vrrp_fail "$1: state $5"
}
check VI_1 auth_mismatch
check VI_2 advert_mismatch
check VI_3 version_mismatch
un=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vrrp_unassigned_dropped"]["vrid_mismatch"])') \
  || hb_vrrp_fail "no vrrp_unassigned_dropped.vrid_mismatch in status --json"
hb_log "VRID 82 (no instance): vrrp_unassigned_dropped.vrid_mismatch=$un"
[ "$un" -ge 3 ] || hb_vrrp_fail "VRID mismatch: $un packets counted"
[ "$(hb_vrrp_field hb adverts_received VI_4)" = 0 ] || hb_vrrp_fail "VI_4 accepted keepalived's VRID 82"
grep -q "(VI_1) received an invalid passwd" "$HB_T/ka/ka/keepalived.log" || hb_vrrp_fail "keepalived did not reject hbd's password"
hb_pass "wrong auth_pass, advert_int, version and VRID: dropped and counted by reason; hbd MASTER on each"

# Forged adverts for VRID 51 from keepalived's namespace, sent to hbd's address (raw, IP header included).
b_ttl=$(hb_vrrp_field hb dropped.bad_ttl VI_1)
b_ck=$(hb_vrrp_field hb dropped.bad_checksum VI_1)
hb_exec ka python3 - "${HB_NODE_IP[ka]}" "${HB_NODE_IP[hb]}" "$S.101" <<'PY' || hb_vrrp_fail "cannot send forged packets"
import socket, struct, sys
src, dst, vip = sys.argv[1:4]
def csum(b):
    s = sum((b[i] << 8) + b[i + 1] for i in range(0, len(b) - 1, 2)) + ((b[-1] << 8) if len(b) % 2 else 0)
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def vrrp(good_sum):
    body = bytearray(struct.pack("!BBBBBBH4s8s", 0x21, 51, 150, 1, 1, 1, 0, socket.inet_aton(vip), b"wrongpw\0"))
    c = csum(bytes(body))
    struct.pack_into("!H", body, 6, c if good_sum else c ^ 0x5555)
    return bytes(body)
def ip(ttl, payload):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0xc0, 20 + len(payload), 0, 0, ttl, 112, 0,
                       socket.inet_aton(src), socket.inet_aton(dst)) + payload
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for _ in range(5):
    s.sendto(ip(64, vrrp(True)), (dst, 0))
    s.sendto(ip(255, vrrp(False)), (dst, 0))
PY
sleep 0.5
a_ttl=$(hb_vrrp_field hb dropped.bad_ttl VI_1)
a_ck=$(hb_vrrp_field hb dropped.bad_checksum VI_1)
hb_log "forged: dropped.bad_ttl $b_ttl -> $a_ttl, dropped.bad_checksum $b_ck -> $a_ck"
[ $((a_ttl - b_ttl)) = 5 ] || hb_vrrp_fail "bad_ttl counted $((a_ttl - b_ttl)) of 5"
[ $((a_ck - b_ck)) = 5 ] || hb_vrrp_fail "bad_checksum counted $((a_ck - b_ck)) of 5"
hb_vrrp_is hb "MASTER 100" VI_1 || hb_vrrp_fail "VI_1 is '$(hb_vrrp hb VI_1)' after the forged packets"
hb_pass "forged adverts (TTL 64, bad checksum): dropped and counted"

kill -0 "${HB_NODE_PID[hb]}" || hb_vrrp_fail "hbd died"
kill -0 "${HB_KA_PID[ka]}" && kill -0 "$(cat "$HB_T/ka/ka/vrrp.pid")" || hb_vrrp_fail "keepalived died"
hb_ctl hb vrrp >/dev/null || hb_vrrp_fail "hbd does not answer"
grep -qE "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$HB_T/hb/hbd.out" && hb_vrrp_fail "sanitizer report"
hb_pass "both daemons alive after mismatched and forged adverts"
