// SPDX-License-Identifier: MIT
/* test-vfio-caps.c — the capability-chain walker on crafted
 * VFIO_DEVICE_GET_REGION_INFO and VFIO_IOMMU_GET_INFO answers, including
 * malformed, truncated and looping chains. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/passthru.h"
#include "iommu/iommu-priv.h"
#include "vfio/vfio-priv.h"

static uint8_t buf[8192];
static size_t len;
static struct pt_vfio_region R;
static struct pt_vfio_area *A;		/* R.sparse, the parser's allocation */

static void free_areas(void)
{
	free(A);
	A = NULL;
}

TestSuite(vfio_caps, .fini = free_areas);

/* A region info header with caps starting at first (0 = none). */
static void region(uint64_t size, uint32_t first)
{
	struct vfio_region_info *ri = (void *)buf;

	memset(buf, 0, sizeof(buf));
	ri->argsz = sizeof(buf);
	ri->index = 0;
	ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		    VFIO_REGION_INFO_FLAG_MMAP | (first ? VFIO_REGION_INFO_FLAG_CAPS : 0);
	ri->cap_offset = first;
	ri->size = size;
	ri->offset = 0x10000000000ull;
	len = sizeof(*ri);
}

static void hdr(uint32_t off, uint16_t id, uint32_t next)
{
	struct vfio_info_cap_header h = { .id = id, .version = 1, .next = next };

	memcpy(buf + off, &h, sizeof(h));
	if (off + sizeof(h) > len)
		len = off + sizeof(h);
}

/* sparse cap at off with n areas; returns its end */
static uint32_t sparse(uint32_t off, uint32_t next, uint32_t n,
		       const uint64_t (*areas)[2])
{
	uint32_t i;

	hdr(off, VFIO_REGION_INFO_CAP_SPARSE_MMAP, next);
	memcpy(buf + off + 8, &n, 4);
	for (i = 0; i < n; i++)
		memcpy(buf + off + 16 + i * 16, areas[i], 16);
	if (off + 16 + n * 16 > len)
		len = off + 16 + n * 16;
	return off + 16 + n * 16;
}

static int __parse(void)
{
	free_areas();
	return pt_vfio_parse_region_info(buf, len, &R, &A);
}

static void parse(void)
{
	cr_assert_eq(__parse(), 0, "%s", pt_last_error());
}

Test(vfio_caps, no_capabilities)
{
	region(0x100000, 0);
	parse();
	cr_assert_eq(R.size, sizeof(R));
	cr_assert_eq(R.region_size, 0x100000);
	cr_assert_eq(R.offset, 0x10000000000ull);
	cr_assert(R.readable && R.writable && R.mmappable);
	cr_assert_not(R.has_sparse);
	cr_assert_not(R.msix_mappable);
}

Test(vfio_caps, sparse_areas_around_an_msix_table)
{
	static const uint64_t a[2][2] = { { 0x0, 0x2000 }, { 0x3000, 0x1000 } };

	region(0x4000, 32);
	sparse(32, 0, 2, a);
	parse();
	cr_assert(R.has_sparse);
	cr_assert_eq(R.nr_sparse, 2);
	cr_assert_eq(R.sparse, A);
	cr_assert_eq(R.sparse[0].offset, 0);
	cr_assert_eq(R.sparse[0].size, 0x2000);
	cr_assert_eq(R.sparse[1].offset, 0x3000);
	cr_assert_eq(R.sparse[1].size, 0x1000);
}

Test(vfio_caps, chain_of_three)
{
	static const uint64_t a[1][2] = { { 0x1000, 0x1000 } };
	uint32_t end;
	uint32_t ts[2] = { 0x80000000u | 0x8086, 3 };

	region(0x2000, 32);
	end = sparse(32, 64, 1, a);
	cr_assert_eq(end, 64);
	hdr(64, VFIO_REGION_INFO_CAP_TYPE, 80);
	memcpy(buf + 72, ts, 8);
	len = 80;
	hdr(80, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 0);
	parse();
	cr_assert(R.has_sparse);
	cr_assert_eq(R.nr_sparse, 1);
	cr_assert(R.has_type);
	cr_assert_eq(R.type, 0x80008086u);
	cr_assert_eq(R.subtype, 3);
	cr_assert(R.msix_mappable);
}

Test(vfio_caps, unknown_capabilities_are_skipped)
{
	region(0x1000, 32);
	hdr(32, 0x7777, 48);
	hdr(48, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 0);
	parse();
	cr_assert(R.msix_mappable);
}

Test(vfio_caps, self_loop_is_rejected)
{
	region(0x1000, 32);
	hdr(32, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 32);
	cr_assert_eq(__parse(), -EBADMSG);
	cr_assert(strstr(pt_last_error(), "points back to offset 32"), "%s", pt_last_error());
}

Test(vfio_caps, backward_loop_is_rejected)
{
	region(0x1000, 32);
	hdr(32, 0x7777, 48);
	hdr(48, 0x7777, 32);
	cr_assert_eq(__parse(), -EBADMSG);
	cr_assert(strstr(pt_last_error(), "capability 30583 at offset 48 points back to offset 32"),
		  "%s", pt_last_error());
}

Test(vfio_caps, next_into_its_own_header_is_rejected)
{
	region(0x1000, 32);
	hdr(32, 0x7777, 36);
	len = 64;
	cr_assert_eq(__parse(), -EBADMSG);
}

Test(vfio_caps, next_past_the_buffer_is_rejected)
{
	region(0x1000, 32);
	hdr(32, 0x7777, 4096);
	len = 64;
	cr_assert_eq(__parse(), -EBADMSG);
	cr_assert(strstr(pt_last_error(), "points out to offset 4096"), "%s", pt_last_error());
}

Test(vfio_caps, first_offset_inside_the_header_is_rejected)
{
	region(0x1000, 8);	/* points into the info structure itself */
	len = 64;
	cr_assert_eq(__parse(), -EBADMSG);
	cr_assert(strstr(pt_last_error(), "region 0: capability at offset 8 lies outside"), "%s", pt_last_error());
}

Test(vfio_caps, misaligned_offset_is_rejected)
{
	region(0x1000, 34);
	len = 64;
	cr_assert_eq(__parse(), -EBADMSG);
}

Test(vfio_caps, header_cut_by_the_end_is_rejected)
{
	region(0x1000, 32);
	len = 36;	/* half a header */
	cr_assert_eq(__parse(), -EBADMSG);
}

Test(vfio_caps, argsz_limits_the_bytes_used)
{
	region(0x1000, 32);
	hdr(32, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 0);
	((struct vfio_region_info *)buf)->argsz = 32;	/* kernel filled only the header */
	cr_assert_eq(__parse(), -EBADMSG);
	((struct vfio_region_info *)buf)->argsz = 16;
	cr_assert_eq(__parse(), -EBADMSG);
	cr_assert(strstr(pt_last_error(), "argsz 16 is smaller"), "%s", pt_last_error());
}

Test(vfio_caps, truncated_info_is_rejected)
{
	region(0x1000, 0);
	cr_assert_eq(pt_vfio_parse_region_info(buf, 31, &R, &A), -EBADMSG);
	cr_assert_null(A);
	cr_assert_eq(pt_vfio_parse_region_info(buf, 0, &R, &A), -EBADMSG);
	cr_assert_null(A);
}

Test(vfio_caps, sparse_count_larger_than_the_bytes)
{
	static const uint64_t a[1][2] = { { 0, 0x1000 } };

	region(0x1000, 32);
	sparse(32, 0, 1, a);
	*(uint32_t *)(buf + 40) = 1000;	/* claims 1000 areas */
	cr_assert_eq(__parse(), -EBADMSG);
	cr_assert(strstr(pt_last_error(), "claims 1000 areas"), "%s", pt_last_error());
	cr_assert_null(A);
	cr_assert_null(R.sparse);
}

Test(vfio_caps, sparse_area_outside_the_region)
{
	static const uint64_t out[1][2] = { { 0x1000, 0x1000 } };
	static const uint64_t wrap[1][2] = { { 0x800, UINT64_MAX } };

	region(0x1000, 32);
	sparse(32, 0, 1, out);
	cr_assert_eq(__parse(), -EBADMSG);
	region(0x1000, 32);
	sparse(32, 0, 1, wrap);
	cr_assert_eq(__parse(), -EBADMSG);
	cr_assert(strstr(pt_last_error(), "lies outside the 0x1000-byte region"), "%s", pt_last_error());
}

Test(vfio_caps, sparse_area_must_not_run_into_the_next_cap)
{
	static const uint64_t a[2][2] = { { 0, 0x800 }, { 0x800, 0x800 } };

	region(0x1000, 32);
	sparse(32, 56, 2, a);	/* 2 areas need 48..80, next cap at 56 */
	hdr(80, 0x7777, 0);
	cr_assert_eq(__parse(), -EBADMSG);
}

/* No cap on the count (there was one of 16): every area comes back. */
Test(vfio_caps, more_than_16_sparse_areas_all_come_back)
{
	static uint64_t a[40][2];

	for (int i = 0; i < 40; i++) {
		a[i][0] = i * 0x2000;
		a[i][1] = 0x1000 + i * 8;
	}
	region(0x50000, 32);
	sparse(32, 0, 40, (const uint64_t (*)[2])a);
	parse();
	cr_assert(R.has_sparse);
	cr_assert_eq(R.nr_sparse, 40);
	cr_assert_eq(R.sparse, A);
	for (int i = 0; i < 40; i++) {
		cr_assert_eq(R.sparse[i].offset, i * 0x2000ull, "area %d", i);
		cr_assert_eq(R.sparse[i].size, 0x1000ull + i * 8, "area %d", i);
	}
	/* the 41st area's bytes are missing: the count is still checked */
	*(uint32_t *)(buf + 40) = 41;
	cr_assert_eq(__parse(), -EBADMSG);
	cr_assert(strstr(pt_last_error(), "claims 41 areas"), "%s", pt_last_error());
}

/* A chain with two sparse capabilities: the last one counts, the first's
 * areas are not leaked (ASan). */
Test(vfio_caps, second_sparse_capability_replaces_the_first)
{
	static const uint64_t one[1][2] = { { 0, 0x1000 } };
	static const uint64_t two[2][2] = { { 0x1000, 0x1000 }, { 0x3000, 0x1000 } };

	region(0x4000, 32);
	cr_assert_eq(sparse(32, 64, 1, one), 64);
	sparse(64, 0, 2, two);
	parse();
	cr_assert_eq(R.nr_sparse, 2);
	cr_assert_eq(R.sparse[0].offset, 0x1000);
	cr_assert_eq(R.sparse[1].offset, 0x3000);
}

Test(vfio_caps, long_chain_is_cut_at_64)
{
	uint32_t off;

	region(0x1000, 32);
	for (off = 32; off < 32 + 70 * 8; off += 8)
		hdr(off, 0x7777, off + 8 < 32 + 70 * 8 ? off + 8 : 0);
	cr_assert_eq(__parse(), -EBADMSG);
	cr_assert(strstr(pt_last_error(), "longer than 64"), "%s", pt_last_error());
	region(0x1000, 32);
	for (off = 32; off < 32 + 64 * 8; off += 8)
		hdr(off, 0x7777, off + 8 < 32 + 64 * 8 ? off + 8 : 0);
	parse();
}

/* ---- type1 IOMMU info (the parser is internal: iommu/iommu-priv.h) ---- */
static struct pt_iommu_kinfo I;

/* The parsed ranges are an allocation of their own (ASan: no leak). */
static void release_info(void)
{
	pt_iommu_kinfo_release(&I);
}

static void iommu(uint32_t first)
{
	struct vfio_iommu_type1_info *ti = (void *)buf;

	memset(buf, 0, sizeof(buf));
	pt_iommu_kinfo_release(&I);
	memset(&I, 0, sizeof(I));
	ti->argsz = sizeof(buf);
	ti->flags = VFIO_IOMMU_INFO_PGSIZES | (first ? VFIO_IOMMU_INFO_CAPS : 0);
	ti->iova_pgsizes = 0x40201000;
	ti->cap_offset = first;
	len = sizeof(*ti);
}

static void ranges(uint32_t off, uint32_t next, uint32_t n, const uint64_t (*r)[2])
{
	hdr(off, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, next);
	memcpy(buf + off + 8, &n, 4);
	for (uint32_t i = 0; i < n; i++)
		memcpy(buf + off + 16 + i * 16, r[i], 16);
	if (off + 16 + n * 16 > len)
		len = off + 16 + n * 16;
}

Test(vfio_caps, type1_ranges_and_dma_avail, .fini = release_info)
{
	static const uint64_t r[2][2] = { { 0, 0xfedfffff }, { 0xfef00000, 0x7fffffffff } };
	uint32_t avail = 65535;

	iommu(24);
	ranges(24, 72, 2, r);
	hdr(72, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 0);
	memcpy(buf + 80, &avail, 4);
	len = 84;
	cr_assert_eq(pt_iommu_parse_type1_info(buf, len, &I), 0, "%s", pt_last_error());
	cr_assert_eq(I.pgsizes, 0x40201000);
	cr_assert_eq(I.nr_ranges, 2);
	cr_assert_eq(I.ranges[1].start, 0xfef00000);
	cr_assert_eq(I.ranges[1].last, 0x7fffffffff);
	cr_assert(I.dma_avail_known);
	cr_assert_eq(I.dma_avail, 65535);
}

Test(vfio_caps, type1_inverted_range_is_rejected, .fini = release_info)
{
	static const uint64_t r[1][2] = { { 0x2000, 0x1000 } };

	iommu(24);
	ranges(24, 0, 1, r);
	cr_assert_eq(pt_iommu_parse_type1_info(buf, len, &I), -EBADMSG);
	cr_assert_str_eq(pt_last_error(), "type1 info: IOVA range 0 ends (0x1000) before it starts (0x2000)");
	cr_assert_null(I.ranges, "no half-parsed ranges are kept");
	cr_assert_eq(I.nr_ranges, 0);
}

Test(vfio_caps, type1_range_count_overflow_is_rejected, .fini = release_info)
{
	static const uint64_t r[1][2] = { { 0, 0xfff } };

	iommu(24);
	ranges(24, 0, 1, r);
	*(uint32_t *)(buf + 32) = 0x10000001;	/* * 16 would wrap a 32-bit size */
	cr_assert_eq(pt_iommu_parse_type1_info(buf, len, &I), -EBADMSG);
}

/* No cap on the ranges any more (struct pt_iommu_info held 32): 500 of
 * them, every one back, in order; an inverted one past the old cap is
 * still caught. */
Test(vfio_caps, type1_more_than_32_ranges, .fini = release_info)
{
	static uint64_t r[500][2];

	for (int i = 0; i < 500; i++) {
		r[i][0] = (uint64_t)i << 20;
		r[i][1] = ((uint64_t)i << 20) + 0xfff;
	}
	iommu(24);
	ranges(24, 0, 500, (const uint64_t (*)[2])r);
	cr_assert_eq(len, 24 + 16 + 500 * 16);
	cr_assert_eq(pt_iommu_parse_type1_info(buf, len, &I), 0, "%s", pt_last_error());
	cr_assert_eq(I.nr_ranges, 500);
	cr_assert_eq(I.ranges[0].start, 0);
	cr_assert_eq(I.ranges[0].last, 0xfff);
	cr_assert_eq(I.ranges[31].start, 31ull << 20);
	cr_assert_eq(I.ranges[32].start, 32ull << 20);
	cr_assert_eq(I.ranges[32].last, (32ull << 20) + 0xfff);
	cr_assert_eq(I.ranges[499].start, 499ull << 20);
	cr_assert_eq(I.ranges[499].last, (499ull << 20) + 0xfff);
	for (int i = 0; i < 500; i++)
		cr_assert_eq(I.ranges[i].start, (uint64_t)i << 20, "range %d", i);
	cr_assert_eq(I.pgsizes, 0x40201000);

	r[400][1] = 0;
	iommu(24);
	ranges(24, 0, 500, (const uint64_t (*)[2])r);
	cr_assert_eq(pt_iommu_parse_type1_info(buf, len, &I), -EBADMSG);
	cr_assert_str_eq(pt_last_error(), "type1 info: IOVA range 400 ends (0x0) before it starts (0x19000000)");
	cr_assert_null(I.ranges);
}

/* A second IOVA-range capability replaces the first (no leak, no mix). */
Test(vfio_caps, type1_second_range_cap_replaces_the_first, .fini = release_info)
{
	static const uint64_t a[3][2] = { { 0, 0xfff }, { 0x2000, 0x2fff }, { 0x4000, 0x4fff } };
	static const uint64_t b[1][2] = { { 0x100000, 0x1fffff } };

	iommu(24);
	ranges(24, 88, 3, a);
	ranges(88, 0, 1, b);
	cr_assert_eq(pt_iommu_parse_type1_info(buf, len, &I), 0, "%s", pt_last_error());
	cr_assert_eq(I.nr_ranges, 1);
	cr_assert_eq(I.ranges[0].start, 0x100000);
	cr_assert_eq(I.ranges[0].last, 0x1fffff);
}

Test(vfio_caps, type1_without_caps, .fini = release_info)
{
	iommu(0);
	cr_assert_eq(pt_iommu_parse_type1_info(buf, len, &I), 0);
	cr_assert_eq(I.nr_ranges, 0);
	cr_assert_not(I.dma_avail_known);
	cr_assert_eq(pt_iommu_parse_type1_info(buf, 16, &I), -EBADMSG);
}
