#!/bin/bash
# tests/vmm/run-cli.sh PASSTHRU GUEST_BIN_DIR LINUX_GUEST_DIR — `passthru
# run` on this machine's /dev/kvm, no devices: exact exit statuses, stdout
# and stderr, for the bare-metal guests and for a Linux guest (the stock lab
# kernel and the test initramfs of tests/linux-guest, in LINUX_GUEST_DIR).
# Ends with "N passed, M failed" for scripts/run-suite.  Runs the same on
# the host and inside the lab (bash and jq are both there; no python).
P=$1 GDIR=$2 LDIR=${3:-}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# t NAME WANT_STATUS WANT_STDOUT_FILE_OR_- WANT_STDERR_SUBSTRING -- ARGS...
# (WANT_STDERR "=LINE": stderr must have exactly that line)
t() {
	local name=$1 want=$2 out=$3 err=$4 rc
	shift 5
	"$P" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL $name: status $rc, want $want"; sed 's/^/  | /' "$tmp/err"
		fail=$((fail + 1)); return
	fi
	if [ "$out" != - ] && ! diff -u <(printf '%b' "$out") "$tmp/out" >"$tmp/diff"; then
		echo "FAIL $name: stdout differs"; sed 's/^/  | /' "$tmp/diff"
		fail=$((fail + 1)); return
	fi
	if [ "${err#=}" != "$err" ]; then
		if ! grep -qxF -- "${err#=}" "$tmp/err"; then
			echo "FAIL $name: stderr lacks the line '${err#=}'"; sed 's/^/  | /' "$tmp/err"
			fail=$((fail + 1)); return
		fi
	elif [ -n "$err" ] && ! grep -qF -- "$err" "$tmp/err"; then
		echo "FAIL $name: stderr lacks '$err'"; sed 's/^/  | /' "$tmp/err"
		fail=$((fail + 1)); return
	fi
	echo "PASS $name"
	pass=$((pass + 1))
}

t hello 0 'hello from the guest: 32 MiB RAM, long mode, apic 0\npci 00:00.0 1b36:0008 class 060000\npci: 1 function(s)\n' '' -- run
t hello-64M 0 'hello from the guest: 64 MiB RAM, long mode, apic 0\npci 00:00.0 1b36:0008 class 060000\npci: 1 function(s)\n' '' -- run --guest hello --mem 64M
t exit-42 42 'exiting with 42\n' '' -- run --guest exit-code
t exit-7 7 'exiting with 7\n' '' -- run --guest exit-code --guest-arg 7
t exit-0 0 'exiting with 0\n' '' -- run --guest exit-code --guest-arg 0
t timeout-halt 124 'hanging (halt)\n' 'passthru: guest hang did not exit within 0.3 s (--timeout); stopped it' -- run --guest hang --timeout 0.3
t timeout-spin 124 'hanging (spin)\n' 'did not exit within 0.2 s' -- run --guest hang --guest-arg spin --timeout 0.2
t timeout-units 124 'hanging (halt)\n' 'did not exit within 0.25 s' -- run --guest hang --timeout 250ms
t unmapped 125 'writing 0x80000000\n' 'passthru: guest unmapped stopped: guest wrote 4 bytes at unmapped address 0x80000000 (rip 0x' -- run --guest unmapped
t unmapped-mmio-window 125 - 'unmapped address 0xc0000000' -- run --guest unmapped --guest-arg 0xc0000000
t pci-garbage 0 'pci 00:00.0 1b36:0008 class 060000\npci-garbage: 1 function(s), 0 problem(s)\n' '' -- run --guest pci-garbage
t pci-garbage-devices 0 - '' -- run --guest pci-garbage --device test:membar --device test:membar
t pci-ecam 0 'pci-ecam: 1 function(s), 0 difference(s)\n' '' -- run --guest pci-ecam
t pci-ecam-devices 0 'pci-ecam: 00:01.0 BAR0 0xc0000000 sized 0x10000 through ECAM\npci-ecam: 00:02.0 BAR0 0xc0020000 sized 0x10000 through ECAM\npci-ecam: 3 function(s), 0 difference(s)\n' '' -- run --guest pci-ecam --device test:membar --device test:membar
t membar 0 'membar: 00:01.0 BAR0 0xc0000000 size 0x10000\nmembar: wrote 16384 dwords, moved BAR to 0xc0040000\n' '' -- run --guest membar --device test:membar
t membar-missing 2 '' '--guest membar drives test:membar; give it with --device' -- run --guest membar
t edu-missing 2 '' '--guest edu-dma drives an edu device (1234:11e8); give it with --device' -- run --guest edu-dma
t bad-device 2 '' "--device 99:1f.7: unknown device '99:1f.7'" -- run --guest edu-dma --device 99:1f.7
t halt-no-timeout 125 'hanging (halt)\n' 'guest halted with no interrupt source and no --timeout' -- run --guest hang --timeout 0
t user-flat-binary 0 '!\n' '' -- run --guest "$GDIR/tiny.bin"
t bad-mem 2 '' '--mem: 1K is outside 2M..3G' -- run --mem 1K
t bad-mem-syntax 2 '' '--mem:' -- run --mem lots
t bad-guest 2 '' "--guest: 'nosuch' is neither a built-in program" -- run --guest nosuch
t bad-guest-file 2 '' '--guest: guest image /dev/null must be a non-empty regular file' -- run --guest /dev/null
t bad-timeout 2 '' "--timeout: 'soon' is not a duration (0..24h; seconds, or with a unit: 500ms, 2s, 1m)" -- run --timeout soon
t bad-iommu 2 '' "--iommu: 'vfio' is not type1, iommufd or auto" -- run --iommu vfio
t bad-option 2 '' "unknown option '--bogus'" -- run --bogus
dd if=/dev/zero of="$tmp/big.bin" bs=1024 count=3072 2>/dev/null
t too-big-for-mem 2 '' 'does not fit in --mem; raise --mem' -- run --mem 2M --guest "$tmp/big.bin"
printf '\x0f\x0b' >"$tmp/ud2.bin"		# ud2 with no IDT: triple fault
t garbage-image 125 '' '=passthru: guest '"$tmp"'/ud2.bin stopped: guest triple fault (shutdown)' -- run --guest "$tmp/ud2.bin"

# --hugepages 2M: runs when the pool has 16 free pages, else says how to
# reserve them (both outcomes exact; which one depends on this machine)
t hugepages-bad-mem 2 '' '--mem must be a multiple of the huge page size with --hugepages 2M' -- run --hugepages 2M --mem 3M
t hugepages-bad 2 '' "--hugepages: '4K' is not 2M or 1G" -- run --hugepages 4K
hfree=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
if [ "$hfree" -ge 16 ]; then
	t hugepages-2M 0 'exiting with 5\n' '' -- run --guest exit-code --guest-arg 5 --hugepages 2M
else
	t hugepages-2M-short 1 '' "allocating 32 MiB of hugetlb-2M memory failed: Cannot allocate memory: 16 huge page(s) of 2 MiB needed, $hfree free; reserve more with" -- run --hugepages 2M
fi

# No /dev/kvm (a private mount namespace with an empty /dev): the message
# says what to do, status 1.
if unshare -m sh -c 'mount -t tmpfs none /dev && exec "$0" run' "$P" >"$tmp/out" 2>"$tmp/err"; then rc=0; else rc=$?; fi
if [ $rc = 1 ] && grep -qF 'passthru: vmm: cannot open /dev/kvm: No such file or directory; load kvm_intel or kvm_amd' "$tmp/err"; then
	echo "PASS kvm-missing"; pass=$((pass + 1))
else
	echo "FAIL kvm-missing: status $rc"; sed 's/^/  | /' "$tmp/err"; fail=$((fail + 1))
fi

# --json: one object, exact fields for the no-device guest
"$P" run --guest exit-code --guest-arg 3 --json >"$tmp/json"
rc=$?
if [ $rc = 3 ] && jq -e '.guest == "exit-code" and .stop == "exit" and .status == 3
	and .serial == "exiting with 3\n" and .devices == [] and .mem_bytes == 33554432
	and .mem_backing == "memfd" and 0 < .first_exit_ms and .first_exit_ms <= .run_ms' \
	"$tmp/json" >/dev/null
then echo "PASS json"; pass=$((pass + 1)); else echo "FAIL json (status $rc)"; cat "$tmp/json"; fail=$((fail + 1)); fi

"$P" run --guest membar --device test:membar --json >"$tmp/json"
if jq -e '(.devices | length) == 1 and .devices[0].guest_bdf == "00:01.0"
	and .devices[0].bars == [{"index": 0, "size": 65536, "gpa": "0xc0040000", "kind": "slot"},
	                         {"index": 1, "size": 4096, "gpa": "0xc0010000", "kind": "trap"}]
	and .mmio_exits == 0' "$tmp/json" >/dev/null
then echo "PASS json-membar"; pass=$((pass + 1)); else echo "FAIL json-membar"; cat "$tmp/json"; fail=$((fail + 1)); fi

# --list-guests names every built-in program
"$P" run --list-guests >"$tmp/list"
if [ "$(awk '{print $1}' "$tmp/list" | tr '\n' ' ')" = "hello exit-code hang unmapped pci-garbage pci-ecam membar msi-wait intx-wait msix-mask pio-loop mmio-loop tiny $(awk 'NR>13{print $1}' "$tmp/list" | tr '\n' ' ')" ] && grep -q '^hello ' "$tmp/list"; then
	echo "PASS list-guests"; pass=$((pass + 1))
else
	echo "FAIL list-guests"; cat "$tmp/list"; fail=$((fail + 1))
fi

# ---- Linux guests (--kernel) -------------------------------------------------
# Bad input first (no VM is created for any of it), then four boots of the
# stock kernel with the test initramfs, `quiet` (each console byte is an
# exit): to userspace and the exit port, 2 CPUs rebooting in order, a panic,
# a timeout.  Missing guest files fail (never skip).
K=$LDIR/vmlinuz I=$LDIR/initrd.cpio
if [ -z "$LDIR" ] || [ ! -f "$K" ] || [ ! -f "$I" ]; then
	echo "FAIL linux: no Linux test guest in '$LDIR' (make linux-guest)"; fail=$((fail + 1))
else
kver=$(cat "$LDIR/version")
t linux-not-bzimage 2 '' "passthru run: --kernel $GDIR/hello.bin: not a bzImage: no \"HdrS\" boot signature at offset 0x202" -- run --kernel "$GDIR/hello.bin"
head -c 4096 "$K" >"$tmp/old.bz"
printf '\x09\x02' | dd of="$tmp/old.bz" bs=1 seek=$((0x206)) conv=notrunc 2>/dev/null
t linux-old-protocol 2 '' 'boot protocol 2.09 is too old: passthru needs 2.12 or later' -- run --kernel "$tmp/old.bz"
head -c 600 "$K" >"$tmp/short.bz"
t linux-truncated 2 '' 'truncated bzImage' -- run --kernel "$tmp/short.bz"
t linux-mem-too-small 2 '' 'MiB of RAM to decompress itself (init_size' -- run --kernel "$K" --mem 64M
dd if=/dev/zero of="$tmp/big.cpio" bs=1M count=0 seek=300 2>/dev/null
t linux-initrd-too-big 2 '' 'the initrd (300 MiB) does not fit' -- run --kernel "$K" --initrd "$tmp/big.cpio"
t linux-initrd-missing 2 '' "--initrd: cannot open initrd $tmp/nope: No such file or directory" -- run --kernel "$K" --initrd "$tmp/nope"
t linux-cmdline-too-long 2 '' 'is longer than this kernel accepts (2047)' -- run --kernel "$K" --append "$(head -c 2100 /dev/zero | tr '\0' x)"
t linux-options-need-kernel 2 '' '--initrd, --append, --cpus and --console go with --kernel' -- run --cpus 2
t linux-kernel-and-guest 2 '' '--kernel boots Linux; --guest and --guest-arg are for the bare-metal guests' -- run --kernel "$K" --guest hello
t linux-bad-cpus 2 '' "--cpus: '65' is not a number of vCPUs (1..64)" -- run --kernel "$K" --cpus 65
t linux-mem-limit 2 '' '--mem: 512G is outside 2M..256G' -- run --kernel "$K" --mem 512G
t linux-console-unwritable 2 '' '--console: cannot write /nonexistent/con: No such file or directory' -- run --kernel "$K" --console /nonexistent/con

# tl NAME WANT_STATUS ARGS...: a Linux boot; stdout (CRs dropped) in $tmp/out
tl() {
	local name=$1 want=$2 rc
	shift 2
	"$P" run --kernel "$K" --initrd "$I" "$@" </dev/null >"$tmp/out.raw" 2>"$tmp/err"
	rc=$?
	tr -d '\r' <"$tmp/out.raw" >"$tmp/out"
	if [ "$rc" != "$want" ]; then
		echo "FAIL $name: status $rc, want $want"; sed 's/^/  | /' "$tmp/err"
		grep 'pt-guest' "$tmp/out" | sed 's/^/  > /'
		fail=$((fail + 1)); return 1
	fi
}
# has NAME FILE LINE...: each LINE (a grep -E regex for a whole line) is in FILE
has() {
	local name=$1 f=$2 l
	shift 2
	for l in "$@"; do
		grep -qxE -- "$l" "$f" && continue
		echo "FAIL $name: no line /$l/"; sed 's/^/  | /' "$f" | tail -20
		fail=$((fail + 1)); return
	done
	echo "PASS $name"; pass=$((pass + 1))
}
if tl linux-hello 0 --append 'quiet pt.test=hello' --timeout 900; then
	has linux-hello "$tmp/out" 'pt-guest: userspace up at [0-9.]+ s' \
		"pt-guest: kernel $kver, 1 CPU\\(s\\), [0-9]+ kB" \
		'pt-guest: cmdline console=ttyS0 acpi=off reboot=k,panic_warm panic=-1 i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd quiet pt.test=hello' \
		'pt-guest: exit 0'
fi
if tl linux-reboot-2cpus 0 --append 'quiet pt.test=reboot' --cpus 2 --console "$tmp/con" --json --timeout 900; then
	tr -d '\r' <"$tmp/con" >"$tmp/con.txt"
	has linux-reboot-2cpus "$tmp/con.txt" "pt-guest: kernel $kver, 2 CPU\\(s\\), [0-9]+ kB" \
		'pt-guest: rebooting'
	if jq -e '.stop == "reboot" and .status == 0 and .cpus == 2 and .guest == "linux"
		and (.serial | contains("pt-guest: rebooting"))' "$tmp/out" >/dev/null; then
		echo "PASS linux-reboot-json"; pass=$((pass + 1))
	else
		echo "FAIL linux-reboot-json"; head -c 600 "$tmp/out"; fail=$((fail + 1))
	fi
fi
if tl linux-panic 125 --append 'quiet pt.test=panic' --timeout 900; then
	has linux-panic "$tmp/out" 'pt-guest: crashing the kernel' '.*Kernel panic - not syncing: sysrq triggered crash'
	has linux-panic-message "$tmp/err" 'passthru: guest linux stopped: the guest kernel panicked and reset the machine \(i8042 reset after a warm-boot flag; see the console\)( \(rip 0x[0-9a-f]+\))?'
fi
t linux-timeout 124 - '=passthru: guest linux did not exit within 1 s (--timeout); stopped it' -- run --kernel "$K" --initrd "$I" --append quiet --timeout 1
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
