#!/bin/bash
# run-formats.sh SAMPLE_BIN — validates verify's TAP 14, JUnit and JSON writers
# with tests/verify/validate.py: the validator's own self-test (good and
# broken documents), then the writers' output for a fixed report (every
# status, characters that need escaping, an undecided check) against the
# exact counts and named checks it must contain.  Ends "N passed, M failed".
here=$(dirname "$0")
sample=$1
v="python3 $here/validate.py"
passed=0 failed=0
t() {	# t DESCRIPTION COMMAND... : the command must succeed
	local what=$1; shift
	if out=$("$@" 2>&1); then
		passed=$((passed + 1)); echo "PASS: $what"
	else
		failed=$((failed + 1)); echo "FAIL: $what"; echo "$out" | sed 's/^/    /'
	fi
}
tn() {	# tn DESCRIPTION COMMAND... : the command must fail
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then
		failed=$((failed + 1)); echo "FAIL: $what (was accepted)"
	else
		passed=$((passed + 1)); echo "PASS: $what"
	fi
}
self=$($v selftest)
echo "$self" | sed 's/^/  selftest /'
line=$(echo "$self" | tail -1)
passed=$((passed + ${line%% passed*}))
f=${line##*, }; failed=$((failed + ${f%% failed}))

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for fmt in tap junit json; do
	"$sample" $fmt >"$tmp/$fmt" || { failed=$((failed + 1)); echo "FAIL: sample $fmt exit"; }
	"$sample" $fmt undecided >"$tmp/$fmt.u"
	t "$fmt writer: valid, 2 pass 1 fail 1 skip, checks named" \
		$v $fmt "$tmp/$fmt" --pass 2 --fail 1 --skip 1 \
		--failed host.group-translated --passed host.iommu-enabled \
		--passed irq.msi --skipped dma.mapped
	t "$fmt writer: an undecided check is reported as failed" \
		$v $fmt "$tmp/$fmt.u" --pass 2 --fail 2 --skip 1 --failed reset.dma-stopped
	tn "$fmt validator: wrong expectation is caught" \
		$v $fmt "$tmp/$fmt" --failed host.iommu-enabled
	t "$fmt writer: same results as the TAP writer" \
		cmp <($v tap "$tmp/tap" --dump | head -n -1) <($v $fmt "$tmp/$fmt" --dump | head -n -1)
done
# corrupt the real writers' output: the validator must notice
tn "tap: plan changed" $v tap <(sed 's/^1\.\.4$/1..5/' "$tmp/tap")
tn "tap: test renumbered" $v tap <(sed 's/^ok 4 /ok 5 /' "$tmp/tap")
tn "tap: YAML end marker lost" $v tap <(sed '0,/^  \.\.\.$/{/^  \.\.\.$/d}' "$tmp/tap")
tn "junit: suite count changed" $v junit <(sed '0,/failures="1"/s//failures="0"/' "$tmp/junit")
tn "junit: failure element dropped" $v junit <(sed '/<failure/,/<\/failure>/d' "$tmp/junit")
tn "json: summary changed" $v json <(sed 's/"failed": 1/"failed": 0/' "$tmp/json")
echo "$passed passed, $failed failed"
[ $failed = 0 ]
