# configs/: the documented /etc/passthru.conf example and the boot-time
# persistence pieces (udev rule, systemd unit, modprobe.d softdeps).  They go
# under SYSCONFDIR (default /etc) because udev, systemd and modprobe only
# read their /etc and /usr/lib directories, not PREFIX/lib; existing
# /etc/passthru.conf and modprobe.d/passthru.conf (user data) are kept.
SYSCONFDIR     ?= /etc
UDEVRULESDIR   ?= $(SYSCONFDIR)/udev/rules.d
SYSTEMDUNITDIR ?= $(SYSCONFDIR)/systemd/system
MODPROBEDIR    ?= $(SYSCONFDIR)/modprobe.d

.PHONY: install-configs
install-configs:
	install -d $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(MODPROBEDIR) $(DESTDIR)$(PREFIX)/share/doc/passthru
	sed 's|@BINDIR@|$(PREFIX)/bin|g' configs/udev/70-passthru-vfio.rules \
		>$(DESTDIR)$(UDEVRULESDIR)/70-passthru-vfio.rules
	sed 's|@BINDIR@|$(PREFIX)/bin|g' configs/systemd/passthru.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/passthru.service
	install -m 0644 configs/passthru.conf $(DESTDIR)$(PREFIX)/share/doc/passthru/passthru.conf.example
	[ -e $(DESTDIR)$(SYSCONFDIR)/passthru.conf ] || \
		install -m 0644 configs/passthru.conf $(DESTDIR)$(SYSCONFDIR)/passthru.conf
	[ -e $(DESTDIR)$(MODPROBEDIR)/passthru.conf ] || \
		install -m 0644 configs/modprobe.d/passthru.conf $(DESTDIR)$(MODPROBEDIR)/passthru.conf
INSTALL_TARGETS += install-configs
