// SPDX-License-Identifier: MIT
/*
 * test-snapshot.c — pt_snapshot_stage() copies a tree's TREE.md paths so
 * that a scan of the copy equals a scan of the original: config bytes
 * (binary) identical, symlink texts identical, the marker and ifaddrs
 * written, and the same devices, groups, children and blockers.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "lib/passthru.h"
#include "tests/unit/disc-tree.h"

static struct tt t;
static char copy[PATH_MAX];

static void build(void)
{
	uint8_t cfg[4096];
	uint8_t body[6] = { 0x02, 0, 0, 0, 0, 0x10 };

	tt_init(&t);
	tt_cfg(cfg, 0x8086, 0x1901, 0x060400, 1);
	tt_dev(&t, "pci0000:00/0000:00:01.0", cfg, 256, "pcieport", 1);
	tt_cfg(cfg, 0x144d, 0xa808, 0x010802, 0);
	tt_cap(cfg, 0x40, 0x10, body, sizeof(body));
	for (int i = 0x100; i < 4096; i++)
		cfg[i] = (uint8_t)(i * 7);	/* binary, with NULs */
	cfg[0x100] = cfg[0x101] = cfg[0x102] = cfg[0x103] = 0;
	tt_dev(&t, "pci0000:00/0000:00:01.0/0000:01:00.0", cfg, 4096, "nvme", 2);
	tt_printf(&t, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/reset_method", "flr\n");
	tt_child(&t, "block", "nvme0n1", "pci0000:00/0000:00:01.0/0000:01:00.0/nvme/nvme0/nvme0n1");
	tt_child(&t, "block", "nvme0n1p1", "pci0000:00/0000:00:01.0/0000:01:00.0/nvme/nvme0/nvme0n1/nvme0n1p1");
	tt_printf(&t, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/nvme/nvme0/nvme0n1/dev", "259:0\n");
	/* / on LVM over the partition: the stack must survive the copy */
	tt_printf(&t, "proc/self/mountinfo", "30 1 253:0 / / rw - ext4 /dev/mapper/vg0-root rw\n");
	tt_printf(&t, "sys/devices/virtual/block/dm-0/dev", "253:0\n");
	tt_printf(&t, "sys/devices/virtual/block/dm-0/dm/name", "vg0-root\n");
	tt_link(&t, "sys/devices/virtual/block/dm-0/slaves/nvme0n1p1",
		"../../../pci0000:00/0000:00:01.0/0000:01:00.0/nvme/nvme0/nvme0n1/nvme0n1p1");
	tt_link(&t, "sys/class/block/dm-0", "../../devices/virtual/block/dm-0");
	tt_link(&t, "sys/dev/block/253:0", "../../devices/virtual/block/dm-0");
	tt_cfg(cfg, 0x8086, 0x1533, 0x020000, 0);
	tt_dev(&t, "pci0000:00/0000:00:1f.6", cfg, 256, "igb", 3);
	tt_child(&t, "net", "eth0", "pci0000:00/0000:00:1f.6/net/eth0");
	/* eth0 is a port of br0, which has the address */
	tt_mkdir(&t, "sys/devices/virtual/net/br0");
	tt_link(&t, "sys/class/net/br0", "../../devices/virtual/net/br0");
	tt_link(&t, "sys/devices/pci0000:00/0000:00:1f.6/net/eth0/master",
		"../../../../virtual/net/br0");
	tt_link(&t, "sys/devices/virtual/net/br0/lower_eth0",
		"../../../pci0000:00/0000:00:1f.6/net/eth0");
	tt_printf(&t, ".passthru/ifaddrs", "br0 inet 10.0.0.2/8\n");
	tt_printf(&t, "proc/cmdline", "intel_iommu=on\n");
	tt_write(&t, "dev/vfio/vfio", "", 0);
	snprintf(copy, sizeof(copy), "%s.copy", t.root);
}

static void teardown(void)
{
	nftw(copy, tt_rm, 16, FTW_DEPTH | FTW_PHYS);
	tt_fini(&t);
}

TestSuite(snapshot, .init = build, .fini = teardown);

static void same_file(const char *rel, size_t want_len)
{
	char a[PATH_MAX], b[PATH_MAX];
	static char ba[8192], bb[8192];
	FILE *fa, *fb;
	size_t na, nb;

	snprintf(a, sizeof(a), "%s/%s", t.root, rel);
	snprintf(b, sizeof(b), "%s/%s", copy, rel);
	fa = fopen(a, "rb");
	fb = fopen(b, "rb");
	cr_assert(fa && fb, "%s missing in the copy", rel);
	na = fread(ba, 1, sizeof(ba), fa);
	nb = fread(bb, 1, sizeof(bb), fb);
	fclose(fa);
	fclose(fb);
	cr_assert_eq(nb, want_len, "%s: %zu bytes", rel, nb);
	cr_assert_eq(na, nb);
	cr_assert(!memcmp(ba, bb, na), "%s differs", rel);
}

static void same_link(const char *rel)
{
	char a[PATH_MAX], b[PATH_MAX], ta[PATH_MAX] = "", tb[PATH_MAX] = "";

	snprintf(a, sizeof(a), "%s/%s", t.root, rel);
	snprintf(b, sizeof(b), "%s/%s", copy, rel);
	cr_assert_gt(readlink(a, ta, sizeof(ta) - 1), 0);
	cr_assert_gt(readlink(b, tb, sizeof(tb) - 1), 0, "%s is not a link in the copy", rel);
	cr_assert_str_eq(tb, ta);
}

Test(snapshot, copy_scans_the_same)
{
	const struct pt_system *s1, *s2;
	struct pt_ctx *c1, *c2;

	cr_assert_eq(pt_ctx_new(&c1, t.root), 0, "%s", pt_last_error());
	cr_assert_eq(pt_snapshot_stage(c1, copy), 0, "%s", pt_last_error());

	same_file("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/config", 4096);
	same_file("sys/devices/pci0000:00/0000:00:1f.6/config", 256);
	same_file("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/reset_method", 4);
	same_file("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/nvme/nvme0/nvme0n1/dev", 6);
	same_file("proc/self/mountinfo", 49);
	same_file(".passthru/ifaddrs", 20);
	same_file("sys/devices/virtual/block/dm-0/dm/name", 9);
	same_link("sys/dev/block/253:0");
	same_link("sys/devices/virtual/block/dm-0/slaves/nvme0n1p1");
	same_link("sys/devices/pci0000:00/0000:00:1f.6/net/eth0/master");
	same_link("sys/devices/virtual/net/br0/lower_eth0");
	same_file("dev/vfio/vfio", 0);
	same_link("sys/bus/pci/devices/0000:01:00.0");
	same_link("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/driver");
	same_link("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/iommu_group");
	same_link("sys/kernel/iommu_groups/2/devices/0000:01:00.0");
	same_link("sys/class/block/nvme0n1p1");
	same_link("sys/class/net/eth0");

	cr_assert_eq(pt_ctx_new(&c2, copy), 0, "the copy is a tree: %s", pt_last_error());
	cr_assert_eq(pt_scan(c1, &s1), 0, "%s", pt_last_error());
	cr_assert_eq(pt_scan(c2, &s2), 0, "%s", pt_last_error());
	cr_assert_eq(s2->nr_devices, 3);
	cr_assert_eq(s2->nr_groups, 3);
	for (int i = 0; i < s1->nr_devices; i++) {
		const struct pt_device *a = s1->devices[i], *b = s2->devices[i];

		cr_assert_str_eq(b->bdf, a->bdf);
		cr_assert_str_eq(b->driver, a->driver);
		cr_assert_eq(b->iommu_group, a->iommu_group);
		cr_assert_eq(b->class_code, a->class_code);
		cr_assert_eq(b->config_len, a->config_len);
		cr_assert_eq(b->caps->pcie, a->caps->pcie);
		cr_assert_eq(b->in_use.n, a->in_use.n);
		cr_assert_eq(b->reset_methods.n, a->reset_methods.n);
		cr_assert_str_eq(b->parent, a->parent);
	}
	cr_assert_str_eq(pt_find_device(s2, "0000:01:00.0")->in_use.v[0],
			 "nvme0n1p1 → dm-0 (vg0-root) mounted on /");
	cr_assert_str_eq(pt_find_device(s2, "0000:00:1f.6")->in_use.v[0],
			 "eth0 → br0 has address 10.0.0.2/8");
	cr_assert_str_eq(pt_find_device(s2, "0000:01:00.0")->reset_methods.v[0], "flr");
	pt_ctx_free(c1);
	pt_ctx_free(c2);
}
