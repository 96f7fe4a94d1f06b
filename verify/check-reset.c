// SPDX-License-Identifier: MIT
/*
 * check-reset.c — reset.dma-stopped of `passthru verify`: after a reset
 * (VFIO_DEVICE_RESET: FLR, PM or bus reset as the kernel picks; else a
 * hot reset when only this device is affected) the device's DMA stays
 * stopped, and the IOMMU mappings made before the reset still translate.
 *
 * A copy to a sentinel page is started just before the reset; after the
 * reset every mapped buffer is snapshotted and must not change for
 * RESET_QUIET_MS while nothing is asked of the device.  Then the driver is
 * re-initialised and a copy through the mappings made before the reset
 * must deliver every byte.  Limit (stated in the evidence): an emulated
 * device may finish the started copy before the reset returns, so the
 * "in flight" part is only exercised when the device is slower than the
 * reset.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verify/dma.h"

#define RESET_IOVA	0x8400000ull
#define RESET_QUIET_MS	500
#define RESET_BYTE	0xc3

/* The first device a hot reset of s's device would also reset that verify
 * does not own, or NULL; n devices in all (-errno: no hot reset). */
static int hot_reset_blocker(struct vfy_dma *s, char *bdf, size_t bn)
{
	struct pt_vfio_reset_dep **deps;
	int n = pt_vfio_hot_reset_info(s->t.dev, &deps);

	bdf[0] = '\0';
	for (int i = 0; i < n && !bdf[0]; i++)
		if (!deps[i]->owned)
			snprintf(bdf, bn, "%s", deps[i]->bdf);
	pt_vfio_reset_deps_free(deps);
	return n;
}

/* Which reset can be done; "" in how when none (why says so). */
static int pick_reset(struct vfy_dma *s, char *how, size_t hn, char *why, size_t wn)
{
	struct pt_vfio_device_info info = PT_VFIO_DEVICE_INFO_INIT;
	char other[32];
	int n;

	how[0] = '\0';
	if (pt_vfio_device_get_info(s->t.dev, &info) == 0 && info.reset) {
		snprintf(how, hn, "VFIO_DEVICE_RESET (reset_method: %s)",
			 s->d->reset_methods.n ? s->d->reset_methods.v[0] : "?");
		return 1;
	}
	n = hot_reset_blocker(s, other, sizeof(other));
	if (n <= 0) {
		snprintf(why, wn, "the device supports neither VFIO_DEVICE_RESET "
			 "(no FLR, PM or bus reset: reset_method is empty) nor a "
			 "hot reset%s%s", n < 0 ? ": " : "", n < 0 ? pt_last_error() : "");
		return 0;
	}
	if (other[0]) {
		snprintf(why, wn, "only a hot reset is possible and it would "
			 "also reset %s, which verify does not own", other);
		return 0;
	}
	snprintf(how, hn, "VFIO_DEVICE_PCI_HOT_RESET (%d device%s)", n,
		 n > 1 ? "s" : "");
	return 2;
}

void vfy_reset(struct vfy_dma *s)
{
	struct vfy_result *r = vfy_dma_begin(s, "reset.dma-stopped");
	const char *exp = "no byte of mapped memory changes after the reset, "
			  "and copies through the mappings made before it work";
	char how[128], why[512];
	struct vfy_buf b;
	uint8_t *snap = NULL, *refsnap = NULL;
	int kind, ret, landed;

	if (!r)
		return;
	kind = pick_reset(s, how, sizeof(how), why, sizeof(why));
	if (!kind) {
		vfy_skip(r, "%s", why);
		return;
	}
	if (!vfy_iova_usable(s, RESET_IOVA, VFY_PAGE) ||
	    vfy_buf_get(s, &b, VFY_PAGE, RESET_IOVA, PT_DMA_RW, NULL) < 0) {
		vfy_fail(r, exp, NULL, "mapping a page at IOVA 0x%llx failed: %s",
			 RESET_IOVA, pt_last_error());
		return;
	}
	snap = malloc(VFY_PAGE);
	refsnap = malloc(VFY_PAGE);
	if (!snap || !refsnap) {
		vfy_fail(r, exp, NULL, "out of memory");
		goto out;
	}
	memset(b.addr, RESET_BYTE, b.size);
	vfy_src_fill(s, s->ref, s->len, 0x5100);
	/* a copy in flight (if the device is slow enough), then the reset */
	ret = s->ops->memcpy_start(&s->t.drv, s->ref_iova, b.iova, s->len);
	ret = ret ? ret : kind == 1 ? pt_vfio_device_reset(s->t.dev)
				    : pt_vfio_hot_reset(s->t.dev);
	if (ret < 0) {
		vfy_fail(r, exp, "see the message; `passthru show` lists the "
			 "device's reset methods", "%s failed: %s", how,
			 pt_last_error());
		s->broken = true;
		snprintf(s->broken_why, sizeof(s->broken_why), "the reset failed");
		goto out;
	}
	landed = vfy_src_diff(s, b.addr, s->len, 0x5100) < 0 ? 1 :
		 vfy_diff_byte(b.addr, b.size, RESET_BYTE) < 0 ? 0 : 2;
	memcpy(snap, b.addr, VFY_PAGE);
	memcpy(refsnap, s->ref, VFY_PAGE);
	if (vfy_inject("reset-dma-after")) {
		vfy_src_fill(s, s->ref, s->len, 0x5300);
		memcpy(refsnap, s->ref, VFY_PAGE);
		pt_vfio_set_bus_master(s->t.dev, true);
		s->ops->init(&s->t.drv);
		vfy_dma_copy(s, s->ref_iova, b.iova, s->len);
	}
	usleep(RESET_QUIET_MS * 1000);
	if (memcmp(snap, b.addr, VFY_PAGE) || memcmp(refsnap, s->ref, VFY_PAGE)) {
		vfy_fail(r, exp, "the device keeps doing DMA after a reset: do not "
			 "hand it to another guest without a full bus reset",
			 "mapped memory changed in the %d ms after %s returned",
			 RESET_QUIET_MS, how);
		goto out;
	}
	/* the mappings made before the reset must still translate */
	pt_vfio_set_bus_master(s->t.dev, true);
	ret = s->ops->init(&s->t.drv);
	if (!ret) {
		vfy_src_fill(s, s->ref, s->len, 0x5200);
		memset(b.addr, 0, b.size);
		ret = vfy_dma_copy(s, s->ref_iova, b.iova, s->len);
	}
	if (ret || vfy_src_diff(s, b.addr, s->len, 0x5200) >= 0) {
		vfy_fail(r, exp, "the reset dropped the device's IOMMU mappings "
			 "or left the device unusable; report it with this output",
			 "after %s, %s", how, ret ? pt_last_error() :
			 "a copy through the old mappings delivered wrong bytes");
		s->broken = true;
		snprintf(s->broken_why, sizeof(s->broken_why), "the device did "
			 "not work after the reset");
		goto out;
	}
	vfy_pass(r, "%s done with a %" PRIu64 "-byte copy started just before "
		 "it (%s); no byte of mapped memory changed in the %d ms after; "
		 "re-initialised, the device copied through the mappings made "
		 "before the reset (IOVA 0x%" PRIx64 " -> 0x%llx), every byte right",
		 how, s->len, landed == 1 ? "it had completed before the reset "
		 "returned" : landed == 0 ? "cut off: nothing of it landed" :
		 "partly landed before the reset", RESET_QUIET_MS, s->ref_iova,
		 RESET_IOVA);
out:
	free(snap);
	free(refsnap);
	vfy_buf_put(s, &b);
}
