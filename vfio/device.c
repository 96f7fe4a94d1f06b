// SPDX-License-Identifier: MIT
/*
 * device.c — opening a VFIO device: group viability (lib/groups.c's rule,
 * naming every member in the way), attach through the chosen backend,
 * device info.  Messages start with the device's BDF, like kvmtool's vfio
 * code.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/abi-priv.h"
#include "lib/passthru.h"
#include "lib/sysfs.h"
#include "vfio/vfio-priv.h"

/* "00:04.0" -> "0000:00:04.0"; -EINVAL on anything else. */
static int normalise_bdf(const char *in, char *out, size_t n)
{
	unsigned int dom = 0, bus, dev, fn;
	char tail;

	if (sscanf(in, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) == 4 ||
	    (dom = 0, sscanf(in, "%x:%x.%x%c", &bus, &dev, &fn, &tail) == 3)) {
		if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
			return -EINVAL;
		snprintf(out, n, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
		return 0;
	}
	return -EINVAL;
}

int pt_vfio_group_check_viable(const char *bdf_in, int *group)
{
	char bdf[PT_BDF_LEN];

	if (normalise_bdf(bdf_in, bdf, sizeof(bdf)) < 0)
		return pt_set_error(EINVAL, "malformed device '%s': expected a PCI address like 0000:00:04.0", bdf_in);
	return pt_group_check_viable(NULL, bdf, group);
}

int pt_vfio_device_open(struct pt_vfio_device **out, struct pt_iommu *io,
			const char *bdf_in)
{
	struct pt_sysfs *fs = pt_sysfs_live();
	struct pt_vfio_device *d;
	char drv[PT_NAME_LEN], rel[128];
	uint16_t ids[2];
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return pt_set_error(ENOMEM, "%s: out of memory", bdf_in);
	d->fd = -1;
	d->io = io;
	if (normalise_bdf(bdf_in, d->bdf, sizeof(d->bdf)) < 0) {
		ret = pt_set_error(EINVAL, "malformed device '%s': expected a PCI address like 0000:00:04.0", bdf_in);
		goto err_free;
	}
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", d->bdf);
	if (!pt_sysfs_exists(fs, rel)) {
		ret = pt_set_error(ENODEV, "%s: no such PCI device (/%s is missing); see `passthru list`", d->bdf, rel);
		goto err_free;
	}
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", d->bdf);
	if (pt_sysfs_readlink_base(fs, rel, drv, sizeof(drv)) < 0)
		drv[0] = '\0';
	if (!pt_driver_is_vfio(drv)) {
		ret = pt_set_error(EBUSY, "%s: the device is %s%s, not vfio-pci: run `passthru assign %s` first",
				   d->bdf, *drv ? "bound to " : "without a driver", drv, d->bdf);
		goto err_free;
	}
	ret = pt_group_check_viable(NULL, d->bdf, &d->group);
	if (ret < 0)
		goto err_free;
	ret = pt_iommu_attach_device(io, d->bdf, d->group, &d->fd, &d->devid);
	if (ret < 0)
		goto err_free;
	d->info.argsz = sizeof(d->info);
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &d->info) < 0) {
		ret = pt_set_error(errno, "%s: VFIO_DEVICE_GET_INFO failed: %s", d->bdf, strerror(errno));
		goto err_detach;
	}
	if (!(d->info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		ret = pt_set_error(ENODEV, "%s: not a vfio-pci device (flags 0x%x)", d->bdf, d->info.flags);
		goto err_detach;
	}
	ret = pt_vfio_config_read(d, 0, ids, sizeof(ids));
	if (ret < 0)
		goto err_detach;
	d->vendor = ids[0];
	d->device = ids[1];
	if (pt_vfio_config_read(d, 8, &d->class_rev, sizeof(d->class_rev)) < 0)
		d->class_rev = 0;
	*out = d;
	return 0;

err_detach:
	pt_iommu_detach_device(io, d->group, d->fd);
err_free:
	pt_vfio_regions_free(d);	/* config space was read through them */
	free(d);
	return ret;
}

void pt_vfio_device_close(struct pt_vfio_device *d)
{
	int i;

	if (!d)
		return;
	for (i = 0; i < PT_VFIO_IRQ_TYPES; i++) {
		if (d->irq_nr[i])
			pt_vfio_irq_disable(d, i);
		free(d->irq_fds[i]);
	}
	pt_vfio_regions_free(d);
	pt_iommu_detach_device(d->io, d->group, d->fd);
	free(d);
}

const char *pt_vfio_device_bdf(const struct pt_vfio_device *d)
{
	return d->bdf;
}

int pt_vfio_device_fd(const struct pt_vfio_device *d)
{
	return d->fd;
}

int pt_vfio_device_group(const struct pt_vfio_device *d)
{
	return d->group;
}

struct pt_iommu *pt_vfio_device_iommu(const struct pt_vfio_device *d)
{
	return d->io;
}

int pt_vfio_device_get_info(struct pt_vfio_device *d,
			    struct pt_vfio_device_info *info)
{
	struct pt_vfio_device_info full = PT_VFIO_DEVICE_INFO_INIT;

	full.flags = d->info.flags;
	full.num_regions = d->info.num_regions;
	full.num_irqs = d->info.num_irqs;
	full.pci = d->info.flags & VFIO_DEVICE_FLAGS_PCI;
	full.reset = d->info.flags & VFIO_DEVICE_FLAGS_RESET;
	full.vendor = d->vendor;
	full.device = d->device;
	full.class_code = d->class_rev >> 8;
	return pt_write_sized(info, &full, sizeof(full), "pt_vfio_device_get_info: "
			      "struct pt_vfio_device_info", "PT_VFIO_DEVICE_INFO_INIT");
}
