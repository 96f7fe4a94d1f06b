#!/bin/bash
# run-cli.sh PASSTHRU FIXTURES_DIR — `passthru verify` against the fixture
# machines (tests/fixtures/gen): the host checks' verdicts for known group
# shapes, every output format through the validator, -o, exit statuses and
# bad input.  (DMA checks need a real kernel: tests/lab/cases/verify-*.sh.)
# Ends "N passed, M failed".
pt=$1 fx=$2
here=$(dirname "$0")
v="python3 $here/validate.py"
passed=0 failed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { passed=$((passed + 1)); echo "PASS: $1"; }
ko() { failed=$((failed + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/    /'; }
t() {	# t DESCRIPTION COMMAND... : must succeed
	local what=$1 out; shift
	if out=$("$@" 2>&1); then ok "$what"; else ko "$what" "$out"; fi
}
rc_is() {	# rc_is WANT DESCRIPTION COMMAND...
	local want=$1 what=$2 rc; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	if [ $rc = "$want" ]; then ok "$what (exit $rc)"; else ko "$what: exit $rc, want $want" "$(cat "$tmp/err")"; fi
}
ws="$pt --root $fx/workstation"
sv="$pt --root $fx/server"
lp="$pt --root $fx/laptop"

# workstation: GPU 01:00.0 + audio 01:00.1 behind a root port without ACS,
# both on host drivers.
rc_is 1 "workstation GPU: verify fails" $ws verify 01:00.0 --format tap -o "$tmp/ws.tap"
t "workstation GPU: TAP valid; viability and host drivers fail, ACS passes (group holds the peer)" \
	$v tap "$tmp/ws.tap" --pass 5 --fail 2 --skip 12 \
	--failed host.group-viable --failed host.no-host-driver \
	--passed host.acs-isolation --passed host.dma-translated --passed host.iommu-enabled
t "workstation GPU: ACS evidence names the root port and the peer in the group" \
	grep -q 'multifunction without ACS; its other functions in the group: 0000:01:00.1' "$tmp/ws.tap"
t "workstation GPU: -o FILE (tap) prints the text table on stdout" \
	grep -q '^FAIL    0000:01:00.0  host   host.group-viable ' "$tmp/out"
t "workstation GPU: ... ending with the summary line" \
	grep -qx 'verify: 5 passed, 2 failed, 12 skipped' "$tmp/out"
rc_is 1 "workstation GPU: --format text -o FILE" $ws verify 01:00.0 -o "$tmp/ws.txt"
t "workstation GPU: --format text -o FILE prints only the summary line" \
	test "$(cat "$tmp/out")" = 'verify: 5 passed, 2 failed, 12 skipped'
t "workstation GPU: ... and the table goes to the file" \
	grep -q '^FAIL    0000:01:00.0  host   host.group-viable ' "$tmp/ws.txt"
$ws verify 01:00.0 >"$tmp/ws.txt" 2>&1
t "workstation GPU: text names the offending drivers and the fix" \
	grep -q 'fix: passthru assign 0000:01:00.0 (moves every member of group 1 to vfio-pci: 0000:01:00.0 0000:01:00.1)' "$tmp/ws.txt"
t "workstation GPU: text says the DMA checks were skipped and isolation is not proven" \
	grep -q '^note: 0000:01:00.0: .*isolation NOT proven' "$tmp/ws.txt"

# server: a VF already on vfio-pci in a viable group, IOMMU in passthrough
# (group type identity).
rc_is 1 "server VF: verify fails" $sv verify 03:02.0 --format junit -o "$tmp/sv.xml"
t "server VF: JUnit valid; identity group fails host.dma-translated, the rest of the host passes" \
	$v junit "$tmp/sv.xml" --pass 6 --fail 1 --skip 12 --failed host.dma-translated \
	--passed host.group-viable --passed host.no-host-driver --passed host.acs-isolation
t "server VF: JUnit failure says what was seen and the fix" \
	grep -q 'group 5 type is &quot;identity&quot;' "$tmp/sv.xml"
t "server VF: ACS evidence walks the switch" \
	grep -q 'downstream-port): ACS on' "$tmp/sv.xml"

# laptop: no IOMMU at all.
rc_is 1 "laptop: verify fails" $lp verify 00:14.3 --format json -o "$tmp/lp.json"
t "laptop: JSON valid; no IOMMU fails every IOMMU check" \
	$v json "$tmp/lp.json" --failed host.iommu-enabled --failed host.dma-translated \
	--failed host.interrupt-remapping --failed host.acs-isolation --pass 1 --fail 6

# several devices, both backends, formats agree
$ws verify 01:00.0 01:00.1 0000:01:00.0 --iommu both --format json >"$tmp/two.json"
t "two devices (one given twice), both backends: 2x7 host + 2x2x12 DMA results" \
	$v json "$tmp/two.json" --pass 10 --fail 4 --skip 48
for f in tap junit; do
	$ws verify 01:00.0 01:00.1 --iommu both --format $f >"$tmp/two.$f"
	t "$f and json list the same results" \
		cmp <($v json "$tmp/two.json" --dump | head -n -1) <($v $f "$tmp/two.$f" --dump | head -n -1)
done

# this machine (no device here is on vfio-pci): verify fails, never passes a
# DMA check, and its report is valid
dev=$($pt list --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["devices"][0]["bdf"])' 2>/dev/null)
if [ -n "$dev" ]; then
	rc_is 1 "this machine: verify $dev fails" $pt verify "$dev" --format tap -o "$tmp/live.tap"
	t "this machine: TAP valid" $v tap "$tmp/live.tap"
	t "this machine: no DMA check passed" \
		test -z "$(grep -E '^ok [0-9]+ - [^ ]+ [^ ]+ (type1|iommufd)$' "$tmp/live.tap")"
else
	ko "this machine: passthru list found no device to verify"
fi

# bad input: exit 2 with a message, never a crash
rc_is 2 "unknown device" $ws verify 0000:7f:1f.7
t "unknown device: message names it" grep -q '7f:1f.7' "$tmp/err"
rc_is 2 "malformed device" $ws verify 'zz:zz'
rc_is 2 "no device" $ws verify
rc_is 2 "bad --format" $ws verify 01:00.0 --format xml
rc_is 2 "bad --iommu" $ws verify 01:00.0 --iommu vfio
rc_is 2 "unknown option" $ws verify 01:00.0 --frobnicate
rc_is 2 "unwritable -o" $ws verify 01:00.0 -o /nonexistent/dir/report.xml
t "unwritable -o: says which file" grep -q '/nonexistent/dir/report.xml' "$tmp/err"
rc_is 0 "--help" $pt verify --help
echo "$passed passed, $failed failed"
[ $failed = 0 ]
