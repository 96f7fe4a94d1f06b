#!/bin/sh
# scripts/enable-service.sh enable|disable DESTDIR SYSCONFDIR — run by
# `make install` (enable) and `make uninstall` (disable).  Into this system
# (no DESTDIR) with systemctl present, passthru.service is enabled so the
# devices of passthru.conf are assigned at every boot; otherwise (a staging
# DESTDIR, a package build, no systemd) it says how.  SYSTEMCTL overrides
# the command (tests).
set -u
what=$1 destdir=$2 etc=$3
systemctl=${SYSTEMCTL:-systemctl}

if [ -z "$destdir" ] && command -v "$systemctl" >/dev/null 2>&1; then
	if [ "$what" = enable ]; then
		if "$systemctl" daemon-reload && "$systemctl" enable passthru.service; then
			echo "install: enabled passthru.service (assigns the devices of $etc/passthru.conf at boot)"
		else
			echo "install: could not enable passthru.service; run: systemctl enable passthru.service" >&2
		fi
	else	# never installed here is not an error for uninstall
		"$systemctl" disable passthru.service 2>/dev/null
		"$systemctl" daemon-reload
	fi
	exit 0
fi
[ "$what" = enable ] || exit 0
echo "install: to assign the devices of $etc/passthru.conf at every boot, run:"
echo "install:   systemctl daemon-reload && systemctl enable passthru.service"
echo "install: if a listed device's native driver is in the initramfs, rebuild it"
echo "install: (update-initramfs -u) so that $etc/modprobe.d/passthru.conf applies early"
