/* SPDX-License-Identifier: MIT */
/*
 * passthru-vfio.h — device access through VFIO (libpassthru, vfio/).
 *
 * A struct pt_vfio_device is one PCI function bound to vfio-pci and attached
 * to a struct pt_iommu (iommu/passthru-iommu.h): with type1 through its
 * group (/dev/vfio/N, VFIO_GROUP_GET_DEVICE_FD), with iommufd through its
 * cdev (/dev/vfio/devices/vfioN, BIND_IOMMUFD + ATTACH_IOMMUFD_PT).
 * Binding the device to vfio-pci is `passthru assign`'s job (lib/bind.c);
 * open only checks that the whole IOMMU group is viable and names every
 * member that is not.
 *
 *	pt_vfio_device_open(&dev, io, "0000:00:04.0");
 *	pt_vfio_region_mmap(dev, 0, &bar0);		// sparse areas honoured
 *	pt_vfio_config_read(dev, 0, &id, 4);
 *	efd = eventfd(0, EFD_CLOEXEC);
 *	pt_vfio_irq_enable(dev, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &efd);
 *	pt_vfio_region_munmap(bar0);
 *
 * Messages are prefixed with the device's BDF.
 *
 * How the structs grow (lib/ABI.md): the info structs a program passes in
 * (device, region and irq info) start with their size — start from their
 * _INIT macro — and the library writes only as much as that size says; a
 * mapped BAR and a hot-reset list are the library's, reached through
 * pointers, never allocated, copied or embedded by a program.
 */
#ifndef PASSTHRU_VFIO_H
#define PASSTHRU_VFIO_H

#if defined(__has_include)
# if __has_include("iommu/passthru-iommu.h")
#  include "lib/passthru.h"
#  include "iommu/passthru-iommu.h"
# else
#  include "passthru.h"
#  include "passthru-iommu.h"
# endif
#else
# include "passthru.h"
# include "passthru-iommu.h"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>	/* VFIO_PCI_*_REGION_INDEX, VFIO_PCI_*_IRQ_INDEX */

#ifdef __cplusplus
extern "C" {
#endif

struct pt_vfio_device;

/*
 * Opens the device (full BDF "0000:00:04.0" or "00:04.0") and attaches it to
 * io.  Steps: viability of the IOMMU group (every member on vfio-pci, a
 * vfio variant, pci-stub, or a bridge on pcieport — else -EBUSY naming each
 * offender and its driver), then the backend's attach, then
 * VFIO_DEVICE_GET_INFO.  Several devices (and groups) may share one io.
 */
int pt_vfio_device_open(struct pt_vfio_device **out, struct pt_iommu *io,
			const char *bdf);
void pt_vfio_device_close(struct pt_vfio_device *d);
const char *pt_vfio_device_bdf(const struct pt_vfio_device *d);
int pt_vfio_device_fd(const struct pt_vfio_device *d);
int pt_vfio_device_group(const struct pt_vfio_device *d);	/* IOMMU group */
struct pt_iommu *pt_vfio_device_iommu(const struct pt_vfio_device *d);

/* Group viability from sysfs without opening anything (bdf full or short):
 * pt_group_check_viable() of lib/passthru.h on this machine — 0 when
 * viable, -EBUSY with "IOMMU group N is not viable: BDF is bound to DRV;
 * ..." and the fix, -ENODEV when the device has no IOMMU group. */
int pt_vfio_group_check_viable(const char *bdf, int *group);

struct pt_vfio_device_info {
	size_t size;		/* PT_VFIO_DEVICE_INFO_INIT: its size */
	uint32_t flags;		/* VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions;
	uint32_t num_irqs;
	bool pci;
	bool reset;		/* VFIO_DEVICE_RESET is supported */
	uint16_t vendor, device;	/* from config space */
	uint32_t class_code;		/* 24 bits, from config space */
	/* new fields only here, at the end (lib/ABI.md rule 3) */
};
#define PT_VFIO_DEVICE_INFO_INIT { .size = sizeof(struct pt_vfio_device_info) }
/* Into *info (its .size set: PT_VFIO_DEVICE_INFO_INIT), as far as that
 * size reaches; -EINVAL naming the macro when .size is missing. */
int pt_vfio_device_get_info(struct pt_vfio_device *d,
			    struct pt_vfio_device_info *info);

/* Sets (or clears) Memory Space and Bus Master Enable in the COMMAND
 * register: a device does no DMA (and QEMU's models drop it) without BME. */
int pt_vfio_set_bus_master(struct pt_vfio_device *d, bool on);

/* ---- regions (vfio/region.c, capabilities vfio/caps.c) ---- */
/* An mmappable part of a region (a sparse-mmap area, a mapped BAR area).
 * An array element, so frozen: a new property would come as a function. */
struct pt_vfio_area {
	uint64_t offset;	/* within the region */
	uint64_t size;
};

struct pt_vfio_region {
	size_t size;		/* PT_VFIO_REGION_INIT: the struct's size */
	uint32_t index;		/* VFIO_PCI_BAR0_REGION_INDEX ... CONFIG */
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
	uint64_t region_size;	/* bytes in the region */
	uint64_t offset;	/* offset of the region in the device fd */
	bool readable, writable, mmappable;
	bool has_sparse;	/* only the areas below may be mmapped */
	int nr_sparse;
	/* nr_sparse areas (any number), the library's: kept by the device
	 * until pt_vfio_device_close() */
	const struct pt_vfio_area *sparse;
	bool msix_mappable;	/* the MSI-X table may be mmapped too */
	bool has_type;
	uint32_t type, subtype;	/* VFIO_REGION_INFO_CAP_TYPE */
	/* new fields only here, at the end (lib/ABI.md rule 3) */
};
#define PT_VFIO_REGION_INIT { .size = sizeof(struct pt_vfio_region) }
/* VFIO_DEVICE_GET_REGION_INFO with its capability chain (every header
 * bounds-checked, sparse areas inside the region; asked once per region,
 * the kernel's answer does not change) into *r (its .size set:
 * PT_VFIO_REGION_INIT), as far as that size reaches; -EINVAL naming the
 * macro when .size is missing, -EBADMSG on a malformed chain. */
int pt_vfio_region_get_info(struct pt_vfio_device *d, uint32_t index,
			    struct pt_vfio_region *r);

/* pread/pwrite on the region (any length; short transfers are retried). */
int pt_vfio_region_read(struct pt_vfio_device *d, uint32_t index,
			uint64_t off, void *buf, size_t len);
int pt_vfio_region_write(struct pt_vfio_device *d, uint32_t index,
			 uint64_t off, const void *buf, size_t len);

/* PCI config space (the kernel's virtualised view). */
int pt_vfio_config_read(struct pt_vfio_device *d, uint64_t off, void *buf,
			size_t len);
int pt_vfio_config_write(struct pt_vfio_device *d, uint64_t off,
			 const void *buf, size_t len);

/*
 * A BAR mapped into this process, the library's: pt_vfio_region_mmap()
 * allocates it, pt_vfio_region_munmap() unmaps and frees it (before the
 * device is closed).  Callers only read it through the pointer: they never
 * allocate, copy or embed one, so it can grow at its end (lib/ABI.md rule
 * 1).  The whole region is reserved as one PROT_NONE range at base; the
 * mmappable areas (the whole region, or the sparse areas) are mapped over
 * it.  Touching an unmapped part faults, so use pt_vfio_bar_read/write,
 * which fall back to pread/pwrite there.
 */
struct pt_vfio_bar {
	uint32_t index;		/* the region */
	uint8_t *base;		/* the reserved range, never NULL */
	uint64_t size;		/* the region's size */
	int nr_areas;		/* mapped areas, offsets from base */
	const struct pt_vfio_area *areas;	/* nr_areas of them (any number) */
	/* new fields only here, at the end (lib/ABI.md rule 1) */
};
/* Maps region index into *out.  -EINVAL for a region that is not
 * mmappable (use pt_vfio_region_read/write). */
int pt_vfio_region_mmap(struct pt_vfio_device *d, uint32_t index,
			struct pt_vfio_bar **out);
void pt_vfio_region_munmap(struct pt_vfio_bar *bar);	/* NULL: nothing */
bool pt_vfio_bar_is_mapped(const struct pt_vfio_bar *bar, uint64_t off,
			   uint64_t len);
/* 1, 2, 4 or 8 byte accesses; mmap when covered, else pread/pwrite. */
int pt_vfio_bar_read(struct pt_vfio_bar *bar, uint64_t off, void *val,
		     size_t width);
int pt_vfio_bar_write(struct pt_vfio_bar *bar, uint64_t off,
		      const void *val, size_t width);

/* ---- interrupts (vfio/irq.c) ---- */
struct pt_vfio_irq_info {
	size_t size;		/* PT_VFIO_IRQ_INFO_INIT: its size */
	uint32_t index;		/* VFIO_PCI_INTX/MSI/MSIX/ERR/REQ_IRQ_INDEX */
	uint32_t flags;		/* VFIO_IRQ_INFO_* */
	uint32_t count;		/* vectors */
	bool eventfd, maskable, automasked, noresize;
	/* new fields only here, at the end (lib/ABI.md rule 3) */
};
#define PT_VFIO_IRQ_INFO_INIT { .size = sizeof(struct pt_vfio_irq_info) }
/* VFIO_DEVICE_GET_IRQ_INFO into *info (its .size set:
 * PT_VFIO_IRQ_INFO_INIT), as far as that size reaches; -EINVAL naming the
 * macro when .size is missing. */
int pt_vfio_irq_get_info(struct pt_vfio_device *d, uint32_t index,
			 struct pt_vfio_irq_info *info);
/*
 * Sets the trigger eventfds of vectors [start, start+count) of index and
 * enables the interrupt type (fd -1 leaves that vector without a trigger).
 * Enabling MSI/MSI-X with count vectors is done in one call.
 */
int pt_vfio_irq_enable(struct pt_vfio_device *d, uint32_t index,
		       uint32_t start, uint32_t count, const int *fds);
/* One vector on or off (fd -1 = off) while the type stays enabled.  When
 * the kernel cannot grow an enabled MSI-X block (before Linux 6.5) the
 * block is re-enabled with every known vector. */
int pt_vfio_irq_set_vector(struct pt_vfio_device *d, uint32_t index,
			   uint32_t vector, int fd);
/* Disables every vector of index. */
int pt_vfio_irq_disable(struct pt_vfio_device *d, uint32_t index);
/* INTx: unmask after handling (automasked), or hand an eventfd that unmasks
 * when signalled (a KVM irqfd resamplefd); fd -1 removes it. */
int pt_vfio_irq_unmask(struct pt_vfio_device *d, uint32_t index,
		       uint32_t vector);
int pt_vfio_irq_set_unmask_fd(struct pt_vfio_device *d, uint32_t index,
			      int fd);
/* Waits up to timeout_ms for the eventfd; returns the count read (> 0),
 * 0 on timeout, -errno on error. */
int pt_eventfd_wait(int fd, int timeout_ms, uint64_t *count);

/* ---- reset (vfio/reset.c) ---- */
/* VFIO_DEVICE_RESET; -ENOTTY "does not support reset" when the device
 * reports no reset method. */
int pt_vfio_device_reset(struct pt_vfio_device *d);

/* One device a hot reset also resets; the library's, reached through the
 * list pt_vfio_hot_reset_info() hands out (fields only appended). */
struct pt_vfio_reset_dep {
	const char *bdf;	/* "0000:00:04.0" */
	int group;		/* IOMMU group, -1 when unknown (iommufd) */
	uint32_t devid;		/* iommufd device id, 0 with type1 */
	bool owned;		/* opened through the same pt_iommu */
	/* new fields only here, at the end (lib/ABI.md rule 1) */
};
/*
 * The devices a bus/slot hot reset of d also resets
 * (VFIO_DEVICE_GET_PCI_HOT_RESET_INFO), all of them: returns their number
 * and, when deps is not NULL, a NULL-ended array of that many in *deps,
 * freed with pt_vfio_reset_deps_free(); -errno.
 */
int pt_vfio_hot_reset_info(struct pt_vfio_device *d,
			   struct pt_vfio_reset_dep ***deps);
void pt_vfio_reset_deps_free(struct pt_vfio_reset_dep **deps);
/* VFIO_DEVICE_PCI_HOT_RESET with the groups (type1) or the iommufd
 * ownership (iommufd) of io.  -EPERM naming the affected devices that are
 * not owned through io.  Call pt_vfio_hot_reset_info() first and show the
 * list: every affected device is reset. */
int pt_vfio_hot_reset(struct pt_vfio_device *d);

#ifdef __cplusplus
}
#endif
#endif
