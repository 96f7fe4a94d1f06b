/* SPDX-License-Identifier: MIT */
/*
 * bindcli.h — what `passthru assign`, `release` and `vfs` share: their
 * common options, opening the library's transaction (struct pt_txn, which
 * does the resolving, locking, planning, refusing and applying), and
 * printing its plan and outcome as a table or JSON.
 */
#ifndef PASSTHRU_TOOLS_BINDCLI_H
#define PASSTHRU_TOOLS_BINDCLI_H

#include <stdbool.h>

#include "lib/passthru.h"
#include "tools/cli.h"

struct bc_run {
	const char *cmd;		/* "assign" / "release" / "vfs" */
	struct cli *cli;
	bool dry_run, force, json, persist, all;
	const char *user, *group;
	int timeout_ms;			/* bind waits, 0 = the library's */
	int lock_timeout_ms;		/* -1 = the library's */
	struct pt_txn *txn;
	const char *note;		/* the command's own note, or NULL */
	char error[1024];		/* set when the transaction has none */
};

/*
 * The options every bind command takes: -n -f -p -j, --timeout and
 * --lock-timeout (durations: seconds, or 500ms, 2s, 1m).  A command's
 * cli_getopt() loop handles its own letters first and passes every other
 * one here.  Returns BC_OPT_NEXT to go on parsing, or the exit status to
 * return at once (bad input, already reported on stderr).
 */
#define BC_OPT_NEXT (-1)
#define BC_LONG_OPTS \
	{ "dry-run", no_argument, NULL, 'n' }, \
	{ "force", no_argument, NULL, 'f' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "all", no_argument, NULL, 'a' }, \
	{ "timeout", required_argument, NULL, 't' }, \
	{ "lock-timeout", required_argument, NULL, 'L' }
void bc_init(struct bc_run *r, const char *cmd, struct cli *cli);
int bc_option(struct bc_run *r, const struct cli_command *cmd, int c,
	      const char *arg);
/* 0, or CLI_EXIT_USAGE (reported) when a live run is asked against --root. */
int bc_check_root(struct bc_run *r, const struct cli_command *cmd);
/* Opens the transaction; the exit status on failure (2: a bad --root). */
int bc_open(struct bc_run *r, enum pt_txn_op op);
void bc_close(struct bc_run *r);
/* Adds each DEVICE's group; the exit status (reported) on failure. */
int bc_add_devices(struct bc_run *r, char **args, int n);
/* pt_txn_apply(); the exit status: 0 done, 1 refused or failed, 2 when the
 * plan found bad input before anything changed. */
int bc_apply(struct bc_run *r);
/* Prints the table (or JSON) of every group, then the run's error (if
 * any) on stderr. */
void bc_report(struct bc_run *r);
/* Prints the error of a failed library call and returns status. */
int bc_fail(struct bc_run *r, int status);

#endif
