// SPDX-License-Identifier: MIT
/* test-iommu-info.c — pt_iommu_get_info() on a handle whose backend is a
 * fake (no /dev/vfio needed): every usable range comes back, owned by the
 * handle, and the struct is written as far as the caller's .size reaches
 * (lib/ABI.md rule 3).  Also the IOVA allocator glue and the "outside the
 * usable ranges" message built on the same answer, which otherwise only
 * the lab reaches. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/passthru.h"
#include "iommu/iommu-priv.h"

/* The fake kernel: call n answers nr_fake + (n - 1) * grow ranges
 * [i MiB, i MiB + 4 KiB), or fails when n is fail_at. */
static int calls, fail_at, nr_fake, grow;

static int fake_get_info(struct pt_iommu *io, struct pt_iommu_kinfo *k)
{
	int n = nr_fake + calls++ * grow;

	if (calls == fail_at)
		return -EIO;
	if (!n)
		return 0;
	k->type1v2 = true;
	k->pgsizes = 0x40201000;
	k->dma_avail_known = true;
	k->dma_avail = 65000 + calls;
	k->ranges = calloc(n, sizeof(*k->ranges));
	cr_assert_not_null(k->ranges);
	for (int i = 0; i < n; i++) {
		k->ranges[i].start = (uint64_t)i << 20;
		k->ranges[i].last = ((uint64_t)i << 20) + 0xfff;
	}
	k->nr_ranges = n;
	return 0;
}

/* Maps what lies inside one of the fake's ranges, like the kernel. */
static int fake_map(struct pt_iommu *io, void *vaddr, uint64_t len,
		    uint64_t iova, unsigned int flags)
{
	for (int i = 0; i < nr_fake; i++)
		if (iova >= (uint64_t)i << 20 && iova + len - 1 <= ((uint64_t)i << 20) + 0xfff)
			return 0;
	return -EINVAL;
}

static int fake_unmap(struct pt_iommu *io, uint64_t iova, uint64_t len)
{
	return 0;
}

static void fake_close(struct pt_iommu *io)
{
}

static const struct pt_iommu_ops fake_ops = {
	.name = "fake",
	.close = fake_close,
	.map = fake_map,
	.unmap = fake_unmap,
	.get_info = fake_get_info,
};

static struct pt_iommu *io;

/* Two devices, one mapping of 2 MiB: what the counts must say. */
static void setup(void)
{
	calls = 0;
	fail_at = 0;
	nr_fake = 20;
	grow = 0;
	io = calloc(1, sizeof(*io));
	cr_assert_not_null(io);
	io->ops = &fake_ops;
	io->backend = PT_IOMMU_TYPE1;
	io->fd = -1;
	io->nr_devices = 2;
	io->dma_bits = 64;
	io->maps = calloc(1, sizeof(*io->maps));
	cr_assert_not_null(io->maps);
	io->maps[0] = (struct pt_iommu_mapping){ .iova = 0, .len = 2 << 20 };
	io->nr_maps = io->cap_maps = 1;
	io->pinned = 2 << 20;
}

/* pt_iommu_close() frees the ranges the handle handed out (ASan: no
 * leak). */
static void teardown(void)
{
	pt_iommu_close(io);
	io = NULL;
}

TestSuite(iommu_info, .init = setup, .fini = teardown);

static void assert_ranges(const struct pt_iommu_info *info, int n)
{
	cr_assert_eq(info->nr_ranges, n);
	cr_assert_not_null(info->ranges);
	for (int i = 0; i < n; i++) {
		cr_assert_eq(info->ranges[i].start, (uint64_t)i << 20, "range %d", i);
		cr_assert_eq(info->ranges[i].last, ((uint64_t)i << 20) + 0xfff, "range %d", i);
	}
}

/* More than the 32 ranges struct pt_iommu_info used to hold. */
Test(iommu_info, every_range_and_the_counts)
{
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT;

	grow = 20;
	cr_assert_eq(pt_iommu_get_info(io, &info), 0, "%s", pt_last_error());
	cr_assert_eq(info.size, sizeof(info));
	cr_assert_eq(info.backend, PT_IOMMU_TYPE1);
	cr_assert(info.type1v2);
	cr_assert_eq(info.ioas_id, 0);
	cr_assert_eq(info.pgsizes, 0x40201000);
	assert_ranges(&info, 20);
	cr_assert(info.dma_avail_known);
	cr_assert_eq(info.dma_avail, 65001);
	cr_assert_eq(info.nr_devices, 2);
	cr_assert_eq(info.nr_mappings, 1);
	cr_assert_eq(info.mapped_bytes, 2 << 20);

	cr_assert_eq(pt_iommu_get_info(io, &info), 0, "%s", pt_last_error());
	assert_ranges(&info, 40);
	cr_assert_eq(info.ranges, io->info_ranges, "the handle's storage");
	cr_assert_eq(info.dma_avail, 65002);
}

/* A failed query writes the counts without ranges and leaves the ranges
 * of the last answer where they were (ASan: no use after free). */
Test(iommu_info, a_failed_query_keeps_the_earlier_ranges)
{
	struct pt_iommu_info first = PT_IOMMU_INFO_INIT, again = PT_IOMMU_INFO_INIT;

	fail_at = 2;
	cr_assert_eq(pt_iommu_get_info(io, &first), 0, "%s", pt_last_error());
	memset(&again, 0xaa, sizeof(again));
	again.size = sizeof(again);
	cr_assert_eq(pt_iommu_get_info(io, &again), -EIO);
	cr_assert_eq(again.nr_ranges, 0);
	cr_assert_null(again.ranges);
	cr_assert_not(again.dma_avail_known);
	cr_assert_eq(again.backend, PT_IOMMU_TYPE1);
	cr_assert_eq(again.nr_devices, 2);
	cr_assert_eq(again.nr_mappings, 1);
	cr_assert_eq(again.mapped_bytes, 2 << 20);
	assert_ranges(&first, 20);
	cr_assert_eq(first.ranges, io->info_ranges);
}

/* lib/ABI.md rule 3: an older caller's smaller struct gets the fields it
 * knows of and nothing past them. */
Test(iommu_info, an_older_callers_struct_ends_where_it_ends)
{
	struct pt_iommu_info old;
	size_t old_size = offsetof(struct pt_iommu_info, ranges);

	memset(&old, 0xaa, sizeof(old));
	old.size = old_size;
	cr_assert_eq(pt_iommu_get_info(io, &old), 0, "%s", pt_last_error());
	cr_assert_eq(old.size, old_size, "the caller's size is kept");
	cr_assert_eq(old.backend, PT_IOMMU_TYPE1);
	cr_assert(old.type1v2);
	cr_assert_eq(old.pgsizes, 0x40201000);
	cr_assert_eq((uintptr_t)old.ranges, (uintptr_t)0xaaaaaaaaaaaaaaaaull,
		     "nothing past the caller's size");
	cr_assert_eq((unsigned int)old.nr_ranges, 0xaaaaaaaau);
	cr_assert_eq(old.mapped_bytes, 0xaaaaaaaaaaaaaaaaull);
}

/* A newer caller's larger struct: this library's fields, then zeros. */
Test(iommu_info, a_newer_callers_tail_is_zeroed)
{
	struct {
		struct pt_iommu_info info;
		unsigned char newer[16];
	} big;

	memset(&big, 0xaa, sizeof(big));
	big.info.size = sizeof(big);
	cr_assert_eq(pt_iommu_get_info(io, &big.info), 0, "%s", pt_last_error());
	cr_assert_eq(big.info.size, sizeof(big));
	assert_ranges(&big.info, 20);
	cr_assert_eq(big.info.mapped_bytes, 2 << 20);
	for (size_t i = 0; i < sizeof(big.newer); i++)
		cr_assert_eq(big.newer[i], 0, "a newer caller's tail is zero");
}

/* Without its size: -EINVAL naming the fix, nothing written, and the
 * handle's ranges from before untouched. */
Test(iommu_info, a_struct_without_its_size_is_refused)
{
	struct pt_iommu_info first = PT_IOMMU_INFO_INIT, bad;

	cr_assert_eq(pt_iommu_get_info(io, &first), 0, "%s", pt_last_error());
	memset(&bad, 0xaa, sizeof(bad));
	bad.size = 0;
	cr_assert_eq(pt_iommu_get_info(io, &bad), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "pt_iommu_get_info: struct pt_iommu_info: "
			 ".size is 0; fix: start from PT_IOMMU_INFO_INIT");
	cr_assert_eq(bad.nr_devices, (int)0xaaaaaaaa, "nothing written");
	assert_ranges(&first, 20);
	cr_assert_eq(first.ranges, io->info_ranges);
}

/* The allocator starts from the kernel's ranges minus what is mapped: the
 * handle's 2 MiB at IOVA 0 covers the first two, so the third it is; then
 * nothing is left.  Neither touches the ranges a caller holds. */
Test(iommu_info, map_dma_alloc_uses_the_free_ranges)
{
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT;
	const struct pt_iova_range *held;
	uint64_t iova = 0;

	nr_fake = 3;
	cr_assert_eq(pt_iommu_get_info(io, &info), 0, "%s", pt_last_error());
	held = info.ranges;
	cr_assert_eq(pt_iommu_map_dma_alloc(io, (void *)0x10000, 4096, PT_DMA_RW, &iova), 0,
		     "%s", pt_last_error());
	cr_assert_eq(iova, 0x200000);
	cr_assert_eq(pt_iommu_map_dma_alloc(io, (void *)0x20000, 4096, PT_DMA_RW, &iova), -ENOSPC);
	cr_assert_str_eq(pt_last_error(), "type1: no free IOVA range of 4 KiB below 2^64 (the "
			 "device's DMA width) outside reserved regions: No space left on "
			 "device; unmap something or map less");
	cr_assert_eq(io->info_ranges, held, "the allocator let the handle's ranges be");
	assert_ranges(&info, 3);
	cr_assert_eq(pt_iommu_get_info(io, &info), 0, "%s", pt_last_error());
	cr_assert_eq(info.nr_mappings, 2);
	cr_assert_eq(info.mapped_bytes, (2 << 20) + 4096);
	cr_assert_eq(calls, 4, "one kernel query per allocation, one per get_info");
}

/* A refused IOVA outside the ranges: the message names the ranges, and
 * the ranges a caller holds from pt_iommu_get_info() stay valid (the
 * message asks the backend itself; ASan: no use after free). */
Test(iommu_info, a_map_outside_the_ranges_names_them)
{
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT;

	nr_fake = 3;
	cr_assert_eq(pt_iommu_get_info(io, &info), 0, "%s", pt_last_error());
	cr_assert_eq(pt_iommu_map_dma(io, (void *)0x10000, 4096, 0x40000000, PT_DMA_RW), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "type1: cannot map 4 KiB at IOVA 0x40000000: Invalid "
			 "argument: the range 0x40000000-0x40000fff is outside the usable IOVA "
			 "ranges (0x0-0xfff, 0x100000-0x100fff, 0x200000-0x200fff); pick an IOVA "
			 "inside them or let pt_iommu_map_dma_alloc() choose");
	cr_assert_eq(info.ranges, io->info_ranges);
	assert_ranges(&info, 3);
}
