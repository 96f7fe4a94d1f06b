// SPDX-License-Identifier: MIT
/*
 * check-map.c — mappings the kernel must refuse (`passthru verify`):
 *
 *	map.reserved-region		the group's reserved regions (on x86
 *					the MSI window 0xfee00000-0xfeefffff)
 *					cannot be mapped: a device DMA there
 *					would be an interrupt message
 *	map.outside-usable-range	an IOVA above the usable ranges (the
 *					IOMMU's address width) is refused, and
 *					a mapping straddling the end leaves
 *					nothing behind
 *
 * The requests go straight to the kernel (pt_iommu_map_dma() does not
 * pre-check ranges), so a refusal is the kernel's.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sysfs.h"
#include "verify/dma.h"

#define RESV_PROBE_IOVA	0x8800000ull	/* usable: only for fault injection */

/* Tries to map one page at iova: 1 refused (reason in why), 0 accepted
 * (and unmapped again), -errno when no memory. */
static int try_map(struct vfy_dma *s, uint64_t iova, uint64_t len, char *why,
		   size_t n)
{
	struct vfy_buf b;
	int ret = vfy_buf_get(s, &b, len, 0, 0, NULL);

	if (ret < 0)
		return ret;
	ret = pt_iommu_map_dma(s->io, b.addr, b.size, iova, PT_DMA_RW);
	if (ret < 0) {
		snprintf(why, n, "%s", pt_last_error());
		pt_mem_free(b.mem);
		return 1;
	}
	b.iova = iova;
	b.mapped = true;
	vfy_buf_put(s, &b);
	return 0;
}

static void reserved_region(struct vfy_dma *s)
{
	struct vfy_result *r = vfy_dma_begin(s, "map.reserved-region");
	const char *exp = "the kernel refuses to map any page of a reserved region";
	struct pt_resv_region rv[16];
	char why[512], ev[1536] = "";
	size_t e = 0;
	int n, tried = 0;

	if (!r)
		return;
	/* under --root too */
	n = pt_sysfs_reserved_regions(pt_ctx_sysfs(s->host->ctx),
				      s->d->iommu_group, rv, 16);
	if (n < 0) {
		vfy_fail(r, exp, NULL, "cannot read the reserved regions of group "
			 "%d: %s", s->d->iommu_group, strerror(-n));
		return;
	}
	for (int i = 0; i < n; i++) {
		uint64_t pages[2] = { rv[i].start & ~(VFY_PAGE - 1),
				      rv[i].last & ~(VFY_PAGE - 1) };

		/* "direct" regions (RMRR) are identity-mapped by design */
		if (strcmp(rv[i].type, "msi") && strcmp(rv[i].type, "reserved"))
			continue;
		for (int k = 0; k < 2; k++) {
			int ret = try_map(s, vfy_inject("map-reserved-usable") ?
					  RESV_PROBE_IOVA : pages[k], VFY_PAGE, why,
					  sizeof(why));

			if (k && pages[1] == pages[0])
				break;
			tried++;
			if (ret < 0) {
				vfy_fail(r, exp, NULL, "no memory to try: %s",
					 pt_last_error());
				return;
			}
			if (ret == 0) {
				vfy_fail(r, exp, "the IOMMU driver does not enforce "
					 "reserved regions: a device could write "
					 "interrupt messages through such a mapping; "
					 "report a kernel bug",
					 "mapping IOVA 0x%" PRIx64 " in the %s region "
					 "0x%" PRIx64 "-0x%" PRIx64 " was ACCEPTED",
					 pages[k], rv[i].type, rv[i].start, rv[i].last);
				return;
			}
			e += snprintf(ev + e, sizeof(ev) - e, "%s%s region 0x%"
				      PRIx64 "-0x%" PRIx64 ": map at 0x%" PRIx64
				      " refused (%s)", e ? "\n" : "", rv[i].type,
				      rv[i].start, rv[i].last, pages[k], why);
			if (e >= sizeof(ev))
				e = sizeof(ev) - 1;
		}
	}
	if (!tried)
		vfy_skip(r, "group %d has no msi/reserved region to try (%d "
			 "region%s listed)", s->d->iommu_group, n, n == 1 ? "" : "s");
	else
		vfy_pass(r, "%s", ev);
}

static void outside_range(struct vfy_dma *s)
{
	struct vfy_result *r = vfy_dma_begin(s, "map.outside-usable-range");
	const char *exp = "the kernel refuses a mapping outside the usable IOVA "
			  "ranges, and a refused mapping leaves nothing mapped";
	const char *fix = "the kernel maps IOVAs the IOMMU cannot translate: "
			  "report a kernel bug";
	uint64_t last = 0;
	char why[512], why2[512];
	int ret;

	if (!r)
		return;
	for (int i = 0; i < s->info.nr_ranges; i++)
		if (s->info.ranges[i].last > last)
			last = s->info.ranges[i].last;
	if (last >= UINT64_MAX - 2 * VFY_PAGE) {
		vfy_skip(r, "the usable IOVA ranges reach the top of the 64-bit "
			 "space: there is no IOVA above them to try");
		return;
	}
	ret = try_map(s, vfy_inject("map-outside-usable") ? last + 1 - VFY_PAGE :
		      last + 1, VFY_PAGE, why, sizeof(why));
	if (ret == 0) {
		vfy_fail(r, exp, fix, "mapping IOVA 0x%" PRIx64 ", just above the "
			 "usable range ending at 0x%" PRIx64 ", was ACCEPTED",
			 last + 1, last);
		return;
	}
	/* straddling the end: one page in, one page out */
	ret = ret < 0 ? ret : try_map(s, last + 1 - VFY_PAGE, 2 * VFY_PAGE, why2,
				      sizeof(why2));
	if (ret == 0) {
		vfy_fail(r, exp, fix, "a 2-page mapping at 0x%" PRIx64 " crossing "
			 "the end of the usable range (0x%" PRIx64 ") was ACCEPTED",
			 last + 1 - VFY_PAGE, last);
		return;
	}
	if (ret < 0) {
		vfy_fail(r, exp, NULL, "no memory to try: %s", pt_last_error());
		return;
	}
	/* nothing of the refused straddling mapping may remain */
	ret = try_map(s, last + 1 - VFY_PAGE, VFY_PAGE, why, sizeof(why));
	if (ret != 0) {
		vfy_fail(r, exp, fix, "after refusing the straddling mapping the "
			 "last usable page 0x%" PRIx64 " could not be mapped: %s",
			 last + 1 - VFY_PAGE, ret > 0 ? why : strerror(-ret));
		return;
	}
	vfy_pass(r, "usable IOVAs end at 0x%" PRIx64 "; a page at 0x%" PRIx64
		 " was refused (%s); a 2-page mapping straddling the end was "
		 "refused (%s) and left the last usable page free to map",
		 last, last + 1, why, why2);
}

void vfy_map_refusals(struct vfy_dma *s)
{
	reserved_region(s);
	outside_range(s);
}
