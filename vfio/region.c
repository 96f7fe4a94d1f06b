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

#include "lib/abi-priv.h"
#include "lib/passthru.h"
#include "vfio/vfio-priv.h"

/* Asks the kernel for region index into slot (allocated answer buffer when
 * capabilities follow the fixed part). */
static int region_query(struct pt_vfio_device *d, uint32_t index,
			struct pt_vfio_region_slot *slot)
{
	struct vfio_region_info probe = { .argsz = sizeof(probe), .index = index };
	struct vfio_region_info *buf = &probe;
	size_t len;
	int ret;

	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &probe) < 0)
		return pt_set_error(errno, "%s: VFIO_DEVICE_GET_REGION_INFO(%u) failed: %s", d->bdf, index,
				    strerror(errno));
	len = probe.argsz > sizeof(probe) ? probe.argsz : sizeof(probe);
	if (len > 65536)
		return pt_set_error(EOVERFLOW, "%s: region %u info claims %zu bytes", d->bdf, index, len);
	if (len > sizeof(probe)) {
		buf = calloc(1, len);
		if (!buf)
			return pt_set_error(ENOMEM, "%s: out of memory", d->bdf);
		buf->argsz = len;
		buf->index = index;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, buf) < 0) {
			ret = pt_set_error(errno, "%s: VFIO_DEVICE_GET_REGION_INFO(%u) failed: %s", d->bdf,
					   index, strerror(errno));
			free(buf);
			return ret;
		}
	}
	ret = pt_vfio_parse_region_info(buf, len, &slot->r, &slot->areas);
	if (buf != &probe)
		free(buf);
	if (ret < 0) {
		char msg[768];

		snprintf(msg, sizeof(msg), "%s", pt_last_error());
		return pt_set_error(-ret, "%s: %s", d->bdf, msg);
	}
	slot->valid = true;
	return 0;
}

/* The library's info of region index: asked once, kept until close. */
static int region_cached(struct pt_vfio_device *d, uint32_t index,
			 const struct pt_vfio_region **r)
{
	struct pt_vfio_region_slot *slot;
	int ret;

	if (index >= d->info.num_regions)
		return pt_set_error(EINVAL, "%s: region %u does not exist (the device has %u)", d->bdf, index,
				    d->info.num_regions);
	if (!d->regions) {
		d->regions = calloc(d->info.num_regions, sizeof(*d->regions));
		if (!d->regions)
			return pt_set_error(ENOMEM, "%s: out of memory", d->bdf);
	}
	slot = &d->regions[index];
	if (!slot->valid && (ret = region_query(d, index, slot)) < 0)
		return ret;
	*r = &slot->r;
	return 0;
}

int pt_vfio_region_get_info(struct pt_vfio_device *d, uint32_t index,
			    struct pt_vfio_region *r)
{
	const struct pt_vfio_region *full;
	int ret;

	ret = region_cached(d, index, &full);
	if (ret < 0)
		return ret;
	return pt_write_sized(r, full, sizeof(*full), "pt_vfio_region_get_info: "
			      "struct pt_vfio_region", "PT_VFIO_REGION_INIT");
}

void pt_vfio_regions_free(struct pt_vfio_device *d)
{
	uint32_t i;

	for (i = 0; d->regions && i < d->info.num_regions; i++)
		free(d->regions[i].areas);
	free(d->regions);
	d->regions = NULL;
}

static int region_rw(struct pt_vfio_device *d, uint32_t index, uint64_t off,
		     void *buf, size_t len, bool write)
{
	const struct pt_vfio_region *r;
	size_t done = 0;
	int ret;

	ret = region_cached(d, index, &r);
	if (ret < 0)
		return ret;
	if (off > r->region_size || len > r->region_size - off)
		return pt_set_error(EINVAL, "%s: %s of %zu bytes at 0x%" PRIx64 " is outside region %u (0x%" PRIx64 " bytes)",
				    d->bdf, write ? "write" : "read", len, off, index, r->region_size);
	if (!(write ? r->writable : r->readable))
		return pt_set_error(EACCES, "%s: region %u is not %s", d->bdf, index, write ? "writable" : "readable");
	while (done < len) {
		ssize_t n = write ? pwrite(d->fd, (const char *)buf + done, len - done, r->offset + off + done)
				  : pread(d->fd, (char *)buf + done, len - done, r->offset + off + done);
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
/* What stands behind a struct pt_vfio_bar (lib/ABI.md rule 1): the public
 * struct first, its areas after it, so their number is not in the ABI. */
struct vfio_bar {
	struct pt_vfio_bar pub;
	struct pt_vfio_device *dev;
	size_t span;			/* bytes reserved at pub.base */
	struct pt_vfio_area areas[];	/* pub.areas */
};

static struct vfio_bar *vfio_bar(const struct pt_vfio_bar *bar)
{
	return (struct vfio_bar *)bar;
}

static uint64_t page_up(uint64_t n)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) & ~(page - 1);
}

/* Maps each area of r that is whole pages over the reservation at b; the
 * rest stays PROT_NONE (pread/pwrite). */
static int bar_map_areas(struct vfio_bar *b, const struct pt_vfio_region *r,
			 const struct pt_vfio_area *areas, int nr, int prot)
{
	uint64_t page_mask = (uint64_t)sysconf(_SC_PAGESIZE) - 1;
	int i;

	for (i = 0; i < nr; i++) {
		uint64_t sz = page_up(areas[i].size);
		void *p;

		if (!areas[i].size || (areas[i].offset & page_mask) || areas[i].offset + sz > b->span)
			continue;	/* not mappable as pages: pread/pwrite */
		p = mmap(b->pub.base + areas[i].offset, sz, prot, MAP_SHARED | MAP_FIXED, b->dev->fd,
			 r->offset + areas[i].offset);
		if (p == MAP_FAILED)
			return pt_set_error(errno, "%s: mmap of BAR %u area 0x%" PRIx64 "+0x%" PRIx64 " failed: %s",
					    b->dev->bdf, r->index, areas[i].offset, areas[i].size, strerror(errno));
		b->areas[b->pub.nr_areas++] = areas[i];
	}
	return 0;
}

int pt_vfio_region_mmap(struct pt_vfio_device *d, uint32_t index,
			struct pt_vfio_bar **out)
{
	const struct pt_vfio_region *r;
	struct pt_vfio_area whole;
	const struct pt_vfio_area *areas = &whole;
	int prot = 0, nr = 1, ret;
	struct vfio_bar *b;

	*out = NULL;
	ret = region_cached(d, index, &r);
	if (ret < 0)
		return ret;
	if (!r->mmappable || !r->region_size)
		return pt_set_error(EINVAL, "%s: region %u cannot be mmapped (flags 0x%x); use pread/pwrite (pt_vfio_region_read)",
				    d->bdf, index, r->flags);
	if (r->has_sparse) {
		areas = r->sparse;
		nr = r->nr_sparse;
	}
	whole.offset = 0;
	whole.size = r->region_size;
	b = calloc(1, sizeof(*b) + (size_t)nr * sizeof(b->areas[0]));
	if (!b)
		return pt_set_error(ENOMEM, "%s: out of memory", d->bdf);
	b->pub.index = index;
	b->pub.size = r->region_size;
	b->pub.areas = b->areas;
	b->dev = d;
	b->span = page_up(r->region_size);
	/* reserve the whole BAR so unmapped holes fault instead of aliasing */
	b->pub.base = mmap(NULL, b->span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b->pub.base == MAP_FAILED) {
		ret = pt_set_error(errno, "%s: reserving %zu bytes for BAR %u failed: %s", d->bdf, b->span,
				   index, strerror(errno));
		free(b);
		return ret;
	}
	prot |= r->readable ? PROT_READ : 0;
	prot |= r->writable ? PROT_WRITE : 0;
	ret = bar_map_areas(b, r, areas, nr, prot);
	if (ret < 0) {
		pt_vfio_region_munmap(&b->pub);
		return ret;
	}
	*out = &b->pub;
	return 0;
}

void pt_vfio_region_munmap(struct pt_vfio_bar *bar)
{
	struct vfio_bar *b = vfio_bar(bar);

	if (!bar)
		return;
	munmap(bar->base, b->span);
	free(b);
}

bool pt_vfio_bar_is_mapped(const struct pt_vfio_bar *bar, uint64_t off,
			   uint64_t len)
{
	int i;

	if (!len)
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
				    vfio_bar(bar)->dev->bdf, bar->index, off, bar->size);
	if (!pt_vfio_bar_is_mapped(bar, off, width))
		return region_rw(vfio_bar(bar)->dev, bar->index, off, val, width, write);
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
