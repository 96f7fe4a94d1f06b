#!/bin/sh
# Install, with apt, the Debian packages passthru needs — only those missing.
#   install-deps.sh build   build dependencies (make, make demo)
#   install-deps.sh check   build + test dependencies (make check, make bench)
#   install-deps.sh lab     the real-kernel lab (QEMU, busybox, kernels)
# Idempotent: a second run with everything present does nothing and makes no
# network request.  Needs root (or sudo) only when something is missing.
set -eu

BUILD_PKGS="gcc make pkg-config libpci-dev libudev-dev pciutils"
CHECK_PKGS="$BUILD_PKGS libcriterion-dev umockdev libumockdev-dev clang libclang-rt-14-dev python3 valgrind"
LAB_PKGS="qemu-system-x86 busybox-static cpio kmod zstd xz-utils jq pciutils linux-source-6.12 gcc make bc flex bison libelf-dev libssl-dev"

mode=${1:-build}
case "$mode" in
build) want="$BUILD_PKGS" ;;
check) want="$CHECK_PKGS $LAB_PKGS" ;;
lab)   want="$LAB_PKGS" ;;
*) echo "usage: $0 build|check|lab" >&2; exit 2 ;;
esac

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends"
updated=0
apt_update() { [ $updated = 1 ] || { $SUDO apt-get -q update >/dev/null; updated=1; }; }

missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	apt_update
	$APT install $missing >/dev/null
fi

# The iommufd backend and VFIO cdev need uapi headers from Linux >= 6.6;
# Debian 12 ships 6.1, its backports suite 6.12.  Without them the build still
# succeeds and the iommufd backend reports itself unavailable.
if [ "$mode" != lab ] && ! grep -q VFIO_DEVICE_BIND_IOMMUFD /usr/include/linux/vfio.h 2>/dev/null; then
	src=/etc/apt/sources.list.d/passthru-backports.sources
	if [ ! -f $src ] && . /etc/os-release && [ "${VERSION_CODENAME:-}" = bookworm ]; then
		echo "install-deps: enabling bookworm-backports for linux-libc-dev 6.12"
		printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
			$SUDO tee $src >/dev/null
		updated=0
	fi
	if [ -f $src ]; then
		apt_update
		$APT install -t bookworm-backports linux-libc-dev >/dev/null ||
			echo "install-deps: newer linux-libc-dev unavailable; iommufd backend will be disabled" >&2
	fi
fi
exit 0
