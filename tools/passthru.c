// SPDX-License-Identifier: MIT
/*
 * passthru — the command.  This file only parses the global options and
 * dispatches to a sub-command registered by one of tools/cmd-*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tools/cli.h"

#ifndef PASSTHRU_VERSION
#define PASSTHRU_VERSION "0.1.0"
#endif

static struct cli_command *commands;

void cli_command_register(struct cli_command *cmd)
{
	struct cli_command **p = &commands;

	/* keep the list sorted so `passthru help` is stable */
	while (*p && strcmp((*p)->name, cmd->name) < 0)
		p = &(*p)->next;
	cmd->next = *p;
	*p = cmd;
}

const struct cli_command *cli_command_find(const char *name)
{
	for (struct cli_command *c = commands; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const struct cli_command *cli_command_first(void)
{
	return commands;
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("passthru: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	va_start(ap, fmt);
	cli_note_error(fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("passthru: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "passthru %s: ", cmd ? cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	va_start(ap, fmt);
	cli_note_error(fmt, ap);
	va_end(ap);
	if (cmd && cmd->usage)
		cli_print_usage(cmd, stderr);
	return CLI_EXIT_USAGE;
}

void cli_print_usage(const struct cli_command *cmd, FILE *out)
{
	fprintf(out, "usage: passthru %s\n", cmd->usage);
}

const char *cli_color(const struct cli *cli, const char *what)
{
	static const struct { const char *name, *code; } table[] = {
		{ "reset", "\033[0m" }, { "bold", "\033[1m" },
		{ "red", "\033[31m" }, { "green", "\033[32m" },
		{ "yellow", "\033[33m" }, { "dim", "\033[2m" },
	};

	if (!cli->color)
		return "";
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, what))
			return table[i].code;
	return "";
}

/* The terminal's width: COLUMNS (as ls and lsblk honour it), else the
 * window size; 0 when unknown (a pty nobody sized reports 0). */
static int terminal_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long v;

	if (env && *env) {
		v = strtol(env, &end, 10);
		if (!*end && v > 0 && v < 10000)
			return (int)v;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		return ws.ws_col;
	return 0;
}

int cli_set_output(struct cli *cli, const char *when, bool wide)
{
	const char *nc = getenv("NO_COLOR");
	bool tty = isatty(STDOUT_FILENO);

	if (!strcmp(when, "always"))
		cli->color = true;
	else if (!strcmp(when, "never"))
		cli->color = false;
	else if (!strcmp(when, "auto"))
		cli->color = tty && !(nc && *nc);
	else
		return -EINVAL;
	cli->width = wide || !tty ? 0 : terminal_width();
	return 0;
}

static void print_help(FILE *out)
{
	fprintf(out,
		"usage: passthru [--root DIR] [--json] [--color[=WHEN]] [--wide] [-v] COMMAND [ARGS...]\n\n"
		"PCI device discovery, VFIO assignment and IOMMU isolation checks.\n\n"
		"Global options (before or after COMMAND):\n"
		"  --root DIR      read /sys, /proc and /dev under DIR (a tree captured\n"
		"                  by `passthru snapshot` or a test fixture)\n"
		"  --color[=WHEN]  auto (default: on a terminal, unless NO_COLOR is\n"
		"                  set), always, never\n"
		"  --json          output, and a failure, as one JSON document on stdout\n"
		"  --wide          tables at full width (they fit the terminal otherwise)\n"
		"  -v, --verbose   more detail on stderr\n"
		"  -h, --help      this text; after COMMAND: the command's usage\n"
		"  --version       print the version\n\n"
		"Commands:\n");
	for (struct cli_command *c = commands; c; c = c->next)
		if (c->name[0] != '_')	/* __complete is the shells' */
			fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nRun `passthru help COMMAND` for a command's options.\n");
}

static int cmd_help_main(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *c;

	if (argc < 2) {
		print_help(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cli_print_usage(cli_command_find("help"), stdout);
		return CLI_EXIT_OK;
	}
	c = cli_command_find(argv[1]);
	if (!c) {
		cli_err("unknown command '%s'; run `passthru help` for the list", argv[1]);
		return CLI_EXIT_USAGE;
	}
	cli_print_usage(c, stdout);
	printf("\n%s\n", c->summary);
	return CLI_EXIT_OK;
}
CLI_COMMAND(help, cmd_help_main, "show the commands, or one command's usage", "help [COMMAND]");

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "color", optional_argument, NULL, 'C' },
		{ "colour", optional_argument, NULL, 'C' },
		{ "wide", no_argument, NULL, 'W' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .argv0 = argv[0] };
	const struct cli_command *cmd;
	const char *color = "auto";
	bool wide = false;
	int c;

	/* --json anywhere: even an error found before it is then JSON (not
	 * in the command lines the shells ask __complete about) */
	for (int i = 1; i < argc && strcmp(argv[i], "--") &&
	     strcmp(argv[i], "__complete"); i++)
		if (!strcmp(argv[i], "--json"))
			cli.json = true;

	/* the terminal's character set decides the ellipsis of cut cells */
	setlocale(LC_CTYPE, "");
	cli_term_safe();
	/* '+' stops at the first non-option: the sub-command parses the rest */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			cli.root = optarg;
			break;
		case 'C':
			/* a bare --color means always, as in ls and grep */
			color = optarg ? optarg : "always";
			break;
		case 'W':
			wide = true;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'v':
			cli.verbose++;
			break;
		case 'V':
			printf("passthru %s\n", PASSTHRU_VERSION);
			return CLI_EXIT_OK;
		case 'h':
			print_help(stdout);
			return CLI_EXIT_OK;
		case ':':
			cli_err("option '%s' needs a value", argv[optind - 1]);
			return cli_finish(&cli, CLI_EXIT_USAGE);
		default:
			cli_err("unknown option '%.*s'; run `passthru help` for the "
				"options", (int)strcspn(argv[optind - 1], "="),
				argv[optind - 1]);
			return cli_finish(&cli, CLI_EXIT_USAGE);
		}
	}
	if (cli_set_output(&cli, color, wide) < 0) {
		cli_err("--color takes auto, always or never, not '%s'", color);
		return cli_finish(&cli, CLI_EXIT_USAGE);
	}
	if (optind >= argc) {
		print_help(stderr);
		return CLI_EXIT_USAGE;
	}
	cmd = cli_command_find(argv[optind]);
	if (!cmd) {
		cli_err("unknown command '%s'; run `passthru help` for the list",
		       argv[optind]);
		return cli_finish(&cli, CLI_EXIT_USAGE);
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* let the sub-command use getopt from its argv[0] */
	return cli_finish(&cli, cmd->main(&cli, argc, argv));
}
