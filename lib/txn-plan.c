// SPDX-License-Identifier: MIT
/*
 * txn-plan.c — pt_txn_plan(): lock the groups, undo their interrupted
 * runs, re-read the system under the locks, and plan each group from what
 * discovery says now (members, bridges, drivers, blockers), refusing the
 * groups that are blocked and not forced.
 *
 * The plan is made after the locks are taken, so a second run that waited
 * plans against what the first one did.
 *
 * Test hook, compiled into test builds only (-DPASSTHRU_TEST_HOOKS):
 * PASSTHRU_TEST_HOLD_FIFO=PATH makes a run stop right after it took its
 * group locks until a byte (or EOF) arrives on the FIFO PATH — the lab
 * uses it to hold one assign inside its critical section while a second
 * one is started, and to hold a lock while a signal arrives.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/disc-priv.h"
#include "lib/txn-priv.h"

#ifdef PASSTHRU_TEST_HOOKS
static void hold_for_test(struct pt_txn *t)
{
	const char *fifo = getenv("PASSTHRU_TEST_HOLD_FIFO");
	char c;
	int fd;

	if (!fifo || !*fifo)
		return;
	ptb_notice(t->b, "test hook: holding the group locks until %s is written",
		   fifo);
	fd = open(fifo, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &c, 1) < 0)
			c = 0;
		close(fd);
	}
}
#else
static void hold_for_test(struct pt_txn *t)
{
}
#endif

int ptt_lock_all(struct pt_txn *t)
{
	for (int i = 0; i < t->nr; i++) {
		int fd = ptb_lock_group(t->b, t->g[i].pub.id, t->lock_timeout_ms);

		if (fd < 0) {
			ptt_unlock_all(t);
			return fd;
		}
		t->g[i].lock_fd = fd;
	}
	hold_for_test(t);
	return 0;
}

void ptt_unlock_all(struct pt_txn *t)
{
	for (int i = 0; i < t->nr; i++) {
		ptb_unlock_group(t->g[i].lock_fd);
		t->g[i].lock_fd = -1;
	}
}

/* ---- one group's plan ---------------------------------------------------- */

/* Where member k goes, and with what result if nothing runs. */
static void decide_move(const struct pt_txn *t, struct ptt_group *g, int k)
{
	const struct pt_bind_member *m = &g->plan.m[k];
	struct ptt_member *pm = &g->mem[k];

	pm->target[0] = '\0';
	if (m->action == PT_BIND_BRIDGE) {
		pm->pub.move = PT_MOVE_STAYS_BRIDGE;
	} else if (t->op == PT_TXN_ASSIGN) {
		pm->pub.move = m->action == PT_BIND_REBIND ? PT_MOVE_TO_VFIO :
			   PT_MOVE_STAYS_VFIO;
		if (pm->pub.move == PT_MOVE_TO_VFIO)
			snprintf(pm->target, sizeof(pm->target), "%s", PT_BIND_TARGET);
	} else if (!pt_driver_is_vfio(pm->driver) && !pt_driver_is_vfio(pm->override)) {
		pm->pub.move = PT_MOVE_STAYS_NOT_VFIO;	/* nothing to give back */
	} else if (g->plan.journaled && pt_driver_is_vfio(m->driver)) {
		pm->pub.move = PT_MOVE_STAYS_WAS_VFIO;
	} else if (*m->driver) {
		pm->pub.move = PT_MOVE_TO_DRIVER;
		snprintf(pm->target, sizeof(pm->target), "%s", m->driver);
	} else {
		/* held for vfio-pci when assign ran (no driver of its own known):
		 * release lets the kernel choose, as ptb_release does */
		pm->pub.move = g->plan.journaled && !pt_driver_is_vfio(m->override) ?
			   PT_MOVE_TO_NO_DRIVER : PT_MOVE_TO_DEFAULT;
	}
	pm->pub.result = pm->pub.move >= PT_MOVE_TO_VFIO ? PT_BIND_PLANNED : PT_BIND_UNCHANGED;
}

/*
 * release: each member goes back to what the journal recorded, or — with
 * no journal (bound by hand, by driverctl, at boot) — to the kernel's
 * default driver (recorded as "" with plan.journaled false).
 */
static void release_targets(struct pt_txn *t, struct ptt_group *g)
{
	enum pt_journal_state st;
	struct pt_bind_plan j;
	int jr = ptb_journal_read(t->b, g->pub.id, &j, &st);

	if (jr && jr != -ENOENT)
		ptd_strv_addf(&g->pub.warnings, "%s; giving it to the kernel's "
			      "default drivers instead", pt_last_error());
	pt_clear_error();
	for (int k = 0; k < g->plan.nr; k++) {
		struct pt_bind_member *m = &g->plan.m[k];
		const struct pt_bind_member *jm = NULL;

		for (int x = 0; !jr && x < j.nr; x++)
			if (!strcmp(j.m[x].bdf, m->bdf))
				jm = &j.m[x];
		snprintf(m->driver, sizeof(m->driver), "%s", jm ? jm->driver : "");
		snprintf(m->override, sizeof(m->override), "%s", jm ? jm->override : "");
	}
	g->plan.journaled = !jr;
	g->pub.journaled = !jr;
}

/*
 * assign on a group that already has a journal (assigned earlier, then a
 * member given back by hand): members still on vfio-pci keep the driver
 * the journal recorded, so the rewritten journal does not forget it.
 */
static void keep_recorded_drivers(struct pt_txn *t, struct ptt_group *g)
{
	enum pt_journal_state st;
	struct pt_bind_plan j;

	if (ptb_journal_read(t->b, g->pub.id, &j, &st)) {
		pt_clear_error();
		return;
	}
	for (int k = 0; k < g->plan.nr; k++) {
		struct pt_bind_member *m = &g->plan.m[k];

		if (m->action != PT_BIND_KEEP)
			continue;
		for (int x = 0; x < j.nr; x++)
			if (!strcmp(j.m[x].bdf, m->bdf)) {
				snprintf(m->driver, sizeof(m->driver), "%s", j.m[x].driver);
				snprintf(m->override, sizeof(m->override), "%s",
					 j.m[x].override);
			}
	}
}

static int add_members(struct pt_txn *t, struct ptt_group *g,
		       const struct pt_group *grp)
{
	for (int k = 0; k < grp->nr_devices; k++) {
		const struct pt_device *d = grp->devices[k];
		struct ptt_member *pm = &g->mem[k];
		int ret;

		ret = ptb_plan_add(&g->plan, d->bdf, d->driver, d->driver_override,
				   d->is_bridge);
		if (ret)
			return ret;
		g->plan.m[k].numvfs = d->sriov_numvfs > 0 ? d->sriov_numvfs : 0;
		ptt_member_clear(pm);
		snprintf(pm->bdf, sizeof(pm->bdf), "%s", d->bdf);
		snprintf(pm->driver, sizeof(pm->driver), "%s", d->driver);
		snprintf(pm->override, sizeof(pm->override), "%s", d->driver_override);
		if (d->sriov_numvfs > 0 && !pt_driver_is_vfio(d->driver) &&
		    t->op == PT_TXN_ASSIGN &&
		    ptd_strv_addf(&g->pub.warnings, "%s is an SR-IOV PF with %d VFs "
				  "enabled: they vanish when %s unbinds; to assign "
				  "VFs instead, run `passthru assign VF`", d->bdf,
				  d->sriov_numvfs, *d->driver ? d->driver : "its driver"))
			return -ENOMEM;
	}
	g->pub.nr_members = grp->nr_devices;
	return 0;
}

static int plan_group(struct pt_txn *t, struct ptt_group *g)
{
	const struct pt_group *grp = pt_find_group(t->sys, g->pub.id);
	const char *bdfs[PT_BIND_MAX];
	int ret;

	if (!grp)
		return pt_set_error(ENODEV, "group %d vanished while waiting for its "
				    "lock; run the command again", g->pub.id);
	ptb_plan_init(&g->plan, grp->id);
	g->hard = 0;
	g->hard_why = NULL;
	ptd_strv_free(&g->pub.blocked_by);
	ptd_strv_free(&g->pub.warnings);
	g->pub.nr_members = 0;
	ret = add_members(t, g, grp);
	if (ret)
		return ret;
	for (int i = 0; i < g->recover_why.n; i++)
		if (ptd_strv_add(&g->pub.blocked_by, g->recover_why.v[i]))
			return -ENOMEM;
	if (t->op == PT_TXN_RELEASE) {
		release_targets(t, g);
		/* giving back is blocked only by a process using it */
		for (int k = 0; k < g->plan.nr; k++)
			bdfs[k] = g->plan.m[k].bdf;
		ret = ptt_vfio_users(t, g->pub.id, bdfs, g->plan.nr, &g->pub.blocked_by);
		if (ret)
			return ret;
	} else {
		keep_recorded_drivers(t, g);
		for (int k = 0; k < grp->blocked_by.n; k++)
			if (ptd_strv_add(&g->pub.blocked_by, grp->blocked_by.v[k]))
				return -ENOMEM;
		g->hard = grp->nr_hard;
		for (int k = 0; k < grp->blockers.n && !g->hard_why; k++)
			if (grp->blockers.v[k]->hard)
				g->hard_why = g->pub.blocked_by.v[g->recover_why.n + k];
	}
	for (int k = 0; k < g->plan.nr; k++)
		decide_move(t, g, k);
	/* blockers only matter when something actually moves; a platform
	 * device the host cannot run without is never moved, forced or not */
	g->pub.refused = (t->op == PT_TXN_RELEASE || g->recover_why.n ||
			  ptb_plan_count(&g->plan, PT_BIND_REBIND)) &&
			 ((g->pub.blocked_by.n && !g->pub.force) || g->hard);
	return 0;
}

/* The first refused group, as the run's error. */
static int refuse(struct pt_txn *t)
{
	for (int i = 0; i < t->nr; i++) {
		struct ptt_group *g = &t->g[i];

		if (!g->pub.refused)
			continue;
		if (g->hard && g->pub.force)
			pt_set_error(EBUSY, "group %d holds a platform device (%s); "
				     "nothing was changed: it is never assigned, not "
				     "even with --force", g->pub.id, g->hard_why);
		else if (t->op == PT_TXN_RELEASE)
			pt_set_error(EBUSY, "group %d is in use (%s); nothing was "
				     "changed; fix: stop that process (the VM) first, "
				     "or pass --force (the kernel then waits until it "
				     "lets go)", g->pub.id, g->pub.blocked_by.v[0]);
		else
			pt_set_error(EBUSY, "group %d is blocked (%s); nothing was "
				     "changed; fix: stop using it (unmount, swapoff, "
				     "`ip link set IFACE down`, move the console) or "
				     "pass --force", g->pub.id, g->pub.blocked_by.v[0]);
		return ptt_fail(t, PT_TXN_REFUSED, -EBUSY);
	}
	return 0;
}

int ptt_plan_groups(struct pt_txn *t)
{
	for (int i = 0; i < t->nr; i++) {
		int ret = plan_group(t, &t->g[i]);

		if (ret)
			return ret;
	}
	return 0;
}

/* Interrupted runs of groups this run does not name: said, never touched.
 * A journal whose lock is held belongs to a run in progress, not a dead one. */
static void note_other_interrupted(struct pt_txn *t)
{
	enum pt_journal_state st;
	struct pt_bind_plan j;
	int *ids, n;

	n = ptb_journal_list(t->b, &ids);
	for (int i = 0; i < n; i++) {
		int fd;

		if (ptt_find_group(t, ids[i]))
			continue;
		fd = ptb_lock_group(t->b, ids[i], 0);
		if (fd < 0)
			continue;
		if (!ptb_journal_read(t->b, ids[i], &j, &st) && st != PT_JOURNAL_APPLIED)
			ptt_note(t, PT_NOTE_INTERRUPTED, ids[i], "group %d has an "
				 "interrupted %s (journal state %s); left alone: "
				 "run `passthru release --recover`", ids[i],
				 st == PT_JOURNAL_APPLYING ? "assign" : "release",
				 ptb_journal_state_name(st));
		ptb_unlock_group(fd);
	}
	free(ids);
	pt_clear_error();
}

static int plan_live(struct pt_txn *t)
{
	int ret;

	if (!pt_ctx_is_live(t->ctx) && t->b->ops == &ptb_live_ops)
		return pt_set_error(EINVAL, "--root %s is a captured tree: only a dry "
				    "run can plan against it", t->root);
	ret = ptt_lock_all(t);
	if (!ret)
		ret = ptt_recover_named(t);
	if (!ret)
		ret = ptt_rescan(t);
	if (!ret)
		note_other_interrupted(t);
	return ret;
}

int pt_txn_plan(struct pt_txn *t)
{
	int ret;

	if (t->planned)
		return t->status == PT_TXN_OK ? 0 : pt_set_error(-t->err, "%s", t->error);
	t->planned = true;
	if (t->op == PT_TXN_RECOVER)
		return 0;
	if (t->op == PT_TXN_SET_VFS)
		ret = ptt_vfs_plan(t);
	else
		ret = ptt_persist_check(t) ?:
		      (ptt_dry(t) ? 0 : plan_live(t)) ?:
		      ptt_plan_groups(t) ?:
		      refuse(t);
	if (ret && t->status == PT_TXN_OK)
		return ptt_fail(t, PT_TXN_FAILED, ret);
	return ret;
}
