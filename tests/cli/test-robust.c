// SPDX-License-Identifier: MIT
/*
 * test-robust.c — hostile trees: the files a captured tree holds are
 * untrusted input.  Random config spaces of every length, absurd attribute
 * values, over-long names: passthru may refuse (exit 2) or report, never
 * crash, hang or trip the sanitizers (this suite also runs against the
 * ASan/UBSan build).  Deterministic: a fixed xorshift seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
