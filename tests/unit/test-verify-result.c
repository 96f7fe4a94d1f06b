// SPDX-License-Identifier: MIT
/*
 * test-verify-result.c — the result model: verdicts, counts, the exit
 * rule (all passed, skips are not passes), sanitising, and that a check
 * that never reports is a failure.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "verify/verify.h"

Test(result, undecided_is_a_failure)
{
	struct vfy_report rep;
	struct vfy_result *r;

	vfy_report_init(&rep);
	r = vfy_begin(&rep, "0000:00:03.0", "type1", "dma.mapped");
	cr_assert_not_null(r);
	cr_assert_eq(vfy_result_status(r), VFY_FAIL);
	cr_assert_eq(vfy_count(&rep, VFY_FAIL), 1);
	cr_assert_eq(vfy_count(&rep, VFY_PASS), 0);
	cr_assert_str_eq(vfy_seen(r), "the check reported no result");
	cr_assert_str_eq(vfy_expected(r), "every check to end with pass, fail or skip");
	cr_assert_null(vfy_reason(r));
	cr_assert_not(vfy_all_passed(&rep, true));
	vfy_report_free(&rep);
}

Test(result, verdict_fields)
{
	struct vfy_report rep;
	struct vfy_result *p, *f, *s;

	vfy_report_init(&rep);
	p = vfy_begin(&rep, "0000:00:03.0", NULL, "host.a");
	vfy_pass(p, "seen %d", 42);
	f = vfy_begin(&rep, "0000:00:03.0", NULL, "host.b");
	vfy_fail(f, "want x", "do y", "got %s", "z");
	s = vfy_begin(&rep, "0000:00:03.0", "iommufd", "dma.c");
	vfy_skip(s, "because %s", "w");
	cr_assert_str_eq(vfy_seen(p), "seen 42");
	cr_assert_null(vfy_expected(p));
	cr_assert_null(vfy_fix(p));
	cr_assert_str_eq(vfy_seen(f), "got z");
	cr_assert_str_eq(vfy_expected(f), "want x");
	cr_assert_str_eq(vfy_fix(f), "do y");
	cr_assert_null(vfy_seen(s));
	cr_assert_str_eq(vfy_reason(s), "because w");
	cr_assert_null(p->iommu);
	cr_assert_str_eq(s->iommu, "iommufd");
	cr_assert_eq(vfy_count(&rep, VFY_PASS), 1);
	cr_assert_eq(vfy_count(&rep, VFY_FAIL), 1);
	cr_assert_eq(vfy_count(&rep, VFY_SKIP), 1);
	vfy_report_free(&rep);
}

Test(result, failure_always_has_a_fix)
{
	struct vfy_report rep;
	struct vfy_result *r;

	vfy_report_init(&rep);
	r = vfy_begin(&rep, "d", "type1", "x");
	vfy_fail(r, "want", NULL, "got");
	cr_assert_str_eq(vfy_fix(r), "the evidence names the step that failed and, "
			 "where the library knows it, the fix; otherwise report it "
			 "with this output");
	vfy_report_free(&rep);
}

Test(result, exit_rule)
{
	struct vfy_report rep;

	vfy_report_init(&rep);
	cr_assert_not(vfy_all_passed(&rep, false), "an empty run proves nothing");
	cr_assert_not(vfy_all_passed(&rep, true));
	vfy_pass(vfy_begin(&rep, "d", NULL, "a"), "ok");
	cr_assert(vfy_all_passed(&rep, false));
	vfy_skip(vfy_begin(&rep, "d", "type1", "b"), "no driver");
	cr_assert_not(vfy_all_passed(&rep, false), "a skip is not a pass");
	cr_assert(vfy_all_passed(&rep, true));
	vfy_fail(vfy_begin(&rep, "d", "type1", "c"), "x", "y", "z");
	cr_assert_not(vfy_all_passed(&rep, true));
	vfy_report_free(&rep);
}

Test(result, only_skips_never_pass)
{
	struct vfy_report rep;

	vfy_report_init(&rep);
	vfy_skip(vfy_begin(&rep, "d", "type1", "b"), "no driver");
	cr_assert_not(vfy_all_passed(&rep, true));
	vfy_report_free(&rep);
}

Test(result, sanitize_and_trailing_newlines)
{
	struct vfy_report rep;
	struct vfy_result *r;

	vfy_report_init(&rep);
	r = vfy_begin(&rep, "d\x1b", NULL, "c");
	vfy_pass(r, "a\tb\x7f\xff\nc\n\n");
	cr_assert_str_eq(r->evidence, "a?b??\nc");
	cr_assert_str_eq(r->device, "d?");
	vfy_report_free(&rep);
}

Test(result, evidence_lines_and_notes)
{
	struct vfy_report rep;
	struct vfy_result *r;
	char buf[96];

	vfy_report_init(&rep);
	r = vfy_begin(&rep, "d", NULL, "c");
	vfy_pass(r, "first");
	vfy_evidence_add(r, "kernel: %s", "DMAR fault");
	cr_assert_str_eq(r->evidence, "first\nkernel: DMAR fault");
	vfy_note(&rep, "n%d", 1);
	vfy_note(&rep, "n%d", 2);
	cr_assert_eq(rep.nr_notes, 2);
	cr_assert_str_eq(rep.notes[1], "n2");
	cr_assert_str_eq(vfy_summary_line(&rep, buf, sizeof(buf)),
			 "verify: 1 passed, 0 failed, 0 skipped");
	vfy_report_free(&rep);
}

Test(result, many_results_grow)
{
	struct vfy_report rep;
	char name[16];

	vfy_report_init(&rep);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		vfy_pass(vfy_begin(&rep, "d", NULL, name), "%d", i);
	}
	cr_assert_eq(rep.nr, 100);
	cr_assert_str_eq(rep.r[99]->check, "c99");
	cr_assert_str_eq(rep.r[57]->evidence, "57");
	vfy_report_free(&rep);
}
