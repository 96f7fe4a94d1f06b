// SPDX-License-Identifier: MIT
/*
 * sample-report FORMAT [undecided] — writes a fixed report through one of
 * verify's writers, for the TAP/JUnit/JSON validator (tests/verify/validate.py)
 * to check.  The report holds every status, multi-line evidence and every
 * character the writers must escape; "undecided" adds a check that never got
 * a verdict (must come out as a failure).
 */
#include <stdio.h>
#include <string.h>

#include "verify/verify.h"

int main(int argc, char **argv)
{
	struct vfy_report rep;
	struct vfy_result *r;
	enum vfy_format fmt;
	int ret;

	if (argc < 2 || vfy_format_parse(argv[1], &fmt) < 0) {
		fprintf(stderr, "usage: sample-report text|json|tap|junit [undecided]\n");
		return 2;
	}
	vfy_report_init(&rep);
	r = vfy_begin(&rep, "0000:00:03.0", NULL, "host.iommu-enabled");
	vfy_pass(r, "dmar0 is active; 0000:00:03.0 is in group 3");
	r = vfy_begin(&rep, "0000:00:03.0", NULL, "host.group-translated");
	vfy_fail(r, "group type DMA or DMA-FQ", "boot without iommu=pt",
		 "group 3 type is \"identity\" <&> 'x' # \\ --\nsecond line");
	r = vfy_begin(&rep, "0000:00:04.0", "type1", "dma.mapped");
	vfy_skip(r, "no driver for 8086:10d3 # not proven\nat all");
	r = vfy_begin(&rep, "0000:00:04.0", "type1", "irq.msi");
	vfy_pass(r, "tab\there \x01 ctrl, bell\a, high \xc3\xa9");
	if (argc > 2 && !strcmp(argv[2], "undecided"))
		vfy_begin(&rep, "0000:00:04.0", "iommufd", "reset.dma-stopped");
	vfy_note(&rep, "0000:00:04.0: DMA isolation NOT proven -- no driver -");
	for (int i = 0; i < rep.nr; i++)
		rep.r[i]->seconds = 0.25 * i;
	ret = vfy_write(&rep, fmt, stdout);
	vfy_report_free(&rep);
	return ret < 0 ? 1 : 0;
}
