/* SPDX-License-Identifier: MIT */
/*
 * dma.h — the session the DMA checks of `passthru verify` share (internal
 * to verify/): one device opened through one IOMMU backend, its BARs
 * mapped, its DMA-test driver (drivers/) initialised, and a few buffers
 * mapped at IOVAs the checks choose.  Everything is torn down by
 * vfy_dma_close(); nothing stays mapped after verify.
 *
 * The device itself is opened by the VFIO core's DMA-test harness
 * (vfio/dmatest.h: BARs, bus mastering, interrupts on eventfds, the driver,
 * one 64 KiB buffer at the lowest IOVA the allocator gives); the checks add
 * their own mappings at fixed IOVAs from 16 MiB up.
 */
#ifndef PASSTHRU_VERIFY_DMA_H
#define PASSTHRU_VERIFY_DMA_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/driver.h"
#include "iommu/passthru-iommu.h"
#include "vfio/dmatest.h"
#include "vfio/passthru-vfio.h"
#include "verify/checks.h"

#define VFY_PAGE	((uint64_t)4096)
#define VFY_HUGE	((uint64_t)2 << 20)

/* Host memory, mapped or not, at an IOVA of our choosing. */
struct vfy_buf {
	struct pt_mem *mem;	/* what was allocated (NULL: nothing) */
	uint8_t *addr;		/* the mapped window inside it */
	uint64_t size;
	uint64_t page_size;	/* backing page size */
	uint64_t iova;
	bool allocated, mapped;
	bool contiguous;	/* the window is physically contiguous */
	uint8_t *window;	/* pages gathered by mremap (freed apart) */
};

struct vfy_dma {
	struct vfy_report *rep;
	struct vfy_host *host;
	const struct pt_device *d;
	const char *backend;
	struct pt_iommu *io;
	struct pt_dmat t;	/* device, driver, irqs, low buffer */
	bool t_open;
	const struct pt_driver *ops;
	struct pt_iommu_info info;	/* ranges valid until vfy_dma_close() */
	uint64_t dma_last;	/* highest IOVA the device can address */
	uint64_t len;		/* bytes per test copy */
	uint8_t *ref;		/* the far end of every copy (one page) */
	uint64_t ref_iova;
	bool broken;		/* the device stopped copying: later checks skip */
	char broken_why[768];
	struct vfy_result *cur;	/* the check running (recovery evidence) */
	char said[768];		/* vfy_drv_said()'s buffer */
	int recoveries;		/* device re-initialisations after failed copies */
};

/* Opens everything; on failure fills why (n bytes) and returns -errno. */
int vfy_dma_open(struct vfy_dma *s, char *why, size_t n);
void vfy_dma_close(struct vfy_dma *s);

/* Allocates size bytes (4 KiB pages, or 2 MiB hugetlb when huge and the
 * host has free huge pages: *huge is updated) and maps them at iova with
 * PT_DMA_* flags (0 = do not map).  -errno with pt_last_error() set. */
int vfy_buf_get(struct vfy_dma *s, struct vfy_buf *b, uint64_t size,
		uint64_t iova, unsigned int flags, bool *huge);
/*
 * Like vfy_buf_get() but picks, from a larger allocation, a window whose
 * pages are physically contiguous (pagemap), in hugetlb pages when huge and
 * available.  Emulated devices (QEMU's e1000e TX) cannot read a buffer whose
 * pages are scattered; real ones can.  When no such window is found (no
 * CAP_SYS_ADMIN, fragmented memory) the plain buffer is used and
 * b->contiguous says so.
 */
int vfy_buf_get_contig(struct vfy_dma *s, struct vfy_buf *b, uint64_t size,
		       uint64_t iova, unsigned int flags, bool huge);
int vfy_buf_unmap(struct vfy_dma *s, struct vfy_buf *b);
void vfy_buf_put(struct vfy_dma *s, struct vfy_buf *b);

/* Is [iova, iova+size) inside a usable range and below the DMA limit? */
bool vfy_iova_usable(const struct vfy_dma *s, uint64_t iova, uint64_t size);
/* One copy by the device: it reads src by DMA and writes dst by DMA.
 * 0, or the driver's negative error. */
int vfy_dma_copy(struct vfy_dma *s, uint64_t src, uint64_t dst, uint64_t len);
/* Re-initialises the device after a copy that failed (faulting DMA may
 * leave an engine stuck); marks the session broken when that fails. */
void vfy_dma_recover(struct vfy_dma *s, const char *after);

/*
 * What the driver said about a copy (ret: its return value), for evidence:
 * "completed", "timed out", "the device reported an error; <the driver's
 * why> (status 0x..)".  Points into s->said.
 */
const char *vfy_drv_said(struct vfy_dma *s, int ret);
/* A copy's source: the pattern of seed, behind the bytes the driver needs
 * at the start of every source (an SR-IOV VF's frame header); and the
 * first offset where p differs from that, or -1. */
void vfy_src_fill(const struct vfy_dma *s, void *p, uint64_t len, uint32_t seed);
int64_t vfy_src_diff(const struct vfy_dma *s, const void *p, uint64_t len, uint32_t seed);

/* Deterministic byte patterns: every test writes different bytes. */
void vfy_fill(void *p, uint64_t len, uint32_t seed);
/* First offset where p differs from the pattern, or -1. */
int64_t vfy_diff(const void *p, uint64_t len, uint32_t seed);
/* First offset where p is not all c, or -1. */
int64_t vfy_diff_byte(const void *p, uint64_t len, uint8_t c);
/* Physical address of the page at p (from /proc/self/pagemap; needs
 * CAP_SYS_ADMIN), 0 when unknown. */
uint64_t vfy_phys(const void *p);

/* The check groups (check-dma.c, check-map.c, check-irq.c, check-reset.c). */
void vfy_dma_mapped(struct vfy_dma *s);
void vfy_dma_unmapped(struct vfy_dma *s);
void vfy_dma_read_only(struct vfy_dma *s);
void vfy_map_refusals(struct vfy_dma *s);
void vfy_irq_msi(struct vfy_dma *s);
void vfy_reset(struct vfy_dma *s);

/* Test-only fault injection (inject.c, PASSTHRU_VERIFY_INJECT). */
bool vfy_inject(const char *name);
bool vfy_inject_any(void);

/* Begins check `name`; when the session is broken records it as skipped
 * and returns NULL. */
struct vfy_result *vfy_dma_begin(struct vfy_dma *s, const char *name);

#endif
