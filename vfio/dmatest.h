/* SPDX-License-Identifier: MIT */
/*
 * dmatest.h — a VFIO device driven by its DMA-test driver (drivers/),
 * shared by `passthru dma-test`, the lab test programs (vfio/tests/) and
 * the benchmark.  Not installed: an internal convenience over the public
 * vfio/iommu API.
 *
 * Buffer layout (IOVA = t->iova + offset):
 *	0x0000 src   0x1000 dst   0x2000 dst2   0x3000 scratch (rings)
 */
#ifndef PASSTHRU_VFIO_DMATEST_H
#define PASSTHRU_VFIO_DMATEST_H

#include "drivers/driver.h"
#include "vfio/passthru-vfio.h"

#define PT_DMAT_SRC	0x0000
#define PT_DMAT_DST	0x1000
#define PT_DMAT_DST2	0x2000
#define PT_DMAT_SCRATCH	0x3000
#define PT_DMAT_MIN	0x10000

struct pt_dmat {
	struct pt_vfio_device *dev;
	struct pt_iommu *io;
	const struct pt_driver *ops;
	struct pt_drv drv;
	struct pt_drv_env env;
	struct pt_vfio_bar *bars[6];	/* NULL: not mmappable, pread/pwrite */
	struct pt_mem *mem;		/* the buffer (NULL until allocated) */
	uint64_t iova;
	uint64_t map_ns;		/* time of the map ioctl */
	uint32_t irq_index;		/* VFIO_PCI_MSIX/MSI/INTX_IRQ_INDEX */
	int nr_efds;
	int efds[4];
	bool drv_ready;
};

/* What the caller tells the driver (storage: which LBAs are scratch). */
struct pt_dmat_opts {
	uint32_t scratch_nsid;		/* 0: the first active namespace */
	uint64_t scratch_lba, scratch_lbas;	/* lbas 0: none declared */
};

/* Opens bdf on io, maps its BARs, enables bus mastering and interrupts
 * (MSI-X if present, else MSI, else INTx) on eventfds, allocates size bytes
 * of kind (at least PT_DMAT_MIN), maps it through the allocator and runs
 * the driver's init.  0 or -errno with pt_last_error(). */
int pt_dmat_open(struct pt_dmat *t, struct pt_iommu *io, const char *bdf,
		 enum pt_mem_kind kind, size_t size);
int pt_dmat_open_opts(struct pt_dmat *t, struct pt_iommu *io, const char *bdf,
		      enum pt_mem_kind kind, size_t size, const struct pt_dmat_opts *o);
/* Puts the bytes the driver needs at the start of every copy's source
 * (drv.copy_prefix: an SR-IOV VF's frame header) over src[0..len). */
void pt_dmat_prefix(const struct pt_dmat *t, void *src, size_t len);
/* The driver's account of its last failure ("" when it gave none):
 * "; " + why + " (" + detail + ")". */
void pt_dmat_why(const struct pt_dmat *t, char *buf, size_t n);
/* "--scratch-lba [NSID:]START[+COUNT]" into o: 0, or -EINVAL. */
int pt_dmat_parse_scratch(const char *arg, struct pt_dmat_opts *o);
void pt_dmat_close(struct pt_dmat *t);
/* Device copy from IOVA src to IOVA dst (any IOVAs, e.g. another mapping). */
int pt_dmat_copy_iova(struct pt_dmat *t, uint64_t src, uint64_t dst,
		      size_t len);
/* Copy between offsets of t->mem. */
int pt_dmat_copy(struct pt_dmat *t, uint64_t src_off, uint64_t dst_off,
		 size_t len);
/* Raises vector through the driver and waits for its eventfd: the count
 * read (1 when exactly one message arrived), 0 when nothing arrived in
 * timeout_ms, -errno. */
int pt_dmat_irq_roundtrip(struct pt_dmat *t, uint32_t vector, int timeout_ms);
/* Drains every eventfd; returns the total count read. */
uint64_t pt_dmat_irq_drain(struct pt_dmat *t);
const char *pt_dmat_irq_name(const struct pt_dmat *t);

#endif
