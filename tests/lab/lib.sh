# Helpers for lab cases (busybox sh, inside the lab VM).  A case sources this
# with `. "$LAB_LIB"`, prints PASS:/FAIL: lines through these functions and
# ends with `lab_done`, which exits non-zero when anything failed.
#
#   pass WHAT                      PASS: WHAT
#   fail WHAT                      FAIL: WHAT
#   expect_eq WHAT EXPECTED SEEN   pass, or FAIL: WHAT (expected E, saw S)
#   expect_ok WHAT CMD...          CMD must exit 0 (its output is shown on failure)
#   expect_fail WHAT CMD...        CMD must exit non-zero
#   expect_match WHAT REGEX TEXT   TEXT must match the (grep -E) REGEX
#   need_cmd CMD...                FAIL and exit when a program is missing
#   lab_find_dev VENDOR DEVICE     BDFs with those ids (e.g. 0x1234 0x11e8)
#   lab_driver BDF                 name of the bound driver, or "none"
#   lab_bind BDF DRIVER            driver_override + unbind + drivers_probe
#   lab_done                       exit 0 if no FAIL, else 1

LAB_FAILED=0
LAB_PASSED=0

pass() { echo "PASS: $*"; LAB_PASSED=$((LAB_PASSED + 1)); }
fail() { echo "FAIL: $*"; LAB_FAILED=$((LAB_FAILED + 1)); }

expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (expected '$2', saw '$3')"; fi
}

expect_ok() {
	_what=$1; shift
	_out=$("$@" 2>&1); _rc=$?
	if [ $_rc = 0 ]; then
		pass "$_what"
	else
		fail "$_what (expected exit 0, saw $_rc from: $*)"
		echo "$_out" | sed 's/^/    | /'
	fi
	return $_rc
}

expect_fail() {
	_what=$1; shift
	_out=$("$@" 2>&1); _rc=$?
	if [ $_rc != 0 ]; then
		pass "$_what"
	else
		fail "$_what (expected a non-zero exit, saw 0 from: $*)"
		echo "$_out" | sed 's/^/    | /'
	fi
}

expect_match() {
	if echo "$3" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1 (expected a match for /$2/, saw '$(echo "$3" | head -5)')"
	fi
}

need_cmd() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 && continue
		fail "$_c is not in the lab (not built? make must build it before tests/lab/run)"
		lab_done
	done
}

lab_find_dev() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat $_d/vendor)" = "$1" ] && [ "$(cat $_d/device)" = "$2" ] && basename $_d
	done
}

# IPv4 only on these interfaces: QEMU's user network answers router
# solicitations, and the IPv6 default route that arrives some seconds later
# would be another blocker.  The iommufd kernel has no IPv6 at all.
lab_ipv4_only() {
	[ -d /proc/sys/net/ipv6 ] || return 0
	for _i in "$@"; do
		echo 1 >/proc/sys/net/ipv6/conf/$_i/disable_ipv6
	done
}

# The IOMMU backend a case that boots a Linux guest uses on this kernel:
# type1 on the stock kernel, iommufd where the kernel has it.  A nested
# Linux boot is the lab's costliest step, and a guest does the same DMA
# under either backend, so the two kernels split the backends between them
# rather than both booting every guest twice.  (The cheap VFIO cases still
# use both backends on the iommufd kernel.)
lab_linux_backend() {
	if [ -e /dev/iommu ]; then echo iommufd; else echo type1; fi
}

lab_driver() {
	if [ -e /sys/bus/pci/devices/$1/driver ]; then
		basename "$(readlink /sys/bus/pci/devices/$1/driver)"
	else
		echo none
	fi
}

lab_bind() {
	echo "$2" >/sys/bus/pci/devices/$1/driver_override || return 1
	if [ -e /sys/bus/pci/devices/$1/driver ]; then
		echo "$1" >/sys/bus/pci/devices/$1/driver/unbind || return 1
	fi
	echo "$1" >/sys/bus/pci/drivers_probe
	[ "$(lab_driver $1)" = "$2" ]
}

lab_done() {
	exit $((LAB_FAILED > 0))
}

# The devices verify proves in a topology, for the cases that run on
# several (verify-identity, verify-intremap, ...): basic's e1000e; the
# devices topology's e1000e, NVMe scratch controller and igb PF.
#   lab_verify_devices          prints the BDFs
#   lab_make_vf PF MAC          brings the PF up, creates one VF with MAC
#                               and prints the VF's BDF
lab_verify_devices() {
	case "$LAB_TOPOLOGY" in
	devices) echo "0000:00:05.0 0000:00:06.0 0000:01:00.0" ;;
	*) echo "0000:00:05.0" ;;
	esac
}

lab_make_vf() {
	_ifc=$(ls /sys/bus/pci/devices/$1/net 2>/dev/null | head -1)
	[ -n "$_ifc" ] || return 1
	ip link set "$_ifc" up
	passthru vfs "$1" 1 >/dev/null || return 1
	ip-full link set "$_ifc" vf 0 mac "$2" || return 1
	basename "$(readlink /sys/bus/pci/devices/$1/virtfn0)"
}
