// SPDX-License-Identifier: MIT
/*
 * snapshot-state.c — the part of a snapshot that is passthru's own state
 * and the host's set-up rather than sysfs (TREE.md "State and set-up"):
 * what `passthru status` and `check --user` read, so that a captured tree
 * replays them too.
 *
 *  - etc/passthru.conf, etc/modprobe.d/passthru.conf, run/passthru/group-N.journal;
 *  - the udev rule and the systemd unit wherever udev and systemd look for
 *    them, and etc/systemd/system/TARGET.wants/passthru.service (link text);
 *  - for each process holding a /dev/vfio node: proc/PID/comm and those
 *    proc/PID/fd/N links (their text) — nothing else of any process;
 *  - etc/security/limits.conf and limits.d/NAME.conf;
 *  - proc/sys/kernel/osrelease and, of lib/modules/KVER/modules.dep and
 *    modules.builtin, the lines naming vfio (all `check` looks for).
 *
 * Not etc/passwd or etc/group: a bug report need not carry the machine's
 * user names (a tree without them matches no @group line of limits.conf).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/disc-priv.h"

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static int put(const char *dir, const char *rel, const char *data, size_t len)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path))
		return -ENAMETOOLONG;
	ret = mkdirs(path);
	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

static int put_link(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	int ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path))
		return -ENAMETOOLONG;
	ret = mkdirs(path);
	if (ret)
		return ret;
	unlink(path);
	return symlink(text, path) < 0 ? -errno : 0;
}

/* A file by content, or a symlink by its text; nothing when absent. */
static int copy(struct pt_ctx *ctx, const char *dir, const char *rel)
{
	char link[PATH_MAX], *buf = NULL;
	size_t len = 0;
	int ret;

	if (pt_sysfs_readlink(&ctx->fs, rel, link, sizeof(link)) >= 0)
		return put_link(dir, rel, link);
	if (pt_sysfs_slurp(&ctx->fs, rel, &buf, &len) < 0)
		return 0;
	ret = put(dir, rel, buf, len);
	free(buf);
	return ret;
}

typedef int (*entry_fn)(struct pt_ctx *ctx, const char *dir, const char *dirrel,
			const char *name);

static int each(struct pt_ctx *ctx, const char *dir, const char *dirrel, entry_fn fn)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, dirrel);
	if (!d)
		return 0;
	while (!ret && (de = readdir(d)))
		if (de->d_name[0] != '.')
			ret = fn(ctx, dir, dirrel, de->d_name);
	closedir(d);
	return ret;
}

static int file_entry(struct pt_ctx *ctx, const char *dir, const char *dirrel,
		      const char *name)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/%s", dirrel, name);
	return copy(ctx, dir, rel);
}

static int journal_entry(struct pt_ctx *ctx, const char *dir, const char *dirrel,
			 const char *name)
{
	size_t n = strlen(name);

	if (n < 8 || strcmp(name + n - 8, ".journal"))
		return 0;
	return file_entry(ctx, dir, dirrel, name);
}

static int wants_entry(struct pt_ctx *ctx, const char *dir, const char *dirrel,
		       const char *name)
{
	char rel[PATH_MAX];
	size_t n = strlen(name);

	if (n < 6 || strcmp(name + n - 6, ".wants"))
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s/passthru.service", dirrel, name);
	return copy(ctx, dir, rel);
}

/* proc/PID: its fd links to /dev/vfio/... and then its comm. */
static int proc_entry(struct pt_ctx *ctx, const char *dir, const char *dirrel,
		      const char *pid)
{
	char rel[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	bool any = false;
	int ret = 0;
	DIR *d;

	if (strspn(pid, "0123456789") != strlen(pid))
		return 0;
	snprintf(rel, sizeof(rel), "proc/%s/fd", pid);
	d = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, rel);
	if (!d)
		return 0;
	while (!ret && (de = readdir(d))) {
		snprintf(rel, sizeof(rel), "proc/%s/fd/%s", pid, de->d_name);
		if (de->d_name[0] == '.' ||
		    pt_sysfs_readlink(&ctx->fs, rel, link, sizeof(link)) < 0 ||
		    strncmp(link, "/dev/vfio/", 10))
			continue;
		ret = put_link(dir, rel, link);
		any = true;
	}
	closedir(d);
	if (!ret && any) {
		snprintf(rel, sizeof(rel), "proc/%s/comm", pid);
		ret = copy(ctx, dir, rel);
	}
	return ret;
}

/* The lines of a module index that name vfio. */
static int modules_index(struct pt_ctx *ctx, const char *dir, const char *kver,
			 const char *name)
{
	char rel[PATH_MAX], *buf = NULL, *out, *next;
	size_t o = 0;
	int ret;

	snprintf(rel, sizeof(rel), "lib/modules/%s/%s", kver, name);
	if (pt_sysfs_slurp(&ctx->fs, rel, &buf, NULL) < 0)
		return 0;
	out = malloc(strlen(buf) + 1);
	if (!out) {
		free(buf);
		return -ENOMEM;
	}
	for (char *l = buf; l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		if (strstr(l, "vfio"))
			o += (size_t)sprintf(out + o, "%s\n", l);
	}
	ret = put(dir, rel, out, o);
	free(out);
	free(buf);
	return ret;
}

static int kernel_modules(struct pt_ctx *ctx, const char *dir)
{
	char kver[128];
	int ret;

	if (pt_sysfs_read_str(&ctx->fs, "proc/sys/kernel/osrelease", kver, sizeof(kver)) < 0 ||
	    strchr(kver, '/') || kver[0] == '.')
		return 0;
	ret = copy(ctx, dir, "proc/sys/kernel/osrelease");
	if (!ret)
		ret = modules_index(ctx, dir, kver, "modules.dep");
	if (!ret)
		ret = modules_index(ctx, dir, kver, "modules.builtin");
	return ret;
}

int ptd_snapshot_state(struct pt_ctx *ctx, const char *dir)
{
	static const char *const files[] = {
		"etc/passthru.conf", "etc/modprobe.d/passthru.conf",
		"etc/security/limits.conf",
		"etc/udev/rules.d/70-passthru-vfio.rules",
		"run/udev/rules.d/70-passthru-vfio.rules",
		"usr/local/lib/udev/rules.d/70-passthru-vfio.rules",
		"usr/lib/udev/rules.d/70-passthru-vfio.rules",
		"lib/udev/rules.d/70-passthru-vfio.rules",
		"etc/systemd/system/passthru.service",
		"run/systemd/system/passthru.service",
		"usr/local/lib/systemd/system/passthru.service",
		"usr/lib/systemd/system/passthru.service",
		"lib/systemd/system/passthru.service",
	};
	int ret = 0;

	for (size_t i = 0; !ret && i < sizeof(files) / sizeof(files[0]); i++)
		ret = copy(ctx, dir, files[i]);
	if (!ret)
		ret = each(ctx, dir, "etc/security/limits.d", file_entry);
	if (!ret)
		ret = each(ctx, dir, "run/passthru", journal_entry);
	if (!ret)
		ret = each(ctx, dir, "etc/systemd/system", wants_entry);
	if (!ret)
		ret = each(ctx, dir, "proc", proc_entry);
	if (!ret)
		ret = kernel_modules(ctx, dir);
	return ret;
}
