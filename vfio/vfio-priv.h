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

struct pt_vfio_device {
	char bdf[PT_BDF_LEN];
	int group;
	int fd;
	uint32_t devid;			/* iommufd */
	struct pt_iommu *io;
	struct vfio_device_info info;
	uint16_t vendor, device;
	uint32_t class_rev;		/* config dword 0x08: class code << 8 | revision */
	/* region info of BARs/ROM/config, read once (a VMM reads config
	 * space on every exit; the kernel's answer does not change) */
	struct pt_vfio_region regions[VFIO_PCI_NUM_REGIONS];
	bool region_valid[VFIO_PCI_NUM_REGIONS];
	int *irq_fds[PT_VFIO_IRQ_TYPES];	/* known trigger fds per index */
	uint32_t irq_nr[PT_VFIO_IRQ_TYPES];	/* enabled vectors */
};

#endif
