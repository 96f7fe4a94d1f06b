// SPDX-License-Identifier: MIT
/*
 * caps.c — the capabilities of a VFIO_DEVICE_GET_REGION_INFO answer
 * (sparse mmap areas, region type, MSI-X mappable), read with the
 * bounds-checked chain walker of iommu/cap-chain.c.  Pure (it allocates
 * only the sparse areas it returns): unit tests and the fuzz target feed it
 * crafted buffers.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "lib/passthru.h"
#include "vfio/vfio-priv.h"

/* ---- region info ---- */
struct region_parse {
	struct pt_vfio_region *r;
	struct pt_vfio_area *areas;	/* r->sparse, ours until handed out */
};

/* The sparse-mmap capability: nr_areas {offset, size} pairs, each inside
 * the region; as many as the capability's bytes hold, no other limit. */
static int region_sparse(const struct pt_cap_ref *c, struct region_parse *p)
{
	struct pt_vfio_region *r = p->r;
	struct vfio_region_info_cap_sparse_mmap s;
	struct pt_vfio_area *areas = NULL;
	uint32_t i;

	if (c->body_len < sizeof(s) - sizeof(s.header))
		return pt_set_error(EBADMSG, "region %u: sparse-mmap capability truncated", r->index);
	memcpy(&s.nr_areas, c->body, sizeof(s.nr_areas));
	if (s.nr_areas > (c->body_len - 8) / sizeof(struct vfio_region_sparse_mmap_area))
		return pt_set_error(EBADMSG, "region %u: sparse-mmap capability claims %u areas, only %zu bytes follow",
				    r->index, s.nr_areas, c->body_len - 8);
	if (s.nr_areas && !(areas = calloc(s.nr_areas, sizeof(*areas))))
		return pt_set_error(ENOMEM, "region %u: out of memory for %u sparse-mmap areas",
				    r->index, s.nr_areas);
	for (i = 0; i < s.nr_areas; i++) {
		struct vfio_region_sparse_mmap_area a;

		memcpy(&a, c->body + 8 + i * sizeof(a), sizeof(a));
		if (a.offset > r->region_size || a.size > r->region_size - a.offset) {
			free(areas);
			return pt_set_error(EBADMSG, "region %u: sparse area %u (0x%llx+0x%llx) lies outside the 0x%llx-byte region",
					    r->index, i, (unsigned long long)a.offset,
					    (unsigned long long)a.size, (unsigned long long)r->region_size);
		}
		areas[i].offset = a.offset;
		areas[i].size = a.size;
	}
	free(p->areas);		/* a second sparse capability: the last one counts */
	p->areas = areas;
	r->sparse = areas;
	r->has_sparse = true;
	r->nr_sparse = s.nr_areas;
	return 0;
}

static int region_cap(const struct pt_cap_ref *c, void *priv)
{
	struct region_parse *p = priv;
	struct pt_vfio_region *r = p->r;

	switch (c->id) {
	case VFIO_REGION_INFO_CAP_SPARSE_MMAP:
		return region_sparse(c, p);
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
			      struct pt_vfio_region *r,
			      struct pt_vfio_area **areas)
{
	struct region_parse p = { .r = r };
	struct vfio_region_info info;
	char what[32];
	int ret;

	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	*areas = NULL;
	ret = pt_cap_info_head(buf, &len, &info, sizeof(info), "region info");
	if (ret < 0)
		return ret;
	r->index = info.index;
	r->flags = info.flags;
	r->region_size = info.size;
	r->offset = info.offset;
	r->readable = info.flags & VFIO_REGION_INFO_FLAG_READ;
	r->writable = info.flags & VFIO_REGION_INFO_FLAG_WRITE;
	r->mmappable = info.flags & VFIO_REGION_INFO_FLAG_MMAP;
	if (!(info.flags & VFIO_REGION_INFO_FLAG_CAPS))
		return 0;
	snprintf(what, sizeof(what), "region %u", info.index);
	ret = pt_cap_chain_walk(buf, len, sizeof(info), info.cap_offset, what,
				region_cap, &p);
	if (ret < 0) {
		free(p.areas);
		r->sparse = NULL;
		r->has_sparse = false;
		r->nr_sparse = 0;
		return ret;
	}
	*areas = p.areas;
	return 0;
}
