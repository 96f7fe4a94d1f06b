/* SPDX-License-Identifier: MIT */
/*
 * vfio-priv.h — internals of vfio/: the device structure.  A device
 * reaches its address space (iommu/) only through what iommu-priv.h offers
 * the layer above it: attach/detach by BDF and group, group ownership and
 * the hot-reset proof.
 */
#ifndef PASSTHRU_VFIO_PRIV_H
#define PASSTHRU_VFIO_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/vfio.h>

#include "lib/passthru.h"
#include "iommu/iommu-priv.h"
#include "vfio/passthru-vfio.h"

#define PT_VFIO_IRQ_TYPES 5

/*
 * One region's info, asked of the kernel once and kept until the device is
 * closed (its answer does not change, and a VMM reads config space on
 * every exit): r is the library's whole struct, r.sparse points at areas.
 */
struct pt_vfio_region_slot {
	struct pt_vfio_region r;
	struct pt_vfio_area *areas;
	bool valid;
};

struct pt_vfio_device {
	char bdf[PT_BDF_LEN];
	int group;
	int fd;
	uint32_t devid;			/* iommufd */
	struct pt_iommu *io;
	struct vfio_device_info info;
	uint16_t vendor, device;
	uint32_t class_rev;		/* config dword 0x08: class code << 8 | revision */
	struct pt_vfio_region_slot *regions;	/* info.num_regions, or NULL
						 * before the first is asked */
	int *irq_fds[PT_VFIO_IRQ_TYPES];	/* known trigger fds per index */
	uint32_t irq_nr[PT_VFIO_IRQ_TYPES];	/* enabled vectors */
};

/*
 * Parses a VFIO_DEVICE_GET_REGION_INFO answer (buf holds struct
 * vfio_region_info + caps, len bytes as returned by the kernel; argsz may
 * claim more) into r, the library's whole struct.  Every header is
 * bounds-checked, offsets must increase strictly (a looping chain is
 * rejected), sparse areas must lie inside the region.  The sparse areas,
 * any number of them, go to *areas (allocated; NULL when there are none),
 * which r->sparse points at: the caller frees it.  -EBADMSG on a malformed
 * chain (nothing allocated then).  Pure: the unit tests and the fuzz target
 * feed it crafted buffers.
 */
int pt_vfio_parse_region_info(const void *buf, size_t len,
			      struct pt_vfio_region *r,
			      struct pt_vfio_area **areas);
/* Frees the region info kept by d (pt_vfio_device_close). */
void pt_vfio_regions_free(struct pt_vfio_device *d);

#endif
