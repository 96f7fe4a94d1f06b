// SPDX-License-Identifier: MIT
/* test-iova.c — the IOVA allocator: ranges, holes, alignment, DMA width,
 * exhaustion, free/merge, double free. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>

#include "iommu/passthru-iommu.h"

static struct pt_iova_allocator *A;

/* VT-d as the lab kernel reports it: the MSI window is a hole */
static const struct pt_iova_range vtd[] = {
	{ 0x0, 0xfedfffffull },
	{ 0xfef00000ull, 0x7fffffffffull },
};

static void init(const struct pt_iova_range *r, int n)
{
	cr_assert_eq(pt_iova_new(&A, r, n), 0);
	cr_assert_not_null(A);
}

/* The free list as the allocator hands it out (opaque: no a->free). */
static const struct pt_iova_range *F;

static int nr_free(void)
{
	return pt_iova_free_ranges(A, &F);
}

static int __alloc(uint64_t size, uint64_t align, uint64_t *iova)
{
	return pt_iova_alloc(A, size, align, iova);
}

static uint64_t alloc(uint64_t size, uint64_t align)
{
	uint64_t iova = 0xdead;

	cr_assert_eq(__alloc(size, align, &iova), 0, "alloc 0x%llx align 0x%llx",
		     (unsigned long long)size, (unsigned long long)align);
	return iova;
}

static void fini(void)
{
	pt_iova_destroy(A);
	A = NULL;
}

TestSuite(iova, .fini = fini);

Test(iova, first_fit_from_the_bottom)
{
	init(vtd, 2);
	cr_assert_eq(nr_free(), 2);
	cr_assert_eq(F[0].start, 0);
	cr_assert_eq(F[0].last, 0xfedfffffull);
	cr_assert_eq(F[1].start, 0xfef00000ull);
	cr_assert_eq(F[1].last, 0x7fffffffffull);
	cr_assert_eq(alloc(0x1000, 0), 0x0);
	cr_assert_eq(alloc(0x1000, 0), 0x1000);
	cr_assert_eq(alloc(0x3000, 0), 0x2000);
	cr_assert_eq(pt_iova_free_bytes(A), 0xfee00000ull + (0x8000000000ull - 0xfef00000ull) - 0x5000);
}

Test(iova, alignment_skips_to_the_next_boundary)
{
	init(vtd, 2);
	cr_assert_eq(alloc(0x1000, 0), 0x0);
	cr_assert_eq(alloc(0x200000, 0x200000), 0x200000);
	/* the gap below 2 MiB is still free and used by the next small one */
	cr_assert_eq(alloc(0x1000, 0), 0x1000);
	cr_assert_eq(alloc(0x40000000, 0x40000000), 0x40000000);
}

Test(iova, bad_arguments)
{
	uint64_t iova;

	init(vtd, 2);
	cr_assert_eq(__alloc(0, 0, &iova), -EINVAL);
	cr_assert_eq(__alloc(0x1000, 0x3000, &iova), -EINVAL);	/* not a power of two */
	cr_assert_eq(pt_iova_reserve(A, 10, 9), -EINVAL);
	cr_assert_eq(pt_iova_limit(A, 0), -EINVAL);
	cr_assert_eq(pt_iova_limit(A, 65), -EINVAL);
	struct pt_iova_range bad = { 5, 4 };
	struct pt_iova_allocator *b = (void *)1;

	cr_assert_eq(pt_iova_new(&b, &bad, 1), -EINVAL);
	cr_assert_null(b, "no allocator on failure");
	cr_assert_eq(pt_iova_new(&b, NULL, 1), -EINVAL);
	cr_assert_eq(pt_iova_new(&b, vtd, -1), -EINVAL);
	cr_assert_null(b);
	pt_iova_destroy(NULL);	/* a no-op, like free() */
}

Test(iova, allocation_does_not_cross_the_msi_hole)
{
	uint64_t iova;

	init(vtd, 2);
	/* leave exactly 1 MiB below the hole */
	cr_assert_eq(pt_iova_reserve(A, 0, 0xfecfffffull), 0);
	cr_assert_eq(alloc(0x100000, 0), 0xfed00000ull);
	/* 2 MiB does not fit below the hole: it goes above it */
	cr_assert_eq(pt_iova_reserve(A, 0xfef00000ull, 0xfeffffffull), 0);
	cr_assert_eq(__alloc(0x200000, 0, &iova), 0);
	cr_assert_eq(iova, 0xff000000ull);
}

Test(iova, reserved_regions_split_ranges)
{
	static const struct pt_iova_range all = { 0, UINT64_MAX };

	init(&all, 1);
	cr_assert_eq(pt_iova_reserve(A, 0xfee00000ull, 0xfeefffffull), 0);
	cr_assert_eq(nr_free(), 2);
	cr_assert_eq(F[0].last, 0xfedfffffull);
	cr_assert_eq(F[1].start, 0xfef00000ull);
	cr_assert_eq(F[1].last, UINT64_MAX);
	/* reserving what is not free is fine and changes nothing */
	cr_assert_eq(pt_iova_reserve(A, 0xfee00000ull, 0xfee0ffffull), 0);
	cr_assert_eq(nr_free(), 2);
	/* reserving across both ranges trims both */
	cr_assert_eq(pt_iova_reserve(A, 0xfed00000ull, 0xfeffffffull), 0);
	cr_assert_eq(nr_free(), 2);
	cr_assert_eq(F[0].last, 0xfecfffffull);
	cr_assert_eq(F[1].start, 0xff000000ull);
}

Test(iova, dma_width_limits_the_top)
{
	uint64_t iova;

	init(vtd, 2);
	cr_assert_eq(pt_iova_limit(A, 28), 0);	/* QEMU edu */
	cr_assert_eq(nr_free(), 1);
	cr_assert_eq(F[0].last, (1ull << 28) - 1);
	cr_assert_eq(pt_iova_free_bytes(A), 1ull << 28);
	cr_assert_eq(alloc(1ull << 27, 0), 0);
	cr_assert_eq(alloc(1ull << 27, 0), 1ull << 27);
	cr_assert_eq(__alloc(0x1000, 0, &iova), -ENOSPC);
}

Test(iova, exhaustion_and_free_merge)
{
	static const struct pt_iova_range r = { 0x10000, 0x13fff };	/* 4 pages */
	uint64_t a, b, c, d, iova;

	init(&r, 1);
	a = alloc(0x1000, 0);
	b = alloc(0x1000, 0);
	c = alloc(0x1000, 0);
	d = alloc(0x1000, 0);
	cr_assert_eq(d, 0x13000);
	cr_assert_eq(__alloc(0x1000, 0, &iova), -ENOSPC);
	cr_assert_eq(pt_iova_free_bytes(A), 0);
	/* free two non-adjacent pages: a hole of 1 page each, 2 pages don't fit */
	cr_assert_eq(pt_iova_free(A, a, 0x1000), 0);
	cr_assert_eq(pt_iova_free(A, c, 0x1000), 0);
	cr_assert_eq(nr_free(), 2);
	cr_assert_eq(__alloc(0x2000, 0, &iova), -ENOSPC);
	/* freeing b merges all three into one range */
	cr_assert_eq(pt_iova_free(A, b, 0x1000), 0);
	cr_assert_eq(nr_free(), 1);
	cr_assert_eq(F[0].start, 0x10000);
	cr_assert_eq(F[0].last, 0x12fff);
	cr_assert_eq(alloc(0x3000, 0), 0x10000);
}

Test(iova, double_free_is_refused)
{
	static const struct pt_iova_range r = { 0x0, 0xffff };

	init(&r, 1);
	cr_assert_eq(alloc(0x2000, 0), 0);
	cr_assert_eq(pt_iova_free(A, 0, 0x2000), 0);
	cr_assert_eq(pt_iova_free(A, 0, 0x2000), -EINVAL);
	cr_assert_eq(pt_iova_free(A, 0x1000, 0x1000), -EINVAL);
	cr_assert_eq(pt_iova_free(A, UINT64_MAX - 0xfff, 0x2000), -EINVAL);	/* wraps */
}

Test(iova, top_of_the_64bit_space)
{
	static const struct pt_iova_range r = { UINT64_MAX - 0x3fff, UINT64_MAX };
	uint64_t iova;

	init(&r, 1);
	cr_assert_eq(alloc(0x4000, 0), UINT64_MAX - 0x3fff);
	cr_assert_eq(__alloc(0x1000, 0, &iova), -ENOSPC);
	cr_assert_eq(pt_iova_free(A, UINT64_MAX - 0x3fff, 0x4000), 0);
	/* an alignment that rounds past the top must not wrap to 0 */
	cr_assert_eq(__alloc(0x1000, 1ull << 63, &iova), -ENOSPC);
}

Test(iova, overlapping_usable_ranges_are_merged)
{
	static const struct pt_iova_range r[] = {
		{ 0x5000, 0x8fff }, { 0x0, 0x1fff }, { 0x2000, 0x5fff },
	};

	init(r, 3);
	cr_assert_eq(nr_free(), 1);
	cr_assert_eq(F[0].start, 0);
	cr_assert_eq(F[0].last, 0x8fff);
}

Test(iova, many_holes_grow_the_list)
{
	static const struct pt_iova_range r = { 0, (1ull << 20) - 1 };
	int i;

	init(&r, 1);
	for (i = 0; i < 100; i++)
		cr_assert_eq(pt_iova_reserve(A, (uint64_t)i * 0x2000 + 0x1000, (uint64_t)i * 0x2000 + 0x1fff), 0);
	cr_assert_eq(nr_free(), 101);
	cr_assert_eq(F[0].start, 0);
	cr_assert_eq(F[0].last, 0xfff);
	cr_assert_eq(F[99].start, 99 * 0x2000);
	cr_assert_eq(F[99].last, 99 * 0x2000 + 0xfff);
	cr_assert_eq(F[100].start, 100 * 0x2000);
	cr_assert_eq(F[100].last, (1ull << 20) - 1);
	cr_assert_eq(alloc(0x1000, 0), 0);
	cr_assert_eq(alloc(0x1000, 0), 0x2000);
	cr_assert_eq(alloc(0x2000, 0), 200 * 0x1000);	/* first gap of 2 pages */
}

/* No usable range (a kernel that reports none is handled by the caller):
 * an empty allocator that refuses every allocation. */
Test(iova, empty_allocator)
{
	uint64_t iova = 0xdead;

	init(NULL, 0);
	cr_assert_eq(nr_free(), 0);
	cr_assert_eq(pt_iova_free_bytes(A), 0);
	cr_assert_eq(__alloc(0x1000, 0, &iova), -ENOSPC);
	cr_assert_eq(iova, 0xdead);
	cr_assert_eq(pt_iova_free(A, 0x1000, 0x1000), 0);
	cr_assert_eq(nr_free(), 1);
	cr_assert_eq(F[0].start, 0x1000);
	cr_assert_eq(F[0].last, 0x1fff);
}
