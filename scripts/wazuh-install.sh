#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Puts arxdp's programs in place of Wazuh's, on a manager or an agent, and takes them out again:
#   - active-response/bin/firewall-drop (and, with --name, firewalld-drop or route-null): the
#     drop-in firewall-drop;
#   - with --execd, bin/wazuh-execd as well: arxdpd, which runs as wazuh-execd when started
#     under that name (wazuh-control starts it as before).
# Wazuh's own file is kept so that --uninstall restores it byte for byte, owner and mode too:
#   - when a package owns it (`dpkg -S`), through a local diversion renamed to
#     <file>.wazuh-orig (dpkg-divert --local --rename): a Wazuh package upgrade then writes
#     its new file there and leaves arxdp's in place, and --uninstall puts the package's
#     newest file back;
#   - otherwise as a copy in SAVE_DIR (root only, 0700) with a manifest of path, mode, owner,
#     group and sha256, checked again before restoring.
# Idempotent both ways. It refuses a directory that is not a Wazuh home, and any path it would
# touch that is a symlink or sits in a directory others than root may write (a Wazuh home
# belongs to root): it trusts no path it did not create. Programs are copied, never
# symlinked: firewall-drop finds the Wazuh home from its own real path
# (<home>/active-response/bin/<name>), and wazuh-execd from realpath(/proc/self/exe) and
# `wazuh-execd -t` as Wazuh's daemons do (<home>/bin/wazuh-execd); a symlink would resolve to
# /usr/local/sbin. A hard link would work only on one file system and would make a chown or
# chmod of Wazuh's file change arxdp's installed program too.
# A running wazuh-execd keeps the program it started with: restart Wazuh afterwards
# (`wazuh-control restart` or `systemctl restart wazuh-manager`/`wazuh-agent`).
#
# Usage: scripts/wazuh-install.sh [--home DIR] [--binary FILE] [--name NAME]... [--execd]
#                                 [--arxdpd FILE] [--save-dir DIR] [--dry-run] [--uninstall]
#   --home DIR        Wazuh installation directory (default /var/ossec; --wazuh-home too)
#   --binary FILE     the drop-in firewall-drop (default: build/firewall-drop of this tree,
#                     else an installed /usr/local/sbin/firewall-drop or /usr/sbin/firewall-drop)
#   --name NAME       program of active-response/bin to replace (default firewall-drop; may
#                     be repeated: firewalld-drop, route-null take the same binary)
#   --execd           replace bin/wazuh-execd by arxdpd as well
#   --arxdpd FILE     the arxdpd to install as wazuh-execd (implies --execd; default:
#                     build/arxdpd, else /usr/local/sbin/arxdpd or /usr/sbin/arxdpd)
#   --save-dir DIR    where originals no package owns are kept (default /var/lib/arxdp/wazuh-orig)
#   --dry-run         say what would be done, change nothing
#   --uninstall       put back what was there (also bin/wazuh-execd, when arxdp replaced it)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOME_DIR=/var/ossec
BINARY=
ARXDPD=
NAMES=()
EXECD=0
UNINSTALL=0
DRY=0
SAVE_DIR=/var/lib/arxdp/wazuh-orig
DIVERT_SUFFIX=.wazuh-orig
# Only arxdp's programs carry these texts: how an installed file is told from Wazuh's own.
MARKER_FWDROP="in the XDP maps"
MARKER_EXECD="Usage: arxdpd"

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
	--home | --wazuh-home) [ $# -ge 2 ] || die "$1 needs a directory"; HOME_DIR=$2; shift 2 ;;
	--binary) [ $# -ge 2 ] || die "--binary needs a file"; BINARY=$2; shift 2 ;;
	--arxdpd) [ $# -ge 2 ] || die "--arxdpd needs a file"; ARXDPD=$2; EXECD=1; shift 2 ;;
	--name) [ $# -ge 2 ] || die "--name needs a program name"; NAMES+=("$2"); shift 2 ;;
	--save-dir) [ $# -ge 2 ] || die "--save-dir needs a directory"; SAVE_DIR=$2; shift 2 ;;
	--execd) EXECD=1; shift ;;
	--dry-run) DRY=1; shift ;;
	--uninstall) UNINSTALL=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
done
[ ${#NAMES[@]} -gt 0 ] || NAMES=(firewall-drop)
for n in "${NAMES[@]}"; do
	case "$n" in
	firewall-drop | firewalld-drop | route-null) ;;
	*) die "name '$n': not a program the drop-in replaces (firewall-drop, firewalld-drop, route-null)" ;;
	esac
done

[ "$(id -u)" -eq 0 ] || die "must run as root (the programs are owned by root:wazuh)"
case "$HOME_DIR" in /*) ;; *) die "Wazuh home '$HOME_DIR': must be an absolute path" ;; esac
case "$SAVE_DIR" in /*) ;; *) die "save directory '$SAVE_DIR': must be an absolute path" ;; esac
HOME_DIR=${HOME_DIR%/}
BIN_DIR="$HOME_DIR/active-response/bin"
[ -d "$BIN_DIR" ] || die "Wazuh home '$HOME_DIR': no active-response/bin directory: is Wazuh \
installed there? (use --home DIR)"
[ -f "$HOME_DIR/etc/ossec.conf" ] || die "Wazuh home '$HOME_DIR': no etc/ossec.conf: not a Wazuh \
home (use --home DIR)"

# A directory arxdp writes into must be root's and writable by root alone: otherwise another
# user could swap a file or a symlink in between a check and a rename.
safe_dir() {
	local d=$1 st
	[ ! -L "$d" ] || die "'$d': is a symlink: refusing (pass the real directory)"
	[ -d "$d" ] || die "'$d': not a directory"
	st=$(stat -c '%u %a' "$d") || die "'$d': cannot stat"
	set -- $st
	[ "$1" -eq 0 ] || die "'$d': not owned by root (uid $1): refusing to write there"
	[ $((8#$2 & 8#022)) -eq 0 ] || die "'$d': writable by group or others (mode $2): refusing"
}
no_symlink() { [ ! -L "$1" ] || die "'$1': is a symlink: refusing (arxdp trusts no path it did not create)"; }

safe_dir "$HOME_DIR"
safe_dir "$HOME_DIR/active-response"
safe_dir "$BIN_DIR"
# wazuh-execd is always a candidate for --uninstall (it says "nothing to undo" when arxdp never
# replaced it); installing it needs --execd.
TARGETS=()
for n in "${NAMES[@]}"; do TARGETS+=("$BIN_DIR/$n"); done
if [ "$EXECD" -eq 1 ] || [ "$UNINSTALL" -eq 1 ]; then
	if [ -d "$HOME_DIR/bin" ] || [ "$EXECD" -eq 1 ]; then
		safe_dir "$HOME_DIR/bin"
		TARGETS+=("$HOME_DIR/bin/wazuh-execd")
	fi
fi
if [ "$EXECD" -eq 1 ] && [ "$UNINSTALL" -eq 0 ]; then
	[ -e "$HOME_DIR/bin/wazuh-execd" ] || die "Wazuh home '$HOME_DIR': no bin/wazuh-execd: \
not a Wazuh home with execd"
fi

marker_of() { case "$1" in */wazuh-execd) echo "$MARKER_EXECD" ;; *) echo "$MARKER_FWDROP" ;; esac; }
is_ours() { [ -f "$1" ] && [ ! -L "$1" ] && grep -qaF "$(marker_of "$1")" "$1"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# act WHAT COMMAND...: runs COMMAND, or with --dry-run only says WHAT.
act() {
	local what=$1
	shift
	if [ "$DRY" -eq 1 ]; then
		say "dry-run: would $what"
		return 0
	fi
	"$@"
}

# ---- the manifest: PATH \t HOW \t MODE \t OWNER \t GROUP \t SHA256, HOW saved | absent
MANIFEST="$SAVE_DIR/manifest"
saved_copy() { echo "$SAVE_DIR/files$1"; }
manifest_get() { [ -f "$MANIFEST" ] && awk -F'\t' -v p="$1" '$1 == p' "$MANIFEST" || true; }
manifest_set() { # PATH LINE|"" : replaces PATH's line (removes it when LINE is empty)
	local tmp
	tmp=$(mktemp "$SAVE_DIR/.manifest.XXXXXX")
	{ [ -f "$MANIFEST" ] && awk -F'\t' -v p="$1" '$1 != p' "$MANIFEST" || true
	  [ -z "$2" ] || printf '%s\n' "$2"; } >"$tmp"
	chmod 0600 "$tmp"
	mv -f "$tmp" "$MANIFEST"
}
save_dir_ready() {
	[ "$DRY" -eq 1 ] && return 0
	if [ ! -e "$SAVE_DIR" ]; then
		no_symlink "$(dirname "$SAVE_DIR")"
		[ -d "$(dirname "$SAVE_DIR")" ] || (umask 077 && mkdir -p "$(dirname "$SAVE_DIR")")
		mkdir -m 0700 "$SAVE_DIR" || die "save directory '$SAVE_DIR': cannot create"
	fi
	safe_dir "$SAVE_DIR"
	chmod 0700 "$SAVE_DIR"
}
# save_original FILE [AS]: copies FILE into SAVE_DIR (owner, mode and times kept) and records
# it as the original of AS (default FILE).
save_original() {
	local f=$1 t=${2:-$1} c st sum
	c=$(saved_copy "$t")
	st=$(stat -c '%a	%U	%G' "$f") || die "'$f': cannot stat"
	if [ "$DRY" -eq 1 ]; then
		say "dry-run: would keep Wazuh's '$f' as '$c'"
		return 0
	fi
	(umask 077 && mkdir -p "$(dirname "$c")") || die "'$c': cannot create its directory"
	no_symlink "$c"
	sum=$(sha "$f")
	cp -a "$f" "$c.new" && mv -f "$c.new" "$c" || die "'$f': cannot copy it to '$c'"
	[ "$(sha "$c")" = "$sum" ] || die "'$c': copy differs from '$f'"
	manifest_set "$t" "$t	saved	$st	$sum"
	say "kept Wazuh's '$f' as '$c' (sha256 ${sum:0:16}...)"
}

# ---- dpkg: the owning package, and our diversion
dpkg_owner() { # PATH -> package name, or nothing
	command -v dpkg-query >/dev/null 2>&1 || return 0
	{ dpkg-query -S "$1" 2>/dev/null || true; } | awk -v p="$1" \
		'!/^(local )?diversion / { i = index($0, ": "); if (substr($0, i + 2) == p) print substr($0, 1, i - 1) }' |
		head -1
}
# diversion PATH -> "local" (ours: to PATH.wazuh-orig), "foreign TO", or nothing
diversion() {
	command -v dpkg-divert >/dev/null 2>&1 || return 0
	local who to
	who=$(dpkg-divert --listpackage "$1" 2>/dev/null || true)
	[ -n "$who" ] || return 0
	to=$(dpkg-divert --truename "$1")
	if [ "$who" = LOCAL ] && [ "$to" = "$1$DIVERT_SUFFIX" ]; then
		echo local
	else
		echo "foreign $to (by $who)"
	fi
}

# place SOURCE PATH: copies beside, then renames: execd never sees a half-written program.
place() {
	local src=$1 t=$2
	if [ -e "$t" ] && cmp -s "$src" "$t"; then
		if [ "$DRY" -eq 1 ]; then
			say "dry-run: would set '$t' to root:$GROUP 0750"
		else
			chown "root:$GROUP" "$t" && chmod 0750 "$t" || die "'$t': cannot set owner or mode"
		fi
		say "'$t' is already arxdp's"
		return 0
	fi
	no_symlink "$t.arxdp-new"
	if [ "$DRY" -eq 1 ]; then
		say "dry-run: would install '$src' as '$t' (root:$GROUP, 0750)"
		return 0
	fi
	rm -f "$t.arxdp-new"
	install -m 0750 -o root -g "$GROUP" "$src" "$t.arxdp-new" || die "'$t': cannot copy '$src'"
	mv -f "$t.arxdp-new" "$t" || { rm -f "$t.arxdp-new"; die "'$t': cannot replace"; }
	say "installed '$src' as '$t' (root:$GROUP, 0750)"
}

install_one() { # PATH SOURCE
	local t=$1 src=$2 entry div pkg legacy=
	no_symlink "$t"
	no_symlink "$t$DIVERT_SUFFIX"
	entry=$(manifest_get "$t")
	div=$(diversion "$t")
	case "$div" in foreign*) die "'$t': diverted to ${div#foreign } already: refusing" ;; esac
	case "$t" in "$BIN_DIR"/*) [ -e "$t.orig" ] && no_symlink "$t.orig" && legacy=$t.orig ;; esac
	if [ "$div" = local ]; then
		# A package upgrade wrote its file to the diverted name; ours stays.
		if [ -e "$t" ] && ! is_ours "$t"; then
			die "'$t': diverted to '$t$DIVERT_SUFFIX' but not arxdp's program: move it away by hand"
		fi
		say "'$t': Wazuh's package file is diverted to '$t$DIVERT_SUFFIX'"
	elif [ -n "$entry" ]; then
		if [ -e "$t" ] && ! is_ours "$t"; then
			# Wazuh (installer or upgrade without dpkg) put its program back: that is the
			# original now, the older copy goes.
			say "'$t': Wazuh put its program back: keeping the new one as the original"
			save_original "$t"
		fi
	elif [ -e "$t" ] && ! is_ours "$t"; then
		[ -z "$legacy" ] || die "'$t' is not arxdp's but '$legacy' already exists: move one away by hand"
		pkg=$(dpkg_owner "$t")
		if [ -n "$pkg" ]; then
			act "divert '$t' (package $pkg) to '$t$DIVERT_SUFFIX'" \
				dpkg-divert --quiet --local --rename --divert "$t$DIVERT_SUFFIX" --add "$t" ||
				die "'$t': dpkg-divert --add failed"
			say "'$t' belongs to package '$pkg': diverted to '$t$DIVERT_SUFFIX'"
		else
			save_original "$t"
		fi
	elif [ -n "$legacy" ]; then
		# An earlier version of this script kept the original beside it as NAME.orig.
		pkg=$(dpkg_owner "$t")
		if [ -n "$pkg" ]; then
			act "divert '$t' (package $pkg) to '$t$DIVERT_SUFFIX' and move '$legacy' there" \
				dpkg-divert --quiet --local --no-rename --divert "$t$DIVERT_SUFFIX" --add "$t" ||
				die "'$t': dpkg-divert --add failed"
			act "move '$legacy' to '$t$DIVERT_SUFFIX'" mv -f "$legacy" "$t$DIVERT_SUFFIX"
		else
			save_original "$legacy" "$t"
			act "remove '$legacy'" rm -f "$legacy"
		fi
		say "moved the original kept by an earlier install ('$legacy') out of '$BIN_DIR'"
	else
		# Nothing of Wazuh's there (or ours with no record): --uninstall removes it.
		act "record that '$t' had no original" manifest_set "$t" "$t	absent	-	-	-	-"
	fi
	place "$src" "$t"
}

uninstall_one() { # PATH
	local t=$1 entry div how c want
	no_symlink "$t"
	no_symlink "$t$DIVERT_SUFFIX"
	entry=$(manifest_get "$t")
	div=$(diversion "$t")
	if [ "$div" = local ]; then
		if [ -e "$t" ] && ! is_ours "$t"; then
			die "'$t': diverted, but not arxdp's program: refusing to remove it"
		fi
		if [ "$DRY" -eq 1 ]; then
			say "dry-run: would remove '$t' and the diversion to '$t$DIVERT_SUFFIX'"
			return 0
		fi
		[ ! -e "$t" ] || mv -f "$t" "$t.arxdp-old" || die "'$t': cannot move it aside"
		if ! dpkg-divert --quiet --local --rename --remove "$t"; then
			[ ! -e "$t.arxdp-old" ] || mv -f "$t.arxdp-old" "$t"
			die "'$t': dpkg-divert --remove failed"
		fi
		rm -f "$t.arxdp-old"
		[ -z "$entry" ] || manifest_set "$t" ""
		say "restored the package's '$t' (diversion removed)"
		return 0
	fi
	case "$div" in foreign*) die "'$t': diverted to ${div#foreign }: not arxdp's doing, refusing" ;; esac
	if [ -n "$entry" ]; then
		how=$(cut -f2 <<<"$entry")
		if [ "$how" = absent ]; then
			if is_ours "$t"; then
				act "remove '$t'" rm -f "$t"
				say "removed '$t' (there was no original to restore)"
			fi
			act "forget '$t'" manifest_set "$t" ""
			return 0
		fi
		c=$(saved_copy "$t")
		no_symlink "$c"
		if [ -e "$t" ] && ! is_ours "$t"; then
			say "'$t': not arxdp's program (Wazuh replaced it): kept; dropping the older saved copy"
			act "remove '$c'" rm -f "$c"
			act "forget '$t'" manifest_set "$t" ""
			return 0
		fi
		[ -f "$c" ] || die "'$t': the saved original '$c' is missing: restore it by hand"
		want=$(cut -f6 <<<"$entry")
		[ "$(sha "$c")" = "$want" ] || die "'$c': sha256 is not the one recorded ($want): \
refusing to restore a changed file"
		if [ "$DRY" -eq 1 ]; then
			say "dry-run: would restore '$t' from '$c'"
			return 0
		fi
		no_symlink "$t.arxdp-new"
		cp -a "$c" "$t.arxdp-new" || die "'$t': cannot copy '$c'"
		chown "$(cut -f4 <<<"$entry"):$(cut -f5 <<<"$entry")" "$t.arxdp-new" &&
			chmod "$(cut -f3 <<<"$entry")" "$t.arxdp-new" || die "'$t': cannot set owner or mode"
		mv -f "$t.arxdp-new" "$t" || { rm -f "$t.arxdp-new"; die "'$t': cannot restore"; }
		rm -f "$c"
		manifest_set "$t" ""
		say "restored Wazuh's '$t' (sha256 $(cut -c1-16 <<<"$want")...)"
		return 0
	fi
	if [ -e "$t.orig" ] && [[ "$t" == "$BIN_DIR"/* ]]; then
		no_symlink "$t.orig"
		act "restore '$t' from '$t.orig'" mv -f "$t.orig" "$t" || die "'$t': cannot restore from '$t.orig'"
		say "restored Wazuh's '$t' (kept by an earlier install as '$t.orig')"
	elif is_ours "$t" && [[ "$t" == */bin/wazuh-execd ]]; then
		# Removing it would leave Wazuh without execd: only a recorded install is undone.
		say "'$t' is arxdpd, but no original of it is recorded: left in place"
	elif is_ours "$t"; then
		act "remove '$t'" rm -f "$t" || die "'$t': cannot remove"
		say "removed '$t' (there was no original to restore)"
	else
		say "'$t': not arxdp's, nothing to undo"
	fi
}

GROUP=root
getent group wazuh >/dev/null 2>&1 && GROUP=wazuh
[ "$DRY" -eq 0 ] || say "dry-run: nothing is changed"

if [ "$UNINSTALL" -eq 1 ]; then
	[ ! -e "$SAVE_DIR" ] || safe_dir "$SAVE_DIR"
	for t in "${TARGETS[@]}"; do uninstall_one "$t"; done
	[ "$DRY" -eq 1 ] || [ ! -f "$MANIFEST" ] || [ -s "$MANIFEST" ] || rm -f "$MANIFEST"
	exit 0
fi

find_prog() { # MARKER CANDIDATES... -> the first candidate that carries MARKER
	local m=$1 c
	shift
	for c in "$@"; do
		if [ -f "$c" ] && grep -qaF "$m" "$c"; then echo "$c"; return 0; fi
	done
}
if [ -z "$BINARY" ]; then
	BINARY=$(find_prog "$MARKER_FWDROP" "$ROOT/${OUTPUT:-build}/firewall-drop" \
		/usr/local/sbin/firewall-drop /usr/sbin/firewall-drop)
	[ -n "$BINARY" ] || die "no drop-in firewall-drop found: run 'make' first or pass --binary FILE"
fi
[ -f "$BINARY" ] || die "binary '$BINARY': not found"
grep -qaF "$MARKER_FWDROP" "$BINARY" || die "binary '$BINARY': not arxdp's firewall-drop (refusing to install it)"
if [ "$EXECD" -eq 1 ]; then
	if [ -z "$ARXDPD" ]; then
		ARXDPD=$(find_prog "$MARKER_EXECD" "$ROOT/${OUTPUT:-build}/arxdpd" \
			/usr/local/sbin/arxdpd /usr/sbin/arxdpd)
		[ -n "$ARXDPD" ] || die "no arxdpd found: run 'make' first or pass --arxdpd FILE"
	fi
	[ -f "$ARXDPD" ] || die "arxdpd '$ARXDPD': not found"
	grep -qaF "$MARKER_EXECD" "$ARXDPD" || die "arxdpd '$ARXDPD': not arxdp's arxdpd (refusing to install it)"
fi

save_dir_ready
for t in "${TARGETS[@]}"; do
	case "$t" in
	*/bin/wazuh-execd) install_one "$t" "$ARXDPD" ;;
	*) install_one "$t" "$BINARY" ;;
	esac
done
if [ "$EXECD" -eq 1 ] && [ "$DRY" -eq 0 ]; then
	say "restart Wazuh (wazuh-control restart) so that execd runs as arxdpd"
fi
