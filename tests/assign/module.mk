# tests/assign/: the plans and refusals of `passthru assign/release/vfs
# --dry-run` on every fixture machine, exactly, plus persistence (--persist,
# --from-config, --udev-match, make install-configs).  Binding itself is
# proven in the lab (tests/lab/cases/assign-*.sh).  The fixture stamp's rule
# lives in tests/fixtures/module.mk (included after this file, so the path is
# spelled out here).
.PHONY: check-assign
check-assign: $(PASSTHRU) $(BUILD)/fixtures/.stamp
	NEED=python3 scripts/run-suite $(BUILD)/results assign-plans \
		python3 tests/assign/plans.py $(PASSTHRU) $(BUILD)/fixtures
CHECK_TARGETS += check-assign
SAN_CHECK_TARGETS += check-assign

# Programs the lab cases assign-persist and assign-driverctl need, copied
# into $(BUILD)/lab-bin/ (see tests/lab/module.mk): the host's udevd (the
# real rule engine, so the udev rule is tested by udev itself), bash (for
# driverctl, a bash script), and passthru-lab-files, which installs the
# REAL configs/ files and driverctl (from its Debian package, apt-get
# download; a failed download leaves it out and assign-driverctl FAILs
# saying so) inside the lab.
LAB_BINS += $(BUILD)/lab-bin/systemd-udevd $(BUILD)/lab-bin/udevadm \
	$(BUILD)/lab-bin/bash $(BUILD)/lab-bin/passthru-lab-files

$(BUILD)/lab-bin/systemd-udevd $(BUILD)/lab-bin/udevadm:
	@mkdir -p $(dir $@)
	install -m 0755 /bin/udevadm $@
$(BUILD)/lab-bin/bash:
	@mkdir -p $(dir $@)
	install -m 0755 /bin/bash $@
$(BUILD)/dl/driverctl/usr/sbin/driverctl:
	@mkdir -p $(BUILD)/dl
	-cd $(BUILD)/dl && rm -f driverctl_*.deb && \
		apt-get download -q -o APT::Sandbox::User=root driverctl >/dev/null && \
		dpkg-deb -x driverctl_*.deb driverctl
$(BUILD)/lab-bin/passthru-lab-files: tests/assign/mkbundle.sh $(BUILD)/dl/driverctl/usr/sbin/driverctl \
		$(wildcard configs/udev/* configs/systemd/* configs/modprobe.d/* configs/passthru.conf)
	@mkdir -p $(dir $@) $(BUILD)/obj/tests/assign
	tests/assign/mkbundle.sh $(BUILD)/obj/tests/assign/lab-files.c /opt/passthru/bin \
		$(BUILD)/dl/driverctl/usr/sbin/driverctl
	$(CC) -O2 -o $@ $(BUILD)/obj/tests/assign/lab-files.c
