// SPDX-License-Identifier: MIT
/*
 * out-junit.c — `passthru verify --format junit`: JUnit XML as GitLab,
 * Jenkins and GitHub test reporters read it.
 *
 *	<testsuites name="passthru verify" tests= failures= errors="0" skipped= time=>
 *	  <testsuite name="0000:00:03.0 host" tests= failures= errors="0" skipped= time=>
 *	    <testcase name="host.iommu-enabled" classname="passthru.verify.0000_00_03_0.host" time=>
 *	      <failure message="SEEN" type="expected: EXPECTED">expected/seen/fix</failure>
 *	      | <skipped message="REASON"/>
 *	      <system-out>EVIDENCE</system-out>
 *	    </testcase>
 *
 * One <testsuite> per device and backend ("host" for the host checks), in
 * the order the checks ran.  The counts on every element are computed from
 * the results below it, never typed in.
 */
#include <errno.h>
#include <string.h>

#include "verify/verify.h"

static void xml_esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\n': fputs("&#10;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* Element text: newlines kept as they are. */
static void xml_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			fputc('\n', out);
		else
			xml_esc(out, (char[]){ *s, 0 });
	}
}

static const char *suite_io(const struct vfy_result *r)
{
	return r->iommu ? r->iommu : "host";
}

static bool same_suite(const struct vfy_result *a, const struct vfy_result *b)
{
	return !strcmp(a->device, b->device) && !strcmp(suite_io(a), suite_io(b));
}

struct junit_counts {
	int tests, failures, skipped;
	double time;
};

static void junit_count(const struct vfy_report *rep, int from, int to,
			struct junit_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = from; i < to; i++) {
		enum vfy_status st = vfy_result_status(rep->r[i]);

		c->tests++;
		c->failures += st == VFY_FAIL;
		c->skipped += st == VFY_SKIP;
		c->time += rep->r[i]->seconds;
	}
}

static void junit_case(FILE *out, const struct vfy_result *r)
{
	enum vfy_status st = vfy_result_status(r);
	const char *seen = vfy_seen(r);

	fputs("    <testcase name=\"", out);
	xml_esc(out, r->check);
	/* reporters split classname at dots: keep the BDF in one part */
	fputs("\" classname=\"passthru.verify.", out);
	for (const char *s = r->device; *s; s++)
		fputc(*s == ':' || *s == '.' ? '_' : *s, out);
	fputc('.', out);
	xml_esc(out, suite_io(r));
	fprintf(out, "\" time=\"%.3f\">\n", r->seconds);
	if (st == VFY_FAIL) {
		fputs("      <failure message=\"", out);
		xml_esc(out, seen ? seen : "");
		fputs("\" type=\"", out);
		xml_esc(out, r->check);
		fputs("\">expected: ", out);
		xml_text(out, vfy_expected(r) ? vfy_expected(r) : "-");
		fputs("\nseen: ", out);
		xml_text(out, seen ? seen : "-");
		fputs("\nfix: ", out);
		xml_text(out, vfy_fix(r) ? vfy_fix(r) : "-");
		fputs("</failure>\n", out);
	} else if (st == VFY_SKIP) {
		fputs("      <skipped message=\"", out);
		xml_esc(out, vfy_reason(r));
		fputs("\"/>\n", out);
	}
	if (seen) {
		fputs("      <system-out>", out);
		xml_text(out, seen);
		fputs("</system-out>\n", out);
	}
	fputs("    </testcase>\n", out);
}

int vfy_write_junit(const struct vfy_report *rep, FILE *out)
{
	struct junit_counts all, c;

	junit_count(rep, 0, rep->nr, &all);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"passthru verify\" tests=\"%d\" "
		"failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\">\n",
		all.tests, all.failures, all.skipped, all.time);
	for (int i = 0, end; i < rep->nr; i = end) {
		const struct vfy_result *first = rep->r[i];

		for (end = i + 1; end < rep->nr && same_suite(first, rep->r[end]);)
			end++;
		junit_count(rep, i, end, &c);
		fputs("  <testsuite name=\"", out);
		xml_esc(out, first->device);
		fputc(' ', out);
		xml_esc(out, suite_io(first));
		fprintf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
			"skipped=\"%d\" time=\"%.3f\">\n",
			c.tests, c.failures, c.skipped, c.time);
		for (int k = i; k < end; k++)
			junit_case(out, rep->r[k]);
		fputs("  </testsuite>\n", out);
	}
	if (rep->nr_notes) {
		fputs("  <!-- notes:", out);
		for (int i = 0; i < rep->nr_notes; i++) {
			fputs("\n       ", out);
			/* "--" may not appear in an XML comment, nor "-" end it */
			for (const char *s = rep->notes[i]; *s; s++)
				fputc(*s == '-' && (s[1] == '-' || !s[1]) ?
				      '=' : *s, out);
		}
		fputs(" -->\n", out);
	}
	fputs("</testsuites>\n", out);
	fflush(out);
	return ferror(out) ? -EIO : 0;
}
