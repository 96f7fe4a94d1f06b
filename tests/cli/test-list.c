// SPDX-License-Identifier: MIT
/*
 * test-list.c — `passthru list` against the generated machines.
 *
 * Two layers: (1) every field of every device and group in `list --json`
 * equals the generator's expected.json (computed from the topology
 * description, not from the tool); (2) the facts each fixture exists for,
 * spelled out literally here (tests/fixtures/README.md documents them).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

/* in_use and blocked_by are compared as ordered lists too: the tool
 * documents the order (mounts, swap, routes, addresses, display). */
static void compare_members(const char *machine, const char *kind,
			    const char *id, const struct jv *want,
			    const struct jv *got)
{
	for (int k = 0; k < jv_len(want); k++) {
		const char *key = want->keys[k];
		const struct jv *w = want->items[k], *g = jv_get(got, key);

		if (!strcmp(key, "capabilities")) {
			compare_members(machine, "capabilities of", id, w, g);
			continue;
		}
		if (!jv_equal(w, g)) {
			char *ws = jv_dump(w), *gs = jv_dump(g);

			cr_expect(0, "%s: %s %s: \"%s\" is %s, want %s", machine,
				  kind, id, key, gs, ws);
			free(ws);
			free(gs);
		}
	}
}

static void compare_with_expected(const char *machine)
{
	struct jv *want = fixture_expected(machine);
	struct jv *got = pt_json(machine, "list", "--json");
	const struct jv *wd = jv_get(want, "devices"), *gd = jv_get(got, "devices");
	const struct jv *wg = jv_get(want, "groups"), *gg = jv_get(got, "groups");

	/* the device list itself, in ascending BDF order */
	cr_assert_eq(jv_len(gd), jv_len(wd), "%s: %d devices, want %d", machine,
		     jv_len(gd), jv_len(wd));
	for (int i = 0; i < jv_len(wd); i++) {
		const char *bdf = jv_str(jv_get(jv_at(wd, i), "bdf"));

		cr_expect_str_eq(jv_str(jv_get(jv_at(gd, i), "bdf")), bdf,
				 "%s: device %d", machine, i);
		compare_members(machine, "device", bdf, jv_at(wd, i),
				jv_find(gd, "bdf", bdf));
	}
	if (jv_is_null(wg)) {
		cr_expect(jv_is_null(gg), "%s: groups must be null", machine);
		goto out;
	}
	cr_assert_eq(jv_len(gg), jv_len(wg), "%s: %d groups, want %d", machine,
		     jv_len(gg), jv_len(wg));
	for (int i = 0; i < jv_len(wg); i++) {
		char id[16];

		snprintf(id, sizeof(id), "%d", (int)jv_get(jv_at(wg, i), "id")->num);
		cr_expect(jv_equal(jv_get(jv_at(gg, i), "id"),
				   jv_get(jv_at(wg, i), "id")),
			  "%s: group %d has id %s", machine, i, id);
		compare_members(machine, "group", id, jv_at(wg, i), jv_at(gg, i));
	}
out:
	jv_free(want);
	jv_free(got);
}

Test(list, workstation_matches_expected) { compare_with_expected("workstation"); }
Test(list, server_matches_expected) { compare_with_expected("server"); }
Test(list, laptop_matches_expected) { compare_with_expected("laptop"); }
Test(list, amd_matches_expected) { compare_with_expected("amd"); }

static const struct jv *dev(const struct jv *root, const char *bdf)
{
	const struct jv *d = jv_find(jv_get(root, "devices"), "bdf", bdf);

	cr_assert_not_null(d, "no device %s in the output", bdf);
	return d;
}

static const struct jv *grp(const struct jv *root, int id)
{
	const struct jv *gs = jv_get(root, "groups");

	for (int i = 0; i < jv_len(gs); i++)
		if ((int)jv_get(jv_at(gs, i), "id")->num == id)
			return jv_at(gs, i);
	cr_assert_fail("no IOMMU group %d in the output", id);
	return NULL;
}

static const char *s(const struct jv *obj, const char *key)
{
	const char *v = jv_str(jv_get(obj, key));

	return v ? v : "<not a string>";
}

static int num(const struct jv *obj, const char *key)
{
	const struct jv *v = jv_get(obj, key);

	cr_assert(v && v->type == JV_NUM, "\"%s\" is not a number", key);
	return (int)v->num;
}

static bool flag(const struct jv *obj, const char *key)
{
	const struct jv *v = jv_get(obj, key);

	cr_assert(v && v->type == JV_BOOL, "\"%s\" is not a bool", key);
	return v->b;
}

static void expect_bdfs(const struct jv *root, const char *what, ...)
{
	const struct jv *ds = jv_get(root, "devices");
	char got[8192] = "", want[8192] = "";
	const char *b;
	size_t n = 0;
	va_list ap;

	for (int i = 0; i < jv_len(ds); i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", i ? "," : "",
				      s(jv_at(ds, i), "bdf"));
	n = 0;
	va_start(ap, what);
	while ((b = va_arg(ap, const char *)))
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%s", n ? "," : "", b);
	va_end(ap);
	cr_expect_str_eq(got, want, "%s: devices [%s], want [%s]", what, got, want);
}

Test(list, workstation_topology)
{
	struct jv *j = pt_json("workstation", "list", "--json");
	const struct jv *g, *d;

	expect_bdfs(j, "workstation", "0000:00:00.0", "0000:00:01.0",
		    "0000:00:14.0", "0000:00:1b.0", "0000:00:1c.0", "0000:00:1f.0",
		    "0000:00:1f.3", "0000:00:1f.4", "0000:01:00.0", "0000:01:00.1",
		    "0000:02:00.0", "0000:03:00.0", NULL);
	cr_expect_eq(jv_len(jv_get(j, "groups")), 8);

	/* GPU + HDMI audio behind a root port without ACS: one group with the
	 * port; not viable (nouveau, snd_hda_intel); the port stays on
	 * pcieport; blocked by the boot VGA and the console framebuffer */
	g = grp(j, 1);
	cr_expect_str_eq(s(g, "type"), "DMA-FQ");
	expect_strv(jv_get(g, "devices"), "group 1", "0000:00:01.0",
		    "0000:01:00.0", "0000:01:00.1");
	cr_expect_not(flag(g, "viable"));
	expect_strv(jv_get(g, "not_viable"), "group 1 not_viable",
		    "0000:01:00.0 is bound to nouveau",
		    "0000:01:00.1 is bound to snd_hda_intel");
	expect_strv(jv_get(g, "needs_rebind"), "group 1 needs_rebind",
		    "0000:01:00.0", "0000:01:00.1");
	expect_strv(jv_get(g, "blocked_by"), "group 1 blocked_by",
		    "0000:01:00.0: boot VGA device (firmware and early console output)",
		    "0000:01:00.0: drives framebuffer fb0 (console on tty0)");
	d = dev(j, "0000:01:00.0");
	cr_expect_str_eq(s(d, "vendor"), "NVIDIA Corporation");
	cr_expect_str_eq(s(d, "device"), "GP104 [GeForce GTX 1080]");
	cr_expect_str_eq(s(d, "vendor_id"), "0x10de");
	cr_expect_str_eq(s(d, "device_id"), "0x1b80");
	cr_expect_str_eq(s(d, "class"), "0x030000");
	cr_expect_str_eq(s(d, "driver"), "nouveau");
	cr_expect(flag(d, "boot_vga"));
	cr_expect_str_eq(s(d, "parent"), "0000:00:01.0");
	cr_expect(flag(dev(j, "0000:00:01.0"), "is_bridge"));
	cr_expect(jv_is_null(jv_get(jv_get(dev(j, "0000:00:01.0"), "capabilities"), "acs")),
		  "the GPU's root port has no ACS");

	/* NVMe: / and /boot/efi mounted, swap active; reset from the kernel
	 * includes the Samsung device-specific quirk */
	g = grp(j, 6);
	expect_strv(jv_get(g, "devices"), "group 6", "0000:02:00.0");
	expect_strv(jv_get(g, "blocked_by"), "group 6 blocked_by",
		    "0000:02:00.0: nvme0n1p2 mounted on /",
		    "0000:02:00.0: nvme0n1p1 mounted on /boot/efi",
		    "0000:02:00.0: nvme0n1p3 is active swap");
	d = dev(j, "0000:02:00.0");
	expect_strv(jv_get(d, "block"), "nvme block", "nvme0n1");
	expect_strv(jv_get(d, "partitions"), "nvme partitions", "nvme0n1p1",
		    "nvme0n1p2", "nvme0n1p3");
	expect_strv(jv_get(d, "reset_methods"), "nvme reset", "device_specific",
		    "flr", "bus");
	cr_expect_str_eq(s(d, "reset_source"), "kernel");
	cr_expect(flag(jv_get(d, "capabilities"), "flr"));
	cr_expect_eq(num(jv_get(d, "capabilities"), "msix"), 8);

	/* NIC with the default route (v4 and v6) and addresses; the IPv6
	 * link-local address does not count */
	expect_strv(jv_get(grp(j, 7), "blocked_by"), "group 7 blocked_by",
		    "0000:03:00.0: enp3s0 carries the default route (IPv4)",
		    "0000:03:00.0: enp3s0 carries the default route (IPv6)",
		    "0000:03:00.0: enp3s0 has address 192.168.1.23/24",
		    "0000:03:00.0: enp3s0 has address 2001:db8:1::23/64");
	expect_strv(jv_get(dev(j, "0000:03:00.0"), "net"), "nic net", "enp3s0");

	/* free USB controller: only a driver change, nothing blocks */
	g = grp(j, 2);
	expect_strv(jv_get(g, "devices"), "group 2", "0000:00:14.0");
	cr_expect_not(flag(g, "viable"));
	expect_strv(jv_get(g, "needs_rebind"), "group 2 needs_rebind", "0000:00:14.0");
	expect_strv(jv_get(g, "blocked_by"), "group 2 blocked_by", NULL);
	expect_strv(jv_get(dev(j, "0000:00:14.0"), "in_use"), "usb in_use", NULL);

	/* the PCH functions without ACS share a group */
	expect_strv(jv_get(grp(j, 5), "devices"), "group 5", "0000:00:1f.0",
		    "0000:00:1f.3", "0000:00:1f.4");
	/* the host bridge has no driver: viable as it stands */
	cr_expect(flag(grp(j, 0), "viable"));
	jv_free(j);
}

Test(list, server_topology)
{
	struct jv *j = pt_json("server", "list", "--json");
	const struct jv *g, *d;

	expect_bdfs(j, "server", "0000:00:00.0", "0000:00:03.0", "0000:00:17.0",
		    "0000:00:1c.0", "0000:00:1c.4", "0000:00:1c.5", "0000:00:1f.0",
		    "0000:00:1f.3", "0000:00:1f.4", "0000:00:1f.5", "0000:01:00.0",
		    "0000:02:08.0", "0000:02:10.0", "0000:03:00.0", "0000:03:02.0",
		    "0000:03:02.1", "0000:03:02.2", "0000:03:02.3", "0000:04:00.0",
		    "0000:05:00.0", "0000:05:00.1", "0000:06:00.0", "0000:07:00.0",
		    "0000:08:00.0", NULL);
	cr_expect_eq(jv_len(jv_get(j, "groups")), 19);

	/* SR-IOV: PF with 4 of 64 VFs, links both ways */
	d = dev(j, "0000:03:00.0");
	cr_expect_str_eq(s(d, "driver"), "i40e");
	expect_strv(jv_get(d, "vfs"), "PF vfs", "0000:03:02.0", "0000:03:02.1",
		    "0000:03:02.2", "0000:03:02.3");
	cr_expect_eq(num(jv_get(d, "capabilities"), "sriov_total_vfs"), 64);
	cr_expect(flag(jv_get(d, "capabilities"), "ari"));
	cr_expect(jv_is_null(jv_get(d, "physfn")));
	for (int i = 0; i < 4; i++) {
		char bdf[16];

		snprintf(bdf, sizeof(bdf), "0000:03:02.%d", i);
		d = dev(j, bdf);
		cr_expect_str_eq(s(d, "physfn"), "0000:03:00.0", "%s physfn", bdf);
		cr_expect_str_eq(s(d, "device_id"), "0x154c", "%s", bdf);
		cr_expect_str_eq(s(d, "device"), "Ethernet Virtual Function 700 Series");
		cr_expect_eq(num(d, "iommu_group"), 5 + i, "%s group", bdf);
		cr_expect_str_eq(s(d, "driver"), i ? "iavf" : "vfio-pci", "%s", bdf);
		expect_strv(jv_get(d, "reset_methods"), bdf, "flr");
	}
	/* the VF already on vfio-pci: viable, nothing to rebind */
	d = dev(j, "0000:03:02.0");
	cr_expect_str_eq(s(d, "driver_override"), "vfio-pci");
	g = grp(j, 5);
	cr_expect_str_eq(s(g, "type"), "identity");
	cr_expect(flag(g, "viable"));
	expect_strv(jv_get(g, "needs_rebind"), "group 5 needs_rebind", NULL);
	expect_strv(jv_get(g, "blocked_by"), "group 5 blocked_by", NULL);
	g = grp(j, 6);
	cr_expect_not(flag(g, "viable"));
	expect_strv(jv_get(g, "not_viable"), "group 6", "0000:03:02.1 is bound to iavf");
	/* VF BARs live in the PF's SR-IOV capability: in the VF's own config
	 * they read 0, the kernel's resource file has them (64-bit, pref) */
	d = jv_at(jv_get(dev(j, "0000:03:02.1"), "bars"), 0);
	cr_expect_str_eq(s(d, "start"), "0x38000c10000");
	cr_expect_eq(num(d, "size"), 65536);
	cr_expect(flag(d, "is_64"), "VF BAR 0 is 64-bit (from the resource flags)");
	cr_expect(flag(d, "prefetchable"), "VF BAR 0 is prefetchable");

	/* multifunction I350 without ACS: both ports in one group, blocked
	 * by the port with the default route */
	g = grp(j, 12);
	expect_strv(jv_get(g, "devices"), "group 12", "0000:05:00.0", "0000:05:00.1");
	expect_strv(jv_get(g, "needs_rebind"), "group 12 needs_rebind",
		    "0000:05:00.0", "0000:05:00.1");
	expect_strv(jv_get(g, "blocked_by"), "group 12 blocked_by",
		    "0000:05:00.0: eno1 carries the default route (IPv4)",
		    "0000:05:00.0: eno1 has address 10.0.0.5/24");
	expect_strv(jv_get(dev(j, "0000:05:00.1"), "in_use"), "eno2", NULL);

	/* bridges with ACS each get their own group */
	for (int id = 1; id <= 3; id++)
		cr_expect_eq(jv_len(jv_get(grp(j, id), "devices")), 1, "group %d", id);
	d = jv_get(jv_get(dev(j, "0000:02:08.0"), "capabilities"), "acs");
	cr_expect_str_eq(s(d, "cap"), "0x005f");
	cr_expect_str_eq(s(d, "ctrl"), "0x001d");
	cr_expect_str_eq(s(jv_get(dev(j, "0000:02:08.0"), "capabilities"), "pcie"),
			 "downstream-port");
	cr_expect_str_eq(s(jv_get(dev(j, "0000:01:00.0"), "capabilities"), "pcie"),
			 "upstream-port");

	/* the unmounted NVMe is free */
	g = grp(j, 10);
	expect_strv(jv_get(g, "devices"), "group 10", "0000:04:00.0");
	expect_strv(jv_get(g, "blocked_by"), "group 10 blocked_by", NULL);
	expect_strv(jv_get(g, "needs_rebind"), "group 10 needs_rebind", "0000:04:00.0");
	expect_strv(jv_get(dev(j, "0000:04:00.0"), "block"), "nvme", "nvme0n1");
	expect_strv(jv_get(dev(j, "0000:04:00.0"), "partitions"), "nvme parts", NULL);

	/* pci-stub holds DMA safely: viable, but assign still moves it */
	g = grp(j, 14);
	cr_expect_str_eq(s(dev(j, "0000:06:00.0"), "driver"), "pci-stub");
	cr_expect(flag(g, "viable"));
	expect_strv(jv_get(g, "needs_rebind"), "group 14 needs_rebind", "0000:06:00.0");

	/* BMC VGA behind a PCIe-to-PCI bridge: one group with the bridge */
	g = grp(j, 16);
	expect_strv(jv_get(g, "devices"), "group 16", "0000:07:00.0", "0000:08:00.0");
	cr_expect_not(flag(g, "viable"));
	expect_strv(jv_get(g, "not_viable"), "group 16 not_viable",
		    "0000:08:00.0 is bound to ast");
	expect_strv(jv_get(g, "needs_rebind"), "group 16 needs_rebind", "0000:08:00.0");
	expect_strv(jv_get(g, "blocked_by"), "group 16 blocked_by",
		    "0000:08:00.0: boot VGA device (firmware and early console output)",
		    "0000:08:00.0: drives framebuffer fb0 (console on tty0 ttyS1)");

	/* root disk on the SATA controller */
	expect_strv(jv_get(grp(j, 17), "blocked_by"), "group 17 blocked_by",
		    "0000:00:17.0: sda2 mounted on /",
		    "0000:00:17.0: sda1 mounted on /boot/efi",
		    "0000:00:17.0: sda3 is active swap");
	cr_expect_eq(num(dev(j, "0000:03:00.0"), "numa_node"), 0);
	jv_free(j);
}

Test(list, laptop_without_iommu)
{
	struct jv *j = pt_json("laptop", "list", "--json");
	const struct jv *ds = jv_get(j, "devices");

	expect_bdfs(j, "laptop", "0000:00:00.0", "0000:00:02.0", "0000:00:14.0",
		    "0000:00:14.3", "0000:00:1d.0", "0000:00:1f.0", "0000:00:1f.3",
		    "0000:00:1f.4", "0000:00:1f.5", "0000:01:00.0", NULL);
	cr_expect(jv_is_null(jv_get(j, "groups")), "no IOMMU: groups is null");
	for (int i = 0; i < jv_len(ds); i++) {
		cr_expect(jv_is_null(jv_get(jv_at(ds, i), "iommu_group")),
			  "%s iommu_group", s(jv_at(ds, i), "bdf"));
		cr_expect(jv_is_null(jv_get(jv_at(ds, i), "numa_node")));
		/* Linux 5.10 has no reset_method: derived from capabilities */
		cr_expect_str_eq(s(jv_at(ds, i), "reset_source"), "derived");
	}
	expect_strv(jv_get(dev(j, "0000:01:00.0"), "reset_methods"), "nvme", "bus");
	expect_strv(jv_get(dev(j, "0000:00:02.0"), "reset_methods"), "igpu", "flr", "pm");
	expect_strv(jv_get(dev(j, "0000:00:1d.0"), "reset_methods"), "root port", "pm");
	expect_strv(jv_get(dev(j, "0000:00:1f.0"), "reset_methods"), "lpc", NULL);
	expect_strv(jv_get(dev(j, "0000:00:14.3"), "in_use"), "wifi",
		    "wlp0s20f3 carries the default route (IPv4)",
		    "wlp0s20f3 has address 192.168.0.42/24");
	expect_strv(jv_get(dev(j, "0000:01:00.0"), "in_use"), "nvme",
		    "nvme0n1p2 mounted on /", "nvme0n1p1 mounted on /boot/efi");
	cr_expect_str_eq(s(dev(j, "0000:00:14.3"), "device"), "Comet Lake PCH-LP CNVi WiFi");
	cr_expect_str_eq(s(dev(j, "0000:00:14.3"), "class"), "0x028000");
	jv_free(j);
}

Test(list, amd_topology)
{
	struct jv *j = pt_json("amd", "list", "--json");
	const struct jv *g, *d;

	cr_expect_eq(jv_len(jv_get(j, "devices")), 26);
	cr_expect_eq(jv_len(jv_get(j, "groups")), 14);
	/* the AMD IOMMU function is in no group, on a machine with groups */
	d = dev(j, "0000:00:00.2");
	cr_expect(jv_is_null(jv_get(d, "iommu_group")));
	cr_expect_str_eq(s(d, "class_name"), "IOMMU");

	/* X570 chipset switch without ACS: one group for everything below
	 * its upstream port; the NIC's route and the SATA disk's /home
	 * block it */
	g = grp(j, 9);
	expect_strv(jv_get(g, "devices"), "group 9", "0000:02:00.0", "0000:03:04.0",
		    "0000:03:08.0", "0000:03:09.0", "0000:04:00.0", "0000:05:00.0",
		    "0000:05:00.1", "0000:05:00.3", "0000:06:00.0");
	cr_expect_not(flag(g, "viable"));
	expect_strv(jv_get(g, "not_viable"), "group 9 not_viable",
		    "0000:04:00.0 is bound to igb", "0000:05:00.1 is bound to xhci_hcd",
		    "0000:05:00.3 is bound to xhci_hcd", "0000:06:00.0 is bound to ahci");
	expect_strv(jv_get(g, "needs_rebind"), "group 9 needs_rebind", "0000:04:00.0",
		    "0000:05:00.0", "0000:05:00.1", "0000:05:00.3", "0000:06:00.0");
	expect_strv(jv_get(g, "blocked_by"), "group 9 blocked_by",
		    "0000:04:00.0: enp4s0 carries the default route (IPv4)",
		    "0000:04:00.0: enp4s0 has address 192.168.1.50/24",
		    "0000:06:00.0: sda1 mounted on /home");

	/* the Radeon and its audio already on vfio-pci: viable, nothing to do */
	g = grp(j, 12);
	expect_strv(jv_get(g, "devices"), "group 12", "0000:09:00.0", "0000:09:00.1");
	cr_expect(flag(g, "viable"));
	expect_strv(jv_get(g, "needs_rebind"), "group 12 needs_rebind", NULL);
	expect_strv(jv_get(g, "blocked_by"), "group 12 blocked_by", NULL);
	/* no FLR, PM NoSoftRst+, a sibling on the bus: the kernel has no
	 * reset method (no reset_method file), and neither does passthru */
	d = dev(j, "0000:09:00.0");
	expect_strv(jv_get(d, "reset_methods"), "navi reset", NULL);
	cr_expect_str_eq(s(d, "reset_source"), "derived");
	cr_expect_str_eq(s(d, "driver_override"), "vfio-pci");
	cr_expect_str_eq(s(d, "parent"), "0000:08:00.0");
	/* a 16 GiB 64-bit prefetchable BAR (resizable-BAR class) */
	d = jv_at(jv_get(d, "bars"), 0);
	cr_expect_eq(jv_get(d, "size")->num, 17179869184.0);
	cr_expect(flag(d, "is_64"));

	/* the host's console GPU; its audio function has no pci.ids name */
	expect_strv(jv_get(grp(j, 13), "blocked_by"), "group 13 blocked_by",
		    "0000:0a:00.0: boot VGA device (firmware and early console output)",
		    "0000:0a:00.0: drives framebuffer fb0 (console on tty0)");
	cr_expect_str_eq(s(dev(j, "0000:0a:00.1"), "device"), "");
	cr_expect_str_eq(s(dev(j, "0000:0a:00.1"), "vendor"), "NVIDIA Corporation");
	jv_free(j);
}

Test(list, class_filter)
{
	struct jv *j = pt_json("server", "list", "--json", "--class", "net");
	const struct jv *gs;

	expect_bdfs(j, "server --class net", "0000:03:00.0", "0000:03:02.0",
		    "0000:03:02.1", "0000:03:02.2", "0000:03:02.3", "0000:05:00.0",
		    "0000:05:00.1", "0000:06:00.0", NULL);
	gs = jv_get(j, "groups");
	cr_expect_eq(jv_len(gs), 7, "groups holding a net device: 4,5,6,7,8,12,14");
	jv_free(j);

	j = pt_json("workstation", "list", "--json", "--class", "storage");
	expect_bdfs(j, "workstation --class storage", "0000:02:00.0", NULL);
	jv_free(j);
	j = pt_json("workstation", "list", "--json", "--class", "display");
	expect_bdfs(j, "workstation --class display", "0000:01:00.0", NULL);
	jv_free(j);
	j = pt_json("workstation", "list", "--json", "--class", "audio");
	expect_bdfs(j, "workstation --class audio", "0000:00:1f.3", "0000:01:00.1", NULL);
	jv_free(j);
	j = pt_json("server", "list", "--json", "--class", "bridge");
	expect_bdfs(j, "server --class bridge", "0000:00:00.0", "0000:00:03.0",
		    "0000:00:1c.0", "0000:00:1c.4", "0000:00:1c.5", "0000:00:1f.0",
		    "0000:01:00.0", "0000:02:08.0", "0000:02:10.0", "0000:07:00.0", NULL);
	jv_free(j);
	j = pt_json("laptop", "list", "--json", "--class", "usb");
	expect_bdfs(j, "laptop --class usb", "0000:00:14.0", NULL);
	jv_free(j);
}

/* Table cells are separated by two or more blanks: " | " here. */
static const char *cells(const char *line)
{
	static char buf[4096];
	size_t n = 0;

	for (const char *p = line; *p && n < sizeof(buf) - 4; p++) {
		if (p[0] == ' ' && p[1] == ' ') {
			while (p[1] == ' ')
				p++;
			if (p[1]) {
				memcpy(buf + n, " | ", 3);
				n += 3;
			}
			continue;
		}
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return buf;
}

Test(list, table)
{
	struct run r;

	pt(&r, "workstation", "list");
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_expect_str_empty(r.err);
	cr_expect_null(strchr(r.out, '\033'), "no colour when not a terminal");
	cr_expect_eq(line_count(r.out), 13, "header + 12 devices:\n%s", r.out);
	cr_expect_str_eq(cells(line_at(r.out, 0)),
			 "BDF | IDS | CLASS | DRIVER | GROUP | DEVICE | IN USE");
	cr_expect_str_eq(cells(line_at(r.out, 9)),
			 "0000:01:00.0 | 10de:1b80 | display | nouveau | 1 | "
			 "NVIDIA Corporation GP104 [GeForce GTX 1080] | boot VGA "
			 "device (firmware and early console output) (+1 more)");
	cr_expect_str_eq(cells(line_at(r.out, 1)),
			 "0000:00:00.0 | 8086:3e30 | bridge | - | 0 | Intel Corporation "
			 "8th/9th Gen Core 8-core Desktop Processor Host Bridge/DRAM "
			 "Registers [Coffee Lake S] | platform device (host bridge): "
			 "the host cannot run without it");
	run_free(&r);
}

/* Colour only on a terminal (script(1) gives passthru one), and never
 * with NO_COLOR set. */
Test(list, colour_on_a_terminal_only)
{
	char cmd[8192];
	char *argv[] = { "env", "-u", "NO_COLOR", "script", "-qec", cmd, "/dev/null", NULL };
	char *argv_nc[] = { "env", "NO_COLOR=1", "script", "-qec", cmd, "/dev/null", NULL };
	struct run r;

	snprintf(cmd, sizeof(cmd), "%s --root %s list", pt_bin(), fixture("workstation"));
	run(&r, argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_not_null(strstr(r.out, "\033[1mBDF "), "bold header on a tty: %.300s", r.out);
	cr_expect_not_null(strstr(r.out, "\033[33mboot VGA device"), "yellow IN USE: %.300s",
			   r.out);
	run_free(&r);
	run(&r, argv_nc);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_null(strchr(r.out, '\033'), "NO_COLOR on a tty: %.300s", r.out);
	cr_expect_not_null(strstr(r.out, "BDF "), "%.300s", r.out);
	run_free(&r);
}

Test(list, groups_view)
{
	struct run r;

	pt(&r, "workstation", "list", "--groups");
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_expect_not_null(strstr(r.out, "IOMMU group 1  type DMA-FQ  not viable  blocked\n"
				  "  not viable: 0000:01:00.0 is bound to nouveau\n"
				  "  not viable: 0000:01:00.1 is bound to snd_hda_intel\n"
				  "  blocked by: 0000:01:00.0: boot VGA device (firmware and early console output)\n"
				  "  blocked by: 0000:01:00.0: drives framebuffer fb0 (console on tty0)\n"
				  "  assign would rebind to vfio-pci: 0000:01:00.0 0000:01:00.1\n"),
			   "group 1 block:\n%s", r.out);
	run_free(&r);

	pt(&r, "server", "list", "--groups");
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_expect_not_null(strstr(r.out, "IOMMU group 5  type identity  viable\n"
				  "  assign: every endpoint is already on vfio-pci\n"),
			   "group 5 block:\n%s", r.out);
	run_free(&r);

	pt(&r, "laptop", "list", "--groups");
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_expect_str_eq(line_at(r.out, 0), "No IOMMU groups: the IOMMU is absent or "
			 "disabled, so no device can be assigned (see `passthru check`).");
	run_free(&r);
}
