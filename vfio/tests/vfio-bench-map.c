// SPDX-License-Identifier: MIT
/*
 * vfio-bench-map BDF [SIZE] — DMA map+unmap throughput (make bench).
 *
 * For each backend the kernel offers (type1, iommufd) and each memory kind
 * (anonymous 4 KiB pages, 2 MiB hugetlb), maps SIZE (default 1 GiB) of
 * memory and unmaps it again, once in one call and once page by page (one
 * ioctl per 4 KiB or 2 MiB page), and prints a table with ratios.  The
 * memory is touched first, so the figures are pinning + IOMMU page-table
 * work, not page faults.  Each figure is the median of RUNS repetitions
 * ($BENCH_RUNS, default 3; page-by-page 4 KiB runs once — it is slow).
 * Runs in the lab (emulated VT-d: figures are emulated-IOMMU numbers) and
 * on real hardware alike.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "vfio/passthru-vfio.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

struct row {
	const char *backend, *mem;
	uint64_t pages;
	double one, paged;	/* seconds, map + unmap */
	bool ok, windowed;
};

/*
 * map+unmap [addr, addr+size) in chunks of chunk bytes, at most `live`
 * mappings at a time (type1 caps the number of mappings of a container at
 * dma_entry_limit, 65535 by default, which 1 GiB in 4 KiB pages exceeds:
 * the same number of ioctls is then done in windows).  ns, or 0 on error.
 */
static uint64_t map_unmap(struct pt_iommu *io, uint8_t *addr, uint64_t size,
			  uint64_t chunk, uint64_t iova, uint64_t live)
{
	uint64_t t0 = now_ns(), win = live * chunk, w, off;

	for (w = 0; w < size; w += win) {
		uint64_t end = w + win < size ? w + win : size;

		for (off = w; off < end; off += chunk)
			if (pt_iommu_map_dma(io, addr + off, chunk, iova + off, PT_DMA_RW) < 0) {
				fprintf(stderr, "vfio-bench-map: %s\n", pt_last_error());
				while (off > w) {
					off -= chunk;
					pt_iommu_unmap_dma(io, iova + off, chunk);
				}
				return 0;
			}
		for (off = w; off < end; off += chunk)
			if (pt_iommu_unmap_dma(io, iova + off, chunk) < 0) {
				fprintf(stderr, "vfio-bench-map: %s\n", pt_last_error());
				return 0;
			}
	}
	return now_ns() - t0;
}

static double median_s(struct pt_iommu *io, uint8_t *addr, uint64_t size,
		       uint64_t chunk, uint64_t iova, int runs, uint64_t live)
{
	uint64_t t[16];
	int i;

	for (i = 0; i < runs; i++) {
		t[i] = map_unmap(io, addr, size, chunk, iova, live);
		if (!t[i])
			return -1;
	}
	qsort(t, runs, sizeof(t[0]), cmp_u64);
	return t[runs / 2] / 1e9;
}

static int bench(enum pt_iommu_backend be, const char *bdf, uint64_t size,
		 int runs, struct row *rows, int *nr)
{
	static const enum pt_mem_kind kinds[] = { PT_MEM_ANON, PT_MEM_HUGE_2M };
	struct pt_iommu *io;
	struct pt_vfio_device *d;
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT;
	uint64_t iova = 1ull << 32;	/* above the 32-bit MSI hole */
	uint64_t live;
	int k, ret;

	ret = pt_iommu_open(&io, be);
	if (ret < 0) {
		fprintf(stderr, "vfio-bench-map: %s\n", pt_last_error());
		return ret;
	}
	ret = pt_vfio_device_open(&d, io, bdf);
	if (ret < 0) {
		fprintf(stderr, "vfio-bench-map: %s\n", pt_last_error());
		pt_iommu_close(io);
		return ret;
	}
	pt_iommu_get_info(io, &info);
	/* leave a few mappings for others; no limit known: all at once */
	live = info.dma_avail_known && info.dma_avail > 16 ? info.dma_avail - 16 : UINT64_MAX / 2;
	for (k = 0; k < 2; k++) {
		struct row *r = &rows[(*nr)++];
		struct pt_mem *m;

		memset(r, 0, sizeof(*r));
		r->backend = pt_iommu_backend_name(be);
		r->mem = kinds[k] == PT_MEM_ANON ? "anon 4K" : "hugetlb 2M";
		if (pt_mem_alloc(&m, size, kinds[k]) < 0) {
			fprintf(stderr, "vfio-bench-map: %s\n", pt_last_error());
			continue;
		}
		memset(m->addr, 0x5a, m->size);	/* fault in: measure pinning only */
		r->pages = m->size / m->page_size;
		r->one = median_s(io, m->addr, m->size, m->size, iova, runs, 1);
		r->paged = median_s(io, m->addr, m->size, m->page_size, iova,
				    kinds[k] == PT_MEM_ANON ? 1 : runs, live);
		r->windowed = live < r->pages;
		r->ok = r->one > 0 && r->paged > 0;
		pt_mem_free(m);
		fprintf(stderr, "vfio-bench-map: %s %s done\n", r->backend, r->mem);
	}
	pt_vfio_device_close(d);
	pt_iommu_close(io);
	return 0;
}

static const struct row *find(const struct row *rows, int nr, const char *be,
			      const char *mem)
{
	for (int i = 0; i < nr; i++)
		if (!strcmp(rows[i].backend, be) && !strcmp(rows[i].mem, mem) && rows[i].ok)
			return &rows[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct row rows[8];
	uint64_t size = 1ull << 30;
	const char *env = getenv("BENCH_RUNS");
	int nr = 0, runs = env ? atoi(env) : 3, i;
	char sz[32];

	if (argc < 2) {
		fprintf(stderr, "usage: vfio-bench-map BDF [SIZE]\n");
		return 2;
	}
	if (argc > 2 && pt_parse_size(argv[2], &size) < 0) {
		fprintf(stderr, "vfio-bench-map: %s\n", pt_last_error());
		return 2;
	}
	if (runs < 1 || runs > 15)
		runs = 3;
	bench(PT_IOMMU_TYPE1, argv[1], size, runs, rows, &nr);
	if (access("/dev/iommu", F_OK) == 0)
		bench(PT_IOMMU_IOMMUFD, argv[1], size, runs, rows, &nr);
	else
		fprintf(stderr, "vfio-bench-map: no /dev/iommu: iommufd rows missing\n");

	pt_format_size(size, sz, sizeof(sz));
	printf("DMA map+unmap of %s through %s (median of %d; 4 KiB page-by-page once)%s\n", sz, argv[1], runs,
	       getenv("LAB_KERNEL") ? "\nEMULATED IOMMU: QEMU TCG with intel-iommu,caching-mode=on (lab VM) - not hardware numbers" : "");
	printf("%-8s %-11s %8s %12s %14s %12s %10s\n", "backend", "memory", "pages", "one call s",
	       "page-by-page s", "paged/one", "GiB/s one");
	for (i = 0; i < nr; i++) {
		const struct row *r = &rows[i];

		if (!r->ok) {
			printf("%-8s %-11s %8s %12s\n", r->backend, r->mem, "-", "failed");
			continue;
		}
		printf("%-8s %-11s %8" PRIu64 " %12.3f %14.3f %11.1fx %10.2f%s\n", r->backend, r->mem, r->pages,
		       r->one, r->paged, r->paged / r->one, (double)size / (1ull << 30) / r->one,
		       r->windowed ? "  (*)" : "");
	}
	for (i = 0; i < nr; i++)
		if (rows[i].windowed) {
			printf("(*) more pages than type1's mapping limit (DMA_AVAIL, dma_entry_limit): mapped and unmapped in windows, same number of ioctls\n");
			break;
		}
	printf("ratios:\n");
	for (i = 0; i < 2; i++) {
		const char *mem = i ? "hugetlb 2M" : "anon 4K";
		const struct row *a = find(rows, nr, "type1", mem), *b = find(rows, nr, "iommufd", mem);

		if (a && b)
			printf("  iommufd/type1 %-11s one call %.2fx, page-by-page %.2fx\n", mem, b->one / a->one,
			       b->paged / a->paged);
	}
	for (i = 0; i < 2; i++) {
		const char *be = i ? "iommufd" : "type1";
		const struct row *a = find(rows, nr, be, "anon 4K"), *h = find(rows, nr, be, "hugetlb 2M");

		if (a && h)
			printf("  hugetlb/anon  %-11s one call %.2fx\n", be, h->one / a->one);
	}
	for (i = 0; i < nr; i++)
		if (!rows[i].ok)
			return 1;
	return nr ? 0 : 1;
}
