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

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct json;

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
	bool json;		/* --json (before or after the command): output,
				 * and a failure, as one JSON document on stdout */
	bool own_option_errors;	/* cli_getopt() returns '?' and ':' (the name
				 * in cli_bad_option()) instead of reporting */
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

/*
 * Options (tools/options.c).  cli_getopt() is getopt_long() for a
 * sub-command: it also accepts the global options (--root DIR, --color[=WHEN],
 * --wide, -v/--verbose, --json) after the command name, answers -h/--help
 * with the usage (exit 0), and names an unknown option or a missing value
 * once, with the usage (exit 2) — the last two end the process through
 * cli_exit().  The command's own "json" option sets cli->json as well.
 */
int cli_getopt(struct cli *cli, const struct cli_command *cmd, int argc,
	       char **argv, const char *shortopts, const struct option *longopts);
/* The option cli_getopt() last found unknown or without its value. */
const char *cli_bad_option(void);
/* "usage: passthru USAGE" */
void cli_print_usage(const struct cli_command *cmd, FILE *out);
/* A duration: a number of seconds, or a number with a unit: ms, s, m, h
 * ("500ms", "2s", "1.5m").  0, -EINVAL (not a duration) or -ERANGE
 * (above max_s seconds). */
int cli_parse_duration(const char *arg, double max_s, double *seconds);

/*
 * JSON (tools/clijson.c).  cli_json_start() begins a document on stdout
 * whose top-level object carries the schema "version" (CLI_JSON_VERSION)
 * first; a command that writes its JSON elsewhere calls cli_json_printed().
 * cli_finish() ends every command: with --json, a failure that printed no
 * document prints {"version", "error": {"message", "device"}, "exit"} —
 * the message is the first one cli_err()/cli_usage_error() printed, the
 * device the one cli_error_device() named.  cli_exit() is cli_finish()
 * then exit().
 */
#define CLI_JSON_VERSION 1
void cli_json_start(struct json *j);
void cli_json_printed(void);
void cli_error_device(const char *device);
void cli_note_error(const char *fmt, va_list ap);
int cli_finish(const struct cli *cli, int status);
void cli_exit(const struct cli *cli, int status) __attribute__((noreturn));

/* stdout and stderr, when they are terminals, escape what would control
 * the terminal (tools/termsafe.c); called first thing by main(). */
void cli_term_safe(void);

/* ANSI colour helpers; return "" when colour is off. */
const char *cli_color(const struct cli *cli, const char *what);

#endif
