#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Cluster test harness: network namespaces, config dirs, real hbd processes, polling, cleanup.
# Source it from a test script:  . "$(dirname "$0")/lib.sh"
#
#   hb_require_netns                 skip (exit 77) without root / ip netns; under CI=true: fail
#   hb_pair A B [O]                  two node namespaces joined by a veth pair: ethO in each, 10.N.O.1 and
#                                    10.N.O.2 (O defaults to 0; hb_pair A B 1 adds a second path, eth1)
#   hb_bridge N...                   nodes on a bridge in a hub namespace (for 3+ nodes)
#   hb_config NODE "ha.cf lines" [authkeys lines]   writes $HB_T/NODE/etc/{ha.cf,authkeys}
#   hb_start NODE [hbd args]         starts hbd -f in NODE's namespace, records its pid
#   hb_kill9 NODE / hb_stop NODE     kill -9 / hbd -k
#   hb_cl NODE ARGS...               cl_status against NODE's daemon
#   hb_ctl NODE ARGS...              hbctl against NODE's daemon
#   hb_wait SECONDS CMD...           poll CMD every 50 ms until it succeeds; fails the test on timeout
#   hb_expect_nodestatus NODE PEER STATE [SECONDS]
#   hb_fail MSG / hb_pass MSG / hb_log MSG
# Everything created is removed by the EXIT trap: processes (by pid), namespaces, temp dirs.
set -u

HB_BUILD=${HB_BUILD:?HB_BUILD must point at the build tree}
HB_SOURCE=${HB_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HB_BIN=$HB_BUILD/bin
HB_PREFIX="hbt$$x"                 # unique namespace prefix for this test run
HB_T=$(mktemp -d "/tmp/hbtest.${HB_PREFIX}.XXXXXX")
HB_NETNS=()                        # namespaces we created
HB_PIDS=()                         # processes we started
declare -A HB_NODE_NS=()           # node -> namespace
declare -A HB_NODE_PID=()          # node -> hbd pid
declare -A HB_NODE_IP=()           # node -> first address
HB_SUBNET=${HB_SUBNET:-$(( ($$ % 200) + 20 ))}   # 10.$HB_SUBNET.x.y, differs between concurrent runs
HB_TEST_NAME=$(basename "$0" .sh)

hb_log() { printf '%s [%s] %s\n' "$(date +%H:%M:%S.%3N)" "$HB_TEST_NAME" "$*"; }
hb_fail() {
  hb_log "FAIL: $*"
  hb_dump_logs
  exit 1
}
hb_pass() { hb_log "PASS: $*"; }

hb_dump_logs() {
  local f
  for f in "$HB_T"/*/hbd.out; do
    [ -f "$f" ] || continue
    echo "----- $f (last 40 lines)"
    tail -n 40 "$f"
  done
}

hb_cleanup() {
  local rc=$? pid ns
  set +e
  for pid in "${HB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${HB_PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  for ns in "${HB_NETNS[@]}"; do
    # Anything still inside one of our namespaces was started by this test (agents, nginx...).
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  [ "${HB_KEEP:-0}" = 1 ] || rm -rf "$HB_T"
  exit $rc
}
trap hb_cleanup EXIT
trap 'exit 1' INT TERM

hb_require_netns() {
  local why=""
  [ "$(id -u)" = 0 ] || why="not root"
  [ -z "$why" ] && ! ip netns list >/dev/null 2>&1 && why="ip netns unavailable"
  if [ -z "$why" ]; then
    ip netns add "${HB_PREFIX}probe" 2>/dev/null && ip netns del "${HB_PREFIX}probe" || why="cannot create a network namespace"
  fi
  [ -x "$HB_BIN/hbd" ] || why="$HB_BIN/hbd not built"
  if [ -n "$why" ]; then
    if [ "${CI:-}" = true ]; then hb_log "FAIL (CI): cluster test needs root and ip netns: $why"; exit 1; fi
    hb_log "SKIP: $why"
    exit 77
  fi
}

hb_ns() {  # create namespace for node $1
  local node=$1 ns="${HB_PREFIX}$1"
  ip netns add "$ns" || hb_fail "ip netns add $ns"
  HB_NETNS+=("$ns")
  ip -n "$ns" link set lo up
  HB_NODE_NS[$node]=$ns
  mkdir -p "$HB_T/$node/etc" "$HB_T/$node/run"
}

# hb_pair A B [third-octet]: veth eth0 in each, 10.S.O.1 and 10.S.O.2
hb_pair() {
  local a=$1 b=$2 o=${3:-0}
  [ -n "${HB_NODE_NS[$a]:-}" ] || hb_ns "$a"
  [ -n "${HB_NODE_NS[$b]:-}" ] || hb_ns "$b"
  local ifa="eth$o" ifb="eth$o"
  ip link add "${HB_PREFIX}v$o" netns "${HB_NODE_NS[$a]}" type veth peer name "${HB_PREFIX}w$o" netns "${HB_NODE_NS[$b]}" \
    || hb_fail "veth"
  ip -n "${HB_NODE_NS[$a]}" link set "${HB_PREFIX}v$o" name "$ifa"
  ip -n "${HB_NODE_NS[$b]}" link set "${HB_PREFIX}w$o" name "$ifb"
  ip -n "${HB_NODE_NS[$a]}" addr add "10.$HB_SUBNET.$o.1/24" dev "$ifa"
  ip -n "${HB_NODE_NS[$b]}" addr add "10.$HB_SUBNET.$o.2/24" dev "$ifb"
  ip -n "${HB_NODE_NS[$a]}" link set "$ifa" up
  ip -n "${HB_NODE_NS[$b]}" link set "$ifb" up
  [ -n "${HB_NODE_IP[$a]:-}" ] || HB_NODE_IP[$a]="10.$HB_SUBNET.$o.1"
  [ -n "${HB_NODE_IP[$b]:-}" ] || HB_NODE_IP[$b]="10.$HB_SUBNET.$o.2"
}

# hb_bridge NODE...: a hub namespace with bridge br0; node i gets eth0 = 10.S.0.(i+1)
hb_bridge() {
  local hub="${HB_PREFIX}hub" i=0 node
  ip netns add "$hub" || hb_fail "ip netns add $hub"
  HB_NETNS+=("$hub")
  ip -n "$hub" link set lo up
  ip -n "$hub" link add br0 type bridge
  ip -n "$hub" link set br0 type bridge stp_state 0 mcast_snooping 0 2>/dev/null
  ip -n "$hub" link set br0 up
  for node in "$@"; do
    i=$((i + 1))
    hb_ns "$node"
    ip link add "${HB_PREFIX}p$i" netns "$hub" type veth peer name "${HB_PREFIX}n$i" netns "${HB_NODE_NS[$node]}" \
      || hb_fail "veth $node"
    ip -n "$hub" link set "${HB_PREFIX}p$i" master br0
    ip -n "$hub" link set "${HB_PREFIX}p$i" up
    ip -n "${HB_NODE_NS[$node]}" link set "${HB_PREFIX}n$i" name eth0
    ip -n "${HB_NODE_NS[$node]}" addr add "10.$HB_SUBNET.0.$((i + 1))/24" dev eth0
    ip -n "${HB_NODE_NS[$node]}" link set eth0 up
    HB_NODE_IP[$node]="10.$HB_SUBNET.0.$((i + 1))"
  done
}

# hb_config NODE HACF_TEXT [AUTHKEYS_TEXT]
hb_config() {
  local node=$1 hacf=$2 keys=${3:-$'auth 1\n1 sha1 hbtestsecret'}
  local d="$HB_T/$node/etc"
  mkdir -p "$d"
  printf '%s\n' "$hacf" > "$d/ha.cf"
  printf '%s\n' "$keys" > "$d/authkeys"
  chmod 600 "$d/authkeys"
}

# hb_pair_hacf AUTO_FAILBACK: the ha.cf most two-node tests use (alpha and beta over ucast on
# eth0, keepalive 100ms, deadtime 500ms), printed for hb_config.
hb_pair_hacf() {
  printf '%s\n' "keepalive 100ms" "deadtime 500ms" "initdead 1" "ucast eth0 ${HB_NODE_IP[alpha]}" \
    "ucast eth0 ${HB_NODE_IP[beta]}" "auto_failback $1" "node alpha beta"
}

# hb_serial_pair_config TTY_ALPHA TTY_BETA: alpha and beta joined only by a serial link (19200 baud,
# keepalive 200ms, deadtime 2: serial is slower than Ethernet).
hb_serial_pair_config() {
  local n dev
  for n in alpha beta; do
    if [ "$n" = alpha ]; then dev=$1; else dev=$2; fi
    hb_config "$n" "$(printf '%s\n' "keepalive 200ms" "deadtime 2" "warntime 1" "initdead 3" "baud 19200" \
      "serial $dev" "auto_failback off" "node alpha beta")"
  done
}

# hb_start NODE [extra hbd args]
# hbd runs in NODE's network namespace and in a mount namespace of its own (ip netns exec makes one,
# not shared with the host) where $HB_HOST is NODE's directory: the one path names "this machine's
# disk" on every node, so files that must differ per node (nginx.conf, see hb_nginx_site) keep the
# haresources line the same on all nodes, as on real machines (a group defined otherwise on a peer is
# never handed over to it).
HB_HOST="$HB_T/host"
hb_start() {
  local node=$1; shift
  local ns=${HB_NODE_NS[$node]}
  mkdir -p "$HB_HOST"
  ip netns exec "$ns" sh -c 'mount --bind "$1" "$2" || exit 125; shift 2; exec "$@"' hb-node "$HB_T/$node" "$HB_HOST" \
    "$HB_BIN/hbd" -f -c "$HB_T/$node/etc" -n "$node" -r "$HB_T/$node/run" --state-dir "$HB_T/$node/hbstate" "$@" \
    >>"$HB_T/$node/hbd.out" 2>&1 &
  local pid=$!
  HB_PIDS+=("$pid")
  HB_NODE_PID[$node]=$pid
  hb_wait 10 test -S "$HB_T/$node/run/hbd.sock" || hb_fail "hbd on $node did not start"
}

hb_kill9() {
  local node=$1
  kill -KILL "${HB_NODE_PID[$node]}" 2>/dev/null
  wait "${HB_NODE_PID[$node]}" 2>/dev/null
  rm -f "$HB_T/$node/run/hbd.sock"
}

hb_stop() {
  local node=$1
  "$HB_BIN/hbd" -k -r "$HB_T/$node/run" || hb_fail "hbd -k on $node failed"
  wait "${HB_NODE_PID[$node]}" 2>/dev/null
}

hb_cl() { local node=$1; shift; "$HB_BIN/cl_status" --socket "$HB_T/$node/run/hbd.sock" "$@"; }
hb_ctl() { local node=$1; shift; "$HB_BIN/hbctl" --socket "$HB_T/$node/run/hbd.sock" "$@"; }
hb_exec() { local node=$1; shift; ip netns exec "${HB_NODE_NS[$node]}" "$@"; }

# hb_wait SECONDS CMD...: true once CMD succeeds; false after SECONDS.
hb_wait() {
  local limit=$1; shift
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}

hb_nodestatus_is() { [ "$(hb_cl "$1" nodestatus "$2" 2>/dev/null)" = "$3" ]; }
hb_linkstatus_is() { [ "$(hb_cl "$1" hblinkstatus "$2" "$3" 2>/dev/null)" = "$4" ]; }

# hb_expect_nodestatus NODE PEER STATE [SECONDS]
hb_expect_nodestatus() {
  local node=$1 peer=$2 state=$3 secs=${4:-15}
  hb_wait "$secs" hb_nodestatus_is "$node" "$peer" "$state" \
    || hb_fail "$node sees $peer as '$(hb_cl "$node" nodestatus "$peer" 2>&1)', expected '$state' within ${secs}s"
}

# hb_log_ms NODE PATTERN OFFSET: ms since the epoch of the first line matching PATTERN in NODE's
# hbd output after byte OFFSET (lines start "2026/11/29_08:15:50.123 node hbd[pid]: ..."). For benchmarks.
hb_log_ms() {
  local line
  line=$(tail -c +"$(( $3 + 1 ))" "$HB_T/$1/hbd.out" | grep -m1 -- "$2") || return 1
  local stamp=${line%% *}
  local d=${stamp%%_*} t=${stamp#*_}
  echo $(( $(date -d "${d//\//-} ${t%.*}" +%s) * 1000 + 10#${t##*.} ))
}

# hb_stats: "median=X p90=Y min=A max=B n=N" of the numbers on stdin. For benchmarks.
hb_stats() {
  sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n=0"; exit}
    m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; p=a[int(0.9*NR+0.999)]; if(p=="")p=a[NR];
    printf "median=%s p90=%s min=%s max=%s n=%d\n", m, p, a[1], a[NR], NR}'
}

# hb_now_ms: wall clock in ms, for measurements printed by tests and benchmarks.
hb_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# hb_marker_agent NODE: installs resource.d/marker, a heartbeat-style script `marker NAME start|stop|status`
# that records every start/stop (with a timestamp) in $HB_T/markers.log and keeps its state in
# $HB_T/NODE/state/NAME. FAIL_START / FAIL_STOP files in $HB_T/NODE/ make it fail on purpose; with
# $HB_T/NODE/SLOW_STATUS its status (hbd's probe) takes 3 s.
hb_marker_agent() {
  local node=$1 d="$HB_T/$1/etc/resource.d"
  mkdir -p "$d" "$HB_T/$node/state"
  cat > "$d/marker" <<EOS
#!/bin/sh
# heartbeat-class test agent: marker NAME start|stop|status
name=\$1; op=\$2; st="$HB_T/$node/state/\$name"
case \$op in
  start) [ -e "$HB_T/$node/FAIL_START_\$name" ] && exit 1
         echo "\$(date +%s%N) $node start \$name" >> "$HB_T/markers.log"; : > "\$st"; exit 0 ;;
  stop)  [ -e "$HB_T/$node/FAIL_STOP_\$name" ] && exit 1
         [ -e "\$st" ] && { rm -f "\$st"; echo "\$(date +%s%N) $node stop \$name" >> "$HB_T/markers.log"; }
         exit 0 ;;
  status) [ -e "$HB_T/$node/SLOW_STATUS" ] && sleep 3
          if [ -e "\$st" ]; then echo "\$name is running"; else echo "\$name is stopped"; fi; exit 0 ;;
esac
exit 1
EOS
  chmod 755 "$d/marker"
}

# hb_markers: the start/stop lines recorded so far, without timestamps ("alpha start A").
hb_markers() { [ -f "$HB_T/markers.log" ] && cut -d' ' -f2- "$HB_T/markers.log"; }

# hb_marker_dual: "marker dual ownership X ms over N groups" from $HB_T/markers.log: per group, the
# time during which two nodes held it. A node holds a group from its "start" line (written before
# the state exists) to its "stop" line (written after it is gone), or to a "NODE crash *" line that
# a test appends when it kills the node (hb_marker_crash). hb_marker_dual_check fails on X > 0.
hb_marker_crash() { echo "$(date +%s%N) $1 crash *" >> "$HB_T/markers.log"; }
hb_marker_dual() {
  python3 - "$HB_T/markers.log" <<'EOF'
import sys, time
holding, dual, since, worst = {}, {}, {}, []
now = time.time_ns()
for line in open(sys.argv[1]):
    ts, node, op, name = line.split()
    ts = int(ts)
    names = [n for (nd, n) in list(holding) if nd == node] if op == "crash" else [name]
    for n in names:
        owners = {nd for (nd, g) in holding if g == n}
        if op == "start":
            holding[(node, n)] = ts
        else:
            holding.pop((node, n), None)
        after = {nd for (nd, g) in holding if g == n}
        if len(owners) < 2 <= len(after):
            since[n] = ts
        elif len(owners) >= 2 > len(after):
            dual[n] = dual.get(n, 0) + (ts - since.pop(n)) / 1e6
for n, t in since.items():
    dual[n] = dual.get(n, 0) + (now - t) / 1e6
groups = {g for line in open(sys.argv[1]) for g in [line.split()[3]] if g != "*"}
bad = sorted(dual.items(), key=lambda kv: -kv[1])
print("marker dual ownership %d ms over %d groups%s" % (round(sum(dual.values())), len(groups),
      " (" + ", ".join("%s %.0f ms" % kv for kv in bad[:5]) + ")" if bad else ""))
EOF
}
hb_marker_dual_check() {
  local r; r=$(hb_marker_dual) || hb_fail "markers.log unreadable"
  case $r in "marker dual ownership 0 ms "*) hb_pass "$r" ;; *) hb_fail "$r" ;; esac
}

# --- Many groups on many nodes (groups_scale_test, groups_bench scale) ---
#   hb_scale_setup GROUPS NODE...    a bridge of NODEs (bcast, keepalive 200ms, deadtime 4, initdead 8,
#                                    auto_failback on) and GROUPS one-marker groups g001.. preferring the
#                                    NODEs in turn (g001 the first node, g002 the second, ...)
#   hb_scale_state GROUPS NODE...    "ONE DUAL NONE PREF": how many groups run on exactly one of the NODEs,
#                                    on two or more, on none, and on exactly their preferred node
#   hb_scale_views GROUPS NODE...    how many of the NODEs' `hbctl status --json` say that every group
#                                    is started on the node whose marker state it has
#   hb_scale_is GROUPS "STATE" NODE... / hb_scale_views_all GROUPS NODE...   the same as conditions (for hb_wait);
#                                    STATE is compared with the first words of hb_scale_state
# hb_cpu_ms NODE...: "NODE=MS ..." user+system CPU time each node's hbd has used (from /proc).
hb_cpu_ms() {
  local n t tck; tck=$(getconf CLK_TCK)
  for n in "$@"; do
    t=$(awk -v k="$tck" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / k) }' "/proc/${HB_NODE_PID[$n]}/stat" 2>/dev/null)
    printf '%s=%s ' "$n" "${t:--}"
  done
}
hb_scale_setup() {
  local groups=$1 i n; shift
  local nodes=("$@")
  hb_bridge "${nodes[@]}"
  for n in "${nodes[@]}"; do
    hb_config "$n" "$(printf '%s\n' "keepalive 200ms" "deadtime 4" "warntime 2" "initdead 8" "bcast eth0" \
      "auto_failback on" "node ${nodes[*]}")"
    hb_marker_agent "$n"
    for i in $(seq 1 "$groups"); do
      printf '%s marker::g%03d\n' "${nodes[$(( (i - 1) % ${#nodes[@]} ))]}" "$i"
    done > "$HB_T/$n/etc/haresources"
  done
}
hb_scale_state() {
  local groups=$1 n; shift
  for n in "$@"; do ls "$HB_T/$n/state" | sed "s/^/$n /"; done | awk -v G="$groups" -v N="$*" '
    { cnt[$2]++; who[$2] = $1 }
    END {
      n = split(N, nd, " ")
      for (i = 1; i <= G; i++) {
        g = sprintf("g%03d", i)
        if (cnt[g] == 0) none++; else if (cnt[g] > 1) dual++; else { one++; if (who[g] == nd[(i - 1) % n + 1]) pref++ }
      }
      printf "%d %d %d %d\n", one, dual, none, pref
    }'
}
hb_scale_is() {
  local groups=$1 want=$2 r; shift 2
  r=$(hb_scale_state "$groups" "$@")
  [ "${r:0:${#want}}" = "$want" ]
}
hb_scale_views_all() { local groups=$1; shift; [ "$(hb_scale_views "$groups" "$@")" = "$#" ]; }
hb_scale_views() {
  local groups=$1 n ok=0; shift
  for n in "$@"; do
    local owners; owners=$(for m in "$@"; do ls "$HB_T/$m/state" | sed "s/^/$m /"; done)
    hb_ctl "$n" status --json 2>/dev/null | python3 -c 'import json,sys
owner = dict(reversed(l.split()) for l in sys.argv[2].splitlines() if l.strip())
gs = json.load(sys.stdin)["groups"]
good = [g for g in gs if g["state"] == "started" and owner.get(g["key"].split("::")[-1]) == g["owner"]]
sys.exit(0 if len(gs) == int(sys.argv[1]) == len(good) else 1)' "$groups" "$owners" && ok=$((ok + 1))
  done
  echo "$ok"
}

# hb_vip_on NODE IP: the address is plumbed in NODE's namespace.
hb_vip_on() { ip -n "${HB_NODE_NS[$1]}" -4 -o addr show | grep -q " $2/"; }

# hb_dual_sampler NODE_A NODE_B VIP...: samples, every ~5 ms in the background, whether each VIP is
# on both nodes (dual_sampler.py: A, then B, then A again, each read in-process after setns; dual
# only when all three hold). hb_dual_report prints the result; hb_dual_check fails the test on any
# dual ownership.
hb_dual_sampler() {
  local a=${HB_NODE_NS[$1]} b=${HB_NODE_NS[$2]}; shift 2
  : > "$HB_T/dual.log"
  python3 "$HB_SOURCE/tests/cluster/dual_sampler.py" "$HB_T/dual.log" "$HB_T/dual.samples" "$a" "$b" "$@" \
    2>> "$HB_T/dual.err" &
  HB_PIDS+=($!)
}
# hb_dual_report: "dual ownership 0 ms in N samples" or "dual ownership X ms in N samples
# (VIP from HH:MM:SS.mmm, ...)": samples of one VIP less than 100 ms apart count as one stretch,
# each stretch as its length plus one 5 ms sample period.
hb_dual_report() {
  python3 - "$HB_T/dual.log" "$(cat "$HB_T/dual.samples" 2>/dev/null || echo 0)" <<'EOF'
import sys, time
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by_vip = {}
for ns, vip in rows:
    by_vip.setdefault(vip, []).append(int(ns))
total, first = 0.0, []
for vip, ts in by_vip.items():
    ts.sort()
    start = prev = ts[0]
    for t in ts[1:] + [None]:
        if t is not None and t - prev < 100_000_000:
            prev = t
            continue
        total += (prev - start) / 1e6 + 5
        first.append("%s from %s.%03d" % (vip, time.strftime("%H:%M:%S", time.localtime(start / 1e9)),
                                          start // 1_000_000 % 1000))
        if t is not None:
            start = prev = t
print("dual ownership %d ms in %s samples%s" % (round(total), sys.argv[2],
                                               " (" + ", ".join(first[:5]) + ")" if first else ""))
EOF
}
hb_dual_check() {
  local r; r=$(hb_dual_report)
  [ -s "$HB_T/dual.log" ] && hb_fail "$r"
  [ "$(cat "$HB_T/dual.samples" 2>/dev/null || echo 0)" -gt 0 ] || hb_fail "the dual-ownership sampler never ran: $(cat "$HB_T/dual.err" 2>/dev/null)"
  hb_pass "$r"
}

# hb_group_state NODE: "state owner" of the first group as NODE sees it.
hb_group_owner() {
  hb_ctl "$1" status --json 2>/dev/null | python3 -c 'import json,sys
d=json.load(sys.stdin); g=d["groups"][int(sys.argv[1]) if len(sys.argv)>1 else 0]
print(g["owner"] or "-", g["state"])' "${2:-0}"
}

# --- Resource groups with nginx, clients and whole-node failures (demo, groups_*_test, groups_bench) ---
#   hb_nginx_site NODE [PORT]        writes $HB_T/NODE/nginx/nginx.conf: nginx on 0.0.0.0:PORT whose page says
#                                    "served by NODE"; prints its path as hbd on NODE sees it ($HB_HOST/nginx/nginx.conf,
#                                    the same on every node, see hb_start)
#   hb_http_poller CLIENT IP LOG     polls http://IP/ every 20 ms from CLIENT's namespace (0.2 s timeout per poll);
#                                    its pid is in HB_POLLER_PID (call it directly, not in $(...))
#   hb_http_outage LOG T0_MS [WHO]   "BEGIN_MS END_MS OUTAGE_MS": the first failed poll at or after T0, the first
#                                    poll after it served (by WHO if given), the gap between the OK polls around it
#   hb_http_get CLIENT IP            one GET from CLIENT's namespace; prints the page
#   hb_node_crash NODE [VIP...]      power failure: kill -9 hbd and every process in NODE's namespace, eth0 down,
#                                    and the node "reboots" without the VIPs and marker state it held
#   hb_node_boot NODE                eth0 up again (start hbd with hb_start)
#   hb_vip_count IP NODE...          on how many of the NODEs the address is plumbed
#   hb_group_field NODE KEY FIELD    one field ("state", "owner", ...) of the group with KEY in NODE's hbctl status --json
#   hb_group_is NODE KEY FIELD VALUE that field has that value (for hb_wait)

hb_nginx_site() {
  local node=$1 port=${2:-80} d="$HB_T/$1/nginx"
  mkdir -p "$d/www" "$d/tmp"
  printf 'served by %s\n' "$node" > "$d/www/index.html"
  cat > "$d/nginx.conf" <<EOF
# nginx for node $node (hbd cluster test): started and stopped by ocf:hbd:nginx
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 128; }
http {
  access_log off;
  keepalive_timeout 0;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  server {
    listen $port;
    root $d/www;
    index index.html;
  }
}
EOF
  echo "$HB_HOST/nginx/nginx.conf"
}

# The poller starts one request every 20 ms, each in its own thread, so that a request hanging
# on a dead node (up to its 0.2 s timeout) does not delay the next one. One line per request, in
# completion order: "START_MS ok|fail TEXT".
hb_http_poller() {
  local client=$1 ip=$2 log=$3
  ip netns exec "${HB_NODE_NS[$client]}" python3 -u -c '
import socket, sys, threading, time
ip, out = sys.argv[1], open(sys.argv[2], "a", buffering=1)
lock = threading.Lock()
def poll(t0):
    res = "fail"
    try:
        deadline = t0 + 0.2
        s = socket.create_connection((ip, 80), timeout=0.2)
        s.settimeout(max(0.01, deadline - time.time()))
        s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
        data = b""
        while True:
            s.settimeout(max(0.01, deadline - time.time()))
            c = s.recv(4096)
            if not c:
                break
            data += c
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        if head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"):
            res = "ok " + body.decode(errors="replace").strip()
        else:
            res = "fail " + head.split(b"\r\n")[0].decode(errors="replace")
    except Exception as e:
        res = "fail " + type(e).__name__
    with lock:
        out.write("%d %s\n" % (int(t0 * 1000), res))
nxt = time.time()
while True:
    threading.Thread(target=poll, args=(time.time(),), daemon=True).start()
    nxt += 0.02
    time.sleep(max(0.0, nxt - time.time()))
' "$ip" "$log" >/dev/null 2>&1 &
  HB_POLLER_PID=$!
  HB_PIDS+=("$HB_POLLER_PID")
}

hb_http_outage() {
  python3 - "$1" "$2" "${3:-}" <<'EOF'
import sys
log, t0, who = sys.argv[1], int(sys.argv[2]), sys.argv[3]
polls = []
for line in open(log):
    p = line.rstrip("\n").split(" ", 2)
    if len(p) >= 2 and p[0].isdigit():
        polls.append((int(p[0]), p[1] == "ok", p[2] if len(p) > 2 else ""))
polls.sort()
first_fail = next((i for i, p in enumerate(polls) if p[0] >= t0 and not p[1]), None)
if first_fail is None:
    print("none"); sys.exit(1)
last_ok = max((p[0] for p in polls[:first_fail] if p[1]), default=None)
end = next((p[0] for p in polls[first_fail:] if p[1] and (not who or ("served by " + who) in p[2])), None)
if end is None or last_ok is None:
    print("%d open -1" % polls[first_fail][0]); sys.exit(1)
print("%d %d %d" % (polls[first_fail][0], end, end - last_ok))
EOF
}

hb_http_get() {
  ip netns exec "${HB_NODE_NS[$1]}" curl -s --max-time 2 "http://$2/"
}

hb_node_crash() {
  local node=$1 ns=${HB_NODE_NS[$1]} pid ip; shift
  kill -KILL "${HB_NODE_PID[$node]}" 2>/dev/null
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  ip -n "$ns" link set eth0 down
  wait "${HB_NODE_PID[$node]}"
  rm -f "$HB_T/$node/run/hbd.sock"
  # What a reboot forgets: addresses added at run time, marker state.
  for ip in "$@"; do ip -n "$ns" addr del "$ip/24" dev eth0 2>/dev/null; done
  rm -f "$HB_T/$node/state/"*
  return 0
} 2>/dev/null   # also hides bash's "Killed" notice for the hbd job

hb_node_boot() { ip -n "${HB_NODE_NS[$1]}" link set eth0 up; }

hb_vip_count() {
  local ip=$1 n c=0; shift
  for n in "$@"; do hb_vip_on "$n" "$ip" && c=$((c + 1)); done
  echo "$c"
}

hb_group_field() {
  hb_ctl "$1" status --json 2>/dev/null | python3 -c 'import json,sys
d=json.load(sys.stdin)
for g in d["groups"]:
    if g["key"] == sys.argv[1] or g["id"] == sys.argv[1]:
        v = g[sys.argv[2]]
        print("-" if v is None else (",".join(v) if isinstance(v, list) else v))' "$2" "$3"
}
# hb_group_is NODE KEY FIELD VALUE: for hb_wait (which runs its command again on every poll).
hb_group_is() { [ "$(hb_group_field "$1" "$2" "$3")" = "$4" ]; }

# --- VRRP: hbd as a VRRP router, keepalived 2.2.7 as its peer (vrrp_*_test, vrrp_bench) ---
#   hb_require_keepalived            skip (77) without keepalived; under CI=true: fail
#   hb_vrrp_instance NAME IF VRID PRIO VIP [OPT...]   prints a vrrp_instance block (keepalived syntax, read by both);
#                                    OPT: version=2|3 advert=S pass=PW nopreempt src=IP peers="IP..." track=SCRIPT
#                                    extra="LINES"; the instance starts in BACKUP, the VIP is on IF
#   hb_vrrp_script NAME CMD WEIGHT [INTERVAL]         prints a vrrp_script block (rise 1, fall 1)
#   hb_vrrp_config NODE TEXT         writes $HB_T/NODE/etc/vrrp.conf (a dir with only vrrp.conf: pure VRRP router)
#   hb_ka_start NODE TEXT            keepalived -P -n in NODE's namespace ($HB_T/NODE/ka/: keepalived.conf, pid
#                                    files, keepalived.log, state written by a notify script added to each instance)
#   hb_ka_kill9 NODE / hb_ka_stop NODE   kill -9 parent and VRRP child / SIGTERM and wait (KILL after 10 s)
#   hb_ka_state NODE / hb_ka_is NODE STATE   MASTER, BACKUP, FAULT (notify script), DEAD after hb_ka_kill9/stop
#   hb_vrrp NODE [INSTANCE]          "STATE PRIORITY" of INSTANCE (default VI_1) from `hbctl vrrp`
#   hb_vrrp_is NODE "STATE PRIO" [INSTANCE]
#   hb_vrrp_field NODE PATH [INSTANCE]   a field of the instance in `hbctl status --json` ("dropped.auth_mismatch")
#   hb_anchor NODE                   a `sleep infinity` in NODE's namespace, for hb_vip_fast
#   hb_vip_fast NODE IP              the address is local in NODE's namespace (reads /proc/ANCHOR/net/fib_trie, no fork)
#   hb_poll_ms LIMIT_S T0_US CMD...  polls CMD every 10 ms until true; HB_POLL_MS = ms since T0_US (${EPOCHREALTIME/./});
#                                    returns 1 (HB_POLL_MS=-1) after LIMIT_S seconds
#   hb_vrrp_fail MSG                 hb_fail, after the keepalived logs and the hbctl vrrp view of every node
#   hb_vrrp_kill9 NODE / hb_vrrp_term NODE   kill -9 hbd / SIGTERM hbd, which must exit 0; the pid is forgotten
#   hb_forget_pid PID                a process known dead leaves HB_PIDS (pids are reused: cleanup must not hit
#                                    a stranger)
declare -A HB_KA_PID=()            # node -> keepalived parent pid
declare -A HB_ANCHOR=()            # node -> pid of a process inside its namespace
HB_KA=${HB_KA:-$(command -v keepalived || echo /usr/sbin/keepalived)}

hb_require_keepalived() {
  [ -x "$HB_KA" ] && return 0
  if [ "${CI:-}" = true ]; then hb_log "FAIL (CI): keepalived is not installed (tests/deps.sh)"; exit 1; fi
  hb_log "SKIP: keepalived is not installed"
  exit 77
}

hb_vrrp_instance() {
  local name=$1 ifc=$2 vrid=$3 prio=$4 vip=$5; shift 5
  local version=2 advert=1 pass="" nopreempt=0 src="" peers="" track="" extra="" kv p
  for kv in "$@"; do
    case $kv in
      version=*) version=${kv#*=} ;;
      advert=*) advert=${kv#*=} ;;
      pass=*) pass=${kv#*=} ;;
      nopreempt) nopreempt=1 ;;
      src=*) src=${kv#*=} ;;
      peers=*) peers=${kv#*=} ;;
      track=*) track=${kv#*=} ;;
      extra=*) extra=${kv#*=} ;;
      *) hb_fail "hb_vrrp_instance: unknown option '$kv'" ;;
    esac
  done
  printf 'vrrp_instance %s {\n  state BACKUP\n  interface %s\n  virtual_router_id %s\n  priority %s\n' \
    "$name" "$ifc" "$vrid" "$prio"
  printf '  version %s\n  advert_int %s\n' "$version" "$advert"
  [ -z "$pass" ] || printf '  authentication {\n    auth_type PASS\n    auth_pass %s\n  }\n' "$pass"
  [ "$nopreempt" = 0 ] || printf '  nopreempt\n'
  [ -z "$src" ] || printf '  unicast_src_ip %s\n' "$src"
  if [ -n "$peers" ]; then
    printf '  unicast_peer {\n'
    for p in $peers; do printf '    %s\n' "$p"; done
    printf '  }\n'
  fi
  [ -z "$track" ] || printf '  track_script {\n    %s\n  }\n' "$track"
  [ -z "$extra" ] || printf '%s\n' "$extra"
  printf '  virtual_ipaddress {\n    %s dev %s\n  }\n}\n' "$vip" "$ifc"
}

hb_vrrp_script() {
  printf 'vrrp_script %s {\n  script "%s"\n  interval %s\n  weight %s\n  rise 1\n  fall 1\n}\n' \
    "$1" "$2" "${4:-1}" "$3"
}

hb_vrrp_config() {
  mkdir -p "$HB_T/$1/etc"
  printf '%s\n' "$2" > "$HB_T/$1/etc/vrrp.conf"
}

hb_ka_start() {
  local node=$1 text=$2 d="$HB_T/$1/ka" pid
  mkdir -p "$d"
  rm -f "$d/state" "$d"/*.pid
  cat > "$d/notify.sh" <<EOS
#!/bin/sh
# keepalived notify: notify.sh INSTANCE NAME STATE PRIORITY
echo "\$3" > "$d/state.tmp" && mv -f "$d/state.tmp" "$d/state"
echo "\$(date +%s.%N) \$2 \$3 \$4" >> "$d/notify.log"
EOS
  chmod 755 "$d/notify.sh"
  {
    printf 'global_defs {\n  router_id ka-%s\n  script_user root\n  enable_script_security\n}\n' "$node"
    printf '%s\n' "$text" | awk -v n="$d/notify.sh" '{ print } /^vrrp_instance / { print "  notify " n }'
  } > "$d/keepalived.conf"
  echo "=== $(date +%H:%M:%S.%3N) start" >> "$d/keepalived.log"
  ip netns exec "${HB_NODE_NS[$node]}" "$HB_KA" -P -n -l -D -f "$d/keepalived.conf" -p "$d/keepalived.pid" \
    -r "$d/vrrp.pid" -c "$d/checkers.pid" -b "$d/bfd.pid" >> "$d/keepalived.log" 2>&1 < /dev/null &
  pid=$!
  HB_PIDS+=("$pid")
  HB_KA_PID[$node]=$pid
  hb_wait 10 test -s "$d/vrrp.pid" || hb_vrrp_fail "keepalived on $node did not start"
}

hb_forget_pid() {
  local p keep=()
  for p in "${HB_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  HB_PIDS=("${keep[@]}")
}

hb_vrrp_kill9() {
  hb_kill9 "$1"
  hb_forget_pid "${HB_NODE_PID[$1]}"
} 2>/dev/null

hb_vrrp_term() {
  local rc
  kill -TERM "${HB_NODE_PID[$1]}"
  wait "${HB_NODE_PID[$1]}"
  rc=$?
  hb_forget_pid "${HB_NODE_PID[$1]}"
  rm -f "$HB_T/$1/run/hbd.sock"
  [ "$rc" = 0 ] || hb_vrrp_fail "hbd on $1 exited $rc after SIGTERM"
}

hb_ka_kill9() {
  local node=$1 d="$HB_T/$1/ka" c
  c=$(cat "$d/vrrp.pid" 2>/dev/null)
  # The VRRP child first: it dies with no word (a parent dying first would send it SIGTERM, its
  # PDEATHSIG, and it would send a priority-0 advert); the parent, killed next, has no time to respawn it.
  kill -KILL $c "${HB_KA_PID[$node]}" 2>/dev/null
  wait "${HB_KA_PID[$node]}" 2>/dev/null
  hb_forget_pid "${HB_KA_PID[$node]}"
  echo DEAD > "$d/state"
  rm -f "$d"/*.pid
  return 0
} 2>/dev/null

hb_ka_stop() {
  local node=$1 d="$HB_T/$1/ka" pid=${HB_KA_PID[$1]}
  kill -TERM "$pid" 2>/dev/null
  hb_wait 10 eval "! kill -0 $pid" || hb_ka_kill9 "$node"
  wait "$pid" 2>/dev/null
  hb_forget_pid "$pid"
  echo DEAD > "$d/state"
  rm -f "$d"/*.pid
  return 0
}

hb_ka_state() { cat "$HB_T/$1/ka/state" 2>/dev/null || echo NONE; }
hb_ka_is() { [ "$(hb_ka_state "$1")" = "$2" ]; }

hb_vrrp() { hb_ctl "$1" vrrp 2>/dev/null | awk -v i="${2:-VI_1}" '$1 == i { print $2, $3 }'; }
hb_vrrp_is() { [ "$(hb_vrrp "$1" "${3:-VI_1}")" = "$2" ]; }

hb_vrrp_field() {
  hb_ctl "$1" status --json 2>/dev/null | python3 -c 'import json,sys
for i in json.load(sys.stdin)["vrrp"]:
    if i["name"] == sys.argv[2]:
        v = i
        for k in sys.argv[1].split("."):
            v = v[k]
        print(v)' "$2" "${3:-VI_1}"
}

hb_anchor() {
  ip netns exec "${HB_NODE_NS[$1]}" sleep infinity &
  HB_PIDS+=("$!")
  HB_ANCHOR[$1]=$!
}

hb_vip_fast() {
  local c="" re="\|-- ${2//./\\.}[[:space:]]+/32 host LOCAL"
  read -r -d '' c < "/proc/${HB_ANCHOR[$1]}/net/fib_trie"
  [[ $c =~ $re ]]
}

# shellcheck disable=SC2034  # HB_POLL_MS is the result, read by the caller
hb_poll_ms() {
  local limit=$1 t0=$2 now; shift 2
  while :; do
    if "$@" >/dev/null 2>&1; then
      now=${EPOCHREALTIME/./}
      HB_POLL_MS=$(( (now - t0) / 1000 ))
      return 0
    fi
    now=${EPOCHREALTIME/./}
    if (( now - t0 > limit * 1000000 )); then HB_POLL_MS=-1; return 1; fi
    sleep 0.01
  done
}

hb_vrrp_fail() {
  local f n
  for f in "$HB_T"/*/ka/keepalived.log; do
    [ -f "$f" ] || continue
    echo "----- $f (last 30 lines)"
    tail -n 30 "$f"
  done
  for n in "${!HB_NODE_PID[@]}"; do echo "----- hbctl vrrp on $n: $(hb_ctl "$n" vrrp 2>&1)"; done
  hb_fail "$@"
}
