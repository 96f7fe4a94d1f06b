// SPDX-License-Identifier: MIT
/*
 * blockers.c — what hangs off each device (network interfaces, block
 * devices) and why taking it from the host would cost the user something
 * (its `in_use` reasons, gathered per group as `blocked_by`):
 *   - a mounted filesystem or active swap on one of its disks/partitions
 *     (proc/mounts, proc/swaps; /dev/NAME sources only),
 *   - one of its interfaces carries the default route (proc/net/route,
 *     proc/net/ipv6_route) or a global/site address (getifaddrs() live,
 *     .passthru/ifaddrs in a tree, proc/net/if_inet6),
 *   - it is the boot VGA device or drives a framebuffer (console).
 * Limits: filesystems on device-mapper/md stacks (/dev/mapper/..., dm-N)
 * are not traced down to their disks; IPv6 link-local addresses do not
 * block (every interface that is up has one).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libudev.h>

#include "lib/disc-priv.h"

#define RTF_UP_FLAG	0x0001
#define RTF_REJECT_FLAG	0x0200

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
		ptd_strv_sort(&sys->devices[i].net);
		ptd_strv_sort(&sys->devices[i].block);
		ptd_strv_sort(&sys->devices[i].partitions);
	}
	return ret;
}

/* ---- blockers ---- */

static struct pt_device *owner_of_blockdev(struct pt_system *sys,
					   const char *name)
{
	for (int i = 0; i < sys->nr_devices; i++) {
		struct pt_device *d = &sys->devices[i];

		if (ptd_strv_has(&d->block, name) ||
		    ptd_strv_has(&d->partitions, name))
			return d;
	}
	return NULL;
}

static struct pt_device *owner_of_if(struct pt_system *sys, const char *name)
{
	for (int i = 0; i < sys->nr_devices; i++)
		if (ptd_strv_has(&sys->devices[i].net, name))
			return &sys->devices[i];
	return NULL;
}

static void add_reason(struct pt_device *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_reason(struct pt_device *d, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!ptd_strv_has(&d->in_use, buf))
		ptd_strv_add(&d->in_use, buf);
}

/*
 * Blocker sources fail closed: if we cannot read proc/mounts, a disk
 * holding / would look free and `assign` would take it.  Optional ones
 * (IPv6 files on a kernel without IPv6) may be absent, never unreadable.
 */
static int source_read(struct pt_ctx *ctx, const char *rel, bool optional,
		       char **buf)
{
	char path[PATH_MAX];
	int ret = pt_sysfs_slurp(&ctx->fs, rel, buf, NULL);

	if (ret == 0 || (ret == -ENOENT && optional))
		return ret;
	pt_ctx_path(ctx, path, sizeof(path), "%s", rel);
	return pt_set_error(ret, "cannot read %s: %s; without it a device in use "
			    "(mounted, swapping, routing) could look free, so "
			    "discovery stops here%s", path, strerror(-ret),
			    !pt_ctx_is_live(ctx) ? "; capture the tree again with "
			    "`passthru snapshot`" : "");
}

/* proc/mounts escapes blanks as \040 etc. */
static void unescape_octal(char *s)
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

static int block_mounts(struct pt_ctx *ctx, struct pt_system *sys)
{
	char *buf, *line, *save;

	int ret = source_read(ctx, "proc/mounts", false, &buf);

	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char src[256], mnt[1024];
		struct pt_device *d;

		if (sscanf(line, "%255s %1023s", src, mnt) != 2 ||
		    strncmp(src, "/dev/", 5))
			continue;
		d = owner_of_blockdev(sys, src + 5);
		if (!d)
			continue;
		unescape_octal(mnt);
		add_reason(d, "%s mounted on %s", src + 5, mnt);
	}
	free(buf);
	return 0;
}

static int block_swaps(struct pt_ctx *ctx, struct pt_system *sys)
{
	char *buf, *line, *save;

	int ret = source_read(ctx, "proc/swaps", false, &buf);

	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char src[256];
		struct pt_device *d;

		if (sscanf(line, "%255s", src) != 1 || strncmp(src, "/dev/", 5))
			continue;
		d = owner_of_blockdev(sys, src + 5);
		if (d)
			add_reason(d, "%s is active swap", src + 5);
	}
	free(buf);
	return 0;
}

static int net_routes4(struct pt_ctx *ctx, struct pt_system *sys)
{
	char *buf, *line, *save;

	int ret = source_read(ctx, "proc/net/route", false, &buf);

	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char ifn[64], dst[16], gw[16], mask[16];
		unsigned int flags;
		struct pt_device *d;

		if (sscanf(line, "%63s %15s %15s %x %*s %*s %*s %15s", ifn, dst,
			   gw, &flags, mask) != 5)
			continue;
		if (strcmp(dst, "00000000") || strcmp(mask, "00000000") ||
		    !(flags & RTF_UP_FLAG))
			continue;
		d = owner_of_if(sys, ifn);
		if (d)
			add_reason(d, "%s carries the default route (IPv4)", ifn);
	}
	free(buf);
	return 0;
}

static int net_routes6(struct pt_ctx *ctx, struct pt_system *sys)
{
	static const char zero[] = "00000000000000000000000000000000";
	char *buf, *line, *save;

	int ret = source_read(ctx, "proc/net/ipv6_route", true, &buf);

	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char dst[40], plen[8], ifn[64];
		unsigned int flags;
		struct pt_device *d;

		if (sscanf(line, "%39s %7s %*s %*s %*s %*s %*s %*s %x %63s",
			   dst, plen, &flags, ifn) != 4)
			continue;
		/* unreachable/prohibit defaults (RTF_REJECT) carry nothing */
		if (strcmp(dst, zero) || strcmp(plen, "00") ||
		    !(flags & RTF_UP_FLAG) || (flags & RTF_REJECT_FLAG))
			continue;
		d = owner_of_if(sys, ifn);
		if (d)
			add_reason(d, "%s carries the default route (IPv6)", ifn);
	}
	free(buf);
	return 0;
}

static int net_addr4_live(struct pt_system *sys)
{
	struct ifaddrs *ifa, *i;
	char addr[INET_ADDRSTRLEN];

	if (getifaddrs(&ifa) < 0)
		return pt_set_error(errno, "cannot list the IPv4 addresses "
				    "(getifaddrs): %s", strerror(errno));
	for (i = ifa; i; i = i->ifa_next) {
		struct pt_device *d;
		uint32_t m;
		int plen;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		d = owner_of_if(sys, i->ifa_name);
		if (!d)
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
			  addr, sizeof(addr));
		m = i->ifa_netmask ?
		    ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr) : 0;
		plen = __builtin_popcount(m);
		add_reason(d, "%s has address %s/%d", i->ifa_name, addr, plen);
	}
	freeifaddrs(ifa);
	return 0;
}

static int net_addr4_tree(struct pt_ctx *ctx, struct pt_system *sys)
{
	char *buf, *line, *save;

	int ret = source_read(ctx, ".passthru/ifaddrs", false, &buf);

	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char ifn[64], fam[16], addr[64];
		struct pt_device *d;

		if (sscanf(line, "%63s %15s %63s", ifn, fam, addr) != 3 ||
		    strcmp(fam, "inet"))
			continue;
		d = owner_of_if(sys, ifn);
		if (d)
			add_reason(d, "%s has address %s", ifn, addr);
	}
	free(buf);
	return 0;
}

static int net_addr6(struct pt_ctx *ctx, struct pt_system *sys)
{
	char *buf, *line, *save;

	int ret = source_read(ctx, "proc/net/if_inet6", true, &buf);

	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char hex[40], ifn[64], text[INET6_ADDRSTRLEN];
		unsigned int idx, plen, scope, flags;
		struct in6_addr a;
		struct pt_device *d;

		if (sscanf(line, "%39s %x %x %x %x %63s", hex, &idx, &plen,
			   &scope, &flags, ifn) != 6 || strlen(hex) != 32)
			continue;
		/* link-local (0x20) and host (0x10) scopes do not block */
		if (scope & 0x30)
			continue;
		d = owner_of_if(sys, ifn);
		if (!d)
			continue;
		for (int k = 0; k < 16; k++) {
			unsigned int byte;

			if (sscanf(hex + 2 * k, "%2x", &byte) != 1)
				byte = 0;
			a.s6_addr[k] = (uint8_t)byte;
		}
		inet_ntop(AF_INET6, &a, text, sizeof(text));
		add_reason(d, "%s has address %s/%u", ifn, text, plen);
	}
	free(buf);
	return 0;
}

static void display_console(struct pt_ctx *ctx, struct pt_system *sys)
{
	char rel[PATH_MAX], real[PATH_MAX], bdf[PT_BDF_LEN], active[256] = "";
	struct dirent *de;
	bool vt_console;
	DIR *dir;

	/* a VT (tty0, tty1...) as console means fbcon draws on a framebuffer */
	pt_sysfs_read_str(&ctx->fs, "sys/class/tty/console/active", active,
			  sizeof(active));
	vt_console = strstr(active, "tty0") || strstr(active, "tty1") ||
		     (strncmp(active, "tty", 3) == 0 && active[3] >= '0' &&
		      active[3] <= '9');
	for (int i = 0; i < sys->nr_devices; i++)
		if (sys->devices[i].boot_vga)
			add_reason(&sys->devices[i], "boot VGA device (firmware "
				   "and early console output)");
	dir = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, "sys/class/graphics");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		struct pt_device *d;

		if (strncmp(de->d_name, "fb", 2))
			continue;
		snprintf(rel, sizeof(rel), "sys/class/graphics/%s/device", de->d_name);
		if (pt_sysfs_resolve(&ctx->fs, rel, real, sizeof(real)) < 0 ||
		    !ptd_path_owner_bdf(real, bdf, sizeof(bdf)))
			continue;
		d = ptd_find_device(sys, bdf);
		if (!d)
			continue;
		if (vt_console)
			add_reason(d, "drives framebuffer %s (console on %s)",
				   de->d_name, active);
		else
			add_reason(d, "drives framebuffer %s", de->d_name);
	}
	closedir(dir);
}

int ptd_scan_blockers(struct pt_ctx *ctx, struct pt_system *sys)
{
	int ret;

	if ((ret = block_mounts(ctx, sys)) < 0 ||
	    (ret = block_swaps(ctx, sys)) < 0 ||
	    (ret = net_routes4(ctx, sys)) < 0 ||
	    (ret = net_routes6(ctx, sys)) < 0 ||
	    (ret = pt_ctx_is_live(ctx) ? net_addr4_live(sys)
				       : net_addr4_tree(ctx, sys)) < 0 ||
	    (ret = net_addr6(ctx, sys)) < 0)
		return ret;
	display_console(ctx, sys);
	for (int i = 0; i < sys->nr_groups; i++) {
		struct pt_group *g = &sys->groups[i];

		for (int j = 0; j < g->nr_devices; j++)
			for (int k = 0; k < g->devices[j]->in_use.n; k++)
				ptd_strv_addf(&g->blocked_by, "%s: %s",
					      g->devices[j]->bdf,
					      g->devices[j]->in_use.v[k]);
	}
	return 0;
}
