// SPDX-License-Identifier: MIT
/*
 * bindcli.c — shared by cmd-assign.c, cmd-release.c, cmd-vfs.c: see
 * bindcli.h.  The plan is built from the discovery API (pt_scan: group
 * members, bridges, drivers, blockers) after the groups are locked, so a
 * second run that waited for the lock plans against what the first did.
 *
 * Test hook (documented in README): PASSTHRU_TEST_HOLD_FIFO=PATH makes a
 * run stop right after it took its group locks until a byte (or EOF)
 * arrives on the FIFO PATH — the lab uses it to hold one assign inside its
 * critical section while a second one is started.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/bindcli.h"
#include "lib/json.h"
#include "lib/sysfs.h"

void bc_log(void *priv, const char *msg)
{
	fprintf(stderr, "passthru: %s\n", msg);
}

int bc_lock_and_plan(struct bc_run *r)
{
	int ret = bc_lock(r);

	if (!ret && !r->dry_run)
		ret = bc_rescan(r);
	if (!ret)
		ret = bc_plan(r);
	return ret;
}

int bc_refuse_blocked(struct bc_run *r, const char *state, const char *fix)
{
	for (int i = 0; i < r->nr; i++) {
		if (!r->g[i].refused)
			continue;
		r->status = "refused";
		snprintf(r->error, sizeof(r->error), "group %d is %s (%s); nothing "
			 "was changed; fix: %s", r->g[i].plan.group, state,
			 r->g[i].blocked[0], fix);
		return CLI_EXIT_FAIL;
	}
	return 0;
}

void bc_report(struct bc_run *r)
{
	bc_print(r);
	fflush(stdout);	/* the table first, then the error, also in a pipe */
	if (*r->error)
		cli_err("%s", r->error);
}

int bc_option(struct bc_run *r, const struct cli_command *cmd, int c,
	      const char *arg)
{
	char *end;

	switch (c) {
	case 'n': r->dry_run = true; break;
	case 'f': r->force = true; break;
	case 'p': r->persist = true; break;
	case 'j': r->json = true; break;
	case 't':
		r->timeout_ms = (int)strtol(arg, &end, 10);
		if (*end || r->timeout_ms <= 0 || r->timeout_ms > 600000)
			return cli_usage_error(cmd, "--timeout wants milliseconds "
					      "(1..600000), not '%s'", arg);
		break;
	case 'h':
		printf("usage: passthru %s\n", cmd->usage);
		return CLI_EXIT_OK;
	default:
		return cli_usage_error(cmd, "unknown option");
	}
	return BC_OPT_NEXT;
}

int bc_check_root(struct bc_run *r, const struct cli_command *cmd)
{
	if (r->cli->root && !r->dry_run)
		return cli_usage_error(cmd, "--root %s is a captured tree: only "
				      "--dry-run can plan against it", r->cli->root);
	return 0;
}

void bc_note(struct bc_run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nr_notes >= BC_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nr_notes++], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
}

void bc_etc_path(struct bc_run *r, char *buf, size_t n, const char *rel)
{
	snprintf(buf, n, "%s/%s", r->cli->root && strcmp(r->cli->root, "/") ?
		 r->cli->root : "", rel);
}

int bc_open(struct bc_run *r)
{
	int ret;

	ret = pt_ctx_new(&r->ctx, r->cli->root);
	if (ret) {
		cli_err("%s", pt_last_error());
		return CLI_EXIT_USAGE;
	}
	ret = pt_scan(r->ctx, &r->sys);
	if (ret) {
		cli_err("%s", pt_last_error());
		return CLI_EXIT_USAGE;
	}
	ret = pt_binder_new(&r->binder, r->cli->root,
			    r->dry_run ? PT_BINDER_DRY_RUN : 0);
	if (ret) {
		cli_err("%s", pt_last_error());
		return CLI_EXIT_USAGE;
	}
	if (r->cli->verbose)
		pt_binder_set_log(r->binder, bc_log, r);
	if (r->timeout_ms)
		pt_binder_set_timeout(r->binder, r->timeout_ms);
	for (int i = 0; i < BC_MAX_GROUPS; i++)
		r->g[i].lock_fd = -1;
	r->status = "ok";
	return CLI_EXIT_OK;
}

int bc_rescan(struct bc_run *r)
{
	pt_ctx_free(r->ctx);
	r->ctx = NULL;
	r->sys = NULL;
	if (pt_ctx_new(&r->ctx, r->cli->root) || pt_scan(r->ctx, &r->sys)) {
		cli_err("%s", pt_last_error());
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

void bc_close(struct bc_run *r)
{
	for (int i = 0; i < r->nr; i++)
		pt_bind_unlock_group(r->g[i].lock_fd);
	pt_binder_free(r->binder);
	pt_ctx_free(r->ctx);
}

int bc_add_group(struct bc_run *r, int group)
{
	int i;

	for (i = 0; i < r->nr; i++)
		if (r->g[i].plan.group == group)
			return 0;
	if (r->nr >= BC_MAX_GROUPS)
		return -E2BIG;
	/* keep ascending: the lock order */
	for (i = r->nr; i > 0 && r->g[i - 1].plan.group > group; i--)
		r->g[i] = r->g[i - 1];
	memset(&r->g[i], 0, sizeof(r->g[i]));
	r->g[i].lock_fd = -1;
	pt_bind_plan_init(&r->g[i].plan, group);
	r->nr++;
	return 0;
}

int bc_add_devices(struct bc_run *r, const struct cli_command *cmd, char **args, int n)
{
	for (int i = 0; i < n; i++) {
		const struct pt_device *d;
		int ret = pt_resolve_device(r->ctx, args[i], &d);

		if (ret) {
			cli_err("%s", pt_last_error());
			return CLI_EXIT_USAGE;
		}
		if (!d->group) {
			cli_err("%s (%s) is in no IOMMU group, so VFIO cannot take it; "
			       "fix: enable VT-d/AMD-Vi in the firmware and boot "
			       "with intel_iommu=on (or amd_iommu=on)", args[i], d->bdf);
			return CLI_EXIT_FAIL;
		}
		if (bc_add_group(r, d->group->id)) {
			cli_err("more than %d groups in one run", BC_MAX_GROUPS);
			return CLI_EXIT_USAGE;
		}
	}
	return CLI_EXIT_OK;
}

static void hold_for_test(void)
{
	const char *fifo = getenv("PASSTHRU_TEST_HOLD_FIFO");
	char c;
	int fd;

	if (!fifo || !*fifo)
		return;
	fprintf(stderr, "passthru: test hook: holding the group locks until "
		"%s is written\n", fifo);
	fd = open(fifo, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &c, 1) < 0)
			c = 0;
		close(fd);
	}
}

int bc_lock(struct bc_run *r)
{
	if (r->dry_run)
		return CLI_EXIT_OK;
	for (int i = 0; i < r->nr; i++) {
		int g = r->g[i].plan.group;
		int fd = pt_bind_lock_group(r->binder, g, false);

		if (fd == -EWOULDBLOCK) {
			fprintf(stderr, "passthru: waiting for group %d: another "
				"passthru run holds its lock\n", g);
			fd = pt_bind_lock_group(r->binder, g, true);
		}
		if (fd < 0) {
			cli_err("%s", pt_last_error());
			return CLI_EXIT_FAIL;
		}
		r->g[i].lock_fd = fd;
	}
	hold_for_test();
	return CLI_EXIT_OK;
}

/*
 * release: each member goes back to what the journal recorded, or — with
 * no journal (bound by hand, by driverctl, at boot) — to the kernel's
 * default driver (recorded as "" with plan.journaled false).
 */
static void release_targets(struct bc_run *r, struct bc_group *bg)
{
	struct pt_bind_plan j;
	enum pt_journal_state st;
	int jr = pt_journal_read(r->binder, bg->plan.group, &j, &st);
	bool have = !jr;

	if (jr && jr != -ENOENT)
		bc_note(r, "%s", pt_last_error());
	pt_clear_error();
	for (int k = 0; k < bg->plan.nr; k++) {
		struct pt_bind_member *m = &bg->plan.m[k];
		const struct pt_bind_member *jm = NULL;

		for (int x = 0; have && x < j.nr; x++)
			if (!strcmp(j.m[x].bdf, m->bdf))
				jm = &j.m[x];
		snprintf(m->driver, sizeof(m->driver), "%s", jm ? jm->driver : "");
		snprintf(m->override, sizeof(m->override), "%s", jm ? jm->override : "");
	}
	bg->plan.journaled = have;
}

/*
 * release: a process holding /dev/vfio/GROUP or a member's VFIO cdev open
 * (a running VM) would make the unbind wait until it lets go — the kernel
 * asks the user to release the device and blocks.  Found through
 * ROOT/proc/PID/fd, like fuser.
 */
static void vfio_users(struct bc_run *r, struct bc_group *bg)
{
	struct pt_sysfs *fs = pt_ctx_sysfs(r->ctx);
	char nodes[PT_BIND_MAX + 1][64], rel[256], link[4096], comm[64], cdev[32];
	int nn = 0;
	struct dirent *p, *f;
	DIR *proc, *fds;

	snprintf(nodes[nn++], sizeof(nodes[0]), "/dev/vfio/%d", bg->plan.group);
	for (int k = 0; k < bg->plan.nr; k++)
		if (!pt_sysfs_vfio_cdev(fs, bg->plan.m[k].bdf, cdev, sizeof(cdev)))
			snprintf(nodes[nn++], sizeof(nodes[0]), "/dev/vfio/devices/%s", cdev);
	if (!(proc = pt_sysfs_opendir(fs, AT_FDCWD, "proc")))
		return;
	while ((p = readdir(proc)) && bg->nr_blocked < BC_MAX_NOTES) {
		bool hit = false;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(rel, sizeof(rel), "proc/%.32s/fd", p->d_name);
		if (!(fds = pt_sysfs_opendir(fs, AT_FDCWD, rel)))
			continue;
		while (!hit && (f = readdir(fds))) {
			/* the link's text only: /proc's fd links are not followed */
			if (pt_sysfs_readlink_at(fs, dirfd(fds), f->d_name, link,
						 sizeof(link)) <= 0)
				continue;
			for (int i = 0; i < nn && !hit; i++) {
				if (strcmp(link, nodes[i]))
					continue;
				hit = true;
				snprintf(rel, sizeof(rel), "proc/%.32s/comm", p->d_name);
				if (pt_sysfs_read_str(fs, rel, comm, sizeof(comm)) < 0)
					comm[0] = '\0';
				snprintf(bg->blocked[bg->nr_blocked++], sizeof(bg->blocked[0]),
					 "%.63s is open by PID %.20s (%.40s)", nodes[i], p->d_name,
					 *comm ? comm : "?");
			}
		}
		closedir(fds);
	}
	closedir(proc);
}

/*
 * assign on a group that already has a journal (assigned earlier, then a
 * member given back by hand): members still on vfio-pci keep the driver
 * the journal recorded, so the rewritten journal does not forget it.
 */
static void keep_recorded_drivers(struct bc_run *r, struct bc_group *bg)
{
	struct pt_bind_plan j;
	enum pt_journal_state st;

	if (pt_journal_read(r->binder, bg->plan.group, &j, &st)) {
		pt_clear_error();
		return;
	}
	for (int k = 0; k < bg->plan.nr; k++) {
		struct pt_bind_member *m = &bg->plan.m[k];

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

int bc_plan(struct bc_run *r)
{
	for (int i = 0; i < r->nr; i++) {
		struct bc_group *bg = &r->g[i];
		const struct pt_group *grp = pt_find_group(r->sys, bg->plan.group);

		if (!grp) {
			cli_err("group %d vanished while waiting for its lock; run "
			       "the command again", bg->plan.group);
			return CLI_EXIT_FAIL;
		}
		pt_bind_plan_init(&bg->plan, grp->id);
		bg->nr_blocked = bg->nr_warn = 0;
		for (int k = 0; k < grp->nr_devices; k++) {
			const struct pt_device *d = grp->devices[k];

			if (pt_bind_plan_add(&bg->plan, d->bdf, d->driver,
					     d->driver_override, d->is_bridge)) {
				cli_err("%s", pt_last_error());
				return CLI_EXIT_FAIL;
			}
			bg->plan.m[bg->plan.nr - 1].numvfs =
				d->sriov_numvfs > 0 ? d->sriov_numvfs : 0;
			if (d->sriov_numvfs > 0 && !pt_driver_is_vfio(d->driver) &&
			    bg->nr_warn < BC_MAX_NOTES)
				snprintf(bg->warn[bg->nr_warn++], sizeof(bg->warn[0]),
					 "%s is an SR-IOV PF with %d VFs enabled: "
					 "they vanish when %s unbinds; to assign "
					 "VFs instead, run `passthru assign VF`",
					 d->bdf, d->sriov_numvfs,
					 *d->driver ? d->driver : "its driver");
		}
		for (int k = 0; k < bg->plan.nr; k++) {
			snprintf(bg->now[k], sizeof(bg->now[k]), "%s", bg->plan.m[k].driver);
			snprintf(bg->now_ovr[k], sizeof(bg->now_ovr[k]), "%s",
				 bg->plan.m[k].override);
		}
		if (!strcmp(r->cmd, "release")) {
			release_targets(r, bg);
			/* giving back is blocked only by a process using it */
			vfio_users(r, bg);
			bg->refused = bg->nr_blocked && !r->force;
			continue;
		}
		keep_recorded_drivers(r, bg);
		for (int k = 0; k < grp->blocked_by.n && k < BC_MAX_NOTES; k++)
			snprintf(bg->blocked[bg->nr_blocked++], sizeof(bg->blocked[0]),
				 "%s", grp->blocked_by.v[k]);
		/* blockers only matter when something actually moves */
		bg->refused = bg->nr_blocked && !r->force &&
			      pt_bind_plan_count(&bg->plan, PT_BIND_REBIND);
	}
	return CLI_EXIT_OK;
}

static const char *state_text(enum pt_journal_state st)
{
	return st == PT_JOURNAL_APPLYING ? "an interrupted assign" :
	       st == PT_JOURNAL_RELEASING ? "an interrupted release" :
	       "a completed assign";
}

int bc_recover_interrupted(struct bc_run *r, bool wait, bool all)
{
	int groups[BC_MAX_GROUPS], n, failed = 0;

	if (r->dry_run || !pt_ctx_is_live(r->ctx))
		return 0;
	n = pt_journal_list(r->binder, groups, BC_MAX_GROUPS);
	for (int i = 0; i < n; i++) {
		struct pt_bind_plan p;
		enum pt_journal_state st;
		int fd = pt_bind_lock_group(r->binder, groups[i], wait);

		if (fd < 0)
			continue;	/* a live run owns it: not ours to undo */
		int jr = pt_journal_read(r->binder, groups[i], &p, &st);

		if (jr == -ENOENT) {
			;	/* another run recovered it while we waited */
		} else if (jr) {
			bc_note(r, "group %d: %s", groups[i], pt_last_error());
			failed++;
		} else if (st != PT_JOURNAL_APPLIED || all) {
			if (pt_bind_release(r->binder, &p)) {
				bc_note(r, "group %d: recovery of %s failed: %s",
					p.group, state_text(st), pt_last_error());
				failed++;
			} else {
				bc_note(r, "group %d: recovered from %s (journal "
					"state %s): every member is back on its "
					"original driver", p.group, state_text(st),
					pt_journal_state_name(st));
			}
		}
		pt_bind_unlock_group(fd);
	}
	return failed;
}

/* ---- output ------------------------------------------------------------ */

/* Driver a member ends up on; NULL when it stays where it is. */
static const char *target_of(const struct bc_run *r, const struct bc_group *bg,
			     int k)
{
	const struct pt_bind_member *m = &bg->plan.m[k];

	if (m->action == PT_BIND_BRIDGE)
		return NULL;
	if (strcmp(r->cmd, "release"))
		return m->action == PT_BIND_REBIND ? PT_BIND_TARGET : NULL;
	if (!pt_driver_is_vfio(bg->now[k]) && !pt_driver_is_vfio(bg->now_ovr[k]))
		return NULL;	/* not on vfio-pci: nothing to give back */
	if (bg->plan.journaled && pt_driver_is_vfio(m->driver))
		return NULL;	/* it was on vfio-pci before assign */
	return m->driver;	/* "" = none (journal) / kernel default */
}

static const char *action_text(const struct bc_run *r, const struct bc_group *bg,
			       int k, char *buf, size_t n)
{
	const char *to = target_of(r, bg, k);
	bool release = !strcmp(r->cmd, "release");

	if (bg->plan.m[k].action == PT_BIND_BRIDGE)
		return "stays (bridge)";
	if (!to)
		return !release ? "stays (already vfio)" :
		       bg->plan.journaled && pt_driver_is_vfio(bg->plan.m[k].driver) ?
		       "stays (was vfio)" : "stays (not on vfio)";
	if (!*to)
		snprintf(buf, n, "-> %s", bg->plan.journaled &&
			 !pt_driver_is_vfio(bg->plan.m[k].override) ?
			 "(no driver)" : "(kernel default)");
	else
		snprintf(buf, n, "-> %s", to);
	return buf;
}

static const char *result_text(const struct bc_run *r, const struct bc_group *bg,
			       int k)
{
	if (bg->refused)
		return "refused";
	if (r->dry_run)
		return target_of(r, bg, k) ? "planned" : "unchanged";
	return pt_bind_result_name(bg->plan.m[k].result);
}

static void print_json(struct bc_run *r)
{
	struct json j;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "command", r->cmd);
	json_bool(&j, "dry_run", r->dry_run);
	json_bool(&j, "force", r->force);
	json_str(&j, "status", r->status);
	json_str(&j, "error", *r->error ? r->error : NULL);
	json_arr_begin(&j, "groups");
	for (int i = 0; i < r->nr; i++) {
		struct bc_group *bg = &r->g[i];

		json_obj_begin(&j, NULL);
		json_int(&j, "id", bg->plan.group);
		json_bool(&j, "refused", bg->refused);
		json_bool(&j, "journaled", bg->plan.journaled);
		json_arr_begin(&j, "blocked_by");
		for (int k = 0; k < bg->nr_blocked; k++)
			json_str(&j, NULL, bg->blocked[k]);
		json_arr_end(&j);
		json_arr_begin(&j, "warnings");
		for (int k = 0; k < bg->nr_warn; k++)
			json_str(&j, NULL, bg->warn[k]);
		json_arr_end(&j);
		json_arr_begin(&j, "members");
		for (int k = 0; k < bg->plan.nr; k++) {
			const struct pt_bind_member *m = &bg->plan.m[k];
			const char *to = target_of(r, bg, k);

			json_obj_begin(&j, NULL);
			json_str(&j, "bdf", m->bdf);
			json_str(&j, "driver", *bg->now[k] ? bg->now[k] : NULL);
			json_str(&j, "driver_override",
				 *bg->now_ovr[k] ? bg->now_ovr[k] : NULL);
			json_str(&j, "action", m->action == PT_BIND_BRIDGE ? "bridge" :
				 to ? "rebind" : "keep");
			if (to && *to)
				json_str(&j, "new_driver", to);
			else
				json_null(&j, "new_driver");
			json_str(&j, "result", result_text(r, bg, k));
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "notes");
	for (int k = 0; k < r->nr_notes; k++)
		json_str(&j, NULL, r->notes[k]);
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

void bc_print(struct bc_run *r)
{
	int wdrv = 6;

	if (r->json) {
		print_json(r);
		return;
	}
	if (!r->nr)
		goto notes;
	for (int i = 0; i < r->nr; i++)
		for (int k = 0; k < r->g[i].plan.nr; k++) {
			int l = (int)strlen(r->g[i].now[k]);

			wdrv = l > wdrv ? l : wdrv;
		}
	printf("%s%-5s  %-12s  %-*s  %-20s  %s%s\n", cli_color(r->cli, "bold"),
	       "GROUP", "DEVICE", wdrv, "DRIVER", "ACTION", "RESULT",
	       cli_color(r->cli, "reset"));
	for (int i = 0; i < r->nr; i++) {
		struct bc_group *bg = &r->g[i];

		for (int k = 0; k < bg->plan.nr; k++) {
			const struct pt_bind_member *m = &bg->plan.m[k];
			const char *res = result_text(r, bg, k);
			char a[96];

			printf("%-5d  %-12s  %-*s  %-20s  %s\n", bg->plan.group, m->bdf,
			       wdrv, *bg->now[k] ? bg->now[k] : "-",
			       action_text(r, bg, k, a, sizeof(a)), res);
		}
	}
	for (int i = 0; i < r->nr; i++) {
		struct bc_group *bg = &r->g[i];

		for (int k = 0; k < bg->nr_blocked; k++)
			printf("group %d %s: %s\n", bg->plan.group,
			       bg->refused ? "is blocked" : "was blocked (--force)",
			       bg->blocked[k]);
		for (int k = 0; k < bg->nr_warn; k++)
			printf("warning: %s\n", bg->warn[k]);
	}
notes:
	for (int k = 0; k < r->nr_notes; k++)
		printf("note: %s\n", r->notes[k]);
}
