/* SPDX-License-Identifier: MIT */
/*
 * passthru.h — the public API of libpassthru.
 *
 * Conventions: functions return 0 or a negative errno and never print or
 * exit; objects are created by pt_*_new()/pt_*_open() and freed by the
 * matching pt_*_free()/pt_*_close().
 */
#ifndef PASSTHRU_H
#define PASSTHRU_H

#ifdef __cplusplus
extern "C" {
#endif

#define PASSTHRU_LIB_VERSION "0.1.0"

#include <stdarg.h>

const char *pt_version(void);

/*
 * Errors.  Every failing function returns a negative errno AND leaves a
 * full sentence for the user in a thread-local buffer: which device, which
 * step, the errno text and the fix, e.g.
 *   "group 7 is not viable: 0000:02:00.1 is bound to igb; run
 *    `passthru assign 02:00.1` or unbind it"
 * pt_last_error() returns that sentence ("" when none was set).  The library
 * never prints it itself; the caller decides where it goes.
 */
const char *pt_last_error(void);
void pt_clear_error(void);
/* Library-internal, but public so that out-of-tree backends can use it:
 * records the message and returns -err (err is a positive errno). */
int pt_set_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pt_set_errorv(int err, const char *fmt, va_list ap);

/* ==== Binding: assign / release / persistence ===========================
 * lib/bind.c (sysfs rebind step machine + rollback), lib/journal.c,
 * lib/lock.c, lib/uevent.c (libudev waits), lib/conf.c (/etc/passthru.conf).
 * Self-contained: the plan is filled by the caller from the discovery API
 * (group members, bridges, blockers) with pt_bind_plan_add().
 */
#include <stdbool.h>
#include <sys/types.h>

#define PT_BIND_TARGET	"vfio-pci"
#define PT_BIND_MAX	64	/* members of one group we handle */
#define PT_BIND_BDF_LEN	16	/* "0000:00:00.0" + NUL, rounded */
#define PT_BIND_DRV_LEN	64

enum pt_bind_action {
	PT_BIND_KEEP,		/* already on vfio-pci (or a vfio variant) */
	PT_BIND_REBIND,		/* endpoint that moves to vfio-pci */
	PT_BIND_BRIDGE,		/* bridge: stays where it is (pcieport) */
};

enum pt_bind_result {
	PT_BIND_PLANNED,	/* nothing run yet */
	PT_BIND_DONE,		/* changed as planned and verified */
	PT_BIND_UNCHANGED,	/* nothing to do for this member */
	PT_BIND_ROLLED_BACK,	/* changed, then restored after a failure */
	PT_BIND_FAILED,		/* could not be restored: see the journal */
};

struct pt_bind_member {
	char bdf[PT_BIND_BDF_LEN];
	char driver[PT_BIND_DRV_LEN];	/* driver before the change, "" none */
	char override[PT_BIND_DRV_LEN];	/* driver_override before, "" none */
	enum pt_bind_action action;
	enum pt_bind_result result;
	unsigned int numvfs;		/* SR-IOV VFs enabled on it (PF) */
	int progress;			/* steps applied (for rollback) */
};

struct pt_bind_plan {
	int group;			/* IOMMU group number */
	int nr;
	struct pt_bind_member m[PT_BIND_MAX];
	char failed_bdf[PT_BIND_BDF_LEN];	/* member that failed, or "" */
	const char *failed_step;	/* step name that failed, or NULL */
	bool journaled;			/* drivers come from the journal */
};

struct pt_binder;
typedef void (*pt_bind_log_fn)(void *priv, const char *msg);

enum {
	PT_BINDER_DRY_RUN = 1 << 0,	/* plan only: no write, no journal */
};

/* root: "" or NULL for the live system, else a captured tree. */
int pt_binder_new(struct pt_binder **out, const char *root, unsigned int flags);
void pt_binder_free(struct pt_binder *b);
void pt_binder_set_log(struct pt_binder *b, pt_bind_log_fn fn, void *priv);
void pt_binder_set_timeout(struct pt_binder *b, int timeout_ms);

void pt_bind_plan_init(struct pt_bind_plan *p, int group);
/* Adds a member; the action follows from driver and is_bridge. */
int pt_bind_plan_add(struct pt_bind_plan *p, const char *bdf,
		     const char *driver, const char *override, bool is_bridge);
int pt_bind_plan_count(const struct pt_bind_plan *p, enum pt_bind_action a);
bool pt_bind_driver_is_vfio(const char *driver);
const char *pt_bind_action_name(enum pt_bind_action a);
const char *pt_bind_result_name(enum pt_bind_result r);
/* Refreshes driver/override/numvfs of every member from sysfs. */
int pt_bind_plan_refresh(struct pt_binder *b, struct pt_bind_plan *p);

/*
 * Moves every PT_BIND_REBIND member to vfio-pci: journal, then per member
 * driver_override, unbind, drivers_probe, verify (driver link + /dev/vfio
 * node, waited for with a libudev monitor).  On any failure every member
 * is restored to its original driver; returns the first error (with
 * plan->failed_bdf/failed_step set) after a successful rollback, or
 * -ENOTRECOVERABLE when even the rollback failed (journal kept).
 */
int pt_bind_assign(struct pt_binder *b, struct pt_bind_plan *p);
/* Gives every non-bridge member back to plan's recorded driver (or the
 * kernel's choice when none), clears driver_override, removes the journal. */
int pt_bind_release(struct pt_binder *b, struct pt_bind_plan *p);
/* chown /dev/vfio/GROUP and the members' cdevs (uid/gid -1 = unchanged). */
int pt_bind_chown(struct pt_binder *b, const struct pt_bind_plan *p,
		  uid_t uid, gid_t gid);
/* SR-IOV: sets sriov_numvfs of the PF bdf to n (through 0 when needed). */
int pt_bind_set_numvfs(struct pt_binder *b, const char *bdf, unsigned int n);

/* Journal: ROOT/run/passthru/group-N.journal, fsynced before each change. */
enum pt_journal_state {
	PT_JOURNAL_APPLYING,	/* assign in progress (or crashed in it) */
	PT_JOURNAL_APPLIED,	/* assign done: release restores from here */
	PT_JOURNAL_RELEASING,	/* release in progress (or crashed in it) */
};
int pt_journal_write(struct pt_binder *b, const struct pt_bind_plan *p,
		     enum pt_journal_state st);
/* -ENOENT when the group has no journal, -EBADMSG when it is corrupt. */
int pt_journal_read(struct pt_binder *b, int group, struct pt_bind_plan *p,
		    enum pt_journal_state *st);
int pt_journal_parse(const char *buf, size_t len, struct pt_bind_plan *p,
		     enum pt_journal_state *st);
int pt_journal_remove(struct pt_binder *b, int group);
/* Groups that have a journal, ascending; returns the count or -errno. */
int pt_journal_list(struct pt_binder *b, int *groups, int max);
const char *pt_journal_state_name(enum pt_journal_state st);

/* Per-group lock (flock on ROOT/run/passthru/group-N.lock).  Returns an fd
 * or -EWOULDBLOCK when !wait and another run holds it. */
int pt_bind_lock_group(struct pt_binder *b, int group, bool wait);
void pt_bind_unlock_group(int fd);

/* /etc/passthru.conf: one device per line, see configs/passthru.conf. */
#define PT_CONF_MAX	128
#define PT_CONF_NAME_LEN 33
struct pt_conf_entry {
	char bdf[PT_BIND_BDF_LEN];	/* "" when matched by ids */
	unsigned int vendor, device;	/* ids when bdf is "" */
	char user[PT_CONF_NAME_LEN];	/* owner of /dev/vfio/N, "" none */
	char group[PT_CONF_NAME_LEN];
	bool force;			/* assign even when blocked */
	int line;
};
struct pt_conf {
	int nr;
	struct pt_conf_entry e[PT_CONF_MAX];
};
/* -EINVAL with "passthru.conf line N: ..." on bad input. */
int pt_conf_parse(const char *buf, size_t len, struct pt_conf *c);
int pt_conf_load(const char *path, struct pt_conf *c);	/* -ENOENT ok */
const struct pt_conf_entry *pt_conf_match(const struct pt_conf *c,
		const char *bdf, unsigned int vendor, unsigned int device);
/* Adds (or removes) the line for a full BDF, keeping everything else. */
int pt_conf_add(const char *path, const char *bdf, const char *opts);
int pt_conf_remove(const char *path, const char *bdf);
/* ==== end of binding ==================================================== */

#ifdef __cplusplus
}
#endif
#endif
