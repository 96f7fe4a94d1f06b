// SPDX-License-Identifier: MIT
/*
 * test-devarg.c — the DEVICE argument: syntax (exact fields, exact error
 * sentences) and resolution against a small tree (BDF, ids, ambiguous ids
 * listing the candidates, interface names, slots, classes, libvirt node
 * device names, --all).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "lib/passthru.h"
#include "tests/unit/disc-tree.h"

static struct pt_devarg parse_ok(const char *s)
{
	struct pt_devarg a = PT_DEVARG_INIT;
	int r = pt_devarg_parse(s, &a);

	cr_assert_eq(r, 0, "'%s' should parse: %s", s, pt_last_error());
	return a;
}

static void parse_bad(const char *s, const char *msg)
{
	struct pt_devarg a = PT_DEVARG_INIT;

	cr_assert_eq(pt_devarg_parse(s, &a), -EINVAL, "'%s' should be rejected", s);
	cr_assert_str_eq(pt_last_error(), msg);
}

#define TAIL "; give a PCI address (0000:01:00.0 or 01:00.0), a slot (01:00), " \
	"vendor:device ids (8086:10d3), a class (class=net), a libvirt node device " \
	"(pci_0000_01_00_0) or an interface name (eth0)"

Test(devarg, full_bdf)
{
	struct pt_devarg a = parse_ok("0001:3a:1f.7");

	cr_assert_eq(a.kind, PT_DEVARG_BDF);
	cr_assert_eq(a.domain, 1);
	cr_assert_eq(a.bus, 0x3a);
	cr_assert_eq(a.dev, 0x1f);
	cr_assert_eq(a.func, 7);
	cr_assert(!a.short_bdf);
	a = parse_ok("0000:AB:0C.1");	/* upper case is accepted */
	cr_assert_eq(a.bus, 0xab);
	cr_assert_eq(a.dev, 0x0c);
}

Test(devarg, short_bdf)
{
	struct pt_devarg a = parse_ok("01:00.0");

	cr_assert_eq(a.kind, PT_DEVARG_BDF);
	cr_assert_eq(a.domain, 0);
	cr_assert_eq(a.bus, 1);
	cr_assert_eq(a.dev, 0);
	cr_assert_eq(a.func, 0);
	cr_assert(a.short_bdf);
}

Test(devarg, ids_and_ifname)
{
	struct pt_devarg a = parse_ok("8086:10d3");

	cr_assert_eq(a.kind, PT_DEVARG_IDS);
	cr_assert_eq(a.vendor, 0x8086);
	cr_assert_eq(a.device, 0x10d3);
	a = parse_ok("enp3s0f1");
	cr_assert_eq(a.kind, PT_DEVARG_IFNAME);
	cr_assert_str_eq(a.ifname, "enp3s0f1");
}

Test(devarg, slot_nodedev_class)
{
	struct pt_devarg a = parse_ok("3a:1f");

	cr_assert_eq(a.kind, PT_DEVARG_SLOT);
	cr_assert_eq(a.domain, 0);
	cr_assert_eq(a.bus, 0x3a);
	cr_assert_eq(a.dev, 0x1f);
	cr_assert(a.short_bdf);
	a = parse_ok("0001:02:03");
	cr_assert_eq(a.kind, PT_DEVARG_SLOT);
	cr_assert_eq(a.domain, 1);
	cr_assert_eq(a.bus, 2);
	cr_assert_eq(a.dev, 3);
	cr_assert(!a.short_bdf);
	a = parse_ok("pci_0001_3a_1f_7");
	cr_assert_eq(a.kind, PT_DEVARG_BDF);
	cr_assert_eq(a.domain, 1);
	cr_assert_eq(a.bus, 0x3a);
	cr_assert_eq(a.dev, 0x1f);
	cr_assert_eq(a.func, 7);
	a = parse_ok("class=storage");
	cr_assert_eq(a.kind, PT_DEVARG_CLASS);
	cr_assert_str_eq(a.class_key, "storage");
	parse_bad("class=nic", "malformed device 'class=nic': a class is net, storage, "
		  "display, usb, audio, bridge, accel or other" TAIL);
	parse_bad("pci_0000_01_00_8", "malformed device 'pci_0000_01_00_8': a libvirt "
		  "node device is pci_DDDD_BB_DD_F" TAIL);
	parse_bad("pci_0000_0g_00_0", "malformed device 'pci_0000_0g_00_0': a libvirt "
		  "node device is pci_DDDD_BB_DD_F" TAIL);
	parse_bad("pci_0000_01_20_0", "malformed device 'pci_0000_01_20_0': device "
		  "number above 1f" TAIL);
	parse_bad("01:2z", "malformed device '01:2z': a slot is BB:DD or DDDD:BB:DD" TAIL);
	parse_bad("01:20", "malformed device '01:20': device number above 1f" TAIL);
	parse_bad("0g:00", "malformed device '0g:00': bus must be 2 hex digits" TAIL);
}

Test(devarg, malformed)
{
	parse_bad("", "malformed device '': empty" TAIL);
	parse_bad("01:00.8", "malformed device '01:00.8': function must be a single digit 0-7" TAIL);
	parse_bad("01:20.0", "malformed device '01:20.0': device number above 1f" TAIL);
	parse_bad("0g:00.0", "malformed device '0g:00.0': bus must be 2 hex digits" TAIL);
	parse_bad("000g:00:00.0", "malformed device '000g:00:00.0': domain must be 4 to 8 hex digits" TAIL);
	parse_bad("8086:10d", "malformed device '8086:10d': vendor:device ids are two groups of 4 hex digits" TAIL);
	parse_bad("1:00.0", "malformed device '1:00.0': a PCI address is DDDD:BB:DD.F or BB:DD.F" TAIL);
	parse_bad("01:00.0x", "malformed device '01:00.0x': a PCI address is DDDD:BB:DD.F or BB:DD.F" TAIL);
	parse_bad("eth/0", "malformed device 'eth/0': not a valid interface name" TAIL);
	parse_bad("abcdefghijklmnop", "malformed device 'abcdefghijklmnop': not a valid interface name" TAIL);
	parse_bad("..", "malformed device '..': not a valid interface name" TAIL);
}

static struct tt t;
static struct pt_ctx *ctx;

static void setup(void)
{
	uint8_t cfg[4096];

	tt_init(&t);
	tt_cfg(cfg, 0x8086, 0x10d3, 0x020000, 0);
	tt_dev(&t, "pci0000:00/0000:00:19.0", cfg, 256, "e1000e", -1);
	tt_dev(&t, "pci0000:00/0000:00:1a.0", cfg, 256, "e1000e", -1);
	tt_cfg(cfg, 0x10de, 0x1c82, 0x030000, 0);
	tt_dev(&t, "pci0000:00/0000:00:1c.0/0000:01:00.0", cfg, 256, "nouveau", -1);
	tt_cfg(cfg, 0x10de, 0x10f1, 0x040300, 0);
	tt_dev(&t, "pci0000:00/0000:00:1c.0/0000:01:00.1", cfg, 256, "snd_hda_intel", -1);
	tt_child(&t, "net", "eth0", "pci0000:00/0000:00:19.0/net/eth0");
	tt_child(&t, "net", "lo", "virtual/net/lo");
	cr_assert_eq(pt_ctx_new(&ctx, t.root), 0, "%s", pt_last_error());
}

static void teardown(void)
{
	pt_ctx_free(ctx);
	tt_fini(&t);
}

TestSuite(resolve, .init = setup, .fini = teardown);

Test(resolve, bdf_forms)
{
	const struct pt_device *d;

	cr_assert_eq(pt_resolve_device(ctx, "01:00.0", &d), 0, "%s", pt_last_error());
	cr_assert_str_eq(d->bdf, "0000:01:00.0");
	cr_assert_str_eq(d->driver, "nouveau");
	/* the upstream bridge comes from the sysfs path, listed or not */
	cr_assert_str_eq(d->parent, "0000:00:1c.0");
	cr_assert_eq(pt_resolve_device(ctx, "0000:00:1A.0", &d), 0);
	cr_assert_str_eq(d->bdf, "0000:00:1a.0");
}

Test(resolve, unknown_bdf)
{
	const struct pt_device *d = (void *)1;

	cr_assert_eq(pt_resolve_device(ctx, "02:00.0", &d), -ENODEV);
	cr_assert_null(d);
	cr_assert_str_eq(pt_last_error(), "unknown device '02:00.0': no PCI device at "
			 "0000:02:00.0; run `passthru list` to see the devices");
}

Test(resolve, unique_ids)
{
	const struct pt_device *d;

	cr_assert_eq(pt_resolve_device(ctx, "10de:1c82", &d), 0);
	cr_assert_str_eq(d->bdf, "0000:01:00.0");
}

Test(resolve, ambiguous_ids_list_candidates)
{
	const struct pt_device *d;

	cr_assert_eq(pt_resolve_device(ctx, "8086:10D3", &d), -EEXIST);
	cr_assert_null(d);
	cr_assert_str_eq(pt_last_error(), "ambiguous device '8086:10D3': 2 devices "
			 "match (0000:00:19.0, 0000:00:1a.0); give one of them by "
			 "its PCI address");
}

Test(resolve, unknown_ids)
{
	const struct pt_device *d;

	cr_assert_eq(pt_resolve_device(ctx, "8086:ffff", &d), -ENODEV);
	cr_assert_str_eq(pt_last_error(), "unknown device '8086:ffff': no PCI device "
			 "has vendor:device 8086:ffff; run `passthru list` to see "
			 "the devices");
}

Test(resolve, interface_names)
{
	const struct pt_device *d;

	cr_assert_eq(pt_resolve_device(ctx, "eth0", &d), 0, "%s", pt_last_error());
	cr_assert_str_eq(d->bdf, "0000:00:19.0");
	cr_assert_eq(pt_resolve_device(ctx, "lo", &d), -ENODEV);
	cr_assert_eq(pt_resolve_device(ctx, "eth1", &d), -ENODEV);
}

Test(devarg, wide_domain)
{
	struct pt_devarg a = parse_ok("10000:e1:00.0");	/* Intel VMD */

	cr_assert_eq(a.kind, PT_DEVARG_BDF);
	cr_assert_eq(a.domain, 0x10000);
	cr_assert_eq(a.bus, 0xe1);
	cr_assert_eq(a.dev, 0);
	parse_bad("000000000:00:00.0", "malformed device '000000000:00:00.0': a PCI "
		  "address is DDDD:BB:DD.F or BB:DD.F" TAIL);
}

Test(resolve, wide_domain_device)
{
	const struct pt_device *d;
	uint8_t cfg[4096];

	tt_cfg(cfg, 0x144d, 0xa808, 0x010802, 0);
	tt_dev(&t, "pci10000:e0/10000:e0:06.0/10000:e1:00.0", cfg, 256, "nvme", -1);
	pt_ctx_free(ctx);
	cr_assert_eq(pt_ctx_new(&ctx, t.root), 0, "%s", pt_last_error());
	cr_assert_eq(pt_resolve_device(ctx, "10000:e1:00.0", &d), 0, "%s", pt_last_error());
	cr_assert_str_eq(d->bdf, "10000:e1:00.0");
	cr_assert_str_eq(d->parent, "10000:e0:06.0");
}

/* `lspci -s 01:00`: every function of the slot */
Test(resolve, slot_selects_its_functions)
{
	const struct pt_device *v[8], *d;

	cr_assert_eq(pt_resolve_devices(ctx, "01:00", 0, v, 8), 2, "%s", pt_last_error());
	cr_assert_str_eq(v[0]->bdf, "0000:01:00.0");
	cr_assert_str_eq(v[1]->bdf, "0000:01:00.1");
	cr_assert_eq(pt_resolve_devices(ctx, "0000:01:00", 0, v, 8), 2);
	cr_assert_eq(pt_resolve_devices(ctx, "00:19", 0, v, 8), 1);
	cr_assert_str_eq(v[0]->bdf, "0000:00:19.0");
	cr_assert_eq(pt_resolve_device(ctx, "00:1a", &d), 0);
	cr_assert_str_eq(d->bdf, "0000:00:1a.0");
	/* one device wanted, two functions there */
	cr_assert_eq(pt_resolve_device(ctx, "01:00", &d), -EEXIST);
	cr_assert_null(d);
	cr_assert_str_eq(pt_last_error(), "ambiguous device '01:00': 2 devices match "
			 "(0000:01:00.0, 0000:01:00.1); give one of them by its PCI address");
	cr_assert_eq(pt_resolve_devices(ctx, "02:00", 0, v, 8), -ENODEV);
	cr_assert_str_eq(pt_last_error(), "unknown device '02:00': no PCI device in slot "
			 "0000:02:00; run `passthru list` to see the devices");
}

Test(resolve, ids_all_or_ambiguous)
{
	const struct pt_device *v[8];

	cr_assert_eq(pt_resolve_devices(ctx, "8086:10d3", 0, v, 8), -EEXIST);
	cr_assert_str_eq(pt_last_error(), "ambiguous device '8086:10d3': 2 devices "
			 "match (0000:00:19.0, 0000:00:1a.0); give one of them by its "
			 "PCI address, or all of them with --all");
	cr_assert_eq(pt_resolve_devices(ctx, "8086:10d3", PT_RESOLVE_ALL, v, 8), 2);
	cr_assert_str_eq(v[0]->bdf, "0000:00:19.0");
	cr_assert_str_eq(v[1]->bdf, "0000:00:1a.0");
	cr_assert_eq(pt_resolve_devices(ctx, "10de:1c82", PT_RESOLVE_ALL, v, 8), 1);
	cr_assert_str_eq(v[0]->bdf, "0000:01:00.0");
	cr_assert_eq(pt_resolve_devices(ctx, "8086:10d3", PT_RESOLVE_ALL, v, 1), -ENOSPC);
	cr_assert_str_eq(pt_last_error(), "device '8086:10d3' matches 2 devices, more "
			 "than 1 at once");
}

Test(resolve, classes)
{
	const struct pt_device *v[8], *d;

	cr_assert_eq(pt_resolve_device(ctx, "class=display", &d), 0, "%s", pt_last_error());
	cr_assert_str_eq(d->bdf, "0000:01:00.0");
	cr_assert_eq(pt_resolve_devices(ctx, "class=audio", 0, v, 8), 1);
	cr_assert_str_eq(v[0]->bdf, "0000:01:00.1");
	cr_assert_eq(pt_resolve_devices(ctx, "class=net", 0, v, 8), -EEXIST);
	cr_assert_str_eq(pt_last_error(), "ambiguous device 'class=net': 2 devices "
			 "match (0000:00:19.0, 0000:00:1a.0); give one of them by its "
			 "PCI address, or all of them with --all");
	cr_assert_eq(pt_resolve_devices(ctx, "class=net", PT_RESOLVE_ALL, v, 8), 2);
	cr_assert_str_eq(v[0]->bdf, "0000:00:19.0");
	cr_assert_str_eq(v[1]->bdf, "0000:00:1a.0");
	cr_assert_eq(pt_resolve_devices(ctx, "class=usb", PT_RESOLVE_ALL, v, 8), -ENODEV);
	cr_assert_str_eq(pt_last_error(), "unknown device 'class=usb': no PCI device of "
			 "class usb; run `passthru list` to see the devices");
}

/* what `virsh nodedev-list --cap pci` prints */
Test(resolve, libvirt_nodedev_names)
{
	const struct pt_device *d;

	cr_assert_eq(pt_resolve_device(ctx, "pci_0000_01_00_1", &d), 0, "%s", pt_last_error());
	cr_assert_str_eq(d->bdf, "0000:01:00.1");
	cr_assert_eq(pt_resolve_device(ctx, "pci_0000_02_00_0", &d), -ENODEV);
	cr_assert_str_eq(pt_last_error(), "unknown device 'pci_0000_02_00_0': no PCI "
			 "device at 0000:02:00.0; run `passthru list` to see the devices");
}

Test(resolve, system_accessors)
{
	const struct pt_system *sys;

	cr_assert_eq(pt_scan(ctx, &sys), 0, "%s", pt_last_error());
	cr_assert_eq(sys->nr_devices, 4);
	cr_assert_str_eq(pt_system_device(sys, 0)->bdf, "0000:00:19.0");
	cr_assert_str_eq(pt_system_device(sys, 3)->bdf, "0000:01:00.1");
	cr_assert_null(pt_system_device(sys, 4));
	cr_assert_null(pt_system_device(sys, -1));
	cr_assert_null(pt_system_group(sys, sys->nr_groups));
	cr_assert_null(pt_system_device(NULL, 0));
}

/* lib/ABI.md rule 3: the result is written as far as the caller's .size
 * reaches, so a program built against an older, smaller struct pt_devarg
 * keeps working, and one built against a newer one gets a zero tail. */
Test(devarg, written_as_far_as_the_callers_size)
{
	struct {
		struct pt_devarg a;
		unsigned char newer[8];
	} big;
	struct pt_devarg old;
	size_t old_size = offsetof(struct pt_devarg, ifname);

	memset(&old, 0xaa, sizeof(old));
	old.size = old_size;
	cr_assert_eq(pt_devarg_parse("8086:10d3", &old), 0, "%s", pt_last_error());
	cr_assert_eq(old.size, old_size, "the caller's size is kept");
	cr_assert_eq(old.kind, PT_DEVARG_IDS);
	cr_assert_eq(old.vendor, 0x8086);
	cr_assert_eq(old.device, 0x10d3);
	cr_assert_eq((unsigned char)old.ifname[0], 0xaa, "nothing past the caller's size");

	memset(&big, 0xaa, sizeof(big));
	big.a.size = sizeof(big);
	cr_assert_eq(pt_devarg_parse("class=net", &big.a), 0, "%s", pt_last_error());
	cr_assert_str_eq(big.a.class_key, "net");
	for (size_t i = 0; i < sizeof(big.newer); i++)
		cr_assert_eq(big.newer[i], 0, "a newer caller's tail is zero");

	memset(&old, 0, sizeof(old));
	cr_assert_eq(pt_devarg_parse("01:00.0", &old), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "pt_devarg_parse: struct pt_devarg: .size "
			 "is 0; fix: start from PT_DEVARG_INIT");
}
