#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf_tester_ipaddr.sh: ocf:hbd:IPaddr passes ocf-tester inside a private network namespace,
# with explicit parameters, with nic/netmask found from the routing table, and with a
# heartbeat shorthand plus a label.

# shellcheck source=ocf_test_common.sh
. "$(dirname "$0")/ocf_test_common.sh"

t_need_root
t_need_cmd ocf-tester xmllint ip
t_setup_ocf_root

ns=hbocfip$$
t_netns "$ns"
ip -n "$ns" link add hbv0 type veth peer name hbv1 || t_fail "veth"
ip -n "$ns" link set hbv0 up || t_fail "hbv0 up"
ip -n "$ns" link set hbv1 up || t_fail "hbv1 up"
ip -n "$ns" addr add 10.213.0.1/24 dev hbv0 || t_fail "base address"

T_NS=$ns  # ocf-tester runs every action inside the namespace, as hbd would run it there
t_ocf_tester IPaddr -n hbocf_ip1 -o ip=10.213.0.10 -o cidr_netmask=24 -o nic=hbv0 -o arp_count=1
t_ocf_tester IPaddr -n hbocf_ip2 -o ip=10.213.0.11 -o arp_count=2 -o arp_interval=50
t_ocf_tester IPaddr -n hbocf_ip3 -o ip=10.213.0.12/24/hbv0/10.213.0.255 -o label=vip

left=$(ip -n "$ns" -o -4 addr show dev hbv0 | grep -c 'inet 10\.213\.0\.1[0-2]/')
[ "$left" = 0 ] || t_fail "ocf-tester left $left addresses behind"
t_log "PASS"
