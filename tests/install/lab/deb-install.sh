#!/bin/sh
# lab: topology=basic kernels=stock timeout=150
# The Debian packages, installed in the lab and used there (tests/install/
# deb.sh builds them and boots this case with them in
# /opt/passthru/files/deb; the lab carries no passthru of its own, so every
# `passthru` here is the packaged /usr/bin/passthru).
#
# dpkg: busybox's dpkg applet installs and removes the .debs (it unpacks
# data.tar.xz, records them in /var/lib/dpkg/status, runs the maintainer
# scripts).  The lab has no dpkg database of Debian's own packages, so the
# dependencies (libc6, libpci3, libudev1) are forced (-F depends): their
# libraries are there at Debian's paths, carried for lspci and jq.  The
# postinst's deb-systemd-helper is not (no systemd in the lab), so the unit
# stays not enabled here, which `status` must say.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd dpkg jq bash
deb=/opt/passthru/files/deb
arch=x86_64-linux-gnu
mkdir -p /var/lib/dpkg/info && touch /var/lib/dpkg/status

expect_eq "no passthru before the packages" "" "$(command -v passthru)"
out=$(dpkg -i -F depends $deb/libpassthru1_*.deb $deb/libpassthru-dev_*.deb $deb/passthru_*.deb 2>&1); rc=$?
expect_eq "dpkg -i libpassthru1 libpassthru-dev passthru: exit 0" 0 "$rc"
[ $rc = 0 ] || echo "$out" | sed 's/^/    | /'
expect_eq "dpkg -l: the three are installed" "ii libpassthru-dev|ii libpassthru1|ii passthru" \
	"$(dpkg -l | awk '/passthru/ { print $1, $2 }' | sort | paste -sd'|')"

# ---- the installed layout -------------------------------------------------------
expect_eq "passthru is /usr/bin/passthru" /usr/bin/passthru "$(command -v passthru)"
for f in /usr/share/man/man1/passthru.1.gz /usr/share/man/man5/passthru.conf.5.gz \
	/usr/share/man/man3/libpassthru.3.gz /usr/share/bash-completion/completions/passthru \
	/usr/share/zsh/vendor-completions/_passthru /usr/include/passthru.h \
	/usr/lib/$arch/pkgconfig/passthru.pc /usr/lib/$arch/libpassthru.a \
	/usr/share/doc/passthru/copyright /etc/passthru.conf; do
	[ -f "$f" ] && pass "installed: $f" || fail "installed: $f is missing"
done
expect_eq "libpassthru.so.1 -> libpassthru.so.1.0.0" libpassthru.so.1.0.0 "$(readlink /usr/lib/$arch/libpassthru.so.1)"
expect_eq "libpassthru.so (dev) -> libpassthru.so.1" libpassthru.so.1 "$(readlink /usr/lib/$arch/libpassthru.so)"
expect_eq "the udev rule runs the installed binary" \
	'PROGRAM=="/usr/bin/passthru assign --udev-match %k", ATTR{driver_override}="vfio-pci"' \
	"$(grep '^PROGRAM' /lib/udev/rules.d/70-passthru-vfio.rules)"
expect_eq "the udev rule runs it only for devices listed in /etc/passthru.d" \
	'TEST!="/etc/passthru.d/pci-%k", TEST!="/etc/passthru.d/ids-$attr{vendor}:$attr{device}", GOTO="passthru_end"' \
	"$(grep '^TEST' /lib/udev/rules.d/70-passthru-vfio.rules)"
expect_eq "the unit runs the installed binary" "/usr/bin/passthru assign --from-config" \
	"$(sed -n 's/^ExecStart=//p' /lib/systemd/system/passthru.service)"
expect_eq "nothing in /etc/udev or /etc/systemd (those are the admin's)" "" \
	"$(ls /etc/udev/rules.d /etc/systemd/system 2>/dev/null)"
expect_eq "/etc/passthru.conf is the documented example: no device" "" \
	"$(grep -v '^#' /etc/passthru.conf | grep -v '^$')"

# ---- the installed tool on this (lab) machine -------------------------------------
expect_eq "passthru --version" "passthru 0.1.0" "$(passthru --version)"
json=$(passthru check --json); rc=$?
expect_eq "check: exit 0" 0 "$rc"
expect_eq "check: IOMMU enabled" PASS "$(echo "$json" | jq -r '.checks[] | select(.name == "IOMMU enabled") | .status')"
edu=$(lab_find_dev 0x1234 0x11e8)
expect_match "list: the edu device" "^0000:00:04\.0$" "$edu"
grp=$(basename "$(readlink /sys/bus/pci/devices/$edu/iommu_group)")

out=$(passthru assign --persist "$edu" 2>&1); rc=$?
expect_eq "assign --persist edu: exit 0" 0 "$rc"
[ $rc = 0 ] || echo "$out" | sed 's/^/    | /'
expect_eq "edu on vfio-pci" vfio-pci "$(lab_driver "$edu")"
expect_eq "persisted in /etc/passthru.conf" "$edu" "$(grep -v '^#' /etc/passthru.conf | grep -v '^$')"
st=$(passthru status --json)
expect_eq "status: edu assigned, group node, persisted" "$edu /dev/vfio/$grp true" \
	"$(echo "$st" | jq -r '.assigned[] | "\(.bdf) \(.group_node) \(.persisted_line != null)"')"
expect_eq "status: the packaged udev rule and unit" \
	"/lib/udev/rules.d/70-passthru-vfio.rules /lib/systemd/system/passthru.service" \
	"$(echo "$st" | jq -r '"\(.udev_rule.path) \(.service.path)"')"
expect_eq "status: the unit is not enabled here (no systemd)" "0" \
	"$(echo "$st" | jq -r '.service_wanted_by | length')"
expect_match "status (text): says how to enable it" \
	"systemd unit +/lib/systemd/system/passthru.service, not enabled: systemctl enable passthru.service" \
	"$(passthru status)"

# a process holding the group: status names it
sh -c "exec 7</dev/vfio/$grp; exec sleep 30" &
holder=$!
sleep 1
expect_eq "status: the process holding /dev/vfio/$grp" "$holder sleep /dev/vfio/$grp" \
	"$(passthru status --json | jq -r '.assigned[0].held_by[] | "\(.pid) \(.command) \(.node)"')"
kill $holder 2>/dev/null; wait $holder 2>/dev/null

# the shell completion on the live machine, from the installed tool
got=$(bash -c '. /usr/share/bash-completion/completions/passthru
	COMP_LINE="passthru release "; COMP_POINT=${#COMP_LINE}; _passthru; echo "${COMPREPLY[*]}"')
expect_eq "bash completion: release offers what is on vfio-pci" "$edu 1234:11e8" "$got"

# the boot path with the packaged pieces: the udev rule's program, the unit's
# ExecStart after a release that kept the config
expect_ok "udev-match: the persisted edu matches" passthru assign --udev-match "$edu"
passthru release "$edu" >/dev/null 2>&1
expect_eq "release (no --persist): edu off vfio-pci" none "$(lab_driver "$edu")"
cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/passthru.service)
out=$($cmd 2>&1); rc=$?
expect_eq "the unit's ExecStart assigns it again from the config" "0 vfio-pci" "$rc $(lab_driver "$edu")"
out=$(passthru release --persist "$edu" 2>&1); rc=$?
expect_eq "release --persist: exit 0, off vfio-pci, config line gone" "0 none " \
	"$rc $(lab_driver "$edu") $(grep -v '^#' /etc/passthru.conf | grep -v '^$')"

# ---- a program built against libpassthru-dev, run on libpassthru1 ----------------
got=$($deb/lsdev 2>&1); rc=$?
want=$(passthru list --json | jq -r '(.groups // []) as $g | .devices[] | .iommu_group as $n |
	"\(.bdf) \(.vendor_id[2:]):\(.device_id[2:]) \(.driver // "-") group \($n // -1) " +
	(if ([$g[] | select(.id == $n and .viable)] | length) > 0 then "viable" else "-" end)')
expect_eq "libpassthru(3)'s example, built against libpassthru-dev, lists this machine" \
	"0 $want" "$rc $got"

# ---- removal --------------------------------------------------------------------
dpkg -r -F depends passthru >/dev/null 2>&1
expect_eq "dpkg -r passthru: the command is gone, the conffile stays" "no yes" \
	"$([ -e /usr/bin/passthru ] && echo yes || echo no) $([ -e /etc/passthru.conf ] && echo yes || echo no)"
dpkg -P -F depends passthru >/dev/null 2>&1
expect_eq "dpkg -P passthru: /etc/passthru.conf purged" no "$([ -e /etc/passthru.conf ] && echo yes || echo no)"
dpkg -r -F depends libpassthru-dev libpassthru1 >/dev/null 2>&1
expect_eq "dpkg -r the libraries: nothing left in /usr/lib/$arch" "" "$(ls /usr/lib/$arch 2>/dev/null | grep passthru)"
lab_done
