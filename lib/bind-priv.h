/* SPDX-License-Identifier: MIT */
/*
 * bind-priv.h — internals shared by the binding files (bind.c, journal.c,
 * lock.c, uevent.c, conf.c).  Not installed.
 *
 * Every sysfs/dev/run path is relative to the binder's root (lib/sysfs.h:
 * the live system or a tree), so a fixture tree can be planned against
 * with --dry-run.
 *
 * The kernel-facing operations go through struct pt_sysfs_ops so that the
 * unit tests can drive the step machine and its rollback against a
 * simulated kernel (tests/unit/test-bind.c).  The live ops are the only
 * ones the command uses; the lab proves them on a real kernel.
 */
#ifndef PASSTHRU_BIND_PRIV_H
#define PASSTHRU_BIND_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/passthru.h"
#include "lib/sysfs.h"

struct pt_binder;

struct pt_sysfs_ops {
	/* Write VAL (no newline added) to the attribute at PATH (relative). */
	int (*write)(struct pt_binder *b, const char *path, const char *val);
	/* Name of the driver bound to BDF into BUF, "" when unbound. */
	int (*driver)(struct pt_binder *b, const char *bdf, char *buf, size_t n);
	/* Is the driver NAME registered (sys/bus/pci/drivers/NAME exists)? */
	bool (*driver_loaded)(struct pt_binder *b, const char *name);
	/* Load a kernel module (modprobe).  0 or -errno. */
	int (*modprobe)(struct pt_binder *b, const char *module);
	/* Wait until BDF is bound to WANT ("" = unbound). 0, -ETIMEDOUT. */
	int (*wait_driver)(struct pt_binder *b, const char *bdf,
			   const char *want, int timeout_ms);
	/* Wait until the VFIO node(s) of BDF in GROUP exist. 0, -ETIMEDOUT. */
	int (*wait_vfio_node)(struct pt_binder *b, const char *bdf, int group,
			      int timeout_ms);
};

struct pt_binder {
	struct pt_sysfs fs;		/* the root: live system or a tree */
	const struct pt_sysfs_ops *ops;
	void *ops_priv;			/* for the test simulator */
	int timeout_ms;
	unsigned int flags;		/* PT_BINDER_* */
	int step;			/* steps run so far (test hook) */
	int fail_step;			/* PASSTHRU_TEST_FAIL_STEP, 0 = off */
	int crash_step;			/* PASSTHRU_TEST_CRASH_STEP, 0 = off */
	struct udev *udev;
	struct udev_monitor *mon;
	pt_bind_log_fn log;
	void *log_priv;
};

void ptb_log(struct pt_binder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* uevent.c: the libudev monitor behind the live waits. */
int ptb_monitor_open(struct pt_binder *b);
void ptb_monitor_close(struct pt_binder *b);
int ptb_wait(struct pt_binder *b, bool (*cond)(struct pt_binder *, const void *),
	     const void *arg, int timeout_ms);
extern const struct pt_sysfs_ops ptb_live_ops;

#endif
