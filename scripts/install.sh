#!/bin/sh
# scripts/install.sh install|uninstall|list DESTDIR ENTRY... — what `make
# install` puts and `make uninstall` takes back, from ONE list (the
# Makefile's INSTALL_FILES), so that the two cannot drift.  An ENTRY is
#
#   MODE:SOURCE:DEST   a file (MODE 0644, 0755), replaced on install
#   link:TARGET:DEST   a symbolic link DEST -> TARGET
#   keep:SOURCE:DEST   configuration (/etc/passthru.conf): installed only
#                      where there is none, and never removed — it is the
#                      administrator's from the moment it exists
#   dir:-:DEST         a directory that is passthru's alone: created on
#                      install, removed on uninstall when nothing else is
#                      left in it
#
# DEST is the final path (PREFIX and the other directories expanded);
# DESTDIR is prepended to it.  `list` prints each DEST with its type.
# Directories that are not passthru's (bin, lib, man1, rules.d) are created
# when missing and never removed.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 install|uninstall|list DESTDIR ENTRY..." >&2; exit 2; }
mode=$1 destdir=$2
shift 2

field() { echo "$1" | cut -d: -f"$2"; }

case "$mode" in
install)
	for e in "$@"; do
		t=$(field "$e" 1) src=$(field "$e" 2) dst=$destdir$(field "$e" 3)
		case "$t" in
		dir) install -d "$dst" ;;
		link) install -d "$(dirname "$dst")"; ln -sfn "$src" "$dst" ;;
		keep)
			install -d "$(dirname "$dst")"
			if [ -e "$dst" ]; then
				echo "install: kept $dst (yours: not replaced)"
			else
				install -m 0644 "$src" "$dst"
			fi
			;;
		0*) install -d "$(dirname "$dst")"; install -m "$t" "$src" "$dst" ;;
		*) echo "install: bad entry '$e'" >&2; exit 2 ;;
		esac
	done
	;;
uninstall)
	dirs=
	for e in "$@"; do
		t=$(field "$e" 1) dst=$destdir$(field "$e" 3)
		case "$t" in
		dir) dirs="$dst $dirs" ;;
		keep) [ -e "$dst" ] && echo "uninstall: kept $dst (configuration: remove it by hand if you want it gone)" ;;
		*) rm -f "$dst" ;;
		esac
	done
	# deepest first, only when empty: a file we did not put there stays
	for d in $(printf '%s\n' $dirs | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-); do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null || true
	done
	;;
list)
	for e in "$@"; do
		echo "$(field "$e" 1) $(field "$e" 3)"
	done
	;;
*) echo "usage: $0 install|uninstall|list DESTDIR ENTRY..." >&2; exit 2 ;;
esac
exit 0
