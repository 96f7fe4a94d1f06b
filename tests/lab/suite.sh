# tests/lab/suite.sh — suite mode of tests/lab/run (sourced by it): choose
# the cases for the topology, group them into boots, run each boot, count
# each case's PASS/FAIL lines (and its .host half), and end with
# "N passed, M failed".  Needs from the caller: cases[], kernel, topology,
# LAB_CASE_DIR, CASE_TIMEOUT_DEFAULT, HOST_CHECK_TIMEOUT, work, boot(),
# prepare_kernel(), extra_cpios(), finish(), die(), note(), ms().

# case_field FILE KEY DEFAULT: value of KEY in the file's "# lab:" header.
case_header() { grep -m1 '^# lab:' "$1" 2>/dev/null || true; }
case_field() {
	local h re
	h=$(case_header "$1")
	if [ "$2" = append ]; then
		re='(^|[[:space:]])append="([^"]*)"'
		[[ $h =~ $re ]] && { echo "${BASH_REMATCH[2]}"; return; }
	fi
	re="(^|[[:space:]])$2=([^[:space:]\"]+)"
	if [[ $h =~ $re ]]; then echo "${BASH_REMATCH[2]}"; else echo "$3"; fi
}
in_list() { [[ ",$2," == *",$1,"* ]] || [ "$2" = any ]; }

# One line "kernel^_append^_timeout^_name^_needs" (0x1f-separated) per
# case and kernel to run.
select_cases() {
	local f name topo kernels t a k needs
	local want=("${cases[@]}")
	if [ ${#want[@]} = 0 ]; then
		for f in "$LAB_CASE_DIR"/*.sh; do [ -f "$f" ] && want+=("$(basename "$f" .sh)"); done
	fi
	for name in "${want[@]}"; do
		f=$LAB_CASE_DIR/$name.sh
		[ -f "$f" ] || die "no lab case $name ($LAB_CASE_DIR/$name.sh)"
		[[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "lab case name '$name' must be [A-Za-z0-9_-]"
		topo=$(case_field "$f" topology any)
		kernels=$(case_field "$f" kernels stock,iommufd)
		t=$(case_field "$f" timeout $CASE_TIMEOUT_DEFAULT)
		a=$(case_field "$f" append "")
		needs=$(case_field "$f" needs "")
		[[ $t =~ ^[0-9]+$ ]] || die "$name: timeout= must be whole seconds"
		[[ $needs =~ ^(|qemu)$ ]] || die "$name: needs= knows only qemu, not '$needs'"
		if ! in_list "$topology" "$topo"; then
			[ ${#cases[@]} = 0 ] || note "case $name is not for topology $topology (topology=$topo); running it anyway"
			[ ${#cases[@]} = 0 ] && continue
		fi
		for k in ${kernels//,/ }; do
			[ -z "$kernel" ] || [ "$k" = "$kernel" ] || continue
			printf '%s\x1f%s\x1f%s\x1f%s\x1f%s\n' "$k" "$a" "$t" "$name" "$needs"
		done
	done
}

list_cases() {
	select_cases | awk -F'\x1f' '{ printf "%-24s kernel=%-8s timeout=%-4s append=\"%s\"%s\n",
		$4, $1, $3, $2, $5 == "" ? "" : " needs=" $5 }'
}

# account_case K DIR NAME: print and count one case of a finished boot.
# Sets CASE_STATE to done, died (begun, no result) or unrun.
account_case() {
	local k=$1 dir=$2 name=$3 seg end p f st hrc
	seg=$(sed -n "/^LAB-CASE-BEGIN $name\$/,/^LAB-CASE-END $name /p" "$dir/output.log")
	end=$(echo "$seg" | sed -n "s/^LAB-CASE-END $name //p")
	CASE_STATE=done
	[ -n "$end" ] || CASE_STATE=died
	[ -n "$seg" ] || { CASE_STATE=unrun; return; }
	echo "-- case $name [$k]${end:+ (status ${end% *}, ${end#* } s)}"
	echo "$seg" | grep -v '^LAB-CASE-' | sed '/^$/d' >"$dir/case-$name.log"
	if [ -n "$end" ] && [ -x "$LAB_CASE_DIR/$name.host" ]; then
		LAB_KERNEL=$k LAB_TOPOLOGY=$topology timeout -s KILL $HOST_CHECK_TIMEOUT \
			"$LAB_CASE_DIR/$name.host" "$dir" "$dir/case-$name.log" >"$dir/host-$name.log" 2>&1
		hrc=$?
		if [ $hrc != 0 ] && ! grep -q '^FAIL:' "$dir/host-$name.log"; then
			echo "FAIL: [$k] $name.host (host-side check) exited with status $hrc" >>"$dir/host-$name.log"
		fi
		cat "$dir/host-$name.log" >>"$dir/case-$name.log"
	fi
	cat "$dir/case-$name.log"
	p=$(grep -c '^PASS:' "$dir/case-$name.log")
	f=$(grep -c '^FAIL:' "$dir/case-$name.log")
	if [ -z "$end" ]; then
		echo "FAIL: [$k] $name: did not finish: ${BOOT_WHY:-the VM stopped (QEMU status $BOOT_RC)}"
		f=$((f + 1))
	else
		st=${end% *}
		if [ "$st" = 137 ]; then
			echo "FAIL: [$k] $name: killed by its ${CASE_T[$name]} s timeout"
			f=$((f + 1))
		elif [ "$st" != 0 ] && [ $f = 0 ]; then
			echo "FAIL: [$k] $name: exited with status $st without a FAIL line"
			f=$((f + 1))
		elif [ "$st" = 0 ] && [ $p = 0 ] && [ $f = 0 ]; then
			echo "FAIL: [$k] $name: printed no PASS or FAIL line"
			f=$((f + 1))
		fi
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

fail_all() {	# K REASON NAME...: count cases that never ran
	local k=$1 why=$2 name; shift 2
	for name in "$@"; do
		echo "-- case $name [$k]"
		echo "FAIL: [$k] $name: not run: $why"
		failed=$((failed + 1))
	done
}

# One boot group: the cases that share a kernel and an append, in file-name
# order.  When a case kills or wedges the VM, it fails, and the cases after
# it get a fresh boot (at most MAX_RESUMES times per group); a boot that
# never reaches userspace is retried once (said so in the output), then
# fails its cases.
run_group() {	# KERNEL APPEND NEEDS NAME...
	local k=$1 a=$2 needs=$3 resumes=0 retried=0 slug dir limit name rest
	shift 3
	local names=("$@") extras=()
	if ! prepare_kernel "$k"; then
		fail_all "$k" "the $k kernel or its initramfs could not be set up" "${names[@]}"
		return
	fi
	if [ -n "$needs" ] && ! extra_cpios extras "$needs"; then
		fail_all "$k" "the lab's copy of QEMU could not be made (needs=$needs)" "${names[@]}"
		return
	fi
	while [ ${#names[@]} -gt 0 ]; do
		nboot=$((nboot + 1))
		slug=$k${a:+-$(echo "$a" | tr -c 'A-Za-z0-9_=.\n' '_' | cut -c1-40)}
		dir=$work/$nboot-$slug
		mkdir -p "$dir"
		limit=$BOOT_ALLOWANCE
		for name in "${names[@]}"; do
			echo "lab_run_case $name ${CASE_T[$name]}"
			limit=$((limit + CASE_T[$name]))
		done >"$dir/job.sh"
		limit=${LAB_BOOT_LIMIT:-$limit}	# the harness's self-test shortens it
		echo "== lab boot $nboot: kernel $k, topology $topology${a:+, append \"$a\"}${needs:+, with $needs}: ${names[*]}"
		boot "$k" "$a" "$dir" "$limit" job "${extras[@]}"
		if ! grep -q '^LAB-BOOTED' "$dir/output.log"; then
			tail -15 "$dir/console.log" 2>/dev/null | sed 's/^/  console| /'
			echo "== lab boot $nboot: never reached userspace (${BOOT_WHY:-QEMU status $BOOT_RC}; see $dir/console.log)"
			if [ $retried = 0 ]; then
				retried=1
				echo "== lab boot $nboot: retrying once with a fresh VM"
				continue
			fi
			fail_all "$k" "the VM never reached userspace, twice (see $dir/console.log)" "${names[@]}"
			return
		fi
		rest=()
		for name in "${names[@]}"; do
			if [ ${#rest[@]} -gt 0 ]; then rest+=("$name"); continue; fi
			account_case "$k" "$dir" "$name"
			case $CASE_STATE in
			died) rest=(-) ;;
			unrun) rest=("$name") ;;
			esac
		done
		[ "${rest[0]:-}" = - ] && rest=("${rest[@]:1}")
		[ "$BOOT_RC" = timeout ] && tail -15 "$dir/console.log" 2>/dev/null | sed 's/^/  console| /'
		echo "== lab boot $nboot: userspace up at ${BOOTED_SECS:-?} s guest uptime, whole boot $(ms $BOOT_SECS) s, QEMU peak RSS $((BOOT_RSS_KB / 1024)) MiB"
		names=("${rest[@]}")
		[ ${#names[@]} -gt 0 ] || return
		if [ $resumes -ge "$MAX_RESUMES" ]; then
			fail_all "$k" "the VM died $((resumes + 1)) times in this group (${BOOT_WHY:-QEMU status $BOOT_RC})" "${names[@]}"
			return
		fi
		resumes=$((resumes + 1))
		echo "== lab boot $nboot: the VM stopped (${BOOT_WHY:-QEMU status $BOOT_RC}); the remaining cases get a fresh boot"
	done
}

run_suite() {
	local plan k a needs names _k _a t name _n t_suite
	plan=$(select_cases) || exit 2
	if [ -z "$plan" ]; then
		# Not an error: make check asks every kernel x topology pair.
		note "no lab case for topology $topology${kernel:+ and kernel $kernel}"
		echo "0 passed, 0 failed"
		finish 0
	fi
	passed=0 failed=0 nboot=0
	t_suite=$(date +%s%N)
	MAX_RESUMES=${LAB_MAX_RESUMES:-3}
	while IFS=$'\x1f' read -r k a; do
		names=() needs=
		while IFS=$'\x1f' read -r _k _a t name _n; do
			[ "$_k" = "$k" ] && [ "$_a" = "$a" ] || continue
			names+=("$name")
			CASE_T[$name]=$t
			[ -n "$_n" ] && needs=$_n
		done <<<"$plan"
		run_group "$k" "$a" "$needs" "${names[@]}"
	done < <(echo "$plan" | awk -F'\x1f' '!seen[$1 FS $2]++ { print $1 FS $2 }')
	echo "== lab suite ($topology${kernel:+, $kernel}): $nboot boot(s) in $(ms $(( ($(date +%s%N) - t_suite) / 1000000 ))) s"
	[ $failed = 0 ] || keep=1
	echo "$passed passed, $failed failed"
	finish $((failed > 0))
}
