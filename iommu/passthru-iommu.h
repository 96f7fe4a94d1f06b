/* SPDX-License-Identifier: MIT */
/*
 * passthru-iommu.h — DMA mapping through the IOMMU (libpassthru, iommu/).
 *
 * A struct pt_iommu is one I/O address space shared by one or more devices:
 * a VFIO type1 container (/dev/vfio/vfio) or an iommufd IOAS (/dev/iommu).
 * The backend is chosen when it is opened and hidden behind an ops table
 * (iommu/type1.c, iommu/iommufd.c).  Devices are attached by
 * pt_vfio_device_open() (vfio/passthru-vfio.h); the usable IOVA ranges are
 * only known once at least one device is attached.
 *
 * Typical use (IOVA = guest physical address for a VMM):
 *	struct pt_iommu *io;
 *	struct pt_vfio_device *dev;
 *	struct pt_mem *ram;
 *	pt_iommu_open(&io, PT_IOMMU_AUTO);
 *	pt_vfio_device_open(&dev, io, "0000:00:04.0");
 *	pt_mem_alloc(&ram, 256 << 20, PT_MEM_HUGE_2M);
 *	pt_iommu_map_dma(io, ram->addr, ram->size, 0, PT_DMA_RW);
 *	...
 *	pt_vfio_device_close(dev);
 *	pt_iommu_close(io);		// unmaps everything
 *	pt_mem_free(ram);
 *
 * All functions return 0 or -errno and leave a sentence in pt_last_error()
 * (lib/passthru.h) naming the step, the errno text and the fix.
 *
 * How the structs grow (lib/ABI.md): the allocator and the address space
 * are opaque; struct pt_mem is the library's (reached through a pointer);
 * struct pt_iommu_info and struct pt_memlock carry their size first
 * (PT_IOMMU_INFO_INIT, PT_MEMLOCK_INIT) and are written only as far as
 * it reaches; struct pt_iova_range and struct pt_guest_ram_slot are array
 * elements and frozen.
 */
#ifndef PASSTHRU_IOMMU_H
#define PASSTHRU_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum pt_iommu_backend {
	PT_IOMMU_AUTO = 0,	/* $PASSTHRU_IOMMU, else iommufd when the
				 * kernel offers /dev/iommu, else type1 */
	PT_IOMMU_TYPE1,		/* legacy VFIO container + groups */
	PT_IOMMU_IOMMUFD,	/* /dev/iommu IOAS + VFIO device cdev */
};

/* "type1" / "iommufd" / "auto"; -EINVAL with a message otherwise. */
int pt_iommu_backend_parse(const char *s, enum pt_iommu_backend *out);
const char *pt_iommu_backend_name(enum pt_iommu_backend b);
/* The backend PT_IOMMU_AUTO resolves to on this machine right now
 * ($PASSTHRU_IOMMU, then /dev/iommu, then type1); -EINVAL on a bad
 * $PASSTHRU_IOMMU. */
int pt_iommu_backend_resolve(enum pt_iommu_backend want,
			     enum pt_iommu_backend *out);

/* ---- IOVA ranges and the allocator (iommu/iova.c, pure, unit-tested) ---- */
struct pt_iova_range {
	uint64_t start;
	uint64_t last;		/* inclusive, so [0, UINT64_MAX] is expressible */
};

/*
 * A free list of IOVA ranges, opaque (its storage grows with the holes).
 * pt_iova_new() starts from the kernel's usable ranges, pt_iova_reserve()
 * carves out reserved regions (the MSI window) and existing fixed mappings,
 * pt_iova_limit() applies a device's DMA address width.  Allocation is
 * first fit from the lowest address.  These functions return bare -errno
 * (no message): the callers know what the IOVAs were for.
 */
struct pt_iova_allocator;
/* -EINVAL on a range that ends before it starts, -ENOMEM; *out NULL then. */
int pt_iova_new(struct pt_iova_allocator **out,
		const struct pt_iova_range *usable, int nr);
/* Frees a (NULL: nothing). */
void pt_iova_destroy(struct pt_iova_allocator *a);
/* The free list: *out points at the ranges (ascending, disjoint,
 * non-adjacent; valid until the next call that changes a), the count is
 * returned. */
int pt_iova_free_ranges(const struct pt_iova_allocator *a,
			const struct pt_iova_range **out);
/* Removes [start, last] from the free list (ok when not free). */
int pt_iova_reserve(struct pt_iova_allocator *a, uint64_t start,
		    uint64_t last);
/* Keeps only IOVAs below 2^bits (bits 1..64). */
int pt_iova_limit(struct pt_iova_allocator *a, unsigned int bits);
/* size > 0, align a power of two (0 = 4 KiB).  -ENOSPC when no free
 * range holds it, -EINVAL on bad arguments. */
int pt_iova_alloc(struct pt_iova_allocator *a, uint64_t size, uint64_t align,
		  uint64_t *iova);
/* Gives [iova, iova+size-1] back (merging neighbours).  -EINVAL when any
 * part of it is already free (double free). */
int pt_iova_free(struct pt_iova_allocator *a, uint64_t iova, uint64_t size);
/* Bytes still free. */
uint64_t pt_iova_free_bytes(const struct pt_iova_allocator *a);

/* ---- the address space ---- */
struct pt_iommu;

int pt_iommu_open(struct pt_iommu **out, enum pt_iommu_backend want);
/* Unmaps every mapping, detaches nothing (close devices first). */
void pt_iommu_close(struct pt_iommu *io);
enum pt_iommu_backend pt_iommu_get_backend(const struct pt_iommu *io);
/* The container fd (type1) or the iommufd (iommufd). */
int pt_iommu_fd(const struct pt_iommu *io);

/*
 * What the address space is (pt_iommu_get_info()).  Size first (lib/ABI.md
 * rule 3): start from PT_IOMMU_INFO_INIT; the library writes as far as
 * .size reaches, zeroes what a newer caller's struct has beyond its own,
 * and refuses a struct without its size (-EINVAL).
 */
struct pt_iommu_info {
	size_t size;			/* PT_IOMMU_INFO_INIT */
	enum pt_iommu_backend backend;
	bool type1v2;			/* type1: VFIO_TYPE1v2_IOMMU in use */
	uint32_t ioas_id;		/* iommufd: the IOAS */
	uint64_t pgsizes;		/* bitmap of IOMMU page sizes */
	/* The usable IOVA ranges, all of them (no cap), ascending as the
	 * kernel reports them.  The storage is the struct pt_iommu's: valid
	 * until the next pt_iommu_get_info() or pt_iommu_close() on it. */
	const struct pt_iova_range *ranges;
	int nr_ranges;
	bool dma_avail_known;		/* type1: mapping-count limit reported */
	uint32_t dma_avail;		/* mappings still available */
	int nr_devices;			/* devices attached */
	int nr_mappings;		/* mappings made through this handle */
	uint64_t mapped_bytes;
	/* new fields only here, at the end (lib/ABI.md rule 3) */
};
#define PT_IOMMU_INFO_INIT { .size = sizeof(struct pt_iommu_info) }
/* Queries the kernel (needs an attached device for type1).  On failure the
 * counts are still written, with no ranges, and the ranges of an earlier
 * call stay valid. */
int pt_iommu_get_info(struct pt_iommu *io, struct pt_iommu_info *info);

/* Device side of a mapping: what the device may do with the memory. */
#define PT_DMA_READ	(1u << 0)	/* device reads memory (TX) */
#define PT_DMA_WRITE	(1u << 1)	/* device writes memory (RX) */
#define PT_DMA_RW	(PT_DMA_READ | PT_DMA_WRITE)

/*
 * Maps [vaddr, vaddr+len) at iova.  vaddr, len and iova must be aligned to
 * the smallest IOMMU page size.  Pins the pages: over RLIMIT_MEMLOCK the
 * error says how much is locked, how much is needed and how to raise it.
 * An IOVA outside the usable ranges fails with -EINVAL/-ERANGE and a
 * message naming the ranges; nothing is left mapped.
 */
int pt_iommu_map_dma(struct pt_iommu *io, void *vaddr, size_t len,
		     uint64_t iova, unsigned int dma_flags);
/* Allocates the IOVA (honouring usable ranges, reserved regions and the
 * DMA width set below), then maps. */
int pt_iommu_map_dma_alloc(struct pt_iommu *io, void *vaddr, size_t len,
			   unsigned int dma_flags, uint64_t *iova);
/* Unmaps exactly a range mapped before (-ENOENT when it was not). */
int pt_iommu_unmap_dma(struct pt_iommu *io, uint64_t iova, size_t len);
/* Lowest DMA width among the devices that will use allocated IOVAs
 * (e.g. 28 for QEMU's edu); default 64. */
int pt_iommu_set_dma_bits(struct pt_iommu *io, unsigned int bits);

/*
 * A VMM's guest RAM: host memory at guest physical addresses.  Callers pass
 * arrays of these, so the layout is frozen (like struct pt_bar in
 * lib/passthru.h, lib/ABI.md): a new slot property would come as a new
 * function, never as a field.
 */
struct pt_guest_ram_slot {
	void *host;
	uint64_t gpa;		/* mapped at IOVA = GPA */
	size_t size;
	bool read_only;		/* e.g. ROM: the device may only read it */
};
/* Maps every slot (IOVA = GPA); on failure unmaps what it mapped. */
int pt_iommu_map_guest_ram(struct pt_iommu *io,
			   const struct pt_guest_ram_slot *slots, int nr);
int pt_iommu_unmap_guest_ram(struct pt_iommu *io,
			     const struct pt_guest_ram_slot *slots, int nr);

/* ---- memory sources (iommu/mem.c) ---- */
enum pt_mem_kind {
	PT_MEM_ANON,		/* private anonymous, 4 KiB pages */
	PT_MEM_MEMFD,		/* shared memfd (a VMM can hand the fd on) */
	PT_MEM_HUGE_2M,		/* memfd MFD_HUGETLB|MFD_HUGE_2MB */
	PT_MEM_HUGE_1G,		/* memfd MFD_HUGETLB|MFD_HUGE_1GB */
};
/*
 * DMA memory: the library's (lib/ABI.md rule 1).  pt_mem_alloc() allocates
 * the struct with the memory and pt_mem_free() frees both; callers never
 * allocate, copy or embed a struct pt_mem, they hold the pointer and read
 * its fields.  Fields are only appended.
 */
struct pt_mem {
	void *addr;
	size_t size;		/* the memory's length, rounded up to page_size */
	size_t page_size;
	enum pt_mem_kind kind;
	int fd;			/* memfd, -1 for anonymous */
	/* new fields only here, at the end (lib/ABI.md rule 1) */
};
/* "anon", "memfd", "2M", "1G" (also "2MiB", "1GiB", "hugetlb-2M"). */
int pt_mem_kind_parse(const char *s, enum pt_mem_kind *out);
const char *pt_mem_kind_name(enum pt_mem_kind k);
/* Allocates size bytes into a new *out (NULL on failure) and touches
 * nothing; hugetlb failures say how many huge pages are free and how to
 * reserve more. */
int pt_mem_alloc(struct pt_mem **out, size_t size, enum pt_mem_kind kind);
/* Unmaps and frees m (NULL: nothing). */
void pt_mem_free(struct pt_mem *m);

/* ---- RLIMIT_MEMLOCK ---- */
/* Size first (lib/ABI.md rule 3): start from PT_MEMLOCK_INIT. */
struct pt_memlock {
	size_t size;		/* PT_MEMLOCK_INIT */
	uint64_t limit;		/* soft RLIMIT_MEMLOCK, UINT64_MAX unlimited */
	uint64_t locked;	/* already locked/pinned by this process */
	uint64_t need;		/* additional bytes the next pin needs */
	bool cap_ipc_lock;	/* CAP_IPC_LOCK in effect: no limit applies */
	/* new fields only here, at the end (lib/ABI.md rule 3) */
};
#define PT_MEMLOCK_INIT { .size = sizeof(struct pt_memlock) }
/* Reads the limit, VmLck and CAP_IPC_LOCK of this process into m, as far
 * as m->size reaches (-EINVAL without a size). */
int pt_memlock_read(struct pt_memlock *m);
/* Would pinning m->need more bytes stay within the limit?  Fails closed:
 * false for a struct without its size (or with fields this library does
 * not know set), the reason in pt_last_error(). */
bool pt_memlock_fits(const struct pt_memlock *m);
/* "RLIMIT_MEMLOCK is 64 KiB, 0 B are locked and 1.0 GiB more are needed
 * (1.0 GiB in all); raise it with `ulimit -l 1048576` ..." into buf; for a
 * struct without its size, a sentence saying so. */
const char *pt_memlock_explain(const struct pt_memlock *m, char *buf,
			       size_t n);

#ifdef __cplusplus
}
#endif
#endif
