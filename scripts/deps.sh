#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Installs every Debian package the build, the tests and the benchmarks need. Idempotent:
# when everything is present it only checks (dpkg-query) and exits; otherwise it runs
# apt-get update once and installs what is missing. --check only reports. --bench adds the
# peers `make bench` compares against (fail2ban, CrowdSec and its firewall bouncer), installed
# with services kept from starting (policy-rc.d answers 101): the bench starts private
# instances of them and stops them itself.
set -eu
BENCH=0
[ "${1:-}" = "--bench" ] && { BENCH=1; shift; }

PKGS="make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev libxml2-dev
libcjson-dev libcriterion-dev libxdp-dev libsystemd-dev libcap-dev iproute2 iputils-ping
iptables nftables ipset python3 gnuplot-nox tmux clang-format systemd valgrind xdp-tools
man-db groff-base util-linux libclang-rt-14-dev"
BENCH_PKGS="fail2ban crowdsec crowdsec-firewall-bouncer"
[ "$BENCH" -eq 0 ] || PKGS="$PKGS $BENCH_PKGS"

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
# A package's postinst must not start a service on this host: invoke-rc.d and
# deb-systemd-invoke ask policy-rc.d, and 101 means "not allowed". An existing policy is kept.
POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=0
if [ ! -e "$POLICY" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$POLICY"
	chmod 755 "$POLICY"
	OWN_POLICY=1
	trap 'rm -f "$POLICY"' EXIT
fi
# CrowdSec's postinst registers to its online API when its credentials file is empty, and
# fails offline; a non-empty file is its documented way to skip that (README.Debian).
if [ "$BENCH" -eq 1 ] && [ ! -s /etc/crowdsec/online_api_credentials.yaml ]; then
	mkdir -p /etc/crowdsec
	echo '# no online API registration (arxdp make bench, offline)' \
		>/etc/crowdsec/online_api_credentials.yaml
	dpkg --configure -a >/dev/null 2>&1 || true
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
[ "$OWN_POLICY" -eq 0 ] || rm -f "$POLICY"
# Whatever started anyway (no policy honoured) is stopped and kept from starting at boot.
if [ "$BENCH" -eq 1 ]; then
	for s in fail2ban crowdsec crowdsec-firewall-bouncer; do
		if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
			systemctl disable --now "$s" >/dev/null 2>&1 || true
		elif [ -x "/etc/init.d/$s" ]; then
			"/etc/init.d/$s" stop >/dev/null 2>&1 || true
		fi
	done
fi
