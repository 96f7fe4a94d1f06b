/* SPDX-License-Identifier: MIT */
/*
 * cli.h — what every `passthru` sub-command shares.
 *
 * A sub-command is one file, tools/cmd-NAME.c, that ends with
 *
 *	PT_COMMAND(name, cmd_name_main, "one-line summary", "usage text");
 *
 * The macro registers it at start-up, so adding a command never touches
 * passthru.c.  Exit statuses are the same for all commands:
 *	PT_EXIT_OK (0)	everything ended as asked
 *	PT_EXIT_FAIL (1)	a check failed / an action failed (and was rolled back)
 *	PT_EXIT_USAGE (2)	bad input: unknown option, malformed DEVICE, bad --root
 */
#ifndef PASSTHRU_TOOLS_CLI_H
#define PASSTHRU_TOOLS_CLI_H

#include <stdbool.h>
#include <stdio.h>

enum {
	PT_EXIT_OK = 0,
	PT_EXIT_FAIL = 1,
	PT_EXIT_USAGE = 2,
};

/* Options given before the sub-command; valid for all of them. */
struct pt_cli {
	const char *root;	/* --root DIR, or NULL for the live system */
	bool color;		/* stdout is a terminal and NO_COLOR is unset */
	int verbose;		/* -v count */
	const char *argv0;
};

struct pt_command {
	const char *name;
	int (*main)(struct pt_cli *cli, int argc, char **argv);
	const char *summary;
	const char *usage;	/* shown by `passthru help NAME` and on bad input */
	struct pt_command *next;
};

void pt_command_register(struct pt_command *cmd);

#define PT_COMMAND(cname, fn, sum, use)					\
	static struct pt_command pt_cmd_##cname = {			\
		.name = #cname, .main = fn, .summary = sum, .usage = use, \
	};								\
	__attribute__((constructor)) static void pt_cmd_reg_##cname(void) \
	{								\
		pt_command_register(&pt_cmd_##cname);			\
	}

/*
 * Messages.  pt_usage_error() prints "passthru CMD: MESSAGE" and the usage
 * line, and returns PT_EXIT_USAGE so a command can `return pt_usage_error(..)`.
 * pt_err() prints "passthru: MESSAGE" on stderr.
 */
int pt_usage_error(const struct pt_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const struct pt_command *pt_command_find(const char *name);

/* ANSI colour helpers; return "" when colour is off. */
const char *pt_color(const struct pt_cli *cli, const char *what);

#endif
