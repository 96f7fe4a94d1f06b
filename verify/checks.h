/* SPDX-License-Identifier: MIT */
/*
 * checks.h — the check battery of `passthru verify` (internal to verify/).
 * One file per group of checks: check-host.c (host and group state),
 * check-dma.c (DMA through the IOMMU with a device driver from drivers/).
 */
#ifndef PASSTHRU_VERIFY_CHECKS_H
#define PASSTHRU_VERIFY_CHECKS_H

#include "lib/passthru.h"
#include "verify/verify.h"

struct pt_dmat_opts;

/* What the host checks share: discovery and `passthru check`'s results. */
struct vfy_host {
	struct pt_ctx *ctx;
	const struct pt_system *sys;
	struct pt_checks *checks;	/* pt_host_check()'s, owned */
	/* the two results the host checks read, NULL when they did not run */
	const struct pt_check *iommu_enabled, *intremap;
	/* what the DMA checks tell the drivers (--scratch-lba), or NULL */
	const struct pt_dmat_opts *dmat_opts;
};

/* Scans the system and runs pt_host_check() once.  -errno with
 * pt_last_error() set. */
int vfy_host_init(struct vfy_host *h, struct pt_ctx *ctx);
void vfy_host_fini(struct vfy_host *h);
/* host.* checks of one device (never skipped: they need no driver). */
void vfy_check_host(struct vfy_report *rep, struct vfy_host *h,
		    const struct pt_device *d);

/* Every check name of the DMA battery, in order, so that a device that
 * cannot run them still lists each one as skipped with the reason. */
extern const char *const vfy_dma_checks[];
/*
 * dma.*, map.*, irq.*, reset.* checks of one device through one backend
 * ("type1" or "iommufd").  Without a driver for the device, or without the
 * device on vfio-pci, every check is recorded as skipped with the reason.
 */
void vfy_check_dma(struct vfy_report *rep, struct vfy_host *h,
		   const struct pt_device *d, const char *backend);
/* Records every DMA check of d/backend as skipped for `reason`. */
void vfy_skip_dma(struct vfy_report *rep, const struct pt_device *d,
		  const char *backend, const char *reason);

#endif
