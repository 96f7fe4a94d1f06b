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

#include <linux/vfio.h>

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

static int group_join(struct pt_iommu *io, const char *bdf, int group,
		      struct pt_iommu_group **out)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct pt_iommu_group *g, *n;
	char path[64];
	int fd, err;

	g = find_group(io, group);
	if (g) {
		g->refs++;
		*out = g;
		return 0;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		return pt_set_error(err, "%s: opening IOMMU group %d (%s) failed: %s; %s", bdf, group, path,
				    strerror(err),
				    err == ENOENT ? "the device is not bound to vfio-pci: run `passthru assign` first" :
				    err == EBUSY ? "another process (a VM?) has the group open; close it, a group has one user at a time" :
				    err == EACCES || err == EPERM ? "run as root or `passthru assign --user USER`" :
				    "check `passthru show` for the device");
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st) < 0) {
		err = errno;
		close(fd);
		return pt_set_error(err, "%s: VFIO_GROUP_GET_STATUS on group %d failed: %s", bdf, group, strerror(err));
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		char why[768] = "bind every member to vfio-pci with passthru assign";

		close(fd);
		/* names the members when sysfs can tell */
		if (pt_group_check_viable(NULL, bdf, NULL) < 0)
			snprintf(why, sizeof(why), "%s", pt_last_error());
		return pt_set_error(EBUSY, "%s: IOMMU group %d is not viable (kernel): %s", bdf, group, why);
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &io->fd) < 0) {
		err = errno;
		close(fd);
		return pt_set_error(err, "%s: adding group %d to the VFIO container failed: %s%s", bdf, group,
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
			return pt_set_error(err, "%s: VFIO_SET_IOMMU(type1) on the container failed: %s", bdf, strerror(err));
		}
	}
	n = realloc(io->groups, (io->nr_groups + 1) * sizeof(*n));
	if (!n) {
		ioctl(fd, VFIO_GROUP_UNSET_CONTAINER);
		close(fd);
		return pt_set_error(ENOMEM, "%s: out of memory", bdf);
	}
	io->groups = n;
	g = &io->groups[io->nr_groups++];
	g->id = group;
	g->fd = fd;
	g->refs = 1;
	pt_iommu_read_reserved(io, group);
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

static int type1_attach(struct pt_iommu *io, const char *bdf, int group,
			int *out, uint32_t *devid)
{
	struct pt_iommu_group *g;
	int fd, err, ret;

	ret = group_join(io, bdf, group, &g);
	if (ret < 0)
		return ret;
	fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (fd < 0) {
		err = errno;
		group_leave(io, group);
		return pt_set_error(err, "%s: VFIO_GROUP_GET_DEVICE_FD in group %d failed: %s; %s", bdf, group,
				    strerror(err),
				    err == EBUSY ? "the device is open elsewhere" : "is the device bound to vfio-pci?");
	}
	*out = fd;
	*devid = 0;
	return 0;
}

static void type1_detach(struct pt_iommu *io, int group, int fd)
{
	if (fd >= 0)
		close(fd);
	group_leave(io, group);
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

/* ---- VFIO_IOMMU_GET_INFO: page sizes, then the capability chain ---- */
/* Every range of the IOVA-range capability, however many (the count is
 * bounded by the bytes that follow, so by what the kernel returned). */
static int iova_range_cap(const struct pt_cap_ref *c, struct pt_iommu_kinfo *k)
{
	uint32_t nr, i;

	if (c->body_len < 8)
		return pt_set_error(EBADMSG, "type1 info: IOVA-range capability truncated");
	memcpy(&nr, c->body, sizeof(nr));
	if (nr > (c->body_len - 8) / sizeof(struct vfio_iova_range))
		return pt_set_error(EBADMSG, "type1 info: IOVA-range capability claims %u ranges, only %zu bytes follow",
				    nr, c->body_len - 8);
	pt_iommu_kinfo_release(k);	/* a second such capability replaces the first */
	if (!nr)
		return 0;
	k->ranges = calloc(nr, sizeof(*k->ranges));
	if (!k->ranges)
		return pt_set_error(ENOMEM, "type1 info: no memory for %u IOVA ranges", nr);
	for (i = 0; i < nr; i++) {
		struct vfio_iova_range r;

		memcpy(&r, c->body + 8 + i * sizeof(r), sizeof(r));
		if (r.end < r.start)
			return pt_set_error(EBADMSG, "type1 info: IOVA range %u ends (0x%llx) before it starts (0x%llx)",
					    i, (unsigned long long)r.end, (unsigned long long)r.start);
		k->ranges[i].start = r.start;
		k->ranges[i].last = r.end;
		k->nr_ranges++;
	}
	return 0;
}

static int iommu_cap(const struct pt_cap_ref *c, void *priv)
{
	struct pt_iommu_kinfo *k = priv;
	uint32_t avail;

	switch (c->id) {
	case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE:
		return iova_range_cap(c, k);
	case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL:
		if (c->body_len < sizeof(avail))
			return pt_set_error(EBADMSG, "type1 info: DMA-avail capability truncated");
		memcpy(&avail, c->body, sizeof(avail));
		k->dma_avail_known = true;
		k->dma_avail = avail;
		return 0;
	default:
		return 0;
	}
}

int pt_iommu_parse_type1_info(const void *buf, size_t len,
			      struct pt_iommu_kinfo *k)
{
	struct vfio_iommu_type1_info ti;
	int ret;

	ret = pt_cap_info_head(buf, &len, &ti, sizeof(ti), "type1 info");
	if (ret < 0)
		return ret;
	if (ti.flags & VFIO_IOMMU_INFO_PGSIZES)
		k->pgsizes = ti.iova_pgsizes;
	if (!(ti.flags & VFIO_IOMMU_INFO_CAPS))
		return 0;
	ret = pt_cap_chain_walk(buf, len, sizeof(ti), ti.cap_offset, "type1 info",
				iommu_cap, k);
	if (ret < 0)
		pt_iommu_kinfo_release(k);	/* no half-parsed ranges */
	return ret;
}

static int type1_get_info(struct pt_iommu *io, struct pt_iommu_kinfo *k)
{
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) };
	uint8_t *buf;
	size_t len;
	int ret;

	k->type1v2 = io->type1_type == VFIO_TYPE1v2_IOMMU;
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
	ret = pt_iommu_parse_type1_info(buf, len, k);
	free(buf);
	return ret;
}

static bool type1_owns_group(struct pt_iommu *io, int group)
{
	return find_group(io, group) != NULL;
}

static int type1_hot_reset(struct pt_iommu *io, int fd)
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
	if (ioctl(fd, VFIO_DEVICE_PCI_HOT_RESET, r) < 0)
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
	.owns_group = type1_owns_group,
	.hot_reset = type1_hot_reset,
};
