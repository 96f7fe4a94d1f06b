// SPDX-License-Identifier: MIT
/*
 * type1.c — the legacy VFIO backend: a container (/dev/vfio/vfio) holding
 * one or more groups (/dev/vfio/N), VFIO_TYPE1v2_IOMMU (falling back to
 * VFIO_TYPE1_IOMMU), devices from VFIO_GROUP_GET_DEVICE_FD.
 *
 * The IOMMU model is set when the first group joins the container; the
 * usable IOVA ranges and the mapping limit only exist from then on.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "iommu/iommu-priv.h"

static int type1_open(struct pt_iommu *io)
{
	int fd, ver, err;

	fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		return pt_set_error(err, "type1: opening the VFIO container /dev/vfio/vfio failed: %s; %s", strerror(err),
				    err == ENOENT ? "load the vfio and vfio_iommu_type1 modules (modprobe vfio-pci), or use --iommu iommufd" :
				    "run as root or give your user the /dev/vfio nodes (passthru assign --user)");
	}
	ver = ioctl(fd, VFIO_GET_API_VERSION);
	if (ver != VFIO_API_VERSION) {
		close(fd);
		return pt_set_error(EINVAL, "type1: VFIO API version %d, expected %d", ver, VFIO_API_VERSION);
	}
	if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0)
		io->type1_type = VFIO_TYPE1v2_IOMMU;
	else if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0)
		io->type1_type = VFIO_TYPE1_IOMMU;
	else {
		close(fd);
		return pt_set_error(ENODEV, "type1: the kernel offers no type1 IOMMU driver in the VFIO container; modprobe vfio_iommu_type1 (and boot with intel_iommu=on or amd_iommu=on)");
	}
	io->fd = fd;
	return 0;
}

static void type1_close(struct pt_iommu *io)
{
	int i;

	for (i = 0; i < io->nr_groups; i++)
		if (io->groups[i].fd >= 0)
			close(io->groups[i].fd);
	io->nr_groups = 0;
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
}

static struct pt_iommu_group *find_group(struct pt_iommu *io, int id)
{
	int i;

	for (i = 0; i < io->nr_groups; i++)
		if (io->groups[i].id == id)
			return &io->groups[i];
	return NULL;
}

static int group_join(struct pt_iommu *io, struct pt_vfio_device *d,
		      struct pt_iommu_group **out)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct pt_iommu_group *g, *n;
	char path[64];
	int fd, err;

	g = find_group(io, d->group);
	if (g) {
		g->refs++;
		*out = g;
		return 0;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", d->group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		return pt_set_error(err, "%s: opening IOMMU group %d (%s) failed: %s; %s", d->bdf, d->group, path,
				    strerror(err),
				    err == ENOENT ? "the device is not bound to vfio-pci: run `passthru assign` first" :
				    err == EBUSY ? "another process (a VM?) has the group open; close it, a group has one user at a time" :
				    err == EACCES || err == EPERM ? "run as root or `passthru assign --user USER`" :
				    "check `passthru show` for the device");
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st) < 0) {
		err = errno;
		close(fd);
		return pt_set_error(err, "%s: VFIO_GROUP_GET_STATUS on group %d failed: %s", d->bdf, d->group, strerror(err));
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		char why[768] = "bind every member to vfio-pci with passthru assign";

		close(fd);
		/* names the members when sysfs can tell */
		if (pt_vfio_group_check_viable(d->bdf, NULL) < 0)
			snprintf(why, sizeof(why), "%s", pt_last_error());
		return pt_set_error(EBUSY, "%s: IOMMU group %d is not viable (kernel): %s", d->bdf, d->group, why);
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &io->fd) < 0) {
		err = errno;
		close(fd);
		return pt_set_error(err, "%s: adding group %d to the VFIO container failed: %s%s", d->bdf, d->group,
				    strerror(err),
				    err == EINVAL ? "; the group is in another container or its IOMMU is incompatible with the container's (open a second pt_iommu)" : "");
	}
	if (!io->nr_groups && ioctl(io->fd, VFIO_SET_IOMMU, io->type1_type) < 0) {
		err = errno;
		if (io->type1_type == VFIO_TYPE1v2_IOMMU &&
		    ioctl(io->fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) == 0) {
			io->type1_type = VFIO_TYPE1_IOMMU;	/* v1 fallback */
		} else {
			ioctl(fd, VFIO_GROUP_UNSET_CONTAINER);
			close(fd);
			return pt_set_error(err, "%s: VFIO_SET_IOMMU(type1) on the container failed: %s", d->bdf, strerror(err));
		}
	}
	n = realloc(io->groups, (io->nr_groups + 1) * sizeof(*n));
	if (!n) {
		ioctl(fd, VFIO_GROUP_UNSET_CONTAINER);
		close(fd);
		return pt_set_error(ENOMEM, "%s: out of memory", d->bdf);
	}
	io->groups = n;
	g = &io->groups[io->nr_groups++];
	g->id = d->group;
	g->fd = fd;
	g->refs = 1;
	pt_iommu_read_reserved(io, d->group);
	*out = g;
	return 0;
}

static void group_leave(struct pt_iommu *io, int id)
{
	struct pt_iommu_group *g = find_group(io, id);

	if (!g || --g->refs > 0)
		return;
	/* The last group out takes the IOMMU model (and the mappings) with it;
	 * only do that when nothing is mapped any more. */
	if (io->nr_groups > 1 || !io->nr_maps) {
		ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
		close(g->fd);
		*g = io->groups[--io->nr_groups];
	} else {
		g->refs = 0;	/* kept: closed with the container */
	}
}

static int type1_attach(struct pt_iommu *io, struct pt_vfio_device *d)
{
	struct pt_iommu_group *g;
	int fd, err, ret;

	ret = group_join(io, d, &g);
	if (ret < 0)
		return ret;
	fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
	if (fd < 0) {
		err = errno;
		group_leave(io, d->group);
		return pt_set_error(err, "%s: VFIO_GROUP_GET_DEVICE_FD in group %d failed: %s; %s", d->bdf, d->group,
				    strerror(err),
				    err == EBUSY ? "the device is open elsewhere" : "is the device bound to vfio-pci?");
	}
	d->fd = fd;
	return 0;
}

static void type1_detach(struct pt_iommu *io, struct pt_vfio_device *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	group_leave(io, d->group);
}

static int type1_map(struct pt_iommu *io, void *vaddr, uint64_t len,
		     uint64_t iova, unsigned int flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = len,
	};

	if (flags & PT_DMA_READ)
		m.flags |= VFIO_DMA_MAP_FLAG_READ;
	if (flags & PT_DMA_WRITE)
		m.flags |= VFIO_DMA_MAP_FLAG_WRITE;
	if (ioctl(io->fd, VFIO_IOMMU_MAP_DMA, &m) < 0)
		return -errno;
	return 0;
}

static int type1_unmap(struct pt_iommu *io, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = iova,
		.size = len,
	};

	if (ioctl(io->fd, VFIO_IOMMU_UNMAP_DMA, &u) < 0)
		return -errno;
	if (u.size != len)
		return -EIO;	/* unmapped a different amount than asked */
	return 0;
}

static int type1_get_info(struct pt_iommu *io, struct pt_iommu_info *info)
{
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) };
	uint8_t *buf;
	size_t len;
	int ret;

	info->type1v2 = io->type1_type == VFIO_TYPE1v2_IOMMU;
	if (!io->nr_groups)
		return -ENODEV;
	if (ioctl(io->fd, VFIO_IOMMU_GET_INFO, &probe) < 0)
		return -errno;
	len = probe.argsz > sizeof(probe) ? probe.argsz : sizeof(probe);
	if (len > 1 << 20)
		return -EOVERFLOW;
	buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;
	((struct vfio_iommu_type1_info *)buf)->argsz = len;
	if (ioctl(io->fd, VFIO_IOMMU_GET_INFO, buf) < 0) {
		ret = -errno;
		free(buf);
		return ret;
	}
	ret = pt_vfio_parse_iommu_info(buf, len, info);
	free(buf);
	return ret;
}

static int type1_hot_reset(struct pt_iommu *io, struct pt_vfio_device *d)
{
	struct vfio_pci_hot_reset *r;
	int i, n = 0, ret = 0;

	r = calloc(1, sizeof(*r) + io->nr_groups * sizeof(int32_t));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < io->nr_groups; i++)
		r->group_fds[n++] = io->groups[i].fd;
	r->argsz = sizeof(*r) + n * sizeof(int32_t);
	r->count = n;
	if (ioctl(d->fd, VFIO_DEVICE_PCI_HOT_RESET, r) < 0)
		ret = -errno;
	free(r);
	return ret;
}

const struct pt_iommu_ops pt_iommu_type1_ops = {
	.name = "type1",
	.open = type1_open,
	.close = type1_close,
	.attach = type1_attach,
	.detach = type1_detach,
	.map = type1_map,
	.unmap = type1_unmap,
	.get_info = type1_get_info,
	.hot_reset = type1_hot_reset,
};
