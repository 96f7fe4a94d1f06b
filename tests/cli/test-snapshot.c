// SPDX-License-Identifier: MIT
/*
 * test-snapshot.c — `passthru snapshot -o FILE.tar` round trip: capture a
 * tree (a fixture through --root, and this machine), extract it, run the
 * commands again on the extracted copy: identical JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

/* Snapshots ROOT (fixture name or NULL) and returns the extracted dir. */
static const char *snapshot(const char *root, const char *tag)
{
	static char dir[4200];
	char tar[4300], cmd[16384], msg[16384];
	struct run r;

	snprintf(dir, sizeof(dir), "%s", tmp_dir(tag));
	snprintf(tar, sizeof(tar), "%s/snap.tar", dir);
	pt(&r, root, "snapshot", "-o", tar);
	cr_assert_eq(r.status, 0, "snapshot of %s: exit %d: %s", tag, r.status, r.err);
	cr_expect_str_empty(r.out);
	snprintf(msg, sizeof(msg), "passthru: snapshot written to %s; replay with: "
		 "mkdir DIR && tar -xf %s -C DIR && passthru --root DIR list\n", tar, tar);
	cr_expect_str_eq(r.err, msg);
	run_free(&r);
	snprintf(cmd, sizeof(cmd), "mkdir '%s/x' && tar -xf '%s' -C '%s/x'", dir, tar, dir);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	strcat(dir, "/x");
	return dir;
}

static void same_output(const char *a, const char *b, const char *what)
{
	cr_expect_str_eq(a, b, "%s: output differs after the round trip", what);
}

static void round_trip(const char *machine)
{
	const char *x = snapshot(machine, machine);
	char copy[4200], marker[4300], *text;
	struct run a, b;

	snprintf(copy, sizeof(copy), "%s", x);
	/* the extracted tree is a tree: marker first line */
	snprintf(marker, sizeof(marker), "%s/.passthru-tree", copy);
	text = slurp(marker);
	cr_expect_str_eq(line_at(text, 0), "passthru-tree 1");
	free(text);

	pt(&a, machine, "list", "--json");
	pt(&b, copy, "list", "--json");
	cr_assert_eq(a.status, 0);
	cr_assert_eq(b.status, 0, "list on the extracted %s: %s", machine, b.err);
	same_output(a.out, b.out, "list");
	run_free(&a);
	run_free(&b);

	pt(&a, machine, "check", "--json");
	pt(&b, copy, "check", "--json");
	cr_expect_eq(a.status, b.status);
	same_output(a.out, b.out, "check");
	run_free(&a);
	run_free(&b);

	pt(&a, machine, "list", "--groups");
	pt(&b, copy, "list", "--groups");
	same_output(a.out, b.out, "list --groups");
	run_free(&a);
	run_free(&b);
}

Test(snapshot, workstation_round_trip) { round_trip("workstation"); }
Test(snapshot, server_round_trip) { round_trip("server"); }
Test(snapshot, laptop_round_trip) { round_trip("laptop"); }
Test(snapshot, amd_round_trip) { round_trip("amd"); }

/* This machine: list --json on the live system and on its snapshot agree
 * (check does not: /dev/kvm is opened and capabilities asked live only). */
Test(snapshot, this_machine_round_trip)
{
	const char *x = snapshot(NULL, "live");
	char copy[4200];
	struct run a, b;

	snprintf(copy, sizeof(copy), "%s", x);
	pt(&a, NULL, "list", "--json");
	pt(&b, copy, "list", "--json");
	cr_assert_eq(a.status, 0, "%s", a.err);
	cr_assert_eq(b.status, 0, "%s", b.err);
	same_output(a.out, b.out, "live list");
	run_free(&a);
	run_free(&b);
}

Test(snapshot, bad_output_path)
{
	struct run r;

	pt(&r, "server", "snapshot", "-o", "/nonexistent-dir/x.tar");
	cr_expect_neq(r.status, 0);
	cr_expect_lt(r.status, 128);
	cr_expect_not_null(strstr(r.err, "/nonexistent-dir/x.tar"), "stderr: %s", r.err);
	run_free(&r);
	pt(&r, "server", "snapshot");
	cr_expect_eq(r.status, 2, "snapshot without -o: %s", r.err);
	run_free(&r);
}
