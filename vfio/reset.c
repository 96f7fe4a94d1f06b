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

int pt_vfio_hot_reset_info(struct pt_vfio_device *d,
			   struct pt_vfio_reset_dep *deps, int max)
{
	struct vfio_pci_hot_reset_info probe = { .argsz = sizeof(probe) };
	struct vfio_pci_hot_reset_info *h;
	uint32_t i, n;
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
	n = h->count < n ? h->count : n;
	for (i = 0; i < n && (int)i < max; i++) {
		struct vfio_pci_dependent_device *v = &h->devices[i];
		struct pt_vfio_reset_dep *o = &deps[i];

		memset(o, 0, sizeof(*o));
		snprintf(o->bdf, sizeof(o->bdf), "%04x:%02x:%02x.%x", v->segment, v->bus,
			 v->devfn >> 3, v->devfn & 7);
#ifdef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
		if (h->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID) {
			o->group = -1;
			o->devid = v->devid;
			o->owned = v->devid != (uint32_t)VFIO_PCI_DEVID_NOT_OWNED;
			continue;
		}
#endif
		o->group = v->group_id;
		o->owned = pt_iommu_owns_group(d->io, v->group_id);
	}
	free(h);
	return n;
}

int pt_vfio_hot_reset(struct pt_vfio_device *d)
{
	struct pt_vfio_reset_dep deps[32];
	char list[512] = "";
	size_t used = 0;
	int n, i, ret;

	n = pt_vfio_hot_reset_info(d, deps, 32);
	if (n < 0)
		return n;
	for (i = 0; i < n && i < 32; i++)
		if (!deps[i].owned && used < sizeof(list))
			used += snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", deps[i].bdf);
	if (used)
		return pt_set_error(EPERM, "%s: a hot reset would also reset %s, which this process does not own; open them through the same IOMMU context (same container/IOAS) first",
				    d->bdf, list);
	ret = pt_iommu_hot_reset(d->io, d->fd);
	if (ret < 0)
		return pt_set_error(-ret, "%s: VFIO_DEVICE_PCI_HOT_RESET failed: %s", d->bdf, strerror(-ret));
	return 0;
}
