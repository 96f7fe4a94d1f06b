// SPDX-License-Identifier: MIT
/*
 * out-tap.c — `passthru verify --format tap`: TAP version 14
 * (https://testanything.org/tap-version-14-specification.html).
 *
 *	TAP version 14
 *	1..3
 *	ok 1 - host.iommu-enabled 0000:00:03.0 host
 *	  ---
 *	  check: "host.iommu-enabled"
 *	  ...
 *	  ...
 *	not ok 2 - ...
 *	ok 3 - dma.mapped 0000:00:04.0 type1 # SKIP no driver ...
 *	# verify: 1 passed, 1 failed, 1 skipped
 *	# note: ...
 *
 * Every test point carries a YAML diagnostics block (indented two spaces,
 * between "---" and "..."); every string in it is double-quoted with YAML
 * escapes, so evidence text can never break the block.  '#' and '\' in
 * descriptions are escaped as the spec asks; a skip reason is one line.
 */
#include <errno.h>

#include "verify/verify.h"

/* A description: '\' and '#' escaped, newlines folded. */
static void tap_desc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '#')
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

/* A directive reason: one line, '#' would start nothing but keep it plain. */
static void tap_reason(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputs(*s == '\n' ? "; " : (char[]){ *s, 0 }, out);
}

static void tap_yaml_str(FILE *out, const char *key, const char *s)
{
	if (!s)
		return;
	fprintf(out, "  %s: \"", key);
	for (; *s; s++) {
		switch (*s) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		default: fputc(*s, out);
		}
	}
	fputs("\"\n", out);
}

int vfy_write_tap(const struct vfy_report *rep, FILE *out)
{
	char sum[96];

	fputs("TAP version 14\n", out);
	fprintf(out, "1..%d\n", rep->nr);
	for (int i = 0; i < rep->nr; i++) {
		const struct vfy_result *r = rep->r[i];
		enum vfy_status st = vfy_result_status(r);
		const char *io = r->iommu ? r->iommu : "host";

		fprintf(out, "%s %d - ", st == VFY_FAIL ? "not ok" : "ok", i + 1);
		tap_desc(out, r->check);
		fputc(' ', out);
		tap_desc(out, r->device);
		fputc(' ', out);
		tap_desc(out, io);
		if (st == VFY_SKIP) {
			fputs(" # SKIP ", out);
			tap_reason(out, vfy_reason(r));
		}
		fputs("\n  ---\n", out);
		tap_yaml_str(out, "check", r->check);
		tap_yaml_str(out, "device", r->device);
		tap_yaml_str(out, "iommu", io);
		tap_yaml_str(out, "status", vfy_status_name(st));
		tap_yaml_str(out, "seen", vfy_seen(r));
		tap_yaml_str(out, "expected", vfy_expected(r));
		tap_yaml_str(out, "fix", vfy_fix(r));
		tap_yaml_str(out, "reason", vfy_reason(r));
		fprintf(out, "  seconds: %.3f\n", r->seconds);
		fputs("  ...\n", out);
	}
	fprintf(out, "# %s\n", vfy_summary_line(rep, sum, sizeof(sum)));
	for (int i = 0; i < rep->nr_notes; i++) {
		fputs("# note: ", out);
		tap_reason(out, rep->notes[i]);
		fputc('\n', out);
	}
	fflush(out);
	return ferror(out) ? -EIO : 0;
}
