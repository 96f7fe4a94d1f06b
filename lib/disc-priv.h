/* SPDX-License-Identifier: MIT */
/*
 * disc-priv.h — internals shared by the discovery files (ctx.c, scan.c,
 * caps.c, groups.c, blockers.c, devarg.c, hostcheck.c, snapshot.c).
 * Not installed.  Internal names use the ptd_ prefix.
 */
#ifndef PASSTHRU_DISC_PRIV_H
#define PASSTHRU_DISC_PRIV_H

#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

#include <pci/pci.h>

#include "lib/passthru.h"
#include "lib/sysfs.h"

#define PT_TREE_MARKER ".passthru-tree"

struct udev;

/*
 * What stands behind the scan's public structs (lib/ABI.md rule 1): the
 * public struct first, its `const char *` names and arrays pointing into
 * the storage after it, so that their lengths are not in the ABI.  Every
 * struct pt_device, pt_group and pt_blocker the library hands out is the
 * `pub` of one of these; the library writes through the private side.
 */
struct ptd_device {
	struct pt_device pub;
	char bdf[PT_BDF_LEN];
	char driver[PT_NAME_LEN];
	char driver_override[PT_NAME_LEN];
	char parent[PT_BDF_LEN];
	char physfn[PT_BDF_LEN];
	struct pt_bar bars[7];
	struct pt_caps caps;
	uint8_t *config;		/* pub.config_len bytes */
};

struct ptd_group {
	struct pt_group pub;
	char type[PT_NAME_LEN];
};

static inline struct ptd_device *ptd_device(const struct pt_device *d)
{
	return (struct ptd_device *)d;
}

static inline struct ptd_group *ptd_group(const struct pt_group *g)
{
	return (struct ptd_group *)g;
}

struct ptd_device *ptd_device_new(void);
void ptd_device_free(struct pt_device *d);
struct ptd_group *ptd_group_new(int id);
void ptd_group_free(struct pt_group *g);

struct pt_ctx {
	struct pt_sysfs fs;		/* the root: live system or a tree */
	struct pci_access *pacc;
	struct udev *udev;		/* live system only */
	struct pt_system *sys;		/* cached scan result */
	bool broken;			/* libpci raised an error: no more scans */
	uint8_t *cfgbuf;		/* 4 KiB scratch for config reads */
	int devfd;			/* ROOT/sys/bus/pci/devices, or -1 */
	int scan_dfd;			/* the device directory being scanned */
	struct ptd_names *names;	/* pci.ids lookups made so far (scan.c) */
	struct ptd_scan_key *order;	/* scan order scratch (scan.c) */
	char pci_error[512];		/* libpci's last error/warning text */
};

void ptd_names_free(struct ptd_names *names);

/* libpci reports errors through a callback that must not return: we
 * longjmp back into the library function that called libpci. */
extern __thread jmp_buf *ptd_pci_jmp;
extern __thread char ptd_pci_msg[512];

/* -EINVAL with "--root TREE: FILE is a FIFO, not a regular file ...":
 * what the tree's reader refused (pt_sysfs_defect()), as the error. */
int ptd_tree_error(struct pt_ctx *ctx);

/* String vectors. */
int ptd_strv_add(struct pt_strv *sv, const char *s);
int ptd_strv_addf(struct pt_strv *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool ptd_strv_has(const struct pt_strv *sv, const char *s);
void ptd_strv_free(struct pt_strv *sv);
void ptd_strv_sort(struct pt_strv *sv);
void ptd_blockers_free(struct pt_blockers *bv);

/* "DDDD:BB:DD.F" exactly (lower-case hex, as sysfs spells it)? */
bool ptd_is_bdf(const char *s);
/* The last BDF component of a sysfs path (the PCI device that owns it). */
bool ptd_path_owner_bdf(const char *path, char *bdf, size_t n);

/* Scan stages (scan.c calls them in order). */
int ptd_scan_groups(struct pt_ctx *ctx, struct pt_system *sys);
int ptd_scan_children(struct pt_ctx *ctx, struct pt_system *sys);
int ptd_scan_blockers(struct pt_ctx *ctx, struct pt_system *sys);
void ptd_group_judge(struct pt_group *g);
void ptd_system_free(struct pt_system *sys);
struct pt_device *ptd_find_device(struct pt_system *sys, const char *bdf);

/* snapshot-state.c: passthru's state and the host's set-up into dir. */
int ptd_snapshot_state(struct pt_ctx *ctx, const char *dir);

/* caps.c: decode from a libpci device whose config cache is filled. */
void ptd_caps_decode_dev(struct pci_dev *pd, const uint8_t *cfg, size_t len,
			 struct pt_caps *caps);

#endif
