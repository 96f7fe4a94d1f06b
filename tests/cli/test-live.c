// SPDX-License-Identifier: MIT
/*
 * test-live.c — passthru on THIS machine (no --root).  The CI machines are
 * VMs without an IOMMU: list must still succeed (groups null), check must
 * exit 1 with the IOMMU FAIL lines.  The device set is checked against
 * /sys/bus/pci/devices directly.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

static bool host_has_iommu(void)
{
	DIR *d = opendir("/sys/kernel/iommu_groups");
	struct dirent *e;
	bool any = false;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			any = true;
	closedir(d);
	return any;
}

Test(live, list)
{
	struct jv *j = pt_json(NULL, "list", "--json");
	const struct jv *ds = jv_get(j, "devices");
	struct dirent *e;
	int n = 0;
	DIR *d;

	/* the test machines of this project have no IOMMU: say so loudly
	 * rather than silently testing something else */
	cr_assert_not(host_has_iommu(), "this test expects a machine without an IOMMU");
	cr_expect(jv_is_null(jv_get(j, "groups")), "no IOMMU: groups is null");
	d = opendir("/sys/bus/pci/devices");
	cr_assert_not_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		cr_expect_not_null(jv_find(ds, "bdf", e->d_name), "%s missing", e->d_name);
	}
	closedir(d);
	cr_expect_eq(jv_len(ds), n, "%d devices in sysfs, %d listed", n, jv_len(ds));
	for (int i = 0; i < jv_len(ds); i++)
		cr_expect(jv_is_null(jv_get(jv_at(ds, i), "iommu_group")));
	jv_free(j);
}

Test(live, list_text_and_groups)
{
	struct run r;

	pt(&r, NULL, "list");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_empty(r.err);
	cr_expect_eq(strncmp(r.out, "BDF ", 4), 0, "%s", r.out);
	run_free(&r);
	pt(&r, NULL, "list", "--groups");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(line_at(r.out, 0), "No IOMMU groups: the IOMMU is absent or "
			 "disabled, so no device can be assigned (see `passthru check`).");
	run_free(&r);
}

Test(live, check_fails_without_iommu)
{
	struct run r;

	pt(&r, NULL, "check");
	cr_expect_eq(r.status, 1, "exit %d:\n%s%s", r.status, r.out, r.err);
	cr_expect_not_null(strstr(r.out, "\nFAIL  IOMMU enabled        no IOMMU: "
				  "/sys/class/iommu is empty and there are no IOMMU "
				  "groups, so no device can be assigned\n"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "\nFAIL  IOMMU in firmware    no ACPI DMAR or "
				  "IVRS table: the firmware describes no IOMMU\n"), "%s", r.out);
	run_free(&r);
}

Test(live, show_first_device)
{
	struct jv *j = pt_json(NULL, "list", "--json");
	const char *bdf = jv_str(jv_get(jv_at(jv_get(j, "devices"), 0), "bdf"));
	struct jv *s;

	cr_assert_not_null(bdf, "no PCI device on this machine");
	s = pt_json(NULL, "show", bdf, "--json");
	cr_expect(jv_equal(jv_get(s, "device"), jv_at(jv_get(j, "devices"), 0)));
	cr_expect_str_eq(jv_str(jv_get(jv_get(s, "assign"), "reason")),
			 "no IOMMU: the machine has no IOMMU enabled");
	jv_free(s);
	jv_free(j);
}
