/* SPDX-License-Identifier: MIT */
/*
 * txn-priv.h — the transaction's insides, shared by txn.c (life cycle,
 * adding devices, apply), txn-plan.c (locks, re-read, plans, refusals),
 * recover.c (interrupted runs), vfio-users.c (who holds a group open),
 * persist.c (passthru.conf, modprobe.d) and txn-vfs.c (SR-IOV).  Not
 * installed; internal names use the ptt_ prefix.
 */
#ifndef PASSTHRU_TXN_PRIV_H
#define PASSTHRU_TXN_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/bind-priv.h"
#include "lib/passthru.h"

#pragma GCC visibility push(hidden)

/* A member and the storage of its names (lib/ABI.md rule 1). */
struct ptt_member {
	struct pt_txn_member pub;
	char bdf[PT_BDF_LEN];
	char driver[PT_NAME_LEN];
	char override[PT_NAME_LEN];
	char target[PT_NAME_LEN];
};

/* Empties a member, its names "" (pointing at its own storage). */
void ptt_member_clear(struct ptt_member *m);

struct ptt_group {
	struct pt_txn_group pub;	/* what pt_txn_group() shows */
	struct ptt_member mem[PT_BIND_MAX];
	struct pt_txn_member *members[PT_BIND_MAX];	/* pub.members */
	struct pt_bind_plan plan;	/* what the step machine runs */
	int lock_fd;
	char *user, *group;		/* owner names (assign), NULL none */
	uid_t uid;			/* resolved; -1 unchanged */
	gid_t gid;
	bool recovered;			/* an interrupted run was undone first */
	struct pt_strv recover_why;	/* why it could not be: a refusal */
	int hard;			/* platform devices: refused even forced */
	const char *hard_why;		/* the first of them (in pub.blocked_by) */
};

struct ptt_vfs {
	char pf[PT_BDF_LEN];
	unsigned int n;
	bool force, set;
	struct pt_txn_vfs pub;
};

struct pt_txn {
	enum pt_txn_op op;
	unsigned int flags;		/* PT_TXN_* */
	char *root;			/* NULL: this machine */
	struct pt_ctx *ctx;
	const struct pt_system *sys;	/* the latest read, under the locks */
	struct pt_binder *b;
	struct ptt_group *g;		/* ascending id: the lock order */
	int nr, cap;
	struct pt_txn_note *notes;
	int nr_notes, cap_notes;
	enum pt_txn_status status;
	int err;			/* -errno of the refusal or failure */
	char error[1024];
	bool planned, applied;
	int lock_timeout_ms;
	pt_txn_log_fn log;
	void *log_priv;
	char *conf_path;		/* PT_TXN_PERSIST */
	struct ptt_vfs vfs;		/* PT_TXN_SET_VFS */
};

bool ptt_dry(const struct pt_txn *t);
/* Adds group id (once, keeping ascending order); the group or NULL. */
struct ptt_group *ptt_add_group(struct pt_txn *t, int id);
struct ptt_group *ptt_find_group(struct pt_txn *t, int id);
/* Appends a note (a copy of the text). */
void ptt_note(struct pt_txn *t, enum pt_txn_note_kind kind, int group,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Records the run's outcome: status and (for a failure) the sentence,
 * which is also left in pt_last_error(); returns err. */
int ptt_fail(struct pt_txn *t, enum pt_txn_status st, int err);
/* Throws the scan away and reads the system again (after locking). */
int ptt_rescan(struct pt_txn *t);

/* txn-plan.c */
int ptt_lock_all(struct pt_txn *t);
void ptt_unlock_all(struct pt_txn *t);
int ptt_plan_groups(struct pt_txn *t);

/* recover.c: a group's run that died half-way (journal applying or
 * releasing), undone when nothing holds the group open. */
int ptt_recover_named(struct pt_txn *t);
int ptt_recover_all(struct pt_txn *t);

/* vfio-users.c: "/dev/vfio/7 is open by PID 1234 (qemu)" for each process
 * holding the group's node or a member's VFIO cdev open, added to why. */
int ptt_vfio_users(struct pt_txn *t, int group, const char *const *bdfs,
		   int nr, struct pt_strv *why);

/* persist.c */
int ptt_persist_check(struct pt_txn *t);
int ptt_persist(struct pt_txn *t);
/* ROOT/etc/passthru.d made to hold exactly the marks ("pci-BDF",
 * "ids-0xVVVV:0xDDDD": the udev rule's test); a dry run notes what it
 * would create and remove.  ptt_conf_marks() lists a config's. */
struct pt_conf;
int ptt_conf_marks(const struct pt_conf *c, struct pt_strv *marks);
void ptt_sync_marks(struct pt_txn *t, const struct pt_strv *marks);

/* txn-vfs.c */
int ptt_vfs_plan(struct pt_txn *t);
int ptt_vfs_apply(struct pt_txn *t);
void ptt_vfs_free(struct pt_txn *t);

/* For the unit tests: drive a transaction against a simulated kernel
 * (bind-priv.h's struct pt_sysfs_ops), also on a tree.  Call before
 * pt_txn_plan(). */
void ptt_set_ops(struct pt_txn *t, const struct pt_sysfs_ops *ops, void *priv);

#pragma GCC visibility pop

#endif
