// SPDX-License-Identifier: MIT
/*
 * inject.c — fault injection for the lab's own tests of `passthru verify`.
 *
 * A correct kernel never lets an unmapped or read-only DMA through, so the
 * DMA checks cannot be made to fail on a healthy lab VM.  To prove that each
 * of them CAN fail (a check that cannot fail is a defect), the environment
 * variable PASSTHRU_VERIFY_INJECT=NAME[,NAME...] makes verify itself behave
 * like a broken platform at one precise point:
 *
 *	mapped-shift		mapped copies aim 1 MiB beside the mapping
 *	leak-never-mapped	the sentinel page gets mapped at the "never
 *				mapped" IOVA (an IOMMU translating anything)
 *	keep-after-unmap	the unmap before the second write is skipped
 *				(a stale IOTLB entry)
 *	ro-as-rw		the read-only page is mapped read-write
 *	map-reserved-usable	the reserved-region probe maps a usable IOVA
 *	map-outside-usable	the out-of-range probe maps the last usable page
 *	msi-no-move		vector 0 is not moved to the new eventfd
 *	reset-dma-after		a copy is started during the post-reset quiet
 *				period (DMA that did not stop)
 *
 * Every report of such a run carries a note saying so; its verdicts describe
 * the simulation, not the host.
 */
#include <stdlib.h>
#include <string.h>

#include "verify/dma.h"

bool vfy_inject(const char *name)
{
	const char *v = getenv("PASSTHRU_VERIFY_INJECT");
	size_t n = strlen(name);

	for (const char *p = v; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] != 0))
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

bool vfy_inject_any(void)
{
	const char *v = getenv("PASSTHRU_VERIFY_INJECT");

	return v && *v;
}
