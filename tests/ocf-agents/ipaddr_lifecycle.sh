#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ipaddr_lifecycle.sh: ocf:hbd:IPaddr beyond ocf-tester, in two namespaces (agent side A and a
# peer P joined by a veth pair):
#  - start returns before the gratuitous ARP is over, and the peer really receives both the ARP
#    request and the ARP reply form, arp_count times each, and updates its neighbour entry;
#  - monitor fails (1, with an ocf-exit-reason) when the link loses carrier;
#  - every heartbeat shorthand form of ip, labels, dotted netmasks, nic found from the route;
#  - bad parameters give 6 (2 for a nic missing on this node), probes 7;
#  - stop cancels an ARP announcement still running; without arping start still works.

# shellcheck source=ocf_test_common.sh
. "$(dirname "$0")/ocf_test_common.sh"

t_need_root
t_need_cmd ip arping python3 setsid
t_setup_ocf_root

A=hbocfa$$
P=hbocfp$$
t_netns "$A"
t_netns "$P"
ip -n "$A" link add hba0 type veth peer name hbp0 netns "$P" || t_fail "veth A-P"
ip -n "$A" link add hba1 type veth peer name hba1p || t_fail "veth A-A"
for l in hba0 hba1 hba1p; do ip -n "$A" link set "$l" up || t_fail "$l up"; done
ip -n "$P" link set hbp0 up || t_fail "hbp0 up"
ip -n "$A" addr add 10.214.0.1/24 dev hba0 || t_fail "addr hba0"
ip -n "$A" addr add 10.215.0.1/24 dev hba1 || t_fail "addr hba1"
ip -n "$P" addr add 10.214.0.2/24 dev hbp0 || t_fail "addr hbp0"
mac_a=$(ip -n "$A" -o link show dev hba0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
[ -n "$mac_a" ] || t_fail "no MAC for hba0"

AGENT=$T_AGENTS/IPaddr
export OCF_RESOURCE_INSTANCE=hbocf_vip

# agent ACTION [name=value...]: run the agent inside A with the given parameters.
agent() {
    local action=$1 kv env=()
    shift
    for kv in "$@"; do env+=("OCF_RESKEY_$kv"); done
    ip netns exec "$A" env "${env[@]}" "$AGENT" "$action"
}

addr_line() { ip -n "$A" -o -4 addr show | grep " inet $1/" | sed "s/\\\\.*//" || :; }

# --- 1. start is fast, the peer gets request + reply forms, its neighbour entry moves -----------
vip=10.214.0.10
# The peer believes the VIP is at an old MAC, as after a failover.
ip -n "$P" neigh replace "$vip" lladdr 02:00:00:00:00:99 dev hbp0 nud stale || t_fail "seed neigh"
cap=$T_DIR/arp.txt
ip netns exec "$P" python3 "$(dirname "$0")/arp_capture.py" hbp0 6 >"$cap" 2>"$T_DIR/cap.err" &
cap_pid=$!
t_on_exit "kill $cap_pid"
for _ in $(seq 50); do grep -q ready "$cap" && break; sleep 0.1; done
grep -q ready "$cap" || t_fail "ARP capture did not start: $(cat "$T_DIR/cap.err")"

t0=$(date +%s%N)
agent start ip=$vip arp_count=4 arp_interval=400 2>"$T_DIR/start.err" || t_fail "start rc $?: $(cat "$T_DIR/start.err")"
t1=$(date +%s%N)
start_ms=$(((t1 - t0) / 1000000))
t_log "start took ${start_ms} ms"
# Sending 4 rounds 400 ms apart takes > 1.2 s; start must not wait for it.
[ "$start_ms" -lt 1000 ] || t_fail "start took $start_ms ms: it waits for the ARP announcement"
grep -q 'gratuitous ARP' "$T_DIR/start.err" || t_fail "start did not log the gratuitous ARP"
addr_line $vip | grep -q "inet $vip/24 brd 10.214.0.255 .* hba0" || t_fail "VIP not on hba0/24: $(addr_line $vip)"
t_expect_rc 0 "monitor after start" agent monitor ip=$vip
t_expect_rc 0 "second start" agent start ip=$vip
[ "$(addr_line $vip | wc -l)" = 1 ] || t_fail "VIP added twice"

wait "$cap_pid"
requests=$(awk -v ip=$vip -v mac="$mac_a" '$1 == 1 && $2 == mac && $3 == ip && $4 == ip' "$cap" | wc -l)
replies=$(awk -v ip=$vip -v mac="$mac_a" '$1 == 2 && $2 == mac && $3 == ip' "$cap" | wc -l)
t_log "captured $requests gratuitous ARP requests and $replies replies"
[ "$requests" -ge 4 ] || t_fail "expected 4 gratuitous ARP requests, saw $requests: $(cat "$cap")"
[ "$replies" -ge 4 ] || t_fail "expected 4 gratuitous ARP replies, saw $replies: $(cat "$cap")"
ip -n "$P" neigh show "$vip" dev hbp0 | grep -q "lladdr $mac_a" ||
    t_fail "peer neighbour entry not updated: $(ip -n "$P" neigh show "$vip")"
[ -z "$(ls "$HA_RSCTMP")" ] || t_fail "ARP sender left state behind: $(ls "$HA_RSCTMP")"

# --- 2. monitor watches the link ------------------------------------------------------------------
ip -n "$P" link set hbp0 down
t_expect_rc 1 "monitor without carrier" agent monitor ip=$vip
grep -q '^ocf-exit-reason:.*carrier' "$T_DIR/last.err" || t_fail "no exit reason for a lost carrier"
ip -n "$P" link set hbp0 up
t_expect_rc 0 "monitor with carrier back" agent monitor ip=$vip
t_expect_rc 0 "stop" agent stop ip=$vip
[ -z "$(addr_line $vip)" ] || t_fail "VIP still there after stop"
t_expect_rc 7 "monitor after stop" agent monitor ip=$vip
t_expect_rc 0 "second stop" agent stop ip=$vip
# start refuses a link without carrier (so the group can go elsewhere at once)
ip -n "$P" link set hbp0 down
t_expect_rc 1 "start without carrier" agent start ip=$vip
ip -n "$P" link set hbp0 up
[ -z "$(addr_line $vip)" ] || t_fail "VIP added on a link without carrier"

# --- 3. shorthand forms and parameters ------------------------------------------------------------
# form | extra params | expected fragment of `ip -o addr` for the address
check_form() {
    local spec=$1 want=$2 ip=${1%%/*}
    shift 2
    t_expect_rc 0 "validate-all $spec" agent validate-all ip="$spec" "$@"
    t_expect_rc 0 "start $spec" agent start ip="$spec" arp_count=0 "$@"
    addr_line "$ip" | grep -Eq "$want" || t_fail "$spec $*: got '$(addr_line "$ip")', want /$want/"
    t_expect_rc 0 "monitor $spec" agent monitor ip="$spec" "$@"
    t_expect_rc 0 "stop $spec" agent stop ip="$spec" "$@"
    t_expect_rc 7 "monitor after stop $spec" agent monitor ip="$spec" "$@"
    [ -z "$(addr_line "$ip")" ] || t_fail "$spec still there after stop"
}
check_form 10.214.0.11 'inet 10\.214\.0\.11/24 brd 10\.214\.0\.255 .* hba0$'
check_form 10.214.0.12/25 'inet 10\.214\.0\.12/25 brd 10\.214\.0\.127 .* hba0$'
check_form 10.214.0.13/24/hba0 'inet 10\.214\.0\.13/24 brd 10\.214\.0\.255 .* hba0$'
check_form 10.214.0.14/24/10.214.0.200 'inet 10\.214\.0\.14/24 brd 10\.214\.0\.200 .* hba0$'
check_form 10.214.0.15/24/hba0/10.214.0.255 'inet 10\.214\.0\.15/24 brd 10\.214\.0\.255 .* hba0$'
check_form 10.214.0.16/24/hba0:web 'inet 10\.214\.0\.16/24 .* hba0:web$'
check_form 10.214.0.17 'inet 10\.214\.0\.17/24 .* hba0:vip7$' cidr_netmask=255.255.255.0 nic=hba0 label=vip7
check_form 10.215.0.18 'inet 10\.215\.0\.18/24 brd 10\.215\.0\.255 .* hba1$'
check_form 10.215.0.19 'inet 10\.215\.0\.19/28 .* hba1$' cidr_netmask=28
check_form 10.216.0.20 'inet 10\.216\.0\.20/24 .* hba1$' cidr_netmask=24 nic=hba1

# --- 4. bad parameters ----------------------------------------------------------------------------
for bad in 10.214.0.300 10.214.0 10.214.0.5.6 ' ' 10.214.0.5/33 10.214.0.5/ 10.214.0.5/24/hba0/10.214.0.255/x \
    10.214.0.5/255.0.255.0 10.214.0.5/24/hba0/300.1.1.1 'hba0;rm'; do
    t_expect_rc 6 "validate-all ip='$bad'" agent validate-all ip="$bad"
    grep -q '^ocf-exit-reason:' "$T_DIR/last.err" || t_fail "no exit reason for ip='$bad'"
    t_expect_rc 7 "probe ip='$bad'" agent monitor ip="$bad" CRM_meta_interval=0
done
t_expect_rc 6 "missing ip" agent validate-all
t_expect_rc 6 "shorthand contradicts nic" agent validate-all ip=10.214.0.5/24/hba0 nic=hba1
t_expect_rc 6 "shorthand contradicts cidr" agent validate-all ip=10.214.0.5/24 cidr_netmask=25
t_expect_rc 6 "label too long" agent validate-all ip=10.214.0.5 nic=hba0 label=muchtoolonglabel
t_expect_rc 6 "bad arp_count" agent validate-all ip=10.214.0.5 arp_count=many
t_expect_rc 6 "no route to the subnet" agent start ip=10.99.0.5
t_expect_rc 2 "nic missing on this node" agent start ip=10.214.0.5/24/hbnone0
t_expect_rc 7 "monitor, nic missing on this node" agent monitor ip=10.214.0.5/24/hbnone0
t_expect_rc 0 "stop, nic missing on this node" agent stop ip=10.214.0.5/24/hbnone0
t_expect_rc 3 "unknown action" agent promote ip=10.214.0.5

# --- 5. stop cancels a running announcement; no arping: warn and carry on -------------------------
t_expect_rc 0 "start with a long announcement" agent start ip=$vip arp_count=100 arp_interval=1000
sender=$(cat "$HA_RSCTMP/IPaddr-$OCF_RESOURCE_INSTANCE.arp") || t_fail "no ARP sender pid file"
# running = exists and is not a zombie (an orphan is reaped by whatever init this machine has)
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $st != Z* ]]; }
alive "$sender" || t_fail "ARP sender $sender not running"
t_expect_rc 0 "stop during the announcement" agent stop ip=$vip
sleep 0.2
alive "$sender" && t_fail "ARP sender $sender still running after stop"
[ ! -e "$HA_RSCTMP/IPaddr-$OCF_RESOURCE_INSTANCE.arp" ] || t_fail "ARP pid file left after stop"

bin=$T_DIR/bin
mkdir -p "$bin"
for c in ip sh env; do ln -sf "$(command -v $c)" "$bin/$c"; done
t_expect_rc 0 "start without arping" ip netns exec "$A" env PATH="$bin" OCF_RESKEY_ip=$vip "$AGENT" start
grep -q 'arping.*not found' "$T_DIR/last.err" || t_fail "no warning about the missing arping"
[ -n "$(addr_line $vip)" ] || t_fail "VIP not added without arping"
t_expect_rc 0 "stop without arping" ip netns exec "$A" env PATH="$bin" OCF_RESKEY_ip=$vip "$AGENT" stop
[ -z "$(addr_line $vip)" ] || t_fail "VIP left without arping"
t_log "PASS"
