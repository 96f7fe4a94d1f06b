/* SPDX-License-Identifier: MIT */
/*
 * bindcli.h — what `passthru assign`, `release` and `vfs` share: turning
 * DEVICE arguments into locked IOMMU groups, plans built from the discovery
 * API, crash recovery from journals, and the plan/result table and JSON.
 */
#ifndef PASSTHRU_TOOLS_BINDCLI_H
#define PASSTHRU_TOOLS_BINDCLI_H

#include <stdbool.h>

#include "lib/passthru.h"
#include "tools/cli.h"

#define BC_MAX_GROUPS 64
#define BC_MAX_NOTES 16

struct bc_group {
	struct pt_bind_plan plan;
	char blocked[BC_MAX_NOTES][256];	/* from the group's blocked_by */
	int nr_blocked;
	char warn[BC_MAX_NOTES][256];
	int nr_warn;
	bool refused;
	int lock_fd;
	/* each member's driver and driver_override now (before this run) */
	char now[PT_BIND_MAX][PT_NAME_LEN];
	char now_ovr[PT_BIND_MAX][PT_NAME_LEN];
};

struct bc_run {
	const char *cmd;		/* "assign" / "release" */
	struct cli *cli;
	bool dry_run, force, json, persist;
	const char *user, *group;
	int timeout_ms;
	struct pt_ctx *ctx;
	const struct pt_system *sys;
	struct pt_binder *binder;
	struct bc_group g[BC_MAX_GROUPS];
	int nr;
	const char *status;		/* "ok", "refused", "rolled-back", ... */
	char error[1024];
	char notes[BC_MAX_NOTES][256];	/* recovery and persistence notes */
	int nr_notes;
};

/*
 * The options every bind command takes: -n -f -p -j -t MS -h, and the
 * answer to an unknown one.  A command's getopt loop handles its own
 * letters first and passes every other one here.  Returns BC_OPT_NEXT to
 * go on parsing, or the exit status to return at once (after --help, or
 * on bad input, already reported on stderr).
 */
#define BC_OPT_NEXT (-1)
int bc_option(struct bc_run *r, const struct cli_command *cmd, int c,
	      const char *arg);
/* 0, or CLI_EXIT_USAGE (reported) when a live run is asked against --root. */
int bc_check_root(struct bc_run *r, const struct cli_command *cmd);
/* Opens ctx + scan + binder; exit status on failure (2 for bad --root). */
int bc_open(struct bc_run *r);
/* Re-reads the system (after locking) into r->sys. */
int bc_rescan(struct bc_run *r);
void bc_close(struct bc_run *r);
/* Resolves DEVICE args to group ids (ascending, unique) into r->g[].plan.group. */
int bc_add_devices(struct bc_run *r, const struct cli_command *cmd,
		   char **args, int n);
int bc_add_group(struct bc_run *r, int group);
/* Locks every group of the run, ascending (tells the user when it waits). */
int bc_lock(struct bc_run *r);
/* Fills each group's plan, blockers and SR-IOV warnings from r->sys. */
int bc_plan(struct bc_run *r);
/* bc_lock(), then bc_rescan() (not for a dry run), then bc_plan(). */
int bc_lock_and_plan(struct bc_run *r);
/*
 * When a group of the run is refused: sets status "refused" and the error
 * "group N is STATE (first blocker); nothing was changed; fix: FIX" for the
 * first such group and returns CLI_EXIT_FAIL; 0 when none is.
 */
int bc_refuse_blocked(struct bc_run *r, const char *state, const char *fix);
/* Rolls back journals of runs that died half-way (assign or release),
 * with a note for each group; returns how many it could not recover (an
 * unreadable journal, a failed rollback). */
int bc_recover_interrupted(struct bc_run *r, bool wait, bool all);
void bc_note(struct bc_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the table (or JSON) of every group: plan and result. */
void bc_print(struct bc_run *r);
/* bc_print(), then the run's error (if any) on stderr after the table. */
void bc_report(struct bc_run *r);
/* ROOT/etc/... path of a config file. */
void bc_etc_path(struct bc_run *r, char *buf, size_t n, const char *rel);
void bc_log(void *priv, const char *msg);

#endif
