// SPDX-License-Identifier: MIT
/*
 * cap-chain.c — the bounds-checked walker for VFIO capability chains, the
 * answers of VFIO_IOMMU_GET_INFO (type1.c) and VFIO_DEVICE_GET_REGION_INFO
 * (vfio/caps.c) alike.
 *
 * The kernel builds chains in increasing offset order, so the walker
 * demands it: every `next` must lie beyond the current header, which makes
 * a looping or backwards chain impossible to follow.  Each header and each
 * capability body must fit inside the bytes the kernel filled (the smaller
 * of the buffer and argsz) and must not run into the next capability.
 * Anything else is -EBADMSG.  Pure: unit tests and the fuzz target feed
 * the parsers built on it crafted buffers.
 */
#include <errno.h>
#include <string.h>

#include <linux/vfio.h>

#include "lib/passthru.h"
#include "iommu/iommu-priv.h"

#define PT_CAP_MAX_CHAIN 64

int pt_cap_chain_walk(const uint8_t *buf, size_t len, size_t base_size,
		      uint32_t first, const char *what, pt_cap_fn fn,
		      void *priv)
{
	uint32_t off = first;
	int n = 0, ret;

	while (off) {
		struct vfio_info_cap_header h;
		struct pt_cap_ref c;
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

int pt_cap_info_head(const void *buf, size_t *len, void *out, size_t size,
		     const char *what)
{
	uint32_t argsz;

	if (*len < size)
		return pt_set_error(EBADMSG, "%s: %zu bytes, expected at least %zu", what, *len, size);
	memcpy(out, buf, size);
	memcpy(&argsz, buf, sizeof(argsz));
	if (argsz < size)
		return pt_set_error(EBADMSG, "%s: argsz %u is smaller than the structure", what, argsz);
	if (argsz < *len)
		*len = argsz;
	return 0;
}
