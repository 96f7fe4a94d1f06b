// SPDX-License-Identifier: MIT
/*
 * test-selectors.c — the DEVICE forms people already know, on the server
 * fixture: a slot as lspci -s takes it (05:00: both I350 ports), libvirt's
 * node device names, vendor:device ids and classes that select every match
 * with --all and are an error listing the candidates without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

/* The "id" of every group an assign/release --json plans, as "4 5 6". */
static void group_ids(const char *json, char *out, size_t n)
{
	size_t used = 0;

	*out = '\0';
	for (const char *p = json; (p = strstr(p, "\"id\": ")); p += 6) {
		int w = snprintf(out + used, n - used, "%s%d", used ? " " : "", atoi(p + 6));

		if (w > 0 && (size_t)w < n - used)
			used += (size_t)w;
	}
}

static void expect_groups(const char *want, const char *cmd, const char *device,
			  const char *all)
{
	struct run r;
	char got[256];

	pt(&r, "server", cmd, "--dry-run", "--json", device, all);
	cr_expect_eq(r.status, 0, "%s %s: exit %d: %s", cmd, device, r.status, r.err);
	group_ids(r.out, got, sizeof(got));
	cr_expect_str_eq(got, want, "%s %s %s", cmd, device, all ? all : "");
	run_free(&r);
}

Test(selectors, slot_is_every_function)
{
	struct run r;

	expect_groups("5 6 7 8", "assign", "03:02", NULL);
	expect_groups("12", "release", "0000:05:00", NULL);
	pt(&r, "server", "emit", "qemu", "05:00");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "-device vfio-pci,host=0000:05:00.0,id=hostdev-0000-05-00.0,"
			 "addr=0x10.0,multifunction=on\n-device vfio-pci,host=0000:05:00.1,"
			 "id=hostdev-0000-05-00.1,addr=0x10.1\n");
	run_free(&r);
	/* show wants one device */
	pt(&r, "server", "show", "05:00");
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "passthru: ambiguous device '05:00': 2 devices match "
			 "(0000:05:00.0, 0000:05:00.1); give one of them by its PCI address\n");
	run_free(&r);
	pt(&r, "server", "show", "09:00");
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "passthru: unknown device '09:00': no PCI device in slot "
			 "0000:09:00; run `passthru list` to see the devices\n");
	run_free(&r);
}

Test(selectors, ids_need_all_for_several)
{
	struct run r;

	pt(&r, "server", "assign", "--dry-run", "8086:154c");
	cr_expect_eq(r.status, 2);
	cr_expect_str_empty(r.out);
	cr_expect_str_eq(r.err, "passthru: ambiguous device '8086:154c': 4 devices match "
			 "(0000:03:02.0, 0000:03:02.1, 0000:03:02.2, 0000:03:02.3); give one "
			 "of them by its PCI address, or all of them with --all\n");
	run_free(&r);
	expect_groups("5 6 7 8", "assign", "8086:154c", "--all");
	expect_groups("4", "assign", "8086:1572", NULL);
	expect_groups("4", "assign", "8086:1572", "--all");
	pt(&r, "server", "emit", "qemu", "--all", "8086:154c");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "-device vfio-pci,host=0000:03:02.0,id=hostdev-0000-03-02.0\n"
			 "-device vfio-pci,host=0000:03:02.1,id=hostdev-0000-03-02.1\n"
			 "-device vfio-pci,host=0000:03:02.2,id=hostdev-0000-03-02.2\n"
			 "-device vfio-pci,host=0000:03:02.3,id=hostdev-0000-03-02.3\n");
	run_free(&r);
}

Test(selectors, classes)
{
	struct run r;

	expect_groups("4 5 6 7 8 12 14", "release", "class=net", "--all");
	pt(&r, "server", "release", "--dry-run", "class=net");
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "passthru: ambiguous device 'class=net': 8 devices match "
			 "(0000:03:00.0, 0000:03:02.0, 0000:03:02.1, 0000:03:02.2, "
			 "0000:03:02.3, 0000:05:00.0, 0000:05:00.1, 0000:06:00.0); give one "
			 "of them by its PCI address, or all of them with --all\n");
	run_free(&r);
	pt(&r, "server", "show", "class=nic");
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "malformed device 'class=nic': a class is net, storage, "
			 "display, usb, audio, bridge, accel or other; ") != NULL, "%s", r.err);
	run_free(&r);
}

Test(selectors, libvirt_nodedev_names)
{
	struct run a, b;

	pt(&a, "server", "show", "pci_0000_05_00_1");
	pt(&b, "server", "show", "05:00.1");
	cr_expect_eq(a.status, 0, "%s", a.err);
	cr_expect_str_eq(a.out, b.out);
	run_free(&a);
	run_free(&b);
	expect_groups("14", "assign", "pci_0000_06_00_0", NULL);
}
