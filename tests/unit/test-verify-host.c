// SPDX-License-Identifier: MIT
/*
 * test-verify-host.c — the verdicts of verify's host checks on synthetic
 * machines (pt_system built by hand): ACS on the path or the group holding
 * every peer, a switch port without ACS with a peer outside the group,
 * multifunction devices, only-implemented ACS bits required, group types,
 * drivers, interrupt remapping seen at runtime, allow_unsafe_interrupts.
 * The context is an empty captured tree, so nothing of this machine leaks
 * in (and VFIO's own viability verdict is not asked).
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "verify/checks.h"

#define MAXD 16
/* A scan's results, faked: the structs and the storage of their names. */
static struct pt_device devs[MAXD], *dev_ptrs[MAXD];
static struct pt_group groups[MAXD], *group_ptrs[MAXD];
static struct pt_caps caps[MAXD];
static char names[MAXD][3][PT_NAME_LEN];	/* bdf, parent, driver */
static char group_types[MAXD][PT_NAME_LEN];
static struct pt_device *members[MAXD][MAXD];
static struct pt_system sys;
static struct vfy_host host;
static struct pt_check iommu_on, ir_on;	/* what pt_host_check would have said */
static struct vfy_report rep;
static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void setup(void)
{
	strcpy(root, "/tmp/pt-verify-host.XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	put(".passthru-tree", "passthru-tree 1\n");
	put("sys/bus/pci/devices/.keep", "");
	memset(devs, 0, sizeof(devs));
	memset(caps, 0, sizeof(caps));
	memset(groups, 0, sizeof(groups));
	memset(&sys, 0, sizeof(sys));
	memset(&host, 0, sizeof(host));
	cr_assert_eq(pt_ctx_new(&host.ctx, root), 0, "%s", pt_last_error());
	host.sys = &sys;
	sys.devices = dev_ptrs;
	sys.groups = group_ptrs;
	for (int i = 0; i < MAXD; i++) {	/* ids without members too */
		group_ptrs[i] = &groups[i];
		groups[i].type = "";
	}
	sys.has_iommu = true;
	iommu_on = (struct pt_check){ .id = PT_CHECK_IOMMU_ENABLED, .name = "IOMMU enabled",
				      .detail = "1 IOMMU unit", .fix = "" };
	ir_on = (struct pt_check){ .id = PT_CHECK_INTREMAP, .name = "interrupt remapping",
				   .detail = "IR on", .fix = "" };
	host.iommu_enabled = &iommu_on;
	host.intremap = &ir_on;
	vfy_report_init(&rep);
}

static void teardown(void)
{
	vfy_report_free(&rep);
	pt_ctx_free(host.ctx);
	nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Adds a device; parent "" for the root bus; group -1 for none. */
static struct pt_device *dev(const char *bdf, const char *parent, int type,
			     bool bridge, int group, const char *driver)
{
	int i = sys.nr_devices++;
	struct pt_device *d = dev_ptrs[i] = &devs[i];

	d->bdf = strcpy(names[i][0], bdf);
	sscanf(bdf, "%x:%x:%x.%x", &d->domain, &d->bus, &d->dev, &d->func);
	d->parent = strcpy(names[i][1], parent);
	d->driver = strcpy(names[i][2], driver);
	d->driver_override = d->physfn = "";
	d->caps = &caps[i];
	caps[i].pcie_type = type;
	d->is_bridge = bridge;
	d->iommu_group = group;
	return d;
}

static void acs(struct pt_device *d, uint16_t cap, uint16_t ctrl)
{
	struct pt_caps *c = &caps[d - devs];

	c->acs = 0x100;
	c->acs_cap = cap;
	c->acs_ctrl = ctrl;
}

/* Builds the groups from the devices' iommu_group; type for all. */
static void make_groups(const char *type)
{
	for (int i = 0; i < sys.nr_devices; i++) {
		struct pt_device *d = &devs[i];
		struct pt_group *g;

		if (d->iommu_group < 0)
			continue;
		g = &groups[d->iommu_group];
		g->id = d->iommu_group;
		g->type = strcpy(group_types[d->iommu_group], type);
		g->devices = members[d->iommu_group];
		g->devices[g->nr_devices++] = d;
		g->viable = true;
		d->group = g;
		if (d->iommu_group + 1 > sys.nr_groups)
			sys.nr_groups = d->iommu_group + 1;
	}
}

static const struct vfy_result *result(const char *check)
{
	for (int i = 0; i < rep.nr; i++)
		if (!strcmp(rep.r[i]->check, check))
			return rep.r[i];
	cr_assert_fail("no result for %s", check);
	return NULL;
}

static void expect(const char *check, enum vfy_status st, const char *in_text)
{
	const struct vfy_result *r = result(check);
	const char *text = st == VFY_SKIP ? vfy_reason(r) : vfy_seen(r);

	cr_assert_eq(vfy_result_status(r), st, "%s: status %s, want %s (%s)", check,
		     vfy_status_name(vfy_result_status(r)), vfy_status_name(st), text);
	if (in_text)
		cr_assert_not_null(strstr(text, in_text), "%s: '%s' not in '%s'",
				   check, in_text, text);
}

#define SV_RR_CR_UF 0x1d

TestSuite(host, .init = setup, .fini = teardown);

/* root port with ACS -> isolated there */
Test(host, acs_on_root_port)
{
	struct pt_device *rp = dev("0000:00:05.0", "", PT_PCIE_ROOT_PORT, true, 1, "pcieport");
	struct pt_device *d;

	acs(rp, 0x5f, SV_RR_CR_UF);
	d = dev("0000:01:00.0", "0000:00:05.0", PT_PCIE_ENDPOINT, false, 2, "vfio-pci");
	make_groups("DMA");
	vfy_check_host(&rep, &host, d);
	cr_assert_eq(rep.nr, 7);
	expect("host.acs-isolation", VFY_PASS,
	       "0000:00:05.0 (root-port): ACS on (ctrl 0x001d, cap 0x005f)");
	expect("host.iommu-enabled", VFY_PASS, "0000:01:00.0 is in IOMMU group 2");
	expect("host.dma-translated", VFY_PASS, "group 2 type is DMA");
	expect("host.no-host-driver", VFY_PASS, "group 2: 0000:01:00.0: vfio-pci (tested)");
	expect("host.group-viable", VFY_PASS, "sysfs: every member of group 2");
	expect("host.interrupt-remapping", VFY_PASS, "no runtime evidence");
	expect("host.unsafe-interrupts-off", VFY_PASS, "neither vfio_iommu_type1 nor iommufd");
}

/* a switch whose downstream ports lack ACS; the peer is in another group */
Test(host, acs_missing_on_switch_port_names_outside_peer)
{
	struct pt_device *d;

	acs(dev("0000:00:05.0", "", PT_PCIE_ROOT_PORT, true, 1, "pcieport"), 0x1f, SV_RR_CR_UF);
	dev("0000:01:00.0", "0000:00:05.0", PT_PCIE_UPSTREAM_PORT, true, 2, "pcieport");
	dev("0000:02:00.0", "0000:01:00.0", PT_PCIE_DOWNSTREAM_PORT, true, 3, "pcieport");
	dev("0000:02:01.0", "0000:01:00.0", PT_PCIE_DOWNSTREAM_PORT, true, 4, "pcieport");
	d = dev("0000:03:00.0", "0000:02:00.0", PT_PCIE_ENDPOINT, false, 3, "vfio-pci");
	dev("0000:04:00.0", "0000:02:01.0", PT_PCIE_ENDPOINT, false, 4, "edu");
	make_groups("DMA");
	vfy_check_host(&rep, &host, d);
	expect("host.acs-isolation", VFY_FAIL,
	       "0000:02:00.0 (downstream-port): no ACS; devices below 0000:01:00.0 that "
	       "could peer but are NOT in group 3: 0000:04:00.0 (group 4)");
	cr_assert_not_null(strstr(vfy_seen(result("host.acs-isolation")),
				  "0000:01:00.0 (upstream-port): isolation is the downstream ports' job"));
	cr_assert_not_null(strstr(vfy_fix(result("host.acs-isolation")), "assign the whole set"));
}

/* the same switch, but the kernel grouped both endpoints together */
Test(host, acs_missing_but_group_holds_every_peer)
{
	struct pt_device *d;

	acs(dev("0000:00:05.0", "", PT_PCIE_ROOT_PORT, true, 1, "pcieport"), 0x1f, SV_RR_CR_UF);
	dev("0000:01:00.0", "0000:00:05.0", PT_PCIE_UPSTREAM_PORT, true, 2, "pcieport");
	dev("0000:02:00.0", "0000:01:00.0", PT_PCIE_DOWNSTREAM_PORT, true, 3, "pcieport");
	dev("0000:02:01.0", "0000:01:00.0", PT_PCIE_DOWNSTREAM_PORT, true, 3, "pcieport");
	d = dev("0000:03:00.0", "0000:02:00.0", PT_PCIE_ENDPOINT, false, 3, "vfio-pci");
	dev("0000:04:00.0", "0000:02:01.0", PT_PCIE_ENDPOINT, false, 3, "vfio-pci");
	make_groups("DMA");
	vfy_check_host(&rep, &host, d);
	expect("host.acs-isolation", VFY_PASS,
	       "0000:02:00.0 (downstream-port): no ACS; group 3 already contains every "
	       "device below 0000:01:00.0 that could peer (0000:04:00.0)");
}

/* ACS present but Request Redirect off: not enabled */
Test(host, acs_with_a_required_bit_off_is_not_acs)
{
	struct pt_device *d, *rp = dev("0000:00:06.0", "", PT_PCIE_ROOT_PORT, true, 1, "pcieport");

	acs(rp, 0x1f, SV_RR_CR_UF & ~0x04);
	d = dev("0000:01:00.0", "0000:00:06.0", PT_PCIE_ENDPOINT, false, 2, "vfio-pci");
	dev("0000:01:00.1", "0000:00:06.0", PT_PCIE_ENDPOINT, false, 3, "snd_hda_intel");
	make_groups("DMA");
	vfy_check_host(&rep, &host, d);
	expect("host.acs-isolation", VFY_FAIL,
	       "0000:00:06.0 (root-port): no ACS; devices below 0000:00:06.0 that could "
	       "peer but are NOT in group 2: 0000:01:00.1 (group 3)");
}

/* only implemented ACS bits are required (the kernel's rule) */
Test(host, acs_only_implemented_bits_required)
{
	struct pt_device *d, *rp = dev("0000:00:06.0", "", PT_PCIE_ROOT_PORT, true, 1, "pcieport");

	acs(rp, 0x0d, 0x0d);	/* no Upstream Forwarding implemented */
	d = dev("0000:01:00.0", "0000:00:06.0", PT_PCIE_ENDPOINT, false, 2, "vfio-pci");
	make_groups("DMA");
	vfy_check_host(&rep, &host, d);
	expect("host.acs-isolation", VFY_PASS, "ACS on (ctrl 0x000d, cap 0x000d)");
}

/* multifunction without ACS, another function outside the group */
Test(host, multifunction_peer_outside_group)
{
	struct pt_device *d = dev("0000:00:1f.3", "", PT_PCIE_RC_INTEGRATED, false, 5, "vfio-pci");

	d->multifunction = true;
	dev("0000:00:1f.4", "", PT_PCIE_RC_INTEGRATED, false, 6, "i801_smbus")->multifunction = true;
	make_groups("DMA-FQ");
	vfy_check_host(&rep, &host, d);
	expect("host.acs-isolation", VFY_FAIL, "could peer from outside the group: 0000:00:1f.4 (group 6)");
	expect("host.dma-translated", VFY_PASS, "group 5 type is DMA-FQ");
}

Test(host, root_bus_endpoint)
{
	struct pt_device *d = dev("0000:00:04.0", "", -1, false, 1, "vfio-pci");

	make_groups("DMA");
	vfy_check_host(&rep, &host, d);
	expect("host.acs-isolation", VFY_PASS,
	       "0000:00:04.0 is on root bus 00: no bridge between it and the root complex");
}

Test(host, identity_group_fails_translation)
{
	struct pt_device *d = dev("0000:00:04.0", "", -1, false, 7, "vfio-pci");

	make_groups("identity");
	vfy_check_host(&rep, &host, d);
	expect("host.dma-translated", VFY_FAIL, "group 7 type is \"identity\"");
	cr_assert_str_eq(vfy_expected(result("host.dma-translated")),
			 "group type DMA or DMA-FQ (translated)");
	cr_assert_not_null(strstr(vfy_fix(result("host.dma-translated")),
				  "echo DMA > /sys/kernel/iommu_groups/7/type"));
}

Test(host, unknown_group_type_is_a_skip)
{
	struct pt_device *d = dev("0000:00:04.0", "", -1, false, 7, "vfio-pci");

	make_groups("");
	vfy_check_host(&rep, &host, d);
	expect("host.dma-translated", VFY_SKIP, "Linux < 5.11");
}

Test(host, sibling_on_host_driver)
{
	struct pt_device *d;

	dev("0000:00:06.0", "", PT_PCIE_ROOT_PORT, true, 1, "pcieport");
	dev("0000:02:00.0", "0000:00:06.0", PT_PCIE_ENDPOINT, false, 8, "e1000e");
	d = dev("0000:02:00.1", "0000:00:06.0", PT_PCIE_ENDPOINT, false, 8, "vfio-pci");
	make_groups("DMA");
	groups[8].viable = false;
	groups[8].not_viable.v = (char *[]){ "0000:02:00.0 is bound to e1000e" };
	groups[8].not_viable.n = 1;
	vfy_check_host(&rep, &host, d);
	expect("host.no-host-driver", VFY_FAIL,
	       "group 8: 0000:02:00.0: e1000e; 0000:02:00.1: vfio-pci (tested)");
	cr_assert_str_eq(vfy_fix(result("host.no-host-driver")),
			 "passthru assign 0000:02:00.1 (moves every member of group 8 to "
			 "vfio-pci: 0000:02:00.0)");
	expect("host.group-viable", VFY_FAIL,
	       "group 8 is not viable: 0000:02:00.0 is bound to e1000e");
}

Test(host, tested_device_must_be_on_vfio)
{
	struct pt_device *d = dev("0000:00:04.0", "", -1, false, 1, "");

	make_groups("DMA");
	vfy_check_host(&rep, &host, d);
	expect("host.no-host-driver", VFY_FAIL, "0000:00:04.0: no driver (tested)");
	expect("host.group-viable", VFY_PASS, NULL);
}

Test(host, no_group_fails_everything_but_unsafe)
{
	struct pt_device *d = dev("0000:00:04.0", "", -1, false, -1, "");

	iommu_on.detail = "no IOMMU";
	iommu_on.status = PT_CHECK_FAIL;
	ir_on.status = PT_CHECK_FAIL;
	vfy_check_host(&rep, &host, d);
	expect("host.iommu-enabled", VFY_FAIL, "no IOMMU");
	expect("host.dma-translated", VFY_FAIL, "has no IOMMU group");
	expect("host.interrupt-remapping", VFY_FAIL, "IR on");
	expect("host.acs-isolation", VFY_FAIL, NULL);
	expect("host.group-viable", VFY_FAIL, NULL);
	expect("host.no-host-driver", VFY_FAIL, NULL);
	expect("host.unsafe-interrupts-off", VFY_PASS, NULL);
	cr_assert_eq(vfy_count(&rep, VFY_FAIL), 6);
}

/* configuration says IR, the running kernel's interrupt chips say no */
Test(host, interrupt_remapping_runtime_contradiction)
{
	struct pt_device *d = dev("0000:00:04.0", "", -1, false, 1, "vfio-pci");

	make_groups("DMA");
	put("proc/interrupts", "  0:   10   IO-APIC   2-edge   timer\n"
	    " 24:   0   PCI-MSI 32768-edge   edu\n");
	vfy_check_host(&rep, &host, d);
	expect("host.interrupt-remapping", VFY_FAIL,
	       "/proc/interrupts: 0 remapped (IR-*) and 2 non-remapped IO-APIC/PCI-MSI lines");
}

Test(host, interrupt_remapping_runtime_evidence)
{
	struct pt_device *d = dev("0000:00:04.0", "", -1, false, 1, "vfio-pci");

	make_groups("DMA");
	put("proc/interrupts", "  0:   10   IR-IO-APIC   2-edge   timer\n"
	    " 24:   0   IR-PCI-MSI 32768-edge   edu\n");
	vfy_check_host(&rep, &host, d);
	expect("host.interrupt-remapping", VFY_PASS,
	       "IR on; /proc/interrupts: 2 remapped (IR-*) and 0 non-remapped");
}

Test(host, unsafe_interrupts_on)
{
	struct pt_device *d = dev("0000:00:04.0", "", -1, false, 1, "vfio-pci");

	make_groups("DMA");
	put("sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
	put("sys/module/iommufd/parameters/allow_unsafe_interrupts", "N\n");
	vfy_check_host(&rep, &host, d);
	expect("host.unsafe-interrupts-off", VFY_FAIL,
	       "vfio_iommu_type1: allow_unsafe_interrupts=Y; iommufd: allow_unsafe_interrupts=N");
	cr_assert_str_eq(vfy_fix(result("host.unsafe-interrupts-off")),
			 "echo N > /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts");
}
