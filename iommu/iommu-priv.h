/* SPDX-License-Identifier: MIT */
/*
 * iommu-priv.h — internals of iommu/: the address-space structure and the
 * backend ops table (one file per backend, like libvfn's iommu_ctx_ops),
 * and what iommu/ offers the layer above it (vfio/): attaching a device by
 * what it is to the IOMMU (a PCI function in a group), the hot-reset proof
 * of ownership, and the walker for VFIO capability chains.  The IOMMU
 * knows nothing of vfio/'s device structure.
 */
#ifndef PASSTHRU_IOMMU_PRIV_H
#define PASSTHRU_IOMMU_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/passthru-iommu.h"

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

/*
 * What the kernel says about an address space: the kernel's half of struct
 * pt_iommu_info, with the usable ranges in an allocation of their own
 * (any number of them), freed by pt_iommu_kinfo_release().  The backends
 * fill it; pt_iommu_get_info() hands the ranges to the struct pt_iommu,
 * the allocator and the error messages use them and let go.
 */
struct pt_iommu_kinfo {
	bool type1v2;
	uint32_t ioas_id;
	uint64_t pgsizes;
	struct pt_iova_range *ranges;	/* malloc'd, NULL when nr_ranges is 0 */
	int nr_ranges;
	bool dma_avail_known;
	uint32_t dma_avail;
};
void pt_iommu_kinfo_release(struct pt_iommu_kinfo *k);

struct pt_iommu_ops {
	const char *name;
	/* Opens the container / iommufd + IOAS: sets io->fd. */
	int (*open)(struct pt_iommu *io);
	void (*close)(struct pt_iommu *io);
	/* Attaches PCI function bdf (bound to vfio-pci) of IOMMU group
	 * `group`: its VFIO device fd into *fd, its iommufd device id into
	 * *devid (0 with type1). */
	int (*attach)(struct pt_iommu *io, const char *bdf, int group, int *fd,
		      uint32_t *devid);
	void (*detach)(struct pt_iommu *io, int group, int fd);
	/* Raw kernel calls: no bookkeeping, -errno without message. */
	int (*map)(struct pt_iommu *io, void *vaddr, uint64_t len,
		   uint64_t iova, unsigned int flags);
	int (*unmap)(struct pt_iommu *io, uint64_t iova, uint64_t len);
	/* What the kernel says (k zeroed by the caller; on failure it
	 * holds no ranges). */
	int (*get_info)(struct pt_iommu *io, struct pt_iommu_kinfo *k);
	/* Does this address space hold IOMMU group `group` (type1: the group
	 * is in the container)?  iommufd proves ownership per device, and the
	 * kernel answers that itself (VFIO_PCI_HOT_RESET_FLAG_DEV_ID). */
	bool (*owns_group)(struct pt_iommu *io, int group);
	/* VFIO_DEVICE_PCI_HOT_RESET on device fd with this backend's proof of
	 * ownership. */
	int (*hot_reset)(struct pt_iommu *io, int fd);
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
	/* the ranges the last pt_iommu_get_info() handed out (its
	 * struct pt_iommu_info points here) */
	struct pt_iova_range *info_ranges;
	unsigned int dma_bits;
	int nr_devices;
	uint64_t pinned;		/* bytes mapped (pinned) through io */
};

/* ---- for vfio/ (iommu.c): the only ways it touches an address space ---- */
/* The backend's attach, counted as one device of io. */
int pt_iommu_attach_device(struct pt_iommu *io, const char *bdf, int group,
			   int *fd, uint32_t *devid);
void pt_iommu_detach_device(struct pt_iommu *io, int group, int fd);
bool pt_iommu_owns_group(struct pt_iommu *io, int group);
int pt_iommu_hot_reset(struct pt_iommu *io, int fd);

/* ---- shared by the backends (iommu.c) ---- */
/* Adds group's reserved regions (sysfs) to io->resv. */
int pt_iommu_read_reserved(struct pt_iommu *io, int group);

/*
 * Parses a VFIO_IOMMU_GET_INFO answer of the type1 backend (buf holds
 * struct vfio_iommu_type1_info + capabilities, len bytes as returned by the
 * kernel; argsz may claim more) into k (zeroed by the caller): page sizes,
 * every IOVA range, DMA mappings available.  Every capability header is
 * bounds-checked and the chain must move forward (a looping chain is
 * rejected): -EBADMSG on a malformed answer, -ENOMEM; k holds no ranges
 * then.  On success release k with pt_iommu_kinfo_release().  Internal
 * (type1.c), and fed crafted answers by the unit tests and the fuzz
 * target; programs get the same through pt_iommu_get_info().
 */
int pt_iommu_parse_type1_info(const void *buf, size_t len,
			      struct pt_iommu_kinfo *k);

/* ---- VFIO capability chains (cap-chain.c) ---- */
/* One capability of a VFIO_*_GET_INFO answer. */
struct pt_cap_ref {
	uint16_t id, version;
	const uint8_t *body;	/* just after the header */
	size_t body_len;	/* up to the next cap or the end */
};
typedef int (*pt_cap_fn)(const struct pt_cap_ref *c, void *priv);
/*
 * The fixed part of a VFIO_*_GET_INFO answer (every one starts with its
 * __u32 argsz): copies size bytes of buf into out, checks that argsz covers
 * them, and lowers *len to argsz when the buffer holds more than the kernel
 * filled.  -EBADMSG (message prefixed with what) otherwise.
 */
int pt_cap_info_head(const void *buf, size_t *len, void *out, size_t size,
		     const char *what);
/*
 * Walks the chain starting at offset first of buf (len bytes the kernel
 * filled; base_size: the info structure the chain follows) and calls fn
 * on each capability.  -EBADMSG (message prefixed with what) on a header
 * outside the buffer, a chain that does not move forward, or one longer
 * than 64; else what fn returned.
 */
int pt_cap_chain_walk(const uint8_t *buf, size_t len, size_t base_size,
		      uint32_t first, const char *what, pt_cap_fn fn,
		      void *priv);

#endif
