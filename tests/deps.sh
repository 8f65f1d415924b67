#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs every Debian package hbd needs to build, test and run its demo (idempotent, as root).
set -eu
PKGS="cmake ninja-build g++ clang libclang-rt-14-dev pkg-config
  libboost-dev libboost-program-options-dev libssl-dev libtinyxml2-dev libgtest-dev libgmock-dev
  libserial-dev nlohmann-json3-dev libfmt-dev
  iproute2 socat nginx-light resource-agents keepalived iputils-arping psmisc kmod procps
  shellcheck libxml2-utils python3 curl heartbeat"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "deps.sh: missing packages:$missing — run as root to install them" >&2
  exit 1
fi
echo "deps.sh: installing:$missing"
# Packages such as nginx and keepalived must not start system services on install: our tests and
# the demo start their own instances inside network namespaces.
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
fi
trap '[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
