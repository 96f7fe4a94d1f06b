// SPDX-License-Identifier: MIT
/*
 * out-text.c — the human table of `passthru verify` (the default format).
 *
 *	RESULT  DEVICE        IOMMU    CHECK                 EVIDENCE
 *	PASS    0000:00:03.0  host     host.iommu-enabled    dmar0 translates ...
 *	FAIL    0000:00:03.0  host     host.group-translated group 3 type is ...
 *	        expected: ...
 *	        fix: ...
 *	SKIP    0000:00:04.0  type1    dma.mapped            no driver ...
 *
 *	verify: 1 passed, 1 failed, 1 skipped
 *	note: ...
 *
 * Multi-line evidence continues on indented lines, so every line of the
 * table starts with a result word or with spaces (easy to grep).
 */
#include <errno.h>
#include <string.h>

#include "verify/verify.h"

#define TXT_INDENT "        "

static const char *txt_upper(enum vfy_status st)
{
	switch (st) {
	case VFY_PASS: return "PASS";
	case VFY_SKIP: return "SKIP";
	default: return "FAIL";
	}
}

/* Prints s, putting TXT_INDENT before every line after the first. */
static void txt_lines(FILE *out, const char *s)
{
	for (; *s; s++) {
		fputc(*s, out);
		if (*s == '\n')
			fputs(TXT_INDENT, out);
	}
}

static void txt_field(FILE *out, const char *label, const char *s)
{
	if (!s || !*s)
		return;
	fprintf(out, TXT_INDENT "%s: ", label);
	txt_lines(out, s);
	fputc('\n', out);
}

static const char *txt_color(enum vfy_status st)
{
	return st == VFY_PASS ? "\033[32m" : st == VFY_SKIP ? "\033[33m" : "\033[31m";
}

int vfy_write_text(const struct vfy_report *rep, FILE *out)
{
	return vfy_write_text_color(rep, out, false);
}

int vfy_write_text_color(const struct vfy_report *rep, FILE *out, bool color)
{
	int wdev = 6, wio = 5, wcheck = 5;
	char sum[96];

	for (int i = 0; i < rep->nr; i++) {
		const struct vfy_result *r = rep->r[i];
		int l;

		if ((l = strlen(r->device)) > wdev)
			wdev = l;
		if (r->iommu && (l = strlen(r->iommu)) > wio)
			wio = l;
		if ((l = strlen(r->check)) > wcheck)
			wcheck = l;
	}
	fprintf(out, "%-6s  %-*s  %-*s  %-*s  %s\n", "RESULT", wdev, "DEVICE",
		wio, "IOMMU", wcheck, "CHECK", "EVIDENCE");
	for (int i = 0; i < rep->nr; i++) {
		const struct vfy_result *r = rep->r[i];
		enum vfy_status st = vfy_result_status(r);
		const char *text = st == VFY_SKIP ? vfy_reason(r) : vfy_seen(r);

		fprintf(out, "%s%-4s%s    %-*s  %-*s  %-*s  ",
			color ? txt_color(st) : "", txt_upper(st),
			color ? "\033[0m" : "", wdev, r->device, wio,
			r->iommu ? r->iommu : "host", wcheck, r->check);
		txt_lines(out, text ? text : "-");
		fputc('\n', out);
		if (st == VFY_FAIL) {
			txt_field(out, "expected", vfy_expected(r));
			txt_field(out, "fix", vfy_fix(r));
		}
	}
	fprintf(out, "\n%s\n", vfy_summary_line(rep, sum, sizeof(sum)));
	for (int i = 0; i < rep->nr_notes; i++) {
		fputs("note: ", out);
		txt_lines(out, rep->notes[i]);
		fputc('\n', out);
	}
	fflush(out);
	return ferror(out) ? -EIO : 0;
}
