# configs/: the documented /etc/passthru.conf example and the boot-time
# persistence pieces (udev rule, systemd unit, modprobe.d softdeps), and
# passthru.conf(5).  They go under SYSCONFDIR (default /etc) because udev,
# systemd and modprobe only read their /etc and /usr/lib directories, not
# PREFIX/lib (a distribution package sets UDEVRULESDIR and SYSTEMDUNITDIR to
# its /lib ones: see debian/rules); existing /etc/passthru.conf and
# modprobe.d/passthru.conf (user data) are kept, by install and uninstall.
SYSCONFDIR     ?= /etc
UDEVRULESDIR   ?= $(SYSCONFDIR)/udev/rules.d
SYSTEMDUNITDIR ?= $(SYSCONFDIR)/systemd/system
MODPROBEDIR    ?= $(SYSCONFDIR)/modprobe.d

# The rule and the unit name the installed binary.
$(BUILD)/configs/%: configs/udev/% $(BUILD)/install-dirs
	@mkdir -p $(dir $@)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< >$@
$(BUILD)/configs/%: configs/systemd/% $(BUILD)/install-dirs
	@mkdir -p $(dir $@)
	sed 's|@BINDIR@|$(BINDIR)|g' $< >$@

CONFIG_INSTALL_FILES := \
	0644:$(BUILD)/configs/70-passthru-vfio.rules:$(UDEVRULESDIR)/70-passthru-vfio.rules \
	0644:$(BUILD)/configs/passthru.service:$(SYSTEMDUNITDIR)/passthru.service \
	dir:-:$(DOCDIR) \
	0644:configs/passthru.conf:$(DOCDIR)/passthru.conf.example \
	keep:configs/passthru.conf:$(SYSCONFDIR)/passthru.conf \
	keep:configs/modprobe.d/passthru.conf:$(MODPROBEDIR)/passthru.conf \
	0644:configs/passthru.conf.5:$(MANDIR)/man5/passthru.conf.5
INSTALL_FILES += $(CONFIG_INSTALL_FILES)

# Only these (tests/assign checks the substituted paths).
.PHONY: install-configs
install-configs: $(BUILD)/configs/70-passthru-vfio.rules $(BUILD)/configs/passthru.service
	scripts/install.sh install "$(DESTDIR)" $(CONFIG_INSTALL_FILES)
