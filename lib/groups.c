// SPDX-License-Identifier: MIT
/*
 * groups.c — IOMMU groups (ROOT/sys/kernel/iommu_groups) and their
 * viability as the kernel's VFIO judges it.
 *
 * Since Linux 5.19 a group is usable by VFIO when no member is bound to a
 * driver that claims DMA ownership of the group: unbound devices, vfio-pci
 * and its variant drivers, pci-stub and pcieport set driver_managed_dma
 * (or are VFIO itself) and so do not count against it.  Anything else — an
 * audio function on snd_hda_intel next to the GPU you want — makes the
 * whole group unusable until it is moved.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/disc-priv.h"

/*
 * vfio-pci registers its PCI driver as "vfio-pci"; every variant driver
 * (drivers/vfio/pci/VENDOR/) registers as KBUILD_MODNAME, its module's name
 * with '-' made '_': mlx5_vfio_pci, hisi_acc_vfio_pci, pds_vfio_pci,
 * virtio_vfio_pci, nvgrace_gpu_vfio_pci, qat_vfio_pci (Linux 6.12).  So
 * exactly "vfio-pci" or a name ending in "_vfio_pci" — not any name that
 * merely contains vfio-pci, and not the library vfio_pci_core, which binds
 * nothing.
 */
bool pt_driver_is_vfio(const char *driver)
{
	static const char variant[] = "_vfio_pci";
	size_t l, vl = sizeof(variant) - 1;

	if (!driver)
		return false;
	l = strlen(driver);
	return !strcmp(driver, "vfio-pci") ||
	       (l > vl && !strcmp(driver + l - vl, variant));
}

bool pt_driver_is_dma_safe(const char *driver, bool is_bridge)
{
	if (!driver || !*driver || pt_driver_is_vfio(driver))
		return true;
	if (!strcmp(driver, "pci-stub"))
		return true;
	/* the PCIe port driver sets driver_managed_dma too (it only ever
	 * binds bridges; the kernel does not look at the device type) */
	return !strcmp(driver, "pcieport");
}

static int group_cmp(const void *a, const void *b)
{
	const struct pt_group *x = *(struct pt_group *const *)a;
	const struct pt_group *y = *(struct pt_group *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

struct ptd_group *ptd_group_new(int id)
{
	struct ptd_group *gg = calloc(1, sizeof(*gg));

	if (!gg)
		return NULL;
	gg->pub.id = id;
	gg->pub.type = gg->type;
	return gg;
}

void ptd_group_free(struct pt_group *g)
{
	if (!g)
		return;
	free(g->devices);
	ptd_strv_free(&g->not_viable);
	ptd_strv_free(&g->needs_rebind);
	ptd_strv_free(&g->blocked_by);
	ptd_blockers_free(&g->blockers);
	free(ptd_group(g));
}

static int dev_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(struct pt_device *const *)a)->bdf,
		      (*(struct pt_device *const *)b)->bdf);
}

const struct pt_group *pt_find_group(const struct pt_system *sys, int id)
{
	struct pt_group key = { .id = id }, *k = &key, **hit;

	if (!sys || !sys->groups)
		return NULL;
	hit = bsearch(&k, sys->groups, (size_t)sys->nr_groups,
		      sizeof(*sys->groups), group_cmp);
	return hit ? *hit : NULL;
}

void ptd_group_judge(struct pt_group *g)
{
	g->viable = true;
	ptd_strv_free(&g->not_viable);
	ptd_strv_free(&g->needs_rebind);
	for (int i = 0; i < g->nr_devices; i++) {
		const struct pt_device *d = g->devices[i];

		if (!pt_driver_is_dma_safe(d->driver, d->is_bridge)) {
			g->viable = false;
			ptd_strv_addf(&g->not_viable, "%s is bound to %s",
				      d->bdf, d->driver);
		}
		/* assign moves every endpoint to vfio-pci; bridges stay */
		if (!d->is_bridge && !pt_driver_is_vfio(d->driver))
			ptd_strv_add(&g->needs_rebind, d->bdf);
	}
}

static int group_add(struct pt_system *sys, struct pt_group *g, int *cap,
		     const char *name)
{
	struct pt_device *d, **nd;

	/* non-PCI members (platform devices) are not assignable through
	 * vfio-pci and never appear in our tables */
	if (!ptd_is_bdf(name))
		return 0;
	d = ptd_find_device(sys, name);
	if (!d)
		return 0;
	if (g->nr_devices == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		nd = realloc(g->devices, sizeof(*nd) * (size_t)*cap);
		if (!nd)
			return pt_set_error(ENOMEM, "out of memory");
		g->devices = nd;
	}
	g->devices[g->nr_devices++] = d;
	d->group = g;
	d->iommu_group = g->id;
	return 0;
}

/* gfd: ROOT/sys/kernel/iommu_groups, so that each group costs a walk of
 * two components instead of the whole ROOT/sys/kernel/... chain */
static int group_read(struct pt_ctx *ctx, struct pt_system *sys, int gfd,
		      struct pt_group *g)
{
	char rel[64], path[PATH_MAX];
	char buf[4096] __attribute__((aligned(8)));
	int cap = 0, fd, ret = 0;
	ssize_t n;

	snprintf(rel, sizeof(rel), "%d/type", g->id);
	if (pt_sysfs_read_str_at(&ctx->fs, gfd, rel, ptd_group(g)->type, PT_NAME_LEN) < 0)
		ptd_group(g)->type[0] = '\0';	/* before Linux 5.11 there is no type */
	snprintf(rel, sizeof(rel), "%d/devices", g->id);
	fd = pt_sysfs_open(&ctx->fs, gfd, rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		int err = -fd;

		pt_ctx_path(ctx, path, sizeof(path),
			    "sys/kernel/iommu_groups/%d/devices", g->id);
		return pt_set_error(err, "cannot read IOMMU group %d: %s: %s",
				    g->id, path, strerror(err));
	}
	/* getdents64 on the fd itself: a group holds a few links, so no DIR
	 * (and its 32 KiB buffer) per group; an error ends the list as
	 * readdir() would */
	while (ret == 0 && (n = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n && ret == 0; ) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);

			ret = group_add(sys, g, &cap, de->d_name);
			off += de->d_reclen;
		}
	}
	close(fd);
	if (ret < 0)
		return ret;
	if (g->nr_devices > 1)
		qsort(g->devices, (size_t)g->nr_devices, sizeof(*g->devices),
		      dev_ptr_cmp);
	return 0;
}

int ptd_scan_groups(struct pt_ctx *ctx, struct pt_system *sys)
{
	char path[PATH_MAX], *end;
	struct dirent *de;
	int cap = 0, ret = 0, gfd;
	DIR *dir;

	dir = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, "sys/kernel/iommu_groups");
	if (!dir)
		return 0;	/* no IOMMU: groups stay NULL */
	while ((de = readdir(dir))) {
		long id;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		id = strtol(de->d_name, &end, 10);
		if (*end || id < 0 || id > 1000000)
			continue;
		if (sys->nr_groups == cap) {
			struct pt_group **ng;

			cap = cap ? cap * 2 : 16;
			ng = realloc(sys->groups, sizeof(*ng) * (size_t)cap);
			if (!ng) {
				closedir(dir);
				return pt_set_error(ENOMEM, "out of memory");
			}
			sys->groups = ng;
		}
		struct ptd_group *gg = ptd_group_new((int)id);

		if (!gg) {
			closedir(dir);
			return pt_set_error(ENOMEM, "out of memory");
		}
		sys->groups[sys->nr_groups++] = &gg->pub;
	}
	closedir(dir);
	if (!sys->nr_groups) {
		free(sys->groups);
		sys->groups = NULL;
		return 0;
	}
	sys->has_iommu = true;
	qsort(sys->groups, (size_t)sys->nr_groups, sizeof(*sys->groups), group_cmp);
	gfd = pt_sysfs_open_dir(&ctx->fs, AT_FDCWD, "sys/kernel/iommu_groups");
	if (gfd < 0) {
		pt_ctx_path(ctx, path, sizeof(path), "sys/kernel/iommu_groups");
		return pt_set_error(-gfd, "cannot read %s: %s", path,
				    strerror(-gfd));
	}
	for (int i = 0; i < sys->nr_groups; i++) {
		ret = group_read(ctx, sys, gfd, sys->groups[i]);
		if (ret < 0)
			break;
		ptd_group_judge(sys->groups[i]);
	}
	close(gfd);
	return ret < 0 ? ret : 0;
}

/* ---- one group's viability straight from sysfs ---- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "BDF is bound to DRV, ..." for every member that breaks the rule of
 * ptd_group_judge(); the number of them. */
static int group_offenders(struct pt_sysfs *fs, DIR *dir, char *bad, size_t n)
{
	char *names[256], rel[PATH_MAX], drv[PT_NAME_LEN];
	struct dirent *de;
	int nr = 0, nbad = 0;
	size_t used = 0;

	bad[0] = '\0';
	while ((de = readdir(dir)) && nr < 256) {
		if (de->d_name[0] == '.')
			continue;
		names[nr] = strdup(de->d_name);
		if (names[nr])
			nr++;
	}
	qsort(names, (size_t)nr, sizeof(*names), name_cmp);
	for (int i = 0; i < nr; i++) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", names[i]);
		if (pt_sysfs_readlink_base(fs, rel, drv, sizeof(drv)) < 0)
			drv[0] = '\0';
		if (!pt_driver_is_dma_safe(drv, false)) {
			if (used < n)
				used += (size_t)snprintf(bad + used, n - used, "%s%s is bound to %s",
							 nbad ? ", " : "", names[i], drv);
			nbad++;
		}
		free(names[i]);
	}
	return nbad;
}

static int check_viable(struct pt_sysfs *fs, const char *bdf, int *group_out)
{
	char rel[PATH_MAX], path[PATH_MAX], link[64], bad[640];
	int group, ret, nbad;
	DIR *dir;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/iommu_group", bdf);
	ret = pt_sysfs_readlink_base(fs, rel, link, sizeof(link));
	if (ret < 0) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", bdf);
		if (!pt_sysfs_exists(fs, rel))
			return pt_set_error(ENODEV, "%s: no such PCI device; see `passthru list`", bdf);
		return pt_set_error(ENODEV, "%s: the device has no IOMMU group (%s): the IOMMU is off; boot with intel_iommu=on (or amd_iommu=on) and see `passthru check`",
				    bdf, strerror(-ret));
	}
	group = atoi(link);
	if (group_out)
		*group_out = group;
	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/devices", group);
	dir = pt_sysfs_opendir(fs, AT_FDCWD, rel);
	if (!dir) {
		int err = errno;

		pt_sysfs_path(fs, path, sizeof(path), "%s", rel);
		return pt_set_error(err, "%s: listing IOMMU group %d (%s) failed: %s",
				    bdf, group, path, strerror(err));
	}
	nbad = group_offenders(fs, dir, bad, sizeof(bad));
	closedir(dir);
	if (nbad)
		return pt_set_error(EBUSY, "%s: IOMMU group %d is not viable: %s; every device of a group must be on vfio-pci (bridges may stay on pcieport): run `passthru assign %s` to move the whole group, or unbind %s",
				    bdf, group, bad, bdf, nbad > 1 ? "them" : "it");
	return 0;
}

int pt_group_check_viable(const char *root, const char *bdf, int *group)
{
	struct pt_sysfs fs;
	int ret;

	ret = pt_sysfs_init(&fs, root);
	if (ret < 0)
		return ret;
	ret = check_viable(&fs, bdf, group);
	pt_sysfs_fini(&fs);
	return ret;
}
