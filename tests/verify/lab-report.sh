#!/bin/bash
# lab-report.sh BOOT_DIR CASE_LOG — host side of the verify-* lab cases:
# validates, with tests/verify/validate.py, every report a case printed
# between "LAB-VERIFY-REPORT-BEGIN FORMAT" and "LAB-VERIFY-REPORT-END",
# against the expectations of the "LAB-VERIFY-EXPECT ARGS..." line before it
# (validate.py options: --pass N --fail N --skip N --failed CHECK ...).
# Prints one PASS:/FAIL: line per report; exit 1 when any failed or when
# the case printed no report at all.
set -u
log=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
k=${LAB_KERNEL:-?}
awk -v dir="$tmp" '
	/^LAB-VERIFY-EXPECT / { want = substr($0, 19); next }
	/^LAB-VERIFY-REPORT-BEGIN / { n++; fmt = $2; f = dir "/" n "." fmt;
		print want > (dir "/" n ".expect"); close(dir "/" n ".expect"); on = 1; next }
	/^LAB-VERIFY-REPORT-END/ { on = 0; close(f); next }
	on { print > f }
' "$log"
rc=0 any=0
for f in "$tmp"/*.tap "$tmp"/*.junit "$tmp"/*.json; do
	[ -e "$f" ] || continue
	any=1
	fmt=${f##*.} n=$(basename "$f" ".$fmt")
	read -r -a want <"$tmp/$n.expect"
	if out=$(python3 "$here/validate.py" "$fmt" "$f" "${want[@]}" 2>&1); then
		echo "PASS: [$k] host: $fmt report valid and as expected (${want[*]}): ${out##*: }"
	else
		echo "FAIL: [$k] host: $fmt report (${want[*]}):"
		echo "$out" | sed 's/^/    /'
		rc=1
	fi
done
[ $any = 1 ] || { echo "FAIL: [$k] host: the case printed no verify report"; rc=1; }
exit $rc
