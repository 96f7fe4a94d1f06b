// SPDX-License-Identifier: MIT
/*
 * vfio-bench-dev BDF... — device throughput through the IOMMU with the
 * DMA-test drivers (make bench, bench/bench-dma-devices.sh).
 *
 * For each device, each backend the kernel offers (type1, iommufd) and each
 * memory kind that can be had (4 KiB anonymous pages, 2 MiB and 1 GiB
 * hugetlb), the device's buffer is mapped (the map time is recorded) and
 * the driver copies for BENCH_SECONDS (default 2): NVMe controllers copy
 * their largest transfer (a Write of it to the scratch LBAs and a Read
 * back: every byte crosses the bus twice), NICs loop 1514-byte frames
 * back.  Prints one table (MB/s or frames/s, map cost per MiB) and the
 * ratios against type1 with 4 KiB pages, all from the same run.  The
 * buffer is BENCH_BUFFER (default 256M) for 4 KiB and 2 MiB pages, one
 * 1 GiB page for 1G.  Copies move through the whole buffer, so the IOMMU
 * walks many pages, not one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/passthru.h"
#include "vfio/dmatest.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct row {
	char dev[16], driver[16];
	const char *backend, *mem;
	uint64_t buffer, copy;
	double map_us_per_mib, rate;	/* MB/s (storage) or frames/s */
	uint64_t copies;
	bool storage, ok;
	char why[160];
};

#define MAX_ROWS 64
static struct row rows[MAX_ROWS];
static int nr_rows;

/*
 * Copies for `seconds` through the whole buffer past the harness's area:
 * slot s is the source, its second half the destination.  A NIC's frame
 * (at most 2 KiB) stays inside one 4 KiB page: QEMU's NIC models cannot
 * send from a buffer whose pages are physically scattered.
 */
static void run(struct pt_dmat *t, struct row *r, double seconds)
{
	uint64_t len = r->copy, base = PT_DMAT_MIN, span = t->mem->size - base;
	uint64_t slot = r->storage ? 2 * len : 4096, half = slot / 2;
	uint64_t slots = span / slot, n = 0, t0, bytes = 0;
	uint8_t *m = t->mem->addr;

	if (slots == 0) {
		snprintf(r->why, sizeof(r->why), "buffer too small for a %" PRIu64 "-byte copy", len);
		return;
	}
	for (uint64_t s = 0; s < slots; s++) {
		memset(m + base + s * slot, (int)(s + 1), len);
		pt_dmat_prefix(t, m + base + s * slot, len);
	}
	t0 = now_ns();
	while ((now_ns() - t0) / 1e9 < seconds) {
		uint64_t s = n % slots, src = base + s * slot;

		if (pt_dmat_copy(t, src, src + half, len) < 0) {
			snprintf(r->why, sizeof(r->why), "%s", pt_last_error());
			return;
		}
		bytes += len;
		n++;
	}
	{
		double secs = (now_ns() - t0) / 1e9;

		r->copies = n;
		r->rate = r->storage ? bytes / secs / 1e6 : n / secs;
		/* the last copy landed byte for byte */
		r->ok = n && !memcmp(m + base + ((n - 1) % slots) * slot,
				     m + base + ((n - 1) % slots) * slot + half, len);
		if (!r->ok)
			snprintf(r->why, sizeof(r->why), "the last copy's bytes differ");
	}
}

static void bench(const char *bdf, enum pt_iommu_backend be, enum pt_mem_kind kind,
		  uint64_t size, double seconds)
{
	struct row *r = &rows[nr_rows];
	struct pt_iommu *io;
	struct pt_dmat t;

	if (nr_rows >= MAX_ROWS)
		return;
	memset(r, 0, sizeof(*r));
	snprintf(r->dev, sizeof(r->dev), "%s", bdf);
	r->backend = pt_iommu_backend_name(be);
	r->mem = kind == PT_MEM_ANON ? "4K" : kind == PT_MEM_HUGE_2M ? "2M" : "1G";
	r->buffer = size;
	if (pt_iommu_open(&io, be) < 0)
		return;		/* the backend is not there: no row */
	nr_rows++;
	if (pt_dmat_open(&t, io, bdf, kind, size) < 0) {
		snprintf(r->why, sizeof(r->why), "%s", pt_last_error());
		pt_iommu_close(io);
		return;
	}
	snprintf(r->driver, sizeof(r->driver), "%s", t.ops->name);
	r->storage = !strcmp(t.ops->name, "nvme");
	r->copy = pt_drv_copy_len(&t.drv, r->storage ? t.drv.copy_max : 1514);
	r->map_us_per_mib = t.map_ns / 1e3 / (t.mem->size / 1048576.0);
	run(&t, r, seconds);
	pt_dmat_close(&t);
	pt_iommu_close(io);
}

static const struct row *base_of(const struct row *r)
{
	for (int i = 0; i < nr_rows; i++)
		if (!strcmp(rows[i].dev, r->dev) && !strcmp(rows[i].backend, "type1") &&
		    !strcmp(rows[i].mem, "4K") && rows[i].ok)
			return &rows[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const enum pt_mem_kind kinds[] = { PT_MEM_ANON, PT_MEM_HUGE_2M, PT_MEM_HUGE_1G };
	static const enum pt_iommu_backend bes[] = { PT_IOMMU_TYPE1, PT_IOMMU_IOMMUFD };
	const char *s = getenv("BENCH_SECONDS"), *b = getenv("BENCH_BUFFER");
	double seconds = s && atof(s) > 0 ? atof(s) : 2.0;
	uint64_t buffer = 256ull << 20;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: vfio-bench-dev BDF...\n");
		return 2;
	}
	if (b && pt_parse_size(b, &buffer) < 0) {
		fprintf(stderr, "vfio-bench-dev: BENCH_BUFFER '%s' is not a size\n", b);
		return 2;
	}
	for (int d = 1; d < argc; d++)
		for (size_t i = 0; i < 2; i++)
			for (size_t k = 0; k < 3; k++)
				bench(argv[d], bes[i], kinds[k], kinds[k] == PT_MEM_HUGE_1G ?
				      1ull << 30 : buffer, seconds);
	printf("%-13s %-7s %-8s %-4s %10s %12s %10s %12s  %s\n", "DEVICE", "DRIVER", "IOMMU",
	       "PAGE", "COPY", "THROUGHPUT", "vs type1/4K", "MAP us/MiB", "vs type1/4K");
	for (int i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i], *ref = base_of(r);
		char rate[32], rr[16] = "-", mr[16] = "-";

		if (!r->ok) {
			printf("%-13s %-7s %-8s %-4s  not measured: %s\n", r->dev,
			       r->driver[0] ? r->driver : "?", r->backend, r->mem, r->why);
			continue;
		}
		snprintf(rate, sizeof(rate), r->storage ? "%.1f MB/s" : "%.0f fr/s", r->rate);
		if (ref) {
			snprintf(rr, sizeof(rr), "%.2fx", r->rate / ref->rate);
			snprintf(mr, sizeof(mr), "%.2fx", r->map_us_per_mib / ref->map_us_per_mib);
		}
		printf("%-13s %-7s %-8s %-4s %9" PRIu64 "B %12s %10s %12.1f  %s\n", r->dev, r->driver,
		       r->backend, r->mem, r->copy, rate, rr, r->map_us_per_mib, mr);
	}
	return 0;
}
