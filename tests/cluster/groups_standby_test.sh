#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 3: hb_standby and hb_takeover with each argument (all, local, foreign, failback, none,
# and a bogus word) with TWO groups, one preferred by each node, reproducing row by row the table
# measured on heartbeat 3.0.6 (heartbeat-baseline.md, "hb_standby / hb_takeover"; every command
# runs on alpha, each row starts from the state the row above left). Then `hbd -k` on the node
# holding both groups: they move to the peer. Throughout: a group stops right to left on the old
# node before it starts left to right on the new one, and the VIP is never on both nodes.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_bridge alpha beta
V1="10.$HB_SUBNET.0.100"   # group G1, preferred by alpha: IPaddr V1, marker A1, marker A2
V2="10.$HB_SUBNET.0.101"   # group G2, preferred by beta:  IPaddr V2, marker B1, marker B2
for n in alpha beta; do
  # initdead 3: beta may start a second after alpha on a loaded machine; the initial placement
  # (one group on each node) assumes they meet within initdead.
  hb_config "$n" "$(hb_pair_hacf off | sed "s/^initdead 1$/initdead 3/")"
  printf 'alpha IPaddr::%s/24/eth0 marker::A1 marker::A2\nbeta IPaddr::%s/24/eth0 marker::B1 marker::B2\n' \
    "$V1" "$V2" > "$HB_T/$n/etc/haresources"
  hb_marker_agent "$n"
done
declare -A VIP=([G1]=$V1 [G2]=$V2)
declare -A MK=([G1]=A [G2]=B)

hb_start alpha
hb_start beta

# holder G: the node running the whole group G (its VIP and both markers), "-" if none, "BOTH!" if two.
holder() {
  local g=$1 n h="-"
  for n in alpha beta; do
    if hb_vip_on "$n" "${VIP[$g]}" && [ -e "$HB_T/$n/state/${MK[$g]}1" ] && [ -e "$HB_T/$n/state/${MK[$g]}2" ]; then
      [ "$h" = "-" ] && h=$n || h="BOTH!"
    fi
  done
  echo "$h"
}
# state: "A:<groups on alpha> B:<groups on beta> rsc:<rscstatus alpha>/<rscstatus beta>"
state() {
  local a="" b="" g
  for g in G1 G2; do
    case $(holder "$g") in alpha) a="$a$g " ;; beta) b="$b$g " ;; -) ;; *) echo "BOTH"; return ;; esac
  done
  echo "A:${a% } B:${b% } rsc:$(hb_cl alpha rscstatus 2>/dev/null)/$(hb_cl beta rscstatus 2>/dev/null)"
}
state_is() { [ "$(state)" = "$1" ]; }

# A sampler that records every moment a VIP is on both nodes.
hb_dual_sampler alpha beta "$V1" "$V2"

# check_moves MOVES: MOVES is "-" or a list like "G1:alpha>beta G2:beta>alpha". For each group that
# moved, the markers show exactly: old stop 2, old stop 1, new start 1, new start 2 (in time order);
# the old node's stop timeline stops the markers before the VIP; groups that did not move have no
# marker events.
check_moves() {
  python3 - "$HB_T/markers.log" "$1" <<'EOF' || return 1
import sys
log, moves = sys.argv[1], sys.argv[2]
ev = []
try:
    for line in open(log):
        ts, node, op, name = line.split()
        ev.append((int(ts), node, op, name))
except FileNotFoundError:
    pass
ev.sort()
want = {}
if moves != "-":
    for m in moves.split():
        g, path = m.split(":")
        old, new = path.split(">")
        letter = {"G1": "A", "G2": "B"}[g]
        want[letter] = [(old, "stop", letter + "2"), (old, "stop", letter + "1"),
                        (new, "start", letter + "1"), (new, "start", letter + "2")]
for letter in "AB":
    got = [(n, o, x) for _, n, o, x in ev if x[0] == letter]
    if got != want.get(letter, []):
        print("group with markers %s1/%s2: expected %s, got %s" % (letter, letter, want.get(letter, []), got))
        sys.exit(1)
EOF
  local m g old
  [ "$1" = "-" ] && return 0
  for m in $1; do
    g=${m%%:*}; old=${m#*:}; old=${old%%>*}
    # The old node's latest stop timeline of this group: marker 2, marker 1, then the IPaddr.
    order=$(hb_ctl "$old" history --json | python3 -c 'import json,sys
vip=sys.argv[1]
h=[e for e in json.load(sys.stdin)["history"] if e["group"].endswith(vip) and e["outcome"]=="stopped"]
print(",".join(w["what"].split()[1].rstrip(":") for w in h[-1]["events"] if w["what"].startswith("stop ")) if h else "none")' "${VIP[$g]}")
    exp="marker_${MK[$g]}2,marker_${MK[$g]}1,IPaddr_${VIP[$g]}"
    [ "$order" = "$exp" ] || { echo "stop timeline of $g on $old: $order (expected $exp)"; return 1; }
  done
}

# row LABEL TOOL ARG EXPECTED_STATE MOVES
row() {
  local label=$1 tool=$2 arg=$3 want=$4 moves=$5 out rc
  : > "$HB_T/markers.log"
  out=$("$HB_BIN/$tool" --socket "$HB_T/alpha/run/hbd.sock" $arg --wait 20 2>&1); rc=$?
  # --wait must return 0 once the move completed; a wrong answer is reported at the end, after the
  # rest of the table has been checked.
  if [ "$rc" != 0 ]; then WAIT_FAILS+=("$label --wait: exit $rc: $out"); hb_log "$label --wait: exit $rc: $out"; fi
  hb_wait 10 state_is "$want" || hb_fail "$label: state '$(state)', expected '$want' ($out)"
  if [ "$moves" = "-" ]; then
    sleep 1   # nothing may move later either
    state_is "$want" || hb_fail "$label: state changed to '$(state)' after the command returned"
  fi
  local why
  why=$(check_moves "$moves") || hb_fail "$label: $why"
  hb_pass "$(printf '%-22s -> %s   (%s)' "$label" "$want" "$([ "$moves" = - ] && echo "no move" || echo "moved $moves, stop right to left before start")")"
}

WAIT_FAILS=()
hb_wait 20 state_is "A:G1 B:G2 rsc:local/local" || hb_fail "initial placement: '$(state)'"
hb_pass "initial                -> A:G1 B:G2 rsc:local/local"
#   label                  tool         arg       alpha/beta after, rscstatus alpha/beta     moves
row "hb_standby foreign"   hb_standby   foreign   "A:G1 B:G2 rsc:local/local"    "-"
row "hb_standby local"     hb_standby   local     "A: B:G1 G2 rsc:none/all"      "G1:alpha>beta"
row "hb_takeover local"    hb_takeover  local     "A:G1 B:G2 rsc:local/local"    "G1:beta>alpha"
row "hb_takeover foreign"  hb_takeover  foreign   "A:G1 G2 B: rsc:all/none"      "G2:beta>alpha"
row "hb_standby all"       hb_standby   all       "A: B:G1 G2 rsc:none/all"      "G1:alpha>beta G2:alpha>beta"
row "hb_takeover failback" hb_takeover  failback  "A:G1 G2 B: rsc:all/none"      "G1:beta>alpha G2:beta>alpha"
row "hb_takeover all"      hb_takeover  all       "A:G1 G2 B: rsc:all/none"      "-"
row "hb_standby failback"  hb_standby   failback  "A:G1 B:G2 rsc:local/local"    "G2:alpha>beta"
row "hb_takeover (no arg)" hb_takeover  ""        "A:G1 G2 B: rsc:all/none"      "G2:beta>alpha"

# A bogus word: exit 1 with the usage text, nothing moves.
: > "$HB_T/markers.log"
out=$("$HB_BIN/hb_standby" --socket "$HB_T/alpha/run/hbd.sock" bogus 2>&1); rc=$?
[ "$rc" = 1 ] || hb_fail "hb_standby bogus: exit $rc, expected 1"
echo "$out" | grep -q "Usage: hb_standby" || hb_fail "hb_standby bogus: no usage text: $out"
out=$("$HB_BIN/hb_takeover" --socket "$HB_T/alpha/run/hbd.sock" bogus 2>&1); rc=$?
[ "$rc" = 1 ] || hb_fail "hb_takeover bogus: exit $rc, expected 1"
echo "$out" | grep -q "Usage: hb_takeover" || hb_fail "hb_takeover bogus: no usage text: $out"
sleep 0.5
state_is "A:G1 G2 B: rsc:all/none" || hb_fail "bogus word moved something: $(state)"
[ -s "$HB_T/markers.log" ] && hb_fail "bogus word ran agents: $(hb_markers)"
hb_pass "hb_standby bogus / hb_takeover bogus -> exit 1 with usage, nothing moved"

# The same words run on beta mirror the table: hb_standby local on beta gives G2 (beta's own).
: > "$HB_T/markers.log"
"$HB_BIN/hb_standby" --socket "$HB_T/beta/run/hbd.sock" local --wait 20 >/dev/null || hb_fail "hb_standby local on beta"
state_is "A:G1 G2 B: rsc:all/none" || hb_fail "hb_standby local on beta (holding nothing) moved something: $(state)"
"$HB_BIN/hb_takeover" --socket "$HB_T/beta/run/hbd.sock" local --wait 20 >/dev/null || hb_fail "hb_takeover local on beta"
hb_wait 10 state_is "A:G1 B:G2 rsc:local/local" || hb_fail "hb_takeover local on beta: '$(state)'"
check_moves "G2:alpha>beta" >/dev/null || hb_fail "hb_takeover local on beta: $(check_moves "G2:alpha>beta")"
hb_pass "on beta: hb_standby local (holds nothing) -> no move; hb_takeover local -> G2 back on beta"
"$HB_BIN/hb_takeover" --socket "$HB_T/alpha/run/hbd.sock" all --wait 20 >/dev/null || hb_fail "hb_takeover all"
hb_wait 10 state_is "A:G1 G2 B: rsc:all/none" || hb_fail "hb_takeover all: '$(state)'"

# hbd -k on the holder of both groups: they stop there (right to left) and start on beta.
: > "$HB_T/markers.log"
hb_stop alpha
both_on_beta() { [ "$(holder G1)" = beta ] && [ "$(holder G2)" = beta ] && [ "$(hb_cl beta rscstatus)" = all ]; }
hb_wait 15 both_on_beta || hb_fail "after hbd -k on alpha: G1 on $(holder G1), G2 on $(holder G2), beta rscstatus $(hb_cl beta rscstatus)"
hb_vip_on alpha "$V1" && hb_fail "V1 still on alpha after hbd -k"
python3 - "$HB_T/markers.log" <<'EOF' || hb_fail "hbd -k order: $(hb_markers | tr '\n' ,)"
import sys
ev = sorted(tuple(l.split()) for l in open(sys.argv[1]))
for letter in "AB":
    got = [(n, o, x) for _, n, o, x in ev if x[0] == letter]
    want = [("alpha", "stop", letter + "2"), ("alpha", "stop", letter + "1"),
            ("beta", "start", letter + "1"), ("beta", "start", letter + "2")]
    if got != want:
        print(letter, got); sys.exit(1)
EOF
hb_ctl beta history | grep -q "node alpha" || hb_fail "beta's history has no timeline for alpha leaving: $(hb_ctl beta history)"
gap=$(python3 -c 'import sys
ev=sorted(tuple(l.split()) for l in open(sys.argv[1]))
stop=max(int(t) for t,n,o,x in ev if n=="alpha"); start=min(int(t) for t,n,o,x in ev if n=="beta")
print((start-stop)//1000000)' "$HB_T/markers.log")
hb_log "hbd -k: beta started its first marker ${gap} ms after alpha stopped its last one (shutdown notice: no deadtime wait); trigger on beta: $(hb_ctl beta history --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["history"][-1]["trigger"])')"
hb_pass "hbd -k on the holder: both groups stopped right to left on alpha, then started on beta"

[ ${#WAIT_FAILS[@]} = 0 ] || hb_fail "hb_standby/hb_takeover --wait answered wrongly: $(printf '[%s] ' "${WAIT_FAILS[@]}")"
hb_pass "every --wait returned 0 once its move had completed"
hb_dual_check
