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
#include <stdio.h>
#include <string.h>

#include "lib/text.h"
#include "verify/verify.h"

/*
 * XML 1.0 allows no C0 control but tab, newline and carriage return (not
 * even as &#1;), no U+FFFE/U+FFFF, and the document says UTF-8: evidence
 * from the machine (a device's name, a driver's message) may hold any
 * byte.  A control is written as the text "\\xNN", a byte that is not
 * well-formed UTF-8 (or a non-character) as U+FFFD.
 */
static const char *xml_char(const unsigned char *p, char *tmp, int *len)
{
	*len = 1;
	switch (*p) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&apos;";
	case '\n': return "&#10;";
	case '\t': case '\r': break;
	default:
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(tmp, 8, "\\x%02x", *p);
			return tmp;
		}
		if (*p >= 0x80) {
			*len = pt_utf8_len(p);
			if (!*len || (*len == 3 && p[0] == 0xef && p[1] == 0xbf &&
				      p[2] >= 0xbe)) {
				*len = *len ? *len : 1;
				return "\xef\xbf\xbd";	/* U+FFFD */
			}
			memcpy(tmp, p, (size_t)*len);
			tmp[*len] = '\0';
			return tmp;
		}
	}
	tmp[0] = (char)*p;
	tmp[1] = '\0';
	return tmp;
}

static void xml_esc(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char tmp[8];
	int len;

	while (p && *p) {
		fputs(xml_char(p, tmp, &len), out);
		p += len;
	}
}

/* Element text: newlines kept as they are. */
static void xml_text(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char tmp[8];
	int len;

	while (p && *p) {
		if (*p == '\n') {
			fputc('\n', out);
			p++;
			continue;
		}
		fputs(xml_char(p, tmp, &len), out);
		p += len;
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
