// SPDX-License-Identifier: MIT
/*
 * fuzz-verify-report.c — libFuzzer target for `passthru verify`'s report
 * writers (text, JSON, TAP 14, JUnit: escaping of hostile evidence text,
 * e.g. kernel log lines and device names) and its /dev/kmsg record parser.
 * Input: fields separated by '\n'; every 4 fields make one result (check,
 * device, evidence, fix), the first byte of the check picks its status.
 * Built as one unit with the verify sources it tests (they are part of the
 * command, not of libpassthru).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/result.c"
#include "verify/out-text.c"
#include "verify/out-json.c"
#include "verify/out-tap.c"
#include "verify/out-junit.c"
#include "verify/kmsg.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *save = NULL, *f[4], msg[256], *out = NULL;
	struct vfy_report rep;
	size_t len = 0;
	FILE *m;
	int n = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	vfy_kmsg_parse(buf, size, msg, sizeof(msg));
	vfy_kmsg_is_fault(buf);
	vfy_report_init(&rep);
	for (char *t = strtok_r(buf, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		f[n++] = t;
		if (n < 4)
			continue;
		struct vfy_result *r = vfy_begin(&rep, f[1], (f[0][0] & 1) ? "type1" : NULL, f[0]);

		switch (f[0][0] % 4) {
		case 0: vfy_pass(r, "%s", f[2]); break;
		case 1: vfy_fail(r, f[2], (f[3][0] & 1) ? f[3] : NULL, "%s", f[2]); break;
		case 2: vfy_skip(r, "%s", f[2]); break;
		default: vfy_evidence_add(r, "%s", f[3]); break;	/* undecided */
		}
		vfy_note(&rep, "%s", f[3]);
		n = 0;
	}
	m = open_memstream(&out, &len);
	if (m) {
		for (int fmt = VFY_FMT_TEXT; fmt <= VFY_FMT_JUNIT; fmt++)
			vfy_write(&rep, (enum vfy_format)fmt, m);
		vfy_write_text_color(&rep, m, true);
		fclose(m);
		free(out);
	}
	vfy_report_free(&rep);
	free(buf);
	return 0;
}
