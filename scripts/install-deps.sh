#!/bin/sh
# Install, with apt, the Debian packages passthru needs: only those missing
# (or older than the version we need).
#
#   install-deps.sh build   the build: `make`, `make install`
#   install-deps.sh lab     the real-kernel lab: QEMU 10, busybox, the kernels,
#                           and the host programs copied into the lab
#   install-deps.sh check   build + lab + everything `make check` runs
#   install-deps.sh bench   check + what `make bench` compares against
#   install-deps.sh fresh   check + debootstrap (`make check-fresh`)
#   install-deps.sh --list TARGET   print the packages, install nothing
#
# Every program, library, header and data file the build, the tests, the
# lab, the fuzzers, the benchmarks and the demo use comes from a package
# named below, with the path or program that needs it.  `make check-fresh`
# proves the list: it runs `make check` in a new Debian root that has only
# what this script installs.
#
# Idempotent: a second run with everything present does nothing and makes no
# network request.  Needs root (or sudo) only when something is missing.
set -eu

# ---- what each target needs -------------------------------------------------
# build: compiler and make; pkg-config for the -l flags; libpci (enumeration,
# config space, pci.ids names: pciutils ships /usr/share/misc/pci.ids),
# libudev (properties, bind waits), libmount (the mount table, parsed as
# util-linux parses it: lib/blk-storage.c), libmnl (rtnetlink dumps of
# routes, rules and addresses: lib/blk-net.c), the kernel's uapi headers (VFIO, KVM,
# iommufd: newer ones from backports, see below); objcopy (binutils) turns
# the guest programs into flat binaries.
BUILD_PKGS="gcc make pkg-config binutils libc6-dev libpci-dev libudev-dev libmount-dev libmnl-dev pciutils linux-libc-dev"

# lab: QEMU (q35 + intel-iommu, edu, e1000e, igb with SR-IOV, nvme: 10.0
# from backports, see below) and its firmware (seabios: bios-256k.bin);
# busybox-static (the lab's userland); cpio (initramfs); kmod (depmod and
# modprobe on the stock kernel's modules); zstd, xz-utils (compressed
# modules, linux-source's tarball); jq (JSON inside the lab); pciutils
# (lspci/setpci inside the lab); iproute2 (its ip, as ip-full inside the
# lab: `ip link set PF vf N mac`); udev (/bin/udevadm, the real
# systemd-udevd that the persistence cases run inside the lab); bash (lab
# harness, driverctl inside the lab); apt (apt-get download of Debian's
# kernel and driverctl); the 6.12 kernel source and what building it needs
# (bc, flex, bison, libelf-dev, libssl-dev); util-linux (flock, setsid,
# unshare); coreutils timeout; dmsetup (device-mapper stacks — LVM's
# linear and dm-crypt mappings — in the blockers-storage lab case); iproute2
# (ip as ip-full in the lab: a VF's MAC is set through its PF).
LAB_PKGS="qemu-system-x86 seabios busybox-static cpio kmod zstd xz-utils jq pciutils iproute2 udev bash apt util-linux coreutils dmsetup linux-source-6.12 gcc make bc flex bison libelf-dev libssl-dev"

# check: Criterion and umockdev (unit and CLI tests), clang + its runtime
# (libFuzzer targets; ASan/UBSan of the sanitizer pass use gcc's libasan
# and libubsan), python3 (fixture generator, report validators, plan
# checks), iproute2 (ip), procps (ps, in the lab cases' host halves);
# for tests/emit (the consumers of `passthru emit`): libvirt-clients
# (virt-xml-validate; libvirt0 brings the domain schema) and libxml2-utils
# (the xmllint it runs), python3-yaml and python3-jsonschema (KubeVirt and
# SR-IOV DP outputs, the inventory), python3-kubernetes (the Kubernetes API
# models the configs/kubernetes manifests are checked against);
# for tests/install (what `make install` puts and `make uninstall` takes
# back, the man pages, the shell completions, the Debian packages):
# mandoc (`mandoc -T lint` of every page), man-db (`man --warnings`),
# bsdextrautils (col: the libpassthru(3) example cut from the rendered
# page), zsh (the zsh completion driven by zsh itself), dpkg-dev, debhelper
# and fakeroot (`dpkg-buildpackage -us -uc -b` with debian/; it also wants
# build-essential, every Debian package's implicit build dependency), lintian (the
# packages' check), git (check-deb builds from the files git tracks).
CHECK_PKGS="$BUILD_PKGS $LAB_PKGS libcriterion-dev umockdev libumockdev-dev clang libclang-rt-14-dev libasan8 libubsan1 python3 iproute2 procps libvirt-clients libxml2-utils python3-yaml python3-jsonschema python3-kubernetes mandoc man-db bsdextrautils zsh dpkg-dev build-essential debhelper fakeroot lintian git"

# bench: the same as check (the peers — lspci, QEMU — are already there).
BENCH_PKGS="$CHECK_PKGS"

# fresh: building the new Debian root for `make check-fresh`.
FRESH_PKGS="$CHECK_PKGS debootstrap debian-archive-keyring git"

# Packages that must come from bookworm-backports on Debian 12, with the
# lowest version that will do: QEMU 7.2 has no igb and no SR-IOV NIC; the
# 6.1 uapi headers have no iommufd nor VFIO cdev.
BACKPORTS_MIN="qemu-system-x86=1:10.0 linux-libc-dev=6.12"

# ---- the machinery ----------------------------------------------------------
list=0
if [ "${1:-}" = --list ]; then list=1; shift; fi
mode=${1:-build}
case "$mode" in
build) want="$BUILD_PKGS" ;;
lab)   want="$LAB_PKGS" ;;
check) want="$CHECK_PKGS" ;;
bench) want="$BENCH_PKGS" ;;
fresh) want="$FRESH_PKGS" ;;
*) echo "usage: $0 [--list] build|lab|check|bench|fresh" >&2; exit 2 ;;
esac
want=$(printf '%s\n' $want | awk '!seen[$0]++' | tr '\n' ' ')
if [ $list = 1 ]; then
	printf '%s\n' $want
	exit 0
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
# A lock timeout: two lanes of `make check` may set up at the same time.
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends -o DPkg::Lock::Timeout=600"
updated=0
apt_update() { [ $updated = 1 ] || { $SUDO apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null; updated=1; }; }

installed_version() {
	dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null |
		sed -n 's/^install ok installed //p'
}

# The minimum version for PKG from BACKPORTS_MIN, or "".
min_version() {
	for pv in $BACKPORTS_MIN; do
		[ "${pv%%=*}" = "$1" ] && { echo "${pv#*=}"; return 0; }
	done
	return 0
}

bookworm() { . /etc/os-release 2>/dev/null && [ "${VERSION_CODENAME:-}" = bookworm ]; }

enable_backports() {
	src=/etc/apt/sources.list.d/passthru-backports.sources
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		echo "install-deps: enabling bookworm-backports (QEMU 10, linux-libc-dev 6.12)"
		printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
			$SUDO tee $src >/dev/null
		updated=0
	fi
}

missing= old=
for p in $want; do
	v=$(installed_version "$p")
	min=$(min_version "$p")
	if [ -z "$v" ]; then
		if [ -n "$min" ] && bookworm; then old="$old $p"; else missing="$missing $p"; fi
	elif [ -n "$min" ] && bookworm && dpkg --compare-versions "$v" lt "$min"; then
		old="$old $p"
	fi
done
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	apt_update
	$APT install $missing >/dev/null
fi
if [ -n "$old" ]; then
	enable_backports
	apt_update
	echo "install-deps: installing from bookworm-backports:$old"
	# -t: their own dependencies (qemu-system-common, -data, ...) come from
	# backports too, in matching versions.
	$APT install -t bookworm-backports $old >/dev/null
	for p in $old; do
		v=$(installed_version "$p")
		min=$(min_version "$p")
		if [ -z "$v" ] || dpkg --compare-versions "$v" lt "$min"; then
			echo "install-deps: $p ${v:-missing} is older than $min after installing from bookworm-backports" >&2
			exit 1
		fi
	done
fi
exit 0
