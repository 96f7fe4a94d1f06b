// SPDX-License-Identifier: MIT
/*
 * iommufd.c — the iommufd backend: /dev/iommu, one IOAS, devices opened
 * through their VFIO cdev (/dev/vfio/devices/vfioN, found under the PCI
 * device's vfio-dev/ in sysfs), VFIO_DEVICE_BIND_IOMMUFD and
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT, IOMMU_IOAS_MAP/UNMAP/IOVA_RANGES.
 *
 * Built against the system's uapi headers; with headers older than Linux
 * 6.6 (no <linux/iommufd.h> or no VFIO cdev ioctls) the backend compiles to
 * a stub that says it is unavailable.  iommufd reports no page-size bitmap:
 * pgsizes holds the IOAS's required IOVA alignment (its smallest page).
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
#include "lib/sysfs.h"
#include "iommu/iommu-priv.h"

#if defined(__has_include)
# if __has_include(<linux/iommufd.h>)
#  include <linux/iommufd.h>
# endif
#endif

#if defined(IOMMU_IOAS_ALLOC) && defined(VFIO_DEVICE_BIND_IOMMUFD) && \
	defined(VFIO_DEVICE_ATTACH_IOMMUFD_PT)

static int iommufd_open(struct pt_iommu *io)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	int fd, err;

	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		return pt_set_error(err, "iommufd: opening /dev/iommu failed: %s; %s", strerror(err),
				    err == ENOENT ? "this kernel has no CONFIG_IOMMUFD (Debian's kernels do not): use --iommu type1 or PASSTHRU_IOMMU=type1" :
				    "run as root or give your user /dev/iommu");
	}
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &a) < 0) {
		err = errno;
		close(fd);
		return pt_set_error(err, "iommufd: IOMMU_IOAS_ALLOC failed: %s", strerror(err));
	}
	io->fd = fd;
	io->ioas_id = a.out_ioas_id;
	return 0;
}

static void iommufd_close(struct pt_iommu *io)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = io->ioas_id };

	if (io->fd < 0)
		return;
	ioctl(io->fd, IOMMU_DESTROY, &d);
	close(io->fd);
	io->fd = -1;
}

static int iommufd_attach(struct pt_iommu *io, const char *bdf, int group,
			  int *out, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = io->fd };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = io->ioas_id };
	char name[32], path[64];
	int fd, err, ret;

	ret = pt_sysfs_vfio_cdev(pt_sysfs_live(), bdf, name, sizeof(name));
	if (ret < 0)
		return pt_set_error(-ret, "%s: no VFIO device cdev under /sys/bus/pci/devices/%s/vfio-dev: %s; %s",
				    bdf, bdf, strerror(-ret),
				    "bind the device to vfio-pci (passthru assign) on a kernel with CONFIG_VFIO_DEVICE_CDEV, or use --iommu type1");
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		return pt_set_error(err, "%s: opening %s failed: %s; %s", bdf, path, strerror(err),
				    err == EBUSY ? "the device is open elsewhere (a VM, or its group through type1)" :
				    "run as root or passthru assign --user USER");
	}
	if (ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
		char why[768] = "";

		err = errno;
		close(fd);
		if ((err == EBUSY || err == EPERM) && pt_group_check_viable(NULL, bdf, NULL) < 0)
			snprintf(why, sizeof(why), "; %s", pt_last_error());
		return pt_set_error(err, "%s: VFIO_DEVICE_BIND_IOMMUFD failed: %s%s", bdf, strerror(err), why);
	}
	*devid = bind.out_devid;
	if (ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) < 0) {
		err = errno;
		close(fd);
		return pt_set_error(err, "%s: attaching to IOAS %u (VFIO_DEVICE_ATTACH_IOMMUFD_PT) failed: %s%s", bdf,
				    io->ioas_id, strerror(err),
				    err == EINVAL ? "; the device's IOMMU cannot hold the IOAS's existing mappings (reserved region overlap?)" : "");
	}
	*out = fd;
	pt_iommu_read_reserved(io, group);
	return 0;
}

static void iommufd_detach(struct pt_iommu *io, int group, int fd)
{
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };

	if (fd < 0)
		return;
	ioctl(fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt);
	close(fd);	/* unbinds from the iommufd */
}

static int iommufd_map(struct pt_iommu *io, void *vaddr, uint64_t len,
		       uint64_t iova, unsigned int flags)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = io->ioas_id,
		.user_va = (uintptr_t)vaddr,
		.length = len,
		.iova = iova,
	};

	if (flags & PT_DMA_READ)
		m.flags |= IOMMU_IOAS_MAP_READABLE;
	if (flags & PT_DMA_WRITE)
		m.flags |= IOMMU_IOAS_MAP_WRITEABLE;
	if (ioctl(io->fd, IOMMU_IOAS_MAP, &m) < 0)
		return -errno;
	return 0;
}

static int iommufd_unmap(struct pt_iommu *io, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = io->ioas_id,
		.iova = iova,
		.length = len,
	};

	if (ioctl(io->fd, IOMMU_IOAS_UNMAP, &u) < 0)
		return -errno;
	if (u.length != len)
		return -EIO;
	return 0;
}

/*
 * IOMMU_IOAS_IOVA_RANGES fills at most num_iovas entries; with more ranges
 * it fails with EMSGSIZE and says in num_iovas how many there are.  So ask
 * again with that many: every range comes back, however many.  The ranges
 * only change when a device attaches, so a second try fits; a few more
 * cover attaches racing with us.
 */
static int ioas_ranges(struct pt_iommu *io, struct iommu_iova_range **out,
		       uint32_t *nr, uint64_t *align)
{
	struct iommu_ioas_iova_ranges q;
	struct iommu_iova_range *r = NULL, *n;
	uint32_t cap = 8;
	int tries, err;

	for (tries = 0; tries < 4; tries++) {
		n = realloc(r, (size_t)cap * sizeof(*r));
		if (!n)
			break;
		r = n;
		q = (struct iommu_ioas_iova_ranges){
			.size = sizeof(q),
			.ioas_id = io->ioas_id,
			.num_iovas = cap,
			.allowed_iovas = (uintptr_t)r,
		};
		if (ioctl(io->fd, IOMMU_IOAS_IOVA_RANGES, &q) == 0) {
			*out = r;
			*nr = q.num_iovas < cap ? q.num_iovas : cap;
			*align = q.out_iova_alignment;
			return 0;
		}
		err = errno;
		if (err != EMSGSIZE || q.num_iovas <= cap) {
			free(r);
			return -err;
		}
		cap = q.num_iovas;
	}
	free(r);
	return tries < 4 ? -ENOMEM : -EAGAIN;
}

static int iommufd_get_info(struct pt_iommu *io, struct pt_iommu_kinfo *k)
{
	struct iommu_iova_range *r = NULL;
	uint64_t align = 0;
	uint32_t i, nr = 0;
	int ret;

	k->ioas_id = io->ioas_id;
	ret = ioas_ranges(io, &r, &nr, &align);
	if (ret < 0)
		return ret;
	if (nr) {
		k->ranges = calloc(nr, sizeof(*k->ranges));
		if (!k->ranges) {
			free(r);
			return -ENOMEM;
		}
	}
	for (i = 0; i < nr; i++) {
		k->ranges[i].start = r[i].start;
		k->ranges[i].last = r[i].last;
	}
	k->nr_ranges = nr;
	k->pgsizes = align;
	free(r);
	return 0;
}

static int iommufd_hot_reset(struct pt_iommu *io, int fd)
{
	/* A zero-length group list: the kernel checks ownership through the
	 * iommufd the device is bound to (Linux 6.6+). */
	struct vfio_pci_hot_reset r = { .argsz = sizeof(r), .count = 0 };

	if (ioctl(fd, VFIO_DEVICE_PCI_HOT_RESET, &r) < 0)
		return -errno;
	return 0;
}

#else /* uapi headers without iommufd */

static int iommufd_open(struct pt_iommu *io)
{
	return pt_set_error(ENOTSUP, "iommufd: this passthru was built against kernel headers without iommufd (<linux/iommufd.h>, Linux 6.6 VFIO cdev ioctls); install newer linux-libc-dev (bookworm-backports) and rebuild, or use --iommu type1");
}
static void iommufd_close(struct pt_iommu *io) {}
static int iommufd_attach(struct pt_iommu *io, const char *bdf, int group,
			  int *out, uint32_t *devid) { return -ENOTSUP; }
static void iommufd_detach(struct pt_iommu *io, int group, int fd) {}
static int iommufd_map(struct pt_iommu *io, void *vaddr, uint64_t len,
		       uint64_t iova, unsigned int flags) { return -ENOTSUP; }
static int iommufd_unmap(struct pt_iommu *io, uint64_t iova, uint64_t len) { return -ENOTSUP; }
static int iommufd_get_info(struct pt_iommu *io, struct pt_iommu_kinfo *k) { return -ENOTSUP; }
static int iommufd_hot_reset(struct pt_iommu *io, int fd) { return -ENOTSUP; }

#endif

/* Ownership is per device here, and the kernel reports it (devids). */
static bool iommufd_owns_group(struct pt_iommu *io, int group)
{
	return false;
}

const struct pt_iommu_ops pt_iommu_iommufd_ops = {
	.name = "iommufd",
	.open = iommufd_open,
	.close = iommufd_close,
	.attach = iommufd_attach,
	.detach = iommufd_detach,
	.map = iommufd_map,
	.unmap = iommufd_unmap,
	.get_info = iommufd_get_info,
	.owns_group = iommufd_owns_group,
	.hot_reset = iommufd_hot_reset,
};
