// SPDX-License-Identifier: MIT
/*
 * blk-storage.c — mounted filesystems and active swap, followed through
 * the kernel's own links down to the disks and the PCI devices under them.
 *
 * The mount table is proc/self/mountinfo, parsed by libmount (escapes,
 * optional fields and all).  A mount's source is its MAJ:MIN, never its
 * name: sys/dev/block/MAJ:MIN is the block device, and from there
 *   - a device under a PCI device's sysfs directory is on that device;
 *   - a stacked device (dm: LVM, LUKS, multipath; md; bcache) lists what it
 *     sits on in slaves/, followed recursively;
 *   - a partition of a virtual disk (md0p1) is followed to its disk;
 *   - a loop device's loop/backing_file is a file: the mount holding it
 *     (the longest mount point above it) is followed like any mount;
 *   - a disk below an iSCSI session is on the network: the session's
 *     connection address, the route to it, the interface (blk-net.c).
 * Filesystems with no block device of their own (MAJ 0):
 *   - libmount's pseudo filesystems (proc, tmpfs, overlay, ...) hold none;
 *   - network filesystems (libmount's list: NFS, CIFS, Ceph, ...) hold the
 *     interface the route to their server leaves by (addr= option);
 *   - btrfs: every device of the filesystem, /sys/fs/btrfs/UUID/devices/;
 *   - ZFS: every member of the pool (no holder links: the members are the
 *     block devices whose filesystem type is zfs_member with the pool's
 *     name as label, from udev live and run/udev/data in a tree).
 * Swap: /proc/swaps; a partition by its device number (stat live, the
 * captured sys/class/block/NAME/dev in a tree), a swap file by the mount
 * holding it.
 * Fails closed: anything else (an unknown filesystem, a block device with
 * no PCI device and no holders: nbd, rbd, NVMe over fabrics, an unreadable
 * link, a loop file outside every mount) is "cannot tell what uses X" on
 * every device it could be on.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libmount/libmount.h>
#include <libudev.h>

#include "lib/blk-priv.h"

#define CHAIN_MAX 16	/* a deeper stack is a loop (or a hostile tree) */

struct mnt {
	char *target, *source, *fstype, *addr;
	unsigned int maj, min;
	bool pseudo, netfs;
};

struct storage {
	struct pt_ctx *ctx;
	struct pt_system *sys;
	struct mnt *m;
	int n;
	struct pt_strv *peers;	/* snapshot: collect peers, add nothing */
};

/* What is above the device being looked at, top first, and what it is. */
struct chain {
	const char *id;
	const char *tail;	/* "mounted on /", "is active swap" */
	const char *v[CHAIN_MAX];
	int n;
};

static int trace(struct storage *st, const char *name, struct chain *c);

/* ---- the mount table ---- */

static void mnts_free(struct storage *st)
{
	for (int i = 0; i < st->n; i++) {
		free(st->m[i].target);
		free(st->m[i].source);
		free(st->m[i].fstype);
		free(st->m[i].addr);
	}
	free(st->m);
	st->m = NULL;
	st->n = 0;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int mnt_add(struct storage *st, struct libmnt_fs *fs)
{
	struct mnt *nv, *m;
	char *addr = NULL;
	size_t alen = 0;
	dev_t dev = mnt_fs_get_devno(fs);

	nv = realloc(st->m, sizeof(*nv) * (size_t)(st->n + 1));
	if (!nv)
		return -ENOMEM;
	st->m = nv;
	m = &nv[st->n];
	memset(m, 0, sizeof(*m));
	m->maj = major(dev);
	m->min = minor(dev);
	m->target = dup_or_empty(mnt_fs_get_target(fs));
	m->source = dup_or_empty(mnt_fs_get_source(fs));
	m->fstype = dup_or_empty(mnt_fs_get_fstype(fs));
	m->pseudo = mnt_fs_is_pseudofs(fs);
	m->netfs = mnt_fs_is_netfs(fs);
	/* NFS and CIFS name their server's address in the super options */
	if (mnt_optstr_get_option(mnt_fs_get_fs_options(fs), "addr", &addr,
				  &alen) == 0 && addr)
		m->addr = strndup(addr, alen);
	st->n++;
	if (!m->target || !m->source || !m->fstype)
		return -ENOMEM;
	return 0;
}

static int mnts_load(struct storage *st)
{
	struct libmnt_table *tb;
	struct libmnt_iter *it;
	struct libmnt_fs *fs;
	char *buf, path[PATH_MAX];
	FILE *f;
	int ret;

	/* read through the confined reader (a tree), parsed by libmount */
	ret = ptd_blk_source(st->ctx, "proc/self/mountinfo", false, &buf);
	if (ret < 0)
		return ret;
	pt_ctx_path(st->ctx, path, sizeof(path), "proc/self/mountinfo");
	f = fmemopen(buf, strlen(buf), "r");
	tb = mnt_new_table();
	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (!f || !tb || !it) {
		ret = -ENOMEM;
		goto out;
	}
	ret = mnt_table_parse_stream(tb, f, path);
	if (ret < 0) {
		ret = pt_set_error(EINVAL, "cannot parse %s (libmount: %s); without "
				   "it a mounted disk could look free, so discovery "
				   "stops here", path, strerror(-ret));
		goto out;
	}
	while (ret == 0 && mnt_table_next_fs(tb, it, &fs) == 0)
		ret = mnt_add(st, fs);
	if (ret < 0)
		ret = pt_set_error(-ret, "out of memory");
out:
	mnt_free_iter(it);
	mnt_unref_table(tb);
	if (f)
		fclose(f);
	free(buf);
	return ret;
}

/* The mount that holds path: the longest mount point above it (the last
 * one mounted when several are stacked). */
static const struct mnt *mnt_holding(struct storage *st, const char *path)
{
	const struct mnt *best = NULL;
	size_t best_len = 0;

	for (int i = 0; i < st->n; i++) {
		const char *t = st->m[i].target;
		size_t l = strlen(t);

		if (!strcmp(t, "/"))
			l = 0;
		else if (strncmp(path, t, l) || (path[l] != '/' && path[l]))
			continue;
		if (!best || l >= best_len) {
			best = &st->m[i];
			best_len = l;
		}
	}
	return best;
}

/* ---- block devices in sysfs ---- */

static bool block_attr(struct storage *st, const char *name, const char *attr,
		       char *buf, size_t n)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "sys/class/block/%s/%s", name, attr);
	return pt_sysfs_read_str(&st->ctx->fs, rel, buf, n) == 0;
}

static int block_of_devnum(struct storage *st, unsigned int maj,
			   unsigned int min, char *name, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "sys/dev/block/%u:%u", maj, min);
	return pt_sysfs_readlink_base(&st->ctx->fs, rel, name, n);
}

/* The block device a /dev path names: its device number on the live
 * system; in a tree its name, or the dm device of that name. */
static int block_of_path(struct storage *st, const char *path, char *name,
			 size_t n)
{
	const char *base = strrchr(path, '/');
	char rel[PATH_MAX], dm[128];
	struct dirent *de;
	struct stat sb;
	int ret = -ENOENT;
	DIR *dir;

	if (pt_ctx_is_live(st->ctx))
		return stat(path, &sb) == 0 && S_ISBLK(sb.st_mode) ?
		       block_of_devnum(st, major(sb.st_rdev), minor(sb.st_rdev),
				       name, n) : -ENOENT;
	if (!base || strncmp(path, "/dev/", 5))
		return -ENOENT;
	base++;
	snprintf(rel, sizeof(rel), "sys/class/block/%s", base);
	if (strncmp(path, "/dev/mapper/", 12) && pt_sysfs_exists(&st->ctx->fs, rel) &&
	    strlen(base) < n) {
		strcpy(name, base);
		return 0;
	}
	dir = pt_sysfs_opendir(&st->ctx->fs, AT_FDCWD, "sys/class/block");
	while (dir && ret < 0 && (de = readdir(dir)))
		if (!strncmp(de->d_name, "dm-", 3) &&
		    block_attr(st, de->d_name, "dm/name", dm, sizeof(dm)) &&
		    !strcmp(dm, base) && strlen(de->d_name) < n) {
			strcpy(name, de->d_name);
			ret = 0;
		}
	if (dir)
		closedir(dir);
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a directory of links (slaves/, devices/), sorted. */
static int list_dir(struct storage *st, const char *rel, struct pt_strv *out)
{
	struct dirent *de;
	DIR *dir = pt_sysfs_opendir(&st->ctx->fs, AT_FDCWD, rel);
	int ret = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while (ret == 0 && (de = readdir(dir)))
		if (de->d_name[0] != '.')
			ret = ptd_strv_add(out, de->d_name);
	closedir(dir);
	if (out->n > 1)
		qsort(out->v, (size_t)out->n, sizeof(char *), name_cmp);
	return ret;
}

/* "dm-0 (vg0-root)", "loop0 (/srv/disk.img)", "md0". */
static void block_label(struct storage *st, const char *name, char *buf,
			size_t n)
{
	char what[PATH_MAX];

	if (block_attr(st, name, "dm/name", what, sizeof(what)) && *what)
		snprintf(buf, n, "%s (%s)", name, what);
	else if (block_attr(st, name, "loop/backing_file", what, sizeof(what)) &&
		 *what)
		snprintf(buf, n, "%s (%s)", name, what);
	else
		snprintf(buf, n, "%s", name);
}

/* "LEAF → ABOVE... TAIL", bottom up. */
static void chain_text(const struct chain *c, const char *leaf, char *buf,
		       size_t n)
{
	size_t l = (size_t)snprintf(buf, n, "%s", leaf);

	for (int i = c->n - 1; i >= 0 && l < n; i--)
		l += (size_t)snprintf(buf + l, n - l, " → %s", c->v[i]);
	if (l < n)
		snprintf(buf + l, n - l, " %s", c->tail);
}

static int untraced(struct storage *st, int where, const char *what,
		    const char *why)
{
	return st->peers ? 0 : ptd_blk_untraced(st->sys, where, what, why);
}

/* Runs fn with label pushed on the chain. */
static int push(struct storage *st, struct chain *c, const char *label,
		const char *name,
		int (*fn)(struct storage *, const char *, struct chain *))
{
	int ret;

	if (c->n >= CHAIN_MAX)
		return untraced(st, PTD_COULD_BE_STORAGE, label,
				"storage stacked deeper than 16 levels");
	c->v[c->n++] = label;
	ret = fn(st, name, c);
	c->n--;
	return ret;
}

/* ---- network peers (iSCSI, network filesystems) ---- */

static int peer(struct storage *st, const char *id, const char *addr,
		const char *what, const struct chain *c)
{
	char text[1024];

	if (st->peers)
		return ptd_strv_has(st->peers, addr) ? 0 : ptd_strv_add(st->peers, addr);
	chain_text(c, what, text, sizeof(text));
	return ptd_blk_net_peer(st->ctx, st->sys, id, addr, text);
}

/* A disk below .../sessionN/: the targets of that iSCSI session. */
static int iscsi_disk(struct storage *st, const char *name, const char *real,
		      struct chain *c)
{
	const char *s = strstr(real, "/session");
	char sess[32], rel[PATH_MAX], addr[INET6_ADDRSTRLEN], what[128];
	struct pt_strv conns = { 0 };
	int ret, found = 0;

	snprintf(sess, sizeof(sess), "%.*s", (int)strcspn(s + 8, "/"), s + 8);
	ret = list_dir(st, "sys/class/iscsi_connection", &conns);
	for (int i = 0; ret == 0 && i < conns.n; i++) {
		/* connectionSESSION:CID */
		if (strncmp(conns.v[i], "connection", 10) ||
		    strncmp(conns.v[i] + 10, sess, strlen(sess)) ||
		    conns.v[i][10 + strlen(sess)] != ':')
			continue;
		snprintf(rel, sizeof(rel), "sys/class/iscsi_connection/%s/address",
			 conns.v[i]);
		if (pt_sysfs_read_str(&st->ctx->fs, rel, addr, sizeof(addr)) < 0 ||
		    !*addr)
			continue;
		snprintf(what, sizeof(what), "iSCSI disk %s", name);
		ret = peer(st, PT_BLK_ISCSI, addr, what, c);
		found++;
	}
	ptd_strv_free(&conns);
	if (ret == 0 && !found)
		ret = untraced(st, PTD_COULD_BE_NET, name,
			       "an iSCSI disk whose session has no connection address");
	return ret;
}

/* ---- ZFS ---- */

/* udev's filesystem probe: live from libudev, in a tree run/udev/data. */
static bool fs_prop(struct storage *st, const char *name, const char *key,
		    char *buf, size_t n)
{
	char devnum[32], rel[96], want[64], *data, *line, *save;
	bool ok = false;

	if (st->ctx->udev) {
		struct udev_device *ud = udev_device_new_from_subsystem_sysname(
			st->ctx->udev, "block", name);
		const char *v = ud ? udev_device_get_property_value(ud, key) : NULL;

		if (v)
			snprintf(buf, n, "%s", v);
		udev_device_unref(ud);
		return v != NULL;
	}
	if (!block_attr(st, name, "dev", devnum, sizeof(devnum)))
		return false;
	snprintf(rel, sizeof(rel), "run/udev/data/b%s", devnum);
	if (pt_sysfs_slurp(&st->ctx->fs, rel, &data, NULL) < 0)
		return false;
	snprintf(want, sizeof(want), "E:%s=", key);
	for (line = strtok_r(data, "\n", &save); line && !ok;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, want, strlen(want))) {
			snprintf(buf, n, "%s", line + strlen(want));
			ok = true;
		}
	free(data);
	return ok;
}

static int zfs_pool(struct storage *st, const char *pool, struct chain *c)
{
	struct pt_strv blocks = { 0 };
	char type[64], label[256], what[300];
	int ret, found = 0;

	ret = list_dir(st, "sys/class/block", &blocks);
	snprintf(what, sizeof(what), "ZFS pool %s", pool);
	for (int i = 0; ret == 0 && i < blocks.n; i++) {
		if (!fs_prop(st, blocks.v[i], "ID_FS_TYPE", type, sizeof(type)) ||
		    strcmp(type, "zfs_member") ||
		    !fs_prop(st, blocks.v[i], "ID_FS_LABEL", label, sizeof(label)) ||
		    strcmp(label, pool))
			continue;
		found++;
		ret = push(st, c, what, blocks.v[i], trace);
	}
	ptd_strv_free(&blocks);
	if (ret == 0 && !found)
		ret = untraced(st, PTD_COULD_BE_STORAGE, what,
			       "no block device says it is a member (udev's ID_FS_TYPE)");
	return ret;
}

/* Imported pools: proc/spl/kstat/zfs/POOL/ (the ZFS module's own list). */
static int zfs_pools(struct storage *st, struct pt_strv *pools)
{
	struct pt_strv all = { 0 };
	char rel[PATH_MAX];
	int ret = list_dir(st, "proc/spl/kstat/zfs", &all);

	for (int i = 0; ret == 0 && i < all.n; i++) {
		snprintf(rel, sizeof(rel), "proc/spl/kstat/zfs/%s/state", all.v[i]);
		if (pt_sysfs_exists(&st->ctx->fs, rel))
			ret = ptd_strv_add(pools, all.v[i]);
	}
	ptd_strv_free(&all);
	return ret;
}

/* A zvol (zdN): on one of the imported pools, all of them could hold it. */
static int zvol(struct storage *st, const char *name, struct chain *c)
{
	struct pt_strv pools = { 0 };
	int ret = zfs_pools(st, &pools);

	for (int i = 0; ret == 0 && i < pools.n; i++)
		ret = zfs_pool(st, pools.v[i], c);
	if (ret == 0 && !pools.n)
		ret = untraced(st, PTD_COULD_BE_STORAGE, name,
			       "a ZFS volume, and no pool is imported");
	ptd_strv_free(&pools);
	return ret;
}

/* ---- a mount, and a block device ---- */

static int btrfs_fs(struct storage *st, const struct mnt *m, struct chain *c);

static int trace_mnt(struct storage *st, const struct mnt *m, struct chain *c)
{
	char name[PT_NAME_LEN], what[PATH_MAX + 64];

	if (m->pseudo)
		return 0;
	if (m->netfs) {
		snprintf(what, sizeof(what), "%s %s", m->fstype, m->source);
		if (m->addr && *m->addr)
			return peer(st, PT_BLK_NETFS, m->addr, what, c);
		return untraced(st, PTD_COULD_BE_NET, what,
				"a network filesystem without a server address (addr=)");
	}
	if (m->maj) {
		if (block_of_devnum(st, m->maj, m->min, name, sizeof(name)) < 0) {
			snprintf(what, sizeof(what), "%s (%u:%u)", m->target,
				 m->maj, m->min);
			return untraced(st, PTD_COULD_BE_STORAGE, what,
					"its device number is no block device in sysfs");
		}
		return trace(st, name, c);
	}
	if (!strcmp(m->fstype, "btrfs"))
		return btrfs_fs(st, m, c);
	if (!strcmp(m->fstype, "zfs")) {
		snprintf(what, sizeof(what), "%.*s", (int)strcspn(m->source, "/"),
			 m->source);
		return zfs_pool(st, what, c);
	}
	snprintf(what, sizeof(what), "%s (%s %s)", m->target, m->fstype, m->source);
	return untraced(st, PTD_COULD_BE_STORAGE | PTD_COULD_BE_NET, what,
			"a filesystem with no block device that passthru does not know");
}

/* btrfs: the filesystem (sys/fs/btrfs/UUID) whose devices/ holds the
 * mount's source; every one of its devices holds the mount. */
static int btrfs_fs(struct storage *st, const struct mnt *m, struct chain *c)
{
	struct pt_strv fss = { 0 }, devs = { 0 };
	char src[PT_NAME_LEN], rel[PATH_MAX], what[96];
	int ret;

	if (block_of_path(st, m->source, src, sizeof(src)) < 0)
		return untraced(st, PTD_COULD_BE_STORAGE, m->target,
				"a btrfs filesystem whose source is no block device");
	ret = list_dir(st, "sys/fs/btrfs", &fss);
	for (int i = 0; ret == 0 && i < fss.n; i++) {
		snprintf(rel, sizeof(rel), "sys/fs/btrfs/%s/devices", fss.v[i]);
		ptd_strv_free(&devs);
		ret = list_dir(st, rel, &devs);
		if (ret < 0 || !ptd_strv_has(&devs, src))
			continue;
		snprintf(what, sizeof(what), "btrfs %.8s", fss.v[i]);
		for (int k = 0; ret == 0 && k < devs.n; k++)
			ret = push(st, c, what, devs.v[k], trace);
		break;
	}
	if (ret == 0 && (!devs.n || !ptd_strv_has(&devs, src)))
		ret = trace(st, src, c);	/* a one-device btrfs of an old kernel */
	ptd_strv_free(&fss);
	ptd_strv_free(&devs);
	return ret;
}

static int loop_dev(struct storage *st, const char *name, struct chain *c)
{
	char file[PATH_MAX], label[PATH_MAX + 64];
	const struct mnt *m;

	if (!block_attr(st, name, "loop/backing_file", file, sizeof(file)) || !*file)
		return 0;	/* no file attached: nothing below it */
	m = file[0] == '/' ? mnt_holding(st, file) : NULL;
	if (!m)
		return untraced(st, PTD_COULD_BE_STORAGE, name,
				"its backing file is in no mount passthru can see");
	block_label(st, name, label, sizeof(label));
	if (c->n >= CHAIN_MAX)
		return untraced(st, PTD_COULD_BE_STORAGE, label,
				"storage stacked deeper than 16 levels");
	c->v[c->n++] = label;
	{
		int ret = trace_mnt(st, m, c);

		c->n--;
		return ret;
	}
}

static bool prefixed(const char *name, const char *p)
{
	size_t l = strlen(p);

	return !strncmp(name, p, l) && name[l] >= '0' && name[l] <= '9';
}

/* A namespace of an NVMe subsystem with native multipath (its disk lives
 * in sys/devices/virtual/nvme-subsystem/nvme-subsysN/): on every
 * controller of the subsystem, which the subsystem's directory links to. */
static int nvme_subsys(struct storage *st, const char *name, const char *real,
		       struct chain *c)
{
	char dir[PATH_MAX], rel[PATH_MAX * 2], ctl[PATH_MAX], bdf[PT_BDF_LEN];
	char text[1024];
	struct pt_strv ents = { 0 };
	const char *p = strstr(real, "/nvme-subsystem/") + 16;
	int ret, found = 0;

	snprintf(dir, sizeof(dir), "%.*s", (int)(p - real + strcspn(p, "/")), real);
	ret = list_dir(st, dir, &ents);
	for (int i = 0; ret == 0 && i < ents.n; i++) {
		struct pt_device *d;

		if (!prefixed(ents.v[i], "nvme") || strchr(ents.v[i] + 4, 'n'))
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", dir, ents.v[i]);
		if (pt_sysfs_resolve(&st->ctx->fs, rel, ctl, sizeof(ctl)) < 0 ||
		    !ptd_path_owner_bdf(ctl, bdf, sizeof(bdf)))
			continue;
		found++;
		if (st->peers || !(d = ptd_find_device(st->sys, bdf)))
			continue;
		chain_text(c, name, text, sizeof(text));
		ret = ptd_blk_add(d, c->id, false, name, "%s", text);
	}
	ptd_strv_free(&ents);
	if (ret == 0 && !found)
		ret = untraced(st, PTD_COULD_BE_STORAGE, name,
			       "an NVMe subsystem whose controllers cannot be found");
	return ret;
}

/* A block device with no PCI device in its path and no slaves. */
static int leaf_virtual(struct storage *st, const char *name, const char *real,
			struct chain *c)
{
	if (prefixed(name, "loop"))
		return loop_dev(st, name, c);
	/* memory-backed, or a stack whose table holds no device */
	if (prefixed(name, "zram") || prefixed(name, "ram") ||
	    prefixed(name, "dm-") || prefixed(name, "md") || prefixed(name, "bcache"))
		return 0;
	if (prefixed(name, "zd"))
		return zvol(st, name, c);
	if (strstr(real, "/session"))
		return iscsi_disk(st, name, real, c);
	if (strstr(real, "/nvme-subsystem/"))
		return nvme_subsys(st, name, real, c);
	return untraced(st, prefixed(name, "nbd") || prefixed(name, "rbd") ?
			PTD_COULD_BE_NET : PTD_COULD_BE_STORAGE, name,
			"no PCI device and no holder links below it");
}

static int trace(struct storage *st, const char *name, struct chain *c)
{
	char rel[PATH_MAX], real[PATH_MAX], bdf[PT_BDF_LEN], text[1024];
	char label[PATH_MAX + 64], *slash;
	struct pt_strv slaves = { 0 };
	struct pt_device *d;
	int ret;

	snprintf(rel, sizeof(rel), "sys/class/block/%s", name);
	if (pt_sysfs_resolve(&st->ctx->fs, rel, real, sizeof(real)) < 0)
		return untraced(st, PTD_COULD_BE_STORAGE, name,
				"it is not in sys/class/block");
	if (ptd_path_owner_bdf(real, bdf, sizeof(bdf))) {
		d = ptd_find_device(st->sys, bdf);
		if (!d || st->peers)
			return 0;
		chain_text(c, name, text, sizeof(text));
		return ptd_blk_add(d, c->id, false, name, "%s", text);
	}
	/* a partition of a virtual disk: the disk is the directory above */
	snprintf(rel, sizeof(rel), "sys/class/block/%s/partition", name);
	if (pt_sysfs_exists(&st->ctx->fs, rel) && (slash = strrchr(real, '/'))) {
		*slash = '\0';
		slash = strrchr(real, '/');
		return push(st, c, name, slash ? slash + 1 : real, trace);
	}
	snprintf(rel, sizeof(rel), "sys/class/block/%s/slaves", name);
	ret = list_dir(st, rel, &slaves);
	if (ret < 0) {
		ptd_strv_free(&slaves);
		return untraced(st, PTD_COULD_BE_STORAGE, name,
				"its slaves/ holder links cannot be read");
	}
	block_label(st, name, label, sizeof(label));
	for (int i = 0; ret == 0 && i < slaves.n; i++)
		ret = push(st, c, label, slaves.v[i], trace);
	if (ret == 0 && !slaves.n)
		ret = leaf_virtual(st, name, real, c);
	ptd_strv_free(&slaves);
	return ret;
}

/* ---- the sources ---- */

static int mounts(struct storage *st)
{
	char tail[PATH_MAX + 16];
	int ret = 0;

	for (int i = 0; ret == 0 && i < st->n; i++) {
		struct chain c = { .id = PT_BLK_MOUNT, .tail = tail };

		snprintf(tail, sizeof(tail), "mounted on %s", st->m[i].target);
		ret = trace_mnt(st, &st->m[i], &c);
	}
	return ret;
}

/* Imported pools with nothing mounted still own their disks. */
static int pools(struct storage *st)
{
	struct pt_strv p = { 0 };
	int ret = zfs_pools(st, &p);

	for (int i = 0; ret == 0 && i < p.n; i++) {
		struct chain c = { .id = PT_BLK_POOL, .tail = "is imported" };
		bool mounted = false;

		for (int k = 0; k < st->n && !mounted; k++)
			mounted = !strcmp(st->m[k].fstype, "zfs") &&
				  !strncmp(st->m[k].source, p.v[i], strlen(p.v[i])) &&
				  strchr("/", st->m[k].source[strlen(p.v[i])]);
		if (!mounted)
			ret = zfs_pool(st, p.v[i], &c);
	}
	ptd_strv_free(&p);
	return ret;
}

static int swaps(struct storage *st)
{
	char *buf, *line, *save;
	int ret = ptd_blk_source(st->ctx, "proc/swaps", false, &buf);

	if (ret < 0)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		struct chain c = { .id = PT_BLK_SWAP, .tail = "is active swap" };
		char path[PATH_MAX], type[32], name[PT_NAME_LEN];
		const struct mnt *m;

		if (sscanf(line, "%4095s %31s", path, type) != 2 ||
		    !strcmp(path, "Filename"))
			continue;
		ptd_unescape_octal(path);
		if (!strcmp(type, "partition")) {
			if (block_of_path(st, path, name, sizeof(name)) == 0)
				ret = trace(st, name, &c);
			else
				ret = untraced(st, PTD_COULD_BE_STORAGE, path,
					       "swap on a device passthru cannot find");
			continue;
		}
		m = path[0] == '/' ? mnt_holding(st, path) : NULL;
		if (!m) {
			ret = untraced(st, PTD_COULD_BE_STORAGE, path,
				       "a swap file in no mount passthru can see");
			continue;
		}
		c.v[c.n++] = path;
		ret = trace_mnt(st, m, &c);
	}
	free(buf);
	return ret;
}

int ptd_blk_storage(struct pt_ctx *ctx, struct pt_system *sys)
{
	struct storage st = { .ctx = ctx, .sys = sys };
	int ret = mnts_load(&st);

	if (ret == 0)
		ret = mounts(&st);
	if (ret == 0)
		ret = pools(&st);
	if (ret == 0)
		ret = swaps(&st);
	mnts_free(&st);
	return ret;
}

int ptd_blk_storage_peers(struct pt_ctx *ctx, struct pt_strv *peers)
{
	struct storage st = { .ctx = ctx, .peers = peers };
	int ret = mnts_load(&st);

	if (ret == 0)
		ret = mounts(&st);
	mnts_free(&st);
	return ret;
}
