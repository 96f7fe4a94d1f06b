#!/bin/bash
# summary.sh [--since EPOCH] RESULTS_DIR... — add up the suites' results and
# print each suite's count and wall time, then the one closing line CI reads:
# "check: N passed, M failed".  With --since, the line before it gives the
# whole run's time.  Exit 1 when anything failed or when no suite ran.
since=
if [ "${1:-}" = --since ]; then since=$2; shift 2; fi
passed=0 failed=0 suites=0
for d in "$@"; do
	for r in "$d"/*.result; do
		[ -e "$r" ] || continue
		read -r p f rc secs <"$r"
		name=$(basename "$r" .result)
		printf '  %-34s %5d passed, %d failed  %5s s\n' \
			"$(basename "$(dirname "$d")")/$name" "$p" "$f" "${secs:-?}"
		passed=$((passed + p)) failed=$((failed + f)) suites=$((suites + 1))
	done
done
if [ -n "$since" ]; then
	t=$(( $(date +%s) - since ))
	printf '%d suites in %d min %02d s\n' $suites $((t / 60)) $((t % 60))
fi
if [ $suites = 0 ]; then
	echo "no suite ran"
	echo "check: 0 passed, 1 failed"
	exit 1
fi
echo "check: $passed passed, $failed failed"
[ $failed = 0 ]
