#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""validate.py — schema checks for `passthru verify` reports (stdlib only).

  validate.py tap|junit|json FILE [--pass N] [--fail N] [--skip N]
              [--failed CHECK]... [--passed CHECK]... [--skipped CHECK]...
              [--dump]
      Parses FILE ("-" = stdin) strictly, checks the format's rules and the
      expectations given, prints one line per problem and exits 1 on any.
      --failed CHECK: at least one result of CHECK failed (and so on);
      --dump prints the normalised results "STATUS CHECK DEVICE IOMMU".
  validate.py selftest
      Runs the validator on good and broken documents; ends with the plain
      line "N passed, M failed" (scripts/run-suite counts it).

TAP 14 rules checked: "TAP version 14" first; exactly one plan "1..N",
before the first or after the last test point; test points "ok"/"not ok"
numbered 1, 2, ... with no gaps; N equals the number of test points;
directives "# SKIP"/"# TODO"; every YAML diagnostics block opens with
"  ---" right after its test point, closes with "  ...", and holds only
"key: value" lines whose values are valid double-quoted YAML strings or
safe plain scalars; no "Bail out!".

JUnit rules checked: root <testsuites>; tests/failures/errors/skipped on
every suite equal the counts of its <testcase> children, and the root's
equal the sums; times are non-negative numbers and the parents' times are
the sums (to rounding); every testcase has name and classname, at most one
of <failure>/<error>/<skipped>, a failure has a message; (classname, name)
pairs are unique; no unknown elements.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET


class Invalid(Exception):
    pass


# ---------------------------------------------------------------- TAP 14 --
TEST_RE = re.compile(r'^(not ok|ok)\b(?: (\d+))?(?: -)?(?: (.*?))?'
                     r'(?:\s+#\s*(SKIP|TODO)\S*(?:\s+(.*))?)?$', re.I)
PLAN_RE = re.compile(r'^1\.\.(\d+)(?:\s+#.*)?$')
YAML_KEY_RE = re.compile(r'^  ([A-Za-z_][A-Za-z0-9_-]*): (.*)$')
DQ_ESC = {'"': '"', '\\': '\\', 'n': '\n', 't': '\t', 'r': '\r', '0': '\0',
          '/': '/', ' ': ' '}


def yaml_dq(s, where):
    """Parses a complete double-quoted YAML scalar; returns its value."""
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        raise Invalid(f'{where}: value is not one double-quoted string: {s}')
    out, i, body = [], 0, s[1:-1]
    while i < len(body):
        c = body[i]
        if c == '"':
            raise Invalid(f'{where}: unescaped quote inside string: {s}')
        if c == '\\':
            i += 1
            if i >= len(body):
                raise Invalid(f'{where}: string ends in a backslash: {s}')
            e = body[i]
            if e in DQ_ESC:
                out.append(DQ_ESC[e])
            elif e in 'xuU':
                n = {'x': 2, 'u': 4, 'U': 8}[e]
                hx = body[i + 1:i + 1 + n]
                if len(hx) != n or not re.fullmatch(r'[0-9A-Fa-f]+', hx):
                    raise Invalid(f'{where}: bad \\{e} escape: {s}')
                out.append(chr(int(hx, 16)))
                i += n
            else:
                raise Invalid(f'{where}: unknown escape \\{e}: {s}')
        elif ord(c) < 0x20 and c != '\t':
            raise Invalid(f'{where}: control character in string')
        else:
            out.append(c)
        i += 1
    return ''.join(out)


def yaml_value(v, where):
    if v.startswith('"'):
        return yaml_dq(v, where)
    if re.fullmatch(r'-?\d+(\.\d+)?|true|false|null|~', v):
        return v
    if (not v or v[0] in '-?:,[]{}#&*!|>\'"%@`' or ': ' in v or ' #' in v
            or v != v.strip()):
        raise Invalid(f'{where}: unsafe plain YAML scalar: {v!r}')
    return v


def parse_tap(text):
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    if not lines or lines[0] != 'TAP version 14':
        raise Invalid('line 1: expected "TAP version 14"')
    plan, plan_line, tests, i = None, None, [], 1
    while i < len(lines):
        ln, no = lines[i], i + 1
        i += 1
        if ln.strip() == '' or ln.startswith('#'):
            continue
        if ln.startswith('Bail out!'):
            raise Invalid(f'line {no}: Bail out!')
        m = PLAN_RE.match(ln)
        if m:
            if plan is not None:
                raise Invalid(f'line {no}: second plan')
            if tests and i < len(lines) and any(
                    TEST_RE.match(x) for x in lines[i:]):
                raise Invalid(f'line {no}: plan in the middle of the tests')
            plan, plan_line = int(m.group(1)), no
            continue
        m = TEST_RE.match(ln)
        if not m:
            raise Invalid(f'line {no}: not a TAP line: {ln!r}')
        num = m.group(2)
        if num is None or int(num) != len(tests) + 1:
            raise Invalid(f'line {no}: test number {num}, expected '
                          f'{len(tests) + 1}')
        desc = m.group(3) or ''
        if re.search(r'(?<!\\)#', desc):
            raise Invalid(f'line {no}: unescaped # in description')
        directive = (m.group(4) or '').upper()
        t = {'ok': m.group(1).lower() == 'ok', 'desc': desc,
             'directive': directive, 'reason': m.group(5) or '', 'yaml': None}
        if directive == 'SKIP' and not t['reason']:
            raise Invalid(f'line {no}: SKIP without a reason')
        if i < len(lines) and lines[i] == '  ---':
            y, i = {}, i + 1
            while True:
                if i >= len(lines):
                    raise Invalid(f'line {no}: YAML block never closed')
                yl, yno = lines[i], i + 1
                i += 1
                if yl == '  ...':
                    break
                km = YAML_KEY_RE.match(yl)
                if not km:
                    raise Invalid(f'line {yno}: not a "key: value" YAML '
                                  f'line: {yl!r}')
                if km.group(1) in y:
                    raise Invalid(f'line {yno}: duplicate key {km.group(1)}')
                y[km.group(1)] = yaml_value(km.group(2), f'line {yno}')
            t['yaml'] = y
        elif i < len(lines) and lines[i].startswith(' '):
            raise Invalid(f'line {i + 1}: indented line outside a YAML block')
        tests.append(t)
    if plan is None:
        raise Invalid('no plan line')
    if plan != len(tests):
        raise Invalid(f'plan 1..{plan} (line {plan_line}) but '
                      f'{len(tests)} test points')
    out = []
    for t in tests:
        y = t['yaml'] or {}
        st = ('skip' if t['directive'] == 'SKIP' else
              'pass' if t['ok'] else 'fail')
        parts = t['desc'].split(' ')
        out.append((st, y.get('check', parts[0]),
                    y.get('device', parts[1] if len(parts) > 1 else ''),
                    y.get('iommu', parts[2] if len(parts) > 2 else '')))
        if y and y.get('status') and y['status'] != st:
            raise Invalid(f'test {len(out)}: YAML status {y["status"]} '
                          f'but the test point says {st}')
    return out


# ----------------------------------------------------------------- JUnit --
CASE_CHILDREN = {'failure', 'error', 'skipped', 'system-out', 'system-err',
                 'properties'}


def int_attr(e, name):
    v = e.get(name)
    if v is None or not re.fullmatch(r'\d+', v):
        raise Invalid(f'<{e.tag} name="{e.get("name")}">: attribute {name}='
                      f'{v!r} is not a non-negative integer')
    return int(v)


def time_attr(e):
    v = e.get('time')
    if v is None:
        raise Invalid(f'<{e.tag} name="{e.get("name")}">: no time')
    try:
        f = float(v)
    except ValueError:
        raise Invalid(f'<{e.tag} name="{e.get("name")}">: time={v!r}')
    if f < 0 or f != f:
        raise Invalid(f'<{e.tag} name="{e.get("name")}">: time={v!r}')
    return f


def parse_junit(text):
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise Invalid(f'not well-formed XML: {e}')
    if root.tag != 'testsuites':
        raise Invalid(f'root element is <{root.tag}>, expected <testsuites>')
    tot = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    ttime, out, seen = 0.0, [], set()
    for s in root:
        if s.tag != 'testsuite':
            raise Invalid(f'<{s.tag}> inside <testsuites>')
        if not s.get('name'):
            raise Invalid('<testsuite> without a name')
        cnt = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
        stime, ncases = 0.0, 0
        for c in s:
            if c.tag in ('properties', 'system-out', 'system-err'):
                continue
            if c.tag != 'testcase':
                raise Invalid(f'<{c.tag}> inside <testsuite>')
            name, cls = c.get('name'), c.get('classname')
            if not name or not cls:
                raise Invalid('<testcase> without name or classname')
            if (cls, name) in seen:
                raise Invalid(f'duplicate testcase {cls} {name}')
            seen.add((cls, name))
            stime += time_attr(c)
            ncases += 1
            kinds = [x.tag for x in c if x.tag in ('failure', 'error',
                                                  'skipped')]
            for x in c:
                if x.tag not in CASE_CHILDREN:
                    raise Invalid(f'<{x.tag}> inside <testcase {name}>')
            if len(kinds) > 1:
                raise Invalid(f'testcase {name}: more than one of {kinds}')
            st = 'pass'
            if kinds:
                k = kinds[0]
                el = c.find(k)
                if k == 'failure' and el.get('message') is None:
                    raise Invalid(f'testcase {name}: failure has no message')
                cnt[{'failure': 'failures', 'error': 'errors',
                     'skipped': 'skipped'}[k]] += 1
                st = {'failure': 'fail', 'error': 'error',
                      'skipped': 'skip'}[k]
            cnt['tests'] += 1
            sname = s.get('name').split(' ')
            out.append((st, name, sname[0], sname[-1]))
        for k in cnt:
            if int_attr(s, k) != cnt[k]:
                raise Invalid(f'testsuite {s.get("name")}: {k}='
                              f'{s.get(k)} but its testcases say {cnt[k]}')
            tot[k] += cnt[k]
        st_time = time_attr(s)
        if abs(st_time - stime) > 0.0006 * (ncases + 1):
            raise Invalid(f'testsuite {s.get("name")}: time={st_time} but '
                          f'its testcases add up to {stime:.3f}')
        ttime += st_time
    for k in tot:
        if int_attr(root, k) != tot[k]:
            raise Invalid(f'testsuites: {k}={root.get(k)} but the suites '
                          f'add up to {tot[k]}')
    if abs(time_attr(root) - ttime) > 0.0006 * (len(out) + 1):
        raise Invalid(f'testsuites: time={root.get("time")} but the suites '
                      f'add up to {ttime:.3f}')
    return out


# ------------------------------------------------------------------ JSON --
RESULT_KEYS = {'check', 'device', 'iommu', 'status', 'evidence', 'expected',
               'fix', 'reason', 'seconds'}


def parse_json(text):
    try:
        d = json.loads(text)
    except ValueError as e:
        raise Invalid(f'not JSON: {e}')
    if d.get('format') != 'passthru-verify' or d.get('version') != 1:
        raise Invalid('not a passthru-verify version 1 document')
    res, out = d.get('results'), []
    if not isinstance(res, list):
        raise Invalid('results is not an array')
    for n, r in enumerate(res):
        if set(r) != RESULT_KEYS:
            raise Invalid(f'result {n}: keys {sorted(r)}')
        st = r['status']
        if st not in ('pass', 'fail', 'skip'):
            raise Invalid(f'result {n}: status {st!r}')
        if st == 'skip' and not r['reason']:
            raise Invalid(f'result {n}: skip without a reason')
        if st != 'skip' and r['reason'] is not None:
            raise Invalid(f'result {n}: reason on a {st}')
        if st == 'fail' and not r['evidence']:
            raise Invalid(f'result {n}: failure without evidence')
        out.append((st, r['check'], r['device'], r['iommu'] or 'host'))
    s = d.get('summary', {})
    want = {'total': len(out),
            'passed': sum(1 for x in out if x[0] == 'pass'),
            'failed': sum(1 for x in out if x[0] == 'fail'),
            'skipped': sum(1 for x in out if x[0] == 'skip')}
    if s != want:
        raise Invalid(f'summary {s} but the results say {want}')
    ok = want['total'] > 0 and want['failed'] == 0 and want['skipped'] == 0
    if d.get('ok') is not ok:
        raise Invalid(f'ok={d.get("ok")} but the results say {ok}')
    if not isinstance(d.get('notes'), list):
        raise Invalid('notes is not an array')
    return out


PARSERS = {'tap': parse_tap, 'junit': parse_junit, 'json': parse_json}


def check_expectations(results, args):
    errs = []
    for st, opt in (('pass', '--pass'), ('fail', '--fail'),
                    ('skip', '--skip')):
        if args.get(opt) is not None:
            n = sum(1 for r in results if r[0] == st)
            if n != args[opt]:
                errs.append(f'{opt} {args[opt]} expected, found {n}')
    for st, opt in (('pass', '--passed'), ('fail', '--failed'),
                    ('skip', '--skipped')):
        for check in args.get(opt, []):
            if not any(r[0] == st and r[1] == check for r in results):
                have = sorted({r[0] for r in results if r[1] == check})
                errs.append(f'{check}: expected {st}, found '
                            f'{have or "no such check"}')
    return errs


def main_validate(argv):
    fmt, path, args, dump, i = argv[0], argv[1], {}, False, 2
    while i < len(argv):
        a = argv[i]
        if a in ('--pass', '--fail', '--skip'):
            args[a] = int(argv[i + 1])
            i += 2
        elif a in ('--failed', '--passed', '--skipped'):
            args.setdefault(a, []).append(argv[i + 1])
            i += 2
        elif a == '--dump':
            dump, i = True, i + 1
        else:
            print(f'validate: unknown option {a}', file=sys.stderr)
            return 2
    text = sys.stdin.read() if path == '-' else open(path).read()
    try:
        results = PARSERS[fmt](text)
    except Invalid as e:
        print(f'validate {fmt}: INVALID: {e}')
        return 1
    if dump:
        for r in results:
            print(' '.join(r))
    errs = check_expectations(results, args)
    for e in errs:
        print(f'validate {fmt}: {e}')
    n = {s: sum(1 for r in results if r[0] == s) for s in
         ('pass', 'fail', 'skip')}
    print(f'validate {fmt}: {"OK" if not errs else "MISMATCH"}: '
          f'{len(results)} results, {n["pass"]} pass, {n["fail"]} fail, '
          f'{n["skip"]} skip')
    return 1 if errs else 0


# -------------------------------------------------------------- selftest --
GOOD_TAP = '''TAP version 14
1..3
ok 1 - a.b dev host
  ---
  check: "a.b"
  seen: "x \\"q\\" \\\\ \\n y"
  seconds: 0.125
  ...
not ok 2 - c.d dev type1
ok 3 - e.f dev type1 # SKIP no driver
# verify: 1 passed, 1 failed, 1 skipped
'''
BAD_TAP = {
    'no version line': GOOD_TAP.replace('TAP version 14\n', ''),
    'version 13': GOOD_TAP.replace('version 14', 'version 13'),
    'plan too big': GOOD_TAP.replace('1..3', '1..4'),
    'no plan': GOOD_TAP.replace('1..3\n', ''),
    'two plans': GOOD_TAP + '1..3\n',
    'numbering gap': GOOD_TAP.replace('not ok 2', 'not ok 4'),
    'missing number': GOOD_TAP.replace('not ok 2 -', 'not ok -'),
    'unclosed yaml': GOOD_TAP.replace('  ...\n', ''),
    'unescaped quote': GOOD_TAP.replace('\\"q\\"', '"q"'),
    'bad escape': GOOD_TAP.replace('\\\\ ', '\\q '),
    'unsafe plain scalar': GOOD_TAP.replace('seconds: 0.125',
                                            'seconds: a: b'),
    'non key line in yaml': GOOD_TAP.replace('  seconds: 0.125\n',
                                             '  - item\n'),
    'skip without reason': GOOD_TAP.replace('# SKIP no driver', '# SKIP'),
    'stray indented line': GOOD_TAP.replace('not ok 2 - c.d dev type1\n',
                                            'not ok 2 - c.d dev type1\n'
                                            '   oops\n'),
    'bail out': GOOD_TAP + 'Bail out! broken\n',
    'unescaped hash': GOOD_TAP.replace('c.d dev', 'c#d dev'),
}
GOOD_JUNIT = '''<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="x" tests="3" failures="1" errors="0" skipped="1" time="0.750">
  <testsuite name="d host" tests="2" failures="1" errors="0" skipped="0" time="0.500">
    <testcase name="a" classname="passthru.verify.d.host" time="0.250"><system-out>e</system-out></testcase>
    <testcase name="b" classname="passthru.verify.d.host" time="0.250"><failure message="m">x</failure></testcase>
  </testsuite>
  <testsuite name="d type1" tests="1" failures="0" errors="0" skipped="1" time="0.250">
    <testcase name="c" classname="passthru.verify.d.type1" time="0.250"><skipped message="r"/></testcase>
  </testsuite>
</testsuites>
'''
BAD_JUNIT = {
    'not xml': GOOD_JUNIT.replace('</testsuites>', ''),
    'root tests wrong': GOOD_JUNIT.replace('tests="3"', 'tests="4"'),
    'suite failures wrong': GOOD_JUNIT.replace(
        'tests="2" failures="1"', 'tests="2" failures="0"'),
    'suite skipped wrong': GOOD_JUNIT.replace(
        'failures="0" errors="0" skipped="1"',
        'failures="0" errors="0" skipped="0"'),
    'missing counts': GOOD_JUNIT.replace(' errors="0" skipped="1" time="0.750"',
                                         ' time="0.750"'),
    'testcase without name': GOOD_JUNIT.replace('name="a" ', ''),
    'failure without message': GOOD_JUNIT.replace(' message="m"', ''),
    'failure and skipped': GOOD_JUNIT.replace(
        '<failure message="m">x</failure>',
        '<failure message="m">x</failure><skipped/>'),
    'negative time': GOOD_JUNIT.replace('time="0.250"><skipped',
                                        'time="-1"><skipped'),
    'suite time not the sum': GOOD_JUNIT.replace(
        'skipped="1" time="0.250"', 'skipped="1" time="9.000"'),
    'duplicate testcase': GOOD_JUNIT.replace('name="b"', 'name="a"'),
    'unknown element': GOOD_JUNIT.replace('<system-out>e</system-out>',
                                          '<result>e</result>'),
    'wrong root': GOOD_JUNIT.replace('testsuites', 'results'),
}
GOOD_JSON = json.dumps({
    'format': 'passthru-verify', 'version': 1, 'ok': False,
    'summary': {'total': 2, 'passed': 1, 'failed': 0, 'skipped': 1},
    'results': [
        {'check': 'a', 'device': 'd', 'iommu': None, 'status': 'pass',
         'evidence': 'e', 'expected': None, 'fix': None, 'reason': None,
         'seconds': 0},
        {'check': 'b', 'device': 'd', 'iommu': 'type1', 'status': 'skip',
         'evidence': None, 'expected': None, 'fix': None, 'reason': 'r',
         'seconds': 0}],
    'notes': []})
BAD_JSON = {
    'ok true with a skip': GOOD_JSON.replace('"ok": false', '"ok": true'),
    'summary wrong': GOOD_JSON.replace('"passed": 1', '"passed": 2'),
    'skip without reason': GOOD_JSON.replace('"reason": "r"',
                                             '"reason": null'),
    'bad status': GOOD_JSON.replace('"status": "pass"', '"status": "ok"'),
    'missing key': GOOD_JSON.replace('"fix": null, ', '', 1),
    'not json': GOOD_JSON[:-1],
}


def selftest():
    passed = failed = 0

    def expect(ok, what):
        nonlocal passed, failed
        print(f'{"PASS" if ok else "FAIL"}: {what}')
        passed += ok
        failed += not ok

    for fmt, good, bad in (('tap', GOOD_TAP, BAD_TAP),
                           ('junit', GOOD_JUNIT, BAD_JUNIT),
                           ('json', GOOD_JSON, BAD_JSON)):
        try:
            res = PARSERS[fmt](good)
            expect([r[0] for r in res] == ['pass', 'fail', 'skip'][:len(res)]
                   if fmt != 'json' else
                   [r[0] for r in res] == ['pass', 'skip'],
                   f'{fmt}: good document accepted with the right statuses')
        except Invalid as e:
            expect(False, f'{fmt}: good document rejected: {e}')
        for what, doc in bad.items():
            try:
                PARSERS[fmt](doc)
                expect(False, f'{fmt}: "{what}" accepted')
            except Invalid as e:
                expect(True, f'{fmt}: "{what}" rejected ({e})')
    res = parse_tap(GOOD_TAP)
    expect(check_expectations(res, {'--failed': ['c.d']}) == [],
           'expectation --failed c.d met')
    expect(check_expectations(res, {'--failed': ['a.b']}) != [],
           'expectation --failed a.b (it passed) reported')
    expect(check_expectations(res, {'--pass': 2}) != [],
           'expectation --pass 2 (there is 1) reported')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    if len(sys.argv) == 2 and sys.argv[1] == 'selftest':
        sys.exit(selftest())
    if len(sys.argv) < 3 or sys.argv[1] not in PARSERS:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main_validate(sys.argv[1:]))
