#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hbd alone dies (kill -9) while its node and resources live on: documented behaviour (no fencing
# yet): the peer starts the group too. When hbd comes back, one copy is stopped and the node that
# keeps the VIP announces it again (gratuitous ARP), so clients follow it at once.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_bridge alpha beta client
VIP="10.$HB_SUBNET.0.100"
for n in alpha beta; do
  hb_config "$n" "$(hb_pair_hacf on)"
  printf 'alpha IPaddr::%s/24/eth0 marker::A\n' "$VIP" > "$HB_T/$n/etc/haresources"
  hb_marker_agent "$n"
done
mac_of() { ip -n "${HB_NODE_NS[$1]}" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
client_mac_for_vip() { ip -n "${HB_NODE_NS[client]}" neigh show "$VIP" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p'; }
# A datagram to the VIP makes the client resolve it (a neighbour entry); gratuitous ARP updates it.
client_sees() { hb_exec client bash -c "echo x > /dev/udp/$VIP/9" 2>/dev/null; sleep 0.05; [ "$(client_mac_for_vip)" = "$1" ]; }

hb_start alpha; hb_start beta
hb_wait 15 hb_vip_on alpha "$VIP" || hb_fail "VIP not on alpha"
hb_wait 5 client_sees "$(mac_of alpha)" || hb_fail "client does not reach the VIP at alpha"

hb_dual_sampler alpha beta "$VIP"
hb_kill9 alpha    # hbd only: the VIP and marker A stay up on alpha
hb_wait 10 hb_vip_on beta "$VIP" || hb_fail "beta did not take over after alpha's hbd died"
hb_vip_on alpha "$VIP" || hb_fail "the VIP vanished from alpha (nothing should have removed it)"
hb_log "documented: with no fencing both nodes now hold $VIP"
hb_wait 5 client_sees "$(mac_of beta)" || hb_fail "client not redirected to beta: $(client_mac_for_vip)"

hb_start alpha    # probes find the group running; one copy is stopped
resolved() { [ "$(hb_vip_count "$VIP" alpha beta)" = 1 ]; }
hb_wait 15 resolved || hb_fail "the double holder was not resolved: VIP on $(hb_vip_count "$VIP" alpha beta) nodes"
keeper=alpha; hb_vip_on beta "$VIP" && keeper=beta
# Without a new announcement the client would keep the loser's MAC until its ARP entry expires.
hb_wait 3 client_sees "$(mac_of $keeper)" || hb_fail "client still at $(client_mac_for_vip), expected $keeper's $(mac_of $keeper)"
hb_pass "double holder resolved on $keeper, VIP re-announced: the client follows at once"
# The one scenario where dual ownership is expected (no fencing yet): the sampler must see it, or it
# could not be trusted to report 0 elsewhere.
dual=$(hb_dual_report)
[ -s "$HB_T/dual.log" ] || hb_fail "the sampler saw no dual ownership where there was some: $dual"
hb_pass "documented, no fencing: $dual"
