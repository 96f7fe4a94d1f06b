# tests/assign/: the plans and refusals of `passthru assign/release/vfs
# --dry-run` on every fixture machine, exactly, plus persistence (--persist,
# --from-config, --udev-match, make install-configs).  Binding itself is
# proven in the lab (tests/lab/cases/assign-*.sh).  The fixture stamp's rule
# lives in tests/fixtures/module.mk (included after this file, so the path is
# spelled out here).
.PHONY: check-assign
check-assign: $(PASSTHRU) $(BUILD)/fixtures/.stamp
	scripts/run-suite $(BUILD)/results assign-plans \
		python3 tests/assign/plans.py $(PASSTHRU) $(BUILD)/fixtures
CHECK_TARGETS += check-assign
SAN_CHECK_TARGETS += check-assign
