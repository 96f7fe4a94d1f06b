#!/bin/bash
# tests/completion/bash.sh PASSTHRU FIXTURES — the bash completion
# (tools/completion/passthru.bash) driven the way bash drives it
# (COMP_LINE/COMP_POINT, then COMPREPLY), against the fixture machines and
# this machine; and bash's own `complete -p` / `compgen -F` on it.
# Every expectation is the exact candidate list.  Ends with
# "N passed, M failed".
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fx=$(cd "$2" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }

# shellcheck source=../../tools/completion/passthru.bash
. "$top/tools/completion/passthru.bash"

# The completion as bash runs it for LINE (cursor at the end): COMPREPLY
# sorted, space-separated.  The command is the binary under test, spelled
# as a user would (on PATH) unless LINE names a path.
reply() {
	COMP_LINE=$1 COMP_POINT=${#1} COMPREPLY=()
	PATH=$(dirname "$bin"):$PATH _passthru
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
expect() {	# WHAT LINE WANT
	local got
	got=$(reply "$2")
	if [ "$got" = "$3" ]; then pass "$1"; else fail "$1: '$2' completes to '$got', want '$3'"; fi
}
sorted() { printf '%s\n' "$@" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
ws="passthru --root $fx/workstation"
sv="passthru --root $fx/server"
amd="passthru --root $fx/amd"

# ---- commands and global options -------------------------------------------
# the commands `passthru help` lists, nothing hidden
cmds=$("$bin" help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 && $1 != "Commands:" { print $1 }')
expect "every command help lists, and only those" "passthru " "$(sorted $cmds)"
expect "a command by its start" "passthru st" "status"
expect "help COMMAND" "passthru help sn" "snapshot"
expect "global options" "passthru -" "$(sorted --root --color --wide -v --version --help)"
expect "--color=WHEN" "passthru --color=" "always auto never"
mkdir -p trees/one trees/two
: >trees/file
expect "--root takes a directory" "passthru --root trees/" "trees/one trees/two"
expect "an unknown command completes nothing" "passthru bogus " ""

# ---- options and their values, from each command's synopsis ----------------
expect "list's options" "passthru list -" \
	"$(sorted --json --groups --assigned --wide --class --help)"
expect "list --class values" "passthru list --class " \
	"$(sorted net storage display usb audio bridge accel other)"
expect "list --class=VALUE (bash breaks words at '=')" "passthru list --class=st" "storage"
expect "check's options" "passthru check --" "$(sorted --json --mem --user --help)"
expect "check --user: user names" "passthru check --user roo" "root"
expect "status' options" "passthru status -" "$(sorted --json --wide --help)"
expect "emit FORMAT" "passthru emit " \
	"$(sorted cloud-hypervisor json kubevirt libvirt nfd qemu sriov-dp)"
expect "emit qemu --iommu" "passthru emit qemu --iommu " "iommufd type1"
expect "verify --format" "passthru verify --format " "json junit tap text"
expect "run --guest: the built-in guests" "passthru run --guest nic-" "nic-loopback nic-tx"
: >nic-guest.bin
expect "run --guest: and files" "passthru run --guest nic-" "nic-guest.bin nic-loopback nic-tx"
expect "snapshot -o FILE" "passthru snapshot -o nic" "nic-guest.bin"
expect "assign --emit FORMAT" "passthru assign --emit l" "libvirt"

# ---- devices, from discovery on the --root tree -------------------------------
expect "show: every device, ids that name one device, interfaces (workstation)" \
	"$ws show " "$(sorted 0000:00:00.0 0000:00:01.0 0000:00:14.0 0000:00:1b.0 \
	0000:00:1c.0 0000:00:1f.0 0000:00:1f.3 0000:00:1f.4 0000:01:00.0 0000:01:00.1 \
	0000:02:00.0 0000:03:00.0 8086:3e30 8086:1901 8086:a36d 8086:a340 8086:a338 \
	8086:a305 8086:a348 8086:a323 10de:1b80 10de:10f0 144d:a804 8086:1539 enp3s0)"
# bash replaces the word after its last ':': the rest of each candidate
expect "show 0000:01: (after the last colon)" "$ws show 0000:01:" "00.0 00.1"
expect "show 01:00 (short addresses, domain 0)" "$ws show 01:00" "00.0 00.1"
expect "show by interface name" "$ws show enp" "enp3s0"
# Not the host bridge 00:00.0 (8086:2020) nor the PCH group (LPC, audio,
# SMBus, SPI): platform devices are refused even with --force.
expect "assign: endpoints not on vfio-pci (server)" "$sv assign " \
	"$(sorted 0000:00:17.0 0000:03:00.0 0000:03:02.1 0000:03:02.2 \
	0000:03:02.3 0000:04:00.0 0000:05:00.0 0000:05:00.1 0000:06:00.0 0000:08:00.0 \
	8086:a182 8086:1572 8086:0a54 8086:10d3 1a03:2000 ens1f0 ens1f0v1 \
	ens1f0v2 ens1f0v3 eno1 eno2)"
expect "release: what is on vfio-pci (server; 8086:154c names 4 VFs)" "$sv release " \
	"0000:03:02.0"
expect "release: what is on vfio-pci (amd)" "$amd release " \
	"0000:09:00.0 0000:09:00.1 1002:73bf 1002:ab28"
expect "release DEVICE DEVICE" "$amd release 0000:09:00.0 0000:09:00." "00.0 00.1"
expect "assign: virsh node device names once pci_ is typed (server)" \
	"$sv assign pci_0000_05" "pci_0000_05_00_0 pci_0000_05_00_1"
expect "assign: class=KEY for the classes it takes (bash completes after '=')" \
	"$sv assign class=" "display net storage"
expect "release: class=KEY of what is on vfio-pci (server: one VF)" "$sv release class=" "net"
expect "vfs: SR-IOV physical functions" "$sv vfs " "0000:03:00.0 8086:1572 ens1f0"
expect "vfs DEVICE N: nothing for N" "$sv vfs 0000:03:00.0 " ""
expect "dma-test: endpoints" "$sv dma-test 0000:02" ""
expect "run --device: endpoints" "$sv run --device 0000:04:" "00.0"
expect "emit FORMAT DEVICE" "$amd emit qemu 0000:09:00." "00.0 00.1"
expect "--root after other global options" "passthru --wide --root $fx/server release " \
	"0000:03:02.0"
expect "--root=DIR" "passthru --root=$fx/server vfs e" "ens1f0"
expect "a path to the binary, not on PATH" "$bin --root $fx/server vfs e" "ens1f0"

# ---- this machine: the devices `passthru list --json` shows -------------------
live=$("$bin" list --json | jq -r '.devices[].bdf' 2>/dev/null)
if [ -n "$live" ]; then
	# ids that name one device, and the interfaces
	ids=$("$bin" list --json | jq -r '.devices[] | "\(.vendor_id[2:]):\(.device_id[2:])"' |
		sort | uniq -u)
	nets=$("$bin" list --json | jq -r '.devices[].net[]')
	expect "show on this machine: list --json's devices, unique ids, interfaces" \
		"passthru show " "$(sorted $live $ids $nets)"
else
	fail "passthru list --json on this machine gave no device"
fi

# ---- bash itself: `complete` and readline in an interactive shell ---------------
spec=$(complete -p passthru 2>&1)
if [ "$spec" = "complete -F _passthru passthru" ]; then pass "complete -p passthru"
else fail "complete -p passthru: '$spec'"; fi
# An interactive bash on a terminal (script(1)) sources the completion;
# each LINE is typed with a TAB, then Ctrl-A and "echo ZZn " put the line
# bash completed on its output.  Keys are queued: readline runs each
# completion before it reads the next key.
lines=("$sv rele" "$sv release " "$ws show enp" "$ws show 0000:02:" "$sv list --class=sto"
       "$sv vfs e")
want=("$sv release" "$sv release 0000:03:02.0" "$ws show enp3s0" "$ws show 0000:02:00.0"
      "$sv list --class=storage" "$sv vfs ens1f0")
keys=". '$top/tools/completion/passthru.bash'; PATH=$(dirname "$bin"):\$PATH\n"
for i in "${!lines[@]}"; do
	keys+="${lines[i]}\t\001echo ZZ$i \n"
done
keys+="exit\n"
out=$(printf "$keys" | TERM=dumb timeout 60 script -qfc "bash --norc --noprofile -i" /dev/null |
	tr -d '\r')
for i in "${!lines[@]}"; do
	got=$(grep -a "^ZZ$i " <<<"$out" | head -1)
	got=${got#"ZZ$i "}
	# echo joins the words with one space, as want has them
	if [ "$got" = "${want[i]}" ]; then pass "interactive bash: '${lines[i]}<TAB>'"
	else fail "interactive bash: '${lines[i]}<TAB>' became '$got', want '${want[i]}'"; fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
