// SPDX-License-Identifier: MIT
/*
 * recover.c — runs that died half-way (a crash, `kill -9`, power cut
 * during an assign or release) leave a journal in state "applying" or
 * "releasing"; restoring what it recorded undoes them.
 *
 * A run recovers by itself only the groups it names (ptt_recover_named,
 * under their locks): a group it was not asked about may belong to a VM
 * that opened it since, and unbinding a device a process holds blocks
 * uninterruptibly until the process lets go.  Even a named group is only
 * recovered when no process holds its /dev/vfio node or a member's cdev
 * (or the group is forced); the others are said (PT_NOTE_INTERRUPTED) and
 * left to `passthru release --recover` (ptt_recover_all), which applies
 * the same check to every journal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/disc-priv.h"
#include "lib/txn-priv.h"

static const char *state_text(enum pt_journal_state st)
{
	return st == PT_JOURNAL_APPLYING ? "an interrupted assign" :
	       st == PT_JOURNAL_RELEASING ? "an interrupted release" :
	       "a completed assign";
}

/*
 * Undoes group id's interrupted run, the caller holding its lock: 1 when
 * it did, 0 when there was nothing to undo, -errno when it could not (the
 * reason noted, and added to why when given).
 */
static int recover_group(struct pt_txn *t, int id, bool force, struct pt_strv *why)
{
	const char *bdfs[PT_BIND_MAX];
	enum pt_journal_state st;
	struct pt_strv users = { 0 };
	struct pt_bind_plan p;
	int ret;

	ret = ptb_journal_read(t->b, id, &p, &st);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		ptt_note(t, PT_NOTE_RECOVERY_FAILED, id, "group %d: %s", id,
			 pt_last_error());
		if (why)
			ptd_strv_addf(why, "its journal cannot be used: %s",
				      pt_last_error());
		return ret;
	}
	if (st == PT_JOURNAL_APPLIED)
		return 0;
	for (int k = 0; k < p.nr; k++)
		bdfs[k] = p.m[k].bdf;
	ret = ptt_vfio_users(t, id, bdfs, p.nr, &users);
	if (!ret && users.n && !force) {
		ptt_note(t, PT_NOTE_RECOVERY_IN_USE, id, "group %d: %s (journal state "
			 "%s) is not undone: %s; fix: stop that process, then run "
			 "`passthru release --recover`", id, state_text(st),
			 ptb_journal_state_name(st), users.v[0]);
		if (why)
			ptd_strv_addf(why, "%s is not undone: %s", state_text(st),
				      users.v[0]);
		ptd_strv_free(&users);
		return -EBUSY;
	}
	ptd_strv_free(&users);
	ret = ptb_release(t->b, &p);
	if (ret) {
		ptt_note(t, PT_NOTE_RECOVERY_FAILED, id, "group %d: recovery of %s "
			 "failed: %s", id, state_text(st), pt_last_error());
		if (why)
			ptd_strv_addf(why, "recovery of %s failed: %s", state_text(st),
				      pt_last_error());
		return ret;
	}
	ptt_note(t, PT_NOTE_RECOVERED, id, "group %d: recovered from %s (journal "
		 "state %s): every member is back on its original driver", id,
		 state_text(st), ptb_journal_state_name(st));
	return 1;
}

int ptt_recover_named(struct pt_txn *t)
{
	for (int i = 0; i < t->nr; i++) {
		struct ptt_group *g = &t->g[i];
		int ret = recover_group(t, g->pub.id, g->pub.force, &g->recover_why);

		g->recovered = ret > 0;
	}
	pt_clear_error();
	return 0;
}

int ptt_recover_all(struct pt_txn *t)
{
	bool force = t->flags & PT_TXN_FORCE;
	int *ids, n, failed = 0, done = 0;

	n = ptb_journal_list(t->b, &ids);
	if (n < 0) {
		pt_set_error(-n, "cannot list the journals in /run/passthru: %s",
			     strerror(-n));
		return ptt_fail(t, PT_TXN_FAILED, n);
	}
	for (int i = 0; i < n; i++) {
		int fd, ret;

		if (ptt_dry(t)) {
			enum pt_journal_state st;
			struct pt_bind_plan p;

			if (!ptb_journal_read(t->b, ids[i], &p, &st) &&
			    st != PT_JOURNAL_APPLIED)
				ptt_note(t, PT_NOTE_INTERRUPTED, ids[i], "group %d: would "
					 "recover from %s", ids[i], state_text(st));
			continue;
		}
		fd = ptb_lock_group(t->b, ids[i], t->lock_timeout_ms);
		if (fd < 0) {
			ptt_note(t, PT_NOTE_RECOVERY_FAILED, ids[i], "group %d: %s",
				 ids[i], pt_last_error());
			failed++;
			continue;
		}
		ret = recover_group(t, ids[i], force, NULL);
		ptb_unlock_group(fd);
		failed += ret < 0;
		done += ret > 0;
	}
	free(ids);
	if (!failed && !done && !ptt_dry(t))
		ptt_note(t, PT_NOTE_NOTHING_TO_RECOVER, -1, "no interrupted assign or "
			 "release to recover");
	if (failed) {
		pt_set_error(EIO, "%d interrupted run%s could not be recovered (see "
			     "the notes)", failed, failed > 1 ? "s" : "");
		return ptt_fail(t, PT_TXN_FAILED, -EIO);
	}
	pt_clear_error();
	return 0;
}
