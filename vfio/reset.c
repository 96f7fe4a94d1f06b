// SPDX-License-Identifier: MIT
/*
 * reset.c — function reset (VFIO_DEVICE_RESET) and bus/slot hot reset.
 *
 * A hot reset resets every function behind the same bus or slot, so the
 * caller asks pt_vfio_hot_reset_info() for the affected list first (and
 * shows it); the kernel only does it when this process owns all of them:
 * type1 proves it with the fds of their groups, iommufd with the iommufd
 * the device is bound to.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "lib/passthru.h"
#include "vfio/vfio-priv.h"

int pt_vfio_device_reset(struct pt_vfio_device *d)
{
	if (!(d->info.flags & VFIO_DEVICE_FLAGS_RESET))
		return pt_set_error(ENOTTY, "%s: the device offers no function reset (no FLR, PM or bus reset method); use a hot reset (pt_vfio_hot_reset) if its bus allows",
				    d->bdf);
	if (ioctl(d->fd, VFIO_DEVICE_RESET) < 0)
		return pt_set_error(errno, "%s: VFIO_DEVICE_RESET failed: %s", d->bdf, strerror(errno));
	return 0;
}

/* VFIO_DEVICE_GET_PCI_HOT_RESET_INFO sized for every affected device:
 * their number, *out the kernel's answer (freed by the caller). */
static int hot_reset_query(struct pt_vfio_device *d,
			   struct vfio_pci_hot_reset_info **out)
{
	struct vfio_pci_hot_reset_info probe = { .argsz = sizeof(probe) };
	struct vfio_pci_hot_reset_info *h;
	uint32_t n;
	size_t len;
	int err;

	if (ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &probe) < 0 && errno != ENOSPC) {
		err = errno;
		return pt_set_error(err, "%s: VFIO_DEVICE_GET_PCI_HOT_RESET_INFO failed: %s%s", d->bdf, strerror(err),
				    err == ENODEV ? " (the device's bus and slot cannot be reset)" : "");
	}
	n = probe.count;
	if (n > 4096)
		return pt_set_error(EOVERFLOW, "%s: hot reset would affect %u devices?", d->bdf, n);
	len = sizeof(*h) + n * sizeof(h->devices[0]);
	h = calloc(1, len);
	if (!h)
		return pt_set_error(ENOMEM, "%s: out of memory", d->bdf);
	h->argsz = len;
	if (ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, h) < 0) {
		err = errno;
		free(h);
		return pt_set_error(err, "%s: VFIO_DEVICE_GET_PCI_HOT_RESET_INFO failed: %s", d->bdf, strerror(err));
	}
	*out = h;
	return h->count < n ? h->count : n;
}

/* What stands behind a struct pt_vfio_reset_dep (lib/ABI.md rule 1): the
 * public struct first, the name its bdf points at after it. */
struct vfio_reset_dep {
	struct pt_vfio_reset_dep pub;
	char bdf[PT_BDF_LEN];
};

/* n pointers, a NULL, then the n entries: one block, so that
 * pt_vfio_reset_deps_free() is one free(). */
static struct pt_vfio_reset_dep **deps_new(int n)
{
	struct pt_vfio_reset_dep **v;
	struct vfio_reset_dep *e;
	int i;

	v = calloc(1, (n + 1) * sizeof(*v) + n * sizeof(*e));
	if (!v)
		return NULL;
	e = (struct vfio_reset_dep *)(v + n + 1);
	for (i = 0; i < n; i++) {
		e[i].pub.bdf = e[i].bdf;
		v[i] = &e[i].pub;
	}
	return v;
}

static void dep_fill(struct pt_vfio_device *d, const struct vfio_pci_hot_reset_info *h,
		     const struct vfio_pci_dependent_device *v, struct vfio_reset_dep *o)
{
	snprintf(o->bdf, sizeof(o->bdf), "%04x:%02x:%02x.%x", v->segment, v->bus,
		 v->devfn >> 3, v->devfn & 7);
#ifdef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
	if (h->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID) {
		o->pub.group = -1;
		o->pub.devid = v->devid;
		o->pub.owned = v->devid != (uint32_t)VFIO_PCI_DEVID_NOT_OWNED;
		return;
	}
#endif
	o->pub.group = v->group_id;
	o->pub.owned = pt_iommu_owns_group(d->io, v->group_id);
}

int pt_vfio_hot_reset_info(struct pt_vfio_device *d,
			   struct pt_vfio_reset_dep ***deps)
{
	struct vfio_pci_hot_reset_info *h = NULL;
	struct pt_vfio_reset_dep **v;
	int n, i;

	if (deps)
		*deps = NULL;
	n = hot_reset_query(d, &h);
	if (n < 0 || !deps)
		goto out;
	v = deps_new(n);
	if (!v) {
		n = pt_set_error(ENOMEM, "%s: out of memory", d->bdf);
		goto out;
	}
	for (i = 0; i < n; i++)
		dep_fill(d, h, &h->devices[i], (struct vfio_reset_dep *)v[i]);
	*deps = v;
out:
	free(h);
	return n;
}

void pt_vfio_reset_deps_free(struct pt_vfio_reset_dep **deps)
{
	free(deps);
}

int pt_vfio_hot_reset(struct pt_vfio_device *d)
{
	struct pt_vfio_reset_dep **deps;
	char list[512] = "";
	size_t used = 0;
	int n, i, ret;

	n = pt_vfio_hot_reset_info(d, &deps);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		if (!deps[i]->owned && used < sizeof(list))
			used += snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", deps[i]->bdf);
	pt_vfio_reset_deps_free(deps);
	if (used)
		return pt_set_error(EPERM, "%s: a hot reset would also reset %s, which this process does not own; open them through the same IOMMU context (same container/IOAS) first",
				    d->bdf, list);
	ret = pt_iommu_hot_reset(d->io, d->fd);
	if (ret < 0)
		return pt_set_error(-ret, "%s: VFIO_DEVICE_PCI_HOT_RESET failed: %s", d->bdf, strerror(-ret));
	return 0;
}
