// SPDX-License-Identifier: MIT
/*
 * test-nvme-driver.c — drivers/nvme.c against a small NVMe controller
 * simulated in the register callbacks (submission queues are processed
 * when their doorbell is written; "DMA" addresses are this process's
 * pointers).  What QEMU's model cannot show: a command that completes with
 * Data Transfer Error, a controller that goes fatal (CSTS.CFS) or never
 * answers, one that never becomes ready within CAP.TO; and what it can,
 * exactly: PRP1/PRP2/PRP-list transfers, the scratch range every Write
 * stays in, the refusal of partitioned and formatted namespaces, one
 * completion (one interrupt) per raised vector.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver.h"

#define LBA		512u
#define NSZE		(64u * 1024 * 1024 / LBA)
#define MAXQ		2

struct queue {
	uint64_t base;
	uint32_t size, head, tail;	/* SQ: head we consume; CQ: tail we post */
	uint32_t cqid, vector;
	uint8_t phase;
	bool live;
};

static struct sim {
	uint64_t cap;
	uint32_t cc, csts, aqa;
	uint64_t asq, acq;
	struct queue sq[MAXQ], cq[MAXQ];
	uint8_t *disk;
	/* behaviour */
	bool never_ready, fatal_on_io, hang_on_io;
	uint64_t fault_lo, fault_hi;	/* data DMA there fails: SC 0x04 */
	/* what happened */
	uint64_t min_written, max_written;	/* LBA range of every Write */
	uint32_t irqs[MAXQ];		/* interrupts raised per vector */
	uint32_t writes, reads, flushes, admin;
	uint32_t prp_lists;		/* transfers that needed a PRP list */
	uint64_t now_us;
} S;

static uint8_t *ptr(uint64_t a)
{
	return (uint8_t *)(uintptr_t)a;
}

static bool faulting(uint64_t a, uint64_t len)
{
	return S.fault_hi && a < S.fault_hi && a + len > S.fault_lo;
}

/* Moves len bytes between buf and the PRPs; false on a faulting DMA. */
static bool xfer(uint64_t prp1, uint64_t prp2, uint8_t *buf, uint64_t len, bool to_host)
{
	uint64_t first = 4096 - (prp1 & 4095), done = 0, page;
	uint64_t *list = NULL;
	int idx = 0;

	cr_assert_eq(prp1 & 3, 0, "PRP1 must be dword aligned");
	if (len > first + 4096) {
		cr_assert_eq(prp2 & 7, 0);
		list = (uint64_t *)ptr(prp2);	/* 8-byte aligned, checked above */
		S.prp_lists++;
	} else if (len > first) {
		cr_assert_eq(prp2 & 4095, 0, "PRP2 must be page aligned");
	}
	while (done < len) {
		uint64_t a, n;

		if (!done) {
			a = prp1;
			n = first < len ? first : len;
		} else {
			page = list ? list[idx++] : prp2;
			cr_assert_eq(page & 4095, 0, "a PRP entry after the first is a page");
			a = page;
			n = len - done < 4096 ? len - done : 4096;
		}
		if (faulting(a, n))
			return false;
		if (to_host)
			memcpy(ptr(a), buf + done, n);
		else
			memcpy(buf + done, ptr(a), n);
		done += n;
	}
	return true;
}

static void post(uint32_t cqid, uint16_t sqid, uint16_t cid, uint32_t dw0, uint16_t status)
{
	struct queue *cq = &S.cq[cqid];
	uint8_t *e = ptr(cq->base + cq->tail * 16ull);
	uint32_t dw3 = cid | (uint32_t)cq->phase << 16 | (uint32_t)status << 17;

	memcpy(e, &dw0, 4);
	memset(e + 4, 0, 4);
	memcpy(e + 8, &(uint32_t){ S.sq[sqid].head | (uint32_t)sqid << 16 }, 4);
	memcpy(e + 12, &dw3, 4);
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
	S.irqs[cq->vector]++;
}

/* a 64-bit command field at dword i (the array is only 4-byte aligned) */
static uint64_t q64(const uint32_t *c, int i)
{
	uint64_t v;

	memcpy(&v, &c[i], 8);
	return v;
}

static uint16_t do_admin(const uint32_t *c, uint32_t *dw0)
{
	uint8_t op = c[0] & 0xff;
	uint8_t *data = ptr(q64(c, 6));
	uint16_t qid = c[10] & 0xffff, qsize = (c[10] >> 16) + 1;

	S.admin++;
	switch (op) {
	case 0x06:	/* Identify */
		memset(data, 0, 4096);
		if ((c[10] & 0xff) == 1) {		/* controller */
			data[77] = 5;			/* MDTS: 128 KiB */
			data[516] = 1;			/* NN */
		} else if ((c[10] & 0xff) == 0) {	/* namespace */
			uint64_t nsze = NSZE;
			uint32_t lbaf = 9u << 16;	/* 512-byte LBAs, no metadata */

			if (c[1] != 1)
				return 0x0b;		/* Invalid Namespace */
			memcpy(data, &nsze, 8);
			memcpy(data + 128, &lbaf, 4);
		} else {				/* active namespace list */
			data[0] = 1;
		}
		return 0;
	case 0x09: case 0x0a:	/* Set/Get Features: number of queues */
		*dw0 = 0;
		return 0;
	case 0x05:		/* Create I/O CQ */
		if (qid != 1 || qsize > 64 || !(c[11] & 1))
			return 0x101;
		S.cq[1] = (struct queue){ .base = q64(c, 6), .size = qsize,
					  .vector = c[11] >> 16, .phase = 1, .live = true };
		return S.cq[1].vector < MAXQ ? 0 : 0x108;
	case 0x01:		/* Create I/O SQ */
		if (qid != 1 || (c[11] >> 16) != 1 || !S.cq[1].live)
			return 0x101;
		S.sq[1] = (struct queue){ .base = q64(c, 6), .size = qsize,
					  .cqid = 1, .live = true };
		return 0;
	}
	return 0x01;		/* Invalid Command Opcode */
}

static uint16_t do_io(const uint32_t *c)
{
	uint8_t op = c[0] & 0xff;
	uint64_t slba = c[10] | (uint64_t)c[11] << 32, n = (c[12] & 0xffff) + 1;
	uint64_t prp1 = q64(c, 6), prp2 = q64(c, 8);

	if (op == 0x00) {
		S.flushes++;
		return 0;
	}
	if (c[1] != 1 || slba + n > NSZE)
		return 0x80;		/* LBA Out of Range */
	if (op == 0x01) {
		S.writes++;
		if (slba < S.min_written)
			S.min_written = slba;
		if (slba + n > S.max_written)
			S.max_written = slba + n;
		return xfer(prp1, prp2, S.disk + slba * LBA, n * LBA, false) ? 0 : 0x04;
	}
	if (op == 0x02) {
		S.reads++;
		return xfer(prp1, prp2, S.disk + slba * LBA, n * LBA, true) ? 0 : 0x04;
	}
	return 0x01;
}

static void run_sq(uint32_t qid)
{
	struct queue *sq = &S.sq[qid];

	while (sq->head != sq->tail) {
		uint32_t c[16], dw0 = 0;
		uint16_t status;

		memcpy(c, ptr(sq->base + sq->head * 64ull), 64);
		sq->head = (sq->head + 1) % sq->size;
		if (qid && S.fatal_on_io) {
			S.csts |= 2;	/* CFS: nothing more is processed */
			return;
		}
		if (qid && S.hang_on_io)
			return;
		status = qid ? do_io(c) : do_admin(c, &dw0);
		post(sq->cqid, (uint16_t)qid, c[0] >> 16, dw0, status);
	}
}

static uint32_t rd(void *o, int bar, uint64_t off)
{
	switch (off) {
	case 0x00: return (uint32_t)S.cap;
	case 0x04: return (uint32_t)(S.cap >> 32);
	case 0x14: return S.cc;
	case 0x1c: return S.csts;
	}
	return 0;
}

static void wr(void *o, int bar, uint64_t off, uint32_t v)
{
	if (off == 0x14) {
		if ((v & 1) && !(S.cc & 1)) {		/* enable */
			cr_assert_eq(v >> 16 & 0xf, 6, "IOSQES");
			cr_assert_eq(v >> 20 & 0xf, 4, "IOCQES");
			S.sq[0] = (struct queue){ .base = S.asq, .size = (S.aqa & 0xfff) + 1,
						  .live = true };
			S.cq[0] = (struct queue){ .base = S.acq, .size = (S.aqa >> 16 & 0xfff) + 1,
						  .phase = 1, .live = true };
			if (!S.never_ready)
				S.csts = 1;
		} else if (!(v & 1) && (S.cc & 1)) {	/* reset */
			memset(S.sq, 0, sizeof(S.sq));
			memset(S.cq, 0, sizeof(S.cq));
			S.csts = 0;
		}
		S.cc = v;
	} else if (off == 0x24) {
		S.aqa = v;
	} else if (off == 0x28 || off == 0x2c) {
		((uint32_t *)&S.asq)[(off - 0x28) / 4] = v;
	} else if (off == 0x30 || off == 0x34) {
		((uint32_t *)&S.acq)[(off - 0x30) / 4] = v;
	} else if (off >= 0x1000 && !(S.csts & 2)) {
		uint32_t db = (uint32_t)(off - 0x1000) / 4, qid = db / 2;

		cr_assert_lt(qid, MAXQ);
		if (db & 1) {
			S.cq[qid].head = v;
		} else {
			S.sq[qid].tail = v;
			run_sq(qid);
		}
	}
}

static void delay(void *o, uint32_t us)
{
	S.now_us += us;
}

static struct pt_drv_env env;
static struct pt_drv drv;
static uint8_t *scratch, *buf;

static void setup(void)
{
	memset(&S, 0, sizeof(S));
	S.cap = 63 | 2ull << 24 | 1ull << 37;	/* MQES 63, TO 1 s, NVM, 4 KiB pages */
	S.disk = calloc(NSZE, LBA);
	S.min_written = ~0ull;
	scratch = aligned_alloc(4096, 64 * 1024);
	buf = aligned_alloc(4096, 256 * 1024);
	env = (struct pt_drv_env)PT_DRV_ENV_INIT;
	env.read32 = rd;
	env.write32 = wr;
	env.delay_us = delay;
	env.scratch = scratch;
	env.scratch_iova = (uint64_t)(uintptr_t)scratch;
	env.scratch_size = 64 * 1024;
	env.timeout_us = 100000;
}

static void teardown(void)
{
	free(S.disk);
	free(scratch);
	free(buf);
}

TestSuite(nvme, .init = setup, .fini = teardown);

static int init(void)
{
	return pt_drv_init(&drv, &pt_driver_nvme, &env, 0x1b36, 0x0010, 0x010802);
}

static int copy(uint64_t src_off, uint64_t dst_off, uint64_t len)
{
	int ret = drv.ops->memcpy_start(&drv, (uint64_t)(uintptr_t)(buf + src_off),
					(uint64_t)(uintptr_t)(buf + dst_off), len);

	return ret ? ret : drv.ops->memcpy_wait(&drv);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 9));
}

Test(nvme, probes_by_class_only)
{
	cr_assert_eq(pt_driver_find(0x144d, 0xa808, 0x010802), &pt_driver_nvme);
	cr_assert_neq(pt_driver_find(0x144d, 0xa808, 0x010601), &pt_driver_nvme);
}

Test(nvme, blank_namespace_copies_through_prp1_prp2_and_lists)
{
	static const struct { uint64_t src, dst, len; uint32_t lists; } c[] = {
		{ 0, 128 * 1024, 512, 0 },		/* PRP1 */
		{ 0, 128 * 1024 + 3584, 1024, 0 },	/* PRP1 + PRP2 */
		{ 512, 128 * 1024 + 512, 65536, 2 },	/* a PRP list each way */
		{ 0, 128 * 1024, 128 * 1024, 2 },	/* MDTS */
	};

	cr_assert_eq(init(), 0, "init: %s", drv.why ? drv.why : "");
	cr_assert_eq(drv.copy_unit, 512);
	cr_assert_eq(drv.copy_max, 128 * 1024, "MDTS 5 = 128 KiB");
	cr_assert_eq(drv.diag[2], 2048, "scratch starts at 1 MiB");
	cr_assert_eq(drv.diag[3], 8192, "4 MiB of scratch");
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint32_t lists = S.prp_lists;

		fill(buf + c[i].src, c[i].len, (uint8_t)i);
		memset(buf + c[i].dst, 0xee, c[i].len);
		cr_assert_eq(copy(c[i].src, c[i].dst, c[i].len), 0, "copy %zu", i);
		cr_assert_eq(memcmp(buf + c[i].src, buf + c[i].dst, c[i].len), 0, "copy %zu", i);
		cr_assert_eq(S.prp_lists - lists, c[i].lists, "copy %zu", i);
	}
	cr_assert_eq(S.min_written, 2048);
	cr_assert_leq(S.max_written, 2048 + 8192);
	cr_assert_eq(copy(0, 4096, 100), PT_DRV_EINVAL, "not whole LBAs");
	cr_assert_eq(copy(2, 4096, 512), PT_DRV_EINVAL, "PRP1 not dword aligned");
	cr_assert_eq(copy(0, 4096, 256 * 1024), PT_DRV_EINVAL, "beyond MDTS");
	drv.ops->remove(&drv);
	cr_assert_eq(S.cc & 1, 0, "remove disables the controller");
}

Test(nvme, one_completion_per_raised_vector)
{
	cr_assert_eq(init(), 0);
	memset(S.irqs, 0, sizeof(S.irqs));
	cr_assert_eq(drv.ops->send_msi(&drv, 0), 0);
	cr_assert_eq(S.irqs[0], 1);
	cr_assert_eq(S.irqs[1], 0);
	cr_assert_eq(drv.ops->send_msi(&drv, 1), 0);
	cr_assert_eq(S.irqs[0], 1);
	cr_assert_eq(S.irqs[1], 1);
	cr_assert_eq(S.flushes, 1);
	cr_assert_eq(drv.ops->send_msi(&drv, 2), PT_DRV_EINVAL);
}

Test(nvme, partitioned_namespace_needs_a_free_declared_range)
{
	/* MBR: one partition at LBA 2048, 32768 LBAs (1 MiB .. 17 MiB) */
	uint8_t *e = S.disk + 446;

	e[4] = 0x83;
	memcpy(e + 8, &(uint32_t){ 2048 }, 4);
	memcpy(e + 12, &(uint32_t){ 32768 }, 4);
	S.disk[510] = 0x55;
	S.disk[511] = 0xaa;
	cr_assert_eq(init(), PT_DRV_EROFS);
	cr_assert_str_eq(drv.why, "the namespace holds a partition table");
	cr_assert_str_eq(drv.detail, "an MBR partition table");
	cr_assert_eq(S.cc & 1, 0, "a refused controller is left disabled");
	env.scratch_lba = 4096;
	env.scratch_lbas = 64;
	cr_assert_eq(init(), PT_DRV_EROFS, "inside the partition");
	env.scratch_lba = 65536;
	env.scratch_lbas = 8192;
	cr_assert_eq(init(), 0);
	fill(buf, 4096, 3);
	cr_assert_eq(copy(0, 8192, 4096), 0);
	cr_assert_eq(S.min_written, 65536);
	cr_assert_leq(S.max_written, 65536 + 8192);
	cr_assert_eq(S.disk[510], 0x55, "the MBR untouched");
}

Test(nvme, formatted_namespace_is_refused_even_when_declared)
{
	S.disk[1080] = 0x53;
	S.disk[1081] = 0xef;
	cr_assert_eq(init(), PT_DRV_EROFS);
	cr_assert_str_eq(drv.detail, "an ext2/3/4 filesystem");
	env.scratch_lba = 65536;
	env.scratch_lbas = 8192;
	cr_assert_eq(init(), PT_DRV_EROFS);
	cr_assert_eq(S.writes, 0, "not one Write");
}

Test(nvme, declared_range_past_the_end_is_refused)
{
	env.scratch_lba = NSZE - 4;
	env.scratch_lbas = 8;
	cr_assert_eq(init(), PT_DRV_EINVAL);
	cr_assert_eq(S.writes, 0);
}

Test(nvme, data_transfer_error_is_the_commands_status_and_init_recovers)
{
	cr_assert_eq(init(), 0);
	S.fault_lo = (uint64_t)(uintptr_t)(buf + 8192);
	S.fault_hi = S.fault_lo + 4096;
	cr_assert_eq(copy(0, 8192, 512), PT_DRV_EIO, "the Read into a faulting page");
	cr_assert_eq(drv.diag[0], 0x004, "status field: generic, Data Transfer Error");
	cr_assert_not_null(strstr(drv.why, "Data Transfer Error"));
	S.fault_hi = 0;
	cr_assert_eq(init(), 0, "recovery: reset and set up again");
	fill(buf, 512, 9);
	cr_assert_eq(copy(0, 8192, 512), 0);
	cr_assert_eq(memcmp(buf, buf + 8192, 512), 0);
}

Test(nvme, controller_fatal_status_is_reported_and_a_reset_recovers)
{
	cr_assert_eq(init(), 0);
	S.fatal_on_io = true;
	cr_assert_eq(copy(0, 8192, 512), PT_DRV_EIO);
	cr_assert_not_null(strstr(drv.why, "fatal status (CSTS.CFS)"));
	cr_assert_eq(copy(0, 8192, 512), PT_DRV_EIO, "refused until the reset");
	S.fatal_on_io = false;
	cr_assert_eq(init(), 0);
	cr_assert_eq(copy(0, 8192, 512), 0);
}

Test(nvme, a_command_that_never_completes_times_out)
{
	uint64_t t0;

	cr_assert_eq(init(), 0);
	S.hang_on_io = true;
	t0 = S.now_us;
	cr_assert_eq(copy(0, 8192, 512), PT_DRV_ETIMEDOUT);
	cr_assert_geq(S.now_us - t0, env.timeout_us);
	cr_assert_lt(S.now_us - t0, env.timeout_us + 10000, "it waits its timeout, not more");
	cr_assert_eq(drv.ops->memcpy_start(&drv, 0, 0, 512), PT_DRV_EIO, "needs a reset");
	S.hang_on_io = false;
	cr_assert_eq(init(), 0);
}

Test(nvme, never_ready_fails_within_cap_to)
{
	S.never_ready = true;
	cr_assert_eq(init(), PT_DRV_ETIMEDOUT);
	cr_assert_geq(S.now_us, 1000000, "CAP.TO is 2 x 500 ms");
	cr_assert_lt(S.now_us, 1100000);
}

/* The driver ABI (PT_DRV_ABI, drivers/driver.h): an env from a caller built
 * against another driver.h, or without PT_DRV_ENV_INIT, is refused before
 * the device is touched, and drv.why names the fix. */
Test(nvme, env_of_another_driver_abi_is_refused)
{
	env.abi = PT_DRV_ABI + 1;
	cr_assert_eq(init(), PT_DRV_EINVAL);
	cr_assert_str_eq(drv.why, "struct pt_drv_env .abi is not these drivers' PT_DRV_ABI "
			 "(the caller was built against another driver.h); fix: rebuild it "
			 "against this one");
	cr_assert_null(drv.detail);
	cr_assert_eq(S.cc, 0, "the controller was not touched");
	cr_assert_eq(S.admin, 0);

	env.abi = PT_DRV_ABI;
	env.size = 0;
	cr_assert_eq(init(), PT_DRV_EINVAL);
	cr_assert_str_eq(drv.why, "struct pt_drv_env has no valid .size; fix: start from "
			 "PT_DRV_ENV_INIT");
	env.size = offsetof(struct pt_drv_env, scratch_lbas);	/* shorter than ABI 1's */
	cr_assert_eq(init(), PT_DRV_EINVAL);
	cr_assert_str_eq(drv.why, "struct pt_drv_env has no valid .size; fix: start from "
			 "PT_DRV_ENV_INIT");
	cr_assert_eq(S.cc, 0);

	env.size = sizeof(env);
	cr_assert_eq(init(), 0, "init: %s", drv.why ? drv.why : "");
}

/* A newer caller's larger env: fields these drivers do not know must be
 * zero (then it works), else it is refused. */
Test(nvme, newer_env_works_when_its_tail_is_zero)
{
	struct {
		struct pt_drv_env e;
		uint64_t newer;
	} big;

	memset(&big, 0, sizeof(big));
	big.e = env;
	big.e.size = sizeof(big);
	big.newer = 1;
	cr_assert_eq(pt_drv_init(&drv, &pt_driver_nvme, &big.e, 0x1b36, 0x0010, 0x010802),
		     PT_DRV_EINVAL);
	cr_assert_str_eq(drv.why, "struct pt_drv_env has fields these drivers do not know; "
			 "fix: install a newer libpassthru");
	cr_assert_eq(S.cc, 0);
	big.newer = 0;
	cr_assert_eq(pt_drv_init(&drv, &pt_driver_nvme, &big.e, 0x1b36, 0x0010, 0x010802), 0,
		     "init: %s", drv.why ? drv.why : "");
	cr_assert_eq(drv.copy_unit, 512);
	drv.ops->remove(&drv);
}
