# tests/lab/boot.sh — one boot of the lab VM (sourced by tests/lab/run).
#
#   boot KERNEL APPEND DIR LIMIT MODE [EXTRA.cpio...]
#
# DIR/job.sh is the job (written by the caller); the initramfs is the
# kernel's base archive, then any EXTRA archives (QEMU for needs=qemu), then
# the job.  The logs stay in DIR (console.log, output.log = ttyS1,
# dmesg.log = ttyS2, qemu.stderr, the NICs' pcaps).  Sets
#   BOOT_RC      QEMU's status, or "timeout"
#   BOOT_WHY     why the watchdog killed it ("" when it did not)
#   BOOT_SECS    host milliseconds for the whole run
#   BOOTED_SECS  the guest's uptime when /init was ready
#   BOOT_RSS_KB  QEMU's peak resident memory
# Needs from the caller: KDIR[k], BASE[k], topofile, topology, append, QEMU,
# BOOT_ALLOWANCE, CASE_GRACE, CASE_T[name], note().

# The initramfs of one boot: base + extras + this boot's job.
boot_initrd() {	# KERNEL DIR OUT EXTRA...
	local k=$1 dir=$2 out=$3
	shift 3
	mkdir -p "$dir/job/lab"
	[ -f "$dir/job.sh" ] && cp "$dir/job.sh" "$dir/job/lab/job.sh"
	(cd "$dir/job" && find . | cpio -o -H newc --quiet -R 0:0) >"$dir/job.cpio"
	cat "${BASE[$k]}" "$@" "$dir/job.cpio" >"$out"
	rm -rf "$dir/job" "$dir/job.cpio"
}

# QEMU's command line for one boot into BOOT_QEMU (an array).  A topology
# line "# lab-disk: NAME SIZE" makes a fresh sparse image DIR/NAME for the
# topology's block devices (listed in BOOT_DISKS, deleted after the boot).
boot_qemu_cmd() {	# KERNEL APPEND DIR MODE INITRD
	local k=$1 extra=$2 dir=$3 mode=$4 initrd=$5 line
	local topo=() re='^#[[:space:]]*lab-disk:[[:space:]]+([A-Za-z0-9._-]+)[[:space:]]+([0-9]+[KMG]?)[[:space:]]*$'
	BOOT_DISKS=()
	while read -r line; do
		if [[ $line =~ $re ]]; then
			rm -f "$dir/${BASH_REMATCH[1]}"
			truncate -s "${BASH_REMATCH[2]}" "$dir/${BASH_REMATCH[1]}" || return 1
			BOOT_DISKS+=("$dir/${BASH_REMATCH[1]}")
		fi
		line=${line%%#*}
		line=${line//@OUT@/$dir}
		[ -n "${line// /}" ] && topo+=($line)
	done <"$topofile"
	# no_timer_check: under TCG on a busy host the kernel's check that the
	# timer interrupt works through the remapped IO-APIC can time out and
	# panic ("timer doesn't work through Interrupt-remapped IO-APIC").
	local cmdline="console=ttyS0 panic=-1 no_timer_check intel_iommu=on lab.mode=$mode lab.kernel=$k lab.topology=$topology"
	[ -n "$append" ] && cmdline+=" $append"
	[ -n "$extra" ] && cmdline+=" $extra"
	# LAB_MEM / LAB_SMP: a bigger lab VM for benchmarks (guest RAM pinned
	# for VFIO, nested vCPUs); the suites run with the defaults.
	BOOT_QEMU=("$QEMU" -accel tcg -M q35,kernel-irqchip=split -cpu max
		-smp "${LAB_SMP:-1}" -m "${LAB_MEM:-1G}"
		-device intel-iommu,intremap=on,caching-mode=on
		-kernel "${KDIR[$k]}/vmlinuz" -initrd "$initrd" -append "$cmdline"
		-display none -vga none -no-reboot -nic none -monitor none)
	if [ "$mode" = shell ]; then
		BOOT_QEMU+=(-serial mon:stdio)
	else
		BOOT_QEMU+=(-serial "file:$dir/console.log" -serial "file:$dir/output.log"
			-serial "file:$dir/dmesg.log")
	fi
	BOOT_QEMU+=("${topo[@]}")
}

# The host's side of a running VM: a VM that stops responding cannot run
# the in-guest watchdog, so each case gets its own timeout + CASE_GRACE from
# when the host saw it begin, the boot BOOT_ALLOWANCE to reach userspace,
# and the whole boot LIMIT.  Kills QEMU by PID when one runs out.
boot_watch() {	# PID DIR LIMIT T0
	local pid=$1 dir=$2 limit=$3 t0=$4 now hwm last cur= cur_t0=0 tick=0 why=
	while kill -0 "$pid" 2>/dev/null; do
		hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/$pid/status 2>/dev/null)
		[ -n "$hwm" ] && [ "$hwm" -gt "$BOOT_RSS_KB" ] && BOOT_RSS_KB=$hwm
		now=$(date +%s%N)
		why=
		if [ $(( (now - t0) / 1000000000 )) -ge "$limit" ]; then
			why="the boot exceeded its ${limit} s limit"
		elif [ $((tick++ % 5)) = 0 ]; then
			last=$(grep -a '^LAB-\(CASE-\|BOOTED\)' "$dir/output.log" | tail -1)
			case "$last" in
			"LAB-CASE-BEGIN "*)
				[ "${last#LAB-CASE-BEGIN }" = "$cur" ] || { cur=${last#LAB-CASE-BEGIN }; cur_t0=$now; }
				[ -n "${CASE_T[$cur]:-}" ] &&
					[ $(( (now - cur_t0) / 1000000000 )) -gt $(( CASE_T[$cur] + CASE_GRACE )) ] &&
					why="case $cur gave no result $(( CASE_T[$cur] + CASE_GRACE )) s after it began (the VM is stuck)"
				;;
			"") [ $(( (now - t0) / 1000000000 )) -gt "$BOOT_ALLOWANCE" ] &&
				why="the VM did not reach userspace within $BOOT_ALLOWANCE s" ;;
			*) cur= ;;
			esac
		fi
		if [ -n "$why" ]; then
			BOOT_WHY=$why
			note "$why: killing QEMU (pid $pid)"
			kill -TERM "$pid" 2>/dev/null
			sleep 2
			kill -KILL "$pid" 2>/dev/null
			BOOT_RC=timeout
			return
		fi
		sleep 0.2
	done
}

# At most one lab VM per core (LAB_VM_SLOTS, default nproc) on this machine:
# a TCG VM keeps a core busy, and with more VMs than cores each one starves
# (three on two cores made nested Linux guests stall past their timeouts).
# `make check` runs two at most (its lab lane and a VMM suite in the lab);
# a run by hand beside it waits here.  A slot is a flock on a file in the
# lab cache, held by QEMU's fd until the boot ends; a boot waits for a free
# one before its clocks start.
vm_slot_take() {	# KERNEL
	local dir n i
	dir=$(dirname "${KDIR[$1]}")/vm-slots
	n=${LAB_VM_SLOTS:-$(nproc)}
	mkdir -p "$dir"
	for ((i = 0; i < n; i++)); do
		exec {VM_SLOT}>"$dir/$i"
		flock -n "$VM_SLOT" && return 0
		exec {VM_SLOT}>&-
	done
	# All taken: wait for one, chosen by PID so that waiters spread out.
	echo "== lab: all $n VM slots are taken (one lab VM per core); waiting for one"
	exec {VM_SLOT}>"$dir/$(($$ % n))"
	flock "$VM_SLOT"
}

vm_slot_give() {
	exec {VM_SLOT}>&-
}

boot() {	# KERNEL APPEND DIR LIMIT MODE [EXTRA.cpio...]
	local k=$1 extra=$2 dir=$3 limit=$4 mode=$5 t0 pid rc
	shift 5
	local initrd=$dir/initrd.cpio
	boot_initrd "$k" "$dir" "$initrd" "$@"
	boot_qemu_cmd "$k" "$extra" "$dir" "$mode" "$initrd"
	printf '%q ' "${BOOT_QEMU[@]}" >"$dir/qemu.cmdline"; echo >>"$dir/qemu.cmdline"

	if [ "$mode" = shell ]; then
		timeout --foreground "$limit" "${BOOT_QEMU[@]}" 2>"$dir/qemu.stderr"
		BOOT_RC=$?
		rm -f "${BOOT_DISKS[@]}"
		return
	fi
	vm_slot_take "$k"
	t0=$(date +%s%N)
	: >"$dir/output.log"
	"${BOOT_QEMU[@]}" </dev/null >"$dir/qemu.stdout" 2>"$dir/qemu.stderr" &
	pid=$!
	BOOT_RC= BOOTED_SECS= BOOT_RSS_KB=0 BOOT_WHY=
	boot_watch "$pid" "$dir" "$limit" "$t0"
	wait "$pid" 2>/dev/null
	rc=$?
	vm_slot_give
	[ -n "$BOOT_RC" ] || BOOT_RC=$rc
	BOOT_SECS=$(( ($(date +%s%N) - t0) / 1000000 ))
	# The guest's own uptime when /init was ready: boot time without QEMU start-up.
	BOOTED_SECS=$(sed -n 's/^LAB-BOOTED \([0-9.]*\).*/\1/p' "$dir/output.log" | head -1)
	# ttyS1/ttyS2 are raw: drop the CRs a console might still add.
	sed -i 's/\r$//' "$dir/output.log" "$dir/dmesg.log" 2>/dev/null
	rm -f "$initrd" "${BOOT_DISKS[@]}"
}
