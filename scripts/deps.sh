#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Installs every Debian package the build, the tests and the benchmarks need. Idempotent:
# when everything is present it only checks (dpkg-query) and exits; otherwise it runs
# apt-get update once and installs what is missing. --check only reports.
set -eu

PKGS="make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev libxml2-dev
libcjson-dev libcriterion-dev libxdp-dev libsystemd-dev libcap-dev iproute2 iputils-ping
iptables nftables ipset python3 gnuplot-nox tmux clang-format systemd valgrind xdp-tools
man-db groff-base util-linux libclang-rt-14-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "missing Debian packages:$missing"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run 'sudo make deps' (or 'sudo make test') to install them" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
