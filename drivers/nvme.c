// SPDX-License-Identifier: MIT
/*
 * nvme.c — an NVMe controller (PCI class 01:08:02) as a DMA-test driver,
 * written to the NVMe 1.4 base specification: controller reset and enable
 * with CAP.TO limits, an admin queue pair and one I/O queue pair in the
 * caller's scratch memory, Identify Controller / Namespace, Read and Write
 * with PRP lists, completions by polling the phase bit (the I/O queue also
 * raises MSI-X vector 1 and the admin queue vector 0), command timeouts and
 * the controller-fatal status (CSTS.CFS).  Freestanding: see driver.h.
 *
 * A "copy" is a Write of src to the scratch LBA range (the controller
 * READS src by DMA) followed by a Read of that range into dst (it WRITES
 * dst by DMA).  Lengths are whole LBAs.
 *
 * The driver never writes where data may live.  At init it reads the
 * blocks where partition tables and filesystems keep their headers
 * (disk-label.c) and takes the namespace only when they are all zero (a
 * blank or discarded namespace: it then writes at 1 MiB..5 MiB), or when
 * the caller declared a range scratch (env->scratch_lba/_lbas) that the
 * namespace's partition table, if any, leaves free.  A filesystem, swap,
 * RAID or volume-manager signature on the namespace itself refuses every
 * range.  Every Write is checked against the range just before it is
 * submitted.
 *
 * Scratch memory (4 KiB aligned IOVA): admin SQ +0x0000, admin CQ +0x1000,
 * I/O SQ +0x2000, I/O CQ +0x3000, data page +0x4000, PRP list of the
 * Write +0x5000, of the Read +0x6000.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/disk-label.h"
#include "drivers/dma-mem.h"
#include "drivers/driver.h"

#define NVME_CLASS	0x010802u

/* controller registers (BAR0) */
#define REG_CAP		0x00
#define REG_VS		0x08
#define REG_CC		0x14
#define REG_CSTS	0x1c
#define REG_AQA		0x24
#define REG_ASQ		0x28
#define REG_ACQ		0x30
#define REG_DBS		0x1000

#define CAP_MQES(c)	((uint32_t)((c) & 0xffff))
#define CAP_TO(c)	((uint32_t)(((c) >> 24) & 0xff))	/* 500 ms units */
#define CAP_DSTRD(c)	((uint32_t)(((c) >> 32) & 0xf))
#define CAP_CSS_NVM	(1ull << 37)
#define CAP_MPSMIN(c)	((uint32_t)(((c) >> 48) & 0xf))

#define CC_EN		(1u << 0)
#define CC_IOSQES	(6u << 16)	/* 64-byte SQ entries */
#define CC_IOCQES	(4u << 20)	/* 16-byte CQ entries */
#define CSTS_RDY	(1u << 0)
#define CSTS_CFS	(1u << 1)

/* opcodes */
#define ADM_CREATE_SQ	0x01
#define ADM_CREATE_CQ	0x05
#define ADM_IDENTIFY	0x06
#define ADM_SET_FEAT	0x09
#define ADM_GET_FEAT	0x0a
#define IO_FLUSH	0x00
#define IO_WRITE	0x01
#define IO_READ		0x02
#define FEAT_NQUEUES	0x07
#define CNS_NS		0x00
#define CNS_CTRL	0x01
#define CNS_NSLIST	0x02

#define PAGE		4096u
#define QDEPTH		16u
#define SQE		64u
#define CQE		16u
#define OFF_ASQ		0x0000
#define OFF_ACQ		0x1000
#define OFF_IOSQ	0x2000
#define OFF_IOCQ	0x3000
#define OFF_DATA	0x4000
#define OFF_PRPW	0x5000
#define OFF_PRPR	0x6000
#define SCRATCH_BYTES	0x7000
#define PRP_ENTRIES	(PAGE / 8)
#define MAX_XFER	((uint64_t)PRP_ENTRIES * PAGE)	/* one PRP list page */
#define POLL_US		20
#define CFS_EVERY	64		/* polls between CSTS.CFS reads */
#define DEFAULT_SCRATCH	(1ull << 20)	/* blank namespace: 1 MiB .. */
#define DEFAULT_LEN	(4ull << 20)	/* .. + 4 MiB */

/* status codes (generic command status) worth naming */
#define SC_DATA_XFER	0x04
#define SC_ABORTED_PWR	0x05
#define SC_INTERNAL	0x06

struct nvme_state {
	uint32_t db_shift;		/* doorbell stride: 4 << CAP.DSTRD */
	uint32_t to_us;			/* CAP.TO */
	uint32_t qdepth;
	uint32_t asq_tail, acq_head, iosq_tail, iocq_head;
	uint8_t acq_phase, iocq_phase;
	uint16_t cid;
	uint32_t nsid;
	uint32_t lba_size;
	uint32_t io_vector;		/* vector of the I/O CQ */
	uint64_t nsze;			/* namespace size in LBAs */
	uint64_t lo, hi;		/* the scratch LBA range [lo, hi) */
	uint64_t src, dst, len;
	uint8_t phase;			/* copy: 0 idle, 1 write, 2 read */
	bool io_ready;			/* I/O queues exist */
	bool dead;			/* a command timed out / CFS: init again */
};

static struct nvme_state *st(struct pt_drv *drv)
{
	return (struct nvme_state *)drv->priv;
}

static int nvme_probe(uint16_t vendor, uint16_t device, uint32_t class_code)
{
	return class_code == NVME_CLASS ? 0 : PT_DRV_ENODEV;
}

static uint64_t read64(struct pt_drv *drv, uint64_t off)
{
	uint64_t lo = pt_drv_read32(drv, 0, off);

	return lo | (uint64_t)pt_drv_read32(drv, 0, off + 4) << 32;
}

static volatile uint8_t *mem(struct pt_drv *drv, uint32_t off)
{
	return drv->env->scratch + off;
}

static uint64_t iova(struct pt_drv *drv, uint32_t off)
{
	return drv->env->scratch_iova + off;
}

static void fail(struct pt_drv *drv, const char *why, uint32_t d0, uint32_t d1)
{
	drv->why = why;
	drv->diag[0] = d0;
	drv->diag[1] = d1;
}

/* Waits until CSTS.RDY == want (CAP.TO); a fatal status ends the wait. */
static int wait_ready(struct pt_drv *drv, uint32_t want)
{
	struct nvme_state *s = st(drv);
	uint32_t waited = 0, csts;

	for (;;) {
		csts = pt_drv_read32(drv, 0, REG_CSTS);
		if (csts == 0xffffffffu) {
			fail(drv, "the controller does not answer (CSTS reads all ones)", csts, 0);
			return PT_DRV_EIO;
		}
		if ((csts & CSTS_RDY) == want)
			return 0;
		if (want && (csts & CSTS_CFS)) {
			fail(drv, "the controller reported a fatal status (CSTS.CFS) while "
			     "being enabled", csts, 0);
			return PT_DRV_EIO;
		}
		if (waited >= s->to_us) {
			fail(drv, want ? "the controller did not become ready within CAP.TO" :
			     "the controller did not finish its reset within CAP.TO", csts, 0);
			return PT_DRV_ETIMEDOUT;
		}
		drv->env->delay_us(drv->env->opaque, 1000);
		waited += 1000;
	}
}

/* CC.EN = 0 and wait for CSTS.RDY = 0: no queue, no DMA after it. */
static int nvme_disable(struct pt_drv *drv)
{
	uint32_t cc = pt_drv_read32(drv, 0, REG_CC);

	st(drv)->io_ready = false;
	if (cc & CC_EN)
		pt_drv_write32(drv, 0, REG_CC, cc & ~CC_EN);
	return wait_ready(drv, 0);
}

static void ring(struct pt_drv *drv, uint32_t qid, bool cq, uint32_t val)
{
	pt_drv_write32(drv, 0, REG_DBS + ((2ull * qid + (cq ? 1 : 0)) << st(drv)->db_shift), val);
}

struct cmd {
	uint8_t opcode;
	uint32_t nsid;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12;
};

static void submit(struct pt_drv *drv, bool admin, const struct cmd *c)
{
	struct nvme_state *s = st(drv);
	uint32_t *tail = admin ? &s->asq_tail : &s->iosq_tail;
	volatile uint8_t *e = mem(drv, (admin ? OFF_ASQ : OFF_IOSQ) + *tail * SQE);

	dma_zero(e, SQE);
	dma_put32(e, c->opcode | (uint32_t)++s->cid << 16);
	dma_put32(e + 4, c->nsid);
	dma_put64(e + 24, c->prp1);
	dma_put64(e + 32, c->prp2);
	dma_put32(e + 40, c->cdw10);
	dma_put32(e + 44, c->cdw11);
	dma_put32(e + 48, c->cdw12);
	*tail = (*tail + 1) % s->qdepth;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ring(drv, admin ? 0 : 1, false, *tail);
}

/*
 * Polls the queue's next completion (phase tag) and consumes it: 0 with
 * *dw0, PT_DRV_EIO with diag[0] = the status field (SCT << 8 | SC) when
 * the command failed, or PT_DRV_EIO / PT_DRV_ETIMEDOUT when the controller
 * went fatal or never answered (then it must be initialised again).
 */
static int reap(struct pt_drv *drv, bool admin, uint8_t opcode, uint32_t *dw0)
{
	struct nvme_state *s = st(drv);
	uint32_t *head = admin ? &s->acq_head : &s->iocq_head;
	uint8_t *phase = admin ? &s->acq_phase : &s->iocq_phase;
	uint32_t limit = drv->env->timeout_us ? drv->env->timeout_us : 2000000;
	uint32_t waited = 0, polls = 0, dw3, status;
	volatile uint8_t *e = mem(drv, (admin ? OFF_ACQ : OFF_IOCQ) + *head * CQE);

	drv->diag[2] = opcode;
	while (((dw3 = dma_get32(e + 12)) >> 16 & 1) != *phase) {
		if (++polls % CFS_EVERY == 0 &&
		    (pt_drv_read32(drv, 0, REG_CSTS) & CSTS_CFS)) {
			s->dead = true;
			fail(drv, "the controller reported a fatal status (CSTS.CFS): "
			     "it must be reset", 0, pt_drv_read32(drv, 0, REG_CSTS));
			return PT_DRV_EIO;
		}
		if (waited >= limit) {
			s->dead = true;
			fail(drv, "the command timed out (no completion)", 0,
			     pt_drv_read32(drv, 0, REG_CSTS));
			return PT_DRV_ETIMEDOUT;
		}
		drv->env->delay_us(drv->env->opaque, POLL_US);
		waited += POLL_US;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (dw0)
		*dw0 = dma_get32(e);
	status = dw3 >> 17 & 0x7ff;	/* SCT (3 bits) : SC (8 bits) */
	*head = (*head + 1) % s->qdepth;
	if (!*head)
		*phase ^= 1;
	ring(drv, admin ? 0 : 1, true, *head);
	if (status) {
		fail(drv, (status & 0xff) == SC_DATA_XFER && !(status >> 8) ?
		     "the command failed: Data Transfer Error (a DMA the IOMMU "
		     "blocked, or a bus error)" : "the command failed (see the status field)",
		     status, pt_drv_read32(drv, 0, REG_CSTS));
		return PT_DRV_EIO;
	}
	return 0;
}

static int admin(struct pt_drv *drv, const struct cmd *c, uint32_t *dw0)
{
	submit(drv, true, c);
	return reap(drv, true, c->opcode, dw0);
}

/* PRP1/PRP2 for len bytes at IOVA a (dword aligned), using the list page
 * at scratch offset list when more than two pages are touched. */
static void build_prps(struct pt_drv *drv, uint64_t a, uint64_t len, uint32_t list,
		       struct cmd *c)
{
	uint64_t first = PAGE - (a & (PAGE - 1)), page = (a & ~(uint64_t)(PAGE - 1)) + PAGE;
	uint32_t n = 0;

	c->prp1 = a;
	c->prp2 = 0;
	if (len <= first)
		return;
	if (len <= first + PAGE) {
		c->prp2 = page;
		return;
	}
	for (uint64_t done = first; done < len; done += PAGE, page += PAGE)
		dma_put64(mem(drv, list + 8 * n++), page);
	c->prp2 = iova(drv, list);
}

static int identify(struct pt_drv *drv, uint32_t cns, uint32_t nsid)
{
	struct cmd c = { .opcode = ADM_IDENTIFY, .nsid = nsid,
			 .prp1 = iova(drv, OFF_DATA), .cdw10 = cns };

	dma_zero(mem(drv, OFF_DATA), PAGE);
	return admin(drv, &c, NULL);
}

static uint8_t data8(struct pt_drv *drv, uint32_t off)
{
	return mem(drv, OFF_DATA)[off];
}

static uint32_t data32(struct pt_drv *drv, uint32_t off)
{
	return dma_get32(mem(drv, OFF_DATA + off));
}

static uint64_t data64(struct pt_drv *drv, uint32_t off)
{
	return data32(drv, off) | (uint64_t)data32(drv, off + 4) << 32;
}

/* Reset, then enable with the admin queues in scratch memory. */
static int nvme_enable(struct pt_drv *drv)
{
	struct nvme_state *s = st(drv);
	int ret;

	ret = nvme_disable(drv);
	if (ret < 0)
		return ret;
	dma_zero(mem(drv, OFF_ASQ), PAGE);
	dma_zero(mem(drv, OFF_ACQ), PAGE);
	s->asq_tail = s->acq_head = 0;
	s->acq_phase = 1;
	pt_drv_write32(drv, 0, REG_AQA, (s->qdepth - 1) << 16 | (s->qdepth - 1));
	pt_drv_write64(drv, 0, REG_ASQ, iova(drv, OFF_ASQ));
	pt_drv_write64(drv, 0, REG_ACQ, iova(drv, OFF_ACQ));
	/* NVM command set, 4 KiB pages (MPS 0), round robin */
	pt_drv_write32(drv, 0, REG_CC, CC_IOSQES | CC_IOCQES);
	pt_drv_write32(drv, 0, REG_CC, CC_IOSQES | CC_IOCQES | CC_EN);
	return wait_ready(drv, CSTS_RDY);
}

/* One I/O queue pair; the CQ on MSI-X vector 1, else 0. */
static int create_io_queues(struct pt_drv *drv)
{
	struct nvme_state *s = st(drv);
	struct cmd c = { .opcode = ADM_SET_FEAT, .cdw10 = FEAT_NQUEUES, .cdw11 = 0 };
	int ret;

	/* one SQ and one CQ (0-based counts); controllers may grant more */
	ret = admin(drv, &c, NULL);
	if (ret < 0)
		return ret;
	dma_zero(mem(drv, OFF_IOSQ), PAGE);
	dma_zero(mem(drv, OFF_IOCQ), PAGE);
	s->iosq_tail = s->iocq_head = 0;
	s->iocq_phase = 1;
	for (s->io_vector = 1;; s->io_vector--) {
		c = (struct cmd){ .opcode = ADM_CREATE_CQ, .prp1 = iova(drv, OFF_IOCQ),
				  .cdw10 = (s->qdepth - 1) << 16 | 1,
				  .cdw11 = s->io_vector << 16 | 1u << 1 | 1u };
		ret = admin(drv, &c, NULL);
		/* a controller with a single vector: Invalid Interrupt Vector */
		if (ret == 0 || s->io_vector == 0 || s->dead)
			break;
	}
	if (ret < 0)
		return ret;
	c = (struct cmd){ .opcode = ADM_CREATE_SQ, .prp1 = iova(drv, OFF_IOSQ),
			  .cdw10 = (s->qdepth - 1) << 16 | 1, .cdw11 = 1u << 16 | 1u };
	ret = admin(drv, &c, NULL);
	if (ret == 0)
		s->io_ready = true;
	return ret;
}

/* The first active namespace (CNS 02h; NVMe 1.0 controllers: NSID 1). */
static uint32_t first_namespace(struct pt_drv *drv)
{
	uint32_t nsid;

	if (identify(drv, CNS_NSLIST, 0) < 0)
		return st(drv)->dead ? 0 : 1;
	nsid = data32(drv, 0);
	return nsid ? nsid : 0;
}

static int read_namespace(struct pt_drv *drv)
{
	struct nvme_state *s = st(drv);
	uint32_t lbaf, lbads, ms;
	int ret;

	ret = identify(drv, CNS_NS, s->nsid);
	if (ret < 0)
		return ret;
	s->nsze = data64(drv, 0);
	lbaf = data32(drv, 128 + 4 * (data8(drv, 26) & 0xf));
	ms = lbaf & 0xffff;
	lbads = lbaf >> 16 & 0xff;
	if (!s->nsze) {
		fail(drv, "the namespace is not active (size 0)", s->nsid, 0);
		return PT_DRV_ENODEV;
	}
	if (lbads < 9 || lbads > 12) {
		fail(drv, "the namespace's LBA size is not 512 B..4 KiB", s->nsid, lbads);
		return PT_DRV_EINVAL;
	}
	if (ms) {
		fail(drv, "the namespace is formatted with metadata per LBA, which "
		     "this driver does not transfer", s->nsid, ms);
		return PT_DRV_EINVAL;
	}
	s->lba_size = 1u << lbads;
	return 0;
}

/* Read `lbas` LBAs at slba into the data page (at most 4 KiB). */
static int read_data(struct pt_drv *drv, uint64_t slba, uint32_t lbas)
{
	struct nvme_state *s = st(drv);
	struct cmd c = { .opcode = IO_READ, .nsid = s->nsid, .prp1 = iova(drv, OFF_DATA),
			 .cdw10 = (uint32_t)slba, .cdw11 = (uint32_t)(slba >> 32),
			 .cdw12 = lbas - 1 };

	submit(drv, false, &c);
	return reap(drv, false, IO_READ, NULL);
}

/* Decides the scratch range: see the header comment. */
static int choose_scratch(struct pt_drv *drv)
{
	struct nvme_state *s = st(drv);
	struct pt_drv_env *e = drv->env;
	struct pt_disk_label l;
	uint64_t off, start, end;
	const char *no;
	unsigned int n;
	int ret;

	pt_disk_label_init(&l, s->nsze * s->lba_size, s->lba_size);
	for (n = 0; pt_disk_label_area(&l, n, &off); n++) {
		ret = read_data(drv, off / s->lba_size, PT_DISK_AREA / s->lba_size);
		if (ret < 0)
			return ret;
		/* the Read completed (reap's fence): plain reads from here */
		pt_disk_label_scan(&l, off, (const uint8_t *)mem(drv, OFF_DATA),
				   PT_DISK_AREA);
	}
	if (e->scratch_lbas) {
		start = e->scratch_lba;
		end = e->scratch_lba + e->scratch_lbas;
		if (end < start || end > s->nsze) {
			fail(drv, "the declared scratch range runs past the end of the "
			     "namespace", s->nsid, (uint32_t)s->nsze);
			return PT_DRV_EINVAL;
		}
	} else {
		start = DEFAULT_SCRATCH / s->lba_size;
		end = (DEFAULT_SCRATCH + DEFAULT_LEN) / s->lba_size;
		/* a small blank namespace: whatever lies before the last area */
		if (end * s->lba_size + 128 * 1024 > l.size)
			end = l.size > 256 * 1024 ? (l.size - 128 * 1024) / s->lba_size : 0;
		if (end <= start) {
			fail(drv, "the namespace is too small for a scratch range "
			     "(at least 1 MiB + 128 KiB + one LBA)", s->nsid, (uint32_t)s->nsze);
			return PT_DRV_EINVAL;
		}
	}
	no = pt_disk_label_may_write(&l, start * s->lba_size, end * s->lba_size,
				     e->scratch_lbas != 0);
	drv->detail = l.kind != PT_DISK_BLANK ? l.what : NULL;
	if (no) {
		fail(drv, no, s->nsid, l.kind);
		drv->diag[2] = (uint32_t)l.at;		/* where it was found */
		drv->diag[3] = (uint32_t)start;
		return PT_DRV_EROFS;
	}
	s->lo = start;
	s->hi = end;
	return 0;
}

static int nvme_init(struct pt_drv *drv)
{
	struct nvme_state *s = st(drv);
	struct pt_drv_env *e = drv->env;
	uint64_t cap, max;
	uint32_t mdts;
	int ret;

	if (!e->scratch || e->scratch_size < SCRATCH_BYTES || (e->scratch_iova & (PAGE - 1)))
		return PT_DRV_EINVAL;
	*s = (struct nvme_state){ 0 };
	drv->why = drv->detail = NULL;
	cap = read64(drv, REG_CAP);
	if (cap == ~0ull) {
		fail(drv, "the controller does not answer (CAP reads all ones)", 0, 0);
		return PT_DRV_EIO;
	}
	if (!(cap & CAP_CSS_NVM) || CAP_MPSMIN(cap) != 0) {
		fail(drv, "the controller lacks the NVM command set or 4 KiB pages",
		     (uint32_t)(cap >> 32), 0);
		return PT_DRV_ENODEV;
	}
	s->db_shift = 2 + CAP_DSTRD(cap);
	s->to_us = (CAP_TO(cap) ? CAP_TO(cap) : 1) * 500000u;
	s->qdepth = CAP_MQES(cap) + 1 < QDEPTH ? CAP_MQES(cap) + 1 : QDEPTH;
	if (s->qdepth < 2) {
		fail(drv, "the controller's queues hold fewer than 2 entries", (uint32_t)cap, 0);
		return PT_DRV_ENODEV;
	}
	ret = nvme_enable(drv);
	if (ret < 0)
		goto fail_off;
	ret = identify(drv, CNS_CTRL, 0);
	if (ret < 0)
		goto fail_off;
	mdts = data8(drv, 77);
	ret = create_io_queues(drv);
	if (ret < 0)
		goto fail_off;
	s->nsid = e->scratch_nsid ? e->scratch_nsid : first_namespace(drv);
	if (!s->nsid) {
		fail(drv, "the controller has no active namespace", 0, 0);
		ret = PT_DRV_ENODEV;
		goto fail_off;
	}
	ret = read_namespace(drv);
	if (ret < 0)
		goto fail_off;
	ret = choose_scratch(drv);
	if (ret < 0)
		goto fail_off;
	max = mdts && mdts < 20 ? (uint64_t)PAGE << mdts : MAX_XFER;
	if (max > MAX_XFER)
		max = MAX_XFER;
	if (max > (s->hi - s->lo) * s->lba_size)
		max = (s->hi - s->lo) * s->lba_size;
	drv->copy_unit = s->lba_size;
	drv->copy_min = s->lba_size;
	drv->copy_max = max / s->lba_size * s->lba_size;
	drv->diag[0] = s->nsid;
	drv->diag[1] = s->lba_size;
	drv->diag[2] = (uint32_t)s->lo;
	drv->diag[3] = (uint32_t)(s->hi - s->lo);
	drv->why = NULL;
	return 0;
fail_off:
	/* leave nothing running: a refused namespace gets no more DMA */
	{
		struct pt_drv keep = *drv;

		nvme_disable(drv);
		drv->why = keep.why;
		for (int i = 0; i < 4; i++)
			drv->diag[i] = keep.diag[i];
	}
	return ret;
}

static void nvme_remove(struct pt_drv *drv)
{
	nvme_disable(drv);
	st(drv)->phase = 0;
}

static int start_io(struct pt_drv *drv, uint8_t opcode, uint64_t buf)
{
	struct nvme_state *s = st(drv);
	uint64_t nlb = s->len / s->lba_size;
	struct cmd c = { .opcode = opcode, .nsid = s->nsid,
			 .cdw10 = (uint32_t)s->lo, .cdw11 = (uint32_t)(s->lo >> 32),
			 .cdw12 = (uint32_t)(nlb - 1) };

	/* the last word on where a Write may go */
	if (opcode == IO_WRITE && (s->lo + nlb > s->hi || !nlb || s->hi <= s->lo)) {
		fail(drv, "refusing a write outside the scratch LBA range", (uint32_t)s->lo,
		     (uint32_t)nlb);
		return PT_DRV_EINVAL;
	}
	build_prps(drv, buf, s->len, opcode == IO_WRITE ? OFF_PRPW : OFF_PRPR, &c);
	submit(drv, false, &c);
	return 0;
}

static int nvme_memcpy_start(struct pt_drv *drv, uint64_t src, uint64_t dst,
			     uint64_t len)
{
	struct nvme_state *s = st(drv);

	if (s->dead || !s->io_ready) {
		fail(drv, "the controller needs a reset (a command timed out or it "
		     "went fatal)", 0, 0);
		return PT_DRV_EIO;
	}
	if (s->phase)
		return PT_DRV_EBUSY;
	if (!len || len % s->lba_size || len > drv->copy_max || (src & 3) || (dst & 3))
		return PT_DRV_EINVAL;
	s->src = src;
	s->dst = dst;
	s->len = len;
	drv->why = NULL;
	if (start_io(drv, IO_WRITE, src) < 0)
		return PT_DRV_EINVAL;
	s->phase = 1;
	return 0;
}

static int nvme_memcpy_wait(struct pt_drv *drv)
{
	struct nvme_state *s = st(drv);
	int ret;

	if (!s->phase)
		return PT_DRV_EINVAL;
	ret = reap(drv, false, s->phase == 1 ? IO_WRITE : IO_READ, NULL);
	if (ret == 0 && s->phase == 1) {
		s->phase = 2;
		start_io(drv, IO_READ, s->dst);
		ret = reap(drv, false, IO_READ, NULL);
	}
	drv->diag[3] = (uint32_t)s->lo;
	s->phase = 0;
	return ret;
}

/*
 * Vector 0: an admin command (Get Features, no data) completes on the
 * admin CQ; vector 1: a Flush completes on the I/O CQ.  Each completion
 * is one MSI-X message; the driver consumes it here.
 */
static int nvme_send_msi(struct pt_drv *drv, uint32_t vector)
{
	struct nvme_state *s = st(drv);
	struct cmd c = { .opcode = ADM_GET_FEAT, .cdw10 = FEAT_NQUEUES };

	if (s->dead || !s->io_ready || s->phase)
		return PT_DRV_EBUSY;
	if (vector == 0)
		return admin(drv, &c, NULL);
	if (vector != 1 || s->io_vector != 1)
		return PT_DRV_EINVAL;
	c = (struct cmd){ .opcode = IO_FLUSH, .nsid = s->nsid };
	submit(drv, false, &c);
	return reap(drv, false, IO_FLUSH, NULL);
}

/* MSI-X is edge-like and every completion is consumed: nothing to ack. */
static void nvme_irq_ack(struct pt_drv *drv)
{
}

const struct pt_driver pt_driver_nvme = {
	.name = "nvme",
	.dma_bits = 64,
	.max_memcpy = MAX_XFER,
	.min_memcpy = 512,
	.dst_room = 0,
	.scratch_size_min = SCRATCH_BYTES,
	.nr_vectors = 2,
	.probe = nvme_probe,
	.init = nvme_init,
	.remove = nvme_remove,
	.memcpy_start = nvme_memcpy_start,
	.memcpy_wait = nvme_memcpy_wait,
	.send_msi = nvme_send_msi,
	.irq_ack = nvme_irq_ack,
};
