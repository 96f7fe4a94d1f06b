// SPDX-License-Identifier: MIT
/*
 * blockers.c — what hangs off each device (network interfaces, block
 * devices) and why taking it from the host would cost the user something:
 * its `in_use` reasons and their structured twins (`blockers`), gathered
 * per group as `blocked_by`.  The reasons themselves come from one file
 * per concern, run in this order (which is the order of the reasons):
 *   blk-storage.c   mounts and swaps, traced through the kernel's holder
 *                   links (dm, md, bcache, loop, btrfs, ZFS, iSCSI) to disks
 *   blk-net.c       interfaces, through their upper/lower/master links, to
 *                   whatever carries an address, a route or a policy rule
 *   blk-console.c   boot VGA, framebuffer and serial consoles, DRM clients,
 *                   the only keyboard
 *   blk-platform.c  platform devices (host/LPC bridges, SMBus, SPI flash,
 *                   IOMMU, a running watchdog): hard, never moved
 * Everything that cannot be traced fails closed: "cannot tell what uses X"
 * on every device X could be on.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libudev.h>

#include "lib/blk-priv.h"

/* ---- children: interfaces and block devices ---- */

struct child {
	char name[PT_NAME_LEN];
	char bdf[PT_BDF_LEN];
	char parent[PT_NAME_LEN];	/* directory above it in sysfs */
	bool partition;
};

struct childv {
	struct child *v;
	int n, cap;
};

static int childv_add(struct childv *cv, const char *name, const char *syspath,
		      int partition)
{
	struct child *c;
	char tmp[PATH_MAX], *slash;

	if (strlen(name) >= PT_NAME_LEN)
		return 0;
	if (cv->n == cv->cap) {
		struct child *nv;

		cv->cap = cv->cap ? cv->cap * 2 : 32;
		nv = realloc(cv->v, sizeof(*nv) * (size_t)cv->cap);
		if (!nv)
			return -ENOMEM;
		cv->v = nv;
	}
	c = &cv->v[cv->n];
	memset(c, 0, sizeof(*c));
	/* virtual (lo, loop0, zram0, dm-0) are kept without an owner: an
	 * NVMe multipath disk is one too, and nvme_multipath_owners() finds
	 * its controllers */
	if (!ptd_path_owner_bdf(syspath, c->bdf, sizeof(c->bdf)))
		c->bdf[0] = '\0';
	strcpy(c->name, name);
	snprintf(tmp, sizeof(tmp), "%s", syspath);
	slash = strrchr(tmp, '/');
	if (slash) {
		*slash = '\0';
		slash = strrchr(tmp, '/');
		slash = slash ? slash + 1 : tmp;
		if (strlen(slash) < sizeof(c->parent))
			strcpy(c->parent, slash);
	}
	c->partition = partition > 0;
	cv->n++;
	return 0;
}

/* Appends a copy of c (its owner already set). */
static int childv_put(struct childv *cv, const struct child *c)
{
	if (cv->n == cv->cap) {
		struct child *nv;

		cv->cap = cv->cap ? cv->cap * 2 : 32;
		nv = realloc(cv->v, sizeof(*nv) * (size_t)cv->cap);
		if (!nv)
			return -ENOMEM;
		cv->v = nv;
	}
	cv->v[cv->n++] = *c;
	return 0;
}

/* Live: udev knows the subsystem members and whether a block device is a
 * disk or a partition. */
static int children_udev(struct pt_ctx *ctx, const char *subsys,
			 struct childv *cv)
{
	struct udev_enumerate *en = udev_enumerate_new(ctx->udev);
	struct udev_list_entry *e;
	int ret = 0;

	if (!en)
		return -ENOMEM;
	udev_enumerate_add_match_subsystem(en, subsys);
	if (udev_enumerate_scan_devices(en) < 0) {
		udev_enumerate_unref(en);
		return -EIO;
	}
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		const char *syspath = udev_list_entry_get_name(e);
		struct udev_device *ud;
		const char *type;

		ud = udev_device_new_from_syspath(ctx->udev, syspath);
		if (!ud)
			continue;
		type = udev_device_get_devtype(ud);
		ret = childv_add(cv, udev_device_get_sysname(ud), syspath,
				 type && !strcmp(type, "partition"));
		udev_device_unref(ud);
		if (ret < 0)
			break;
	}
	udev_enumerate_unref(en);
	return ret;
}

/* A tree: the sys/class/SUBSYS symlinks; a partition is a block device
 * whose sysfs directory sits inside another block device's.  The link text
 * ("../../devices/pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/...") already
 * names the owning device: one readlink, no realpath() walk per entry. */
static int children_sysfs(struct pt_ctx *ctx, const char *subsys,
			  struct childv *cv)
{
	char rel[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	int ret = 0, first = cv->n, r;
	DIR *dir;

	snprintf(rel, sizeof(rel), "sys/class/%s", subsys);
	dir = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, rel);
	if (!dir)
		return 0;
	while ((de = readdir(dir)) && ret == 0) {
		if (de->d_name[0] == '.')
			continue;
		/* relative to the listed directory: one component to walk */
		r = pt_sysfs_readlink_at(&ctx->fs, dirfd(dir), de->d_name, target,
					 sizeof(target));
		if (r <= 0)
			continue;
		ret = childv_add(cv, de->d_name, target, -1);
	}
	closedir(dir);
	if (strcmp(subsys, "block"))
		return ret;
	for (int i = first; i < cv->n; i++)
		for (int j = first; j < cv->n; j++)
			if (i != j && !strcmp(cv->v[i].parent, cv->v[j].name))
				cv->v[i].partition = true;
	return ret;
}

/* nvme<S>c<C>n<N>: the hidden per-controller path of namespace N of NVMe
 * subsystem S; its disk is nvme<S>n<N>.  The head name into head. */
static bool nvme_path_head(const char *name, char *head, size_t n)
{
	unsigned int subsys, ctrl, ns;
	int len = 0;

	if (sscanf(name, "nvme%uc%un%u%n", &subsys, &ctrl, &ns, &len) != 3 ||
	    name[len])
		return false;
	snprintf(head, n, "nvme%un%u", subsys, ns);
	return true;
}

static bool is_head_or_partition(const char *name, const char *head)
{
	size_t l = strlen(head);

	if (strncmp(name, head, l))
		return false;
	if (!name[l])
		return true;
	if (name[l] != 'p' || !name[l + 1])
		return false;
	for (const char *p = name + l + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/*
 * With NVMe native multipath (Linux's default) the disk a user mounts,
 * nvme1n1 and its partitions, is a virtual device of the NVMe subsystem;
 * only the hidden path nvme1c1n1 sits below the PCI controller.  The disk
 * and its partitions belong to the controller of every path to them (a
 * mount on them blocks each), and the hidden path, which has no /dev node,
 * is dropped.
 */
static void nvme_multipath_owners(struct childv *cv)
{
	char head[PT_NAME_LEN];

	for (int i = 0; i < cv->n; i++) {
		if (!cv->v[i].bdf[0] || !nvme_path_head(cv->v[i].name, head, sizeof(head)))
			continue;
		for (int j = 0; j < cv->n; j++) {
			struct child *c = &cv->v[j];

			if (c->bdf[0] && strcmp(c->bdf, cv->v[i].bdf))
				continue;	/* another controller's own disk */
			if (!c->bdf[0] && is_head_or_partition(c->name, head)) {
				/* first path: take it; more paths: a copy each */
				struct child copy = *c;

				snprintf(copy.bdf, sizeof(copy.bdf), "%s", cv->v[i].bdf);
				if (childv_put(cv, &copy) < 0)
					return;
			}
		}
		cv->v[i].bdf[0] = '\0';	/* the hidden path itself */
	}
}

static int children_collect(struct pt_ctx *ctx, struct pt_system *sys,
			    const char *subsys)
{
	struct childv cv = { 0 };
	int ret;

	ret = ctx->udev ? children_udev(ctx, subsys, &cv)
			: children_sysfs(ctx, subsys, &cv);
	if (!strcmp(subsys, "block"))
		nvme_multipath_owners(&cv);
	for (int i = 0; i < cv.n && ret == 0; i++) {
		struct pt_device *d = cv.v[i].bdf[0] ? ptd_find_device(sys, cv.v[i].bdf) : NULL;
		struct pt_strv *sv;

		if (!d)
			continue;
		if (!strcmp(subsys, "net"))
			sv = &d->net;
		else
			sv = cv.v[i].partition ? &d->partitions : &d->block;
		ret = ptd_strv_add(sv, cv.v[i].name);
	}
	free(cv.v);
	if (ret < 0)
		return pt_set_error(ret, "listing %s devices: %s", subsys,
				    strerror(-ret));
	return 0;
}

int ptd_scan_children(struct pt_ctx *ctx, struct pt_system *sys)
{
	int ret = children_collect(ctx, sys, "net");

	if (ret == 0)
		ret = children_collect(ctx, sys, "block");
	for (int i = 0; i < sys->nr_devices; i++) {
		ptd_strv_sort(&sys->devices[i]->net);
		ptd_strv_sort(&sys->devices[i]->block);
		ptd_strv_sort(&sys->devices[i]->partitions);
	}
	return ret;
}

/* ---- reasons ---- */

struct pt_device *ptd_owner_of_block(struct pt_system *sys, const char *name)
{
	for (int i = 0; i < sys->nr_devices; i++) {
		struct pt_device *d = sys->devices[i];

		if (ptd_strv_has(&d->block, name) ||
		    ptd_strv_has(&d->partitions, name))
			return d;
	}
	return NULL;
}

struct pt_device *ptd_owner_of_if(struct pt_system *sys, const char *name)
{
	for (int i = 0; i < sys->nr_devices; i++)
		if (ptd_strv_has(&sys->devices[i]->net, name))
			return sys->devices[i];
	return NULL;
}

/* A blocker and the storage of its BDF (lib/ABI.md rule 1). */
struct ptd_blocker {
	struct pt_blocker pub;
	char bdf[PT_BDF_LEN];
};

static void blocker_free(struct pt_blocker *b)
{
	if (!b)
		return;
	free(b->subject);
	free(b->text);
	free((struct ptd_blocker *)b);
}

static int blockers_add(struct pt_blockers *bv, const char *id, const char *bdf,
			const char *subject, const char *text, bool hard)
{
	struct pt_blocker **nv;
	struct ptd_blocker *bb;

	nv = realloc(bv->v, sizeof(*nv) * (size_t)(bv->n + 1));
	if (!nv)
		return -ENOMEM;
	bv->v = nv;
	bb = calloc(1, sizeof(*bb));
	if (!bb)
		return -ENOMEM;
	snprintf(bb->bdf, sizeof(bb->bdf), "%s", bdf);
	bb->pub.id = id;
	bb->pub.bdf = bb->bdf;
	bb->pub.subject = strdup(subject ? subject : bdf);
	bb->pub.text = strdup(text);
	bb->pub.hard = hard;
	if (!bb->pub.subject || !bb->pub.text) {
		blocker_free(&bb->pub);
		return -ENOMEM;
	}
	nv[bv->n++] = &bb->pub;
	return 0;
}

void ptd_blockers_free(struct pt_blockers *bv)
{
	for (int i = 0; i < bv->n; i++)
		blocker_free(bv->v[i]);
	free(bv->v);
	bv->v = NULL;
	bv->n = 0;
}

int ptd_blk_add(struct pt_device *d, const char *id, bool hard,
		const char *subject, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (ptd_strv_has(&d->in_use, buf))
		return 0;
	ret = ptd_strv_add(&d->in_use, buf);
	if (ret == 0)
		ret = blockers_add(&d->blockers, id, d->bdf, subject, buf, hard);
	return ret < 0 ? pt_set_error(-ret, "out of memory") : 0;
}

static bool could_be(const struct pt_device *d, int where)
{
	return ((where & PTD_COULD_BE_STORAGE) &&
		(d->block.n || (d->class_code >> 16) == 0x01)) ||
	       ((where & PTD_COULD_BE_NET) &&
		(d->net.n || (d->class_code >> 16) == 0x02));
}

int ptd_blk_untraced(struct pt_system *sys, int where, const char *what,
		     const char *why)
{
	int ret = 0;

	for (int i = 0; i < sys->nr_devices && ret == 0; i++) {
		struct pt_device *d = sys->devices[i];

		if (could_be(d, where))
			ret = ptd_blk_add(d, where & PTD_COULD_BE_STORAGE ?
					  PT_BLK_STORAGE_UNKNOWN : PT_BLK_NET_UNKNOWN,
					  false, what, "cannot tell what uses %s (%s)",
					  what, why);
	}
	return ret;
}

/*
 * Blocker sources fail closed: if we cannot read the mount table, a disk
 * holding / would look free and `assign` would take it.  Optional ones
 * (IPv6 files on a kernel without IPv6) may be absent, never unreadable.
 */
int ptd_blk_source(struct pt_ctx *ctx, const char *rel, bool optional,
		   char **buf)
{
	char path[PATH_MAX];
	int ret = pt_sysfs_slurp(&ctx->fs, rel, buf, NULL);

	if (ret == 0 || (ret == -ENOENT && optional))
		return ret;
	pt_ctx_path(ctx, path, sizeof(path), "%s", rel);
	return pt_set_error(-ret, "cannot read %s: %s; without it a device in use "
			    "(mounted, swapping, routing) could look free, so "
			    "discovery stops here%s", path, strerror(-ret),
			    !pt_ctx_is_live(ctx) ? "; capture the tree again with "
			    "`passthru snapshot`" : "");
}

void ptd_unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; ) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' &&
		    r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 +
				      (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* ---- processes holding device nodes ---- */

static int openers_add(struct ptd_opener **v, int *n, const char *node,
		       const char *pid, const char *comm)
{
	struct ptd_opener *nv;

	for (int i = 0; i < *n; i++)
		if (!strcmp((*v)[i].node, node) && !strncmp((*v)[i].who + 4, pid,
							     strlen(pid)))
			return 0;
	nv = realloc(*v, sizeof(*nv) * (size_t)(*n + 1));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	snprintf(nv[*n].node, sizeof(nv[*n].node), "%.63s", node);
	snprintf(nv[*n].who, sizeof(nv[*n].who), "PID %.20s (%.40s)", pid,
		 *comm ? comm : "?");
	(*n)++;
	return 0;
}

static int opener_cmp(const void *a, const void *b)
{
	const struct ptd_opener *x = a, *y = b;
	int c = strcmp(x->node, y->node);

	return c ? c : atoi(x->who + 4) - atoi(y->who + 4);
}

static bool has_prefix(const char *s, const char *const prefixes[])
{
	for (int i = 0; prefixes[i]; i++)
		if (!strncmp(s, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/*
 * Live: every process's fd links (a process we may not read is skipped:
 * as root we read them all).  A tree holds only the links snapshot kept
 * (those to the nodes asked for here) and each such process's comm.
 */
int ptd_proc_openers(struct pt_ctx *ctx, const char *const prefixes[],
		     struct ptd_opener **out, int *n)
{
	struct pt_sysfs *fs = &ctx->fs;
	char rel[96], link[256], comm[64];
	struct dirent *p, *f;
	DIR *proc, *fds;
	int ret = 0;

	*out = NULL;
	*n = 0;
	proc = pt_sysfs_opendir(fs, AT_FDCWD, "proc");
	if (!proc)
		return 0;
	while (ret == 0 && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(rel, sizeof(rel), "proc/%.32s/fd", p->d_name);
		if (!(fds = pt_sysfs_opendir(fs, AT_FDCWD, rel)))
			continue;
		comm[0] = '\0';
		while (ret == 0 && (f = readdir(fds))) {
			if (f->d_name[0] == '.' ||
			    pt_sysfs_readlink_at(fs, dirfd(fds), f->d_name, link,
						 sizeof(link)) <= 0 ||
			    !has_prefix(link, prefixes))
				continue;
			if (!comm[0]) {
				snprintf(rel, sizeof(rel), "proc/%.32s/comm", p->d_name);
				if (pt_sysfs_read_str(fs, rel, comm, sizeof(comm)) < 0)
					snprintf(comm, sizeof(comm), "?");
			}
			ret = openers_add(out, n, link, p->d_name, comm);
		}
		closedir(fds);
	}
	closedir(proc);
	/* /proc is listed in no fixed order: name them in one */
	if (ret == 0 && *n > 1)
		qsort(*out, (size_t)*n, sizeof(**out), opener_cmp);
	if (ret < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return pt_set_error(-ret, "out of memory");
	}
	return 0;
}

/* ---- the groups ---- */

static int group_blockers(struct pt_group *g)
{
	int ret = 0;

	for (int j = 0; j < g->nr_devices; j++) {
		struct pt_device *d = g->devices[j];

		for (int k = 0; k < d->blockers.n && ret == 0; k++) {
			const struct pt_blocker *b = d->blockers.v[k];

			ret = ptd_strv_addf(&g->blocked_by, "%s: %s", d->bdf, b->text);
			if (ret == 0)
				ret = blockers_add(&g->blockers, b->id, b->bdf,
						   b->subject, b->text, b->hard);
			g->nr_hard += b->hard;
		}
	}
	return ret < 0 ? pt_set_error(-ret, "out of memory") : 0;
}

int ptd_scan_blockers(struct pt_ctx *ctx, struct pt_system *sys)
{
	int ret;

	if ((ret = ptd_blk_storage(ctx, sys)) < 0 ||
	    (ret = ptd_blk_net(ctx, sys)) < 0 ||
	    (ret = ptd_blk_console(ctx, sys)) < 0 ||
	    (ret = ptd_blk_platform(ctx, sys)) < 0)
		return ret;
	for (int i = 0; i < sys->nr_groups; i++) {
		ret = group_blockers(sys->groups[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}
