// SPDX-License-Identifier: MIT
/*
 * device.c — opening a VFIO device: group viability from sysfs (naming
 * every member in the way), attach through the chosen backend, device
 * info.  Messages start with the device's BDF, like kvmtool's vfio code.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "iommu/iommu-priv.h"

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

static int device_group(const char *bdf, int *group)
{
	char path[128], link[256];
	const char *slash;
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return -errno;
	link[len] = '\0';
	slash = strrchr(link, '/');
	*group = atoi(slash ? slash + 1 : link);
	return 0;
}

static void device_driver(const char *bdf, char *drv, size_t n)
{
	char path[128], link[256];
	const char *slash;
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0) {
		drv[0] = '\0';
		return;
	}
	link[len] = '\0';
	slash = strrchr(link, '/');
	if (snprintf(drv, n, "%s", slash ? slash + 1 : link) >= (int)n)
		drv[0] = '\0';
}

static bool device_is_bridge(const char *bdf)
{
	char path[128], buf[32];
	unsigned long cls;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/class", bdf);
	if (pt_sysfs_read_str(path, buf, sizeof(buf)) < 0)
		return false;
	cls = strtoul(buf, NULL, 16);
	return (cls >> 8) == 0x0604 || (cls >> 8) == 0x0607 || (cls >> 8) == 0x0609;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pt_vfio_group_check_viable(const char *bdf_in, int *group_out)
{
	char bdf[16], path[128], drv[64], bad[640] = "";
	char *names[256];
	struct dirent *e;
	int group = -1, ret, nr = 0, nbad = 0, i;
	size_t used = 0;
	DIR *dir;

	if (normalise_bdf(bdf_in, bdf, sizeof(bdf)) < 0)
		return pt_set_error(EINVAL, "malformed device '%s': expected a PCI address like 0000:00:04.0", bdf_in);
	ret = device_group(bdf, &group);
	if (ret < 0) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
		if (access(path, F_OK) < 0)
			return pt_set_error(ENODEV, "%s: no such PCI device; see `passthru list`", bdf);
		return pt_set_error(ENODEV, "%s: the device has no IOMMU group (%s): the IOMMU is off; boot with intel_iommu=on (or amd_iommu=on) and see `passthru check`",
				    bdf, strerror(-ret));
	}
	if (group_out)
		*group_out = group;
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/devices", group);
	dir = opendir(path);
	if (!dir)
		return pt_set_error(errno, "%s: listing IOMMU group %d (%s) failed: %s", bdf, group, path, strerror(errno));
	while ((e = readdir(dir)) && nr < 256) {
		if (e->d_name[0] == '.')
			continue;
		names[nr] = strdup(e->d_name);
		if (names[nr])
			nr++;
	}
	closedir(dir);
	qsort(names, nr, sizeof(*names), name_cmp);
	for (i = 0; i < nr; i++) {
		device_driver(names[i], drv, sizeof(drv));
		if (!pt_driver_is_dma_safe(drv, device_is_bridge(names[i]))) {
			if (used < sizeof(bad))
				used += snprintf(bad + used, sizeof(bad) - used, "%s%s is bound to %s",
						 nbad ? ", " : "", names[i], drv);
			nbad++;
		}
		free(names[i]);
	}
	if (nbad)
		return pt_set_error(EBUSY, "%s: IOMMU group %d is not viable: %s; every device of a group must be on vfio-pci (bridges may stay on pcieport): run `passthru assign %s` to move the whole group, or unbind %s",
				    bdf, group, bad, bdf, nbad > 1 ? "them" : "it");
	return 0;
}

int pt_vfio_device_open(struct pt_vfio_device **out, struct pt_iommu *io,
			const char *bdf_in)
{
	struct pt_vfio_device *d;
	char drv[64], path[128];
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
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", d->bdf);
	if (access(path, F_OK) < 0) {
		ret = pt_set_error(ENODEV, "%s: no such PCI device (%s is missing); see `passthru list`", d->bdf, path);
		goto err_free;
	}
	device_driver(d->bdf, drv, sizeof(drv));
	if (!pt_driver_is_vfio(drv)) {
		ret = pt_set_error(EBUSY, "%s: the device is %s%s, not vfio-pci: run `passthru assign %s` first",
				   d->bdf, *drv ? "bound to " : "without a driver", drv, d->bdf);
		goto err_free;
	}
	ret = pt_vfio_group_check_viable(d->bdf, &d->group);
	if (ret < 0)
		goto err_free;
	ret = io->ops->attach(io, d);
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
	io->nr_devices++;
	ret = pt_vfio_config_read(d, 0, ids, sizeof(ids));
	if (ret < 0) {
		io->nr_devices--;
		goto err_detach;
	}
	d->vendor = ids[0];
	d->device = ids[1];
	if (pt_vfio_config_read(d, 8, &d->class_rev, sizeof(d->class_rev)) < 0)
		d->class_rev = 0;
	*out = d;
	return 0;

err_detach:
	io->ops->detach(io, d);
err_free:
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
	d->io->ops->detach(d->io, d);
	d->io->nr_devices--;
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
	memset(info, 0, sizeof(*info));
	info->flags = d->info.flags;
	info->num_regions = d->info.num_regions;
	info->num_irqs = d->info.num_irqs;
	info->pci = d->info.flags & VFIO_DEVICE_FLAGS_PCI;
	info->reset = d->info.flags & VFIO_DEVICE_FLAGS_RESET;
	info->vendor = d->vendor;
	info->device = d->device;
	info->class_code = d->class_rev >> 8;
	return 0;
}
