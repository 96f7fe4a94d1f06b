// SPDX-License-Identifier: MIT
/*
 * caps.c — bounds-checked walker for VFIO capability chains
 * (VFIO_DEVICE_GET_REGION_INFO and VFIO_IOMMU_GET_INFO answers).
 *
 * The kernel builds chains in increasing offset order, so the walker
 * demands it: every `next` must lie beyond the current header, which makes
 * a looping or backwards chain impossible to follow.  Each header and each
 * capability body must fit inside the bytes the kernel filled (the smaller
 * of the buffer and argsz) and must not run into the next capability.
 * Anything else is -EBADMSG.  Pure functions: unit tests and the fuzz
 * target feed them crafted buffers.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <linux/vfio.h>

#include "lib/passthru.h"
#include "vfio/passthru-vfio.h"

#define PT_CAP_MAX_CHAIN 64

struct cap_ref {
	uint16_t id, version;
	const uint8_t *body;	/* just after the header */
	size_t body_len;	/* up to the next cap or the end */
};

typedef int (*cap_fn)(const struct cap_ref *c, void *priv);

static int cap_walk(const uint8_t *buf, size_t len, size_t base_size,
		    uint32_t first, const char *what, cap_fn fn, void *priv)
{
	uint32_t off = first;
	int n = 0, ret;

	while (off) {
		struct vfio_info_cap_header h;
		struct cap_ref c;
		size_t end;

		if (off < base_size || (off & 3) || (size_t)off > len ||
		    len - off < sizeof(h))
			return pt_set_error(EBADMSG, "%s: capability at offset %u lies outside the %zu bytes returned",
					    what, off, len);
		if (++n > PT_CAP_MAX_CHAIN)
			return pt_set_error(EBADMSG, "%s: capability chain longer than %d entries", what,
					    PT_CAP_MAX_CHAIN);
		memcpy(&h, buf + off, sizeof(h));
		if (h.next && (h.next < off + sizeof(h) || h.next > len))
			return pt_set_error(EBADMSG, "%s: capability %u at offset %u points %s to offset %u (chain must move forward inside %zu bytes)",
					    what, h.id, off, h.next <= off ? "back" : "out",
					    h.next, len);
		end = h.next ? h.next : len;
		c.id = h.id;
		c.version = h.version;
		c.body = buf + off + sizeof(h);
		c.body_len = end - off - sizeof(h);
		ret = fn(&c, priv);
		if (ret < 0)
			return ret;
		off = h.next;
	}
	return 0;
}

/* ---- region info ---- */
static int region_cap(const struct cap_ref *c, void *priv)
{
	struct pt_vfio_region *r = priv;

	switch (c->id) {
	case VFIO_REGION_INFO_CAP_SPARSE_MMAP: {
		struct vfio_region_info_cap_sparse_mmap s;
		uint32_t i;

		if (c->body_len < sizeof(s) - sizeof(s.header))
			return pt_set_error(EBADMSG, "region %u: sparse-mmap capability truncated", r->index);
		memcpy(&s.nr_areas, c->body, sizeof(s.nr_areas));
		if (s.nr_areas > (c->body_len - 8) / sizeof(struct vfio_region_sparse_mmap_area))
			return pt_set_error(EBADMSG, "region %u: sparse-mmap capability claims %u areas, only %zu bytes follow",
					    r->index, s.nr_areas, c->body_len - 8);
		if (s.nr_areas > PT_VFIO_MAX_SPARSE)
			return pt_set_error(E2BIG, "region %u: %u sparse-mmap areas, at most %d are supported",
					    r->index, s.nr_areas, PT_VFIO_MAX_SPARSE);
		for (i = 0; i < s.nr_areas; i++) {
			struct vfio_region_sparse_mmap_area a;

			memcpy(&a, c->body + 8 + i * sizeof(a), sizeof(a));
			if (a.offset > r->size || a.size > r->size - a.offset)
				return pt_set_error(EBADMSG, "region %u: sparse area %u (0x%llx+0x%llx) lies outside the 0x%llx-byte region",
						    r->index, i, (unsigned long long)a.offset,
						    (unsigned long long)a.size, (unsigned long long)r->size);
			r->sparse[i].offset = a.offset;
			r->sparse[i].size = a.size;
		}
		r->has_sparse = true;
		r->nr_sparse = s.nr_areas;
		return 0;
	}
	case VFIO_REGION_INFO_CAP_TYPE: {
		uint32_t v[2];

		if (c->body_len < sizeof(v))
			return pt_set_error(EBADMSG, "region %u: type capability truncated", r->index);
		memcpy(v, c->body, sizeof(v));
		r->has_type = true;
		r->type = v[0];
		r->subtype = v[1];
		return 0;
	}
	case VFIO_REGION_INFO_CAP_MSIX_MAPPABLE:
		r->msix_mappable = true;
		return 0;
	default:
		return 0;	/* unknown capabilities are skipped */
	}
}

int pt_vfio_parse_region_info(const void *buf, size_t len,
			      struct pt_vfio_region *r)
{
	struct vfio_region_info info;
	char what[32];

	memset(r, 0, sizeof(*r));
	if (len < sizeof(info))
		return pt_set_error(EBADMSG, "region info: %zu bytes, expected at least %zu", len, sizeof(info));
	memcpy(&info, buf, sizeof(info));
	if (info.argsz < sizeof(info))
		return pt_set_error(EBADMSG, "region info: argsz %u is smaller than the structure", info.argsz);
	if (info.argsz < len)
		len = info.argsz;
	r->index = info.index;
	r->flags = info.flags;
	r->size = info.size;
	r->offset = info.offset;
	r->readable = info.flags & VFIO_REGION_INFO_FLAG_READ;
	r->writable = info.flags & VFIO_REGION_INFO_FLAG_WRITE;
	r->mmappable = info.flags & VFIO_REGION_INFO_FLAG_MMAP;
	if (!(info.flags & VFIO_REGION_INFO_FLAG_CAPS))
		return 0;
	snprintf(what, sizeof(what), "region %u", info.index);
	return cap_walk(buf, len, sizeof(info), info.cap_offset, what, region_cap, r);
}

/* ---- type1 IOMMU info ---- */
static int iommu_cap(const struct cap_ref *c, void *priv)
{
	struct pt_iommu_info *info = priv;

	switch (c->id) {
	case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: {
		uint32_t nr, i;

		if (c->body_len < 8)
			return pt_set_error(EBADMSG, "type1 info: IOVA-range capability truncated");
		memcpy(&nr, c->body, sizeof(nr));
		if (nr > (c->body_len - 8) / sizeof(struct vfio_iova_range))
			return pt_set_error(EBADMSG, "type1 info: IOVA-range capability claims %u ranges, only %zu bytes follow",
					    nr, c->body_len - 8);
		info->nr_ranges = 0;
		for (i = 0; i < nr && info->nr_ranges < PT_IOVA_MAX_RANGES; i++) {
			struct vfio_iova_range r;

			memcpy(&r, c->body + 8 + i * sizeof(r), sizeof(r));
			if (r.end < r.start)
				return pt_set_error(EBADMSG, "type1 info: IOVA range %u ends (0x%llx) before it starts (0x%llx)",
						    i, (unsigned long long)r.end, (unsigned long long)r.start);
			info->ranges[info->nr_ranges].start = r.start;
			info->ranges[info->nr_ranges].last = r.end;
			info->nr_ranges++;
		}
		return 0;
	}
	case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: {
		uint32_t avail;

		if (c->body_len < sizeof(avail))
			return pt_set_error(EBADMSG, "type1 info: DMA-avail capability truncated");
		memcpy(&avail, c->body, sizeof(avail));
		info->dma_avail_known = true;
		info->dma_avail = avail;
		return 0;
	}
	default:
		return 0;
	}
}

int pt_vfio_parse_iommu_info(const void *buf, size_t len,
			     struct pt_iommu_info *info)
{
	struct vfio_iommu_type1_info ti;

	if (len < sizeof(ti))
		return pt_set_error(EBADMSG, "type1 info: %zu bytes, expected at least %zu", len, sizeof(ti));
	memcpy(&ti, buf, sizeof(ti));
	if (ti.argsz < sizeof(ti))
		return pt_set_error(EBADMSG, "type1 info: argsz %u is smaller than the structure", ti.argsz);
	if (ti.argsz < len)
		len = ti.argsz;
	if (ti.flags & VFIO_IOMMU_INFO_PGSIZES)
		info->pgsizes = ti.iova_pgsizes;
	if (!(ti.flags & VFIO_IOMMU_INFO_CAPS))
		return 0;
	return cap_walk(buf, len, sizeof(ti), ti.cap_offset, "type1 info", iommu_cap, info);
}
