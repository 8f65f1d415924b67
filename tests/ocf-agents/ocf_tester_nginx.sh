#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf_tester_nginx.sh: ocf:hbd:nginx passes ocf-tester with a tiny config on 127.0.0.1 (inside a
# private network namespace, so the port cannot clash), with and without status_url, with the pid
# file from the config or from the pidfile parameter; then crash, bad URL and bad config cases.

# shellcheck source=ocf_test_common.sh
. "$(dirname "$0")/ocf_test_common.sh"

t_need_root
t_need_cmd ocf-tester xmllint ip nginx
# The agent's status_url check needs curl or wget; so do the checks below.
if command -v curl >/dev/null 2>&1; then
    http_ok() { in_ns curl -fsS -o /dev/null -m 2 "$1" 2>/dev/null; }
elif command -v wget >/dev/null 2>&1; then
    http_ok() { in_ns wget -q -O /dev/null -T 2 -t 1 "$1" 2>/dev/null; }
else
    t_skip "needs curl or wget"
fi
t_setup_ocf_root

ns=hbocfng$$
t_netns "$ns"
in_ns() { ip netns exec "$ns" "$@"; }

# write_conf FILE [with-pid]: a minimal nginx config with everything under T_DIR.
write_conf() {
    local d=$T_DIR/nginx
    mkdir -p "$d"
    {
        echo "worker_processes 1;"
        [ "${2:-}" = with-pid ] && echo "  pid   $d/nginx.pid ;  # the agent reads this"
        echo "error_log $d/error.log;"
        echo "events { worker_connections 64; }"
        echo "http {"
        echo "  access_log $d/access.log;"
        for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $d/${t}_temp;"; done
        echo "  server {"
        echo "    listen 127.0.0.1:18080;"
        echo "    location /health { return 200 'ok'; }"
        echo "    location /nginx_status { stub_status; }"
        echo "  }"
        echo "}"
    } >"$1"
}
conf=$T_DIR/nginx.conf
conf_nopid=$T_DIR/nginx-nopid.conf
write_conf "$conf" with-pid
write_conf "$conf_nopid"

T_NS=$ns
t_ocf_tester nginx -n hbocf_ng1 -o configfile="$conf"
t_ocf_tester nginx -n hbocf_ng2 -o configfile="$conf" -o status_url=http://127.0.0.1:18080/nginx_status
t_ocf_tester nginx -n hbocf_ng3 -o configfile="$conf_nopid" -o pidfile="$T_DIR/nginx/param.pid" \
    -o status_url=http://127.0.0.1:18080/health
if [ -e "$T_DIR/nginx/nginx.pid" ] || [ -e "$T_DIR/nginx/param.pid" ]; then
    t_fail "pid file left after ocf-tester"
fi

export OCF_RESOURCE_INSTANCE=hbocf_ng
agent() {
    local action=$1 kv env=()
    shift
    for kv in "$@"; do env+=("OCF_RESKEY_$kv"); done
    in_ns env "${env[@]}" "$T_AGENTS/nginx" "$action"
}

# A crash (master and workers killed) is "not running", and stop cleans the stale pid file.
t_expect_rc 0 "start" agent start configfile="$conf"
http_ok http://127.0.0.1:18080/health || t_fail "nginx does not answer after start"
master=$(cat "$T_DIR/nginx/nginx.pid")
kill -KILL -- "-$master"
sleep 0.2
t_expect_rc 7 "monitor after a crash" agent monitor configfile="$conf"
t_expect_rc 0 "stop after a crash" agent stop configfile="$conf"
[ ! -e "$T_DIR/nginx/nginx.pid" ] || t_fail "stale pid file kept"

# The URL check: a 404 is a failure of a running nginx.
t_expect_rc 0 "start" agent start configfile="$conf"
t_expect_rc 1 "monitor with a URL that gives 404" agent monitor configfile="$conf" \
    status_url=http://127.0.0.1:18080/missing
grep -q '^ocf-exit-reason:.*does not answer' "$T_DIR/last.err" || t_fail "no exit reason for a bad URL"
# Neither curl nor wget: the HTTP check is skipped with a warning.
bin=$T_DIR/bin
mkdir -p "$bin"
for c in env sh sleep rm; do ln -sf "$(command -v $c)" "$bin/$c"; done
t_expect_rc 0 "monitor without curl/wget" in_ns env PATH="$bin" OCF_RESKEY_configfile="$conf" \
    OCF_RESKEY_status_url=http://127.0.0.1:18080/missing "$T_AGENTS/nginx" monitor
grep -q 'neither curl nor wget' "$T_DIR/last.err" || t_fail "no warning without curl/wget"
# wget alone is enough.
if command -v wget >/dev/null 2>&1; then
    ln -sf "$(command -v wget)" "$bin/wget"
    for url in missing:1 health:0; do
        t_expect_rc "${url#*:}" "monitor with wget only, /${url%:*}" in_ns env PATH="$bin" \
            OCF_RESKEY_configfile="$conf" OCF_RESKEY_status_url="http://127.0.0.1:18080/${url%:*}" \
            "$T_AGENTS/nginx" monitor
    done
fi
t_expect_rc 0 "stop" agent stop configfile="$conf"
http_ok http://127.0.0.1:18080/health && t_fail "nginx still answers after stop"

# Bad configurations.
t_expect_rc 6 "validate-all without configfile" agent validate-all
t_expect_rc 5 "validate-all with a missing configfile" agent validate-all configfile="$T_DIR/none.conf"
t_expect_rc 7 "probe with a missing configfile" agent monitor configfile="$T_DIR/none.conf" CRM_meta_interval=0
t_expect_rc 5 "validate-all with a missing binary" agent validate-all configfile="$conf" binary=/nonexistent/nginx
echo "this is not nginx syntax" >"$T_DIR/broken.conf"
t_expect_rc 6 "validate-all with a broken config" agent validate-all configfile="$T_DIR/broken.conf"
grep -q '^ocf-exit-reason:nginx -t rejects' "$T_DIR/last.err" || t_fail "no exit reason for a broken config"
t_expect_rc 6 "start with a broken config" agent start configfile="$T_DIR/broken.conf"
t_expect_rc 6 "pidfile contradicts the config" agent validate-all configfile="$conf" pidfile=/tmp/other.pid
t_expect_rc 6 "bad status_url" agent validate-all configfile="$conf" status_url=ftp://x/
t_log "PASS"
