#!/bin/bash
# tests/linux-guest/mkinitramfs.sh KERNEL_DIR OUT_DIR
#
# The Linux test guest of `passthru run --kernel`, from the stock lab
# kernel (tests/lab/kernel.sh stock prints KERNEL_DIR; no kernel is built):
#   OUT_DIR/vmlinuz      that kernel's bzImage
#   OUT_DIR/initrd.cpio  busybox (static), /init (tests/linux-guest/init),
#                        the udhcpc hook, and the kernel's own e1000e module
#                        with its dependencies, resolved from the kernel's
#                        modules.dep by `modprobe --show-depends` (the order
#                        to insmod them in /lib/modules/load-order)
#   OUT_DIR/lspci.cpio   lspci and its shared libraries: appended to the
#                        initrd (cat a b >c; the kernel unpacks both) by the
#                        cases that want the guest's own lspci
# Uncompressed newc archives: every kernel unpacks them without a
# decompressor, and the guest's boot time has no decompression in it.
set -euo pipefail

kdir=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
kver=$(cat "$kdir/version")
modroot=$kdir/modroot
mkdir -p "$out"

pack() {	# DIR ARCHIVE
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --quiet -R 0:0) >"$2.tmp"
	mv "$2.tmp" "$2"
}

stage=$(mktemp -d "$out/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# ---- the initrd -------------------------------------------------------------
root=$stage/initrd
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/modules}
cp /bin/busybox "$root/bin/busybox"
file -L "$root/bin/busybox" | grep -q 'statically linked' ||
	{ echo "mkinitramfs: /bin/busybox is not static (install busybox-static)" >&2; exit 1; }
install -m 0755 "$here/init" "$root/init"
install -m 0755 "$here/udhcpc.script" "$root/etc/udhcpc.script"
: >"$root/lib/modules/load-order"
deps=$(modprobe -d "$modroot" -S "$kver" --show-depends e1000e) ||
	{ echo "mkinitramfs: e1000e is not a module of $kver" >&2; exit 1; }
for ko in $(echo "$deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
	name=$(basename "$ko")
	case "$ko" in
	*.ko.xz) xz -dc "$ko" >"$root/lib/modules/${name%.xz}"; name=${name%.xz} ;;
	*.ko.zst) zstd -qdc "$ko" >"$root/lib/modules/${name%.zst}"; name=${name%.zst} ;;
	*) cp "$ko" "$root/lib/modules/$name" ;;
	esac
	echo "$name" >>"$root/lib/modules/load-order"
done
pack "$root" "$out/initrd.cpio"

# ---- lspci and its libraries --------------------------------------------------
root=$stage/lspci
mkdir -p "$root/usr/bin"
lspci=$(command -v lspci || echo /usr/bin/lspci)
cp -L "$lspci" "$root/usr/bin/lspci"
ldd "$lspci" | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^\s*\(\/[^ ]*\) (.*/\1/p' |
	while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
pack "$root" "$out/lspci.cpio"

cp "$kdir/vmlinuz" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"
echo "$kver" >"$out/version"
