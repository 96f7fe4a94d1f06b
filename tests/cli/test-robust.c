// SPDX-License-Identifier: MIT
/*
 * test-robust.c — hostile trees: the files a captured tree holds are
 * untrusted input.  Random config spaces of every length, absurd attribute
 * values, over-long names, symlinks out of the tree, FIFOs: passthru may
 * refuse (exit 2) or report, never crash, hang, show a host file or trip
 * the sanitizers (this suite also runs against the ASan/UBSan build).
 * Deterministic: a fixed xorshift seed.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned int rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng >> 11);
}

static void write_file(const char *path, const void *data, size_t len)
{
	char real[8192];
	FILE *f;

	/* device attributes are reached through the bus/pci/devices link */
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	f = fopen(real, "w");
	cr_assert_not_null(f, "%s", real);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void write_str(const char *root, const char *rel, const char *text)
{
	char path[8192];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	write_file(path, text, strlen(text));
}

/* Runs the discovery commands on root; exit 0 or 2 only, no sanitizer. */
static void survives(const char *root, const char *what)
{
	static const char *const cmds[][3] = {
		{ "list", "--json", NULL }, { "list", "--groups", NULL },
		{ "show", "03:00.0", "--json" }, { "check", NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct run r;

		pt(&r, root, cmds[i][0], cmds[i][1], cmds[i][2]);
		cr_expect(r.status == 0 || r.status == 1 || r.status == 2,
			  "%s: passthru %s exited %d: %.600s", what, cmds[i][0],
			  r.status, r.err);
		cr_expect_null(strstr(r.err, "Sanitizer"), "%s: %s: %.2000s", what,
			       cmds[i][0], r.err);
		cr_expect_null(strstr(r.err, "runtime error"), "%s: %s: %.2000s", what,
			       cmds[i][0], r.err);
		if (!strcmp(cmds[i][0], "list") && !strcmp(cmds[i][1], "--json") &&
		    r.status == 0) {
			struct jv *j = jv_parse(r.out, NULL, 0);

			cr_expect_not_null(j, "%s: list --json is not JSON", what);
			jv_free(j);
		}
		run_free(&r);
	}
}

Test(robust, random_config_spaces, .timeout = 300)
{
	static const size_t lens[] = { 0, 1, 63, 64, 65, 255, 256, 257, 4095, 4096, 8192 };
	const char *root = fixture_copy("server");
	static const char *const bdfs[] = { "0000:03:00.0", "0000:02:08.0", "0000:03:02.1",
					    "0000:07:00.0", "0000:08:00.0" };
	char tree[4200];
	unsigned char buf[8192];

	snprintf(tree, sizeof(tree), "%s", root);
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		for (int k = 0; k < 5; k++) {
			char path[8192], what[128];

			for (size_t i = 0; i < lens[l]; i++)
				buf[i] = (unsigned char)rnd();
			/* keep a plausible header half of the time so the walk
			 * gets past "no capabilities" */
			if (k & 1 && lens[l] >= 64) {
				buf[0x06] |= 0x10;
				buf[0x0e] = (unsigned char)(rnd() % 3);
			}
			snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/config",
				 tree, bdfs[k]);
			write_file(path, buf, lens[l]);
			snprintf(what, sizeof(what), "%zu random config bytes on %s",
				 lens[l], bdfs[k]);
			survives(tree, what);
		}
	}
}

/* Capability lists that loop, point outside, or chain forever. */
Test(robust, looping_capability_lists)
{
	const char *root = fixture_copy("server");
	char tree[4200], path[8192];
	unsigned char c[4096];

	snprintf(tree, sizeof(tree), "%s", root);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/0000:03:00.0/config", tree);
	memset(c, 0, sizeof(c));
	c[0] = 0x86; c[1] = 0x80; c[2] = 0x72; c[3] = 0x15;
	c[0x06] = 0x10;
	c[0x34] = 0x40;
	c[0x40] = 0x10; c[0x41] = 0x40;		/* PCIe cap pointing to itself */
	c[0x100] = 0x0d; c[0x102] = 0x01 << 4;	/* ACS, next = 0x100: a loop */
	c[0x103] = 0x10;
	write_file(path, c, sizeof(c));
	survives(tree, "self-looping capability lists");
	c[0x41] = 0xfc;				/* next at the last dword */
	c[0xfc] = 0x11; c[0xfd] = 0x40;		/* MSI-X, back to 0x40 */
	c[0x100] = 0x10; c[0x101] = 0x00; c[0x102] = 0x01; c[0x103] = 0xff;	/* next 0xff0 */
	c[0xff0] = 0x10; c[0xff2] = 0x01; c[0xff3] = 0x10;	/* SR-IOV at 0xff0, back */
	write_file(path, c, sizeof(c));
	survives(tree, "capabilities at the end of config space");
}

Test(robust, absurd_attributes)
{
	const char *root = fixture_copy("server");
	char tree[4200], longname[600], rel[1024];

	snprintf(tree, sizeof(tree), "%s", root);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	write_str(tree, "sys/bus/pci/devices/0000:03:00.0/sriov_numvfs", "4294967296\n");
	write_str(tree, "sys/bus/pci/devices/0000:03:00.0/sriov_totalvfs", "-7\n");
	write_str(tree, "sys/bus/pci/devices/0000:03:00.0/numa_node", "abc\n");
	write_str(tree, "sys/bus/pci/devices/0000:05:00.0/reset_method", longname);
	write_str(tree, "sys/bus/pci/devices/0000:05:00.1/driver_override", longname);
	write_str(tree, "sys/bus/pci/devices/0000:04:00.0/irq", "99999999999999999999\n");
	write_str(tree, "sys/kernel/iommu_groups/4/type", longname);
	write_str(tree, "sys/class/tty/console/active", longname);
	snprintf(rel, sizeof(rel), "proc/mounts");
	{
		char *m = malloc(200000);

		memset(m, 'A', 199998);
		m[199998] = '\n';
		m[199999] = '\0';
		write_str(tree, rel, m);
		free(m);
	}
	write_str(tree, ".passthru/ifaddrs", "eno1 inet\n\n\n eno1\nx inet 1.2.3.4/99 extra\n");
	write_str(tree, "proc/net/route", "Iface\n\t\t\t\n eno1 00000000 zz\n");
	write_str(tree, "proc/net/if_inet6", "zzzz 1 2 3 4 eno1\n00 00\n");
	survives(tree, "absurd attribute values");
}

/*
 * A tree can carry what no snapshot writes: an attribute that is a symlink
 * out of the tree (it must not show a host file) or a FIFO (it must not
 * hang).  passthru refuses the tree, names the file and says why (exit 2),
 * within a timeout and without a byte of the outside file in its output.
 */
static const char SECRET[] = "PASSTHRU-OUTSIDE-THE-TREE-4711";

/* TREE's directory of device bdf, tree-relative ("sys/devices/..."). */
static void dev_dir(const char *tree, const char *bdf, char *rel, size_t n)
{
	char link[8192], real[8192], top[8192];

	snprintf(link, sizeof(link), "%s/sys/bus/pci/devices/%s", tree, bdf);
	cr_assert_not_null(realpath(link, real), "%s", link);
	cr_assert_not_null(realpath(tree, top), "%s", tree);
	cr_assert_eq(strncmp(real, top, strlen(top)), 0);
	snprintf(rel, n, "%s", real + strlen(top) + 1);
}

/* Replaces the file TREE/rel with a FIFO, or with a symlink to link_to. */
static void replace(const char *tree, const char *rel, const char *link_to,
		    bool fifo)
{
	char path[8192];

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	cr_assert_eq(unlink(path), 0, "unlink %s", path);
	if (fifo)
		cr_assert_eq(mkfifo(path, 0644), 0, "mkfifo %s", path);
	else
		cr_assert_eq(symlink(link_to, path), 0, "symlink %s", path);
}

/* passthru --root TREE ARGS... under timeout(1): exit 2, stderr exactly
 * the refusal naming rel, nothing of the outside file anywhere. */
static void refuses(const char *tree, const char *rel, const char *why,
		    const char *a1, const char *a2)
{
	char msg[16384], top[8192];
	char *argv[] = { "timeout", "20", (char *)pt_bin(), "--root", (char *)tree,
			 (char *)a1, (char *)a2, NULL };
	struct run r;

	cr_assert_not_null(realpath(tree, top));
	run(&r, argv);
	cr_assert_eq(r.status, 2, "passthru %s %s: exit %d (124 = hung): %.600s",
		     a1, a2 ? a2 : "", r.status, r.err);
	cr_assert_null(strstr(r.out, SECRET), "the outside file leaked: %.600s", r.out);
	cr_assert_null(strstr(r.err, SECRET), "the outside file leaked: %.600s", r.err);
	snprintf(msg, sizeof(msg), "passthru: --root %s: %s %s; a passthru tree "
		 "holds sysfs attributes as regular files and its symlinks stay "
		 "inside it: capture it again with `passthru snapshot`\n", top, rel, why);
	cr_assert_str_eq(r.err, msg);
	run_free(&r);
}

static void write_secret(char *path, size_t n)
{
	FILE *f;

	snprintf(path, n, "%s/secret", tmp_dir("outside"));
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", SECRET);
	fclose(f);
}

/* A fresh copy of the workstation in tree (4200 bytes); rel gets the path
 * of file in it: an attribute of 01:00.1 when dev, else tree-relative. */
static void fresh(char *tree, char *rel, size_t n, const char *file, bool dev)
{
	char dir[4200];

	snprintf(tree, 4200, "%s", fixture_copy("workstation"));
	if (!dev) {
		snprintf(rel, n, "%s", file);
		return;
	}
	dev_dir(tree, "0000:01:00.1", dir, sizeof(dir));
	snprintf(rel, n, "%s/%s", dir, file);
}

#define OUTSIDE "leads outside the tree (not followed)"
#define FIFO "is a FIFO, not a regular file (not read)"

Test(robust, attribute_symlink_out_of_the_tree, .timeout = 120)
{
	char secret[4200], tree[4200], rel[4300], up[4300] = "";

	write_secret(secret, sizeof(secret));
	/* absolute: what the host would resolve to the file outside */
	fresh(tree, rel, sizeof(rel), "driver_override", true);
	replace(tree, rel, secret, false);
	refuses(tree, rel, OUTSIDE, "show", "01:00.1");
	refuses(tree, rel, OUTSIDE, "list", "--json");
	/* relative, climbing out past the root */
	for (int i = 0; i < 24; i++)
		strcat(up, "../");
	strcat(up, secret + 1);
	replace(tree, rel, up, false);
	refuses(tree, rel, OUTSIDE, "show", "01:00.1");
	/* a file libpci reads itself (config), by its plain path */
	fresh(tree, rel, sizeof(rel), "config", true);
	replace(tree, rel, secret, false);
	refuses(tree, rel, "is a symlink, not a regular file (libpci would read it)",
		"show", "01:00.1");
	/* a root-relative blocker source */
	fresh(tree, rel, sizeof(rel), "proc/mounts", false);
	replace(tree, rel, secret, false);
	refuses(tree, rel, OUTSIDE, "list", NULL);
}

Test(robust, fifo_attribute_does_not_hang, .timeout = 120)
{
	char tree[4200], rel[4300];

	fresh(tree, rel, sizeof(rel), "driver_override", true);
	replace(tree, rel, NULL, true);
	refuses(tree, rel, FIFO, "show", "01:00.1");
	refuses(tree, rel, FIFO, "list", "--groups");
	fresh(tree, rel, sizeof(rel), "config", true);
	replace(tree, rel, NULL, true);
	refuses(tree, rel, "is a FIFO, not a regular file (libpci would read it)",
		"show", "01:00.1");
	fresh(tree, rel, sizeof(rel), "proc/cmdline", false);
	replace(tree, rel, NULL, true);
	refuses(tree, rel, FIFO, "check", NULL);
}
