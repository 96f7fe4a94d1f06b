// SPDX-License-Identifier: MIT
/*
 * dma-session.c — opening a device for the DMA checks of `passthru verify`
 * (see dma.h): the IOMMU backend, the device through the VFIO core's
 * DMA-test harness (vfio/dmatest.h), and the buffers the checks map.  Also the byte patterns and the pagemap
 * lookup the unmapped-DMA check aims with.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "verify/dma.h"

#define COPY_LEN	256ull

bool vfy_iova_usable(const struct vfy_dma *s, uint64_t iova, uint64_t size)
{
	uint64_t last = iova + size - 1;

	if (!size || last < iova || last > s->dma_last)
		return false;
	for (int i = 0; i < s->info.nr_ranges; i++)
		if (iova >= s->info.ranges[i].start && last <= s->info.ranges[i].last)
			return true;
	return false;
}

int vfy_buf_get(struct vfy_dma *s, struct vfy_buf *b, uint64_t size,
		uint64_t iova, unsigned int flags, bool *huge)
{
	int ret = -ENOMEM;

	memset(b, 0, sizeof(*b));
	if (huge && *huge)
		ret = pt_mem_alloc(&b->mem, size, PT_MEM_HUGE_2M);
	if (ret < 0) {
		if (huge)
			*huge = false;
		ret = pt_mem_alloc(&b->mem, size, PT_MEM_ANON);
	}
	if (ret < 0)
		return ret;
	b->allocated = true;
	/* touch every page: a device write must land in memory we can read */
	memset(b->mem->addr, 0, b->mem->size);
	b->addr = b->mem->addr;
	b->size = b->mem->size;
	b->page_size = b->mem->page_size;
	b->iova = iova;
	if (!flags)
		return 0;
	ret = pt_iommu_map_dma(s->io, b->addr, b->size, iova, flags);
	if (ret < 0) {
		vfy_buf_put(s, b);
		return ret;
	}
	b->mapped = true;
	return 0;
}

struct page_phys {
	uint64_t phys;
	uint8_t *va;
};

static int by_phys(const void *a, const void *b)
{
	const struct page_phys *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

/*
 * Finds n pages of pg bytes in [p, p + total) whose physical addresses
 * follow each other (in any virtual order: the kernel often hands out
 * anonymous pages in descending physical order) and moves them, in
 * physical order, into a new virtual window with mremap().  Returns the
 * window or NULL.
 */
static uint8_t *contig_window(uint8_t *p, uint64_t total, uint64_t pg, uint64_t n)
{
	uint64_t cnt = total / pg, at = 0, run = 0;
	struct page_phys *v = calloc(cnt, sizeof(*v));
	uint8_t *win = NULL;

	if (!v)
		return NULL;
	for (uint64_t i = 0; i < cnt; i++) {
		v[i].va = p + i * pg;
		v[i].phys = vfy_phys(v[i].va);
	}
	qsort(v, cnt, sizeof(*v), by_phys);
	for (uint64_t i = 0; i < cnt && run < n; i++) {
		if (!v[i].phys)
			continue;
		if (run && v[i].phys == v[i - 1].phys + pg) {
			run++;
		} else {
			run = 1;
			at = i;
		}
	}
	if (run >= n) {
		win = mmap(NULL, n * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (win == MAP_FAILED)
			win = NULL;
		for (uint64_t j = 0; win && j < n; j++)
			if (mremap(v[at + j].va, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED,
				   win + j * pg) == MAP_FAILED) {
				munmap(win, n * pg);
				win = NULL;
			}
	}
	free(v);
	return win;
}

static bool is_contiguous(uint8_t *p, uint64_t size, uint64_t pg)
{
	uint64_t first = vfy_phys(p);

	for (uint64_t o = pg; first && o < size; o += pg)
		if (vfy_phys(p + o) != first + o)
			return false;
	return first != 0;
}

int vfy_buf_get_contig(struct vfy_dma *s, struct vfy_buf *b, uint64_t size,
		       uint64_t iova, unsigned int flags, bool huge)
{
	uint64_t pg = huge ? VFY_HUGE : VFY_PAGE, n = (size + pg - 1) / pg;
	bool h = huge;
	int ret;

	/* more than needed, so that some n pages are contiguous */
	ret = vfy_buf_get(s, b, (huge ? 2 : 32) * n * pg, 0, 0, huge ? &h : NULL);
	if (ret < 0)
		return ret;
	if (huge && !h) {
		vfy_buf_put(s, b);
		return pt_set_error(ENOMEM, "no %llu free 2 MiB hugetlb pages",
				    (unsigned long long)(2 * n));
	}
	b->addr = b->mem->addr;
	b->size = n * pg;
	b->page_size = pg;
	b->iova = iova;
	/* hugetlb: take the pages as they come (mremap of hugetlb is not
	 * everywhere); 4 KiB: gather a physically contiguous window */
	if (!huge) {
		uint8_t *win = contig_window(b->mem->addr, b->mem->size, pg, n);

		if (win) {
			b->window = win;
			b->addr = win;
		}
	}
	if (flags) {
		ret = pt_iommu_map_dma(s->io, b->addr, b->size, iova, flags);
		if (ret < 0) {
			vfy_buf_put(s, b);
			return ret;
		}
		b->mapped = true;
	}
	/* pinned now: what the device will see */
	b->contiguous = is_contiguous(b->addr, b->size, pg);
	return 0;
}

int vfy_buf_unmap(struct vfy_dma *s, struct vfy_buf *b)
{
	int ret = 0;

	if (b->mapped)
		ret = pt_iommu_unmap_dma(s->io, b->iova, b->size);
	if (!ret)
		b->mapped = false;
	return ret;
}

void vfy_buf_put(struct vfy_dma *s, struct vfy_buf *b)
{
	if (b->mapped && vfy_buf_unmap(s, b) < 0)
		return;		/* never free memory the device may still reach */
	if (b->window)
		munmap(b->window, b->size);
	b->window = NULL;
	if (b->allocated)
		pt_mem_free(b->mem);
	b->mem = NULL;
	b->allocated = false;
}

int vfy_dma_copy(struct vfy_dma *s, uint64_t src, uint64_t dst, uint64_t len)
{
	return pt_dmat_copy_iova(&s->t, src, dst, len);
}

/*
 * A copy failed (the device saw an error, or it never finished): bring
 * the device back with its driver's init, the same reset-and-set-up the
 * harness did at open (nvme: CC.EN 1 -> 0 -> 1, queues created again), so
 * the next check starts from a working device and is never judged by the
 * wreck of this one.  The current check's evidence says so.
 */
void vfy_dma_recover(struct vfy_dma *s, const char *after)
{
	int ret = s->ops->init(&s->t.drv);
	char why[512];

	s->recoveries++;
	if (ret && !s->broken) {
		pt_dmat_why(&s->t, why, sizeof(why));
		s->broken = true;
		snprintf(s->broken_why, sizeof(s->broken_why), "the device did "
			 "not come back after %s (driver init: %s%s)", after,
			 strerror(-ret), why);
	}
	if (s->cur)
		vfy_evidence_add(s->cur, "after %s the device was recovered before the "
				 "next check: %s", after, ret ? s->broken_why :
				 !strcmp(s->ops->name, "nvme") ? "controller reset (CC.EN "
				 "1 -> 0 -> 1) and its queues created again" :
				 "reset and set up again by its driver");
}

struct vfy_result *vfy_dma_begin(struct vfy_dma *s, const char *name)
{
	struct vfy_result *r = vfy_begin(s->rep, s->d->bdf, s->backend, name);

	s->cur = r;
	if (r && s->broken) {
		vfy_skip(r, "%s", s->broken_why);
		s->cur = NULL;
		return NULL;
	}
	return r;
}

const char *vfy_drv_said(struct vfy_dma *s, int ret)
{
	const struct pt_drv *d = &s->t.drv;
	char why[512];

	if (!ret)
		return "completed";
	pt_dmat_why(&s->t, why, sizeof(why));
	if (!strcmp(s->ops->name, "nvme") && ret == PT_DRV_EIO && d->diag[0])
		snprintf(s->said, sizeof(s->said), "the device reported an error%s "
			 "(NVMe status: SCT %u SC 0x%02x)", why, d->diag[0] >> 8 & 7,
			 d->diag[0] & 0xff);
	else
		snprintf(s->said, sizeof(s->said), "%s%s",
			 ret == PT_DRV_ETIMEDOUT ? "timed out" : ret == PT_DRV_EIO ?
			 "the device reported an error" : strerror(-ret), why);
	return s->said;
}

void vfy_src_fill(const struct vfy_dma *s, void *p, uint64_t len, uint32_t seed)
{
	vfy_fill(p, len, seed);
	pt_dmat_prefix(&s->t, p, len);
}

int64_t vfy_src_diff(const struct vfy_dma *s, const void *p, uint64_t len, uint32_t seed)
{
	uint8_t *want = malloc(len ? len : 1);
	int64_t at = -1;

	if (!want)
		return 0;
	vfy_src_fill(s, want, len, seed);
	for (uint64_t i = 0; i < len; i++)
		if (((const uint8_t *)p)[i] != want[i]) {
			at = (int64_t)i;
			break;
		}
	free(want);
	return at;
}

/* xorshift32 bytes, never all one value, so a stuck bus is caught. */
void vfy_fill(void *p, uint64_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	uint8_t *b = p;

	for (uint64_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
}

int64_t vfy_diff(const void *p, uint64_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	const uint8_t *b = p;

	for (uint64_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (b[i] != (uint8_t)x)
			return (int64_t)i;
	}
	return -1;
}

int64_t vfy_diff_byte(const void *p, uint64_t len, uint8_t c)
{
	const uint8_t *b = p;

	for (uint64_t i = 0; i < len; i++)
		if (b[i] != c)
			return (int64_t)i;
	return -1;
}

uint64_t vfy_phys(const void *p)
{
	uint64_t ent = 0, vpn = (uintptr_t)p / VFY_PAGE;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent), vpn * sizeof(ent)) != sizeof(ent))
		ent = 0;
	close(fd);
	if (!(ent & (1ull << 63)))
		return 0;
	ent &= (1ull << 55) - 1;	/* PFN; 0 without CAP_SYS_ADMIN */
	return ent ? ent * VFY_PAGE + ((uintptr_t)p & (VFY_PAGE - 1)) : 0;
}

static int why_fail(char *why, size_t n, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int why_fail(char *why, size_t n, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return ret;
}

int vfy_dma_open(struct vfy_dma *s, char *why, size_t n)
{
	enum pt_iommu_backend be;
	int ret;

	ret = pt_iommu_backend_parse(s->backend, &be);
	if (ret < 0)
		return why_fail(why, n, ret, "%s", pt_last_error());
	ret = pt_iommu_open(&s->io, be);
	if (ret < 0)
		return why_fail(why, n, ret, "opening the %s IOMMU backend failed: %s",
				s->backend, pt_last_error());
	ret = pt_dmat_open_opts(&s->t, s->io, s->d->bdf, PT_MEM_ANON, PT_DMAT_MIN,
				s->host->dmat_opts);
	if (ret < 0)
		return why_fail(why, n, ret, "opening %s through %s failed: %s",
				s->d->bdf, s->backend, pt_last_error());
	s->t_open = true;
	s->ops = s->t.ops;
	s->info = (struct pt_iommu_info)PT_IOMMU_INFO_INIT;
	ret = pt_iommu_get_info(s->io, &s->info);
	if (ret < 0)
		return why_fail(why, n, ret, "reading the usable IOVA ranges failed: %s",
				pt_last_error());
	if (!s->info.nr_ranges)
		return why_fail(why, n, -ERANGE, "the kernel reported no usable IOVA range");
	s->dma_last = s->ops->dma_bits && s->ops->dma_bits < 64 ?
		      (1ull << s->ops->dma_bits) - 1 : UINT64_MAX;
	s->len = pt_drv_copy_len(&s->t.drv, COPY_LEN);
	s->ref = (uint8_t *)s->t.mem->addr + PT_DMAT_DST2;
	s->ref_iova = s->t.iova + PT_DMAT_DST2;
	return 0;
}

void vfy_dma_close(struct vfy_dma *s)
{
	if (s->t_open)
		pt_dmat_close(&s->t);
	s->t_open = false;
	if (s->io)
		pt_iommu_close(s->io);
	s->io = NULL;
}
