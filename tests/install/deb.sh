#!/bin/bash
# tests/install/deb.sh BUILD — the Debian packages of debian/:
#  1. `dpkg-buildpackage -us -uc -b` in a copy of the source tree (git's
#     files, committed or not; nothing is written into the tree) builds
#     passthru, libpassthru1 and libpassthru-dev;
#  2. lintian reports no error and no warning on them;
#  3. each package holds exactly its files, with the soname, the
#     dependencies and the maintainer scripts it should have;
#  4. libpassthru(3)'s example builds against the unpacked libpassthru-dev;
#  5. the lab installs the three .debs with dpkg and uses the installed
#     command and library (tests/install/lab/deb-install.sh), booted with
#     a lab that carries no passthru of its own.
# Output in BUILD/deb/ (packages, build.log, lintian.log, the lab's logs).
# Ends with "N passed, M failed".
set -u
build=$(mkdir -p "$1" && cd "$1" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }
check() { if eval "$2"; then pass "$1"; else fail "$1${3:+: $3}"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit; }

work=$build/deb
version=$(sed -n '1s/^passthru (\([^)]*\)).*/\1/p' "$top/debian/changelog")
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
rm -rf "$work"
mkdir -p "$work/src/passthru-$version"

# ---- 1. build -----------------------------------------------------------------
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 cp --parents -t "$work/src/passthru-$version")
echo "deb: dpkg-buildpackage -us -uc -b (log: $work/build.log)"
(cd "$work/src/passthru-$version" &&
	DEB_BUILD_OPTIONS="parallel=${DEB_JOBS:-2}" dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
rc=$?
check "dpkg-buildpackage -us -uc -b" '[ $rc = 0 ]' "exit $rc; $(tail -5 "$work/build.log" | tr '\n' ' ')"
[ $rc = 0 ] || finish
debs=$(cd "$work/src" && ls *.deb | LC_ALL=C sort | tr '\n' ' ')
check "the packages" '[ "$debs" = "libpassthru-dev_${version}_$arch.deb libpassthru1-dbgsym_${version}_$arch.deb libpassthru1_${version}_$arch.deb passthru-dbgsym_${version}_$arch.deb passthru_${version}_$arch.deb " ]' "$debs"
warn=$(grep -E '(warning|Warning):' "$work/build.log" | grep -v 'dpkg-source\|binary-only' | head -5)
check "the build is warning-free with Debian's hardening flags" '[ -z "$warn" ]' "$warn"

# ---- 2. lintian ----------------------------------------------------------------
changes=$work/src/passthru_${version}_$arch.changes
lintian --display-level '>=info' "$changes" >"$work/lintian.log" 2>&1
sed 's/^/  lintian| /' "$work/lintian.log"
check "lintian: no error" '! grep -q "^E: " "$work/lintian.log"'
check "lintian: no warning" '! grep -q "^W: " "$work/lintian.log"'

# ---- 3. contents ----------------------------------------------------------------
files() { dpkg-deb -c "$work/src/$1" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' '; }
check "passthru: its files, exactly" '[ "$(files passthru_${version}_$arch.deb)" = "etc/passthru.conf lib/systemd/system/passthru.service lib/udev/rules.d/70-passthru-vfio.rules usr/bin/passthru usr/share/bash-completion/completions/passthru usr/share/doc/passthru/changelog.gz usr/share/doc/passthru/copyright usr/share/doc/passthru/passthru.conf.example usr/share/man/man1/passthru.1.gz usr/share/man/man5/passthru.conf.5.gz usr/share/zsh/vendor-completions/_passthru " ]' "$(files passthru_${version}_$arch.deb)"
check "libpassthru1: the library alone" '[ "$(files libpassthru1_${version}_$arch.deb)" = "usr/lib/$multiarch/libpassthru.so.1 usr/lib/$multiarch/libpassthru.so.1.0.0 usr/share/doc/libpassthru1/changelog.gz usr/share/doc/libpassthru1/copyright " ]' "$(files libpassthru1_${version}_$arch.deb)"
check "libpassthru-dev: headers, .so link, .a, .pc, libpassthru(3)" '[ "$(files libpassthru-dev_${version}_$arch.deb)" = "usr/include/passthru.h usr/include/passthru/driver.h usr/include/passthru/passthru-inventory.h usr/include/passthru/passthru-iommu.h usr/include/passthru/passthru-vfio.h usr/lib/$multiarch/libpassthru.a usr/lib/$multiarch/libpassthru.so usr/lib/$multiarch/pkgconfig/passthru.pc usr/share/doc/libpassthru-dev/changelog.gz usr/share/doc/libpassthru-dev/copyright usr/share/man/man3/libpassthru.3.gz " ]' "$(files libpassthru-dev_${version}_$arch.deb)"
x=$work/x
mkdir -p "$x"
for d in libpassthru1 libpassthru-dev passthru; do
	dpkg-deb -x "$work/src/${d}_${version}_$arch.deb" "$x"
done
check "libpassthru1: soname libpassthru.so.1" \
	'[ "$(readelf -d "$x/usr/lib/$multiarch/libpassthru.so.1.0.0" | sed -n "s/.*(SONAME).*\[\(.*\)\]/\1/p")" = libpassthru.so.1 ]'
field() { dpkg-deb -f "$work/src/${1}_${version}_$arch.deb" "$2"; }
check "libpassthru1: shlibs name it for this version" \
	'dpkg-deb -e "$work/src/libpassthru1_${version}_$arch.deb" "$work/ctl0" && [ "$(cat "$work/ctl0/shlibs")" = "libpassthru 1 libpassthru1 (>= $version)" ]' "$(cat "$work/ctl0/shlibs" 2>/dev/null)"
check "libpassthru-dev depends on this libpassthru1" '[[ "$(field libpassthru-dev Depends)" == "libpassthru1 (= $version), libpci-dev, libudev-dev, libmount-dev, libmnl-dev" ]]' "$(field libpassthru-dev Depends)"
check "libpassthru1 and -dev are Multi-Arch: same" '[ "$(field libpassthru1 Multi-Arch) $(field libpassthru-dev Multi-Arch)" = "same same" ]'
check "passthru depends on the libraries it links (libc6, libmnl0, libmount1, libpci3, libudev1)" \
	'[ "$(field passthru Depends | sed "s/ ([^)]*)//g")" = "libc6, libmnl0, libmount1, libpci3, libudev1" ]' "$(field passthru Depends)"
dpkg-deb -e "$work/src/passthru_${version}_$arch.deb" "$work/ctl"
check "passthru: /etc/passthru.conf is its conffile" '[ "$(cat "$work/ctl/conffiles")" = /etc/passthru.conf ]'
check "passthru: postinst enables passthru.service, no script starts or stops it" \
	'grep -q "deb-systemd-helper enable .passthru.service." "$work/ctl/postinst" && ! grep -rq "deb-systemd-invoke" "$work/ctl"'

# ---- 4. the example against the unpacked libpassthru-dev ----------------------
mandoc -T ascii -O width=200 "$x/usr/share/man/man3/libpassthru.3.gz" | col -b |
	awk '/^ +#include <stdio.h>/ { on = 1 } on { print } on && /^ +}$/ { exit }' |
	sed 's/^       //' >"$work/lsdev.c"
flags=$(PKG_CONFIG_PATH=$x/usr/lib/$multiarch/pkgconfig pkg-config --define-variable=prefix="$x/usr" \
	--cflags --libs passthru)
out=$(${CC:-cc} -std=gnu11 -Wall -Wextra -o "$work/lsdev" "$work/lsdev.c" $flags 2>&1)
check "libpassthru(3)'s example builds against libpassthru-dev" '[ $? = 0 ] && [ -z "$out" ]' "$out"
check "it needs libpassthru.so.1, with no run path" \
	'readelf -d "$work/lsdev" | grep -q "NEEDED.*\[libpassthru.so.1\]" && ! readelf -d "$work/lsdev" | grep -q "RPATH\|RUNPATH"'

# ---- 5. the lab -------------------------------------------------------------------
# A build directory of its own: the packages and the example as lab files,
# bash for the completion, and no passthru (initramfs.sh warns about that).
lab=$work/lab
mkdir -p "$lab/lab-files/deb" "$lab/lab-bin"
cp "$work"/src/{libpassthru1,libpassthru-dev,passthru}_${version}_$arch.deb "$work/lsdev" "$lab/lab-files/deb/"
install -m 0755 /bin/bash "$lab/lab-bin/bash"
echo "deb: lab boot (stock kernel, basic topology): tests/install/lab/deb-install.sh"
out=$(BUILD=$lab LAB_NO_MAKE=1 LAB_CASE_DIR=$top/tests/install/lab LAB_LIBS_FOR="$x/usr/bin/passthru" \
	"$top/tests/lab/run" --kernel stock --out "$work/lab-out" basic deb-install 2>&1)
rc=$?
echo "$out" | grep -v '^\(PASS\|FAIL\): ' | sed 's/^/  lab| /'
while IFS= read -r line; do
	case $line in
	PASS:*) pass "lab: ${line#PASS: }" ;;
	FAIL:*) fail "lab: ${line#FAIL: }" ;;
	esac
done < <(echo "$out" | grep -a '^\(PASS\|FAIL\): ' | sed 's/^\(PASS\|FAIL\): \[[a-z0-9]*\] /\1: /')
check "the lab run exits 0" '[ $rc = 0 ]' "exit $rc"
finish
