// SPDX-License-Identifier: MIT
/*
 * iommu.c — the backend-independent half of DMA mapping: choosing the
 * backend, bookkeeping of mappings, the IOVA allocator glue, guest RAM, and
 * error sentences (usable ranges, RLIMIT_MEMLOCK).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/abi-priv.h"
#include "lib/passthru.h"
#include "lib/sysfs.h"
#include "iommu/iommu-priv.h"

const char *pt_iommu_backend_name(enum pt_iommu_backend b)
{
	switch (b) {
	case PT_IOMMU_TYPE1: return "type1";
	case PT_IOMMU_IOMMUFD: return "iommufd";
	default: return "auto";
	}
}

int pt_iommu_backend_parse(const char *s, enum pt_iommu_backend *out)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "type1") || !strcmp(s, "vfio"))
		*out = PT_IOMMU_TYPE1;
	else if (!strcmp(s, "iommufd"))
		*out = PT_IOMMU_IOMMUFD;
	else if (!strcmp(s, "auto") || !*s)
		*out = PT_IOMMU_AUTO;
	else
		return pt_set_error(EINVAL, "unknown IOMMU backend '%s': use type1, iommufd or auto", s);
	return 0;
}

int pt_iommu_backend_resolve(enum pt_iommu_backend want,
			     enum pt_iommu_backend *out)
{
	const char *env = getenv("PASSTHRU_IOMMU");
	int ret;

	if (want == PT_IOMMU_AUTO && env && *env) {
		ret = pt_iommu_backend_parse(env, &want);
		if (ret < 0)
			return pt_set_error(EINVAL, "PASSTHRU_IOMMU='%s' is not a backend: use type1, iommufd or auto", env);
	}
	if (want == PT_IOMMU_AUTO)
		want = access("/dev/iommu", F_OK) == 0 ? PT_IOMMU_IOMMUFD : PT_IOMMU_TYPE1;
	*out = want;
	return 0;
}

int pt_iommu_open(struct pt_iommu **out, enum pt_iommu_backend want)
{
	struct pt_iommu *io;
	int ret;

	ret = pt_iommu_backend_resolve(want, &want);
	if (ret < 0)
		return ret;
	io = calloc(1, sizeof(*io));
	if (!io)
		return pt_set_error(ENOMEM, "cannot allocate an IOMMU context: %s", strerror(ENOMEM));
	io->fd = -1;
	io->backend = want;
	io->dma_bits = 64;
	io->ops = want == PT_IOMMU_IOMMUFD ? &pt_iommu_iommufd_ops : &pt_iommu_type1_ops;
	ret = io->ops->open(io);
	if (ret < 0) {
		free(io);
		return ret;
	}
	*out = io;
	return 0;
}

void pt_iommu_close(struct pt_iommu *io)
{
	int i;

	if (!io)
		return;
	for (i = io->nr_maps - 1; i >= 0; i--)
		io->ops->unmap(io, io->maps[i].iova, io->maps[i].len);
	io->ops->close(io);
	free(io->maps);
	free(io->groups);
	free(io->resv);
	free(io->info_ranges);
	free(io);
}

enum pt_iommu_backend pt_iommu_get_backend(const struct pt_iommu *io)
{
	return io->backend;
}

int pt_iommu_fd(const struct pt_iommu *io)
{
	return io->fd;
}

void pt_iommu_kinfo_release(struct pt_iommu_kinfo *k)
{
	free(k->ranges);
	k->ranges = NULL;
	k->nr_ranges = 0;
}

/* This library's whole struct pt_iommu_info: the kernel's answer k and
 * io's own counts. */
static void info_fill(const struct pt_iommu *io, const struct pt_iommu_kinfo *k,
		      struct pt_iommu_info *full)
{
	full->backend = io->backend;
	full->type1v2 = k->type1v2;
	full->ioas_id = k->ioas_id;
	full->pgsizes = k->pgsizes;
	full->ranges = k->ranges;
	full->nr_ranges = k->nr_ranges;
	full->dma_avail_known = k->dma_avail_known;
	full->dma_avail = k->dma_avail;
	full->nr_devices = io->nr_devices;
	full->nr_mappings = io->nr_maps;
	full->mapped_bytes = io->pinned;
}

/*
 * Written as far as the caller's .size reaches (lib/ABI.md rule 3).  The
 * ranges stay with io (any number of them, no copy into the caller's
 * struct); a failed query keeps the previous ones, which an earlier answer
 * may still point at.
 */
int pt_iommu_get_info(struct pt_iommu *io, struct pt_iommu_info *info)
{
	struct pt_iommu_info full = PT_IOMMU_INFO_INIT;
	struct pt_iommu_kinfo k = { 0 };
	int ret;

	ret = io->ops->get_info(io, &k);
	info_fill(io, &k, &full);
	if (pt_write_sized(info, &full, sizeof(full), "pt_iommu_get_info: struct "
			   "pt_iommu_info", "PT_IOMMU_INFO_INIT") < 0) {
		pt_iommu_kinfo_release(&k);
		return -EINVAL;
	}
	if (ret < 0)
		return ret;	/* k holds no ranges: the old ones stay */
	free(io->info_ranges);
	io->info_ranges = k.ranges;
	return 0;
}

int pt_iommu_set_dma_bits(struct pt_iommu *io, unsigned int bits)
{
	if (bits < 12 || bits > 64)
		return pt_set_error(EINVAL, "DMA width of %u bits is out of range (12..64)", bits);
	if (bits < io->dma_bits)
		io->dma_bits = bits;
	return 0;
}

/*
 * The group's reserved regions (sysfs), kept for the allocator; the
 * kernel's usable ranges normally exclude them already, this is belt and
 * braces.
 */
int pt_iommu_read_reserved(struct pt_iommu *io, int group)
{
	struct pt_resv_region r[64];
	struct pt_iova_range *n;
	int nr;

	nr = pt_sysfs_reserved_regions(pt_sysfs_live(), group, r, 64);
	if (nr <= 0)
		return 0;	/* older kernels: nothing to add */
	n = realloc(io->resv, (size_t)(io->nr_resv + nr) * sizeof(*n));
	if (!n)
		return 0;
	io->resv = n;
	for (int i = 0; i < nr; i++) {
		n[io->nr_resv].start = r[i].start;
		n[io->nr_resv].last = r[i].last;
		io->nr_resv++;
	}
	return 0;
}

/* ---- what vfio/ may do with an address space ---- */
int pt_iommu_attach_device(struct pt_iommu *io, const char *bdf, int group,
			   int *fd, uint32_t *devid)
{
	int ret = io->ops->attach(io, bdf, group, fd, devid);

	if (!ret)
		io->nr_devices++;
	return ret;
}

void pt_iommu_detach_device(struct pt_iommu *io, int group, int fd)
{
	io->ops->detach(io, group, fd);
	io->nr_devices--;
}

bool pt_iommu_owns_group(struct pt_iommu *io, int group)
{
	return io->ops->owns_group(io, group);
}

int pt_iommu_hot_reset(struct pt_iommu *io, int fd)
{
	return io->ops->hot_reset(io, fd);
}

/* ---- mapping ---- */
static int find_map(struct pt_iommu *io, uint64_t iova, uint64_t len)
{
	int i;

	for (i = 0; i < io->nr_maps; i++)
		if (io->maps[i].iova == iova && io->maps[i].len == len)
			return i;
	return -1;
}

static const char *ranges_str(const struct pt_iommu_kinfo *k, char *buf,
			      size_t n)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < k->nr_ranges && used < n; i++)
		used += snprintf(buf + used, n - used, "%s0x%" PRIx64 "-0x%" PRIx64,
				 i ? ", " : "", k->ranges[i].start, k->ranges[i].last);
	if (!k->nr_ranges)
		snprintf(buf, n, "unknown");
	return buf;
}

static bool iova_in_ranges(const struct pt_iommu_kinfo *k, uint64_t iova,
			   uint64_t len)
{
	uint64_t last = iova + len - 1;
	int i;

	if (!k->nr_ranges)
		return true;
	for (i = 0; i < k->nr_ranges; i++)
		if (iova >= k->ranges[i].start && last <= k->ranges[i].last)
			return true;
	return false;
}

/* Does the kernel say [iova, iova+len) is outside the usable ranges?  They
 * go into rs for the message.  Asks the backend directly, so the ranges a
 * caller holds from pt_iommu_get_info() stay valid. */
static bool outside_ranges(struct pt_iommu *io, uint64_t iova, uint64_t len,
			   char *rs, size_t n)
{
	struct pt_iommu_kinfo k = { 0 };
	bool outside = false;

	if (io->ops->get_info(io, &k) == 0 && !iova_in_ranges(&k, iova, len)) {
		ranges_str(&k, rs, n);
		outside = true;
	}
	pt_iommu_kinfo_release(&k);
	return outside;
}

static int map_error(struct pt_iommu *io, int err, void *vaddr, uint64_t len,
		     uint64_t iova)
{
	char sz[32], rs[512];
	const char *be = pt_iommu_backend_name(io->backend);

	pt_format_size(len, sz, sizeof(sz));
	if (err == ENOMEM) {
		struct pt_memlock m = PT_MEMLOCK_INIT;
		char why[400];

		if (pt_memlock_read(&m) == 0) {
			if (m.locked < io->pinned)	/* iommufd charges the user, not VmLck */
				m.locked = io->pinned;
			m.need = len;
			if (!pt_memlock_fits(&m))
				return pt_set_error(ENOMEM, "%s: mapping %s at IOVA 0x%" PRIx64 " failed (step: pin pages): %s: %s",
						    be, sz, iova, strerror(ENOMEM),
						    pt_memlock_explain(&m, why, sizeof(why)));
		}
	}
	if ((err == EINVAL || err == ERANGE || err == ENOSPC) &&
	    outside_ranges(io, iova, len, rs, sizeof(rs)))
		return pt_set_error(err, "%s: cannot map %s at IOVA 0x%" PRIx64 ": %s: the range 0x%" PRIx64 "-0x%" PRIx64
				    " is outside the usable IOVA ranges (%s); pick an IOVA inside them or let pt_iommu_map_dma_alloc() choose",
				    be, sz, iova, strerror(err), iova, iova + len - 1, rs);
	if (err == EEXIST)
		return pt_set_error(err, "%s: cannot map %s at IOVA 0x%" PRIx64 ": %s: part of that range is mapped already; unmap it first",
				    be, sz, iova, strerror(err));
	if (err == ENOSPC)
		return pt_set_error(err, "%s: cannot map %s at IOVA 0x%" PRIx64 ": %s: the container's mapping limit (dma_entry_limit of vfio_iommu_type1) is reached; map larger chunks or raise the module parameter",
				    be, sz, iova, strerror(err));
	return pt_set_error(err, "%s: mapping %s of memory at %p to IOVA 0x%" PRIx64 " failed: %s",
			    be, sz, vaddr, iova, strerror(err));
}

int pt_iommu_map_dma(struct pt_iommu *io, void *vaddr, size_t len,
		     uint64_t iova, unsigned int flags)
{
	struct pt_iommu_mapping *m;
	int ret;

	if (!len || ((uintptr_t)vaddr & 4095) || (len & 4095) || (iova & 4095))
		return pt_set_error(EINVAL, "%s: cannot map %zu bytes at %p to IOVA 0x%" PRIx64 ": address, size and IOVA must be 4 KiB aligned",
				    pt_iommu_backend_name(io->backend), len, vaddr, iova);
	if (iova + (len - 1) < iova)
		return pt_set_error(EINVAL, "%s: IOVA 0x%" PRIx64 " + %zu bytes wraps around the 64-bit space",
				    pt_iommu_backend_name(io->backend), iova, len);
	if (!(flags & PT_DMA_RW))
		return pt_set_error(EINVAL, "%s: a mapping needs PT_DMA_READ and/or PT_DMA_WRITE",
				    pt_iommu_backend_name(io->backend));
	if (!io->nr_devices)
		return pt_set_error(ENODEV, "%s: no device is attached yet: open a device (pt_vfio_device_open) before mapping, the type1 IOMMU only exists once a group is in the container",
				    pt_iommu_backend_name(io->backend));
	if (io->nr_maps == io->cap_maps) {
		int cap = io->cap_maps ? io->cap_maps * 2 : 16;

		m = realloc(io->maps, cap * sizeof(*m));
		if (!m)
			return pt_set_error(ENOMEM, "out of memory recording a mapping");
		io->maps = m;
		io->cap_maps = cap;
	}
	ret = io->ops->map(io, vaddr, len, iova, flags);
	if (ret < 0)
		return map_error(io, -ret, vaddr, len, iova);
	m = &io->maps[io->nr_maps++];
	m->iova = iova;
	m->len = len;
	m->vaddr = vaddr;
	m->flags = flags;
	io->pinned += len;
	return 0;
}

int pt_iommu_unmap_dma(struct pt_iommu *io, uint64_t iova, size_t len)
{
	int i, ret;

	i = find_map(io, iova, len);
	if (i < 0)
		return pt_set_error(ENOENT, "%s: nothing of %zu bytes is mapped at IOVA 0x%" PRIx64 " through this handle; unmap exactly what was mapped",
				    pt_iommu_backend_name(io->backend), len, iova);
	ret = io->ops->unmap(io, iova, len);
	if (ret < 0)
		return pt_set_error(-ret, "%s: unmapping %zu bytes at IOVA 0x%" PRIx64 " failed: %s",
				    pt_iommu_backend_name(io->backend), len, iova, strerror(-ret));
	io->pinned -= io->maps[i].len;
	io->maps[i] = io->maps[--io->nr_maps];
	return 0;
}

/* The free list's start: the usable ranges the kernel reports, or the
 * classic x86 layout from pre-4.18 type1, which has no range cap. */
static int allocator_new(struct pt_iommu *io, struct pt_iova_allocator **a)
{
	static const struct pt_iova_range classic = { 0, (1ull << 39) - 1 };
	struct pt_iommu_kinfo k = { 0 };
	int ret;

	ret = io->ops->get_info(io, &k);
	if (ret < 0) {
		pt_iommu_kinfo_release(&k);
		return pt_set_error(-ret, "%s: reading the usable IOVA ranges failed: %s",
				    pt_iommu_backend_name(io->backend), strerror(-ret));
	}
	if (k.nr_ranges)
		ret = pt_iova_new(a, k.ranges, k.nr_ranges);
	else
		ret = pt_iova_new(a, &classic, 1);
	pt_iommu_kinfo_release(&k);
	if (ret < 0)
		return pt_set_error(-ret, "building the IOVA free list failed: %s", strerror(-ret));
	return 0;
}

/* Builds the free list from scratch: usable ranges - reserved - mapped -
 * above the DMA width.  Cheap (a handful of ranges) and never stale. */
static int build_allocator(struct pt_iommu *io, struct pt_iova_allocator **out)
{
	struct pt_iova_allocator *a = NULL;
	int i, ret;

	ret = allocator_new(io, &a);
	if (ret < 0)
		return ret;
	for (i = 0; !ret && i < io->nr_resv; i++)
		ret = pt_iova_reserve(a, io->resv[i].start, io->resv[i].last);
	for (i = 0; !ret && i < io->nr_maps; i++)
		ret = pt_iova_reserve(a, io->maps[i].iova, io->maps[i].iova + io->maps[i].len - 1);
	if (!ret)
		ret = pt_iova_limit(a, io->dma_bits);
	if (ret < 0) {
		pt_iova_destroy(a);
		return pt_set_error(-ret, "building the IOVA free list failed: %s", strerror(-ret));
	}
	*out = a;
	return 0;
}

int pt_iommu_map_dma_alloc(struct pt_iommu *io, void *vaddr, size_t len,
			   unsigned int flags, uint64_t *iova)
{
	struct pt_iova_allocator *a = NULL;
	uint64_t align = 4096;
	int ret;

	if (!len)
		return pt_set_error(EINVAL, "cannot map 0 bytes");
	ret = build_allocator(io, &a);
	if (ret < 0)
		return ret;
	/* Align big buffers to 2 MiB so the IOMMU can use large pages. */
	if (len >= (2u << 20) && !((uintptr_t)vaddr & ((2u << 20) - 1)))
		align = 2u << 20;
	ret = pt_iova_alloc(a, len, align, iova);
	if (ret == -ENOSPC && align > 4096)
		ret = pt_iova_alloc(a, len, 4096, iova);
	pt_iova_destroy(a);
	if (ret < 0) {
		char sz[32];

		return pt_set_error(-ret, "%s: no free IOVA range of %s below 2^%u (the device's DMA width) outside reserved regions: %s; unmap something or map less",
				    pt_iommu_backend_name(io->backend),
				    pt_format_size(len, sz, sizeof(sz)), io->dma_bits, strerror(-ret));
	}
	return pt_iommu_map_dma(io, vaddr, len, *iova, flags);
}

int pt_iommu_map_guest_ram(struct pt_iommu *io,
			   const struct pt_guest_ram_slot *slots, int nr)
{
	int i, ret;

	for (i = 0; i < nr; i++) {
		ret = pt_iommu_map_dma(io, slots[i].host, slots[i].size, slots[i].gpa,
				       slots[i].read_only ? PT_DMA_READ : PT_DMA_RW);
		if (ret < 0)
			goto unwind;
	}
	return 0;
unwind:
	{
		char msg[1024];
		int bad = i;

		snprintf(msg, sizeof(msg), "%s", pt_last_error());
		while (--i >= 0)
			pt_iommu_unmap_dma(io, slots[i].gpa, slots[i].size);
		return pt_set_error(-ret, "guest RAM slot %d (GPA 0x%" PRIx64 ", %zu bytes), nothing left mapped: %s",
				    bad, slots[bad].gpa, slots[bad].size, msg);
	}
}

int pt_iommu_unmap_guest_ram(struct pt_iommu *io,
			     const struct pt_guest_ram_slot *slots, int nr)
{
	int i, ret, first = 0;

	for (i = 0; i < nr; i++) {
		ret = pt_iommu_unmap_dma(io, slots[i].gpa, slots[i].size);
		if (ret < 0 && !first)
			first = ret;
	}
	return first;
}
