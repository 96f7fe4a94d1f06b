#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="passthru.lab=assign" timeout=120
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# The PASSTHRU_TEST_* hooks are compiled into test builds only (audit item
# 10).  The lab's passthru is the test build (-DPASSTHRU_TEST_HOOKS): told
# to fail step 1 it fails it and rolls back.  passthru-installed is what
# `make install` installs: told the same, it never reads the variable and
# assigns.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru passthru-installed jq
edu=$(lab_find_dev 0x1234 0x11e8)
expect_eq "edu starts without a driver" none "$(lab_driver $edu)"

out=$(PASSTHRU_TEST_FAIL_STEP=1 passthru assign --json $edu 2>/dev/null); rc=$?
expect_eq "test build: the hook fails step 1, exit 1" "1 rolled-back" "$rc $(echo "$out" | jq -r .status)"
expect_match "test build: the error says the hook did it" "step driver_override failed: Input/output error \\(injected by a test hook\\)" \
	"$(echo "$out" | jq -r .error)"
expect_eq "test build: nothing changed" none "$(lab_driver $edu)"

out=$(PASSTHRU_TEST_FAIL_STEP=1 PASSTHRU_TEST_CRASH_STEP=1 PASSTHRU_TEST_HOLD_FIFO=/nonexistent \
	passthru-installed assign --json $edu 2>/tmp/err); rc=$?
expect_eq "installed build: the hooks are ignored, exit 0" "0 ok done" \
	"$rc $(echo "$out" | jq -r '"\(.status) \(.groups[0].members[0].result)"')"
expect_eq "installed build: it said nothing of a hook" "" "$(cat /tmp/err)"
expect_eq "installed build: edu on vfio-pci" vfio-pci "$(lab_driver $edu)"
expect_eq "the installed binary holds none of the hooks' names" 0 \
	"$(grep -c PASSTHRU_TEST_ "$(command -v passthru-installed)")"
expect_ok "release" passthru-installed release $edu
expect_eq "edu back without a driver" none "$(lab_driver $edu)"
lab_done
