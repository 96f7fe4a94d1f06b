#!/bin/bash
# tests/install/install.sh BUILD FIXTURES — what `make install` puts, what
# `make uninstall` takes back, and that what was installed works:
#  - the exact file list (PREFIX=/usr, DESTDIR), the library's soname and
#    links, the .pc file;
#  - libpassthru.so exports exactly what the public headers declare
#    (scripts/gen-exports.sh --list), versioned LIBPASSTHRU_1, nothing
#    internal (vmm_, ptd_, ptb_, cli_, json_, pt_sysfs_), and a program that
#    takes the address of every declared function and variable links
#    against it;
#  - every installed header compiles on its own;
#  - the example of the installed libpassthru(3), cut from the page as man
#    shows it, compiles with pkg-config's flags, links against the
#    installed library and lists a fixture machine as `passthru list
#    --json` does;
#  - mandoc -T lint and man --warnings are silent on every installed page;
#  - the completions are where bash-completion and zsh look;
#  - a second install keeps the administrator's /etc/passthru.conf;
#    uninstall removes everything else it put, and nothing it did not.
# Ends with "N passed, M failed".
set -u
build=$(cd "$1" && pwd) fx=$(cd "$2" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }
check() { if eval "$2"; then pass "$1"; else fail "$1${3:+: $3}"; fi; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
mk() { make -s --no-print-directory -C "$top" BUILD="$build" PREFIX=/usr "$@"; }

# ---- install -----------------------------------------------------------------
if ! out=$(mk install DESTDIR="$dest" 2>&1); then
	fail "make install: $out"
	echo "$passed passed, $failed failed"
	exit 1
fi
pass "make install PREFIX=/usr DESTDIR=..."
check "install into a DESTDIR enables nothing and says how" '[ "$out" = "install: to assign the devices of /etc/passthru.conf at every boot, run:
install:   systemctl daemon-reload && systemctl enable passthru.service
install: if a listed device'"'"'s native driver is in the initramfs, rebuild it
install: (update-initramfs -u) so that /etc/modprobe.d/passthru.conf applies early" ]' "$out"
# into this system (no DESTDIR): the service is enabled, and disabled by
# uninstall (a stand-in systemctl records what it was asked)
printf '#!/bin/sh\necho "$*" >>"%s/systemctl.log"\n' "$tmp" >"$tmp/systemctl"
chmod +x "$tmp/systemctl"
out=$(SYSTEMCTL="$tmp/systemctl" "$top/scripts/enable-service.sh" enable "" /etc)
check "no DESTDIR: install enables passthru.service" '[ "$(cat "$tmp/systemctl.log")" = "daemon-reload
enable passthru.service" ] && [ "$out" = "install: enabled passthru.service (assigns the devices of /etc/passthru.conf at boot)" ]' "$out $(cat "$tmp/systemctl.log")"
rm "$tmp/systemctl.log"
SYSTEMCTL="$tmp/systemctl" "$top/scripts/enable-service.sh" disable "" /etc
check "no DESTDIR: uninstall disables it" '[ "$(cat "$tmp/systemctl.log")" = "disable passthru.service
daemon-reload" ]' "$(cat "$tmp/systemctl.log")"
out=$(SYSTEMCTL="$tmp/systemctl" "$top/scripts/enable-service.sh" disable "$dest" /etc)
check "a DESTDIR uninstall leaves systemd alone" '[ -z "$out" ] && [ "$(wc -l <"$tmp/systemctl.log")" = 2 ]'
headers=$(mk -s print-PUBLIC_HEADERS | tr ' ' '\n' | sed -n 's|.*/|usr/include/passthru/|p')
want=$(printf '%s\n' etc/modprobe.d/passthru.conf etc/passthru.conf \
	etc/systemd/system/passthru.service etc/udev/rules.d/70-passthru-vfio.rules \
	usr/bin/passthru usr/include/passthru.h $headers usr/lib/libpassthru.a \
	usr/lib/libpassthru.so usr/lib/libpassthru.so.1 usr/lib/libpassthru.so.1.0.0 \
	usr/lib/pkgconfig/passthru.pc usr/share/bash-completion/completions/passthru \
	usr/share/doc/passthru/passthru.conf.example usr/share/man/man1/passthru.1 \
	usr/share/man/man3/libpassthru.3 usr/share/man/man5/passthru.conf.5 \
	usr/share/zsh/vendor-completions/_passthru | LC_ALL=C sort)
got=$(cd "$dest" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort)
check "installed files, exactly" '[ "$got" = "$want" ]' "$(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"

lib=$dest/usr/lib
check "soname libpassthru.so.1" \
	'[ "$(readelf -d "$lib/libpassthru.so.1.0.0" | sed -n "s/.*(SONAME).*\[\(.*\)\]/\1/p")" = libpassthru.so.1 ]'
check "libpassthru.so.1 -> libpassthru.so.1.0.0, libpassthru.so -> libpassthru.so.1" \
	'[ "$(readlink "$lib/libpassthru.so.1")" = libpassthru.so.1.0.0 ] && [ "$(readlink "$lib/libpassthru.so")" = libpassthru.so.1 ]'
# the installed .pc, relocated to DESTDIR (its dirs are ${prefix}-relative)
pkgc() { PKG_CONFIG_PATH=$lib/pkgconfig pkg-config --define-variable=prefix="$dest/usr" "$@"; }
pc=$(pkgc --cflags --libs passthru 2>&1 | xargs)
want=$(echo "-I$dest/usr/include $(pkg-config --cflags libpci libudev mount libmnl) -L$lib -lpassthru" | xargs)
check "pkg-config --cflags --libs passthru" '[ "$pc" = "$want" ]' "$pc"

# ---- exports -----------------------------------------------------------------
declared=$(cd "$top" && DEPS_CFLAGS="$(pkg-config --cflags libpci libudev 2>/dev/null)" \
	scripts/gen-exports.sh --list "${CC:-cc}" lib/passthru.h $(mk -s print-PUBLIC_HEADERS))
exported=$(nm -D --defined-only "$lib/libpassthru.so.1.0.0" | awk '$3 != "LIBPASSTHRU_1" { print $3 }')
names=$(sed 's/@.*//' <<<"$exported" | LC_ALL=C sort)
check "the declarations found include the API's landmarks" \
	'(for f in pt_version pt_scan pt_host_check pt_txn_apply pt_conf_open pt_inventory_build pt_iommu_open pt_vfio_device_open pt_driver_find pt_driver_edu; do grep -qx "$f" <<<"$declared" || exit 1; done)'
check "the .so exports exactly what the public headers declare ($(wc -l <<<"$declared") names)" \
	'[ "$names" = "$declared" ]' "$(diff <(echo "$declared") <(echo "$names") | grep '^[<>]' | tr '\n' ' ')"
check "every export is versioned LIBPASSTHRU_1" '! grep -v "@@LIBPASSTHRU_1$" <<<"$exported" | grep -q .' \
	"$(grep -v '@@LIBPASSTHRU_1$' <<<"$exported" | head -3 | tr '\n' ' ')"
internal=$(grep -E '^(vmm_|ptd_|ptb_|cli_|json_|pt_sysfs_|pt_dmat_|guest_)' <<<"$names" | tr '\n' ' ')
check "nothing internal is exported (vmm_ ptd_ ptb_ cli_ json_ pt_sysfs_ pt_dmat_ guest_)" '[ -z "$internal" ]' "$internal"
{
	echo '#include <passthru.h>'
	for h in $headers; do echo "#include <passthru/${h##*/}>"; done
	echo 'const void *const all[] = {'
	sed 's/.*/\t(const void *)\&&,/' <<<"$declared"
	echo '};'
	echo 'int main(void) { return all[0] == 0; }'
} >"$tmp/all.c"
out=$(${CC:-cc} -o "$tmp/all" "$tmp/all.c" -I"$dest/usr/include" -L"$lib" -lpassthru -Wl,--no-undefined 2>&1)
check "a program using every declared function and variable links against the .so" '[ $? = 0 ] && [ -z "$out" ]' "$out"

for h in usr/include/passthru.h $headers; do
	out=$(echo "#include <${h#usr/include/}>" | ${CC:-cc} -std=gnu11 -Wall -Wextra -fsyntax-only \
		-I"$dest/usr/include" -x c - 2>&1)
	check "installed header compiles alone: ${h#usr/include/}" '[ -z "$out" ]' "$out"
done

# ---- man pages ---------------------------------------------------------------
for page in usr/share/man/man1/passthru.1 usr/share/man/man3/libpassthru.3 \
	usr/share/man/man5/passthru.conf.5; do
	out=$(mandoc -T lint "$dest/$page" 2>&1)
	check "mandoc -T lint: ${page##*/}" '[ -z "$out" ]' "$out"
	out=$(LC_ALL=C.UTF-8 man --warnings -l "$dest/$page" 2>&1 >/dev/null)
	check "man --warnings: ${page##*/}" '[ -z "$out" ]' "$out"
done
# the example as the reader sees it: rendered, then cut from the page
mandoc -T ascii -O width=200 "$dest/usr/share/man/man3/libpassthru.3" | col -b |
	awk '/^ +#include <stdio.h>/ { on = 1 } on { print } on && /^ +}$/ { exit }' |
	sed 's/^       //' >"$tmp/lsdev.c"
check "libpassthru(3) shows a complete program" '[ "$(head -1 "$tmp/lsdev.c")" = "#include <stdio.h>" ] && [ "$(tail -1 "$tmp/lsdev.c")" = "}" ]'
out=$(cd "$tmp" && ${CC:-cc} -std=gnu11 -Wall -Wextra -o lsdev lsdev.c $(pkgc --cflags --libs passthru) 2>&1)
check "its example compiles and links against the installed library, warning-free" '[ $? = 0 ] && [ -z "$out" ]' "$out"
check "the example runs on the installed libpassthru.so.1" \
	'LD_LIBRARY_PATH=$lib ldd "$tmp/lsdev" | grep -q "libpassthru.so.1 => $lib/libpassthru.so.1 "'
for m in server amd; do
	got=$(LD_LIBRARY_PATH=$lib "$tmp/lsdev" "$fx/$m" 2>&1)
	want=$("$build/passthru" --root "$fx/$m" list --json | jq -r '
		(.groups // []) as $g | .devices[] | .iommu_group as $n |
		"\(.bdf) \(.vendor_id[2:]):\(.device_id[2:]) \(.driver // "-") group \($n // -1) " +
		(if ([$g[] | select(.id == $n and .viable)] | length) > 0 then "viable" else "-" end)')
	check "the example lists the $m machine as passthru list --json does" '[ "$got" = "$want" ]' \
		"$(diff <(echo "$want") <(echo "$got") | head -4 | tr '\n' ' ')"
done

# ---- completions -----------------------------------------------------------------
check "bash completion registers _passthru" \
	'[ "$(bash -c ". $dest/usr/share/bash-completion/completions/passthru; complete -p passthru")" = "complete -F _passthru passthru" ]'
check "zsh completion is a #compdef file" '[ "$(head -1 "$dest/usr/share/zsh/vendor-completions/_passthru")" = "#compdef passthru" ]'
check "PREFIX=/usr/local puts the zsh completion in site-functions" \
	'[ "$(mk -s PREFIX=/usr/local print-ZSHCOMPDIR)" = /usr/local/share/zsh/site-functions ]'
check "the udev rule and the unit run the installed binary" \
	'grep -q "PROGRAM==\"/usr/bin/passthru assign --udev-match %k\"" "$dest/etc/udev/rules.d/70-passthru-vfio.rules" && grep -qx "ExecStart=/usr/bin/passthru assign --from-config" "$dest/etc/systemd/system/passthru.service"'

# ---- reinstall and uninstall -------------------------------------------------------
echo "0000:01:00.0 user=alice" >>"$dest/etc/passthru.conf"
conf=$(cat "$dest/etc/passthru.conf")
echo "softdep e1000e pre: vfio-pci" >>"$dest/etc/modprobe.d/passthru.conf"
mk install DESTDIR="$dest" >/dev/null 2>&1
check "a second install keeps the administrator's passthru.conf" '[ "$(cat "$dest/etc/passthru.conf")" = "$conf" ]'
: >"$dest/usr/bin/not-ours"
: >"$dest/usr/include/passthru/not-ours.h"
out=$(mk uninstall DESTDIR="$dest" 2>&1)
check "make uninstall" '[ $? = 0 ]' "$out"
check "uninstall says what it kept" \
	'[ "$out" = "uninstall: kept $dest/etc/passthru.conf (configuration: remove it by hand if you want it gone)
uninstall: kept $dest/etc/modprobe.d/passthru.conf (configuration: remove it by hand if you want it gone)" ]' "$out"
got=$(cd "$dest" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ')
check "uninstall removes what install put, keeps the configuration and other files" \
	'[ "$got" = "etc/modprobe.d/passthru.conf etc/passthru.conf usr/bin/not-ours usr/include/passthru/not-ours.h " ]' "$got"
check "uninstall removes passthru's own directories when empty" \
	'[ ! -e "$dest/usr/share/doc/passthru" ] && [ -d "$dest/usr/include/passthru" ]'
check "the configuration is untouched" '[ "$(cat "$dest/etc/passthru.conf")" = "$conf" ]'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
