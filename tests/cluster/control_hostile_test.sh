#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The control socket against hostile and careless clients: wrong types, a 1 MB request, 300 idle
# connections under a 256-fd limit (status, cl_status and a standby still work; the idle ones are
# closed after the 10 s timeout), and who may do what (haclient reads, admin_group changes state).
. "$(dirname "$0")/lib.sh"
hb_require_netns
PY=/usr/bin/python3   # the system one: the test users cannot run root's pyenv shims
[ -x "$PY" ] || { hb_log "SKIP: $PY missing"; exit 77; }

# Throw-away users and group, unique per run, removed by the trap (before lib.sh's cleanup).
ADM="hbtadm$$"; READER="hbtrd$$"; ADMIN="hbtad$$"
ctl_cleanup() {
  local rc=$?
  userdel "$READER" 2>/dev/null; userdel "$ADMIN" 2>/dev/null; groupdel "$ADM" 2>/dev/null
  (exit $rc); hb_cleanup
}
trap ctl_cleanup EXIT
getent group haclient >/dev/null || groupadd --system haclient || hb_fail "no haclient group"
groupadd "$ADM" || hb_fail "groupadd"
useradd --no-create-home --shell /usr/sbin/nologin --no-user-group -g nogroup -G haclient "$READER" || hb_fail "useradd"
useradd --no-create-home --shell /usr/sbin/nologin --no-user-group -g nogroup -G "haclient,$ADM" "$ADMIN" || hb_fail "useradd"
as() { local u=$1; shift; setpriv --reuid="$u" --regid=nogroup --init-groups "$@"; }

hb_pair alpha beta
for n in alpha beta; do
  hb_config "$n" "$(hb_pair_hacf off)
admin_group $ADM"
  hb_marker_agent "$n"
  echo "alpha marker::g1" > "$HB_T/$n/etc/haresources"
done
# hbd on alpha gets the issue's fd limit: 256 (soft; raised back for everything started later).
ulimit -Sn 256
hb_start alpha
ulimit -Sn "$(ulimit -Hn)"
hb_start beta
hb_expect_nodestatus alpha beta active 10
hb_wait 15 test -e "$HB_T/alpha/state/g1" || hb_fail "g1 did not start on alpha"
SOCK="$HB_T/alpha/run/hbd.sock"
chmod 755 "$HB_T" "$HB_T/alpha" "$HB_T/alpha/run"

# ask LINE...: send each raw line on its own connection, print each reply line ("<closed>" if none).
# The line @1MB is a parameter request of 1 MiB (too long for an argument).
ask() {
  "$PY" - "$SOCK" "$@" <<'EOF'
import socket, sys
for line in sys.argv[2:]:
    if line == "@1MB":
        line = '{"cmd":"parameter","name":"' + "x" * (1 << 20) + '"}'
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sys.argv[1])
    try:
        s.sendall(line.encode() + b"\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # answered and closed before reading it all (oversize)
    data = b""
    try:
        while b"\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    print(data.decode(errors="replace").strip() or "<closed>")
EOF
}

# 1. Wrong types, truncated JSON, unknown commands and 1 MB: an error reply each, hbd unharmed.
out=$(ask '{"cmd":7}' '{"cmd":"parameter","name":1}' '{"cmd":"standby","wait":"yes"}' \
  '{"cmd":"standby","wait_ms":-5}' '{"cmd":"takeover","what":[]}' '{"cmd":"stat' '[1,2]' '{"cmd":"rm -rf"}' \
  @1MB)
[ "$(grep -c '"ok":false' <<<"$out")" = 9 ] || hb_fail "hostile lines: expected 9 error replies, got: ${out:0:2000}"
grep -q 'request too large' <<<"$out" || hb_fail "1 MB request: ${out:0:300}"
kill -0 "${HB_NODE_PID[alpha]}" || hb_fail "hbd died on hostile requests"
hb_ctl alpha status >/dev/null || hb_fail "status after hostile requests"
hb_pass "wrong types, truncated JSON and a 1 MB request get error replies"

# 2. 300 idle connections (hbd has 256 fds): status, cl_status and a standby still work; the idle
#    connections are all closed, the last ones by the 10 s idle timeout.
"$PY" - "$SOCK" "$HB_T/idle.ready" > "$HB_T/idle.out" 2>&1 <<'EOF' &
import resource, select, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
socks = []
for _ in range(300):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    socks.append(s)
start = time.monotonic()
open(sys.argv[2], "w").close()
open_ = set(socks)
last = 0.0
while open_ and time.monotonic() - start < 30:
    r, _, _ = select.select(list(open_)[:1000], [], [], 0.5)
    for s in r:
        try:
            if s.recv(4096):
                continue
        except ConnectionResetError:
            pass
        open_.discard(s)
        last = time.monotonic() - start
print("closed %d/300 last_close_s=%.1f" % (300 - len(open_), last))
EOF
holder=$!
HB_PIDS+=("$holder")
hb_wait 10 test -e "$HB_T/idle.ready" || hb_fail "idle client did not connect: $(cat "$HB_T/idle.out")"
cpu0=$(hb_cpu_ms alpha); cpu0=${cpu0#alpha=}
for i in 1 2 3; do
  hb_ctl alpha status >/dev/null || hb_fail "hbctl status with 300 idle connections (try $i)"
  [ "$(hb_cl alpha hbstatus)" = "Heartbeat is running on this machine." ] || hb_fail "cl_status hbstatus with 300 idle connections"
  sleep 0.3
done
"$HB_BIN/hb_standby" --socket "$SOCK" --wait 20 >/dev/null || hb_fail "hb_standby --wait with 300 idle connections"
hb_wait 10 test -e "$HB_T/beta/state/g1" || hb_fail "g1 did not move to beta"
cpu1=$(hb_cpu_ms alpha); cpu1=${cpu1#alpha=}
hb_log "hbd CPU while 300 idle connections were held: $((cpu1 - cpu0)) ms"
wait "$holder"
idle=$(cat "$HB_T/idle.out")
hb_log "idle client: $idle"
case $idle in "closed 300/300 last_close_s="*) ;; *) hb_fail "idle connections not all closed: $idle" ;; esac
last=${idle##*=}
[ "${last%.*}" -ge 8 ] && [ "${last%.*}" -le 15 ] || hb_fail "last idle connection closed after ${last}s, expected ~10 s"
grep -q 'control connections at the limit (64)' "$HB_T/alpha/hbd.out" || hb_fail "no log line for the connection cap"
hb_pass "300 idle connections: status, cl_status and standby answered; idle ones closed after ${last}s"

# 3. Who may do what: haclient reads, only admin_group (and root) changes state.
out=$(as "$READER" "$HB_BIN/cl_status" --socket "$SOCK" hbstatus)
[ "$out" = "Heartbeat is running on this machine." ] || hb_fail "reader cl_status hbstatus: '$out'"
as "$READER" "$HB_BIN/hbctl" --socket "$SOCK" status >/dev/null || hb_fail "reader hbctl status"
as "$READER" "$HB_BIN/cl_status" --socket "$SOCK" nodestatus beta >/dev/null || hb_fail "reader nodestatus"
want="permission denied: takeover needs root or group $ADM"
err=$(as "$READER" "$HB_BIN/hb_takeover" --socket "$SOCK" 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && [ "$err" = "hb_takeover: $want" ] || hb_fail "reader hb_takeover: rc=$rc '$err'"
err=$(as "$READER" "$HB_BIN/hb_standby" --socket "$SOCK" 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && [[ $err == *"permission denied: standby needs root or group $ADM" ]] || hb_fail "reader hb_standby: rc=$rc '$err'"
out=$(as "$READER" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
s.sendall(b"{\"cmd\":\"shutdown\"}\n"); print(s.recv(4096).decode().strip())' "$SOCK")
[ "$out" = "{\"error\":\"permission denied: shutdown needs root or group $ADM\",\"ok\":false}" ] || hb_fail "reader shutdown: '$out'"
sleep 0.5
kill -0 "${HB_NODE_PID[alpha]}" || hb_fail "hbd stopped on a refused shutdown"
[ -e "$HB_T/beta/state/g1" ] && [ ! -e "$HB_T/alpha/state/g1" ] || hb_fail "a refused request moved g1"
grep -q "refused control request: permission denied: shutdown needs root or group $ADM | uid=$(id -u "$READER")" \
  "$HB_T/alpha/hbd.out" || hb_fail "no log line for the refused shutdown"
hb_pass "haclient member reads status, is refused standby/takeover/shutdown (and logged)"

as "$ADMIN" "$HB_BIN/hb_takeover" --socket "$SOCK" --wait 20 >/dev/null || hb_fail "admin_group member hb_takeover --wait"
[ -e "$HB_T/alpha/state/g1" ] || hb_fail "g1 not back on alpha"
hb_pass "admin_group member may take over"
hb_stop beta
hb_stop alpha
