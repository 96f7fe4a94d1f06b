#!/bin/bash
# tests/lab/initramfs.sh KERNEL_DIR BUILD_DIR OUT.cpio
# tests/lab/initramfs.sh --qemu OUT.cpio
#
# Builds the lab's base initramfs (an uncompressed newc cpio, which every
# kernel unpacks without a decompressor) in a staging directory next to OUT:
#   /bin/busybox (+ applet links made by /init), /init (tests/lab/init)
#   /opt/passthru/bin   BUILD_DIR/passthru, every executable in
#                       BUILD_DIR/lab-bin/, and lspci/setpci/jq when present
#   shared libraries    of all of those, found with ldd, at their host paths
#                       (and of the programs in $LAB_LIBS_FOR)
#   /usr/share/misc/pci.ids
#   /opt/passthru/lab   lib.sh and cases/*.sh (from $LAB_CASE_DIR if set)
#   /opt/passthru/files BUILD_DIR/lab-files/, as it is (guest images, scripts)
#   /lib/modules/KVER   for the stock kernel: the top modules below and their
#                       dependencies, resolved by `modprobe --show-depends`
#                       from the kernel's own modules.dep, with a fresh
#                       depmod over that subset and lab.modules (load order)
# The per-boot job is appended by tests/lab/run as a second cpio archive.
#
# --qemu builds the archive tests/lab/run appends for the boots whose cases
# say needs=qemu: the host's qemu-system-x86_64 at /usr/bin (on PATH in the
# lab), its shared libraries, and the firmware a -accel kvm guest starts
# from (SeaBIOS for q35, qboot/SeaBIOS's microvm image, the option ROMs of
# direct kernel boot).  ~60 MB, so only those boots carry it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# copy_lib STAGE LIB: a shared library at its host path; one found through
# a run path outside the system's directories (the project's own
# libpassthru.so.1 in BUILD, which may sit below /tmp, where the lab mounts
# a tmpfs) goes to /usr/lib, which the loader searches by default.
copy_lib() {
	local dest=$2

	case $2 in
	/lib/* | /lib64/* | /usr/lib/* | /usr/lib64/*) ;;
	*) dest=/usr/lib/$(basename "$2") ;;
	esac
	[ -e "$1$dest" ] && return 0
	mkdir -p "$1$(dirname "$dest")"
	cp -L "$2" "$1$dest"
}
# copy_prog_libs STAGE PROG: every library ldd lists for PROG.
copy_prog_libs() {
	# ldd prints "name => /path (addr)" and the loader as "/path (addr)".
	ldd "$2" 2>/dev/null | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^\s*\(\/[^ ]*\) (.*/\1/p' |
		while read -r lib; do copy_lib "$1" "$lib"; done
}

if [ "${1:-}" = --qemu ]; then
	out=$2 stage=$2.d
	q=$(command -v qemu-system-x86_64) || { echo "lab-initramfs: qemu-system-x86_64 is not installed (scripts/install-deps.sh lab)" >&2; exit 1; }
	rm -rf "$stage" && mkdir -p "$stage/usr/bin" "$stage/usr/share/qemu" "$stage/usr/share/seabios"
	cp -L "$q" "$stage/usr/bin/qemu-system-x86_64"
	copy_prog_libs "$stage" "$q"
	for f in bios-256k.bin bios-microvm.bin; do
		cp -L "/usr/share/seabios/$f" "$stage/usr/share/seabios/$f"
	done
	for f in kvmvapic.bin linuxboot.bin linuxboot_dma.bin pvh.bin qboot.rom multiboot.bin multiboot_dma.bin; do
		[ -e "/usr/share/qemu/$f" ] && cp -L "/usr/share/qemu/$f" "$stage/usr/share/qemu/$f"
	done
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) >"$out"
	rm -rf "$stage"
	exit 0
fi

kdir=$1 build=$2 out=$3

# Drivers the lab needs from the stock kernel.  intel_iommu is built in; edu
# has no driver; everything these need comes from modules.dep.
# nvme, dm_crypt (with xts and aes), ext4 and bridge: the blocker cases
# (blockers-storage, blockers-net); nvme, igb and igbvf bind the devices
# topology's controllers, PF and VFs as a server's kernel would.
STOCK_MODULES="vfio_pci vfio_iommu_type1 pci_stub e1000e kvm_amd nvme igb igbvf dm_crypt xts aes_generic ext4 bridge"

stage=$out.d
rm -rf "$stage" && mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,lab,opt/passthru/bin,opt/passthru/lab/cases,usr/share/misc}

cp /bin/busybox "$stage/bin/busybox"
install -m 0755 "$here/init" "$stage/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\n' >"$stage/etc/group"
echo 'export PS1="lab:\w# "' >"$stage/etc/profile"

# ---- programs and their shared libraries --------------------------------------
progs=()
if [ -x "$build/passthru" ]; then
	progs+=("$build/passthru")
else
	echo "lab-initramfs: warning: $build/passthru is not built (run make)" >&2
fi
if [ -d "$build/lab-bin" ]; then
	for f in "$build"/lab-bin/*; do
		[ -f "$f" ] && [ -x "$f" ] && progs+=("$f")
	done
fi
for p in lspci setpci jq; do
	f=$(command -v $p 2>/dev/null) || f=
	[ -z "$f" ] && [ -x /usr/bin/$p ] && f=/usr/bin/$p
	[ -z "$f" ] && [ -x /usr/sbin/$p ] && f=/usr/sbin/$p
	[ -n "$f" ] && progs+=("$f")
done

for p in "${progs[@]}"; do
	cp -L "$p" "$stage/opt/passthru/bin/"
	copy_prog_libs "$stage" "$p"
done
# LAB_LIBS_FOR="FILE...": the shared libraries of programs the lab gets
# some other way (check-deb's packages: what their Depends would install).
for p in ${LAB_LIBS_FOR:-}; do
	copy_prog_libs "$stage" "$p"
done
if [ -d "$build/lab-files" ]; then
	mkdir -p "$stage/opt/passthru/files"
	cp -RL "$build/lab-files/." "$stage/opt/passthru/files/"
fi
if [ -f /usr/share/misc/pci.ids ]; then
	cp /usr/share/misc/pci.ids "$stage/usr/share/misc/pci.ids"
	mkdir -p "$stage/usr/share/hwdata"
	ln -s ../misc/pci.ids "$stage/usr/share/hwdata/pci.ids"
fi

# ---- lab cases and helpers --------------------------------------------------
cp "$here/lib.sh" "$stage/opt/passthru/lab/lib.sh"
cp "${LAB_CASE_DIR:-$here/cases}"/*.sh "$stage/opt/passthru/lab/cases/" 2>/dev/null || true

# ---- modules (stock kernel only) --------------------------------------------
if [ -d "$kdir/modroot" ]; then
	kver=$(cat "$kdir/version")
	src=$kdir/modroot/lib/modules/$kver
	dst=$stage/lib/modules/$kver
	mkdir -p "$dst"
	: >"$dst/lab.modules"
	for m in $STOCK_MODULES; do
		deps=$(modprobe -d "$kdir/modroot" -S "$kver" --show-depends "$m") ||
			{ echo "lab-initramfs: $m is not a module of $kver" >&2; exit 1; }
		# "insmod /path/x.ko [params]" lines; "builtin x" needs nothing.
		for ko in $(echo "$deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
			rel=${ko#"$src"/}
			mkdir -p "$dst/$(dirname "$rel")"
			case "$ko" in
			*.ko.xz) xz -dc "$ko" >"$dst/${rel%.xz}" ;;
			*.ko.zst) zstd -qdc "$ko" >"$dst/${rel%.zst}" ;;
			*) cp "$ko" "$dst/$rel" ;;
			esac
		done
		echo "$m" >>"$dst/lab.modules"
	done
	cp "$src"/modules.builtin* "$src"/modules.order "$dst/" 2>/dev/null || true
	depmod -b "$stage" "$kver"
fi

(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) >"$out"
rm -rf "$stage"
