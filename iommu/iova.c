// SPDX-License-Identifier: MIT
/*
 * iova.c — IOVA allocator: a sorted free list of inclusive ranges.
 *
 * Starts from the kernel's usable ranges; reserved regions, fixed mappings
 * and the DMA width are carved out; allocation is first fit from the lowest
 * address (devices with narrow DMA masks prefer low IOVAs).  Inclusive
 * bounds keep [0, 2^64-1] expressible without overflow.  The lists are
 * short (a few ranges), so linear scans are fine.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iommu/passthru-iommu.h"

/* Opaque (lib/ABI.md rule 2): the free list grows with every hole, so its
 * storage is the library's, reached through pt_iova_free_ranges(). */
struct pt_iova_allocator {
	struct pt_iova_range *free;	/* ascending, disjoint, non-adjacent */
	int nr, cap;
};

static int iova_grow(struct pt_iova_allocator *a, int need)
{
	struct pt_iova_range *n;
	int cap;

	if (need <= a->cap)
		return 0;
	cap = a->cap ? a->cap * 2 : 8;
	while (cap < need)
		cap *= 2;
	n = realloc(a->free, (size_t)cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	a->free = n;
	a->cap = cap;
	return 0;
}

static int range_cmp(const void *x, const void *y)
{
	const struct pt_iova_range *a = x, *b = y;

	return (a->start > b->start) - (a->start < b->start);
}

/* Sorts and merges overlapping or adjacent ranges. */
static void iova_normalise(struct pt_iova_allocator *a)
{
	int i, out = 0;

	if (!a->nr)
		return;
	qsort(a->free, a->nr, sizeof(*a->free), range_cmp);
	for (i = 1; i < a->nr; i++) {
		struct pt_iova_range *last = &a->free[out];

		if (last->last == UINT64_MAX ||
		    a->free[i].start <= last->last + 1) {
			if (a->free[i].last > last->last)
				last->last = a->free[i].last;
		} else {
			a->free[++out] = a->free[i];
		}
	}
	a->nr = out + 1;
}

static int iova_fill(struct pt_iova_allocator *a,
		     const struct pt_iova_range *usable, int nr)
{
	int i;

	if (nr < 0 || (nr && !usable))
		return -EINVAL;
	if (iova_grow(a, nr ? nr : 1) < 0)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (usable[i].last < usable[i].start)
			return -EINVAL;
		a->free[a->nr++] = usable[i];
	}
	iova_normalise(a);
	return 0;
}

int pt_iova_new(struct pt_iova_allocator **out,
		const struct pt_iova_range *usable, int nr)
{
	struct pt_iova_allocator *a = calloc(1, sizeof(*a));
	int ret;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	ret = iova_fill(a, usable, nr);
	if (ret < 0) {
		pt_iova_destroy(a);
		return ret;
	}
	*out = a;
	return 0;
}

void pt_iova_destroy(struct pt_iova_allocator *a)
{
	if (!a)
		return;
	free(a->free);
	free(a);
}

int pt_iova_free_ranges(const struct pt_iova_allocator *a,
			const struct pt_iova_range **out)
{
	*out = a->free;
	return a->nr;
}

int pt_iova_reserve(struct pt_iova_allocator *a, uint64_t start,
		    uint64_t last)
{
	int i;

	if (last < start)
		return -EINVAL;
	for (i = 0; i < a->nr; i++) {
		struct pt_iova_range *r = &a->free[i];

		if (r->last < start || r->start > last)
			continue;
		if (r->start >= start && r->last <= last) {
			/* fully covered: drop it */
			memmove(r, r + 1, (size_t)(a->nr - i - 1) * sizeof(*r));
			a->nr--;
			i--;
		} else if (r->start < start && r->last > last) {
			/* split in two */
			if (iova_grow(a, a->nr + 1) < 0)
				return -ENOMEM;
			r = &a->free[i];
			memmove(r + 1, r, (size_t)(a->nr - i) * sizeof(*r));
			a->nr++;
			r[0].last = start - 1;
			r[1].start = last + 1;
			i++;
		} else if (r->start < start) {
			r->last = start - 1;
		} else {
			r->start = last + 1;
		}
	}
	return 0;
}

int pt_iova_limit(struct pt_iova_allocator *a, unsigned int bits)
{
	if (bits < 1 || bits > 64)
		return -EINVAL;
	if (bits == 64)
		return 0;
	return pt_iova_reserve(a, 1ull << bits, UINT64_MAX);
}

int pt_iova_alloc(struct pt_iova_allocator *a, uint64_t size, uint64_t align,
		  uint64_t *iova)
{
	int i;

	if (!align)
		align = 4096;
	if (!size || (align & (align - 1)))
		return -EINVAL;
	for (i = 0; i < a->nr; i++) {
		const struct pt_iova_range *r = &a->free[i];
		uint64_t start = r->start;

		/* round up, watching for wrap-around at the top */
		if (start & (align - 1)) {
			start = (start | (align - 1));
			if (start == UINT64_MAX)
				continue;
			start++;
		}
		if (start > r->last || r->last - start < size - 1)
			continue;
		*iova = start;
		return pt_iova_reserve(a, start, start + (size - 1));
	}
	return -ENOSPC;
}

int pt_iova_free(struct pt_iova_allocator *a, uint64_t iova, uint64_t size)
{
	uint64_t last;
	int i;

	if (!size || iova + (size - 1) < iova)
		return -EINVAL;
	last = iova + (size - 1);
	for (i = 0; i < a->nr; i++)
		if (!(a->free[i].last < iova || a->free[i].start > last))
			return -EINVAL;	/* part of it is free already */
	if (iova_grow(a, a->nr + 1) < 0)
		return -ENOMEM;
	a->free[a->nr].start = iova;
	a->free[a->nr].last = last;
	a->nr++;
	iova_normalise(a);
	return 0;
}

uint64_t pt_iova_free_bytes(const struct pt_iova_allocator *a)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < a->nr; i++) {
		uint64_t n = a->free[i].last - a->free[i].start + 1;

		if (!n || sum + n < sum)	/* the whole 64-bit space */
			return UINT64_MAX;
		sum += n;
	}
	return sum;
}
