// SPDX-License-Identifier: MIT
/*
 * test-errors.c — bad input: a clear message on stderr naming what was
 * wrong, exit status 2, nothing on stdout (but the error as JSON with
 * --json), never a crash.  Broken trees are
 * made from copies of the generated fixtures under PT_TMP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

#define DEVICE_FORMS "give a PCI address (0000:01:00.0 or 01:00.0), a slot (01:00), " \
	"vendor:device ids (8086:10d3), a class (class=net), a libvirt node device " \
	"(pci_0000_01_00_0) or an interface name (eth0)"

/* Runs passthru with args and asserts exit 2, empty stdout, stderr == msg. */
#define expect_usage(root, msg, ...) do {					\
	struct run r_;								\
	pt(&r_, root, __VA_ARGS__);						\
	cr_expect_eq(r_.status, 2, "exit %d, stderr: %s", r_.status, r_.err);	\
	cr_expect_str_empty(r_.out, "stdout: %s", r_.out);			\
	cr_expect_str_eq(r_.err, msg);						\
	run_free(&r_);								\
} while (0)

Test(errors, malformed_device)
{
	expect_usage("server", "passthru: malformed device '0000:0g:00.0': bus must be "
		     "2 hex digits; " DEVICE_FORMS "\n", "show", "0000:0g:00.0");
	expect_usage("server", "passthru: malformed device '1:0.0': a PCI address is "
		     "DDDD:BB:DD.F or BB:DD.F; " DEVICE_FORMS "\n", "show", "1:0.0");
	expect_usage("server", "passthru: malformed device '0000:03:00.8': function "
		     "must be a single digit 0-7; " DEVICE_FORMS "\n", "show",
		     "0000:03:00.8");
	/* five characters with a colon are a slot (01:00) */
	expect_usage("server", "passthru: malformed device 'zz:zz': bus must be 2 hex "
		     "digits; " DEVICE_FORMS "\n", "show", "zz:zz");
	expect_usage("server", "passthru: malformed device 'zzzz:zzzz': vendor:device ids "
		     "are two groups of 4 hex digits; " DEVICE_FORMS "\n", "show", "zzzz:zzzz");
	expect_usage("server", "passthru: malformed device '': empty; " DEVICE_FORMS "\n",
		     "show", "");
}

Test(errors, unknown_device)
{
	expect_usage("server", "passthru: unknown device '09:00.0': no PCI device at "
		     "0000:09:00.0; run `passthru list` to see the devices\n",
		     "show", "09:00.0");
	expect_usage("server", "passthru: unknown device '8086:9999': no PCI device has "
		     "vendor:device 8086:9999; run `passthru list` to see the devices\n",
		     "show", "8086:9999");
	/* lo is real but virtual: no PCI device behind it */
	expect_usage("server", "passthru: unknown device 'lo': no PCI device has a network "
		     "interface of that name (a virtual interface has no PCI device); "
		     "run `passthru list` to see the devices\n", "show", "lo");
	expect_usage("laptop", "passthru: unknown device 'docker0': no PCI device has a "
		     "network interface of that name (a virtual interface has no PCI "
		     "device); run `passthru list` to see the devices\n", "show", "docker0");
}

Test(errors, ambiguous_ids)
{
	expect_usage("server", "passthru: ambiguous device '8086:154c': 4 devices match "
		     "(0000:03:02.0, 0000:03:02.1, 0000:03:02.2, 0000:03:02.3); give one "
		     "of them by its PCI address\n", "show", "8086:154c");
	expect_usage("server", "passthru: ambiguous device '8086:1521': 2 devices match "
		     "(0000:05:00.0, 0000:05:00.1); give one of them by its PCI address\n",
		     "show", "8086:1521");
}

Test(errors, usage)
{
	static const char list_usage[] = "usage: passthru list [--json] [--groups] [--assigned] [--wide] "
		"[--class net|storage|display|usb|audio|bridge|accel|other]\n";
	static const char show_usage[] = "usage: passthru show DEVICE [--json]   "
		"(DEVICE: 0000:01:00.0, 01:00.0, 8086:10d3 or eth0)\n";
	char msg[512];

	snprintf(msg, sizeof(msg), "passthru list: unknown class 'foo'\n%s", list_usage);
	expect_usage("server", msg, "list", "--class", "foo");
	snprintf(msg, sizeof(msg), "passthru list: unknown option '--bogus'\n%s", list_usage);
	expect_usage("server", msg, "list", "--bogus");
	snprintf(msg, sizeof(msg), "passthru show: missing DEVICE\n%s", show_usage);
	expect_usage("server", msg, "show");
	snprintf(msg, sizeof(msg), "passthru show: unexpected argument 'b'\n%s", show_usage);
	expect_usage("server", msg, "show", "a", "b");
	expect_usage("server", "passthru: unknown command 'bogus'; run `passthru help` "
		     "for the list\n", "bogus");
}

Test(errors, root_not_a_tree)
{
	const char *dir = tmp_dir("notatree");
	char msg[8192], sub[4200];

	/* a directory with sys/ but no marker is still not a tree */
	snprintf(sub, sizeof(sub), "%s/sys/bus/pci/devices", dir);
	cr_assert_eq(system(strcat(strcpy(msg, "mkdir -p "), sub)), 0);
	snprintf(msg, sizeof(msg), "passthru: --root %s is not a passthru tree: %s has "
		 "no .passthru-tree marker (No such file or directory); capture one "
		 "with `passthru snapshot -o FILE.tar`\n", dir, dir);
	expect_usage(dir, msg, "list");
	expect_usage(dir, msg, "check");
	expect_usage(dir, msg, "show", "00:00.0");
	expect_usage("/nonexistent-passthru-root", "passthru: --root "
		     "/nonexistent-passthru-root: No such file or directory; give the "
		     "directory a `passthru snapshot` tar was extracted into\n", "list");
}

/* Replaces PATH (under ROOT, through the bus/pci/devices symlink when it is
 * a device attribute) with a directory: open() works, read() fails EISDIR
 * even for root, which chmod cannot achieve. */
static void make_unreadable(const char *root, const char *rel)
{
	char path[8192], real[8192];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert_not_null(realpath(path, real), "%s", path);
	cr_assert_eq(unlink(real), 0, "unlink %s", real);
	cr_assert_eq(mkdir(real, 0755), 0, "mkdir %s", real);
}

Test(errors, unreadable_files)
{
	const char *root;
	char msg[16384], tree[4200];

	root = fixture_copy("workstation");
	snprintf(tree, sizeof(tree), "%s", root);
	make_unreadable(tree, "sys/bus/pci/devices/0000:03:00.0/vendor");
	snprintf(msg, sizeof(msg), "passthru: cannot read the PCI devices under "
		 "%s/sys/bus/pci/devices: Error reading %s/sys/bus/pci/devices/"
		 "0000:03:00.0/vendor: Is a directory; the tree is incomplete or "
		 "unreadable, capture it again with `passthru snapshot`\n", tree, tree);
	expect_usage(tree, msg, "list");
	expect_usage(tree, msg, "show", "02:00.0");
	/* with --json the same failure is also a JSON document on stdout */
	{
		struct run r;
		char doc[16384];

		pt(&r, tree, "list", "--json");
		cr_expect_eq(r.status, 2);
		cr_expect_str_eq(r.err, msg);
		snprintf(doc, sizeof(doc), "{\n  \"version\": 1,\n  \"error\": {\n"
			 "    \"message\": \"%.*s\",\n    \"device\": null\n  },\n"
			 "  \"exit\": 2\n}\n", (int)strlen(msg) - 11, msg + 10);
		cr_expect_str_eq(r.out, doc);
		run_free(&r);
	}

	root = fixture_copy("workstation");
	snprintf(tree, sizeof(tree), "%s", root);
	snprintf(msg, sizeof(msg), "rm -r '%s/sys/kernel/iommu_groups/1/devices' && "
		 "touch '%s/sys/kernel/iommu_groups/1/devices'", tree, tree);
	cr_assert_eq(system(msg), 0);
	snprintf(msg, sizeof(msg), "passthru: cannot read IOMMU group 1: %s/sys/kernel/"
		 "iommu_groups/1/devices: Not a directory\n", tree);
	expect_usage(tree, msg, "list");

	root = fixture_copy("server");
	snprintf(tree, sizeof(tree), "%s", root);
	snprintf(msg, sizeof(msg), "echo garbage > '%s/sys/bus/pci/devices/0000:03:00.0/resource'",
		 tree);
	cr_assert_eq(system(msg), 0);
	snprintf(msg, sizeof(msg), "passthru: cannot read the PCI devices under "
		 "%s/sys/bus/pci/devices: Syntax error in %s/sys/bus/pci/devices/"
		 "0000:03:00.0/resource; the tree is incomplete or unreadable, capture "
		 "it again with `passthru snapshot`\n", tree, tree);
	expect_usage(tree, msg, "list");

	root = fixture_copy("laptop");
	snprintf(tree, sizeof(tree), "%s", root);
	snprintf(msg, sizeof(msg), "rm -r '%s/sys/bus/pci/devices'", tree);
	cr_assert_eq(system(msg), 0);
	snprintf(msg, sizeof(msg), "passthru: cannot read %s/sys/bus/pci/devices: No such "
		 "file or directory; the tree has no PCI devices\n", tree);
	expect_usage(tree, msg, "list");
}

/*
 * An unreadable mount table must not make a disk look free: the group of
 * the NVMe that holds / would lose its blocker and `assign` would unbind
 * the root filesystem.  Failing closed (exit 2, naming the file) is the
 * only safe answer.
 */
Test(errors, unreadable_blocker_source_fails_closed)
{
	static const char *const files[] = { "proc/self/mountinfo", "proc/swaps",
					     ".passthru/routes", ".passthru/rules",
					     NULL };

	for (int i = 0; files[i]; i++) {
		const char *root = fixture_copy("workstation");
		char tree[4200];
		struct run r;

		snprintf(tree, sizeof(tree), "%s", root);
		make_unreadable(tree, files[i]);
		pt(&r, tree, "list", "--json");
		cr_expect_eq(r.status, 2, "%s unreadable: exit %d (stdout %zu bytes)",
			     files[i], r.status, r.out_len);
		cr_expect_not_null(strstr(r.err, files[i]), "%s unreadable: stderr '%s' "
				   "does not name it", files[i], r.err);
		run_free(&r);
	}
}
