// SPDX-License-Identifier: MIT
/*
 * test-output.c — the form of what passthru prints, whatever the command:
 * no line ends in a blank; tables fit the terminal (COLUMNS or the pty's
 * size) by cutting the name and in-use columns with an ellipsis, and are
 * never cut when piped or with --wide; --color=always|never|auto beside
 * NO_COLOR.  Terminals are script(1)'s ptys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

static const char *const machines[] = { "workstation", "server", "laptop", "amd" };

/* Lines of text ending in a space or a tab: their count, and the first. */
static int blank_ends(const char *text, char *first, size_t n)
{
	int bad = 0;

	for (int i = 0; i < line_count(text); i++) {
		const char *l = line_at(text, i);
		size_t len = strlen(l);

		if (len && (l[len - 1] == ' ' || l[len - 1] == '\t') && !bad++)
			snprintf(first, n, "line %d: '%s'", i + 1, l);
	}
	return bad;
}

static void expect_no_blank_ends(const char *machine, const char *const *args, int nargs)
{
	char *argv[16], what[256] = "", first[512] = "";
	struct run r;
	int k = 0;

	argv[k++] = (char *)pt_bin();
	argv[k++] = "--root";
	argv[k++] = (char *)fixture(machine);
	for (int i = 0; i < nargs; i++) {
		argv[k++] = (char *)args[i];
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", args[i]);
	}
	argv[k] = NULL;
	run(&r, argv);
	cr_expect_lt(r.status, 3, "%s:%s: exit %d", machine, what, r.status);
	cr_expect_eq(blank_ends(r.out, first, sizeof(first)), 0, "%s:%s stdout %s", machine,
		     what, first);
	cr_expect_eq(blank_ends(r.err, first, sizeof(first)), 0, "%s:%s stderr %s", machine,
		     what, first);
	run_free(&r);
}

#define NO_BLANK_ENDS(m, ...) do {						\
		const char *const a_[] = { __VA_ARGS__ };			\
		expect_no_blank_ends(m, a_, sizeof(a_) / sizeof(a_[0]));	\
	} while (0)

Test(output, no_line_ends_in_a_blank)
{
	static const char *const help[] = {
		"assign", "check", "dma-test", "emit", "list", "release", "run", "show",
		"snapshot", "status", "verify", "vfs",
	};

	for (size_t m = 0; m < sizeof(machines) / sizeof(machines[0]); m++) {
		const char *mc = machines[m];

		NO_BLANK_ENDS(mc, "list");
		NO_BLANK_ENDS(mc, "list", "--groups");
		NO_BLANK_ENDS(mc, "list", "--assigned");
		NO_BLANK_ENDS(mc, "check");
		NO_BLANK_ENDS(mc, "status");
		NO_BLANK_ENDS(mc, "show", "0000:00:00.0");
		NO_BLANK_ENDS(mc, "emit", "json");
		NO_BLANK_ENDS(mc, "emit", "nfd");
		NO_BLANK_ENDS(mc, "assign", "--dry-run", "0000:00:14.0");
		NO_BLANK_ENDS(mc, "release", "--dry-run", "0000:00:14.0");
		NO_BLANK_ENDS(mc, "help");
		for (size_t h = 0; h < sizeof(help) / sizeof(help[0]); h++)
			NO_BLANK_ENDS(mc, "help", help[h]);
	}
	NO_BLANK_ENDS("server", "show", "0000:03:02.0");
	NO_BLANK_ENDS("server", "show", "0000:08:00.0");
	NO_BLANK_ENDS("workstation", "show", "0000:01:00.0");
	NO_BLANK_ENDS("workstation", "assign", "--dry-run", "0000:02:00.0");
	NO_BLANK_ENDS("amd", "release", "--dry-run", "0000:09:00.0");
}

/* passthru ARGS on a pty COLUMNS wide (env, or 0: the pty's own size set
 * with stty), locale LC: stdout as the terminal shows it. */
static void on_tty(struct run *r, const char *lc, int columns, const char *args)
{
	char cmd[8192];
	char *argv[] = { "env", "-u", "NO_COLOR", (char *)lc, "script", "-qec", cmd, "/dev/null", NULL };

	if (columns > 0)
		snprintf(cmd, sizeof(cmd), "COLUMNS=%d %s --root %s %s", columns, pt_bin(),
			 fixture("workstation"), args);
	else
		snprintf(cmd, sizeof(cmd), "stty cols %d; %s --root %s %s", -columns, pt_bin(),
			 fixture("workstation"), args);
	run(r, argv);
	cr_assert_eq(r->status, 0, "%s: %s", cmd, r->err);
}

/* Display columns of a line: UTF-8 characters, escape sequences and the
 * pty's carriage returns not counted. */
static int width(const char *l)
{
	int w = 0;

	for (const unsigned char *p = (const unsigned char *)l; *p; p++) {
		if (*p == '\033') {
			while (*p && *p != 'm')
				p++;
			if (!*p)
				break;
			continue;
		}
		if (*p != '\r' && (*p & 0xc0) != 0x80)
			w++;
	}
	return w;
}

static int widest(const char *text)
{
	int max = 0;

	for (int i = 0; i < line_count(text); i++)
		if (width(line_at(text, i)) > max)
			max = width(line_at(text, i));
	return max;
}

/* The widest table row (a line whose first word is a BDF): prose lines
 * such as "blocked by: ..." are sentences, wrapped by the terminal, not cut. */
static int widest_row(const char *text)
{
	int max = 0;

	for (int i = 0; i < line_count(text); i++) {
		const char *l = line_at(text, i);

		while (*l == ' ')
			l++;
		if (!strncmp(l, "0000:", 5) && width(line_at(text, i)) > max)
			max = width(line_at(text, i));
	}
	return max;
}

Test(output, tables_fit_the_terminal)
{
	struct run r;

	/* COLUMNS=100: the name and in-use columns are cut, nothing else */
	on_tty(&r, "LC_ALL=C", 100, "--color=never list");
	cr_expect_eq(widest(r.out), 100, "%s", r.out);
	cr_expect_not_null(strstr(r.out, "0000:01:00.0  10de:1b80  display  nouveau        1      "
				  "NVIDIA Corporation...  boot VGA device (f...\r\n"), "%s", r.out);
	/* no blank before the ellipsis */
	cr_expect_not_null(strstr(r.out, "0000:03:00.0  8086:1539  net      igb            7      "
				  "Intel Corporation...   enp3s0 carries the...\r\n"), "%s", r.out);
	run_free(&r);
	/* a UTF-8 terminal gets the one-column ellipsis */
	on_tty(&r, "LC_ALL=C.UTF-8", 100, "--color=never list");
	cr_expect_eq(widest(r.out), 100, "%s", r.out);
	cr_expect_not_null(strstr(r.out, "0000:01:00.0  10de:1b80  display  nouveau        1      "
				  "NVIDIA Corporation G\xe2\x80\xa6  boot VGA device (fir\xe2\x80\xa6\r\n"),
			   "%s", r.out);
	run_free(&r);
	/* the pty's size when COLUMNS is not set; groups indent their tables */
	on_tty(&r, "LC_ALL=C", -90, "--color=never list --groups");
	cr_expect_eq(widest_row(r.out), 90, "%s", r.out);
	cr_expect_not_null(strstr(r.out, "\n  0000:02:00.0  144d:a804  storage  nvme    6      "
				  "Samsung Electro...  nvme0n1p2 mounte...\r\n"), "%s", r.out);
	run_free(&r);
	/* --wide, before or as a list option: never cut */
	on_tty(&r, "LC_ALL=C", 100, "--color=never --wide list");
	cr_expect_gt(widest(r.out), 200, "%s", r.out);
	cr_expect_null(strstr(r.out, "..."), "%s", r.out);
	run_free(&r);
	on_tty(&r, "LC_ALL=C", 100, "--color=never list --wide");
	cr_expect_gt(widest(r.out), 200);
	run_free(&r);
	/* too narrow for the fixed columns: as narrow as they allow */
	on_tty(&r, "LC_ALL=C", 40, "--color=never list");
	cr_expect_eq(widest(r.out), 2 + 12 + 2 + 9 + 2 + 7 + 2 + 13 + 2 + 5 + 2 + 16 + 2 + 12 - 2,
		     "%s", r.out);
	run_free(&r);

	/* piped: full width whatever COLUMNS says */
	{
		char *argv[] = { "env", "COLUMNS=80", (char *)pt_bin(), "--root",
				 (char *)fixture("workstation"), "list", NULL };

		run(&r, argv);
		cr_expect_eq(r.status, 0);
		cr_expect_gt(widest(r.out), 200);
		cr_expect_null(strstr(r.out, "..."));
		run_free(&r);
	}
}

Test(output, color_when)
{
	struct run r;

	/* piped: no colour unless always; always wins over NO_COLOR (set by
	 * the test runner) */
	pt(&r, "workstation", "--color=always", "list");
	cr_expect_eq(r.status, 0);
	cr_expect_not_null(strstr(r.out, "\033[1mBDF "), "%.200s", r.out);
	run_free(&r);
	pt(&r, "workstation", "--color", "status");
	cr_expect_not_null(strstr(r.out, "\033[1mOn vfio-pci\033[0m"), "%.200s", r.out);
	run_free(&r);
	pt(&r, "workstation", "--color=auto", "list");
	cr_expect_null(strchr(r.out, '\033'));
	run_free(&r);
	/* a terminal: auto colours, never does not */
	on_tty(&r, "LC_ALL=C", 300, "--color=auto list");
	cr_expect_not_null(strstr(r.out, "\033[1mBDF "), "%.200s", r.out);
	run_free(&r);
	on_tty(&r, "LC_ALL=C", 300, "--color=never list");
	cr_expect_null(strchr(r.out, '\033'), "%.200s", r.out);
	run_free(&r);
	pt(&r, "workstation", "--color=sometimes", "list");
	cr_expect_eq(r.status, 2);
	cr_expect_str_empty(r.out);
	cr_expect_str_eq(r.err, "passthru: --color takes auto, always or never, not 'sometimes'\n");
	run_free(&r);
}
