#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The live demo: on a fresh Debian 12 machine, as root, from a clone of the repository:
#
#     bash tests/demo.sh
#
# 1. installs the Debian packages that are missing (tests/deps.sh);
# 2. builds hbd (Release, in build-demo/ of the repository);
# 3. starts a two-node cluster, alpha and beta, each in its own network namespace, plus a client
#    namespace, all joined by a bridge in a fourth namespace. One resource group: a virtual IP and
#    an nginx whose page says which node serves it;
# 4. powers alpha off (every process in its namespace killed, its link down) while the client
#    polls the VIP every 20 ms, and prints when the client saw the outage begin and end;
# 5. brings alpha back and shows auto_failback moving the group home;
# 6. removes everything it created (namespaces, processes, temporary files).
#
# Nothing touches the host's network: all traffic stays inside the namespaces (10.x addresses).
# Environment: HB_DEMO_SKIP_BUILD=1 reuses an existing build; HB_BUILD=DIR uses another build tree.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
T_START=$(date +%s%N)

say() { printf '%s  %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }
step() { printf '\n%s  == %s ==\n' "$(date +%H:%M:%S.%3N)" "$*"; }
show() { sed 's/^/        | /'; }   # indents command output under the line that announced it
die() { say "DEMO FAILED: $*"; exit 1; }

if [ "$(id -u)" != 0 ]; then
  echo "demo.sh: run me as root (it creates network namespaces and installs packages)" >&2
  exit 1
fi

step "1/6 Debian packages (tests/deps.sh installs whatever is missing)"
bash "$REPO/tests/deps.sh" || die "tests/deps.sh failed"
say "packages present"

step "2/6 Build (cmake Release build in build-demo/)"
export HB_BUILD=${HB_BUILD:-$REPO/build-demo}
if [ "${HB_DEMO_SKIP_BUILD:-0}" = 1 ] && [ -x "$HB_BUILD/bin/hbd" ]; then
  say "HB_DEMO_SKIP_BUILD=1: using $HB_BUILD as it is"
else
  BUILD_LOG=$(mktemp /tmp/hbd-demo-build.XXXXXX.log)
  say "configuring and building the programs (log: $BUILD_LOG); the first build takes a few minutes"
  # HB_WERROR=OFF: a newer or older compiler's new warnings must not stop the demo; `tests/run.sh`
  # is where warnings are errors.
  if ! { cmake -S "$REPO" -B "$HB_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHB_WERROR=OFF &&
         cmake --build "$HB_BUILD" -j"$(nproc)" --target hbd cl_status hbctl hb_standby haresources2cib; } \
       >"$BUILD_LOG" 2>&1; then
    tail -n 30 "$BUILD_LOG"
    die "build failed (full log: $BUILD_LOG)"
  fi
  rm -f "$BUILD_LOG"
  say "built: $(cd "$HB_BUILD/bin" && echo hbd cl_status hbctl hb_standby hb_takeover) in $HB_BUILD/bin"
fi

# The cluster harness: namespaces, config dirs, hbd processes; its EXIT trap removes everything.
# shellcheck source=cluster/lib.sh
. "$REPO/tests/cluster/lib.sh"
hb_require_netns
say "$("$HB_BIN/hbd" --version | head -n 1)"

step "3/6 Two nodes and a client on a bridge, each in its own network namespace"
hb_bridge alpha beta client
VIP="10.$HB_SUBNET.0.100"
say "alpha  ${HB_NODE_IP[alpha]}   (namespace ${HB_NODE_NS[alpha]})"
say "beta   ${HB_NODE_IP[beta]}   (namespace ${HB_NODE_NS[beta]})"
say "client ${HB_NODE_IP[client]}   (namespace ${HB_NODE_NS[client]})"
say "virtual IP (the service address) $VIP"
for n in alpha beta; do
  hb_config "$n" "# heartbeats every 100 ms over UDP unicast; a silent peer is dead after 500 ms
keepalive 100ms
deadtime 500ms
warntime 300ms
initdead 1
ucast eth0 ${HB_NODE_IP[alpha]}
ucast eth0 ${HB_NODE_IP[beta]}
# the group goes home to its preferred node when that node returns
auto_failback on
logfile $HB_T/$n/ha-log
node alpha beta"
  conf=$(hb_nginx_site "$n")
  # Group: start the VIP, then nginx (stop: right to left). Preferred node: alpha.
  printf 'alpha IPaddr::%s/24/eth0 ocf:hbd:nginx::configfile=%s\n' "$VIP" "$conf" > "$HB_T/$n/etc/haresources"
done
say "ha.cf of alpha:"
grep -v '^#' "$HB_T/alpha/etc/ha.cf" | show
say "authkeys (mode $(stat -c %a "$HB_T/alpha/etc/authkeys")): auth 1 / 1 sha1 <secret>"
say "haresources (one group, the same line on both nodes; $HB_HOST is each node's own directory, and each node's nginx.conf makes its page say 'served by <node>'):"
show < "$HB_T/alpha/etc/haresources"
"$HB_BIN/hbd" --check -c "$HB_T/alpha/etc" -n alpha >/dev/null 2>&1 || die "hbd --check refuses the configuration"
say "hbd --check: configuration OK"

step "4/6 Start hbd on both nodes"
t=$(hb_now_ms)
hb_start alpha
hb_start beta
hb_wait 20 hb_vip_on alpha "$VIP" || hb_fail "the VIP did not come up on alpha"
served_by() { [ "$(hb_http_get client "$VIP")" = "served by $1" ]; }
hb_wait 20 served_by alpha || hb_fail "the client is not served by alpha"
say "group running on alpha $(( $(hb_now_ms) - t )) ms after start; the client asks http://$VIP/ and gets: $(hb_http_get client "$VIP")"
hb_wait 10 hb_group_is beta "IPaddr::$VIP/24/eth0" owner alpha || true
say "cl_status on beta:  nodestatus alpha = $(hb_cl beta nodestatus alpha), rscstatus = $(hb_cl beta rscstatus);  on alpha: rscstatus = $(hb_cl alpha rscstatus)"
say "hbctl status on beta:"
hb_ctl beta status | sed -n '/^Nodes:/,/^$/p;/^Resource groups:/,$p' | show

step "5/6 Failover: alpha loses power"
POLL="$HB_T/poll.log"
hb_http_poller client "$VIP" "$POLL"
say "the client now polls http://$VIP/ every 20 ms (each request may take 200 ms)"
sleep 1
t0=$(hb_now_ms)
hb_node_crash alpha "$VIP"
say "alpha is down: hbd and nginx killed (kill -9 on every process in its namespace), eth0 down"
hb_wait 20 served_by beta || hb_fail "the client is not served by beta"
sleep 0.2
read -r b e gap < <(hb_http_outage "$POLL" "$t0" beta) || hb_fail "no outage seen in the client's polls"
say "client: outage began $(date -d @"$((b / 1000)).$(printf %03d $((b % 1000)))" +%H:%M:%S.%3N) (+$((b - t0)) ms), ended $(date -d @"$((e / 1000)).$(printf %03d $((e % 1000)))" +%H:%M:%S.%3N) (+$((e - t0)) ms): \"$(hb_http_get client "$VIP")\""
say ">>> the client was without service for ${gap} ms (deadtime 500 ms + starting the group on beta)"
FAILOVER_GAP=$gap
say "hbctl status on beta:"
hb_ctl beta status | sed -n '/^Nodes:/,/^$/p;/^Resource groups:/,$p' | show
say "hbctl history on beta (the failover timeline, times since alpha was declared dead):"
hb_ctl beta history | tail -n 8 | show
say "beta's log about it:"
grep -E 'is dead|Starting group|start .*: ok|Group .* started' "$HB_T/beta/ha-log" | tail -n 6 | cut -c1-150 | show

step "6/6 alpha comes back: auto_failback on moves the group home"
hb_node_boot alpha
: > "$POLL"
t1=$(hb_now_ms)
hb_start alpha
say "alpha's eth0 is up and hbd runs again"
hb_wait 20 hb_vip_on alpha "$VIP" || hb_fail "no failback to alpha"
hb_wait 20 served_by alpha || hb_fail "the client is not served by alpha after the failback"
sleep 0.2
say "the group is back on alpha $(( $(hb_now_ms) - t1 )) ms after hbd started there: \"$(hb_http_get client "$VIP")\""
if read -r b e gap < <(hb_http_outage "$POLL" "$t1" alpha); then
  say ">>> planned hand-back (beta stops nginx and the VIP, then alpha starts them): the client waited ${gap} ms"
else
  say ">>> the client saw no failed request during the hand-back"
fi
hb_vip_on beta "$VIP" && hb_fail "the VIP is still on beta"
say "cl_status rscstatus: alpha = $(hb_cl alpha rscstatus), beta = $(hb_cl beta rscstatus)"
say "hbctl history on alpha:"
hb_ctl alpha history | tail -n 8 | show

step "Done"
say "failover after a power loss: ${FAILOVER_GAP} ms without service; failback: automatic"
say "total $(( ($(date +%s%N) - T_START) / 1000000 )) ms; cleaning up (hbd stopped, namespaces and files removed)"
exit 0
