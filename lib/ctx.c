// SPDX-License-Identifier: MIT
/*
 * ctx.c — the discovery context: where files are read from (the live
 * system or a captured tree under --root), the libpci access handle pointed
 * at ROOT/sys/bus/pci, the libudev handle (live system only), and the small
 * file/string helpers the other discovery files share.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libudev.h>

#include "lib/disc-priv.h"

__thread jmp_buf *ptd_pci_jmp;
__thread char ptd_pci_msg[512];

/* libpci's error callback may not return: jump back to the caller that
 * armed ptd_pci_jmp (see scan.c).  Without one armed, libpci is in a state
 * we never call it in; abort loudly rather than carry on corrupted. */
static void ptd_pci_error(char *msg, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
static void ptd_pci_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(ptd_pci_msg, sizeof(ptd_pci_msg), msg, ap);
	va_end(ap);
	if (ptd_pci_jmp)
		longjmp(*ptd_pci_jmp, 1);
	abort();
}

/* Warnings (e.g. an unreadable optional attribute) are not fatal: keep the
 * text for the error sentence of whatever fails next, print nothing. */
static void ptd_pci_warning(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(ptd_pci_msg, sizeof(ptd_pci_msg), msg, ap);
	va_end(ap);
}

static int ctx_check_tree(const char *root)
{
	char path[PATH_MAX], line[64] = "";
	struct stat st;
	FILE *f;

	if (stat(root, &st) < 0)
		return pt_set_error(errno, "--root %s: %s; give the directory a "
				    "`passthru snapshot` tar was extracted into",
				    root, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return pt_set_error(ENOTDIR, "--root %s is not a directory; "
				    "extract the snapshot tar and pass its "
				    "directory", root);
	snprintf(path, sizeof(path), "%s/" PT_TREE_MARKER, root);
	f = fopen(path, "r");
	if (!f)
		return pt_set_error(EINVAL, "--root %s is not a passthru tree: "
				    "%s has no " PT_TREE_MARKER " marker (%s); "
				    "capture one with `passthru snapshot -o FILE.tar`",
				    root, root, strerror(errno));
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	if (strncmp(line, "passthru-tree 1", 15))
		return pt_set_error(EINVAL, "--root %s is not a passthru tree: "
				    "its " PT_TREE_MARKER " does not start with "
				    "'passthru-tree 1'", root);
	return 0;
}

static int ctx_open_pci(struct pt_ctx *ctx)
{
	char path[PATH_MAX];
	jmp_buf jb;
	struct stat st;

	pt_ctx_path(ctx, path, sizeof(path), "sys/bus/pci/devices");
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return pt_set_error(ENOENT, "cannot read %s: %s; %s", path,
				    strerror(errno ? errno : ENOTDIR),
				    ctx->root[0] ? "the tree has no PCI devices"
				    : "is sysfs mounted on /sys?");
	ctx->pacc = pci_alloc();
	if (!ctx->pacc)
		return pt_set_error(ENOMEM, "libpci: out of memory");
	ctx->pacc->error = ptd_pci_error;
	ctx->pacc->warning = ptd_pci_warning;
	ctx->pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	pt_ctx_path(ctx, path, sizeof(path), "sys/bus/pci");
	if (setjmp(jb)) {
		ptd_pci_jmp = NULL;
		ctx->broken = true;
		return pt_set_error(EIO, "libpci cannot use %s: %s", path,
				    ptd_pci_msg);
	}
	ptd_pci_jmp = &jb;
	pci_set_param(ctx->pacc, "sysfs.path", path);
	pci_init(ctx->pacc);
	ptd_pci_jmp = NULL;
	return 0;
}

int pt_ctx_new(struct pt_ctx **out, const char *root)
{
	struct pt_ctx *ctx;
	int ret;

	*out = NULL;
	if (root && *root) {
		ret = ctx_check_tree(root);
		if (ret < 0)
			return ret;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return pt_set_error(ENOMEM, "out of memory");
	ctx->devfd = -1;
	if (root && *root) {
		if (!realpath(root, ctx->root)) {
			ret = pt_set_error(errno, "--root %s: %s", root,
					   strerror(errno));
			goto err;
		}
		/* "/" as a root is the live system spelled differently */
		if (!strcmp(ctx->root, "/"))
			ctx->root[0] = '\0';
	}
	ret = ctx_open_pci(ctx);
	if (ret < 0)
		goto err;
	/* Properties on the live system come from udev; a tree has no udev
	 * database, so everything there is read from the captured sysfs. */
	if (!ctx->root[0])
		ctx->udev = udev_new();
	*out = ctx;
	return 0;
err:
	pt_ctx_free(ctx);
	return ret;
}

void pt_ctx_free(struct pt_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->sys)
		ptd_system_free(ctx->sys);
	/* After a libpci error its state is unknown: leak rather than crash
	 * (the sanitizer builds suppress leaks inside libpci, see
	 * tools/discover.c). */
	if (ctx->pacc && !ctx->broken)
		pci_cleanup(ctx->pacc);
	if (ctx->udev)
		udev_unref(ctx->udev);
	free(ctx->cfgbuf);
	ptd_names_free(ctx->names);
	free(ctx->order);
	if (ctx->devfd >= 0)
		close(ctx->devfd);
	free(ctx);
}

const char *pt_ctx_root(const struct pt_ctx *ctx)
{
	return ctx->root;
}

bool pt_ctx_is_live(const struct pt_ctx *ctx)
{
	return !ctx->root[0];
}

int pt_ctx_path(const struct pt_ctx *ctx, char *buf, size_t n,
		const char *fmt, ...)
{
	va_list ap;
	size_t l;
	int r;

	l = (size_t)snprintf(buf, n, "%s/", ctx->root);
	if (l >= n)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	r = vsnprintf(buf + l, n - l, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= n - l)
		return -ENAMETOOLONG;
	return 0;
}

static int read_fd(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	/* sysfs sizes lie (4096): read the contents, never trust st_size.
	 * A sysfs attribute comes in one read and a regular file gives all
	 * it has, so a short read is the end: no extra read() for the EOF
	 * (procfs seq_files, which may return less, go through ptd_slurp) */
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

int ptd_read_file(const struct pt_ctx *ctx, const char *rel, char *buf,
		  size_t n)
{
	char path[PATH_MAX];
	int fd;

	if (!n)
		return -EINVAL;
	buf[0] = '\0';
	if (pt_ctx_path(ctx, path, sizeof(path), "%s", rel) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return read_fd(fd, buf, n);
}

int ptd_read_at(int dfd, const char *name, char *buf, size_t n)
{
	int fd;

	if (!n)
		return -EINVAL;
	buf[0] = '\0';
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return read_fd(fd, buf, n);
}

static void first_line(char *buf)
{
	char *p = strchr(buf, '\n');

	if (p)
		*p = '\0';
	for (p = buf + strlen(buf); p > buf && (p[-1] == ' ' || p[-1] == '\t'); )
		*--p = '\0';
}

int ptd_read_str_at(int dfd, const char *name, char *buf, size_t n)
{
	int r = ptd_read_at(dfd, name, buf, n);

	if (r < 0)
		return r;
	first_line(buf);
	return 0;
}

static int parse_long(const char *buf, long *val)
{
	char *end;

	errno = 0;
	*val = strtol(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int ptd_read_long_at(int dfd, const char *name, long *val)
{
	char buf[64];
	int r = ptd_read_str_at(dfd, name, buf, sizeof(buf));

	return r < 0 ? r : parse_long(buf, val);
}

static int link_base(const char *target, char *buf, size_t n)
{
	const char *base = strrchr(target, '/');

	base = base ? base + 1 : target;
	if (strlen(base) >= n)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

int ptd_readlink_base_at(int dfd, const char *name, char *buf, size_t n)
{
	char target[PATH_MAX];
	ssize_t r;

	buf[0] = '\0';
	r = readlinkat(dfd, name, target, sizeof(target) - 1);
	if (r < 0)
		return -errno;
	target[r] = '\0';
	return link_base(target, buf, n);
}

int ptd_read_str(const struct pt_ctx *ctx, const char *rel, char *buf,
		 size_t n)
{
	int r = ptd_read_file(ctx, rel, buf, n);
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

int ptd_read_long(const struct pt_ctx *ctx, const char *rel, long *val)
{
	char buf[64], *end;
	int r = ptd_read_str(ctx, rel, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	*val = strtol(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int ptd_readlink_base(const struct pt_ctx *ctx, const char *rel, char *buf,
		      size_t n)
{
	char path[PATH_MAX];

	buf[0] = '\0';
	if (pt_ctx_path(ctx, path, sizeof(path), "%s", rel) < 0)
		return -ENAMETOOLONG;
	return ptd_readlink_base_at(AT_FDCWD, path, buf, n);
}

bool ptd_exists(const struct pt_ctx *ctx, const char *rel)
{
	char path[PATH_MAX];

	if (pt_ctx_path(ctx, path, sizeof(path), "%s", rel) < 0)
		return false;
	return access(path, F_OK) == 0;
}

int ptd_slurp(const struct pt_ctx *ctx, const char *rel, char **out,
	      size_t *len)
{
	char path[PATH_MAX];
	size_t cap = 4096, got = 0;
	char *buf, *nb;
	ssize_t r;
	int fd;

	*out = NULL;
	if (pt_ctx_path(ctx, path, sizeof(path), "%s", rel) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
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

/* ---- string vectors ---- */

int ptd_strv_add(struct pt_strv *sv, const char *s)
{
	char **nv, *d = strdup(s);

	if (!d)
		return -ENOMEM;
	nv = realloc(sv->v, sizeof(*nv) * (size_t)(sv->n + 2));
	if (!nv) {
		free(d);
		return -ENOMEM;
	}
	nv[sv->n++] = d;
	nv[sv->n] = NULL;
	sv->v = nv;
	return 0;
}

int ptd_strv_addf(struct pt_strv *sv, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return ptd_strv_add(sv, buf);
}

bool ptd_strv_has(const struct pt_strv *sv, const char *s)
{
	for (int i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

void ptd_strv_free(struct pt_strv *sv)
{
	for (int i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

static int strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ptd_strv_sort(struct pt_strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, (size_t)sv->n, sizeof(char *), strv_cmp);
}

/* ---- BDF helpers ---- */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Length of a BDF at s ("0000:00:00.0", or a wider domain such as VMD's
 * "10000:e1:00.0"), ended by NUL or '/'; 0 when s does not start with one. */
static size_t bdf_len(const char *s)
{
	static const char tail[] = ":xx:xx.x";
	size_t d = 0;

	while (d < 8 && is_hex(s[d]))
		d++;
	if (d < 4)
		return 0;
	for (size_t i = 0; tail[i]; i++) {
		char c = s[d + i];

		if (tail[i] == 'x' ? !is_hex(c) : c != tail[i])
			return 0;
	}
	d += sizeof(tail) - 1;
	return s[d] == '\0' || s[d] == '/' ? d : 0;
}

bool ptd_is_bdf(const char *s)
{
	/* DDDD:BB:DD.F with lower-case hex as sysfs writes it */
	return bdf_len(s) > 0;
}

bool ptd_path_owner_bdf(const char *path, char *bdf, size_t n)
{
	const char *p = path, *found = NULL;
	size_t len = 0;

	while ((p = strchr(p, '/'))) {
		size_t l;

		p++;
		l = bdf_len(p);
		if (l) {
			found = p;
			len = l;
		}
	}
	if (!found || len >= n)
		return false;
	memcpy(bdf, found, len);
	bdf[len] = '\0';
	return true;
}
