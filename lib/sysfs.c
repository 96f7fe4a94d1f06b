// SPDX-License-Identifier: MIT
/*
 * sysfs.c — reading the machine's files under a root: see sysfs.h for the
 * rules (live system as is; a captured tree confined with openat2 and read
 * as regular files only).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "lib/sysfs.h"

static struct pt_sysfs live = { .rootfd = -1 };

struct pt_sysfs *pt_sysfs_live(void)
{
	return &live;
}

/*
 * A scoped lookup (RESOLVE_IN_ROOT, RESOLVE_BENEATH) fails with EAGAIN when
 * any mount or rename anywhere on the machine raced with it (openat2(2):
 * "the caller should retry"): on a busy host — containers starting, a
 * package being installed — that is not rare, and it is never an answer
 * about the tree.
 */
#define OPENAT2_TRIES 64

static int sys_openat2(int dfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned int)flags,
		.resolve = resolve,
	};
	int fd, tries = 0;

	do
		fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < OPENAT2_TRIES);
	return fd;
}

int pt_sysfs_init(struct pt_sysfs *fs, const char *root)
{
	size_t l;
	int fd;

	memset(fs, 0, sizeof(*fs));
	fs->rootfd = -1;
	if (!root || !*root || !strcmp(root, "/"))
		return 0;
	l = strlen(root);
	if (l >= sizeof(fs->root))
		return pt_set_error(ENAMETOOLONG, "--root %s: path too long", root);
	memcpy(fs->root, root, l + 1);
	/* "DIR/" and "DIR" are the same tree */
	while (l > 1 && fs->root[l - 1] == '/')
		fs->root[--l] = '\0';
	fs->rootfd = open(fs->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->rootfd < 0)
		return pt_set_error(errno, "--root %s: %s", root, strerror(errno));
	fd = sys_openat2(fs->rootfd, ".", O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT);
	if (fd < 0) {
		int err = errno;

		close(fs->rootfd);
		fs->rootfd = -1;
		return pt_set_error(err, "--root %s: openat2(2) failed: %s; reading a "
				    "captured tree safely needs it (Linux 5.6 or later)",
				    root, strerror(err));
	}
	close(fd);
	return 0;
}

void pt_sysfs_fini(struct pt_sysfs *fs)
{
	if (fs->rootfd >= 0)
		close(fs->rootfd);
	fs->rootfd = -1;
}

int pt_sysfs_path(const struct pt_sysfs *fs, char *buf, size_t n,
		  const char *fmt, ...)
{
	va_list ap;
	size_t l;
	int r;

	l = (size_t)snprintf(buf, n, "%s/", fs->root);
	if (l >= n)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	r = vsnprintf(buf + l, n - l, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= n - l)
		return -ENAMETOOLONG;
	return 0;
}

const char *pt_sysfs_defect(const struct pt_sysfs *fs)
{
	return fs->defect;
}

/* ---- refusals ---- */

/* The tree-relative path of an open directory, with a trailing '/'. */
static void dir_rel(const struct pt_sysfs *fs, int dfd, char *buf, size_t n)
{
	char link[64], real[PATH_MAX], top[PATH_MAX];
	ssize_t r, t;

	buf[0] = '\0';
	if (dfd == AT_FDCWD)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dfd);
	r = readlink(link, real, sizeof(real) - 1);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fs->rootfd);
	t = readlink(link, top, sizeof(top) - 1);
	if (r <= 0 || t <= 0)
		return;
	real[r] = top[t] = '\0';
	if (!strncmp(real, top, (size_t)t) && real[t] == '/')
		snprintf(buf, n, "%s/", real + t + 1);
}

static void defect(struct pt_sysfs *fs, int dfd, const char *rel,
		   const char *why)
{
	char dir[PATH_MAX];

	if (fs->defect[0])
		return;		/* the first one is the one to fix */
	dir_rel(fs, dfd, dir, sizeof(dir));
	snprintf(fs->defect, sizeof(fs->defect), "%s%s %s", dir, rel, why);
}

static const char *special_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" :
	       S_ISCHR(m) ? "a character device node" :
	       S_ISBLK(m) ? "a block device node" : NULL;
}

/*
 * In-root resolution clamps a symlink out of the tree to the root, which
 * makes it look like a missing file; ask again with RESOLVE_BENEATH, which
 * says EXDEV instead, so that the tree's real defect is named.
 */
static int tree_open_failed(struct pt_sysfs *fs, int dfd, const char *rel,
			    int err)
{
	int fd;

	if (err == EXDEV) {
		defect(fs, dfd, rel, "leads outside the tree (not followed)");
		return -EXDEV;
	}
	if (err != ENOENT || dfd != AT_FDCWD)
		return -err;
	fd = sys_openat2(fs->rootfd, rel, O_PATH | O_CLOEXEC,
			 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
	if (fd >= 0)
		close(fd);
	else if (errno == EXDEV)
		return tree_open_failed(fs, dfd, rel, EXDEV);
	return -ENOENT;
}

static int tree_open(struct pt_sysfs *fs, int dfd, const char *rel, int flags,
		     uint64_t resolve)
{
	struct stat st;
	const char *kind;
	int fd;

	if (!(flags & O_PATH))
		flags |= O_NONBLOCK | O_NOCTTY;	/* a FIFO must not block */
	fd = sys_openat2(dfd == AT_FDCWD ? fs->rootfd : dfd, rel,
			 flags | O_CLOEXEC, resolve | RESOLVE_NO_MAGICLINKS);
	if (fd < 0)
		return tree_open_failed(fs, dfd, rel, errno);
	if (flags & O_PATH)
		return fd;
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	kind = special_kind(st.st_mode);
	if (kind) {
		char why[64];

		close(fd);
		snprintf(why, sizeof(why), "is %s, not a regular file (not read)", kind);
		defect(fs, dfd, rel, why);
		return -EINVAL;
	}
	return fd;
}

int pt_sysfs_open(struct pt_sysfs *fs, int dfd, const char *rel, int flags)
{
	char path[PATH_MAX];
	int fd;

	if (!pt_sysfs_is_live(fs))
		return tree_open(fs, dfd, rel, flags,
				 dfd == AT_FDCWD ? RESOLVE_IN_ROOT : RESOLVE_BENEATH);
	if (dfd == AT_FDCWD) {
		if ((size_t)snprintf(path, sizeof(path), "/%s", rel) >= sizeof(path))
			return -ENAMETOOLONG;
		rel = path;
	}
	fd = openat(dfd, rel, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int pt_sysfs_open_dir(struct pt_sysfs *fs, int dfd, const char *rel)
{
	return pt_sysfs_open(fs, dfd, rel, O_PATH | O_DIRECTORY);
}

DIR *pt_sysfs_opendir(struct pt_sysfs *fs, int dfd, const char *rel)
{
	int fd = pt_sysfs_open(fs, dfd, rel, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return d;
}

int pt_sysfs_open_dir_for_libpci(struct pt_sysfs *fs, int dfd,
				 const char *rel, const char *const names[])
{
	struct stat st;
	int fd;

	if (pt_sysfs_is_live(fs))
		return pt_sysfs_open_dir(fs, dfd, rel);
	fd = tree_open(fs, dfd, rel, O_PATH | O_DIRECTORY, RESOLVE_BENEATH);
	for (int i = 0; fd >= 0 && names && names[i]; i++) {
		const char *kind;

		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* absent: libpci says so itself */
		kind = S_ISLNK(st.st_mode) ? "a symlink" : special_kind(st.st_mode);
		if (kind) {
			char why[96];

			snprintf(why, sizeof(why), "is %s, not a regular file "
				 "(libpci would read it)", kind);
			defect(fs, fd, names[i], why);
			close(fd);
			return -EINVAL;
		}
	}
	return fd;
}

/* ---- reading ---- */

/* Reads fd to the end or n-1 bytes, closes it, NUL-ends buf. */
static int read_fd(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	/* sysfs sizes lie (4096): read the contents, never trust st_size.
	 * A sysfs attribute comes in one read and a regular file gives all
	 * it has, so a short read is the end: no extra read() for the EOF
	 * (procfs seq_files, which may return less, go through slurp) */
	while (got < n - 1) {
		r = read(fd, buf + got, n - 1 - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			buf[got] = '\0';
			return (int)r;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if ((size_t)r < n - 1 - (got - (size_t)r))
			break;
	}
	close(fd);
	buf[got] = '\0';
	return (int)got;
}

int pt_sysfs_read_at(struct pt_sysfs *fs, int dfd, const char *rel, char *buf,
		     size_t n)
{
	int fd;

	if (!n)
		return -EINVAL;
	buf[0] = '\0';
	fd = pt_sysfs_open(fs, dfd, rel, O_RDONLY);
	if (fd < 0)
		return fd;
	return read_fd(fd, buf, n);
}

int pt_sysfs_read_str_at(struct pt_sysfs *fs, int dfd, const char *rel,
			 char *buf, size_t n)
{
	int r = pt_sysfs_read_at(fs, dfd, rel, buf, n);
	char *p;

	if (r < 0)
		return r;
	p = strchr(buf, '\n');
	if (p)
		*p = '\0';
	for (p = buf + strlen(buf); p > buf && (p[-1] == ' ' || p[-1] == '\t'); )
		*--p = '\0';
	return 0;
}

int pt_sysfs_read_long_at(struct pt_sysfs *fs, int dfd, const char *rel,
			  long *val)
{
	char buf[64], *end;
	int r = pt_sysfs_read_str_at(fs, dfd, rel, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	*val = strtol(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int pt_sysfs_readlink_at(struct pt_sysfs *fs, int dfd, const char *rel,
			 char *buf, size_t n)
{
	char path[PATH_MAX];
	ssize_t r;
	int fd = -1;

	if (n < 2)
		return -EINVAL;
	buf[0] = '\0';
	if (pt_sysfs_is_live(fs) && dfd == AT_FDCWD) {
		if ((size_t)snprintf(path, sizeof(path), "/%s", rel) >= sizeof(path))
			return -ENAMETOOLONG;
		r = readlink(path, buf, n - 1);
	} else if (pt_sysfs_is_live(fs) || (dfd != AT_FDCWD && !strchr(rel, '/'))) {
		/* one component of an opened directory: nothing is followed */
		r = readlinkat(dfd, rel, buf, n - 1);
	} else {
		/* the link itself, its directories resolved inside the tree */
		fd = pt_sysfs_open(fs, dfd, rel, O_PATH | O_NOFOLLOW);
		if (fd < 0)
			return fd;
		r = readlinkat(fd, "", buf, n - 1);
	}
	if (r < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return (int)r;
	buf[r] = '\0';
	return (size_t)r < n - 1 ? (int)r : -ENAMETOOLONG;
}

int pt_sysfs_readlink_base_at(struct pt_sysfs *fs, int dfd, const char *rel,
			      char *buf, size_t n)
{
	char target[PATH_MAX];
	const char *base;
	int r;

	buf[0] = '\0';
	r = pt_sysfs_readlink_at(fs, dfd, rel, target, sizeof(target));
	if (r < 0)
		return r;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= n)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

int pt_sysfs_stat_at(struct pt_sysfs *fs, int dfd, const char *rel,
		     struct stat *st)
{
	int fd = pt_sysfs_open(fs, dfd, rel, O_PATH);
	int ret = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

bool pt_sysfs_exists_at(struct pt_sysfs *fs, int dfd, const char *rel)
{
	int fd = pt_sysfs_open(fs, dfd, rel, O_PATH);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int pt_sysfs_slurp(struct pt_sysfs *fs, const char *rel, char **out,
		   size_t *len)
{
	size_t cap = 4096, got = 0;
	char *buf, *nb;
	ssize_t r;
	int fd;

	*out = NULL;
	fd = pt_sysfs_open(fs, AT_FDCWD, rel, O_RDONLY);
	if (fd < 0)
		return fd;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (got + 1 >= cap) {
			if (cap >= (64u << 20)) /* no /proc file is this big */
				break;
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + got, cap - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			close(fd);
			return (int)r;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	if (len)
		*len = got;
	return 0;
}

int pt_sysfs_write(struct pt_sysfs *fs, const char *rel, const char *val)
{
	size_t len = strlen(val);
	ssize_t w;
	int fd, ret;

	fd = pt_sysfs_open(fs, AT_FDCWD, rel, O_WRONLY);
	if (fd < 0)
		return fd;
	/* sysfs stores take the whole value in one write() */
	w = write(fd, val, len);
	ret = w < 0 ? -errno : (size_t)w != len ? -EIO : 0;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int pt_sysfs_resolve(struct pt_sysfs *fs, const char *rel, char *out, size_t n)
{
	char link[64], real[PATH_MAX], top[PATH_MAX] = "";
	ssize_t r, t = 0;
	int fd;

	fd = pt_sysfs_open(fs, AT_FDCWD, rel, O_PATH);
	if (fd < 0)
		return fd;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	r = readlink(link, real, sizeof(real) - 1);
	close(fd);
	if (r < 0)
		return -errno;
	real[r] = '\0';
	if (!pt_sysfs_is_live(fs)) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fs->rootfd);
		t = readlink(link, top, sizeof(top) - 1);
		if (t < 0)
			return -errno;
		top[t] = '\0';
		if (strncmp(real, top, (size_t)t) || real[t] != '/')
			return -EXDEV;
	}
	if (strlen(real + t + 1) >= n)
		return -ENAMETOOLONG;
	strcpy(out, real + t + 1);
	return 0;
}

/* ---- well-known places ---- */

int pt_sysfs_vfio_cdev(struct pt_sysfs *fs, const char *bdf, char *buf,
		       size_t n)
{
	char rel[128];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d;

	if ((size_t)snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/vfio-dev",
			     bdf) >= sizeof(rel))
		return -ENAMETOOLONG;
	d = pt_sysfs_opendir(fs, AT_FDCWD, rel);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		const char *num = de->d_name + 4;

		if (strncmp(de->d_name, "vfio", 4) || !*num ||
		    strspn(num, "0123456789") != strlen(num) || strlen(de->d_name) >= n)
			continue;
		strcpy(buf, de->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

int pt_sysfs_reserved_regions(struct pt_sysfs *fs, int group,
			      struct pt_resv_region *out, int max)
{
	char rel[64], *buf, *line, *save = NULL;
	int n = 0, ret;

	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/reserved_regions", group);
	ret = pt_sysfs_slurp(fs, rel, &buf, NULL);
	if (ret < 0)
		return ret;
	/* "0x00000000fee00000 0x00000000feefffff msi" per line */
	for (line = strtok_r(buf, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long s, e;
		char type[32] = "";

		if (sscanf(line, "%llx %llx %31s", &s, &e, type) < 2 || e < s)
			continue;
		out[n].start = s;
		out[n].last = e;
		snprintf(out[n].type, sizeof(out[n].type), "%s", type);
		n++;
	}
	free(buf);
	return n;
}
