// SPDX-License-Identifier: MIT
/*
 * test-lspci.c — lspci reads the same tree through libpci's sysfs method
 * (`lspci -A linux-sysfs -O sysfs.path=TREE/sys/bus/pci -D -n -k -vvv`);
 * for every device it and `passthru list --json` must agree on the ids,
 * class, revision, subsystem, driver, IOMMU group and the capabilities
 * (PCIe type, MSI/MSI-X vectors, FLR, PM, ACS, ARI, SR-IOV TotalVFs: libpci
 * decoding our config space against passthru's walker).  Also on this
 * machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

struct lsdev {
	char bdf[16], ids[16], cls[8], rev[4], subsys[16], driver[64];
	int group;		/* -1: no "IOMMU group" line */
	/* capabilities as lspci decodes them from the same config space */
	char pcie[64];		/* "Endpoint", "Root Port"..., "" without */
	int msi, msix, sriov_total;	/* 0 when absent */
	int flr;		/* DevCap FLReset: -1 unknown, 0, 1 */
	bool pm, acs, ari;
};

/* Parses lspci -D -n -k -vvv: blocks start with "DDDD:BB:DD.F CCCC: VVVV:DDDD". */
static int parse_lspci(const char *out, struct lsdev *devs, int max)
{
	int n = -1;

	for (int i = 0; i < line_count(out); i++) {
		const char *l = line_at(out, i);
		struct lsdev *d;

		if (l[0] && l[0] != '\t' && l[0] != ' ') {
			cr_assert_lt(n + 1, max);
			d = &devs[++n];
			memset(d, 0, sizeof(*d));
			d->group = -1;
			d->flr = -1;
			cr_assert_eq(sscanf(l, "%15s %4[0-9a-f]: %9[0-9a-f:]", d->bdf,
					    d->cls, d->ids), 3, "lspci line '%s'", l);
			if (strstr(l, "(rev "))
				sscanf(strstr(l, "(rev ") + 5, "%2[0-9a-f]", d->rev);
			else
				strcpy(d->rev, "00");
			continue;
		}
		if (n < 0)
			continue;
		d = &devs[n];
		if (strstr(l, "Capabilities: [") && strstr(l, "Express (")) {
			const char *t = strchr(strstr(l, "Express ("), ')') + 2;

			snprintf(d->pcie, sizeof(d->pcie), "%.*s", (int)strcspn(t, ",("), t);
			for (char *e = d->pcie + strlen(d->pcie); e > d->pcie && e[-1] == ' '; )
				*--e = '\0';
		}
		if (strstr(l, "] MSI: Enable") && strchr(l, '/'))
			d->msi = atoi(strchr(l, '/') + 1);
		if (strstr(l, "] MSI-X: Enable") && strstr(l, "Count="))
			d->msix = atoi(strstr(l, "Count=") + 6);
		if (strstr(l, "Total VFs: "))
			d->sriov_total = atoi(strstr(l, "Total VFs: ") + 11);
		/* DevCap comes before DevCtl: the first FLReset is the cap */
		if (d->flr < 0 && strstr(l, "FLReset"))
			d->flr = strstr(l, "FLReset")[7] == '+';
		if (strstr(l, "] Power Management version"))
			d->pm = true;
		if (strstr(l, "] Access Control Services"))
			d->acs = true;
		if (strstr(l, "] Alternative Routing-ID Interpretation"))
			d->ari = true;
		if (!strncmp(l, "\tIOMMU group: ", 14))
			d->group = atoi(l + 14);
		else if (!strncmp(l, "\tKernel driver in use: ", 23))
			snprintf(d->driver, sizeof(d->driver), "%s", l + 23);
		else if (!strncmp(l, "\tSubsystem: ", 12))
			snprintf(d->subsys, sizeof(d->subsys), "%s", l + 12);
	}
	return n + 1;
}

/* lspci's words for the PCIe device/port type, and passthru's */
static const char *const pcie_names[][2] = {
	{ "Endpoint", "endpoint" }, { "Legacy Endpoint", "legacy-endpoint" },
	{ "Root Port", "root-port" }, { "Upstream Port", "upstream-port" },
	{ "Downstream Port", "downstream-port" },
	{ "PCI-Express to PCI/PCI-X Bridge", "pcie-to-pci-bridge" },
	{ "PCI/PCI-X to PCI-Express Bridge", "pci-to-pcie-bridge" },
	{ "Root Complex Integrated Endpoint", "rc-integrated-endpoint" },
	{ "Root Complex Event Collector", "rc-event-collector" },
};

static int cap_int(const struct jv *caps, const char *key)
{
	const struct jv *v = jv_get(caps, key);

	return v && v->type == JV_NUM ? (int)v->num : 0;
}

static bool cap_bool(const struct jv *caps, const char *key)
{
	const struct jv *v = jv_get(caps, key);

	return v && v->type == JV_BOOL && v->b;
}

static void expect_caps(const char *where, const struct lsdev *l, const struct jv *caps)
{
	const char *want = NULL, *got = jv_str(jv_get(caps, "pcie"));

	cr_assert_not_null(caps, "%s %s: no capabilities object", where, l->bdf);
	for (size_t i = 0; i < sizeof(pcie_names) / sizeof(pcie_names[0]); i++)
		if (!strcmp(l->pcie, pcie_names[i][0]))
			want = pcie_names[i][1];
	if (!l->pcie[0])
		cr_expect(jv_is_null(jv_get(caps, "pcie")), "%s %s: lspci sees no PCIe "
			  "capability, passthru says %s", where, l->bdf, got);
	else
		cr_expect(want && got && !strcmp(want, got), "%s %s: lspci says PCIe %s, "
			  "passthru %s", where, l->bdf, l->pcie, got ? got : "null");
	cr_expect_eq(cap_int(caps, "msi"), l->msi, "%s %s: MSI vectors", where, l->bdf);
	cr_expect_eq(cap_int(caps, "msix"), l->msix, "%s %s: MSI-X vectors", where, l->bdf);
	cr_expect_eq(cap_int(caps, "sriov_total_vfs"), l->sriov_total,
		     "%s %s: SR-IOV TotalVFs", where, l->bdf);
	cr_expect_eq(cap_bool(caps, "flr"), l->flr == 1, "%s %s: FLR", where, l->bdf);
	cr_expect_eq(cap_bool(caps, "pm"), l->pm, "%s %s: PM", where, l->bdf);
	cr_expect_eq(cap_bool(caps, "ari"), l->ari, "%s %s: ARI", where, l->bdf);
	cr_expect_eq(!jv_is_null(jv_get(caps, "acs")), l->acs, "%s %s: ACS", where, l->bdf);
}

static void compare(const char *root_label, const char *sysfs_pci, const char *root)
{
	static struct lsdev devs[4096];
	char opt[4200];
	char *argv[] = { "lspci", "-A", "linux-sysfs", "-O", opt, "-D", "-n", "-k",
			 "-vvv", NULL };
	struct run r;
	struct jv *j;
	const struct jv *ds;
	int n;

	snprintf(opt, sizeof(opt), "sysfs.path=%s", sysfs_pci);
	run(&r, argv);
	cr_assert_eq(r.status, 0, "lspci on %s: %s", root_label, r.err);
	n = parse_lspci(r.out, devs, 4096);
	run_free(&r);
	j = root ? pt_json(root, "list", "--json") : pt_json(NULL, "list", "--json");
	ds = jv_get(j, "devices");
	cr_assert_eq(jv_len(ds), n, "%s: passthru lists %d devices, lspci %d",
		     root_label, jv_len(ds), n);
	cr_assert_gt(n, 0);
	for (int i = 0; i < n; i++) {
		const struct lsdev *l = &devs[i];
		const struct jv *d = jv_find(ds, "bdf", l->bdf), *g;
		char want[64];

		cr_assert_not_null(d, "%s: lspci has %s, passthru does not", root_label, l->bdf);
		snprintf(want, sizeof(want), "%s:%s", jv_str(jv_get(d, "vendor_id")) + 2,
			 jv_str(jv_get(d, "device_id")) + 2);
		cr_expect_str_eq(want, l->ids, "%s %s ids", root_label, l->bdf);
		cr_expect_eq(strncmp(jv_str(jv_get(d, "class")) + 2, l->cls, 4), 0,
			     "%s %s class %s vs %s", root_label, l->bdf,
			     jv_str(jv_get(d, "class")), l->cls);
		cr_expect_str_eq(jv_str(jv_get(d, "revision")) + 2, l->rev,
				 "%s %s revision", root_label, l->bdf);
		if (l->subsys[0]) {
			snprintf(want, sizeof(want), "%s:%s",
				 jv_str(jv_get(d, "subsystem_vendor_id")) + 2,
				 jv_str(jv_get(d, "subsystem_device_id")) + 2);
			cr_expect_str_eq(want, l->subsys, "%s %s subsystem", root_label, l->bdf);
		}
		if (l->driver[0])
			cr_expect_str_eq(jv_str(jv_get(d, "driver")), l->driver,
					 "%s %s driver", root_label, l->bdf);
		else
			cr_expect(jv_is_null(jv_get(d, "driver")), "%s %s: lspci sees no "
				  "driver", root_label, l->bdf);
		expect_caps(root_label, l, jv_get(d, "capabilities"));
		g = jv_get(d, "iommu_group");
		if (l->group >= 0)
			cr_expect(g && g->type == JV_NUM && (int)g->num == l->group,
				  "%s %s: lspci says IOMMU group %d", root_label, l->bdf,
				  l->group);
		else
			cr_expect(jv_is_null(g), "%s %s: lspci sees no IOMMU group",
				  root_label, l->bdf);
	}
	jv_free(j);
}

static void compare_fixture(const char *machine)
{
	char pci[4200];

	snprintf(pci, sizeof(pci), "%s/sys/bus/pci", fixture(machine));
	compare(machine, pci, machine);
}

Test(lspci, workstation) { compare_fixture("workstation"); }
Test(lspci, server) { compare_fixture("server"); }
Test(lspci, laptop) { compare_fixture("laptop"); }
Test(lspci, amd) { compare_fixture("amd"); }
Test(lspci, this_machine) { compare("this machine", "/sys/bus/pci", NULL); }
