// SPDX-License-Identifier: MIT
/*
 * check-dma.c — the DMA checks of `passthru verify`, run through one IOMMU
 * backend with the device's DMA-test driver (drivers/).
 *
 * Placeholder until the VFIO core (vfio/, iommu/) is implemented: every
 * DMA check is reported as skipped with that reason, never as passed.
 */
#include "verify/checks.h"

const char *const vfy_dma_checks[] = {
	"dma.open",
	"dma.mapped-low",
	"dma.mapped-high",
	"dma.mapped-page-boundary",
	"dma.mapped-hugepage-boundary",
	"dma.unmapped-never-mapped",
	"dma.unmapped-after-unmap",
	"dma.read-only",
	"map.reserved-region",
	"map.outside-usable-range",
	"irq.msi",
	"reset.dma-stopped",
	NULL,
};

void vfy_skip_dma(struct vfy_report *rep, const struct pt_device *d,
		  const char *backend, const char *reason)
{
	for (int i = 0; vfy_dma_checks[i]; i++)
		vfy_skip(vfy_begin(rep, d->bdf, backend, vfy_dma_checks[i]),
			 "%s", reason);
}

void vfy_check_dma(struct vfy_report *rep, struct vfy_host *h,
		   const struct pt_device *d, const char *backend)
{
	vfy_skip_dma(rep, d, backend, "this build has no VFIO core (vfio/, "
		     "iommu/), so no DMA could be tried: isolation NOT proven");
	vfy_note(rep, "%s: DMA checks through %s were skipped (no VFIO core in "
		 "this build): isolation NOT proven", d->bdf, backend);
}
