/* SPDX-License-Identifier: MIT */
/*
 * bind-priv.h — the sysfs step machine under the transaction (bind.c,
 * journal.c, lock.c, uevent.c).  Not installed, and hidden in the shared
 * library: a program gets to these steps only through struct pt_txn, which
 * refuses blocked groups (passthru.h).  Internal names use the ptb_ prefix.
 *
 * Every sysfs/dev/run path is relative to the binder's root (lib/sysfs.h:
 * the live system or a tree), so a fixture tree can be planned against
 * with a dry run.
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
#include <sys/types.h>

#include "lib/passthru.h"
#include "lib/sysfs.h"

#pragma GCC visibility push(hidden)

#define PT_BIND_MAX	64	/* members of one group we handle */

enum pt_bind_action {
	PT_BIND_KEEP,		/* already on vfio-pci (or a vfio variant) */
	PT_BIND_REBIND,		/* endpoint that moves to vfio-pci */
	PT_BIND_BRIDGE,		/* bridge: stays where it is (pcieport) */
};

/* How far an assign got with a member, in step order (for rollback). */
enum pt_bind_progress {
	PT_BIND_STEP_NONE,		/* nothing changed yet */
	PT_BIND_STEP_OVERRIDE,		/* driver_override is vfio-pci */
	PT_BIND_STEP_UNBOUND,		/* off its old driver (or had none) */
	PT_BIND_STEP_PROBED,		/* drivers_probe ran (or vfio-pci had it) */
	PT_BIND_STEP_VERIFIED,		/* on vfio-pci, its /dev/vfio node there */
};

struct pt_bind_member {
	char bdf[PT_BDF_LEN];
	char driver[PT_NAME_LEN];	/* driver before the change, "" none */
	char override[PT_NAME_LEN];	/* driver_override before, "" none */
	enum pt_bind_action action;
	enum pt_bind_result result;
	unsigned int numvfs;		/* SR-IOV VFs enabled on it (PF) */
	enum pt_bind_progress progress;	/* steps applied (for rollback) */
};

struct pt_bind_plan {
	int group;			/* IOMMU group number */
	int nr;
	struct pt_bind_member m[PT_BIND_MAX];
	char failed_bdf[PT_BDF_LEN];	/* member that failed, or "" */
	const char *failed_step;	/* step name that failed, or NULL */
	bool journaled;			/* drivers come from the journal */
};

struct pt_binder;
typedef void (*ptb_log_fn)(void *priv, enum pt_log_level level, const char *msg);

enum {
	PTB_DRY_RUN = 1 << 0,	/* plan only: no write, no journal */
};

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
	unsigned int flags;		/* PTB_* */
	int step;			/* steps run so far (test hook) */
	int fail_step;			/* test hook: fail step K, 0 = off */
	int crash_step;			/* test hook: SIGKILL at step K */
	struct udev *udev;
	struct udev_monitor *mon;
	ptb_log_fn log;
	void *log_priv;
	volatile sig_atomic_t *cancel;	/* set: stop between steps */
};

/* root: "" or NULL for the live system, else a captured tree.  Test
 * builds (-DPASSTHRU_TEST_HOOKS) read PASSTHRU_TEST_FAIL_STEP and
 * PASSTHRU_TEST_CRASH_STEP here; other builds never look at them. */
int ptb_binder_new(struct pt_binder **out, const char *root, unsigned int flags);
void ptb_binder_free(struct pt_binder *b);
void ptb_binder_set_log(struct pt_binder *b, ptb_log_fn fn, void *priv);
void ptb_binder_set_timeout(struct pt_binder *b, int timeout_ms);
void ptb_log(struct pt_binder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ptb_notice(struct pt_binder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- plans (bind.c) ---- */
void ptb_plan_init(struct pt_bind_plan *p, int group);
/* Adds a member; the action follows from driver and is_bridge.  A driver
 * or override that is not a plain driver name is -EINVAL. */
int ptb_plan_add(struct pt_bind_plan *p, const char *bdf, const char *driver,
		 const char *override, bool is_bridge);
int ptb_plan_count(const struct pt_bind_plan *p, enum pt_bind_action a);
const char *ptb_action_name(enum pt_bind_action a);
/* Refreshes driver/override/numvfs of every member from sysfs. */
int ptb_plan_refresh(struct pt_binder *b, struct pt_bind_plan *p);
/* A kernel driver or module name: [A-Za-z0-9_.-], not starting with '-'
 * or '.', no "..": safe in a sysfs path and as modprobe's argument. */
bool ptb_driver_name_ok(const char *s);

/*
 * Moves every PT_BIND_REBIND member to vfio-pci: journal, then per member
 * driver_override, unbind, drivers_probe, verify (driver link + /dev/vfio
 * node, waited for with a libudev monitor).  On any failure — including
 * the final journal write — every member is restored to its original
 * driver; returns the first error (with plan->failed_bdf/failed_step set)
 * after a successful rollback, or -ENOTRECOVERABLE when even the rollback
 * failed (journal kept).
 */
int ptb_assign(struct pt_binder *b, struct pt_bind_plan *p);
/* Gives every non-bridge member back to plan's recorded driver (or the
 * kernel's choice when none), clears driver_override, removes the journal. */
int ptb_release(struct pt_binder *b, struct pt_bind_plan *p);
/* chown /dev/vfio/GROUP and the members' cdevs (uid/gid -1 = unchanged). */
int ptb_chown(struct pt_binder *b, const struct pt_bind_plan *p,
	      uid_t uid, gid_t gid);
/* SR-IOV: sets sriov_numvfs of the PF bdf to n (through 0 when needed). */
int ptb_set_numvfs(struct pt_binder *b, const char *bdf, unsigned int n);

/* ---- journal (journal.c): ROOT/run/passthru/group-N.journal ---- */
enum pt_journal_state {
	PT_JOURNAL_APPLYING,	/* assign in progress (or crashed in it) */
	PT_JOURNAL_APPLIED,	/* assign done: release restores from here */
	PT_JOURNAL_RELEASING,	/* release in progress (or crashed in it) */
};
int ptb_journal_write(struct pt_binder *b, const struct pt_bind_plan *p,
		      enum pt_journal_state st);
/* -ENOENT when the group has no journal, -EBADMSG when it is corrupt. */
int ptb_journal_read(struct pt_binder *b, int group, struct pt_bind_plan *p,
		     enum pt_journal_state *st);
int ptb_journal_parse(const char *buf, size_t len, struct pt_bind_plan *p,
		      enum pt_journal_state *st);
int ptb_journal_remove(struct pt_binder *b, int group);
/* Every group with a journal, ascending, in a malloc'd array (*groups,
 * free it); the count or -errno. */
int ptb_journal_list(struct pt_binder *b, int **groups);
const char *ptb_journal_state_name(enum pt_journal_state st);

/* ---- locks (lock.c): ROOT/run/passthru/group-N.lock ---- */
/* The run directory (0700, created), opened O_DIRECTORY|O_NOFOLLOW: an fd
 * or -errno with the message. */
int ptb_run_dir(struct pt_binder *b);
/* Locks GROUP, waiting at most timeout_ms (0: not at all): the lock's fd,
 * or -EWOULDBLOCK with "group N is locked by PID P (COMM, uid U) ...". */
int ptb_lock_group(struct pt_binder *b, int group, int timeout_ms);
void ptb_unlock_group(int fd);

/* ---- uevent.c: the libudev monitor behind the live waits ---- */
int ptb_monitor_open(struct pt_binder *b);
void ptb_monitor_close(struct pt_binder *b);
int ptb_wait(struct pt_binder *b, bool (*cond)(struct pt_binder *, const void *),
	     const void *arg, int timeout_ms);
extern const struct pt_sysfs_ops ptb_live_ops;

#pragma GCC visibility pop

#endif
