#!/bin/bash
# tests/vmm/where.sh WHERE BUILD PROBE HOST-COMMAND LAB-COMMAND
#
# Runs a VMM suite where KVM is: HOST-COMMAND here (WHERE=host), or
# LAB-COMMAND inside the lab VM on its nested /dev/kvm (WHERE=lab), with
# the lab's binaries taken from BUILD (the sanitizer pass hands build-san).
# WHERE=auto asks PROBE (tests/vmm/kvm-probe.c).  The output is the suite's
# own, so scripts/run-suite counts it the same either way.  LAB_WITH=qemu
# carries QEMU into the lab (benchmarks that compare against it).
set -u
where=$1 build=$2 probe=$3 host_cmd=$4 lab_cmd=$5
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$where" = auto ]; then
	if "$probe"; then where=host; else where=lab; fi
fi
case "$where" in
host)
	exec bash -c "$host_cmd"
	;;
lab)
	# The stock lab kernel: fetched, not built, so a suite run by hand never
	# waits for the iommufd kernel's first build (11 minutes on 2 cores).
	# Benchmarks pass VMM_LAB_KERNEL=iommufd: it boots fastest.  A suite
	# under ASan in TCG is slow: a generous limit, the lab kills it anyway.
	BUILD=$build LAB_NO_MAKE=1 exec "$top/tests/lab/run" --kernel "${VMM_LAB_KERNEL:-stock}" --timeout 1200 \
		${LAB_WITH:+--with "$LAB_WITH"} basic -- \
		sh -c "cd /tmp && $lab_cmd"
	;;
*)
	echo "where.sh: WHERE must be host, lab or auto, not '$where'" >&2
	exit 2
	;;
esac
