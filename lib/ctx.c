// SPDX-License-Identifier: MIT
/*
 * ctx.c — the discovery context: where files are read from (the live
 * system or a captured tree under --root), the libpci access handle pointed
 * at ROOT/sys/bus/pci, the libudev handle (live system only), and the small
 * string and BDF helpers the other discovery files share.  Files are read
 * through the context's root (lib/sysfs.c).
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

/* The directory the user gave: its own stat(), before anything is
 * resolved inside it, so that the message names what was typed. */
static int ctx_check_dir(const char *root)
{
	struct stat st;

	if (stat(root, &st) < 0)
		return pt_set_error(errno, "--root %s: %s; give the directory a "
				    "`passthru snapshot` tar was extracted into",
				    root, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return pt_set_error(ENOTDIR, "--root %s is not a directory; "
				    "extract the snapshot tar and pass its "
				    "directory", root);
	return 0;
}

static int ctx_check_marker(struct pt_ctx *ctx, const char *root)
{
	char line[64];
	int ret;

	ret = pt_sysfs_read_str(&ctx->fs, PT_TREE_MARKER, line, sizeof(line));
	if (ret < 0 && pt_sysfs_defect(&ctx->fs)[0])
		return ptd_tree_error(ctx);
	if (ret < 0)
		return pt_set_error(EINVAL, "--root %s is not a passthru tree: "
				    "%s has no " PT_TREE_MARKER " marker (%s); "
				    "capture one with `passthru snapshot -o FILE.tar`",
				    root, root, strerror(-ret));
	if (strncmp(line, "passthru-tree 1", 15))
		return pt_set_error(EINVAL, "--root %s is not a passthru tree: "
				    "its " PT_TREE_MARKER " does not start with "
				    "'passthru-tree 1'", root);
	return 0;
}

int ptd_tree_error(struct pt_ctx *ctx)
{
	return pt_set_error(EINVAL, "--root %s: %s; a passthru tree holds sysfs "
			    "attributes as regular files and its symlinks stay "
			    "inside it: capture it again with `passthru snapshot`",
			    ctx->fs.root, pt_sysfs_defect(&ctx->fs));
}

static int ctx_open_pci(struct pt_ctx *ctx)
{
	char path[PATH_MAX];
	jmp_buf jb;

	/* libpci lists this directory itself, by its plain path */
	ctx->devfd = pt_sysfs_open_dir_for_libpci(&ctx->fs, AT_FDCWD,
						  "sys/bus/pci/devices", NULL);
	if (ctx->devfd < 0 && pt_sysfs_defect(&ctx->fs)[0])
		return ptd_tree_error(ctx);
	pt_ctx_path(ctx, path, sizeof(path), "sys/bus/pci/devices");
	if (ctx->devfd < 0)
		return pt_set_error(ENOENT, "cannot read %s: %s; %s", path,
				    strerror(-ctx->devfd),
				    pt_ctx_is_live(ctx) ? "is sysfs mounted on /sys?"
				    : "the tree has no PCI devices");
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
	char real[PATH_MAX];
	struct pt_ctx *ctx;
	int ret;

	*out = NULL;
	if (root && *root) {
		ret = ctx_check_dir(root);
		if (ret < 0)
			return ret;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return pt_set_error(ENOMEM, "out of memory");
	ctx->devfd = ctx->scan_dfd = -1;
	ctx->fs.rootfd = -1;
	if (root && *root) {
		if (!realpath(root, real)) {
			ret = pt_set_error(errno, "--root %s: %s", root,
					   strerror(errno));
			goto err;
		}
		/* "/" as a root is the live system spelled differently */
		ret = pt_sysfs_init(&ctx->fs, real);
		if (!ret)
			ret = ctx_check_marker(ctx, root);
		if (ret < 0)
			goto err;
	}
	ret = ctx_open_pci(ctx);
	if (ret < 0)
		goto err;
	/* Properties on the live system come from udev; a tree has no udev
	 * database, so everything there is read from the captured sysfs. */
	if (pt_ctx_is_live(ctx))
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
	pt_sysfs_fini(&ctx->fs);
	free(ctx);
}

const char *pt_ctx_root(const struct pt_ctx *ctx)
{
	return ctx->fs.root;
}

bool pt_ctx_is_live(const struct pt_ctx *ctx)
{
	return pt_sysfs_is_live(&ctx->fs);
}

struct pt_sysfs *pt_ctx_sysfs(struct pt_ctx *ctx)
{
	return &ctx->fs;
}

int pt_ctx_path(const struct pt_ctx *ctx, char *buf, size_t n,
		const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(rel))
		return -ENAMETOOLONG;
	return pt_sysfs_path(&ctx->fs, buf, n, "%s", rel);
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
