// SPDX-License-Identifier: MIT
/*
 * snapshot.c — capture the sysfs/procfs/dev state discovery reads (exactly
 * the paths of tests/fixtures/TREE.md) into a directory, and from there a
 * tar, so that `passthru --root DIR` replays the machine elsewhere.
 *
 * sysfs reports 4096 for every attribute's size, so files are copied by
 * reading their contents; symlinks are recreated with the same (relative)
 * text, and the directories they point at are created so they resolve
 * inside the tree.  Device nodes become empty regular files.  The tar is
 * written by tar(1) from the staged directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/disc-priv.h"

extern char **environ;

/* snprintf into a PATH_MAX buffer; an over-long path is cut, and then
 * simply does not exist in the source either. */
static void pathf(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void pathf(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
}

struct snap {
	struct pt_ctx *ctx;
	const char *dir;
};

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	if (strlen(path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int dst_path(const struct snap *s, char *buf, size_t n, const char *rel)
{
	if ((size_t)snprintf(buf, n, "%s/%s", s->dir, rel) >= n)
		return -ENAMETOOLONG;
	return 0;
}

static int mkparent(const char *path)
{
	char tmp[PATH_MAX], *slash;

	snprintf(tmp, sizeof(tmp), "%s", path);
	slash = strrchr(tmp, '/');
	if (!slash || slash == tmp)
		return 0;
	*slash = '\0';
	return mkdir_p(tmp);
}

static int snap_mkdir(struct snap *s, const char *rel)
{
	char dst[PATH_MAX];

	if (dst_path(s, dst, sizeof(dst), rel) < 0)
		return -ENAMETOOLONG;
	return mkdir_p(dst);
}

static int write_file(const char *dst, const char *data, size_t len)
{
	int fd, ret = 0;

	if (mkparent(dst) < 0)
		return -errno;
	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = -errno;
			break;
		}
		data += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

/* Copies ROOT/rel by content.  -ENOENT when the source does not exist. */
static int snap_copy(struct snap *s, const char *rel)
{
	char dst[PATH_MAX];
	char *buf;
	size_t len;
	int ret;

	ret = pt_sysfs_slurp(&s->ctx->fs, rel, &buf, &len);
	if (ret < 0)
		return ret;
	ret = dst_path(s, dst, sizeof(dst), rel);
	if (ret == 0)
		ret = write_file(dst, buf, len);
	free(buf);
	if (ret < 0)
		return pt_set_error(ret, "snapshot: cannot write %s: %s", dst,
				    strerror(-ret));
	return 0;
}

static int snap_copy_opt(struct snap *s, const char *rel)
{
	int ret = snap_copy(s, rel);

	/* absent or unreadable (EACCES, EINVAL for write-only attributes)
	 * sources are simply not part of this machine's tree */
	return ret == -ENOENT || ret == -EACCES || ret == -EINVAL ||
	       ret == -EPERM || ret == -EIO || ret == -ENODEV ? 0 : ret;
}

static int snap_touch(struct snap *s, const char *rel)
{
	char dst[PATH_MAX];

	if (!pt_sysfs_exists(&s->ctx->fs, rel))
		return 0;
	if (dst_path(s, dst, sizeof(dst), rel) < 0)
		return -ENAMETOOLONG;
	return write_file(dst, "", 0);
}

/* Recreates the symlink at rel; with mkdir_target also its target dir.
 * target_rel (optional) receives the tree-relative target. */
static int snap_link(struct snap *s, const char *rel, bool mkdir_target,
		     char *target_rel, size_t n)
{
	char dst[PATH_MAX], text[PATH_MAX], tr[PATH_MAX];
	struct stat st;
	int ret;

	ret = pt_sysfs_readlink(&s->ctx->fs, rel, text, sizeof(text));
	if (ret < 0)
		return ret == -ENOENT || ret == -EINVAL ? -ENOENT : ret;
	if (dst_path(s, dst, sizeof(dst), rel) < 0 || mkparent(dst) < 0)
		return pt_set_error(errno ? errno : ENAMETOOLONG,
				    "snapshot: cannot create %s", dst);
	if (symlink(text, dst) < 0 && errno != EEXIST)
		return pt_set_error(errno, "snapshot: symlink %s: %s", dst,
				    strerror(errno));
	/* the tree-relative path it resolves to */
	ret = pt_sysfs_resolve(&s->ctx->fs, rel, tr, sizeof(tr));
	if (ret < 0)
		return 0;	/* dangling or outside: keep the link only */
	/* only directories: a link to a file keeps its text only */
	if (mkdir_target && pt_sysfs_stat_at(&s->ctx->fs, AT_FDCWD, rel, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		snap_mkdir(s, tr);
	if (target_rel)
		snprintf(target_rel, n, "%s", tr);
	return 0;
}

typedef int (*entry_fn)(struct snap *s, const char *dirrel, const char *name);

static int snap_each(struct snap *s, const char *dirrel, entry_fn fn)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = pt_sysfs_opendir(&s->ctx->fs, AT_FDCWD, dirrel);
	if (!d)
		return 0;
	while (ret == 0 && (de = readdir(d)))
		if (de->d_name[0] != '.')
			ret = fn(s, dirrel, de->d_name);
	closedir(d);
	return ret;
}

/* ---- PCI devices ---- */

static const char *const dev_files[] = {
	"resource", "vendor", "device", "class", "revision", "subsystem_vendor",
	"subsystem_device", "irq", "numa_node", "enable", "driver_override",
	"reset_method", "boot_vga", "sriov_totalvfs", "sriov_numvfs", "modalias",
};
static const char *const dev_links[] = { "driver", "iommu_group", "physfn" };

static int net_entry(struct snap *s, const char *dirrel, const char *name)
{
	char rel[PATH_MAX];

	pathf(rel, "%s/%s", dirrel, name);
	return snap_mkdir(s, rel);
}

static int snap_device(struct snap *s, const char *bdf)
{
	char rel[PATH_MAX], devrel[PATH_MAX];
	struct dirent *de;
	int ret;
	DIR *d;

	if (!ptd_is_bdf(bdf))
		return 0;
	pathf(rel, "sys/bus/pci/devices/%s", bdf);
	ret = snap_link(s, rel, true, devrel, sizeof(devrel));
	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	if (!devrel[0])
		return 0;
	/* config is mandatory: without it ids and capabilities are lost */
	pathf(rel, "%s/config", devrel);
	ret = snap_copy(s, rel);
	if (ret < 0)
		return pt_set_error(ret, "snapshot: cannot read the config space "
				    "of %s: %s%s", bdf, strerror(-ret),
				    ret == -EACCES ? "; run as root" : "");
	for (size_t i = 0; i < sizeof(dev_files) / sizeof(dev_files[0]); i++) {
		pathf(rel, "%s/%s", devrel, dev_files[i]);
		ret = snap_copy_opt(s, rel);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
		pathf(rel, "%s/%s", devrel, dev_links[i]);
		ret = snap_link(s, rel, false, NULL, 0);
		if (ret < 0 && ret != -ENOENT)
			return ret;
	}
	d = pt_sysfs_opendir(&s->ctx->fs, AT_FDCWD, devrel);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "virtfn", 6)) {
			pathf(rel, "%s/%s", devrel, de->d_name);
			snap_link(s, rel, false, NULL, 0);
		} else if (!strcmp(de->d_name, "net")) {
			pathf(rel, "%s/net", devrel);
			snap_each(s, rel, net_entry);
		} else if (!strcmp(de->d_name, "vfio-dev")) {
			/* the VFIO device cdev's name (emit's inventory) */
			pathf(rel, "%s/vfio-dev", devrel);
			snap_each(s, rel, net_entry);
		}
	}
	closedir(d);
	return 0;
}

static int pci_entry(struct snap *s, const char *dirrel, const char *name)
{
	return snap_device(s, name);
}

static int driver_entry(struct snap *s, const char *dirrel, const char *name)
{
	char rel[PATH_MAX];

	pathf(rel, "%s/%s", dirrel, name);
	return snap_mkdir(s, rel);
}

/* ---- IOMMU ---- */

static int group_dev_entry(struct snap *s, const char *dirrel, const char *name)
{
	char rel[PATH_MAX];

	pathf(rel, "%s/%s", dirrel, name);
	snap_link(s, rel, false, NULL, 0);
	return 0;
}

static int group_entry(struct snap *s, const char *dirrel, const char *name)
{
	char rel[PATH_MAX];
	int ret;

	pathf(rel, "%s/%s/devices", dirrel, name);
	ret = snap_mkdir(s, rel);
	if (ret == 0)
		ret = snap_each(s, rel, group_dev_entry);
	pathf(rel, "%s/%s/type", dirrel, name);
	if (ret == 0)
		ret = snap_copy_opt(s, rel);
	pathf(rel, "%s/%s/reserved_regions", dirrel, name);
	if (ret == 0)
		ret = snap_copy_opt(s, rel);
	return ret;
}

static int iommu_entry(struct snap *s, const char *dirrel, const char *name)
{
	char rel[PATH_MAX], tr[PATH_MAX] = "";
	int ret;

	pathf(rel, "%s/%s", dirrel, name);
	ret = snap_link(s, rel, true, tr, sizeof(tr));
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (ret == -ENOENT) {	/* a plain directory in some trees */
		snap_mkdir(s, rel);
		snprintf(tr, sizeof(tr), "%s", rel);
	}
	/* VT-d capability registers (interrupt remapping support) */
	pathf(rel, "%s/intel-iommu/ecap", tr);
	ret = snap_copy_opt(s, rel);
	pathf(rel, "%s/intel-iommu/cap", tr);
	return ret ? ret : snap_copy_opt(s, rel);
}

/* ---- block, net, console ---- */

static int block_entry(struct snap *s, const char *dirrel, const char *name)
{
	char rel[PATH_MAX], tr[PATH_MAX] = "";
	int ret;

	pathf(rel, "%s/%s", dirrel, name);
	ret = snap_link(s, rel, true, tr, sizeof(tr));
	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	if (!tr[0])
		return 0;
	pathf(rel, "%s/dev", tr);
	return snap_copy_opt(s, rel);
}

static int class_link_entry(struct snap *s, const char *dirrel, const char *name)
{
	char rel[PATH_MAX];
	int ret;

	pathf(rel, "%s/%s", dirrel, name);
	ret = snap_link(s, rel, true, NULL, 0);
	return ret == -ENOENT ? 0 : ret;
}

static int fb_entry(struct snap *s, const char *dirrel, const char *name)
{
	char rel[PATH_MAX], tr[PATH_MAX] = "";
	int ret;

	if (strncmp(name, "fb", 2))
		return 0;
	pathf(rel, "%s/%s", dirrel, name);
	ret = snap_link(s, rel, true, tr, sizeof(tr));
	if (ret < 0 || !tr[0])
		return ret == -ENOENT ? 0 : ret;
	pathf(rel, "%s/device", tr);
	ret = snap_link(s, rel, false, NULL, 0);
	return ret == -ENOENT ? 0 : ret;
}

static int hugepage_entry(struct snap *s, const char *dirrel, const char *name)
{
	char rel[PATH_MAX];

	pathf(rel, "%s/%s/nr_hugepages", dirrel, name);
	return snap_copy_opt(s, rel);
}

static int vfio_entry(struct snap *s, const char *dirrel, const char *name)
{
	char rel[PATH_MAX];

	pathf(rel, "%s/%s", dirrel, name);
	if (!strcmp(name, "devices"))
		return snap_each(s, rel, vfio_entry);
	return snap_touch(s, rel);
}

static int snap_ifaddrs(struct snap *s)
{
	char dst[PATH_MAX], *buf = NULL, line[128];
	size_t len = 0, cap = 0;
	struct ifaddrs *ifa;
	int ret;

	if (!pt_ctx_is_live(s->ctx))
		return snap_copy_opt(s, ".passthru/ifaddrs");
	if (getifaddrs(&ifa) < 0)
		return pt_set_error(errno, "snapshot: getifaddrs: %s", strerror(errno));
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		char addr[INET_ADDRSTRLEN];
		uint32_t m;
		int l;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
			  addr, sizeof(addr));
		m = i->ifa_netmask ?
		    ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr) : 0;
		l = snprintf(line, sizeof(line), "%s inet %s/%d\n", i->ifa_name,
			     addr, __builtin_popcount(m));
		if (l < 0)
			continue;
		if (len + (size_t)l + 1 > cap) {
			char *nb;

			cap = (cap + (size_t)l + 1) * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				freeifaddrs(ifa);
				return pt_set_error(ENOMEM, "out of memory");
			}
			buf = nb;
		}
		memcpy(buf + len, line, (size_t)l);
		len += (size_t)l;
	}
	freeifaddrs(ifa);
	dst_path(s, dst, sizeof(dst), ".passthru/ifaddrs");
	ret = write_file(dst, buf ? buf : "", len);
	free(buf);
	return ret;
}

static int snap_marker(struct snap *s)
{
	char dst[PATH_MAX], host[256] = "?", when[64], buf[PATH_MAX + 512];
	time_t now = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(buf, sizeof(buf), "passthru-tree 1\nsource: snapshot of %s at %s\n"
		 "passthru: %s\n", pt_ctx_is_live(s->ctx) ? host : pt_ctx_root(s->ctx),
		 when, PASSTHRU_LIB_VERSION);
	dst_path(s, dst, sizeof(dst), PT_TREE_MARKER);
	return write_file(dst, buf, strlen(buf));
}

static const char *const proc_files[] = {
	"proc/mounts", "proc/swaps", "proc/net/route", "proc/net/ipv6_route",
	"proc/net/if_inet6", "proc/cpuinfo", "proc/cmdline", "proc/meminfo",
	"proc/modules", "proc/self/limits",
	"sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
	"sys/class/tty/console/active",
	/* the installed libvirt's domain schema (emit libvirt, iommufd) */
	"usr/share/libvirt/schemas/domaincommon.rng",
};
static const char *const modules[] = {
	"vfio", "vfio_pci", "vfio_iommu_type1", "iommufd", "kvm", "kvm_intel",
	"kvm_amd",
};
static const char *const dev_nodes[] = {
	"dev/kvm", "dev/iommu", "sys/firmware/acpi/tables/DMAR",
	"sys/firmware/acpi/tables/IVRS",
};

int pt_snapshot_stage(struct pt_ctx *ctx, const char *dir)
{
	struct snap s = { .ctx = ctx, .dir = dir };
	char rel[PATH_MAX];
	int ret;

	ret = mkdir_p(dir);
	if (ret < 0)
		return pt_set_error(ret, "snapshot: cannot create %s: %s", dir,
				    strerror(-ret));
	ret = snap_mkdir(&s, "sys/bus/pci/devices");
	if (!ret)
		ret = snap_each(&s, "sys/bus/pci/devices", pci_entry);
	if (!ret)
		ret = snap_each(&s, "sys/bus/pci/drivers", driver_entry);
	if (!ret)
		ret = snap_each(&s, "sys/kernel/iommu_groups", group_entry);
	if (!ret)
		ret = snap_each(&s, "sys/class/iommu", iommu_entry);
	if (!ret)
		ret = snap_each(&s, "sys/class/block", block_entry);
	if (!ret)
		ret = snap_each(&s, "sys/class/net", class_link_entry);
	if (!ret)
		ret = snap_each(&s, "sys/class/graphics", fb_entry);
	if (!ret && pt_sysfs_exists(&ctx->fs, "sys/class/tty/console"))
		ret = class_link_entry(&s, "sys/class/tty", "console");
	if (!ret)
		ret = snap_each(&s, "sys/kernel/mm/hugepages", hugepage_entry);
	for (size_t i = 0; !ret && i < sizeof(proc_files) / sizeof(proc_files[0]); i++)
		ret = snap_copy_opt(&s, proc_files[i]);
	for (size_t i = 0; !ret && i < sizeof(modules) / sizeof(modules[0]); i++) {
		pathf(rel, "sys/module/%s", modules[i]);
		if (pt_sysfs_exists(&ctx->fs, rel))
			ret = snap_mkdir(&s, rel);
	}
	for (size_t i = 0; !ret && i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++)
		ret = snap_touch(&s, dev_nodes[i]);
	if (!ret)
		ret = snap_each(&s, "dev/vfio", vfio_entry);
	if (!ret)
		ret = snap_ifaddrs(&s);
	if (!ret)
		ret = snap_marker(&s);
	if (!ret && pt_sysfs_defect(&ctx->fs)[0])
		ret = ptd_tree_error(ctx);
	if (ret < 0 && !*pt_last_error())
		pt_set_error(ret, "snapshot into %s failed: %s", dir, strerror(-ret));
	return ret;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

int pt_snapshot_tar(struct pt_ctx *ctx, const char *tar_path)
{
	char tmpl[] = "/tmp/passthru-snapshot.XXXXXX", out[PATH_MAX], cwd[PATH_MAX];
	char *argv[] = { "tar", "--numeric-owner", "-C", tmpl, "-cf", out, ".", NULL };
	pid_t pid;
	int ret, status;

	if (tar_path[0] == '/')
		snprintf(out, sizeof(out), "%s", tar_path);
	else if (!getcwd(cwd, sizeof(cwd)) ||
		 (size_t)snprintf(out, sizeof(out), "%s/%s", cwd, tar_path) >= sizeof(out))
		return pt_set_error(ENAMETOOLONG, "snapshot: output path %s is too long",
				    tar_path);
	if (!mkdtemp(tmpl))
		return pt_set_error(errno, "snapshot: cannot create a staging "
				    "directory in /tmp: %s", strerror(errno));
	pt_clear_error();
	ret = pt_snapshot_stage(ctx, tmpl);
	if (ret < 0)
		goto out;
	ret = posix_spawnp(&pid, "tar", NULL, NULL, argv, environ);
	if (ret) {
		ret = pt_set_error(ret, "snapshot: cannot run tar: %s; install "
				   "GNU tar", strerror(ret));
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		ret = pt_set_error(EIO, "snapshot: tar failed writing %s (exit "
				   "status %d)", out, WIFEXITED(status) ?
				   WEXITSTATUS(status) : -1);
out:
	nftw(tmpl, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return ret;
}
