/* SPDX-License-Identifier: MIT */
/*
 * iommu-priv.h — internals shared by iommu/ and vfio/: the backend ops
 * table (one file per backend, like libvfn's iommu_ctx_ops) and the
 * address-space and device structures.
 */
#ifndef PASSTHRU_IOMMU_PRIV_H
#define PASSTHRU_IOMMU_PRIV_H

#include <linux/vfio.h>

#include "iommu/passthru-iommu.h"
#include "vfio/passthru-vfio.h"

struct pt_iommu_group {
	int id;
	int fd;
	int refs;
};

struct pt_iommu_mapping {
	uint64_t iova;
	uint64_t len;
	void *vaddr;
	unsigned int flags;
};

struct pt_iommu_ops {
	const char *name;
	/* Opens the container / iommufd + IOAS: sets io->fd. */
	int (*open)(struct pt_iommu *io);
	void (*close)(struct pt_iommu *io);
	/* Attaches d (bdf, group set) and sets d->fd (and d->devid). */
	int (*attach)(struct pt_iommu *io, struct pt_vfio_device *d);
	void (*detach)(struct pt_iommu *io, struct pt_vfio_device *d);
	/* Raw kernel calls: no bookkeeping, -errno without message. */
	int (*map)(struct pt_iommu *io, void *vaddr, uint64_t len,
		   uint64_t iova, unsigned int flags);
	int (*unmap)(struct pt_iommu *io, uint64_t iova, uint64_t len);
	int (*get_info)(struct pt_iommu *io, struct pt_iommu_info *info);
	/* VFIO_DEVICE_PCI_HOT_RESET with this backend's proof of ownership. */
	int (*hot_reset)(struct pt_iommu *io, struct pt_vfio_device *d);
};

extern const struct pt_iommu_ops pt_iommu_type1_ops;
extern const struct pt_iommu_ops pt_iommu_iommufd_ops;

struct pt_iommu {
	const struct pt_iommu_ops *ops;
	enum pt_iommu_backend backend;
	int fd;				/* container or iommufd */
	uint32_t ioas_id;		/* iommufd */
	int type1_type;			/* VFIO_TYPE1v2_IOMMU / TYPE1 / 0 */
	struct pt_iommu_group *groups;	/* type1: groups in the container */
	int nr_groups;
	struct pt_iommu_mapping *maps;
	int nr_maps, cap_maps;
	struct pt_iova_range *resv;	/* reserved regions of attached groups */
	int nr_resv;
	unsigned int dma_bits;
	int nr_devices;
	uint64_t pinned;		/* bytes mapped (pinned) through io */
};

#define PT_VFIO_IRQ_TYPES 5

struct pt_vfio_device {
	char bdf[16];
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

/* "%s: " BDF prefix helpers and shared utilities (iommu/iommu.c). */
int pt_iommu_read_reserved(struct pt_iommu *io, int group);
int pt_sysfs_read_str(const char *path, char *buf, size_t n);

#endif
