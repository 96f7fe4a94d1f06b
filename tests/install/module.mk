# tests/install/: `make install` and `make uninstall` into a DESTDIR, the
# shared library's soname and exports, the installed headers, man pages and
# completions, and the libpassthru(3) example built against the installed
# library (tests/install/install.sh).  The Debian packages: check-deb
# (tests/install/deb.sh).
.PHONY: check-install
check-install: all $(BUILD)/fixtures/.stamp
	NEED="mandoc man readelf nm pkg-config jq col gcc" scripts/run-suite $(BUILD)/results \
		install tests/install/install.sh $(BUILD) $(BUILD)/fixtures
CHECK_TARGETS += check-install

# The Debian packages: built from debian/ in a copy of the tree, lintian'd,
# their contents checked, then installed with dpkg in the lab and used
# there (one stock-kernel boot, ~1 min; the build ~2 min).
.PHONY: check-deb
check-deb:
	NEED="dpkg-buildpackage dh fakeroot lintian dpkg-deb mandoc col readelf git jq" \
		scripts/run-suite $(BUILD)/results deb tests/install/deb.sh $(BUILD)
CHECK_TARGETS += check-deb
CHECK_VM_TARGETS += check-deb
