// SPDX-License-Identifier: MIT
/*
 * test-discovery.c — pt_scan() on a small workstation-like tree built
 * here: IOMMU groups and their exact viability / needs_rebind / blockers,
 * block and network children, derived and kernel reset methods, SR-IOV
 * links, BAR decoding, and a machine without IOMMU (groups NULL).
 *
 *  00:00.0 host bridge            -            group 0
 *  00:01.0 root port (no ACS)     pcieport     group 1
 *    01:00.0 GPU, boot VGA, fb0   nouveau      group 1
 *    01:00.1 HDA audio            snd_hda_intel group 1
 *  00:1d.0 root port              pcieport     group 2
 *    02:00.0 NVMe: p1 on /, p2 swap, p3 "/mnt/my disk"  nvme  group 3
 *  00:1f.6 NIC eth0: default route, addresses  e1000e  group 4
 *  03:00.0 vfio-pci, 03:00.1 unbound           group 5
 *  04:00.0 pci-stub                            group 6
 *  05:00.0 SR-IOV PF (igb), VFs 05:10.0 (vfio-pci) 05:10.1 (igbvf) groups 7, 8, 9
 *  06:00.0 bridge on shpchp                    group 10
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "lib/passthru.h"
#include "tests/unit/disc-tree.h"

/* libpci's allocations are left behind when its error callback longjmps
 * out (the unreadable-tree test): by design, see tools/discover.c */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libpci.so\n"; }
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }

static struct tt t;
static struct pt_ctx *ctx;
static const struct pt_system *sys;

static void pcie(uint8_t *cfg, uint8_t type, bool flr, bool pm)
{
	uint8_t body[6] = { (uint8_t)(0x02 | (type << 4)), 0, 0, 0, 0, flr ? 0x10 : 0 };
	uint8_t pmb[4] = { 0x03, 0, 0, 0 };

	tt_cap(cfg, 0x40, 0x10, body, sizeof(body));
	if (pm)
		tt_cap(cfg, 0x80, 0x01, pmb, sizeof(pmb));
}

static void build(bool iommu)
{
	uint8_t cfg[4096];
	int g = iommu ? 0 : -1;
#define G(n) (iommu ? (n) : -1)

	tt_init(&t);
	tt_cfg(cfg, 0x8086, 0x3e30, 0x060000, 0);
	tt_dev(&t, "pci0000:00/0000:00:00.0", cfg, 256, NULL, g);

	tt_cfg(cfg, 0x8086, 0x1901, 0x060400, 1);
	pcie(cfg, PT_PCIE_ROOT_PORT, false, true);
	tt_dev(&t, "pci0000:00/0000:00:01.0", cfg, 4096, "pcieport", G(1));
	tt_cfg(cfg, 0x10de, 0x1c82, 0x030000, 0x80);
	pcie(cfg, PT_PCIE_ENDPOINT, true, true);
	cfg[0x10] = 0x0c;	/* BAR0: 64-bit prefetchable memory */
	tt_dev(&t, "pci0000:00/0000:00:01.0/0000:01:00.0", cfg, 4096, "nouveau", G(1));
	tt_printf(&t, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/boot_vga", "1\n");
	tt_mkdir(&t, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/graphics/fb0");
	tt_link(&t, "sys/class/graphics/fb0", "../../devices/pci0000:00/0000:00:01.0/0000:01:00.0/graphics/fb0");
	tt_link(&t, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/graphics/fb0/device", "../../../0000:01:00.0");
	tt_printf(&t, "sys/class/tty/console/active", "tty0\n");
	tt_cfg(cfg, 0x10de, 0x0fb9, 0x040300, 0x80);
	pcie(cfg, PT_PCIE_ENDPOINT, false, true);
	tt_dev(&t, "pci0000:00/0000:00:01.0/0000:01:00.1", cfg, 4096, "snd_hda_intel", G(1));

	tt_cfg(cfg, 0x8086, 0xa330, 0x060400, 1);
	tt_dev(&t, "pci0000:00/0000:00:1d.0", cfg, 256, "pcieport", G(2));
	tt_cfg(cfg, 0x144d, 0xa808, 0x010802, 0);
	pcie(cfg, PT_PCIE_ENDPOINT, false, true);
	tt_dev(&t, "pci0000:00/0000:00:1d.0/0000:02:00.0", cfg, 4096, "nvme", G(3));
	tt_child(&t, "block", "nvme0n1", "pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/nvme0n1");
	tt_child(&t, "block", "nvme0n1p1", "pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/nvme0n1/nvme0n1p1");
	tt_child(&t, "block", "nvme0n1p2", "pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/nvme0n1/nvme0n1p2");
	tt_child(&t, "block", "nvme0n1p3", "pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/nvme0n1/nvme0n1p3");
	tt_child(&t, "block", "loop0", "virtual/block/loop0");
	/* loop0 has no backing file: nothing below it */
	tt_printf(&t, "proc/self/mountinfo",
		  "21 1 0:20 / /sys rw - sysfs sysfs rw\n"
		  "30 1 259:1 / / rw,relatime - ext4 /dev/nvme0n1p1 rw\n"
		  "31 30 259:3 / /mnt/my\\040disk rw - vfat /dev/nvme0n1p3 rw\n"
		  "32 30 7:0 / /snap/core ro - squashfs /dev/loop0 ro\n");
	tt_link(&t, "sys/dev/block/259:1", "../../devices/pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/nvme0n1/nvme0n1p1");
	tt_link(&t, "sys/dev/block/259:2", "../../devices/pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/nvme0n1/nvme0n1p2");
	tt_link(&t, "sys/dev/block/259:3", "../../devices/pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme0/nvme0n1/nvme0n1p3");
	tt_link(&t, "sys/dev/block/7:0", "../../devices/virtual/block/loop0");
	tt_printf(&t, "proc/swaps",
		  "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		  "/dev/nvme0n1p2                          partition\t8388604\t\t0\t\t-2\n");

	tt_cfg(cfg, 0x8086, 0x15bc, 0x020000, 0);
	pcie(cfg, PT_PCIE_RC_INTEGRATED, true, true);
	tt_dev(&t, "pci0000:00/0000:00:1f.6", cfg, 4096, "e1000e", G(4));
	tt_printf(&t, "sys/devices/pci0000:00/0000:00:1f.6/reset_method", "flr pm\n");
	tt_child(&t, "net", "eth0", "pci0000:00/0000:00:1f.6/net/eth0");
	tt_child(&t, "net", "lo", "virtual/net/lo");
	/* the kernel's own subnet route (proto 2) blocks nothing by itself */
	tt_printf(&t, ".passthru/routes",
		  "inet table=254 proto=16 type=1 dst=0.0.0.0/0 dev=eth0 via=192.168.1.1\n"
		  "inet table=254 proto=2 type=1 dst=192.168.1.0/24 dev=eth0 via=-\n"
		  "inet6 table=254 proto=3 type=7 dst=::/0 dev=lo via=-\n");
	tt_printf(&t, "proc/net/if_inet6",
		  "20010db8000000000000000000000020 02 40 00 80     eth0\n"
		  "fe800000000000000000000000000001 02 40 20 80     eth0\n"
		  "00000000000000000000000000000001 01 80 10 80       lo\n");
	tt_printf(&t, ".passthru/ifaddrs", "lo inet 127.0.0.1/8\neth0 inet 192.168.1.20/24\n");

	tt_cfg(cfg, 0x1234, 0x11e8, 0x00ff00, 0x80);
	tt_dev(&t, "pci0000:00/0000:00:1c.0/0000:03:00.0", cfg, 256, "vfio-pci", G(5));
	tt_dev(&t, "pci0000:00/0000:00:1c.0/0000:03:00.1", cfg, 256, NULL, G(5));
	tt_dev(&t, "pci0000:00/0000:00:1c.1/0000:04:00.0", cfg, 256, "pci-stub", G(6));

	tt_cfg(cfg, 0x8086, 0x10c9, 0x020000, 0);
	pcie(cfg, PT_PCIE_ENDPOINT, true, false);
	{
		uint8_t sriov[0x3c] = { 0 };

		sriov[0x0e - 4] = 7;	/* TotalVFs */
		tt_ecap(cfg, 0x160, 0x0010, sriov, sizeof(sriov));
	}
	/* the kernel has sriov_* files only on a PF (SR-IOV capability) */
	tt_dev(&t, "pci0000:00/0000:00:1c.2/0000:05:00.0", cfg, 4096, "igb", G(7));
	tt_printf(&t, "sys/devices/pci0000:00/0000:00:1c.2/0000:05:00.0/sriov_totalvfs", "7\n");
	tt_printf(&t, "sys/devices/pci0000:00/0000:00:1c.2/0000:05:00.0/sriov_numvfs", "2\n");
	tt_link(&t, "sys/devices/pci0000:00/0000:00:1c.2/0000:05:00.0/virtfn0", "../0000:05:10.0");
	tt_link(&t, "sys/devices/pci0000:00/0000:00:1c.2/0000:05:00.0/virtfn1", "../0000:05:10.1");
	tt_cfg(cfg, 0x8086, 0x10ca, 0x020000, 0);
	tt_dev(&t, "pci0000:00/0000:00:1c.2/0000:05:10.0", cfg, 256, "vfio-pci", G(8));
	tt_link(&t, "sys/devices/pci0000:00/0000:00:1c.2/0000:05:10.0/physfn", "../0000:05:00.0");
	tt_dev(&t, "pci0000:00/0000:00:1c.2/0000:05:10.1", cfg, 256, "igbvf", G(9));
	tt_link(&t, "sys/devices/pci0000:00/0000:00:1c.2/0000:05:10.1/physfn", "../0000:05:00.0");

	tt_cfg(cfg, 0x104c, 0x8240, 0x060400, 1);
	tt_dev(&t, "pci0000:00/0000:00:1c.3/0000:06:00.0", cfg, 256, "shpchp", G(10));
#undef G
	cr_assert_eq(pt_ctx_new(&ctx, t.root), 0, "%s", pt_last_error());
	cr_assert_eq(pt_scan(ctx, &sys), 0, "%s", pt_last_error());
}

static void setup(void) { build(true); }
static void setup_noiommu(void) { build(false); }

static void teardown(void)
{
	pt_ctx_free(ctx);
	tt_fini(&t);
}

static const struct pt_device *dev(const char *bdf)
{
	const struct pt_device *d = pt_find_device(sys, bdf);

	cr_assert_not_null(d, "no device %s", bdf);
	return d;
}

static void strv_eq(const struct pt_strv *sv, const char *const *want, int n)
{
	cr_assert_eq(sv->n, n, "%d strings, want %d (first: %s)", sv->n, n,
		     sv->n ? sv->v[0] : "-");
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(sv->v[i], want[i]);
}
#define STRV_EQ(sv, ...) do { const char *const w_[] = { __VA_ARGS__ }; \
	strv_eq(sv, w_, (int)(sizeof(w_) / sizeof(w_[0]))); } while (0)

TestSuite(disc, .init = setup, .fini = teardown);

Test(disc, devices_and_groups)
{
	cr_assert_eq(sys->nr_devices, 14);
	cr_assert_str_eq(sys->devices[0]->bdf, "0000:00:00.0");
	cr_assert_str_eq(sys->devices[13]->bdf, "0000:06:00.0");
	cr_assert(sys->has_iommu);
	cr_assert_eq(sys->nr_groups, 11);
	cr_assert_eq(dev("0000:01:00.1")->iommu_group, 1);
	cr_assert_eq(dev("0000:01:00.1")->group, pt_find_group(sys, 1));
	cr_assert_str_eq(pt_find_group(sys, 1)->type, "DMA");
}

Test(disc, ids_class_bars)
{
	const struct pt_device *d = dev("0000:01:00.0");

	cr_assert_eq(d->vendor_id, 0x10de);
	cr_assert_eq(d->device_id, 0x1c82);
	cr_assert_eq(d->class_code, 0x030000);
	cr_assert_str_eq(pt_device_class_key(d), "display");
	cr_assert_str_eq(pt_device_class_key(dev("0000:01:00.1")), "audio");
	cr_assert_str_eq(pt_device_class_key(dev("0000:02:00.0")), "storage");
	cr_assert_eq(d->revision, 1);
	cr_assert(d->multifunction);
	cr_assert(!d->is_bridge);
	cr_assert(dev("0000:00:01.0")->is_bridge);
	cr_assert_str_eq(d->driver, "nouveau");
	cr_assert_str_eq(d->driver_override, "");
	cr_assert_str_eq(d->parent, "0000:00:01.0");
	cr_assert_eq(d->config_len, 4096);
	cr_assert_eq(d->nr_bars, 1);
	cr_assert_eq(d->bars[0].index, 0);
	cr_assert_eq(d->bars[0].start, 0xfe000000);
	cr_assert_eq(d->bars[0].size, 0x4000);
	cr_assert(d->bars[0].is_64);
	cr_assert(d->bars[0].prefetchable);
	cr_assert_eq(d->bars[0].kind, PT_BAR_MEM);
	cr_assert(d->boot_vga);
	cr_assert_eq(d->caps->pcie_type, PT_PCIE_ENDPOINT);
}

Test(disc, viability_exactly_as_vfio)
{
	const struct pt_group *g;

	/* GPU + audio behind a root port without ACS */
	g = pt_find_group(sys, 1);
	cr_assert_eq(g->nr_devices, 3);
	cr_assert_str_eq(g->devices[0]->bdf, "0000:00:01.0");
	cr_assert(!g->viable);
	STRV_EQ(&g->not_viable, "0000:01:00.0 is bound to nouveau",
		"0000:01:00.1 is bound to snd_hda_intel");
	STRV_EQ(&g->needs_rebind, "0000:01:00.0", "0000:01:00.1");

	/* a bridge on pcieport alone: viable, nothing to rebind */
	g = pt_find_group(sys, 2);
	cr_assert(g->viable);
	cr_assert_eq(g->needs_rebind.n, 0);

	/* host bridge without driver */
	cr_assert(pt_find_group(sys, 0)->viable);
	STRV_EQ(&pt_find_group(sys, 0)->needs_rebind, "0000:00:00.0");

	/* vfio-pci + unbound: viable; the unbound one still moves */
	g = pt_find_group(sys, 5);
	cr_assert(g->viable);
	STRV_EQ(&g->needs_rebind, "0000:03:00.1");

	/* pci-stub: viable */
	g = pt_find_group(sys, 6);
	cr_assert(g->viable);
	STRV_EQ(&g->needs_rebind, "0000:04:00.0");

	/* a bridge on a driver that owns DMA is not exempt */
	g = pt_find_group(sys, 10);
	cr_assert(!g->viable);
	STRV_EQ(&g->not_viable, "0000:06:00.0 is bound to shpchp");
	cr_assert_eq(g->needs_rebind.n, 0);

	cr_assert(pt_find_group(sys, 8)->viable);
	cr_assert(!pt_find_group(sys, 9)->viable);
}

Test(disc, driver_predicates)
{
	cr_assert(pt_driver_is_vfio("vfio-pci"));
	cr_assert(pt_driver_is_vfio("mlx5_vfio_pci"));
	cr_assert(!pt_driver_is_vfio("vfio"));
	cr_assert(!pt_driver_is_vfio(""));
	cr_assert(pt_driver_is_dma_safe("", false));
	cr_assert(pt_driver_is_dma_safe("pci-stub", false));
	cr_assert(pt_driver_is_dma_safe("pcieport", true));
	cr_assert(!pt_driver_is_dma_safe("e1000e", false));
}

/* The variant drivers' names as Linux 6.12 registers them (KBUILD_MODNAME
 * of drivers/vfio/pci/VENDOR/), and names that merely contain vfio-pci. */
Test(disc, vfio_variant_driver_names)
{
	static const char *const variants[] = {
		"mlx5_vfio_pci", "hisi_acc_vfio_pci", "pds_vfio_pci",
		"virtio_vfio_pci", "nvgrace_gpu_vfio_pci", "qat_vfio_pci",
	};
	static const char *const others[] = {
		"vfio_pci", "vfio_pci_core", "vfio-pci-core", "xvfio-pci",
		"vfio-pcie", "_vfio_pci", "pci-stub", "vfio-platform",
	};

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		cr_assert(pt_driver_is_vfio(variants[i]), "%s", variants[i]);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		cr_assert(!pt_driver_is_vfio(others[i]), "%s", others[i]);
	cr_assert(!pt_driver_is_vfio(NULL));
}

/* One device's group judged straight from the tree's sysfs, as vfio/ does
 * at every open: the same verdict as the scan, for every group. */
Test(disc, viability_without_a_scan)
{
	char want[1024];
	int group = -1;

	for (int i = 0; i < sys->nr_groups; i++) {
		const struct pt_group *g = sys->groups[i];
		const char *bdf = g->devices[g->nr_devices - 1]->bdf;

		group = -1;
		cr_assert_eq(pt_group_check_viable(t.root, bdf, &group),
			     g->viable ? 0 : -EBUSY, "%s: %s", bdf, pt_last_error());
		cr_assert_eq(group, g->id, "%s", bdf);
	}
	cr_assert_eq(pt_group_check_viable(t.root, "0000:01:00.1", NULL), -EBUSY);
	snprintf(want, sizeof(want), "0000:01:00.1: IOMMU group 1 is not viable: "
		 "0000:01:00.0 is bound to nouveau, 0000:01:00.1 is bound to "
		 "snd_hda_intel; every device of a group must be on vfio-pci "
		 "(bridges may stay on pcieport): run `passthru assign "
		 "0000:01:00.1` to move the whole group, or unbind them");
	cr_assert_str_eq(pt_last_error(), want);
	cr_assert_eq(pt_group_check_viable(t.root, "0000:0f:00.0", NULL), -ENODEV);
	cr_assert_str_eq(pt_last_error(), "0000:0f:00.0: no such PCI device; see "
			 "`passthru list`");
}

Test(disc, children)
{
	const struct pt_device *d = dev("0000:02:00.0");

	STRV_EQ(&d->block, "nvme0n1");
	STRV_EQ(&d->partitions, "nvme0n1p1", "nvme0n1p2", "nvme0n1p3");
	STRV_EQ(&dev("0000:00:1f.6")->net, "eth0");
	cr_assert_eq(dev("0000:00:00.0")->block.n + dev("0000:00:00.0")->net.n, 0);
}

Test(disc, blockers)
{
	STRV_EQ(&dev("0000:02:00.0")->in_use, "nvme0n1p1 mounted on /",
		"nvme0n1p3 mounted on /mnt/my disk", "nvme0n1p2 is active swap");
	STRV_EQ(&dev("0000:00:1f.6")->in_use,
		"eth0 carries the default route (IPv4)",
		"eth0 has address 192.168.1.20/24",
		"eth0 has address 2001:db8::20/64");
	STRV_EQ(&dev("0000:01:00.0")->in_use,
		"boot VGA device (firmware and early console output)",
		"drives framebuffer fb0 (console on tty0)");
	cr_assert_eq(dev("0000:01:00.1")->in_use.n, 0);
	cr_assert_eq(dev("0000:03:00.0")->in_use.n, 0);
	STRV_EQ(&pt_find_group(sys, 1)->blocked_by,
		"0000:01:00.0: boot VGA device (firmware and early console output)",
		"0000:01:00.0: drives framebuffer fb0 (console on tty0)");
	STRV_EQ(&pt_find_group(sys, 3)->blocked_by,
		"0000:02:00.0: nvme0n1p1 mounted on /",
		"0000:02:00.0: nvme0n1p3 mounted on /mnt/my disk",
		"0000:02:00.0: nvme0n1p2 is active swap");
	cr_assert_eq(pt_find_group(sys, 5)->blocked_by.n, 0);
}

Test(disc, reset_methods)
{
	const struct pt_device *d = dev("0000:00:1f.6");

	STRV_EQ(&d->reset_methods, "flr", "pm");
	cr_assert(d->reset_from_kernel);
	d = dev("0000:01:00.0");
	STRV_EQ(&d->reset_methods, "flr", "pm");	/* shares its bus: no bus reset */
	cr_assert(!d->reset_from_kernel);
	STRV_EQ(&dev("0000:01:00.1")->reset_methods, "pm");
	STRV_EQ(&dev("0000:02:00.0")->reset_methods, "pm", "bus");
	cr_assert_eq(dev("0000:00:00.0")->reset_methods.n, 0);
}

Test(disc, sriov)
{
	const struct pt_device *pf = dev("0000:05:00.0");

	cr_assert_eq(pf->sriov_totalvfs, 7);
	cr_assert_eq(pf->caps->sriov, 0x160);
	cr_assert_eq(pf->caps->sriov_total_vfs, 7);
	cr_assert_eq(pf->sriov_numvfs, 2);
	STRV_EQ(&pf->vfs, "0000:05:10.0", "0000:05:10.1");
	cr_assert_str_eq(pf->physfn, "");
	cr_assert_str_eq(dev("0000:05:10.1")->physfn, "0000:05:00.0");
	cr_assert_eq(dev("0000:05:10.1")->sriov_totalvfs, -1);
}

TestSuite(noiommu, .init = setup_noiommu, .fini = teardown);

Test(noiommu, groups_null_blockers_kept)
{
	cr_assert(!sys->has_iommu);
	cr_assert_null(sys->groups);
	cr_assert_eq(sys->nr_groups, 0);
	cr_assert_eq(dev("0000:01:00.0")->iommu_group, -1);
	cr_assert_null(dev("0000:01:00.0")->group);
	cr_assert_null(pt_find_group(sys, 1));
	cr_assert_eq(dev("0000:02:00.0")->in_use.n, 3);
}

Test(tree, bad_roots)
{
	struct pt_ctx *c;
	struct tt u;

	cr_assert_eq(pt_ctx_new(&c, "/nonexistent-pt"), -ENOENT);
	cr_assert_str_eq(pt_last_error(), "--root /nonexistent-pt: No such file or "
			 "directory; give the directory a `passthru snapshot` tar "
			 "was extracted into");
	tt_init(&u);
	tt_printf(&u, ".passthru-tree", "something else\n");
	cr_assert_eq(pt_ctx_new(&c, u.root), -EINVAL);
	cr_assert(strstr(pt_last_error(), "is not a passthru tree: its "
			 ".passthru-tree does not start with 'passthru-tree 1'"));
	tt_printf(&u, ".passthru-tree", "passthru-tree 1\n");
	cr_assert_eq(pt_ctx_new(&c, u.root), 0, "%s", pt_last_error());
	pt_ctx_free(c);
	tt_fini(&u);
}

Test(tree, unreadable_device_is_an_error_not_a_crash)
{
	const struct pt_system *s;
	struct pt_ctx *c;
	uint8_t cfg[4096];
	struct tt u;

	tt_init(&u);
	tt_cfg(cfg, 0x8086, 0x1533, 0x020000, 0);
	tt_dev(&u, "pci0000:00/0000:00:19.0", cfg, 256, "igb", -1);
	tt_printf(&u, "sys/devices/pci0000:00/0000:00:19.0/resource", "%s", "");
	unlink(strcat(strcpy((char[PATH_MAX]){0}, u.root),
		      "/sys/devices/pci0000:00/0000:00:19.0/resource"));
	cr_assert_eq(pt_ctx_new(&c, u.root), 0, "%s", pt_last_error());
	cr_assert_eq(pt_scan(c, &s), -EIO);
	cr_assert(strstr(pt_last_error(), "cannot read the PCI devices under "),
		  "%s", pt_last_error());
	cr_assert(strstr(pt_last_error(), "capture it again with `passthru snapshot`"));
	pt_ctx_free(c);
	tt_fini(&u);
}

/* A blocker source that cannot be read must stop discovery: otherwise the
 * disk holding / would look free to `assign`. */
Test(tree, unreadable_blocker_source_fails_closed)
{
	static const char *const files[] = {
		"proc/self/mountinfo", "proc/swaps", ".passthru/routes",
		".passthru/rules", ".passthru/ifaddrs",
	};
	const struct pt_system *s;
	char path[PATH_MAX], want[PATH_MAX + 256];
	struct pt_ctx *c;
	uint8_t cfg[4096];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct tt u;

		tt_init(&u);
		tt_cfg(cfg, 0x144d, 0xa808, 0x010802, 0);
		tt_dev(&u, "pci0000:00/0000:00:1d.0/0000:02:00.0", cfg, 256, "nvme", -1);
		snprintf(path, sizeof(path), "%s/%s", u.root, files[i]);
		cr_assert_eq(unlink(path), 0);
		cr_assert_eq(mkdir(path, 0755), 0);
		cr_assert_eq(pt_ctx_new(&c, u.root), 0, "%s", pt_last_error());
		cr_assert_eq(pt_scan(c, &s), -EISDIR, "%s", files[i]);
		snprintf(want, sizeof(want), "cannot read %s: Is a directory; without "
			 "it a device in use (mounted, swapping, routing) could look "
			 "free, so discovery stops here; capture the tree again with "
			 "`passthru snapshot`", path);
		cr_assert_str_eq(pt_last_error(), want);
		pt_ctx_free(c);
		tt_fini(&u);
	}
}

/* IPv6 may be off: its files are optional (absent), never unreadable. */
Test(tree, ipv6_files_optional)
{
	const struct pt_system *s;
	struct pt_ctx *c;
	uint8_t cfg[4096];
	struct tt u;

	tt_init(&u);
	tt_cfg(cfg, 0x8086, 0x1533, 0x020000, 0);
	tt_dev(&u, "pci0000:00/0000:00:19.0", cfg, 256, "igb", -1);
	tt_child(&u, "net", "eth0", "pci0000:00/0000:00:19.0/net/eth0");
	tt_printf(&u, ".passthru/routes",
		  "inet table=254 proto=16 type=1 dst=0.0.0.0/0 dev=eth0 via=192.168.1.1\n"
		  "inet table=254 proto=2 type=1 dst=192.168.1.0/24 dev=eth0 via=-\n");
	cr_assert_eq(pt_ctx_new(&c, u.root), 0, "%s", pt_last_error());
	cr_assert_eq(pt_scan(c, &s), 0, "%s", pt_last_error());
	/* no proc/net/if_inet6 at all, and the kernel's subnet route: one
	 * reason only */
	STRV_EQ(&pt_find_device(s, "0000:00:19.0")->in_use,
		"eth0 carries the default route (IPv4)");
	pt_ctx_free(c);
	tt_fini(&u);
}
