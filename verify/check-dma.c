// SPDX-License-Identifier: MIT
/*
 * check-dma.c — the DMA checks of `passthru verify`, through one IOMMU
 * backend, with the device's own DMA engine driven by its DMA-test driver
 * (drivers/: edu, e1000e).  A driver "memcpy" makes the device READ its
 * source and WRITE its destination by DMA, so every copy tests both
 * directions.
 *
 *	dma.open			backend + device + driver up
 *	dma.mapped-low/-high/-page-boundary/-hugepage-boundary
 *					copies at those IOVAs, bytes checked
 *	dma.unmapped-never-mapped	a write to an IOVA never mapped (aimed
 *					at the host-physical address of a
 *					sentinel page) changes no byte
 *	dma.unmapped-after-unmap	a write to an IOVA just unmapped does
 *					not reach the memory it mapped
 *	dma.read-only			a write into a read-only mapping changes
 *					nothing (while reads from it work)
 *	map.*, irq.*, reset.*		check-map.c, check-irq.c, check-reset.c
 *
 * Every negative check first proves the device CAN do the same copy to a
 * mapped IOVA (a positive control), so a dead device or broken driver can
 * never make isolation look good.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "verify/dma.h"
#include "verify/kmsg.h"

#define PAGE_IOVA	0x1000000ull	/* 16 MiB: 4 KiB page boundary */
#define HUGE_IOVA	0x4000000ull	/* 64 MiB: 2 MiB boundary */
#define CTL_IOVA	0x5000000ull	/* positive controls */
#define NEVER_IOVA	0x6000000ull	/* fallback never-mapped IOVA */
#define UNMAP_IOVA	0x7000000ull
#define RO_IOVA		0x8000000ull
#define OURS_END	0x9000000ull	/* all of the above lie below */
#define SENTINEL_SIZE	0x10000ull
#define SENT_BYTE	0xa5
#define GUARD_BYTE	0x5a

const char *const vfy_dma_checks[] = {
	"dma.open",
	"dma.mapped-low",
	"dma.mapped-high",
	"dma.mapped-page-boundary",
	"dma.mapped-hugepage-boundary",
	"dma.unmapped-never-mapped",
	"dma.unmapped-after-unmap",
	"dma.read-only",
	"map.reserved-region",
	"map.outside-usable-range",
	"irq.msi",
	"reset.dma-stopped",
	NULL,
};

void vfy_skip_dma(struct vfy_report *rep, const struct pt_device *d,
		  const char *backend, const char *reason)
{
	for (int i = 0; vfy_dma_checks[i]; i++)
		vfy_skip(vfy_begin(rep, d->bdf, backend, vfy_dma_checks[i]),
			 "%s", reason);
}

/* ---- mapped DMA --------------------------------------------------------- */

/*
 * On the mapping t (owned: unmapped and freed here), (1) the device reads
 * len bytes at t->iova+off into the reference page, (2) it writes len bytes
 * from the reference page to t->iova+off; every copied byte is compared and
 * every other byte of the mapping must keep its guard value.
 */
static void mapped_case(struct vfy_dma *s, struct vfy_result *r, const char *what,
			struct vfy_buf *t, uint64_t off, bool owned)
{
	const char *exp = "the device copies every byte to and from the mapped IOVA";
	const char *fix = "the IOMMU mapping does not translate to this memory: "
			  "look for DMAR faults in dmesg and report it with this output";
	uint32_t seed = 0x1000 + (uint32_t)(t->iova >> 12);
	uint8_t *p = t->addr, *ref = s->ref;
	uint64_t iova = t->iova;
	uint64_t aim = vfy_inject("mapped-shift") ? 0x100000 : 0;
	char backing[96];
	int64_t bad;
	int ret;

	snprintf(backing, sizeof(backing), "%s pages%s",
		 t->page_size >= VFY_HUGE ? "2 MiB hugetlb" : "4 KiB",
		 t->size <= t->page_size ? "" : t->contiguous ?
		 ", physically contiguous" : ", physically scattered");
	memset(p, GUARD_BYTE, t->size);
	vfy_src_fill(s, p + off, s->len, seed);
	memset(ref, 0, s->len);
	ret = vfy_dma_copy(s, iova + off + aim, s->ref_iova, s->len);
	if (ret || vfy_src_diff(s, ref, s->len, seed) >= 0) {
		vfy_fail(r, exp, fix, "device read (memory to device) of %" PRIu64
			 " B at IOVA 0x%" PRIx64 " (%s): %s%s%s", s->len, iova + off,
			 backing, vfy_drv_said(s, ret), ret ? "" : ", wrong bytes arrived",
			 t->contiguous || t->size <= t->page_size ? "" :
			 "; note: some emulated devices (QEMU's e1000e TX) cannot "
			 "read a buffer whose pages are physically scattered");
		if (ret)
			vfy_dma_recover(s, "a failed copy");
		goto out;
	}
	vfy_src_fill(s, ref, s->len, seed + 0x1000);
	ret = vfy_dma_copy(s, s->ref_iova, iova + off + aim, s->len);
	bad = vfy_src_diff(s, p + off, s->len, seed + 0x1000);
	if (ret || bad >= 0) {
		vfy_fail(r, exp, fix, "device write (device to memory) of %" PRIu64
			 " B at IOVA 0x%" PRIx64 " (%s): %s; first wrong byte at +%"
			 PRId64, s->len, iova + off, backing, vfy_drv_said(s, ret), bad);
		if (ret)
			vfy_dma_recover(s, "a failed copy");
		goto out;
	}
	if ((bad = vfy_diff_byte(p, off, GUARD_BYTE)) >= 0 ||
	    (bad = vfy_diff_byte(p + off + s->len, t->size - off - s->len,
				 GUARD_BYTE)) >= 0) {
		vfy_fail(r, "the device writes exactly the bytes it was asked to",
			 fix, "a byte outside the %" PRIu64 " copied bytes changed "
			 "(guard 0x%02x) in the mapping at IOVA 0x%" PRIx64, s->len,
			 GUARD_BYTE, iova);
		goto out;
	}
	vfy_pass(r, "%s: mapped 0x%" PRIx64 "-0x%" PRIx64 " (%s); the device "
		 "read %" PRIu64 " B at 0x%" PRIx64 " and wrote %" PRIu64 " B "
		 "there, every byte right, the other %" PRIu64 " B of the mapping "
		 "untouched", what, iova, iova + t->size - 1, backing, s->len,
		 iova + off, s->len, t->size - s->len);
out:
	if (owned)
		vfy_buf_put(s, t);
}

/* Maps size bytes at iova (contig: physically contiguous pages, huge: in
 * hugetlb pages when the host has them) and runs mapped_case at off. */
static void mapped_at(struct vfy_dma *s, const char *name, const char *what,
		      uint64_t iova, uint64_t size, uint64_t off, bool contig)
{
	struct vfy_result *r = vfy_dma_begin(s, name);
	struct vfy_buf t;
	int ret;

	if (!r)
		return;
	if (!vfy_iova_usable(s, iova, size)) {
		vfy_skip(r, "IOVA 0x%" PRIx64 "-0x%" PRIx64 " is not usable for "
			 "this device (usable ranges or its %u-bit DMA width)",
			 iova, iova + size - 1, s->ops->dma_bits);
		return;
	}
	ret = contig ? vfy_buf_get_contig(s, &t, size, iova, PT_DMA_RW, false)
		     : vfy_buf_get(s, &t, size, iova, PT_DMA_RW, NULL);
	if (ret < 0) {
		vfy_fail(r, "mapping at a usable IOVA succeeds", NULL, "%s",
			 pt_last_error());
		return;
	}
	mapped_case(s, r, what, &t, off, true);
}

/*
 * The lowest usable page above IOVA 0 (QEMU's e1000e model treats buffer
 * address 0 as "no buffer", so IOVA 0 would fail for the model, not the
 * IOMMU).  The harness's buffer was allocated first-fit from the bottom of
 * the usable ranges, so that page is normally one of its own.
 */
static uint64_t usable_low(const struct vfy_dma *s)
{
	uint64_t lo = UINT64_MAX;

	for (int i = 0; i < s->info.nr_ranges; i++)
		if (s->info.ranges[i].start < lo)
			lo = s->info.ranges[i].start;
	lo = (lo + VFY_PAGE - 1) & ~(VFY_PAGE - 1);
	return lo ? lo : VFY_PAGE;
}

static uint64_t usable_high_end(const struct vfy_dma *s)
{
	uint64_t end = 0;	/* exclusive end of the highest usable page */

	for (int i = 0; i < s->info.nr_ranges; i++) {
		uint64_t last = s->info.ranges[i].last;

		if (s->info.ranges[i].start > s->dma_last)
			continue;
		if (last > s->dma_last)
			last = s->dma_last;
		last = ((last + 1) & ~(VFY_PAGE - 1));
		if (last > end)
			end = last;
	}
	return end;
}

static void mapped_low(struct vfy_dma *s)
{
	struct vfy_result *r = vfy_dma_begin(s, "dma.mapped-low");
	uint64_t lo = usable_low(s);
	struct vfy_buf t = { 0 };
	char what[96];

	if (!r)
		return;
	snprintf(what, sizeof(what), "lowest usable page above 0 (0x%" PRIx64 ")", lo);
	if (lo < s->t.iova || lo + VFY_PAGE > s->t.iova + PT_DMAT_DST2) {
		vfy_skip(r, "IOVA 0x%" PRIx64 " is not in the harness's buffer at "
			 "0x%" PRIx64 " (the allocator did not start at the bottom)",
			 lo, s->t.iova);
		return;
	}
	/* a page of the harness's own mapping: used, never unmapped */
	t.addr = (uint8_t *)s->t.mem->addr + (lo - s->t.iova);
	t.size = t.page_size = VFY_PAGE;
	t.iova = lo;
	mapped_case(s, r, what, &t, 0, false);
}

static void mapped_hugepage_boundary(struct vfy_dma *s)
{
	struct vfy_result *r = vfy_dma_begin(s, "dma.mapped-hugepage-boundary");
	const char *what = "across a 2 MiB IOVA boundary";
	struct vfy_buf t;

	if (!r)
		return;
	if (!vfy_iova_usable(s, HUGE_IOVA - VFY_HUGE, 2 * VFY_HUGE)) {
		vfy_skip(r, "IOVA 0x%llx is not usable for this device", HUGE_IOVA);
		return;
	}
	/* two 2 MiB hugetlb pages when the host has them (the IOMMU can use
	 * superpages on both sides), else two 4 KiB pages */
	if (vfy_buf_get_contig(s, &t, 2 * VFY_HUGE, HUGE_IOVA - VFY_HUGE,
			       PT_DMA_RW, true) == 0) {
		if (t.page_size >= VFY_HUGE) {
			mapped_case(s, r, what, &t, VFY_HUGE - s->len / 2, true);
			return;
		}
		vfy_buf_put(s, &t);
	}
	if (vfy_buf_get_contig(s, &t, 2 * VFY_PAGE, HUGE_IOVA - VFY_PAGE,
			       PT_DMA_RW, false) < 0) {
		vfy_fail(r, "mapping at a usable IOVA succeeds", NULL, "%s",
			 pt_last_error());
		return;
	}
	mapped_case(s, r, "across a 2 MiB IOVA boundary (no free 2 MiB hugetlb "
		    "pages: 4 KiB backing)", &t, VFY_PAGE - s->len / 2, true);
}

void vfy_dma_mapped(struct vfy_dma *s)
{
	uint64_t hi = usable_high_end(s);
	char what[96];

	mapped_low(s);
	if (hi < OURS_END + 2 * VFY_PAGE) {
		vfy_skip(vfy_dma_begin(s, "dma.mapped-high"), "the usable IOVA "
			 "space ends at 0x%" PRIx64 ", inside the area the other "
			 "checks use", hi);
	} else {
		snprintf(what, sizeof(what), "top of the usable range (ends at "
			 "0x%" PRIx64 ")", hi - 1);
		mapped_at(s, "dma.mapped-high", what, hi - 2 * VFY_PAGE,
			  2 * VFY_PAGE, 2 * VFY_PAGE - s->len, false);
	}
	mapped_at(s, "dma.mapped-page-boundary", "across a 4 KiB IOVA page "
		  "boundary", PAGE_IOVA - VFY_PAGE, 2 * VFY_PAGE,
		  VFY_PAGE - s->len / 2, true);
	mapped_hugepage_boundary(s);
}

/* ---- unmapped DMA ------------------------------------------------------- */

/* Positive control: the same copy to a mapped page works. */
static int control_copy(struct vfy_dma *s, struct vfy_buf *ctl, uint32_t seed,
			char *why, size_t n)
{
	int ret;

	memset(ctl->addr, 0, VFY_PAGE);
	vfy_src_fill(s, s->ref, s->len, seed);
	ret = vfy_dma_copy(s, s->ref_iova, ctl->iova, s->len);
	if (ret || vfy_src_diff(s, ctl->addr, s->len, seed) >= 0) {
		snprintf(why, n, "positive control failed: copying %" PRIu64
			 " B to the mapped IOVA 0x%" PRIx64 " %s%s, so a blocked "
			 "write would prove nothing", s->len, ctl->iova,
			 vfy_drv_said(s, ret), ret ? "" : " with wrong bytes");
		if (ret)
			vfy_dma_recover(s, "the positive control");
		return -EIO;
	}
	memset(ctl->addr, GUARD_BYTE, ctl->size);
	return 0;
}

static void kmsg_evidence(struct vfy_result *r, struct vfy_kmsg *k)
{
	char lines[1024] = "";
	int n = vfy_kmsg_collect(k, lines, sizeof(lines), 2);

	if (n > 0)
		vfy_evidence_add(r, "kernel log (%d IOMMU fault line%s): %s", n,
				 n > 1 ? "s" : "", lines);
	else if (n == 0)
		vfy_evidence_add(r, "kernel log: no IOMMU fault line (the kernel "
				 "rate-limits them; the verdict rests on the memory)");
	else
		vfy_evidence_add(r, "kernel log: /dev/kmsg unreadable (%s)",
				 strerror(-n));
}

static bool overlaps_ours(uint64_t iova, uint64_t len)
{
	return iova < OURS_END && iova + len > 0;
}

static void never_mapped(struct vfy_dma *s, struct vfy_buf *ctl)
{
	struct vfy_result *r = vfy_dma_begin(s, "dma.unmapped-never-mapped");
	const char *exp = "the IOMMU blocks the write: every sentinel byte and "
			  "the control page unchanged";
	const char *fix = "this device can write memory it was never given: do "
			  "not assign it to untrusted guests; check the IOMMU "
			  "setup (host.* checks) and report a kernel/firmware bug";
	struct vfy_buf sent;
	struct vfy_kmsg k;
	uint64_t target = NEVER_IOVA, phys = 0;
	uint8_t *tva = NULL;	/* the sentinel page aimed at */
	char why[256], aim[160];
	int64_t bad;
	int ret;

	if (!r)
		return;
	if (control_copy(s, ctl, 0x3100, why, sizeof(why)) < 0) {
		vfy_fail(r, exp, "fix the device/driver first (dma.mapped-*)", "%s", why);
		return;
	}
	if (vfy_buf_get(s, &sent, SENTINEL_SIZE, 0, 0, NULL) < 0) {
		vfy_fail(r, exp, NULL, "no memory for the sentinel: %s", pt_last_error());
		return;
	}
	mlock(sent.addr, sent.size);
	memset(sent.addr, SENT_BYTE, sent.size);
	/*
	 * Aim at the host-physical address of a sentinel page: a device that
	 * bypassed translation would write straight into it.  (A device with a
	 * narrow DMA width, like edu's 28 bits, rarely reaches one: Linux hands
	 * user pages out from the top of memory; then a fixed IOVA is used.)
	 */
	for (uint64_t o = 0; o < sent.size; o += VFY_PAGE) {
		phys = vfy_phys((uint8_t *)sent.addr + o);
		if (phys && vfy_iova_usable(s, phys, s->len) &&
		    !overlaps_ours(phys, s->len)) {
			target = phys;
			tva = (uint8_t *)sent.addr + o;
			break;
		}
		phys = 0;
	}
	if (!tva)
		tva = sent.addr;
	if (phys)
		snprintf(aim, sizeof(aim), "IOVA 0x%" PRIx64 " = the host-physical "
			 "address of a sentinel page", target);
	else
		snprintf(aim, sizeof(aim), "IOVA 0x%" PRIx64 " (no sentinel page "
			 "has a physical address this device can reach)", target);
	vfy_src_fill(s, s->ref, s->len, 0x3200);
	if (vfy_inject("leak-never-mapped"))
		pt_iommu_map_dma(s->io, tva, VFY_PAGE, target, PT_DMA_RW);
	vfy_kmsg_open(&k);
	ret = vfy_dma_copy(s, s->ref_iova, target, s->len);
	if (vfy_inject("leak-never-mapped"))
		pt_iommu_unmap_dma(s->io, target, VFY_PAGE);
	if ((bad = vfy_diff_byte(sent.addr, sent.size, SENT_BYTE)) >= 0)
		vfy_fail(r, exp, fix, "device write of %" PRIu64 " B to never-mapped "
			 "%s: sentinel byte +%" PRId64 " changed to 0x%02x", s->len,
			 aim, bad, ((uint8_t *)sent.addr)[bad]);
	else if ((bad = vfy_diff_byte(ctl->addr, ctl->size, GUARD_BYTE)) >= 0)
		vfy_fail(r, exp, fix, "device write of %" PRIu64 " B to never-mapped "
			 "%s landed in the control page at IOVA 0x%" PRIx64 " (+%" PRId64 ")",
			 s->len, aim, ctl->iova, bad);
	else
		vfy_pass(r, "positive control: a %" PRIu64 " B copy to mapped IOVA "
			 "0x%" PRIx64 " worked; then the device wrote %" PRIu64 " B "
			 "to never-mapped %s: driver says %s; all %" PRIu64 " sentinel "
			 "bytes and the control page unchanged", s->len, ctl->iova,
			 s->len, aim, vfy_drv_said(s, ret), (uint64_t)sent.size);
	kmsg_evidence(r, &k);
	vfy_kmsg_close(&k);
	if (ret)
		vfy_dma_recover(s, "a blocked write");
	munlock(sent.addr, sent.size);
	vfy_buf_put(s, &sent);
}

static void after_unmap(struct vfy_dma *s, struct vfy_buf *ctl)
{
	struct vfy_result *r = vfy_dma_begin(s, "dma.unmapped-after-unmap");
	const char *exp = "after the unmap the device's write reaches nothing: "
			  "every byte of the formerly mapped memory unchanged";
	const char *fix = "the IOMMU still translates an unmapped IOVA (stale "
			  "IOTLB entry): do not assign this device to untrusted "
			  "guests and report a kernel bug";
	struct vfy_buf b;
	struct vfy_kmsg k;
	int64_t bad;
	int ret;

	if (!r)
		return;
	if (!vfy_iova_usable(s, UNMAP_IOVA, 2 * VFY_PAGE)) {
		vfy_skip(r, "IOVA 0x%llx is not usable for this device", UNMAP_IOVA);
		return;
	}
	if (vfy_buf_get(s, &b, 2 * VFY_PAGE, UNMAP_IOVA, PT_DMA_RW, NULL) < 0) {
		vfy_fail(r, exp, NULL, "mapping IOVA 0x%llx failed: %s", UNMAP_IOVA,
			 pt_last_error());
		return;
	}
	/* while mapped, the write lands (the positive control) */
	vfy_src_fill(s, s->ref, s->len, 0x3300);
	ret = vfy_dma_copy(s, s->ref_iova, UNMAP_IOVA, s->len);
	if (ret || vfy_src_diff(s, b.addr, s->len, 0x3300) >= 0) {
		vfy_fail(r, exp, "fix the device/driver first (dma.mapped-*)",
			 "positive control failed: the write to IOVA 0x%llx while "
			 "mapped %s%s", UNMAP_IOVA, vfy_drv_said(s, ret),
			 ret ? "" : " with wrong bytes");
		if (ret)
			vfy_dma_recover(s, "the positive control");
		vfy_buf_put(s, &b);
		return;
	}
	if (!vfy_inject("keep-after-unmap") && vfy_buf_unmap(s, &b) < 0) {
		vfy_fail(r, exp, NULL, "unmapping IOVA 0x%llx failed: %s",
			 UNMAP_IOVA, pt_last_error());
		vfy_buf_put(s, &b);
		return;
	}
	memset(b.addr, SENT_BYTE, b.size);
	vfy_src_fill(s, s->ref, s->len, 0x3400);
	vfy_kmsg_open(&k);
	ret = vfy_dma_copy(s, s->ref_iova, UNMAP_IOVA, s->len);
	if ((bad = vfy_diff_byte(b.addr, b.size, SENT_BYTE)) >= 0)
		vfy_fail(r, exp, fix, "the device wrote %" PRIu64 " B to IOVA 0x%llx "
			 "right after it was unmapped and byte +%" PRId64 " of the "
			 "memory it had mapped changed", s->len, UNMAP_IOVA, bad);
	else if ((bad = vfy_diff_byte(ctl->addr, ctl->size, GUARD_BYTE)) >= 0)
		vfy_fail(r, exp, fix, "the write to unmapped IOVA 0x%llx landed in "
			 "the control page (+%" PRId64 ")", UNMAP_IOVA, bad);
	else
		vfy_pass(r, "a %" PRIu64 " B write to IOVA 0x%llx landed while it "
			 "was mapped; after the unmap the same write (driver says %s) "
			 "left all %zu B of that memory unchanged", s->len,
			 UNMAP_IOVA, vfy_drv_said(s, ret), b.size);
	kmsg_evidence(r, &k);
	vfy_kmsg_close(&k);
	if (ret)
		vfy_dma_recover(s, "a blocked write");
	vfy_buf_put(s, &b);
}

void vfy_dma_unmapped(struct vfy_dma *s)
{
	struct vfy_buf ctl;

	if (vfy_buf_get(s, &ctl, VFY_PAGE, CTL_IOVA, PT_DMA_RW, NULL) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "mapping the control page at IOVA 0x%llx "
			 "failed: %s", CTL_IOVA, pt_last_error());
		vfy_fail(vfy_dma_begin(s, "dma.unmapped-never-mapped"), "a mapped "
			 "control page", NULL, "%s", why);
		vfy_fail(vfy_dma_begin(s, "dma.unmapped-after-unmap"), "a mapped "
			 "control page", NULL, "%s", why);
		return;
	}
	never_mapped(s, &ctl);
	after_unmap(s, &ctl);
	vfy_buf_put(s, &ctl);
}

/* ---- read-only mapping -------------------------------------------------- */

void vfy_dma_read_only(struct vfy_dma *s)
{
	struct vfy_result *r = vfy_dma_begin(s, "dma.read-only");
	const char *exp = "the device can read a read-only mapping but its "
			  "writes into it change nothing";
	struct vfy_buf ro;
	struct vfy_kmsg k;
	int64_t bad;
	int ret;

	if (!r)
		return;
	if (!vfy_iova_usable(s, RO_IOVA, VFY_PAGE)) {
		vfy_skip(r, "IOVA 0x%llx is not usable for this device", RO_IOVA);
		return;
	}
	if (vfy_buf_get(s, &ro, VFY_PAGE, RO_IOVA, vfy_inject("ro-as-rw") ?
			PT_DMA_RW : PT_DMA_READ, NULL) < 0) {
		vfy_fail(r, exp, "use a kernel whose IOMMU backend honours "
			 "read-only mappings", "mapping one page read-only at "
			 "IOVA 0x%llx failed: %s", RO_IOVA, pt_last_error());
		return;
	}
	vfy_src_fill(s, ro.addr, VFY_PAGE, 0x4100);
	memset(s->ref, 0, s->len);
	ret = vfy_dma_copy(s, RO_IOVA, s->ref_iova, s->len);
	if (ret || vfy_src_diff(s, s->ref, s->len, 0x4100) >= 0) {
		vfy_fail(r, exp, "fix the device/driver first (dma.mapped-*)",
			 "positive control failed: reading %" PRIu64 " B from the "
			 "read-only mapping %s%s", s->len, vfy_drv_said(s, ret),
			 ret ? "" : " with wrong bytes");
		if (ret)
			vfy_dma_recover(s, "the positive control");
		goto out;
	}
	vfy_src_fill(s, s->ref, s->len, 0x4200);
	vfy_kmsg_open(&k);
	ret = vfy_dma_copy(s, s->ref_iova, RO_IOVA, s->len);
	if ((bad = vfy_src_diff(s, ro.addr, VFY_PAGE, 0x4100)) >= 0)
		vfy_fail(r, exp, "the IOMMU ignores the read-only flag: do not "
			 "rely on read-only mappings (guest ROM) with this kernel",
			 "the device wrote into the read-only page at IOVA 0x%llx "
			 "(byte +%" PRId64 " changed; driver says %s)", RO_IOVA, bad,
			 vfy_drv_said(s, ret));
	else
		vfy_pass(r, "the device read %" PRIu64 " B from read-only IOVA "
			 "0x%llx correctly; its %" PRIu64 " B write there (driver "
			 "says %s) changed none of the page's 4096 bytes", s->len,
			 RO_IOVA, s->len, vfy_drv_said(s, ret));
	kmsg_evidence(r, &k);
	vfy_kmsg_close(&k);
	if (ret)
		vfy_dma_recover(s, "a blocked write");
out:
	vfy_buf_put(s, &ro);
}

/* ---- the battery for one device and backend ------------------------------ */

void vfy_check_dma(struct vfy_report *rep, struct vfy_host *h,
		   const struct pt_device *d, const char *backend)
{
	struct vfy_dma s = { .rep = rep, .host = h, .d = d, .backend = backend };
	struct vfy_result *r;
	char why[768];
	int ret;

	if (!pt_ctx_is_live(h->ctx)) {
		vfy_skip_dma(rep, d, backend, "a captured tree (--root) has no "
			     "device to drive: DMA isolation NOT proven");
		vfy_note(rep, "%s: host checks only (captured tree): DMA isolation "
			 "NOT proven through %s", d->bdf, backend);
		return;
	}
	if (d->iommu_group < 0) {
		vfy_skip_dma(rep, d, backend, "the device has no IOMMU group "
			     "(see host.iommu-enabled): DMA isolation NOT proven");
		vfy_note(rep, "%s: no IOMMU group, so no DMA check could run: DMA "
			 "isolation NOT proven", d->bdf);
		return;
	}
	if (!pt_driver_is_vfio(d->driver)) {
		snprintf(why, sizeof(why), "%s is %s%s, not vfio-pci: run `passthru "
			 "assign %s` first; DMA isolation NOT proven", d->bdf,
			 d->driver[0] ? "bound to " : "not bound to any driver",
			 d->driver, d->bdf);
		vfy_skip_dma(rep, d, backend, why);
		vfy_note(rep, "%s", why);
		return;
	}
	s.ops = pt_driver_find(d->vendor_id, d->device_id, d->class_code);
	if (!s.ops) {
		snprintf(why, sizeof(why), "passthru has no DMA-test driver for "
			 "%04x:%04x class %06x (it has %s), so its DMA cannot be driven",
			 d->vendor_id, d->device_id, d->class_code, pt_driver_list);
		vfy_skip_dma(rep, d, backend, why);
		vfy_note(rep, "%s: host checks only: %s; DMA isolation NOT proven "
			 "through %s", d->bdf, why, backend);
		return;
	}
	r = vfy_begin(rep, d->bdf, backend, "dma.open");
	ret = vfy_dma_open(&s, why, sizeof(why));
	if (ret == -EROFS) {
		/* the driver will not write the device's data (an NVMe
		 * namespace with a filesystem): a refusal, not a fault */
		vfy_dma_close(&s);
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "; DMA isolation NOT proven");
		vfy_skip(r, "%s", why);
		for (int i = 1; vfy_dma_checks[i]; i++)
			vfy_skip(vfy_begin(rep, d->bdf, backend, vfy_dma_checks[i]), "%s", why);
		vfy_note(rep, "%s (%s): the DMA checks did not run: the %s driver refused "
			 "to write the device's data; declare free LBAs with --scratch-lba "
			 "to prove it", d->bdf, backend, s.ops ? s.ops->name : "device's");
		return;
	}
	if (ret < 0) {
		vfy_fail(r, "the device opens through the backend and its driver "
			 "initialises", "see the message; `passthru check` lists "
			 "what the host lacks", "%s", why);
		vfy_dma_close(&s);
		for (int i = 1; vfy_dma_checks[i]; i++)
			vfy_skip(vfy_begin(rep, d->bdf, backend, vfy_dma_checks[i]),
				 "dma.open failed, so nothing could be tried: DMA "
				 "isolation NOT proven");
		return;
	}
	vfy_pass(r, "%s: IOMMU group %d, %s backend%s, usable IOVA 0x%" PRIx64
		 "-0x%" PRIx64 "%s, page sizes 0x%" PRIx64 ", driver %s (%u-bit "
		 "DMA), %" PRIu64 " B per test copy", d->bdf, d->iommu_group, backend,
		 s.info.type1v2 ? " (VFIO_TYPE1v2_IOMMU)" : "",
		 s.info.ranges[0].start, s.info.ranges[0].last,
		 s.info.nr_ranges > 1 ? " and more" : "", s.info.pgsizes,
		 s.ops->name, s.ops->dma_bits, s.len);
	vfy_dma_mapped(&s);
	vfy_dma_unmapped(&s);
	vfy_dma_read_only(&s);
	vfy_map_refusals(&s);
	vfy_irq_msi(&s);
	vfy_reset(&s);
	if (s.broken)
		vfy_note(rep, "%s (%s): %s; the checks after that were skipped",
			 d->bdf, backend, s.broken_why);
	if (vfy_inject_any())
		vfy_note(rep, "%s (%s): FAULT INJECTION (PASSTHRU_VERIFY_INJECT=%s) "
			 "was active: these DMA verdicts describe a simulated broken "
			 "platform, not this host", d->bdf, backend,
			 getenv("PASSTHRU_VERIFY_INJECT"));
	vfy_dma_close(&s);
}
