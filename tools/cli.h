/* SPDX-License-Identifier: MIT */
/*
 * cli.h — what every `passthru` sub-command shares.
 *
 * A sub-command is one file, tools/cmd-NAME.c, that ends with
 *
 *	CLI_COMMAND(name, cmd_name_main, "one-line summary", "usage text");
 *
 * The macro registers it at start-up, so adding a command never touches
 * passthru.c.  Exit statuses are the same for all commands:
 *	CLI_EXIT_OK (0)	everything ended as asked
 *	CLI_EXIT_FAIL (1)	a check failed / an action failed (and was rolled back)
 *	CLI_EXIT_USAGE (2)	bad input: unknown option, malformed DEVICE, bad --root
 */
#ifndef PASSTHRU_TOOLS_CLI_H
#define PASSTHRU_TOOLS_CLI_H

#include <stdbool.h>
#include <stdio.h>

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,
	CLI_EXIT_USAGE = 2,
};

/* Options given before the sub-command; valid for all of them. */
struct cli {
	const char *root;	/* --root DIR, or NULL for the live system */
	bool color;		/* --color=always, or auto: stdout is a terminal
				 * and NO_COLOR is unset */
	int width;		/* columns to fit tables into: the terminal's
				 * (COLUMNS, else TIOCGWINSZ); 0 = no limit
				 * (piped, --wide, or unknown) */
	int verbose;		/* -v count */
	const char *argv0;
};

/* --color=WHEN and --wide: fills cli->color and cli->width for stdout.
 * when is "auto", "always" or "never"; -EINVAL otherwise. */
int cli_set_output(struct cli *cli, const char *when, bool wide);

struct cli_command {
	const char *name;
	int (*main)(struct cli *cli, int argc, char **argv);
	const char *summary;
	const char *usage;	/* shown by `passthru help NAME` and on bad input */
	struct cli_command *next;
};

void cli_command_register(struct cli_command *cmd);

#define CLI_COMMAND(cname, fn, sum, use)					\
	static struct cli_command cli_cmd_##cname = {			\
		.name = #cname, .main = fn, .summary = sum, .usage = use, \
	};								\
	__attribute__((constructor)) static void cli_cmd_reg_##cname(void) \
	{								\
		cli_command_register(&cli_cmd_##cname);			\
	}

/*
 * Messages.  cli_usage_error() prints "passthru CMD: MESSAGE" and the usage
 * line, and returns CLI_EXIT_USAGE so a command can `return cli_usage_error(..)`.
 * cli_err() prints "passthru: MESSAGE" on stderr.
 */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const struct cli_command *cli_command_find(const char *name);
/* Every command, in name order (the hidden __complete included). */
const struct cli_command *cli_command_first(void);

/* stdout and stderr, when they are terminals, escape what would control
 * the terminal (tools/termsafe.c); called first thing by main(). */
void cli_term_safe(void);

/* ANSI colour helpers; return "" when colour is off. */
const char *cli_color(const struct cli *cli, const char *what);

#endif
