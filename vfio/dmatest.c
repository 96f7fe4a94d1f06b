// SPDX-License-Identifier: MIT
/*
 * dmatest.c — binds a DMA-test driver (drivers/) to a VFIO device: BARs
 * through mmap (pread/pwrite where not mappable), a DMA buffer through the
 * IOVA allocator, interrupts on eventfds.  See dmatest.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "vfio/dmatest.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint32_t env_read32(void *opaque, int bar, uint64_t off)
{
	struct pt_dmat *t = opaque;
	uint32_t v = 0xffffffffu;

	if (t->bars[bar])
		pt_vfio_bar_read(t->bars[bar], off, &v, 4);
	else
		pt_vfio_region_read(t->dev, bar, off, &v, 4);
	return v;
}

static void env_write32(void *opaque, int bar, uint64_t off, uint32_t val)
{
	struct pt_dmat *t = opaque;

	if (t->bars[bar])
		pt_vfio_bar_write(t->bars[bar], off, &val, 4);
	else
		pt_vfio_region_write(t->dev, bar, off, &val, 4);
}

static void env_delay(void *opaque, uint32_t us)
{
	usleep(us);
}

static const char *drv_err(int err)
{
	return strerror(-err);
}

static int setup_irqs(struct pt_dmat *t)
{
	static const uint32_t order[] = { VFIO_PCI_MSIX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX,
					  VFIO_PCI_INTX_IRQ_INDEX };
	struct pt_vfio_irq_info info = PT_VFIO_IRQ_INFO_INIT;
	int i, n, ret;

	for (i = 0; i < 3; i++) {
		if (pt_vfio_irq_get_info(t->dev, order[i], &info) < 0 || !info.count)
			continue;
		n = t->ops->nr_vectors;
		if ((uint32_t)n > info.count)
			n = info.count;
		if (n > 4)
			n = 4;
		for (t->nr_efds = 0; t->nr_efds < n; t->nr_efds++) {
			t->efds[t->nr_efds] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (t->efds[t->nr_efds] < 0)
				return pt_set_error(errno, "eventfd: %s", strerror(errno));
		}
		ret = pt_vfio_irq_enable(t->dev, order[i], 0, n, t->efds);
		if (ret < 0)
			return ret;
		t->irq_index = order[i];
		return 0;
	}
	return pt_set_error(ENODEV, "%s: the device has no interrupt VFIO can route to an eventfd",
			    pt_vfio_device_bdf(t->dev));
}

const char *pt_dmat_irq_name(const struct pt_dmat *t)
{
	switch (t->irq_index) {
	case VFIO_PCI_MSIX_IRQ_INDEX: return "MSI-X";
	case VFIO_PCI_MSI_IRQ_INDEX: return "MSI";
	default: return "INTx";
	}
}

void pt_dmat_prefix(const struct pt_dmat *t, void *src, size_t len)
{
	size_t n = t->drv.copy_prefix_len < len ? t->drv.copy_prefix_len : len;

	memcpy(src, t->drv.copy_prefix, n);
}

void pt_dmat_why(const struct pt_dmat *t, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s%s", t->drv.why ? "; " : "", t->drv.why ? t->drv.why : "",
		 t->drv.detail ? " (" : "", t->drv.detail ? t->drv.detail : "",
		 t->drv.detail ? ")" : "");
}

int pt_dmat_parse_scratch(const char *arg, struct pt_dmat_opts *o)
{
	unsigned long long nsid = 0, start, count = 0;
	const char *p = arg;
	char *end;

	if (strchr(arg, ':')) {
		errno = 0;
		nsid = strtoull(p, &end, 0);
		if (errno || end == p || *end != ':' || !nsid || nsid > 0xfffffffeull)
			return -EINVAL;
		p = end + 1;
	}
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	start = strtoull(p, &end, 0);
	if (errno)
		return -EINVAL;
	if (*end == '+') {
		p = end + 1;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		count = strtoull(p, &end, 0);
		if (errno || !count)
			return -EINVAL;
	} else {
		count = 4096;	/* 2 MiB of 512-byte LBAs: the largest copy */
	}
	if (*end || start + count < start)
		return -EINVAL;
	o->scratch_nsid = (uint32_t)nsid;
	o->scratch_lba = start;
	o->scratch_lbas = count;
	return 0;
}

int pt_dmat_open(struct pt_dmat *t, struct pt_iommu *io, const char *bdf,
		 enum pt_mem_kind kind, size_t size)
{
	return pt_dmat_open_opts(t, io, bdf, kind, size, NULL);
}

int pt_dmat_open_opts(struct pt_dmat *t, struct pt_iommu *io, const char *bdf,
		      enum pt_mem_kind kind, size_t size, const struct pt_dmat_opts *o)
{
	struct pt_vfio_device_info info = PT_VFIO_DEVICE_INFO_INIT;
	char why[512];
	int i, ret;

	memset(t, 0, sizeof(*t));
	t->env = (struct pt_drv_env)PT_DRV_ENV_INIT;
	for (i = 0; i < 4; i++)
		t->efds[i] = -1;
	t->io = io;
	ret = pt_vfio_device_open(&t->dev, io, bdf);
	if (ret < 0)
		return ret;
	pt_vfio_device_get_info(t->dev, &info);
	t->ops = pt_driver_find(info.vendor, info.device, info.class_code);
	if (!t->ops) {
		ret = pt_set_error(ENODEV, "%s: no DMA-test driver for %04x:%04x class %06x (drivers: %s)",
				   pt_vfio_device_bdf(t->dev), info.vendor, info.device,
				   info.class_code, pt_driver_list);
		goto fail;
	}
	for (i = 0; i < 6; i++) {
		struct pt_vfio_region r = PT_VFIO_REGION_INIT;

		if (pt_vfio_region_get_info(t->dev, i, &r) < 0 || !r.region_size)
			continue;
		if (r.mmappable && pt_vfio_region_mmap(t->dev, i, &t->bars[i]) < 0) {
			ret = -EIO;
			goto fail;
		}
		/* direct pointer only when the whole BAR is mapped */
		if (t->bars[i] && pt_vfio_bar_is_mapped(t->bars[i], 0, r.region_size)) {
			t->env.bar[i] = t->bars[i]->base;
			t->env.bar_size[i] = r.region_size;
		}
	}
	ret = pt_vfio_set_bus_master(t->dev, true);
	if (ret < 0)
		goto fail;
	ret = setup_irqs(t);
	if (ret < 0)
		goto fail;
	if (size < PT_DMAT_MIN)
		size = PT_DMAT_MIN;
	ret = pt_mem_alloc(&t->mem, size, kind);
	if (ret < 0)
		goto fail;
	memset(t->mem->addr, 0, PT_DMAT_MIN);
	ret = pt_iommu_set_dma_bits(io, t->ops->dma_bits);
	if (ret < 0)
		goto fail;
	{
		uint64_t t0 = now_ns();

		ret = pt_iommu_map_dma_alloc(io, t->mem->addr, t->mem->size, PT_DMA_RW, &t->iova);
		t->map_ns = now_ns() - t0;
	}
	if (ret < 0)
		goto fail;
	t->env.read32 = env_read32;
	t->env.write32 = env_write32;
	t->env.delay_us = env_delay;
	t->env.opaque = t;
	t->env.scratch = (volatile uint8_t *)t->mem->addr + PT_DMAT_SCRATCH;
	t->env.scratch_iova = t->iova + PT_DMAT_SCRATCH;
	t->env.scratch_size = PT_DMAT_MIN - PT_DMAT_SCRATCH;
	if (o) {
		t->env.scratch_nsid = o->scratch_nsid;
		t->env.scratch_lba = o->scratch_lba;
		t->env.scratch_lbas = o->scratch_lbas;
	}
	ret = pt_drv_init(&t->drv, t->ops, &t->env, info.vendor, info.device, info.class_code);
	if (ret < 0) {
		pt_dmat_why(t, why, sizeof(why));
		ret = pt_set_error(-ret, "%s: %s driver init failed: %s%s (device said 0x%x 0x%x 0x%x 0x%x)%s",
				   pt_vfio_device_bdf(t->dev), t->ops->name, drv_err(ret), why,
				   t->drv.diag[0], t->drv.diag[1], t->drv.diag[2], t->drv.diag[3],
				   ret == PT_DRV_EROFS ? "; fix: declare a free range with "
				   "--scratch-lba [NSID:]START[+COUNT], or use a blank namespace" : "");
		goto fail;
	}
	t->drv_ready = true;
	return 0;
fail:
	pt_dmat_close(t);
	return ret;
}

void pt_dmat_close(struct pt_dmat *t)
{
	char saved[1024];
	int i;

	snprintf(saved, sizeof(saved), "%s", pt_last_error());
	if (t->drv_ready)
		t->ops->remove(&t->drv);
	if (t->dev) {
		pt_vfio_set_bus_master(t->dev, false);
		if (t->nr_efds)
			pt_vfio_irq_disable(t->dev, t->irq_index);
	}
	if (t->mem)	/* -ENOENT when the map never happened: harmless */
		pt_iommu_unmap_dma(t->io, t->iova, t->mem->size);
	for (i = 0; i < 6; i++)
		pt_vfio_region_munmap(t->bars[i]);
	if (t->dev)
		pt_vfio_device_close(t->dev);
	pt_mem_free(t->mem);
	for (i = 0; i < 4; i++)
		if (t->efds[i] >= 0)
			close(t->efds[i]);
	memset(t, 0, sizeof(*t));
	/* keep the first failure's message, not the cleanup's */
	pt_set_error(EIO, "%s", saved);
}

int pt_dmat_copy_iova(struct pt_dmat *t, uint64_t src, uint64_t dst,
		      size_t len)
{
	int ret;

	ret = t->ops->memcpy_start(&t->drv, src, dst, len);
	if (ret < 0)
		return pt_set_error(-ret, "%s: %s DMA copy of %zu bytes 0x%llx -> 0x%llx could not start: %s",
				    pt_vfio_device_bdf(t->dev), t->ops->name, len,
				    (unsigned long long)src, (unsigned long long)dst, drv_err(ret));
	ret = t->ops->memcpy_wait(&t->drv);
	if (ret < 0) {
		char why[512];

		pt_dmat_why(t, why, sizeof(why));
		return pt_set_error(-ret, "%s: %s DMA copy of %zu bytes 0x%llx -> 0x%llx failed: %s%s (device said 0x%x 0x%x 0x%x 0x%x)",
				    pt_vfio_device_bdf(t->dev), t->ops->name, len,
				    (unsigned long long)src, (unsigned long long)dst, drv_err(ret), why,
				    t->drv.diag[0], t->drv.diag[1], t->drv.diag[2], t->drv.diag[3]);
	}
	return 0;
}

int pt_dmat_copy(struct pt_dmat *t, uint64_t src_off, uint64_t dst_off,
		 size_t len)
{
	return pt_dmat_copy_iova(t, t->iova + src_off, t->iova + dst_off, len);
}

uint64_t pt_dmat_irq_drain(struct pt_dmat *t)
{
	uint64_t sum = 0, v;
	int i;

	for (i = 0; i < t->nr_efds; i++)
		while (read(t->efds[i], &v, sizeof(v)) == sizeof(v))
			sum += v;
	return sum;
}

int pt_dmat_irq_roundtrip(struct pt_dmat *t, uint32_t vector, int timeout_ms)
{
	int ret;

	if ((int)vector >= t->nr_efds)
		return pt_set_error(EINVAL, "vector %u is not enabled (%d enabled)", vector, t->nr_efds);
	ret = t->ops->send_msi(&t->drv, vector);
	if (ret < 0)
		return pt_set_error(-ret, "%s: raising vector %u failed: %s", pt_vfio_device_bdf(t->dev),
				    vector, drv_err(ret));
	ret = pt_eventfd_wait(t->efds[vector], timeout_ms, NULL);
	t->ops->irq_ack(&t->drv);
	if (ret > 0 && t->irq_index == VFIO_PCI_INTX_IRQ_INDEX)
		pt_vfio_irq_unmask(t->dev, VFIO_PCI_INTX_IRQ_INDEX, 0);
	return ret;	/* the eventfd's count: exactly 1 for one message */
}
