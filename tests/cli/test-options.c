// SPDX-License-Identifier: MIT
/*
 * test-options.c — one option vocabulary for every command: the global
 * options after the command name too, -h/--help everywhere, an unknown
 * option named once (by passthru, not getopt), --json failures as a JSON
 * document on stdout, the schema "version" leading every document, and
 * durations with units for --timeout and --lock-timeout.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

static const char *const commands[] = {
	"assign", "check", "dma-test", "emit", "list", "release", "run",
	"show", "snapshot", "status", "verify", "vfs", NULL,
};

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

Test(options, globals_after_the_command)
{
	struct run before, after;

	pt(&before, "server", "--json", "list", "--groups");
	pt(&after, NULL, "list", "--groups", "--root", fixture("server"), "--json");
	cr_assert_eq(before.status, 0, "%s", before.err);
	cr_assert_eq(after.status, 0, "%s", after.err);
	cr_expect_str_eq(after.out, before.out);
	cr_expect_str_empty(after.err);
	cr_expect(starts(before.out, "{\n  \"version\": 1,\n  \"devices\": ["),
		     "%s", before.out);
	run_free(&before);
	run_free(&after);

	/* -v and --color after a command that has neither of its own */
	pt(&after, NULL, "show", "03:00.0", "-v", "--color=never", "--root",
	   fixture("server"));
	pt(&before, "server", "show", "03:00.0");
	cr_expect_eq(after.status, 0, "%s", after.err);
	cr_expect_str_eq(after.out, before.out);
	run_free(&before);
	run_free(&after);
}

Test(options, help_on_every_command)
{
	for (int i = 0; commands[i]; i++) {
		struct run h, help, longh;
		char want[8192];

		pt(&h, "server", commands[i], "-h");
		pt(&longh, "server", commands[i], "--help");
		pt(&help, "server", "help", commands[i]);
		cr_expect_eq(h.status, 0, "%s -h: exit %d: %s", commands[i], h.status, h.err);
		cr_expect_str_empty(h.err, "%s -h: %s", commands[i], h.err);
		cr_expect_str_eq(longh.out, h.out, "%s", commands[i]);
		/* `help CMD` is the usage, a blank line and the summary */
		snprintf(want, sizeof(want), "%s\n", h.out);
		cr_expect_eq(strncmp(help.out, want, strlen(want)), 0,
			     "%s -h:\n%s\nhelp:\n%s", commands[i], h.out, help.out);
		cr_expect(starts(h.out, "usage: passthru "), "%s", h.out);
		run_free(&h);
		run_free(&longh);
		run_free(&help);
	}
	/* the one that used to print getopt's complaint first */
	{
		struct run r;

		pt(&r, "server", "dma-test", "-h");
		cr_expect_str_eq(r.out, "usage: passthru dma-test DEVICE [--iommu type1|iommufd] "
				 "[--hugepages 2M|1G] [--size BYTES]\n         "
				 "[--scratch-lba [NSID:]START[+COUNT]] [--json]\n");
		run_free(&r);
	}
}

Test(options, unknown_option_named_once)
{
	for (int i = 0; commands[i]; i++) {
		struct run r;
		char want[256];

		pt(&r, "server", commands[i], "-x");
		snprintf(want, sizeof(want), "passthru %s: unknown option '-x'\nusage: passthru %s",
			 commands[i], commands[i]);
		cr_expect_eq(r.status, 2, "%s -x: exit %d", commands[i], r.status);
		cr_expect_str_empty(r.out, "%s -x: %s", commands[i], r.out);
		cr_expect_eq(strncmp(r.err, want, strlen(want)), 0, "%s -x: %s", commands[i], r.err);
		cr_expect_eq(count(r.err, "invalid option"), 0, "%s", r.err);
		cr_expect_eq(count(r.err, "unknown option"), 1, "%s", r.err);
		run_free(&r);

		pt(&r, "server", commands[i], "--bogus=1");
		snprintf(want, sizeof(want), "passthru %s: unknown option '--bogus'\n", commands[i]);
		cr_expect_eq(r.status, 2);
		cr_expect_eq(strncmp(r.err, want, strlen(want)), 0, "%s", r.err);
		cr_expect_eq(count(r.err, "unknown option"), 1, "%s", r.err);
		run_free(&r);
	}
}

Test(options, missing_values)
{
	struct run r;

	pt(&r, "server", "snapshot", "-o");
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "passthru snapshot: option '-o' needs a value\n"
			 "usage: passthru snapshot -o FILE.tar [--json]\n");
	run_free(&r);
	pt(&r, NULL, "list", "--root");
	cr_expect_eq(r.status, 2);
	cr_expect(starts(r.err, "passthru list: option '--root' needs a value\n"),
		     "%s", r.err);
	run_free(&r);
	pt(&r, NULL, "--bogus", "list");
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "passthru: unknown option '--bogus'; run `passthru help` "
			 "for the options\n");
	run_free(&r);
}

/* The failure document: {"version", "error": {message, device}, "exit"}. */
static const char *error_doc(const char *message, const char *device, int status)
{
	static char doc[1024];
	char dev[64] = "null";

	if (device)
		snprintf(dev, sizeof(dev), "\"%s\"", device);
	snprintf(doc, sizeof(doc), "{\n  \"version\": 1,\n  \"error\": {\n    \"message\": "
		 "\"%s\",\n    \"device\": %s\n  },\n  \"exit\": %d\n}\n",
		 message, dev, status);
	return doc;
}

#define NO_0900 "unknown device '09:00.0': no PCI device at 0000:09:00.0; run " \
	"`passthru list` to see the devices"

Test(options, json_failures_are_json)
{
	struct run r;

	pt(&r, "server", "show", "09:00.0", "--json");
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.out, error_doc(NO_0900, "09:00.0", 2));
	run_free(&r);
	/* --json before the command, the bad option before --json */
	pt(&r, "server", "--json", "assign", "-x");
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.out, error_doc("unknown option '-x'", NULL, 2));
	run_free(&r);
	pt(&r, "server", "assign", "--dry-run", "09:00.0", "--json");
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.out, error_doc(NO_0900, "09:00.0", 2));
	run_free(&r);
	/* verify: --json is --format json, and its failures are JSON too */
	pt(&r, "server", "verify", "09:00.0", "--format", "json");
	cr_expect_eq(r.status, 2);
	cr_expect(starts(r.out, "{\n  \"version\": 1,\n  \"error\": {\n"), "%s", r.out);
	run_free(&r);
}

Test(options, every_document_leads_with_its_version)
{
	static const char *const runs[][5] = {
		{ "list", "--json" },
		{ "show", "03:00.0", "--json" },
		{ "check", "--json" },
		{ "status", "--json" },
		{ "assign", "--dry-run", "03:00.0", "--json" },
		{ "release", "--dry-run", "03:00.0", "--json" },
		{ "emit", "qemu", "03:00.0", "--json" },
	};

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct run r;

		pt(&r, "server", runs[i][0], runs[i][1], runs[i][2], runs[i][3], runs[i][4]);
		cr_expect(starts(r.out, "{\n  \"version\": 1,\n"),
			     "%s: %.200s", runs[i][0], r.out);
		cr_expect_eq(count(r.out, "\"version\""), 1, "%s", runs[i][0]);
		run_free(&r);
	}
}

/* --timeout and --lock-timeout: seconds, or with a unit */
Test(options, durations)
{
	static const char *const good[] = { "500ms", "2s", "1m", "5", "0.25", "10m" };
	struct run r;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		pt(&r, "server", "assign", "--dry-run", "--timeout", good[i],
		   "--lock-timeout", good[i], "03:00.0");
		cr_expect_eq(r.status, 0, "%s: %s", good[i], r.err);
		run_free(&r);
	}
	pt(&r, "server", "release", "--dry-run", "--lock-timeout", "0", "03:00.0");
	cr_expect_eq(r.status, 0, "%s", r.err);
	run_free(&r);
	pt(&r, "server", "assign", "--dry-run", "--timeout", "5x", "03:00.0");
	cr_expect_eq(r.status, 2);
	cr_expect(starts(r.err, "passthru assign: --timeout wants a duration (1ms..10m; "
			     "seconds, or with a unit: 500ms, 2s, 1m), not '5x'\n"),
		     "%s", r.err);
	run_free(&r);
	pt(&r, "server", "assign", "--dry-run", "--timeout", "0", "03:00.0");
	cr_expect_eq(r.status, 2);
	run_free(&r);
	pt(&r, "server", "release", "--dry-run", "--lock-timeout", "11m", "03:00.0");
	cr_expect_eq(r.status, 2);
	cr_expect(starts(r.err, "passthru release: --lock-timeout wants a duration "
			     "(0..10m; seconds, or with a unit: 500ms, 2s, 1m), not '11m'\n"), "%s", r.err);
	run_free(&r);
	pt(&r, "server", "run", "--timeout", "-1");
	cr_expect_eq(r.status, 2);
	cr_expect(starts(r.err, "passthru run: --timeout: '-1' is not a duration (0..24h; "
			     "seconds, or with a unit: 500ms, 2s, 1m)\n"), "%s", r.err);
	run_free(&r);
}
