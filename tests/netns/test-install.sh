#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# scripts/wazuh-install.sh against fake Wazuh homes in a temporary directory: the drop-in
# firewall-drop and arxdpd as bin/wazuh-execd go in with Wazuh's owner and mode, a second run
# changes nothing, --uninstall restores sha256-identical originals and is idempotent, symlinks
# and foreign homes are refused, --dry-run changes nothing. Then the dpkg path: a real tiny
# package (arxdp-test-fakewazuh) owns the home's wazuh-execd and firewall-drop, the install
# diverts them, an upgrade of the package (dpkg -i of a newer version) writes its files to
# the diverted names and leaves arxdp's in place, and --uninstall removes the diversions and
# puts the package's newest files back. No traffic: it needs root and dpkg only. Everything
# (package, diversions, files) is removed on exit, also on failure.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root"
INST="$ROOT/scripts/wazuh-install.sh"
FWDROP="$OUTPUT/firewall-drop"
ARXDPD="$OUTPUT/arxdpd"
for f in "$FWDROP" "$ARXDPD"; do
	[ -x "$f" ] || { echo "FAIL: $f not built"; exit 1; }
done

# Under /tmp, 0700 (mktemp): nothing here is writable by anyone but root.
WORK=$(mktemp -d /tmp/arxdp-inst.XXXXXX)
PKG=arxdp-test-fakewazuh
on_exit "rm -rf '$WORK'"
GRP=root
getent group wazuh >/dev/null 2>&1 && GRP=wazuh

# fake_home DIR: the parts of a Wazuh home the script looks at, with stub programs that
# print "orig" (mode 0750 root:GRP, as Wazuh installs them).
fake_home() {
	mkdir -p -m 0750 "$1" "$1/bin" "$1/etc" "$1/active-response" "$1/active-response/bin"
	echo '<ossec_config></ossec_config>' >"$1/etc/ossec.conf"
	printf '#!/bin/sh\necho orig execd\n' >"$1/bin/wazuh-execd"
	printf '#!/bin/sh\necho orig firewall-drop\n' >"$1/active-response/bin/firewall-drop"
	chown -R "root:$GRP" "$1"
	chmod 0750 "$1/bin/wazuh-execd" "$1/active-response/bin/firewall-drop"
}
eq() {
	[ "$1" == "$2" ] && return 0
	printf '  got: %.300s\n  exp: %.300s\n' "$1" "$2"
	return 1
}
modes() { stat -c '%a %U:%G' "$@" | tr '\n' ' '; }
sums() { sha256sum "$@" | cut -d' ' -f1 | tr '\n' ' '; }

echo "# a home no package owns: originals kept in the save directory"
H="$WORK/h1/ossec"
SAVE="$WORK/h1/saved"
mkdir -m 0700 "$WORK/h1"
fake_home "$H"
X="$H/bin/wazuh-execd"
F="$H/active-response/bin/firewall-drop"
ORIG_SUMS=$(sums "$X" "$F")
ORIG_MODES=$(modes "$X" "$F")
I=("$INST" --home "$H" --save-dir "$SAVE" --binary "$FWDROP" --arxdpd "$ARXDPD")

check "dry-run: succeeds" "${I[@]}" --execd --dry-run
check "dry-run: nothing changed" eq "$(sums "$X" "$F")" "$ORIG_SUMS"
check "dry-run: no save directory" test ! -e "$SAVE"
check "install --execd: succeeds" "${I[@]}" --execd
check "install: wazuh-execd is arxdpd" cmp -s "$ARXDPD" "$X"
check "install: firewall-drop is the drop-in" cmp -s "$FWDROP" "$F"
check "install: modes 0750 root:$GRP" eq "$(modes "$X" "$F")" "750 root:$GRP 750 root:$GRP "
check "install: originals saved, identical" eq "$(sums "$SAVE/files$X" "$SAVE/files$F")" "$ORIG_SUMS"
check "install: save directory 0700, manifest 0600" eq "$(stat -c %a "$SAVE" "$SAVE/manifest" | tr '\n' ' ')" "700 600 "
check "install: manifest holds both, with sha256" eq \
	"$(cut -f1,2,6 "$SAVE/manifest" | sort | tr '\n' ' ')" \
	"$(printf '%s\tsaved\t%s\n' "$F" "$(sha256sum "$SAVE/files$F" | cut -d' ' -f1)" "$X" \
		"$(sha256sum "$SAVE/files$X" | cut -d' ' -f1)" | sort | tr '\n' ' ')"
check "install: nothing left in the Wazuh directories" eq \
	"$(ls "$H/bin" "$H/active-response/bin" | tr '\n' ' ')" \
	"$H/active-response/bin: firewall-drop  $H/bin: wazuh-execd "
MAN1=$(cat "$SAVE/manifest")
check "install again: succeeds (idempotent)" "${I[@]}" --execd
check "install again: same files" eq "$(sums "$X" "$F")" "$(sums "$ARXDPD" "$FWDROP")"
check "install again: manifest unchanged" eq "$(cat "$SAVE/manifest")" "$MAN1"
check "install again: saved originals unchanged" eq \
	"$(sums "$SAVE/files$X" "$SAVE/files$F")" "$ORIG_SUMS"
check "uninstall --dry-run: nothing changed" bash -c "'$INST' --home '$H' --save-dir '$SAVE' \
	--uninstall --dry-run >/dev/null && cmp -s '$ARXDPD' '$X' && cmp -s '$FWDROP' '$F'"
check "uninstall: succeeds" "$INST" --home "$H" --save-dir "$SAVE" --uninstall
check "uninstall: sha256-identical originals" eq "$(sums "$X" "$F")" "$ORIG_SUMS"
check "uninstall: original owner and mode" eq "$(modes "$X" "$F")" "$ORIG_MODES"
check "uninstall: they run as before" eq "$("$X")/$("$F")" "orig execd/orig firewall-drop"
check "uninstall: saved copies and manifest gone" eq \
	"$(find "$SAVE" -type f | wc -l)" 0
check "uninstall again: succeeds (idempotent)" "$INST" --home "$H" --save-dir "$SAVE" --uninstall
check "uninstall again: still the originals" eq "$(sums "$X" "$F")" "$ORIG_SUMS"

echo "# a Wazuh reinstall without dpkg puts its program back"
check "install: firewall-drop only (no --execd)" "$INST" --home "$H" --save-dir "$SAVE" \
	--binary "$FWDROP"
check "install: wazuh-execd untouched without --execd" eq "$(sums "$X")" "${ORIG_SUMS%% *} "
printf '#!/bin/sh\necho orig v2\n' >"$F.new" && chmod 0750 "$F.new" && mv -f "$F.new" "$F"
V2=$(sums "$F")
check "install after the reinstall: succeeds" "$INST" --home "$H" --save-dir "$SAVE" \
	--binary "$FWDROP"
check "install after the reinstall: newer original saved" eq "$(sums "$SAVE/files$F")" "$V2"
check "uninstall: the newer original is back" bash -c \
	"'$INST' --home '$H' --save-dir '$SAVE' --uninstall >/dev/null && [ \"\$('$F')\" = 'orig v2' ]"

echo "# renamed programs, a program with no original, the old NAME.orig layout"
check "install: route-null (no original there)" "$INST" --home "$H" --save-dir "$SAVE" \
	--binary "$FWDROP" --name route-null
check "install: route-null is the drop-in" cmp -s "$FWDROP" "$H/active-response/bin/route-null"
check "uninstall: route-null removed" "$INST" --home "$H" --save-dir "$SAVE" --name route-null \
	--uninstall
check "uninstall: route-null gone" test ! -e "$H/active-response/bin/route-null"
cp -a "$F" "$F.orig" && install -m 0750 "$FWDROP" "$F"
check "legacy .orig: install moves it out of active-response/bin" "$INST" --home "$H" \
	--save-dir "$SAVE" --binary "$FWDROP"
check "legacy .orig: gone from active-response/bin" test ! -e "$F.orig"
check "legacy .orig: uninstall restores it" bash -c "'$INST' --home '$H' --save-dir '$SAVE' \
	--uninstall >/dev/null && [ \"\$('$F')\" = 'orig v2' ]"

install -m 0750 "$ARXDPD" "$WORK/x.new" && cp -a "$X" "$WORK/x.keep" && mv -f "$WORK/x.new" "$X"
check "uninstall: an unrecorded arxdpd as wazuh-execd is left in place" bash -c \
	"'$INST' --home '$H' --save-dir '$SAVE' --uninstall >/dev/null && cmp -s '$ARXDPD' '$X'"
mv -f "$WORK/x.keep" "$X"

echo "# refusals"
check "refuses a binary that is not the drop-in" bash -c \
	"! '$INST' --home '$H' --save-dir '$SAVE' --binary /bin/true 2>/dev/null"
check "refuses an arxdpd that is not arxdpd" bash -c \
	"! '$INST' --home '$H' --save-dir '$SAVE' --binary '$FWDROP' --arxdpd '$FWDROP' 2>/dev/null"
check "clear error without a Wazuh home" bash -c \
	"'$INST' --home '$WORK/none' 2>&1 | grep -q 'no active-response/bin directory'"
mkdir -p -m 0750 "$WORK/noconf/active-response/bin"
check "refuses a home without etc/ossec.conf" bash -c \
	"'$INST' --home '$WORK/noconf' --binary '$FWDROP' 2>&1 | grep -q 'not a Wazuh home'"
mv "$F" "$WORK/elsewhere" && ln -s "$WORK/elsewhere" "$F"
check "refuses a program that is a symlink" bash -c "'$INST' --home '$H' --save-dir '$SAVE' \
	--binary '$FWDROP' 2>&1 | grep -q 'is a symlink: refusing'"
check "symlink: its target untouched" eq "$("$WORK/elsewhere")" "orig v2"
rm -f "$F" && mv "$WORK/elsewhere" "$F"
mv "$H/bin" "$WORK/h1/realbin" && ln -s "$WORK/h1/realbin" "$H/bin"
check "refuses a bin directory that is a symlink" bash -c "'$INST' --home '$H' --save-dir \
	'$SAVE' --binary '$FWDROP' --arxdpd '$ARXDPD' --execd 2>&1 | grep -q 'is a symlink'"
rm -f "$H/bin" && mv "$WORK/h1/realbin" "$H/bin"
chmod 0770 "$H/active-response/bin"
check "refuses a group-writable directory" bash -c "'$INST' --home '$H' --save-dir '$SAVE' \
	--binary '$FWDROP' 2>&1 | grep -q 'writable by group or others'"
chmod 0750 "$H/active-response/bin"
ln -s "$H" "$WORK/h1/homelink"
check "refuses a home that is a symlink" bash -c "'$INST' --home '$WORK/h1/homelink' \
	--save-dir '$SAVE' --binary '$FWDROP' 2>&1 | grep -q 'is a symlink'"
check "after the refusals: the originals are untouched" eq "$(sums "$X")" "${ORIG_SUMS%% *} "

echo "# dpkg owns the files: dpkg-divert, and a package upgrade"
if ! command -v dpkg-deb >/dev/null || ! command -v dpkg-divert >/dev/null; then
	echo "SKIP: dpkg-deb or dpkg-divert missing: the diversion path is not tested"
	finish
fi
if dpkg-query -W "$PKG" >/dev/null 2>&1; then
	echo "FAIL: package '$PKG' is already installed (a leftover? dpkg --purge $PKG)"
	exit 1
fi
H2="$WORK/h2/ossec"
X2="$H2/bin/wazuh-execd"
F2="$H2/active-response/bin/firewall-drop"
SAVE2="$WORK/h2/saved"
mkdir -m 0700 "$WORK/h2"
# Undo in reverse: diversions first (they name our paths only), then the package.
# A dpkg run of someone else holds its lock for a while at most: retried, bounded.
on_exit "for _ in \$(seq 30); do dpkg --purge $PKG && break; sleep 2; done"
on_exit "dpkg-divert --local --no-rename --remove '$X2'; dpkg-divert --local --no-rename --remove '$F2'"

# build_pkg VERSION TEXT: a package owning the two programs of H2. Its directories carry the
# modes they have on this machine (/tmp 1777, the temp dir 0700), so installing it changes none.
build_pkg() {
	local root="$WORK/pkg-$1"
	mkdir -p "$root/DEBIAN"
	fake_home "$root$H2"
	sed -i "s/orig/$2/" "$root$X2" "$root$F2"
	rm -rf "${root:?}$H2/etc"
	chmod 1777 "$root/tmp"
	chmod 0700 "$root$WORK" "$root$WORK/h2"
	cat >"$root/DEBIAN/control" <<-EOF
		Package: $PKG
		Version: $1
		Architecture: all
		Maintainer: arxdp tests <root@localhost>
		Description: fake Wazuh programs for arxdp's install test (never a real package)
	EOF
	dpkg-deb --root-owner-group -b "$root" "$WORK/$PKG-$1.deb" >/dev/null
}
# dpkg_i DEB: dpkg -i, waiting (bounded) when another dpkg holds its lock.
dpkg_i() {
	for _ in $(seq 30); do
		dpkg -i "$1" >"$WORK/dpkg.log" 2>&1 && return 0
		grep -q 'lock' "$WORK/dpkg.log" || break
		sleep 2
	done
	cat "$WORK/dpkg.log"
	return 1
}
fake_home "$H2"
rm -f "$X2" "$F2"
build_pkg 1.0 "pkg-v1" && build_pkg 1.1 "pkg-v2" || { echo "FAIL: dpkg-deb -b failed"; exit 1; }
check "package v1 installed" dpkg_i "$WORK/$PKG-1.0.deb"
check "dpkg -S finds the package's file" bash -c "dpkg -S '$X2' | grep -q '^$PKG: '"
P1=$(sums "$X2" "$F2")
I2=("$INST" --home "$H2" --save-dir "$SAVE2" --binary "$FWDROP" --arxdpd "$ARXDPD" --execd)
check "dry-run: says it would divert" bash -c "'$INST' --home '$H2' --save-dir '$SAVE2' \
	--binary '$FWDROP' --arxdpd '$ARXDPD' --dry-run | grep -q 'would divert'"
check "dry-run: no diversion made" eq "$(dpkg-divert --list | grep -cF "$H2/")" 0
check "install --execd: succeeds" "${I2[@]}"
check "install: arxdp's programs in place" bash -c "cmp -s '$ARXDPD' '$X2' && cmp -s '$FWDROP' '$F2'"
check "install: modes 0750 root:$GRP" eq "$(modes "$X2" "$F2")" "750 root:$GRP 750 root:$GRP "
check "install: diverted to .wazuh-orig, identical" eq "$(sums "$X2.wazuh-orig" "$F2.wazuh-orig")" "$P1"
check "dpkg-divert --list shows both" eq \
	"$(dpkg-divert --list | grep -cF -e "local diversion of $X2 to $X2.wazuh-orig" \
		-e "local diversion of $F2 to $F2.wazuh-orig")" 2
check "install: nothing saved outside (dpkg keeps them)" bash -c \
	"[ ! -e '$SAVE2/manifest' ] || [ ! -s '$SAVE2/manifest' ]"
check "install again: succeeds (idempotent)" "${I2[@]}"
check "install again: one diversion each" eq \
	"$(dpkg-divert --list | grep -cF "$H2/")" 2
check "package upgrade (dpkg -i v1.1)" dpkg_i "$WORK/$PKG-1.1.deb"
check "upgrade: arxdp's programs stay" bash -c "cmp -s '$ARXDPD' '$X2' && cmp -s '$FWDROP' '$F2'"
check "upgrade: the package's new files at the diverted names" eq \
	"$("$X2.wazuh-orig")/$("$F2.wazuh-orig")" "pkg-v2 execd/pkg-v2 firewall-drop"
P2=$(sums "$X2.wazuh-orig" "$F2.wazuh-orig")
check "install after the upgrade: succeeds" "${I2[@]}"
check "uninstall: succeeds" "$INST" --home "$H2" --save-dir "$SAVE2" --uninstall
check "uninstall: the package's files are back, identical" eq "$(sums "$X2" "$F2")" "$P2"
check "uninstall: no diversion left" eq "$(dpkg-divert --list | grep -cF "$H2/")" 0
check "uninstall: no .wazuh-orig left" bash -c "[ ! -e '$X2.wazuh-orig' ] && [ ! -e '$F2.wazuh-orig' ]"
check "uninstall: dpkg --verify is clean" bash -c "[ -z \"\$(dpkg --verify $PKG)\" ]"
check "uninstall again: succeeds (idempotent)" "$INST" --home "$H2" --save-dir "$SAVE2" --uninstall
check "uninstall again: still the package's files" eq "$(sums "$X2" "$F2")" "$P2"
cp -a "$F2" "$F2.orig" && install -m 0750 "$FWDROP" "$F2"
check "legacy .orig of a package file: install diverts it" "$INST" --home "$H2" \
	--save-dir "$SAVE2" --binary "$FWDROP"
check "legacy .orig: now the diverted file" bash -c "[ ! -e '$F2.orig' ] && \
	[ \"\$('$F2.wazuh-orig')\" = 'pkg-v2 firewall-drop' ] && cmp -s '$FWDROP' '$F2'"
check "legacy .orig: uninstall restores the package's file" bash -c "'$INST' --home '$H2' \
	--save-dir '$SAVE2' --uninstall >/dev/null && [ \"\$('$F2')\" = 'pkg-v2 firewall-drop' ] && \
	[ -z \"\$(dpkg --verify $PKG)\" ]"
check "purge: succeeds" dpkg --purge "$PKG"
finish
