/* SPDX-License-Identifier: MIT */
/*
 * sysfs.h — the one way passthru reads the machine's files: sysfs, procfs,
 * /dev names, and its own run/ and etc/ files, all relative to a root that
 * is either the live system or a captured tree (--root).  Used by every
 * folder (lib, iommu, vfio, verify, tools); not installed.
 *
 * The live system: paths resolve as usual (the files are the kernel's).
 *
 * A tree is untrusted input (a snapshot attached to a bug report), so:
 *  - a path relative to the root is opened with openat2(RESOLVE_IN_ROOT |
 *    RESOLVE_NO_MAGICLINKS) from an O_PATH fd of the root: as if chrooted,
 *    no symlink and no ".." reaches the host; a path relative to a directory
 *    opened here uses RESOLVE_BENEATH and may not leave that directory;
 *  - only regular files are read: files are opened O_NONBLOCK and a FIFO,
 *    socket or device node is refused before any read (it could block
 *    forever, or be the host's).  A directory still opens and fails its read
 *    with EISDIR, as an incomplete tree always has;
 *  - each refusal, and each path that would have led outside the tree, is
 *    recorded (pt_sysfs_defect()): discovery then fails naming the file,
 *    rather than show a device with a field silently missing.
 *
 * The functions return 0 (or a count) or -errno and set no error message:
 * the caller knows which file is optional.  The *_at forms take a directory
 * fd from pt_sysfs_open_dir() (one path walk for many attributes); dfd
 * AT_FDCWD means "relative to the root", which is what the plain forms do.
 */
#ifndef PASSTHRU_SYSFS_H
#define PASSTHRU_SYSFS_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "lib/passthru.h"

struct pt_sysfs {
	int rootfd;		/* O_PATH fd of the tree; -1 for the live system */
	char root[PATH_MAX];	/* the tree as given (messages); "" live */
	char defect[512];	/* tree: the first file refused, and why */
};

/* root NULL, "" or "/": the live system.  Else opens the tree's directory;
 * -errno with a message when it cannot (or when the kernel has no
 * openat2(2), which reading a tree safely needs: Linux 5.6+). */
int pt_sysfs_init(struct pt_sysfs *fs, const char *root);
void pt_sysfs_fini(struct pt_sysfs *fs);
/* The live system, for the layers that only ever work on it (iommu/,
 * vfio/): never records a defect, so one shared instance serves all. */
struct pt_sysfs *pt_sysfs_live(void);
static inline bool pt_sysfs_is_live(const struct pt_sysfs *fs)
{
	return fs->rootfd < 0;
}
/* "ROOT/rel" (or "/rel" live) for messages and for the tool's own state
 * files (journals, locks); -ENAMETOOLONG when it does not fit. */
int pt_sysfs_path(const struct pt_sysfs *fs, char *buf, size_t n,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "" when nothing in the tree was refused, else e.g. "sys/devices/.../
 * driver_override is a FIFO, not a regular file". */
const char *pt_sysfs_defect(const struct pt_sysfs *fs);

/* The open everything below goes through (O_CLOEXEC is added). */
int pt_sysfs_open(struct pt_sysfs *fs, int dfd, const char *rel, int flags);
/* An O_PATH directory fd for the *_at forms. */
int pt_sysfs_open_dir(struct pt_sysfs *fs, int dfd, const char *rel);
DIR *pt_sysfs_opendir(struct pt_sysfs *fs, int dfd, const char *rel);

/* Whole contents (up to n-1 bytes), NUL-ended; the byte count. */
int pt_sysfs_read_at(struct pt_sysfs *fs, int dfd, const char *rel, char *buf,
		     size_t n);
/* The first line, trailing blanks trimmed. */
int pt_sysfs_read_str_at(struct pt_sysfs *fs, int dfd, const char *rel,
			 char *buf, size_t n);
int pt_sysfs_read_long_at(struct pt_sysfs *fs, int dfd, const char *rel,
			  long *val);
/* A symlink's text (its length), and its last component. */
int pt_sysfs_readlink_at(struct pt_sysfs *fs, int dfd, const char *rel,
			 char *buf, size_t n);
int pt_sysfs_readlink_base_at(struct pt_sysfs *fs, int dfd, const char *rel,
			      char *buf, size_t n);
int pt_sysfs_stat_at(struct pt_sysfs *fs, int dfd, const char *rel,
		     struct stat *st);
bool pt_sysfs_exists_at(struct pt_sysfs *fs, int dfd, const char *rel);

static inline int pt_sysfs_read(struct pt_sysfs *fs, const char *rel,
				char *buf, size_t n)
{
	return pt_sysfs_read_at(fs, AT_FDCWD, rel, buf, n);
}
static inline int pt_sysfs_read_str(struct pt_sysfs *fs, const char *rel,
				    char *buf, size_t n)
{
	return pt_sysfs_read_str_at(fs, AT_FDCWD, rel, buf, n);
}
static inline int pt_sysfs_read_long(struct pt_sysfs *fs, const char *rel,
				     long *val)
{
	return pt_sysfs_read_long_at(fs, AT_FDCWD, rel, val);
}
static inline int pt_sysfs_readlink(struct pt_sysfs *fs, const char *rel,
				    char *buf, size_t n)
{
	return pt_sysfs_readlink_at(fs, AT_FDCWD, rel, buf, n);
}
static inline int pt_sysfs_readlink_base(struct pt_sysfs *fs, const char *rel,
					 char *buf, size_t n)
{
	return pt_sysfs_readlink_base_at(fs, AT_FDCWD, rel, buf, n);
}
static inline bool pt_sysfs_exists(struct pt_sysfs *fs, const char *rel)
{
	return pt_sysfs_exists_at(fs, AT_FDCWD, rel);
}

/* A whole (procfs) file of any length into a malloc'd NUL-ended buffer. */
int pt_sysfs_slurp(struct pt_sysfs *fs, const char *rel, char **out,
		   size_t *len);
/* Writes val (no newline added) to the attribute in one write(). */
int pt_sysfs_write(struct pt_sysfs *fs, const char *rel, const char *val);
/* Where rel leads, symlinks resolved, relative to the root (no leading
 * '/'): "sys/devices/pci0000:00/0000:00:02.0/graphics/fb0". */
int pt_sysfs_resolve(struct pt_sysfs *fs, const char *rel, char *out,
		     size_t n);

/*
 * For what libpci reads itself, by its plain path and unconfined (its
 * sysfs method is pointed at ROOT/sys/bus/pci): in a tree the directory
 * must be reached without any symlink leaving the root (RESOLVE_BENEATH:
 * -EXDEV, recorded, instead of clamped), and each of names that exists in
 * it must be a regular file or a directory, not a symlink, FIFO, socket or
 * device node.  On the live system: an O_PATH open, nothing checked.
 */
int pt_sysfs_open_dir_for_libpci(struct pt_sysfs *fs, int dfd,
				 const char *rel, const char *const names[]);

/* The name of the VFIO device of a PCI function bound to vfio-pci
 * ("vfio3"): its sysfs vfio-dev/vfioN entry (Linux 6.1+).  Only from 6.6
 * (CONFIG_VFIO_DEVICE_CDEV) is it also a char device, /dev/vfio/devices/
 * vfioN: check that node where it matters.  -ENOENT when it has none. */
int pt_sysfs_vfio_cdev(struct pt_sysfs *fs, const char *bdf, char *buf,
		       size_t n);

/* One line of sys/kernel/iommu_groups/N/reserved_regions. */
struct pt_resv_region {
	uint64_t start, last;	/* inclusive */
	char type[32];		/* "msi", "direct", "reserved", ... */
};
/* The group's reserved regions, up to max: their number, or -errno. */
int pt_sysfs_reserved_regions(struct pt_sysfs *fs, int group,
			      struct pt_resv_region *out, int max);

/* The discovery context's root. */
struct pt_sysfs *pt_ctx_sysfs(struct pt_ctx *ctx);

#endif
