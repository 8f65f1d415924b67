#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Serial link through a noisy line (serial_relay.py between two socat pty pairs, seeded):
#  - with frames dropped, garbled, duplicated and garbage (short and oversize) or forged frames
#    injected, both nodes stay active for 20 s (10 deadtimes) and neither hbd crashes;
#  - when only noise gets through, each declares the other dead (noise does not keep a node alive);
#  - with the good frames back, both are active again;
#  - on a quiet line, each node's counters match what the relay did to the frames it sent:
#    bad_frames = garbled + injected (short and oversize), message-layer drops = forged, duplicates = duplicated.
. "$(dirname "$0")/lib.sh"
hb_require_netns
command -v socat >/dev/null || { [ "${CI:-}" = true ] && hb_fail "socat not installed"; hb_log "SKIP: no socat"; exit 77; }

hb_ns alpha
hb_ns beta
RELAY=$HB_SOURCE/tests/cluster/serial_relay.py
TTY_A=$HB_T/ttyA TTY_B=$HB_T/ttyB
SEED=${SERIAL_NOISE_SEED:-$(( $$ % 1000 ))}
CONTROL=$HB_T/relay.mode STATS=$HB_T/relay.json

# Two cables: alpha's ttyA <-> relayA and beta's ttyB <-> relayB; the relay joins relayA and relayB.
for end in A B; do
  socat pty,raw,echo=0,link="$HB_T/tty$end" pty,raw,echo=0,link="$HB_T/relay$end" 2>>"$HB_T/socat.log" &
  HB_PIDS+=($!)
done
hb_wait 5 test -e "$TTY_A" -a -e "$TTY_B" -a -e "$HB_T/relayA" -a -e "$HB_T/relayB" || hb_fail "socat ptys missing"
hb_serial_pair_config "$TTY_A" "$TTY_B"
hb_start alpha; hb_start beta
PID_A=${HB_NODE_PID[alpha]} PID_B=${HB_NODE_PID[beta]}

echo pass > "$CONTROL"
python3 "$RELAY" --a "$HB_T/relayA" --b "$HB_T/relayB" --seed "$SEED" \
  --drop 0.1 --garble 0.15 --dup 0.05 --inject 0.2 --inject-long 0.03 --forge 0.1 \
  --control "$CONTROL" --stats "$STATS" 2>>"$HB_T/relay.log" &
RELAY_PID=$!
HB_PIDS+=("$RELAY_PID")
hb_wait 5 test -s "$STATS" || hb_fail "relay did not start: $(cat "$HB_T/relay.log")"
hb_log "relay seed $SEED (SERIAL_NOISE_SEED=$SEED reproduces the damage pattern)"

relay_mode() {  # MODE: tell the relay, wait until it reports it
  echo "$1" > "$CONTROL"
  hb_wait 3 grep -q "\"mode\": \"$1\"" "$STATS" || hb_fail "relay did not switch to $1"
}
alive() {
  kill -0 "$PID_A" 2>/dev/null || hb_fail "hbd on alpha died: $(tail -5 "$HB_T/alpha/hbd.out")"
  kill -0 "$PID_B" 2>/dev/null || hb_fail "hbd on beta died: $(tail -5 "$HB_T/beta/hbd.out")"
  kill -0 "$RELAY_PID" 2>/dev/null || hb_fail "relay died: $(cat "$HB_T/relay.log")"
}
# counters NODE DIRECTION: "bad_frames relay_bad drops relay_forged dups relay_dups" for the frames
# NODE received (DIRECTION = the relay direction towards NODE).
counters() {
  hb_ctl "$1" status --json 2>/dev/null | python3 -c 'import json,sys
d=json.load(sys.stdin); r=json.load(open(sys.argv[1]))[sys.argv[2]]
l=d["links"][0]; c=d["counters"]
print(l["bad_frames"], r["garbled"]+r["injected"]+r["injected_long"], sum(c["dropped"].values()), r["forged"],
      c["duplicates"], r["duplicated"], r["passed"], r["overflow"], r["injected_long"])' "$STATS" "$2"
}

hb_expect_nodestatus alpha beta active 15
hb_expect_nodestatus beta alpha active 15
hb_pass "both active through the noisy relay"

# 1. 20 s of noise (10 deadtimes, ~100 frames each way): never anything but active.
end=$(( $(hb_now_ms) + 20000 ))
while [ "$(hb_now_ms)" -lt "$end" ]; do
  hb_nodestatus_is alpha beta active || hb_fail "alpha sees beta '$(hb_cl alpha nodestatus beta)' on a noisy but working line"
  hb_nodestatus_is beta alpha active || hb_fail "beta sees alpha '$(hb_cl beta nodestatus alpha)' on a noisy but working line"
  sleep 0.2
done
alive
! grep -h ": is dead" "$HB_T/alpha/hbd.out" "$HB_T/beta/hbd.out" || hb_fail "a node was declared dead on a noisy but working line"
read -r bad_b rbad_b drop_b rforge_b _ _ passed_b _ <<<"$(counters beta a2b)"
read -r bad_a rbad_a drop_a rforge_a _ _ passed_a _ <<<"$(counters alpha b2a)"
hb_log "after 20 s: alpha bad_frames=$bad_a drops=$drop_a (relay sent it $passed_a good, $rbad_a bad, $rforge_a forged);" \
       "beta bad_frames=$bad_b drops=$drop_b (relay sent it $passed_b good, $rbad_b bad, $rforge_b forged)"
[ "$bad_a" -gt 0 ] && [ "$bad_b" -gt 0 ] || hb_fail "bad frames not counted: alpha=$bad_a beta=$bad_b"
[ "$drop_a" -gt 0 ] && [ "$drop_b" -gt 0 ] || hb_fail "forged frames not dropped by the message layer: alpha=$drop_a beta=$drop_b"
hb_pass "20 s of noise: both stayed active, bad frames counted"

# 2. Only noise gets through: garbage and forged frames must not keep the peer alive.
t0=$(hb_now_ms)
relay_mode noise-only
hb_expect_nodestatus alpha beta dead 6
hb_expect_nodestatus beta alpha dead 6
hb_log "noise only -> peers dead after $(( $(hb_now_ms) - t0 )) ms (deadtime 2000 ms)"
alive
hb_pass "noise only: peers declared dead"

# 3. Good frames again.
relay_mode pass
hb_expect_nodestatus alpha beta active 10
hb_expect_nodestatus beta alpha active 10
sleep 3
hb_nodestatus_is alpha beta active && hb_nodestatus_is beta alpha active || hb_fail "not active 3 s after the line came back"
alive
hb_pass "line back: both active again"

# 4. Quiet line: every damaged frame the relay sent is accounted for, exactly.
relay_mode silent
sleep 1
alive
for nd in "alpha b2a" "beta a2b"; do
  read -r node dir <<<"$nd"
  read -r bad rbad drops rforge dups rdups passed overflow long <<<"$(counters "$node" "$dir")"
  hb_log "$node: bad_frames=$bad (relay garbled+injected=$rbad, $long of them oversize) message drops=$drops (relay forged=$rforge)" \
         "duplicates=$dups (relay duplicated=$rdups) good frames passed=$passed"
  [ "$overflow" = 0 ] || hb_fail "relay overflowed towards $node"
  [ "$bad" = "$rbad" ] || hb_fail "$node counted $bad bad frames, the relay damaged/injected $rbad"
  [ "$drops" = "$rforge" ] || hb_fail "$node dropped $drops messages, the relay forged $rforge: $(hb_ctl "$node" status --json)"
  [ "$dups" = "$rdups" ] || hb_fail "$node counted $dups duplicates, the relay duplicated $rdups"
done
hb_pass "counters match the relay's damage exactly"
