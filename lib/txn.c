// SPDX-License-Identifier: MIT
/*
 * txn.c — the assign/release/vfs transaction (passthru.h): its life, the
 * devices it is given, applying the plan and what came of it.
 *
 *	new -> add_device / add_config / set_vfs -> plan -> apply -> inspect
 *
 * pt_txn_plan() (txn-plan.c) locks the groups, undoes their interrupted
 * runs (recover.c), re-reads the system and refuses what is blocked;
 * pt_txn_apply() runs the step machine (bind.c) over every group, and on a
 * failure undoes the groups it already changed, so a run is all or
 * nothing.  Everything a caller may want to show is kept in the public
 * structs (pt_txn_group, pt_txn_note): the library never prints.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/abi-priv.h"
#include "lib/disc-priv.h"
#include "lib/txn-priv.h"

const char *pt_txn_status_name(enum pt_txn_status s)
{
	switch (s) {
	case PT_TXN_OK: return "ok";
	case PT_TXN_REFUSED: return "refused";
	case PT_TXN_ROLLED_BACK: return "rolled-back";
	case PT_TXN_FAILED: return "failed";
	}
	return "?";
}

bool ptt_dry(const struct pt_txn *t)
{
	return t->flags & PT_TXN_DRY_RUN;
}

/* ---- life ----------------------------------------------------------------- */

int pt_txn_new(struct pt_txn **out, enum pt_txn_op op, const char *root,
	       unsigned int flags)
{
	struct pt_txn *t;
	int ret;

	*out = NULL;
	if (op > PT_TXN_SET_VFS)
		return pt_set_error(EINVAL, "pt_txn_new: unknown operation %d", op);
	t = calloc(1, sizeof(*t));
	if (!t)
		return pt_set_error(ENOMEM, "transaction: out of memory");
	t->op = op;
	t->flags = flags;
	t->lock_timeout_ms = PT_TXN_LOCK_WAIT_MS;
	if (root && *root && strcmp(root, "/") && !(t->root = strdup(root))) {
		free(t);
		return pt_set_error(ENOMEM, "transaction: out of memory");
	}
	ret = pt_ctx_new(&t->ctx, t->root);
	if (!ret)
		ret = pt_scan(t->ctx, &t->sys);
	if (!ret)
		ret = ptb_binder_new(&t->b, t->root, ptt_dry(t) ? PTB_DRY_RUN : 0);
	if (ret) {
		pt_txn_free(t);
		return ret;
	}
	*out = t;
	return 0;
}

static void group_free(struct ptt_group *g)
{
	ptd_strv_free(&g->pub.blocked_by);
	ptd_strv_free(&g->pub.warnings);
	ptd_strv_free(&g->recover_why);
	free(g->user);
	free(g->group);
}

void pt_txn_free(struct pt_txn *t)
{
	if (!t)
		return;
	ptt_unlock_all(t);
	for (int i = 0; i < t->nr; i++)
		group_free(&t->g[i]);
	free(t->g);
	for (int i = 0; i < t->nr_notes; i++)
		free((char *)t->notes[i].text);
	free(t->notes);
	ptt_vfs_free(t);
	ptb_binder_free(t->b);
	pt_ctx_free(t->ctx);
	free(t->conf_path);
	free(t->root);
	free(t);
}

void pt_txn_set_log(struct pt_txn *t, pt_txn_log_fn fn, void *priv)
{
	t->log = fn;
	t->log_priv = priv;
	ptb_binder_set_log(t->b, fn, priv);
}

void pt_txn_set_cancel(struct pt_txn *t, volatile sig_atomic_t *flag)
{
	t->b->cancel = flag;
}

void pt_txn_set_timeout(struct pt_txn *t, int ms)
{
	ptb_binder_set_timeout(t->b, ms);
}

void pt_txn_set_lock_timeout(struct pt_txn *t, int ms)
{
	t->lock_timeout_ms = ms >= 0 ? ms : PT_TXN_LOCK_WAIT_MS;
}

int pt_txn_set_conf_path(struct pt_txn *t, const char *path)
{
	char *p = path ? strdup(path) : NULL;

	if (path && !p)
		return pt_set_error(ENOMEM, "transaction: out of memory");
	free(t->conf_path);
	t->conf_path = p;
	return 0;
}

void ptt_set_ops(struct pt_txn *t, const struct pt_sysfs_ops *ops, void *priv)
{
	t->b->ops = ops;
	t->b->ops_priv = priv;
}

/* ---- groups and notes ----------------------------------------------------- */

struct ptt_group *ptt_find_group(struct pt_txn *t, int id)
{
	for (int i = 0; i < t->nr; i++)
		if (t->g[i].pub.id == id)
			return &t->g[i];
	return NULL;
}

/* Points a member's public names at its own storage. */
static void member_link(struct ptt_member *m)
{
	m->pub.bdf = m->bdf;
	m->pub.driver = m->driver;
	m->pub.override = m->override;
	m->pub.target = m->target;
}

void ptt_member_clear(struct ptt_member *m)
{
	memset(m, 0, sizeof(*m));
	member_link(m);
}

/* Points the group's public view at its own storage: after it is made
 * and whenever it moves. */
static void group_link(struct ptt_group *g)
{
	g->pub.members = g->members;
	for (int k = 0; k < PT_BIND_MAX; k++) {
		g->members[k] = &g->mem[k].pub;
		member_link(&g->mem[k]);
	}
}

struct ptt_group *ptt_add_group(struct pt_txn *t, int id)
{
	struct ptt_group *g = ptt_find_group(t, id);
	int i;

	if (g)
		return g;
	if (t->nr == t->cap) {
		int cap = t->cap ? 2 * t->cap : 8;
		struct ptt_group *ng = realloc(t->g, cap * sizeof(*ng));

		if (!ng)
			return NULL;
		t->g = ng;
		t->cap = cap;
		for (i = 0; i < t->nr; i++)
			group_link(&t->g[i]);
	}
	/* ascending: the order groups are locked in */
	for (i = t->nr; i > 0 && t->g[i - 1].pub.id > id; i--) {
		t->g[i] = t->g[i - 1];
		group_link(&t->g[i]);
	}
	g = &t->g[i];
	memset(g, 0, sizeof(*g));
	group_link(g);
	g->pub.id = id;
	g->lock_fd = -1;
	g->uid = (uid_t)-1;
	g->gid = (gid_t)-1;
	t->nr++;
	return g;
}

void ptt_note(struct pt_txn *t, enum pt_txn_note_kind kind, int group,
	      const char *fmt, ...)
{
	struct pt_txn_note *n;
	char *text;
	va_list ap;

	if (t->nr_notes == t->cap_notes) {
		int cap = t->cap_notes ? 2 * t->cap_notes : 8;
		struct pt_txn_note *nn = realloc(t->notes, cap * sizeof(*nn));

		if (!nn)
			return;	/* out of memory: the note is what goes */
		t->notes = nn;
		t->cap_notes = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (!text)
		return;
	n = &t->notes[t->nr_notes++];
	n->kind = kind;
	n->group = group;
	n->text = text;
}

int ptt_fail(struct pt_txn *t, enum pt_txn_status st, int err)
{
	t->status = st;
	t->err = err;
	snprintf(t->error, sizeof(t->error), "%s", pt_last_error());
	return err;
}

int ptt_rescan(struct pt_txn *t)
{
	pt_ctx_free(t->ctx);
	t->ctx = NULL;
	t->sys = NULL;
	return pt_ctx_new(&t->ctx, t->root) ?: pt_scan(t->ctx, &t->sys);
}

/* ---- what to do ------------------------------------------------------------ */

/* Keeps a copy of name in *dst (for --persist). */
static int keep_name(char **dst, const char *name)
{
	char *s = strdup(name);

	if (!s)
		return pt_set_error(ENOMEM, "transaction: out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

static int resolve_owner(struct ptt_group *g, const struct pt_txn_opts *o)
{
	struct passwd *pw;
	struct group *gr;

	if (o->user && *o->user) {
		if (!(pw = getpwnam(o->user)))
			return pt_set_error(EINVAL, "unknown user '%s'", o->user);
		g->uid = pw->pw_uid;
		if (keep_name(&g->user, o->user))
			return -ENOMEM;
	}
	if (o->group && *o->group) {
		if (!(gr = getgrnam(o->group)))
			return pt_set_error(EINVAL, "unknown group '%s'", o->group);
		g->gid = gr->gr_gid;
		if (keep_name(&g->group, o->group))
			return -ENOMEM;
	}
	return 0;
}

static int add_group_opts(struct pt_txn *t, int id, const struct pt_txn_opts *o)
{
	struct ptt_group *g;

	if (t->planned)
		return pt_set_error(EINVAL, "transaction: a group was added after "
				    "the plan was made");
	g = ptt_add_group(t, id);
	if (!g)
		return pt_set_error(ENOMEM, "transaction: out of memory");
	g->pub.force |= o->force || (t->flags & PT_TXN_FORCE);
	return t->op == PT_TXN_ASSIGN ? resolve_owner(g, o) : 0;
}

int pt_txn_add_device(struct pt_txn *t, const char *device,
		      const struct pt_txn_opts *opts)
{
	const struct pt_system *sys;
	const struct pt_device **v;
	struct pt_txn_opts o;
	int n, ret;

	if (t->op != PT_TXN_ASSIGN && t->op != PT_TXN_RELEASE)
		return pt_set_error(EINVAL, "transaction: devices are added to an "
				    "assign or a release");
	ret = pt_read_sized(opts, &o, sizeof(o), "pt_txn_add_device: struct "
			    "pt_txn_opts", "PT_TXN_OPTS_INIT");
	if (ret)
		return ret;
	ret = pt_scan(t->ctx, &sys);
	if (ret)
		return ret;
	v = calloc((size_t)sys->nr_devices + 1, sizeof(*v));
	if (!v)
		return pt_set_error(ENOMEM, "transaction: out of memory");
	n = ret = pt_resolve_devices(t->ctx, device, t->flags & PT_TXN_ALL ?
				     PT_RESOLVE_ALL : 0, v, sys->nr_devices + 1);
	for (int i = 0; i < n && ret > 0; i++)
		if (!v[i]->group)
			ret = pt_set_error(ENXIO, "%s (%s) is in no IOMMU group, so "
					   "VFIO cannot take it; fix: enable "
					   "VT-d/AMD-Vi in the firmware and boot "
					   "with intel_iommu=on (or amd_iommu=on)",
					   device, v[i]->bdf);
	for (int i = 0; i < n && ret > 0; i++) {
		int r = add_group_opts(t, v[i]->group->id, &o);

		if (r < 0)
			ret = r;
	}
	free(v);
	return ret < 0 ? ret : 0;
}

static void config_entry_name(const struct pt_conf_entry *e, char *buf, size_t n)
{
	if (*e->bdf)
		snprintf(buf, n, "%s", e->bdf);
	else
		snprintf(buf, n, "%04x:%04x", e->vendor, e->device);
}

/* An entry's owner that this host does not know is said, not fatal: at
 * boot the devices matter more than who may open them. */
static int add_config_device(struct pt_txn *t, const struct pt_conf_entry *e,
			     const struct pt_device *d)
{
	struct pt_txn_opts o = {
		.size = sizeof(o),
		.force = e->force,
		.user = *e->user ? e->user : NULL,
		.group = *e->group ? e->group : NULL,
	};
	int ret;

	if (!d->group) {
		ptt_note(t, PT_NOTE_CONFIG, -1, "passthru.conf line %d: %s has no "
			 "IOMMU group; skipped", e->line, d->bdf);
		return 0;
	}
	ret = add_group_opts(t, d->group->id, &o);
	if (ret == -EINVAL) {
		ptt_note(t, PT_NOTE_OWNER_FAILED, d->group->id, "passthru.conf line "
			 "%d: %s: /dev/vfio/%d keeps its owner", e->line,
			 pt_last_error(), d->group->id);
		pt_clear_error();
		return 0;
	}
	return ret;
}

int pt_txn_add_config(struct pt_txn *t, const struct pt_conf *c)
{
	char name[PT_BDF_LEN];

	if (t->op != PT_TXN_ASSIGN || t->planned)
		return pt_set_error(EINVAL, "transaction: a config is added to an "
				    "assign, before its plan");
	/* the udev rule's per-device test follows the file, edited by hand
	 * or not (a dry run changes nothing and says nothing of it) */
	if (!ptt_dry(t)) {
		struct pt_strv marks = { 0 };

		if (ptt_conf_marks(c, &marks) == 0)
			ptt_sync_marks(t, &marks);
		ptd_strv_free(&marks);
	}
	for (int i = 0; i < pt_conf_count(c); i++) {
		const struct pt_conf_entry *e = pt_conf_entry(c, i);
		bool found = false;

		for (int k = 0; k < t->sys->nr_devices; k++) {
			const struct pt_device *d = t->sys->devices[k];
			int ret;

			if (pt_conf_match(c, d->bdf, d->vendor_id, d->device_id) != e)
				continue;
			found = true;
			ret = add_config_device(t, e, d);
			if (ret)
				return ret;
		}
		if (!found) {
			config_entry_name(e, name, sizeof(name));
			ptt_note(t, PT_NOTE_CONFIG, -1, "passthru.conf line %d: no such "
				 "device (%s); skipped", e->line, name);
		}
	}
	return 0;
}

/* ---- apply ---------------------------------------------------------------- */

/* The step machine's results into the public members (same order). */
static void sync_results(struct ptt_group *g)
{
	for (int k = 0; k < g->plan.nr && k < g->pub.nr_members; k++)
		g->mem[k].pub.result = g->plan.m[k].result;
}

/* A later group failed: give back the groups this run already assigned,
 * from their journals (which hold what they had before). */
static void undo_earlier(struct pt_txn *t, int upto)
{
	for (int i = upto - 1; i >= 0; i--) {
		struct ptt_group *g = &t->g[i];
		enum pt_journal_state st;
		struct pt_bind_plan j;

		if (!ptb_plan_count(&g->plan, PT_BIND_REBIND))
			continue;
		if (ptb_journal_read(t->b, g->pub.id, &j, &st) ||
		    ptb_release(t->b, &j)) {
			ptt_note(t, PT_NOTE_UNDO_FAILED, g->pub.id, "group %d: undoing "
				 "it failed: %s", g->pub.id, pt_last_error());
			t->status = PT_TXN_FAILED;
			continue;
		}
		for (int k = 0; k < g->pub.nr_members; k++)
			if (g->mem[k].pub.result == PT_BIND_DONE)
				g->mem[k].pub.result = PT_BIND_ROLLED_BACK;
	}
}

static void give_owner(struct pt_txn *t, struct ptt_group *g)
{
	if (g->uid == (uid_t)-1 && g->gid == (gid_t)-1)
		return;
	if (ptb_chown(t->b, &g->plan, g->uid, g->gid)) {
		ptt_note(t, PT_NOTE_OWNER_FAILED, g->pub.id, "%s", pt_last_error());
		pt_clear_error();
	}
}

static int apply_assign(struct pt_txn *t)
{
	char msg[1024];
	int ret;

	for (int i = 0; i < t->nr; i++) {
		struct ptt_group *g = &t->g[i];

		if (t->b->cancel && *t->b->cancel)
			ret = pt_set_error(ECANCELED, "interrupted before group %d; "
					   "every group this run changed was restored",
					   g->pub.id);
		else
			ret = ptb_assign(t->b, &g->plan);
		sync_results(g);
		if (!ret)
			continue;
		snprintf(msg, sizeof(msg), "%s", pt_last_error());
		t->status = ret == -ENOTRECOVERABLE ? PT_TXN_FAILED : PT_TXN_ROLLED_BACK;
		undo_earlier(t, i);
		pt_set_error(-ret, "%s", msg);
		return ptt_fail(t, t->status, ret);
	}
	for (int i = 0; i < t->nr; i++)
		give_owner(t, &t->g[i]);
	return 0;
}

/* Release gives back every group it can: one that fails keeps its journal
 * for `release --recover`, the others are not held hostage by it. */
static int apply_release(struct pt_txn *t)
{
	char first[1024] = "";
	int ret, err = 0;

	for (int i = 0; i < t->nr; i++) {
		struct ptt_group *g = &t->g[i];

		ret = ptb_release(t->b, &g->plan);
		sync_results(g);
		if (ret && !err) {
			err = ret;
			snprintf(first, sizeof(first), "%s; the journal is kept: run "
				 "`passthru release --recover` after fixing it",
				 pt_last_error());
		}
	}
	if (err) {
		pt_set_error(-err, "%s", first);
		return ptt_fail(t, PT_TXN_FAILED, err);
	}
	return 0;
}

int pt_txn_apply(struct pt_txn *t)
{
	int ret;

	if (t->applied)
		return pt_set_error(EINVAL, "transaction: already applied");
	if (!t->planned) {
		ret = pt_txn_plan(t);
		if (ret)
			return ret;
	} else if (t->status != PT_TXN_OK) {
		/* a refused plan stays refused: a caller cannot skip the check */
		return pt_set_error(-t->err, "%s", t->error);
	}
	t->applied = true;
	switch (t->op) {
	case PT_TXN_RECOVER:
		ret = ptt_recover_all(t);
		break;
	case PT_TXN_SET_VFS:
		ret = ptt_vfs_apply(t);
		break;
	case PT_TXN_RELEASE:
		ret = ptt_dry(t) ? 0 : apply_release(t);
		break;
	default:
		ret = ptt_dry(t) ? 0 : apply_assign(t);
		break;
	}
	if (!ret && (t->op == PT_TXN_ASSIGN || t->op == PT_TXN_RELEASE))
		ret = ptt_persist(t);
	return ret;
}

/* ---- what came of it ------------------------------------------------------ */

int pt_txn_nr_groups(const struct pt_txn *t)
{
	return t->op == PT_TXN_SET_VFS || t->op == PT_TXN_RECOVER ? 0 : t->nr;
}

const struct pt_txn_group *pt_txn_group(const struct pt_txn *t, int i)
{
	return i >= 0 && i < pt_txn_nr_groups(t) ? &t->g[i].pub : NULL;
}

int pt_txn_nr_notes(const struct pt_txn *t)
{
	return t->nr_notes;
}

const struct pt_txn_note *pt_txn_note(const struct pt_txn *t, int i)
{
	return i >= 0 && i < t->nr_notes ? &t->notes[i] : NULL;
}

enum pt_txn_status pt_txn_status(const struct pt_txn *t)
{
	return t->status;
}

const char *pt_txn_error(const struct pt_txn *t)
{
	return t->error;
}
