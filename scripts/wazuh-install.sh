#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Puts arxdp's drop-in firewall-drop in place of Wazuh's stock one (manager or agent), keeping
# the original as firewall-drop.orig; --uninstall puts the original back. Idempotent: running
# it twice changes nothing the second time. The binary is copied, never symlinked: it finds
# the Wazuh home from its own real path (<home>/active-response/bin/<name>).
#
# Usage: scripts/wazuh-install.sh [--wazuh-home DIR] [--binary FILE] [--name NAME]...
#                                 [--uninstall]
#   --wazuh-home DIR  Wazuh installation directory (default /var/ossec)
#   --binary FILE     the drop-in to install (default: build/firewall-drop of this tree, else
#                     an installed /usr/local/sbin/firewall-drop or /usr/sbin/firewall-drop)
#   --name NAME       program of active-response/bin to replace (default firewall-drop; may
#                     be repeated: firewalld-drop, route-null take the same binary)
#   --uninstall       restore NAME.orig (or remove the drop-in when there was no original)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOME_DIR=/var/ossec
BINARY=
NAMES=()
UNINSTALL=0
# Only the drop-in carries this text: how an installed file is told from Wazuh's own.
MARKER="in the XDP maps"

die() {
	echo "wazuh-install: $*" >&2
	exit 1
}
say() { echo "wazuh-install: $*"; }

usage() {
	sed -n '/^# Usage:/,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case "$1" in
	--wazuh-home) [ $# -ge 2 ] || die "--wazuh-home needs a directory"; HOME_DIR=$2; shift 2 ;;
	--binary) [ $# -ge 2 ] || die "--binary needs a file"; BINARY=$2; shift 2 ;;
	--name) [ $# -ge 2 ] || die "--name needs a program name"; NAMES+=("$2"); shift 2 ;;
	--uninstall) UNINSTALL=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
done
[ ${#NAMES[@]} -gt 0 ] || NAMES=(firewall-drop)

[ "$(id -u)" -eq 0 ] || die "must run as root (the programs are owned by root:wazuh)"
BIN_DIR="$HOME_DIR/active-response/bin"
[ -d "$BIN_DIR" ] || die "Wazuh home '$HOME_DIR': no active-response/bin directory: is Wazuh \
installed there? (use --wazuh-home DIR)"
for n in "${NAMES[@]}"; do
	case "$n" in
	firewall-drop | firewalld-drop | route-null) ;;
	*) die "name '$n': not a program the drop-in replaces (firewall-drop, firewalld-drop, route-null)" ;;
	esac
done

is_dropin() { [ -f "$1" ] && grep -qaF "$MARKER" "$1"; }

if [ "$UNINSTALL" -eq 1 ]; then
	for n in "${NAMES[@]}"; do
		t="$BIN_DIR/$n"
		if [ -e "$t.orig" ]; then
			mv -f "$t.orig" "$t" || die "'$t': cannot restore from '$t.orig'"
			say "restored Wazuh's '$t'"
		elif is_dropin "$t"; then
			rm -f "$t" || die "'$t': cannot remove"
			say "removed '$t' (there was no original to restore)"
		else
			say "'$t': not the drop-in, nothing to undo"
		fi
	done
	exit 0
fi

if [ -z "$BINARY" ]; then
	for c in "$ROOT/${OUTPUT:-build}/firewall-drop" /usr/local/sbin/firewall-drop \
		/usr/sbin/firewall-drop; do
		if is_dropin "$c"; then BINARY=$c; break; fi
	done
	[ -n "$BINARY" ] || die "no drop-in firewall-drop found: run 'make' first or pass --binary FILE"
fi
[ -f "$BINARY" ] || die "binary '$BINARY': not found"
is_dropin "$BINARY" || die "binary '$BINARY': not arxdp's firewall-drop (refusing to install it)"

GROUP=root
getent group wazuh >/dev/null 2>&1 && GROUP=wazuh

for n in "${NAMES[@]}"; do
	t="$BIN_DIR/$n"
	if [ -e "$t" ] && ! is_dropin "$t"; then
		# Wazuh's own program: keep it, once. An existing .orig is never overwritten.
		if [ -e "$t.orig" ]; then
			die "'$t' is not the drop-in but '$t.orig' already exists: move one away by hand"
		fi
		mv "$t" "$t.orig" || die "'$t': cannot keep it as '$t.orig'"
		say "kept Wazuh's '$t' as '$t.orig'"
	fi
	if [ -e "$t" ] && cmp -s "$BINARY" "$t"; then
		chown "root:$GROUP" "$t" && chmod 0750 "$t" || die "'$t': cannot set owner or mode"
		say "'$t' is already the drop-in"
		continue
	fi
	# Copy beside, then rename: execd never sees a half-written program.
	install -m 0750 -o root -g "$GROUP" "$BINARY" "$t.arxdp-new" ||
		die "'$t': cannot copy '$BINARY'"
	mv -f "$t.arxdp-new" "$t" || { rm -f "$t.arxdp-new"; die "'$t': cannot replace"; }
	say "installed '$BINARY' as '$t' (root:$GROUP, 0750)"
done
