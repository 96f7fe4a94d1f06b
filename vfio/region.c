// SPDX-License-Identifier: MIT
/*
 * region.c — VFIO regions: info (with the capability chain parsed by
 * caps.c), pread/pwrite, config space, and BAR mmap honouring sparse areas
 * (the MSI-X table of a BAR is usually not mmappable; such BARs come with
 * a sparse-mmap capability listing what is).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "vfio/vfio-priv.h"

int pt_vfio_region_get_info(struct pt_vfio_device *d, uint32_t index,
			    struct pt_vfio_region *r)
{
	struct vfio_region_info probe = { .argsz = sizeof(probe), .index = index };
	struct vfio_region_info *buf;
	size_t len;
	int ret;

	if (index >= d->info.num_regions)
		return pt_set_error(EINVAL, "%s: region %u does not exist (the device has %u)", d->bdf, index,
				    d->info.num_regions);
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &probe) < 0)
		return pt_set_error(errno, "%s: VFIO_DEVICE_GET_REGION_INFO(%u) failed: %s", d->bdf, index,
				    strerror(errno));
	len = probe.argsz > sizeof(probe) ? probe.argsz : sizeof(probe);
	if (len > 65536)
		return pt_set_error(EOVERFLOW, "%s: region %u info claims %zu bytes", d->bdf, index, len);
	if (len == sizeof(probe))
		return pt_vfio_parse_region_info(&probe, len, r);
	buf = calloc(1, len);
	if (!buf)
		return pt_set_error(ENOMEM, "%s: out of memory", d->bdf);
	buf->argsz = len;
	buf->index = index;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, buf) < 0) {
		ret = pt_set_error(errno, "%s: VFIO_DEVICE_GET_REGION_INFO(%u) failed: %s", d->bdf, index,
				   strerror(errno));
		free(buf);
		return ret;
	}
	ret = pt_vfio_parse_region_info(buf, len, r);
	free(buf);
	if (ret < 0) {
		char msg[768];

		snprintf(msg, sizeof(msg), "%s", pt_last_error());
		return pt_set_error(-ret, "%s: %s", d->bdf, msg);
	}
	return 0;
}

static int region_cached(struct pt_vfio_device *d, uint32_t index,
			 struct pt_vfio_region *r)
{
	int ret;

	if (index < VFIO_PCI_NUM_REGIONS && d->region_valid[index]) {
		*r = d->regions[index];
		return 0;
	}
	ret = pt_vfio_region_get_info(d, index, r);
	if (!ret && index < VFIO_PCI_NUM_REGIONS) {
		d->regions[index] = *r;
		d->region_valid[index] = true;
	}
	return ret;
}

static int region_rw(struct pt_vfio_device *d, uint32_t index, uint64_t off,
		     void *buf, size_t len, bool write)
{
	struct pt_vfio_region r;
	size_t done = 0;
	int ret;

	ret = region_cached(d, index, &r);
	if (ret < 0)
		return ret;
	if (off > r.size || len > r.size - off)
		return pt_set_error(EINVAL, "%s: %s of %zu bytes at 0x%" PRIx64 " is outside region %u (0x%" PRIx64 " bytes)",
				    d->bdf, write ? "write" : "read", len, off, index, r.size);
	if (!(write ? r.writable : r.readable))
		return pt_set_error(EACCES, "%s: region %u is not %s", d->bdf, index, write ? "writable" : "readable");
	while (done < len) {
		ssize_t n = write ? pwrite(d->fd, (const char *)buf + done, len - done, r.offset + off + done)
				  : pread(d->fd, (char *)buf + done, len - done, r.offset + off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return pt_set_error(n < 0 ? errno : EIO, "%s: %s region %u at 0x%" PRIx64 " failed: %s", d->bdf,
					    write ? "pwrite to" : "pread from", index, off + done,
					    strerror(n < 0 ? errno : EIO));
		done += n;
	}
	return 0;
}

int pt_vfio_region_read(struct pt_vfio_device *d, uint32_t index,
			uint64_t off, void *buf, size_t len)
{
	return region_rw(d, index, off, buf, len, false);
}

int pt_vfio_region_write(struct pt_vfio_device *d, uint32_t index,
			 uint64_t off, const void *buf, size_t len)
{
	return region_rw(d, index, off, (void *)buf, len, true);
}

int pt_vfio_config_read(struct pt_vfio_device *d, uint64_t off, void *buf,
			size_t len)
{
	return region_rw(d, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len, false);
}

int pt_vfio_config_write(struct pt_vfio_device *d, uint64_t off,
			 const void *buf, size_t len)
{
	return region_rw(d, VFIO_PCI_CONFIG_REGION_INDEX, off, (void *)buf, len, true);
}

/* ---- mmap ---- */
int pt_vfio_region_mmap(struct pt_vfio_device *d, uint32_t index,
			struct pt_vfio_bar *bar)
{
	long page = sysconf(_SC_PAGESIZE);
	struct pt_vfio_region r;
	uint64_t span;
	int prot = 0, i, ret, nr;
	const struct pt_vfio_area *areas;
	struct pt_vfio_area whole;
	void *base;

	memset(bar, 0, sizeof(*bar));
	bar->index = index;
	bar->dev = d;
	ret = pt_vfio_region_get_info(d, index, &r);
	if (ret < 0)
		return ret;
	bar->size = r.size;
	if (!r.mmappable || !r.size)
		return pt_set_error(EINVAL, "%s: region %u cannot be mmapped (flags 0x%x); use pread/pwrite (pt_vfio_bar_read)",
				    d->bdf, index, r.flags);
	if (r.readable)
		prot |= PROT_READ;
	if (r.writable)
		prot |= PROT_WRITE;
	span = (r.size + page - 1) & ~((uint64_t)page - 1);
	/* reserve the whole BAR so unmapped holes fault instead of aliasing */
	base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return pt_set_error(errno, "%s: reserving %" PRIu64 " bytes for BAR %u failed: %s", d->bdf, span, index,
				    strerror(errno));
	if (r.has_sparse) {
		areas = r.sparse;
		nr = r.nr_sparse;
	} else {
		whole.offset = 0;
		whole.size = r.size;
		areas = &whole;
		nr = 1;
	}
	for (i = 0; i < nr; i++) {
		uint64_t sz = (areas[i].size + page - 1) & ~((uint64_t)page - 1);
		void *p;

		if (!areas[i].size || (areas[i].offset & (page - 1)) || areas[i].offset + sz > span)
			continue;	/* not mappable as pages: pread/pwrite */
		p = mmap((uint8_t *)base + areas[i].offset, sz, prot, MAP_SHARED | MAP_FIXED, d->fd,
			 r.offset + areas[i].offset);
		if (p == MAP_FAILED) {
			ret = pt_set_error(errno, "%s: mmap of BAR %u area 0x%" PRIx64 "+0x%" PRIx64 " failed: %s",
					   d->bdf, index, areas[i].offset, areas[i].size, strerror(errno));
			munmap(base, span);
			return ret;
		}
		bar->areas[bar->nr_areas].offset = areas[i].offset;
		bar->areas[bar->nr_areas].size = areas[i].size;
		bar->nr_areas++;
	}
	bar->base = base;
	return 0;
}

void pt_vfio_region_munmap(struct pt_vfio_bar *bar)
{
	long page = sysconf(_SC_PAGESIZE);

	if (bar->base)
		munmap(bar->base, (bar->size + page - 1) & ~((uint64_t)page - 1));
	bar->base = NULL;
	bar->nr_areas = 0;
}

bool pt_vfio_bar_is_mapped(const struct pt_vfio_bar *bar, uint64_t off,
			   uint64_t len)
{
	int i;

	if (!bar->base || !len)
		return false;
	for (i = 0; i < bar->nr_areas; i++)
		if (off >= bar->areas[i].offset && off - bar->areas[i].offset <= bar->areas[i].size &&
		    len <= bar->areas[i].size - (off - bar->areas[i].offset))
			return true;
	return false;
}

static int bar_access(struct pt_vfio_bar *bar, uint64_t off, void *val,
		      size_t width, bool write)
{
	if (width != 1 && width != 2 && width != 4 && width != 8)
		return pt_set_error(EINVAL, "BAR access width %zu (1, 2, 4 or 8)", width);
	if (off > bar->size || width > bar->size - off)
		return pt_set_error(EINVAL, "%s: BAR %u access at 0x%" PRIx64 " is outside its 0x%" PRIx64 " bytes",
				    bar->dev->bdf, bar->index, off, bar->size);
	if (!pt_vfio_bar_is_mapped(bar, off, width))
		return region_rw(bar->dev, bar->index, off, val, width, write);
	/* one access of the given width: devices care */
	volatile void *p = bar->base + off;
	switch (width) {
	case 1: if (write) *(volatile uint8_t *)p = *(uint8_t *)val; else *(uint8_t *)val = *(volatile uint8_t *)p; break;
	case 2: if (write) *(volatile uint16_t *)p = *(uint16_t *)val; else *(uint16_t *)val = *(volatile uint16_t *)p; break;
	case 4: if (write) *(volatile uint32_t *)p = *(uint32_t *)val; else *(uint32_t *)val = *(volatile uint32_t *)p; break;
	case 8: if (write) *(volatile uint64_t *)p = *(uint64_t *)val; else *(uint64_t *)val = *(volatile uint64_t *)p; break;
	}
	return 0;
}

int pt_vfio_bar_read(struct pt_vfio_bar *bar, uint64_t off, void *val,
		     size_t width)
{
	return bar_access(bar, off, val, width, false);
}

int pt_vfio_bar_write(struct pt_vfio_bar *bar, uint64_t off,
		      const void *val, size_t width)
{
	return bar_access(bar, off, (void *)val, width, true);
}

int pt_vfio_set_bus_master(struct pt_vfio_device *d, bool on)
{
	uint16_t cmd;
	int ret;

	ret = pt_vfio_config_read(d, 0x04, &cmd, sizeof(cmd));
	if (ret < 0)
		return ret;
	if (on)
		cmd |= 0x0006;	/* PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER */
	else
		cmd &= ~0x0004;
	return pt_vfio_config_write(d, 0x04, &cmd, sizeof(cmd));
}
