// SPDX-License-Identifier: MIT
/*
 * options.c — the option vocabulary every sub-command shares: the global
 * options (--root, --color, --wide, -v, --json) accepted after the command
 * name as well as before it, -h/--help answered the same way everywhere,
 * an unknown option or a missing value named once (by us, never by
 * getopt), and durations with units for --timeout and its kind.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

/* getopt values of the global options: outside any character's range */
enum {
	GOPT_ROOT = 0x10000, GOPT_COLOR, GOPT_WIDE, GOPT_VERBOSE, GOPT_JSON,
	GOPT_HELP,
};

static const struct option global_opts[] = {
	{ "root", required_argument, NULL, GOPT_ROOT },
	{ "color", optional_argument, NULL, GOPT_COLOR },
	{ "colour", optional_argument, NULL, GOPT_COLOR },
	{ "wide", no_argument, NULL, GOPT_WIDE },
	{ "verbose", no_argument, NULL, GOPT_VERBOSE },
	{ "json", no_argument, NULL, GOPT_JSON },
	{ "help", no_argument, NULL, GOPT_HELP },
};

#define MAX_OPTS 64

/* The command's options, then every global one it does not define itself
 * (its own --json or --wide wins: it may do more than the global one). */
static struct parser {
	const struct option *for_opts;
	struct option merged[MAX_OPTS];
	char shorts[128];
	char bad[64];
} p;

static bool has_long(const struct option *opts, const char *name)
{
	for (; opts && opts->name; opts++)
		if (!strcmp(opts->name, name))
			return true;
	return false;
}

static void build(const char *shortopts, const struct option *longopts)
{
	const char *s = shortopts;
	int n = 0;
	size_t k = 0;

	if (*s == '+')
		p.shorts[k++] = *s++;
	p.shorts[k++] = ':';	/* a missing value is ':', not '?' */
	if (*s == ':')
		s++;
	for (; *s && k < sizeof(p.shorts) - 3; s++)
		if (*s != 'h' && *s != 'v')
			p.shorts[k++] = *s;
	p.shorts[k++] = 'h';
	p.shorts[k++] = 'v';
	p.shorts[k] = 0;
	for (const struct option *o = longopts; o && o->name && n < MAX_OPTS - 8; o++)
		if (strcmp(o->name, "help"))
			p.merged[n++] = *o;
	for (size_t i = 0; i < sizeof(global_opts) / sizeof(global_opts[0]); i++)
		if (!has_long(longopts, global_opts[i].name) ||
		    !strcmp(global_opts[i].name, "help"))
			p.merged[n++] = global_opts[i];
	memset(&p.merged[n], 0, sizeof(p.merged[n]));
	p.for_opts = longopts;
}

/* The option getopt stopped at, as the user wrote it ("--bogus", "-x"). */
static void bad_name(char **argv, char *buf, size_t n)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	if (optopt && optopt < 0x100 && !(arg[0] == '-' && arg[1] == '-')) {
		snprintf(buf, n, "-%c", optopt);
		return;
	}
	snprintf(buf, n, "%.*s", (int)strcspn(arg, "="), arg);
}

static void set_color(struct cli *cli, const struct cli_command *cmd,
		      const char *when)
{
	int width = cli->width;

	/* a bare --color means always, as in ls and grep */
	if (cli_set_output(cli, when ? when : "always", false) < 0) {
		cli_usage_error(cmd, "--color takes auto, always or never, not '%s'",
				when);
		cli_exit(cli, CLI_EXIT_USAGE);
	}
	cli->width = width;
}

const char *cli_bad_option(void)
{
	return p.bad;
}

int cli_getopt(struct cli *cli, const struct cli_command *cmd, int argc,
	       char **argv, const char *shortopts, const struct option *longopts)
{
	char *name = p.bad;
	int c;

	if (p.for_opts != longopts)
		build(shortopts, longopts);
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, p.shorts, p.merged, NULL);
		switch (c) {
		case GOPT_ROOT: cli->root = optarg; continue;
		case GOPT_COLOR: set_color(cli, cmd, optarg); continue;
		case GOPT_WIDE: cli->width = 0; continue;
		case 'v':
		case GOPT_VERBOSE: cli->verbose++; continue;
		case GOPT_JSON: cli->json = true; continue;
		case 'h':
		case GOPT_HELP:
			cli_print_usage(cmd, stdout);
			cli_exit(cli, CLI_EXIT_OK);
			break;
		case ':':
		case '?':
			bad_name(argv, name, sizeof(p.bad));
			if (cli->own_option_errors)
				return c;
			cli_usage_error(cmd, c == ':' ? "option '%s' needs a value" :
					"unknown option '%s'", name);
			cli_exit(cli, CLI_EXIT_USAGE);
			break;
		}
		/* the command's own --json (or -j) is the global one too */
		for (const struct option *o = longopts; c != -1 && o && o->name; o++)
			if (o->val == c && !strcmp(o->name, "json"))
				cli->json = true;
		if (c == -1)
			p.for_opts = NULL;
		return c;
	}
}

int cli_parse_duration(const char *arg, double max_s, double *seconds)
{
	static const struct { const char *unit; double s; } units[] = {
		{ "", 1 }, { "s", 1 }, { "ms", 0.001 }, { "m", 60 }, { "h", 3600 },
	};
	char *end;
	double v;

	/* digits first: no sign, no "inf", "nan" or hex float */
	if (!isdigit((unsigned char)arg[0]) &&
	    !(arg[0] == '.' && isdigit((unsigned char)arg[1])))
		return -EINVAL;
	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		v *= units[i].s;
		if (!isfinite(v) || v > max_s)
			return -ERANGE;
		*seconds = v;
		return 0;
	}
	return -EINVAL;
}
