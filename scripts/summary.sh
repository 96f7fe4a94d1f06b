#!/bin/bash
# summary.sh RESULTS_DIR... — add up the suites' results and print the one
# closing line CI reads: "check: N passed, M failed".  Exit 1 when anything
# failed or when no suite ran at all.
passed=0 failed=0 suites=0
for d in "$@"; do
	for r in "$d"/*.result; do
		[ -e "$r" ] || continue
		read -r p f rc <"$r"
		name=$(basename "$r" .result)
		printf '  %-28s %5d passed, %d failed\n' "$(basename "$(dirname "$d")")/$name" "$p" "$f"
		passed=$((passed + p)) failed=$((failed + f)) suites=$((suites + 1))
	done
done
if [ $suites = 0 ]; then
	echo "check: no suite ran"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "check: $passed passed, $failed failed"
[ $failed = 0 ]
