// SPDX-License-Identifier: MIT
/*
 * bindcli.c — shared by cmd-assign.c, cmd-release.c, cmd-vfs.c: see
 * bindcli.h.  Everything that decides (locks, plans, refusals, recovery,
 * the steps and their rollback) is the library's transaction; this file
 * turns options into it and its plan and outcome into text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bindcli.h"
#include "tools/discover.h"
#include "lib/json.h"

static void bc_log(void *priv, enum pt_log_level level, const char *msg)
{
	struct bc_run *r = priv;

	if (level == PT_LOG_NOTICE || r->cli->verbose)
		fprintf(stderr, "passthru: %s\n", msg);
}

void bc_init(struct bc_run *r, const char *cmd, struct cli *cli)
{
	memset(r, 0, sizeof(*r));
	r->cmd = cmd;
	r->cli = cli;
	r->lock_timeout_ms = -1;
	r->json = cli->json;
}

/* Seconds, or a number with a unit (500ms, 2s, 1m); at most 10 minutes. */
static int timeout_option(const struct cli_command *cmd, const char *name,
			  const char *arg, bool zero, int *ms)
{
	double s;

	if (cli_parse_duration(arg, 600, &s) || (!zero && s < 0.001))
		return cli_usage_error(cmd, "--%s wants a duration (%s..10m; "
				      "seconds, or with a unit: 500ms, 2s, 1m), "
				      "not '%s'", name, zero ? "0" : "1ms", arg);
	*ms = (int)(s * 1000 + 0.5);
	return BC_OPT_NEXT;
}

int bc_option(struct bc_run *r, const struct cli_command *cmd, int c,
	      const char *arg)
{
	switch (c) {
	case 'n': r->dry_run = true; break;
	case 'f': r->force = true; break;
	case 'p': r->persist = true; break;
	case 'a': r->all = true; break;
	case 'j': r->json = true; break;
	case 't': return timeout_option(cmd, "timeout", arg, false, &r->timeout_ms);
	case 'L': return timeout_option(cmd, "lock-timeout", arg, true, &r->lock_timeout_ms);
	default:	/* cli_getopt() answered what no table has */
		return cli_usage_error(cmd, "unexpected option");
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

int bc_fail(struct bc_run *r, int status)
{
	cli_err("%s", pt_last_error());
	return status;
}

int bc_open(struct bc_run *r, enum pt_txn_op op)
{
	unsigned int flags = (r->dry_run ? PT_TXN_DRY_RUN : 0) |
			     (r->force ? PT_TXN_FORCE : 0) |
			     (r->persist ? PT_TXN_PERSIST : 0) |
			     (r->all ? PT_TXN_ALL : 0);

	r->json |= r->cli->json;
	if (pt_txn_new(&r->txn, op, r->cli->root, flags))
		return bc_fail(r, CLI_EXIT_USAGE);
	pt_txn_set_log(r->txn, bc_log, r);
	if (r->timeout_ms)
		pt_txn_set_timeout(r->txn, r->timeout_ms);
	if (r->lock_timeout_ms >= 0)
		pt_txn_set_lock_timeout(r->txn, r->lock_timeout_ms);
	return CLI_EXIT_OK;
}

void bc_close(struct bc_run *r)
{
	pt_txn_free(r->txn);
	r->txn = NULL;
}

int bc_add_devices(struct bc_run *r, char **args, int n)
{
	struct pt_txn_opts o = { .size = sizeof(o), .user = r->user, .group = r->group };

	for (int i = 0; i < n; i++) {
		int ret = pt_txn_add_device(r->txn, args[i], &o);

		if (ret)	/* no IOMMU group: a fact of this machine, not a typo */
			cli_error_device(args[i]);
		if (ret)
			return bc_fail(r, ret == -ENXIO ? CLI_EXIT_FAIL : CLI_EXIT_USAGE);
	}
	return CLI_EXIT_OK;
}

/* Did the run change (or try to change) any member? */
static bool touched(const struct pt_txn *t)
{
	for (int i = 0; i < pt_txn_nr_groups(t); i++) {
		const struct pt_txn_group *g = pt_txn_group(t, i);

		for (int k = 0; k < g->nr_members; k++)
			if (g->members[k]->result != PT_BIND_PLANNED &&
			    g->members[k]->result != PT_BIND_UNCHANGED)
				return true;
	}
	return false;
}

int bc_apply(struct bc_run *r)
{
	int ret = pt_txn_apply(r->txn);

	if (!ret)
		return CLI_EXIT_OK;
	/* bad input the plan found before anything changed (a name --persist
	 * cannot write, a live run against a tree) */
	if (ret == -EINVAL && pt_txn_status(r->txn) == PT_TXN_FAILED &&
	    !touched(r->txn))
		return CLI_EXIT_USAGE;
	return CLI_EXIT_FAIL;
}

/* ---- output ------------------------------------------------------------ */

static const char *action_text(const struct pt_txn_member *m, char *buf, size_t n)
{
	switch (m->move) {
	case PT_MOVE_STAYS_BRIDGE: return "stays (bridge)";
	case PT_MOVE_STAYS_VFIO: return "stays (already vfio)";
	case PT_MOVE_STAYS_WAS_VFIO: return "stays (was vfio)";
	case PT_MOVE_STAYS_NOT_VFIO: return "stays (not on vfio)";
	case PT_MOVE_TO_NO_DRIVER: return "-> (no driver)";
	case PT_MOVE_TO_DEFAULT: return "-> (kernel default)";
	case PT_MOVE_TO_VFIO:
	case PT_MOVE_TO_DRIVER:
		break;
	}
	snprintf(buf, n, "-> %s", m->target);
	return buf;
}

static const char *result_text(const struct pt_txn_group *g,
			       const struct pt_txn_member *m)
{
	return g->refused ? "refused" : pt_bind_result_name(m->result);
}

static const char *status_text(const struct bc_run *r)
{
	return r->txn ? pt_txn_status_name(pt_txn_status(r->txn)) :
	       *r->error ? "failed" : "ok";
}

static const char *error_text(const struct bc_run *r)
{
	return r->txn && *pt_txn_error(r->txn) ? pt_txn_error(r->txn) : r->error;
}

static void json_group(struct json *j, const struct pt_txn_group *g)
{
	json_obj_begin(j, NULL);
	json_int(j, "id", g->id);
	json_bool(j, "refused", g->refused);
	json_bool(j, "journaled", g->journaled);
	cli_json_strv(j, "blocked_by", &g->blocked_by);
	cli_json_strv(j, "warnings", &g->warnings);
	json_arr_begin(j, "members");
	for (int k = 0; k < g->nr_members; k++) {
		const struct pt_txn_member *m = g->members[k];

		json_obj_begin(j, NULL);
		json_str(j, "bdf", m->bdf);
		json_str(j, "driver", *m->driver ? m->driver : NULL);
		json_str(j, "driver_override", *m->override ? m->override : NULL);
		json_str(j, "action", m->move == PT_MOVE_STAYS_BRIDGE ? "bridge" :
			 m->move >= PT_MOVE_TO_VFIO ? "rebind" : "keep");
		json_str(j, "new_driver", *m->target ? m->target : NULL);
		json_str(j, "result", result_text(g, m));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void print_json(struct bc_run *r)
{
	int nr = r->txn ? pt_txn_nr_groups(r->txn) : 0;
	int nn = r->txn ? pt_txn_nr_notes(r->txn) : 0;
	struct json j;

	cli_json_start(&j);
	json_obj_begin(&j, NULL);
	json_str(&j, "command", r->cmd);
	json_bool(&j, "dry_run", r->dry_run);
	json_bool(&j, "force", r->force);
	json_str(&j, "status", status_text(r));
	json_str(&j, "error", *error_text(r) ? error_text(r) : NULL);
	json_arr_begin(&j, "groups");
	for (int i = 0; i < nr; i++)
		json_group(&j, pt_txn_group(r->txn, i));
	json_arr_end(&j);
	json_arr_begin(&j, "notes");
	if (r->note)
		json_str(&j, NULL, r->note);
	for (int k = 0; k < nn; k++)
		json_str(&j, NULL, pt_txn_note(r->txn, k)->text);
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

static void print_table(struct bc_run *r, int nr)
{
	int wdrv = 6;

	for (int i = 0; i < nr; i++) {
		const struct pt_txn_group *g = pt_txn_group(r->txn, i);

		for (int k = 0; k < g->nr_members; k++) {
			int l = (int)strlen(g->members[k]->driver);

			wdrv = l > wdrv ? l : wdrv;
		}
	}
	printf("%s%-5s  %-12s  %-*s  %-20s  %s%s\n", cli_color(r->cli, "bold"),
	       "GROUP", "DEVICE", wdrv, "DRIVER", "ACTION", "RESULT",
	       cli_color(r->cli, "reset"));
	for (int i = 0; i < nr; i++) {
		const struct pt_txn_group *g = pt_txn_group(r->txn, i);

		for (int k = 0; k < g->nr_members; k++) {
			const struct pt_txn_member *m = g->members[k];
			char a[96];

			printf("%-5d  %-12s  %-*s  %-20s  %s\n", g->id, m->bdf, wdrv,
			       *m->driver ? m->driver : "-",
			       action_text(m, a, sizeof(a)), result_text(g, m));
		}
	}
	for (int i = 0; i < nr; i++) {
		const struct pt_txn_group *g = pt_txn_group(r->txn, i);

		for (int k = 0; k < g->blocked_by.n; k++)
			printf("group %d %s: %s\n", g->id, g->refused ? "is blocked" :
			       "was blocked (--force)", g->blocked_by.v[k]);
		for (int k = 0; k < g->warnings.n; k++)
			printf("warning: %s\n", g->warnings.v[k]);
	}
}

void bc_report(struct bc_run *r)
{
	int nr = r->txn ? pt_txn_nr_groups(r->txn) : 0;
	int nn = r->txn ? pt_txn_nr_notes(r->txn) : 0;

	if (r->json) {
		print_json(r);
	} else {
		if (nr)
			print_table(r, nr);
		if (r->note)
			printf("note: %s\n", r->note);
		for (int k = 0; k < nn; k++)
			printf("note: %s\n", pt_txn_note(r->txn, k)->text);
	}
	fflush(stdout);	/* the table first, then the error, also in a pipe */
	if (*error_text(r))
		cli_err("%s", error_text(r));
}
