#!/bin/bash
# scripts/check-fresh.sh [--kvm auto|with|without|both] — `make check-fresh`:
# the proof that the project's own files install everything it needs.
#
# Builds (once, cached) a minimal Debian 12 root with debootstrap, then for
# each run: a throw-away overlay on top of it, a fresh clone of the
# COMMITTED tree (what CI and a new user get; uncommitted changes are not
# in it), and `make check` run there as root with only what
# scripts/install-deps.sh installs — the lab kernels are built and
# downloaded again inside it, as on a new machine.
#
# --prepare only builds the cached root.
# --kvm: "with" gives the root this host's /dev/kvm, "without" gives it
# none (how a host without vmx/svm looks: the VMM suites then run inside
# the lab); "both" runs twice; "auto" (default) is "both" where this host
# has /dev/kvm and "without" where it has none.
#
# The root is cached in $PASSTHRU_FRESH_CACHE (default
# /var/cache/passthru-fresh) under a key of everything that shapes it
# (suite, variant, mirror, this script's RECIPE); a change of any of them
# builds a new one.  Logs: build/fresh/<mode>.log.  Ends, like make check,
# with "check: N passed, M failed" (the worse of the runs when there are
# two) and exits non-zero when anything failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PASSTHRU_FRESH_CACHE:-/var/cache/passthru-fresh}
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
RECIPE=1	# bump when the root's recipe below changes
LOGDIR=$top/build/fresh

die() { echo "check-fresh: $*" >&2; exit 2; }
log() { echo "check-fresh: $*" >&2; }

kvm=auto prepare=0
case "${1:-}" in
--kvm) kvm=${2:-}; shift 2 ;;
--kvm=*) kvm=${1#*=}; shift ;;
--prepare) prepare=1 ;;	# build the cached root only
"") ;;
*) die "usage: $0 [--kvm auto|with|without|both] | --prepare" ;;
esac
case "$kvm" in
auto) if [ -c /dev/kvm ]; then modes="with without"; else modes=without; fi ;;
with) [ -c /dev/kvm ] || die "--kvm with: this host has no /dev/kvm"; modes=with ;;
without) modes=without ;;
both) [ -c /dev/kvm ] || die "--kvm both: this host has no /dev/kvm"; modes="with without" ;;
*) die "--kvm must be auto, with, without or both, not '$kvm'" ;;
esac
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
"$top/scripts/install-deps.sh" fresh || die "cannot install debootstrap"

# ---- the cached root --------------------------------------------------------
key=$(printf '%s\n' "$SUITE" minbase make "$MIRROR" "$RECIPE" | sha256sum | cut -c1-12)
root=$CACHE/root-$key
make_root() {
	local tmp=$root.tmp
	rm -rf "$tmp"
	log "debootstrap --variant=minbase --include=make $SUITE into $tmp (once; cached)"
	# make is the one thing a user needs before `make check`; everything
	# else (gcc included) must come from scripts/install-deps.sh.
	debootstrap --variant=minbase --include=make "$SUITE" "$tmp" "$MIRROR" \
		>"$CACHE/debootstrap.log" 2>&1 ||
		{ tail -20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
	# The sources a Debian 12 machine has: updates and security too.
	cat >"$tmp/etc/apt/sources.list" <<-EOF
	deb $MIRROR $SUITE main
	deb $MIRROR $SUITE-updates main
	deb http://deb.debian.org/debian-security $SUITE-security main
	EOF
	# A chroot has no init to start services in: packages' postinst
	# scripts must not try (udev's would).
	printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
	chmod 0755 "$tmp/usr/sbin/policy-rc.d"
	touch "$tmp/.passthru-fresh-root"
	mv "$tmp" "$root"
}
mkdir -p "$CACHE"
exec 9>"$CACHE/root.lock"
flock 9
[ -f "$root/.passthru-fresh-root" ] || make_root
[ $prepare = 0 ] || { log "root ready: $root"; exit 0; }

# ---- one run ----------------------------------------------------------------
MOUNTS=()
mnt_push() { MOUNTS+=("$1"); }
cleanup() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount -l "${MOUNTS[$i]}" 2>/dev/null
	done
	MOUNTS=()
}
trap cleanup EXIT

# A check-fresh that is stopped must not leave its make check running in
# the root beside whatever runs next (it once did, and a CI run that shared
# the cores with it failed): every process whose root is the run's is
# killed, then the run's mounts are dropped.  The run's root is in
# $CACHE/run.root while it runs (one run at a time: root.lock).
kill_root() {	# ROOT
	local p r
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case "$r" in "$1" | "$1"/*) kill -KILL "${p#/proc/}" 2>/dev/null ;; esac
	done
}
stop_run() {
	local m
	m=$(cat "$CACHE/run.root" 2>/dev/null) && [ -n "$m" ] || return 0
	kill_root "$m"
	umount -R -l "$m" 2>/dev/null
	case "$m" in */passthru-fresh.*/root) rm -rf "${m%/root}" ;; esac
	rm -f "$CACHE/run.root"
}
trap 'stop_run; cleanup; exit 143' TERM INT HUP

# A /dev with what a machine has, and /dev/kvm only for "with".
make_dev() {	# DIR MODE
	local d=$1
	mount -t tmpfs -o mode=0755,nosuid dev "$d" && mnt_push "$d"
	mknod -m 0666 "$d/null" c 1 3
	mknod -m 0666 "$d/zero" c 1 5
	mknod -m 0666 "$d/full" c 1 7
	mknod -m 0666 "$d/random" c 1 8
	mknod -m 0666 "$d/urandom" c 1 9
	mknod -m 0666 "$d/tty" c 5 0
	ln -s /proc/self/fd "$d/fd"
	ln -s /proc/self/fd/0 "$d/stdin"
	ln -s /proc/self/fd/1 "$d/stdout"
	ln -s /proc/self/fd/2 "$d/stderr"
	mkdir -p "$d/pts" "$d/shm"
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$d/pts" && mnt_push "$d/pts"
	ln -s pts/ptmx "$d/ptmx"
	mount -t tmpfs -o mode=1777 shm "$d/shm" && mnt_push "$d/shm"
	[ "$2" = with ] && mknod -m 0666 "$d/kvm" c 10 232
	return 0
}

run_one() {	# MODE: prints the log's closing line; returns make check's status
	local mode=$1 work up m rc
	work=$(mktemp -d "${TMPDIR:-/var/tmp}/passthru-fresh.XXXXXX")
	up=$work/upper m=$work/root
	mkdir -p "$up" "$work/work" "$m"
	mount -t overlay overlay -o "lowerdir=$root,upperdir=$up,workdir=$work/work" "$m" && mnt_push "$m" ||
		die "cannot mount the overlay on $m"
	mount -t proc proc "$m/proc" && mnt_push "$m/proc"
	mount --rbind -o ro /sys "$m/sys" && mnt_push "$m/sys"
	make_dev "$m/dev" "$mode"
	mount -t tmpfs tmpfs "$m/tmp" && mnt_push "$m/tmp"
	mount -t tmpfs tmpfs "$m/run" && mnt_push "$m/run"
	cp -L /etc/resolv.conf "$m/etc/resolv.conf"
	mkdir -p "$m/work"
	git clone -q --no-local "$top" "$m/work/passthru" || die "git clone of $top failed"
	log "$mode /dev/kvm: make check in a fresh Debian $SUITE root ($m), commit $(git -C "$top" rev-parse --short HEAD); log $LOGDIR/$mode.log"
	mkdir -p "$LOGDIR"
	echo "$m" >"$CACHE/run.root"
	chroot "$m" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c 'cd /work/passthru && apt-get -q update >/dev/null && make check' \
		>"$LOGDIR/$mode.log" 2>&1
	rc=$?
	rm -f "$CACHE/run.root"
	cleanup
	rm -rf "$work"
	tail -n 30 "$LOGDIR/$mode.log" | sed -n '/^  /p;/^[0-9]* suites/p;/^vmm:/p' >&2
	# make's own "Error 1" follows the summary when something failed
	grep -a '^check: [0-9]* passed, [0-9]* failed$' "$LOGDIR/$mode.log" | tail -n 1
	return $rc
}

worst= status=0
for mode in $modes; do
	# in the background, so that a signal reaches the trap at once (bash
	# runs traps only between foreground commands, and `wait` is one)
	run_one "$mode" >"$CACHE/run.line" &
	wait $!
	rc=$?
	line=$(cat "$CACHE/run.line")
	echo "check-fresh ($mode /dev/kvm): $line"
	[ $rc = 0 ] || status=1
	if [ -z "$worst" ] || [ $rc != 0 ]; then worst=$line; fi
done
case "$worst" in
"check: "*) echo "$worst" ;;
*) echo "check: 0 passed, 1 failed"; status=1 ;;
esac
exit $status
