// SPDX-License-Identifier: MIT
/*
 * test-check.c — `passthru check` on each generated machine: the verdict of
 * every check (PASS/WARN/FAIL and name, in order), the details that state a
 * fixture fact, the summary line and the exit status (0 all pass or warn,
 * 1 when anything fails), text and --json alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

struct verdict {
	const char *status, *name, *detail;	/* detail NULL: not asserted */
};

/* "PASS  name   detail" -> status, name (first 20 columns), detail */
static void expect_lines(const char *machine, const struct run *r,
			 const struct verdict *want)
{
	int k = 0;

	for (int i = 0; i < line_count(r->out); i++) {
		char line[4096], name[64], *detail;

		snprintf(line, sizeof(line), "%s", line_at(r->out, i));
		if (strncmp(line, "PASS  ", 6) && strncmp(line, "WARN  ", 6) &&
		    strncmp(line, "FAIL  ", 6))
			continue;
		cr_assert_not_null(want[k].status, "%s: extra line '%s'", machine, line);
		snprintf(name, sizeof(name), "%.20s", line + 6);
		for (char *e = name + strlen(name); e > name && e[-1] == ' '; )
			*--e = '\0';
		detail = line + 6 + 21;
		cr_expect_eq(strncmp(line, want[k].status, 4), 0, "%s: %s is %.4s, want %s",
			     machine, name, line, want[k].status);
		cr_expect_str_eq(name, want[k].name, "%s: check %d", machine, k);
		if (want[k].detail)
			cr_expect_str_eq(detail, want[k].detail, "%s: %s", machine, name);
		k++;
	}
	cr_expect_null(want[k].status, "%s: missing check '%s'", machine,
		       want[k].name ? want[k].name : "");
}

static const struct verdict workstation[] = {
	{ "PASS", "cpu virtualization", "Intel VT-x (vmx)" },
	{ "PASS", "/dev/kvm", "exists" },
	{ "PASS", "IOMMU in firmware", "ACPI DMAR (Intel VT-d) table present" },
	{ "PASS", "IOMMU enabled", "2 IOMMU units (dmar0...), 8 IOMMU groups" },
	{ "PASS", "IOMMU mode", "translated (intel_iommu on the command line)" },
	{ "PASS", "interrupt remapping", NULL },
	{ "PASS", "unsafe interrupts", NULL },
	{ "FAIL", "VFIO modules", "not loaded: vfio, vfio_pci, vfio_iommu_type1" },
	{ "FAIL", "/dev/vfio/vfio", "/dev/vfio/vfio does not exist" },
	{ "WARN", "iommufd", NULL },
	{ "WARN", "locked memory", "RLIMIT_MEMLOCK 8 MiB < guest 1 GiB: VFIO pins all guest memory" },
	{ "WARN", "hugepages", NULL },
	{ NULL, NULL, NULL },
};

static const struct verdict server[] = {
	{ "PASS", "cpu virtualization", "Intel VT-x (vmx)" },
	{ "PASS", "/dev/kvm", "exists" },
	{ "PASS", "IOMMU in firmware", "ACPI DMAR (Intel VT-d) table present" },
	{ "PASS", "IOMMU enabled", "2 IOMMU units (dmar0...), 19 IOMMU groups" },
	{ "PASS", "IOMMU mode", NULL },
	{ "PASS", "interrupt remapping", NULL },
	{ "PASS", "unsafe interrupts", "allow_unsafe_interrupts is N" },
	{ "PASS", "VFIO modules", "vfio, vfio_pci and vfio_iommu_type1 are loaded" },
	{ "PASS", "/dev/vfio/vfio", NULL },
	{ "PASS", "iommufd", "/dev/iommu exists (iommufd backend usable)" },
	{ "PASS", "locked memory", "RLIMIT_MEMLOCK unlimited (guest needs 1 GiB pinned)" },
	{ "PASS", "hugepages", "16 GiB reserved (guest 1 GiB)" },
	{ NULL, NULL, NULL },
};

static const struct verdict laptop[] = {
	{ "PASS", "cpu virtualization", "Intel VT-x (vmx)" },
	{ "PASS", "/dev/kvm", "exists" },
	{ "FAIL", "IOMMU in firmware", "no ACPI DMAR or IVRS table: the firmware describes no IOMMU" },
	{ "FAIL", "IOMMU enabled", "no IOMMU: /sys/class/iommu is empty and there are no "
	  "IOMMU groups, so no device can be assigned" },
	{ "FAIL", "interrupt remapping", NULL },
	{ "PASS", "unsafe interrupts", NULL },
	{ "FAIL", "VFIO modules", NULL },
	{ "FAIL", "/dev/vfio/vfio", NULL },
	{ "WARN", "iommufd", NULL },
	{ "WARN", "locked memory", NULL },
	{ "WARN", "hugepages", NULL },
	{ NULL, NULL, NULL },
};

/* AMD-Vi: IVRS, ivhd0, svm; a user who set allow_unsafe_interrupts=Y */
static const struct verdict amd[] = {
	{ "PASS", "cpu virtualization", "AMD-V (svm)" },
	{ "PASS", "/dev/kvm", "exists" },
	{ "PASS", "IOMMU in firmware", "ACPI IVRS (AMD-Vi) table present" },
	{ "PASS", "IOMMU enabled", "1 IOMMU unit (ivhd0...), 14 IOMMU groups" },
	{ "PASS", "IOMMU mode", "translated (kernel default)" },
	{ "PASS", "interrupt remapping", "AMD-Vi always remaps interrupts unless turned off" },
	{ "WARN", "unsafe interrupts", "vfio_iommu_type1 allow_unsafe_interrupts=Y: "
	  "assignment is allowed without interrupt isolation" },
	{ "PASS", "VFIO modules", NULL },
	{ "PASS", "/dev/vfio/vfio", NULL },
	{ "WARN", "iommufd", NULL },
	{ "WARN", "locked memory", NULL },
	{ "PASS", "hugepages", "16 GiB reserved (guest 1 GiB)" },
	{ NULL, NULL, NULL },
};

static void check_machine(const char *machine, const struct verdict *want,
			  int status, const char *summary, int failed, int warnings)
{
	struct run r;
	struct jv *j;
	const struct jv *cs;
	int n = 0;

	pt(&r, machine, "check");
	cr_expect_eq(r.status, status, "%s: exit %d\n%s%s", machine, r.status, r.out, r.err);
	cr_expect_str_empty(r.err);
	expect_lines(machine, &r, want);
	cr_expect_str_eq(line_at(r.out, line_count(r.out) - 1), summary, "%s", machine);
	run_free(&r);

	/* --json: the same verdicts, counts and overall result */
	pt(&r, machine, "check", "--json");
	cr_expect_eq(r.status, status, "%s --json: exit %d", machine, r.status);
	j = jv_parse(r.out, NULL, 0);
	cr_assert_not_null(j, "%s: check --json is not JSON", machine);
	cs = jv_get(j, "checks");
	for (; want[n].status; n++) {
		cr_expect_str_eq(jv_str(jv_get(jv_at(cs, n), "status")), want[n].status,
				 "%s --json: %s", machine, want[n].name);
		cr_expect_str_eq(jv_str(jv_get(jv_at(cs, n), "name")), want[n].name);
		if (!strcmp(want[n].status, "PASS"))
			cr_expect(jv_is_null(jv_get(jv_at(cs, n), "fix")),
				  "%s: a PASS has no fix", want[n].name);
		else
			cr_expect(jv_str(jv_get(jv_at(cs, n), "fix")) &&
				  *jv_str(jv_get(jv_at(cs, n), "fix")),
				  "%s: %s has a one-line fix", machine, want[n].name);
	}
	cr_expect_eq(jv_len(cs), n);
	cr_expect_eq((int)jv_get(j, "failed")->num, failed);
	cr_expect_eq((int)jv_get(j, "warnings")->num, warnings);
	cr_expect_eq(jv_get(j, "ok")->b, failed == 0);
	jv_free(j);
	run_free(&r);
}

Test(check, workstation)
{
	check_machine("workstation", workstation, 1,
		      "12 checks: 7 passed, 3 warnings, 2 failed", 2, 3);
}

Test(check, server)
{
	check_machine("server", server, 0, "12 checks: 12 passed, 0 warnings, 0 failed", 0, 0);
}

Test(check, laptop_iommu_off)
{
	check_machine("laptop", laptop, 1, "11 checks: 3 passed, 3 warnings, 5 failed", 5, 3);
}

Test(check, amd)
{
	check_machine("amd", amd, 0, "12 checks: 9 passed, 3 warnings, 0 failed", 0, 3);
}

Test(check, guest_size)
{
	struct run r;

	/* 64 GiB does not fit the 16 GiB of 1 GiB pages: a warning only */
	pt(&r, "server", "check", "--mem", "64G");
	cr_expect_eq(r.status, 0);
	cr_expect_not_null(strstr(r.out, "\nWARN  hugepages            16 GiB reserved, "
				  "guest 64 GiB: guest memory will use 4 KiB pages\n"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "\nPASS  locked memory        RLIMIT_MEMLOCK "
				  "unlimited (guest needs 64 GiB pinned)\n"), "%s", r.out);
	run_free(&r);
	/* an explicit guest size that cannot be locked is a failure */
	pt(&r, "workstation", "check", "--mem", "2G");
	cr_expect_eq(r.status, 1);
	cr_expect_not_null(strstr(r.out, "\nFAIL  locked memory        RLIMIT_MEMLOCK 8 MiB "
				  "< guest 2 GiB: VFIO pins all guest memory\n"), "%s", r.out);
	run_free(&r);
	pt(&r, "server", "check", "--mem", "12X");
	cr_expect_eq(r.status, 2);
	cr_expect_str_empty(r.out);
	cr_expect_str_eq(line_at(r.err, 0), "passthru check: --mem: malformed size '12X': "
			 "unknown unit 'X' (use K, M, G or T)");
	run_free(&r);
}
