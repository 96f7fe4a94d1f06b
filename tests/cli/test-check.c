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
#include <unistd.h>

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
	{ "PASS", "ACS override", "no pcie_acs_override: the IOMMU groups are what "
	  "the hardware isolates" },
	{ "PASS", "interrupt remapping", NULL },
	{ "PASS", "unsafe interrupts", NULL },
	{ "WARN", "VFIO modules", "not loaded: vfio, vfio_pci, vfio_iommu_type1; "
	  "`passthru assign` loads them" },
	{ "WARN", "/dev/vfio/vfio", "/dev/vfio/vfio does not exist yet: vfio is not loaded" },
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
	{ "PASS", "ACS override", NULL },
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
	{ "WARN", "VFIO modules", NULL },
	{ "WARN", "/dev/vfio/vfio", NULL },
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
	{ "PASS", "ACS override", NULL },
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
	/* VFIO not loaded is a warning: assign loads it */
	check_machine("workstation", workstation, 0,
		      "13 checks: 8 passed, 5 warnings, 0 failed", 0, 5);
}

Test(check, server)
{
	check_machine("server", server, 0, "13 checks: 13 passed, 0 warnings, 0 failed", 0, 0);
}

Test(check, laptop_iommu_off)
{
	check_machine("laptop", laptop, 1, "11 checks: 3 passed, 5 warnings, 3 failed", 3, 5);
}

Test(check, amd)
{
	check_machine("amd", amd, 0, "13 checks: 10 passed, 3 warnings, 0 failed", 0, 3);
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

/* One check's line ("WARN  name   detail"), or "" (static buffer). */
static const char *check_line(const char *out, const char *name)
{
	for (int i = 0; i < line_count(out); i++) {
		const char *l = line_at(out, i);

		if (strlen(l) > 27 && !strncmp(l + 6, name, strlen(name)) &&
		    l[6 + strlen(name)] == ' ')
			return l;
	}
	return "";
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[4096], cmd[4200];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s/%s')\"", dir, rel);
	cr_assert_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* pcie_acs_override= makes groups smaller than what the hardware isolates:
 * a warning that says so, with the value given. */
Test(check, acs_override)
{
	const char *root = fixture_copy("workstation");
	struct run r;

	write_file(root, "proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 "
		   "intel_iommu=on pcie_acs_override=downstream,multifunction quiet\n");
	pt(&r, root, "check");
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_expect_str_eq(check_line(r.out, "ACS override"),
			 "WARN  ACS override         pcie_acs_override=downstream,multifunction "
			 "on the kernel command line: the IOMMU groups are smaller than what "
			 "the hardware isolates, so an assigned device may still reach its "
			 "neighbours by peer-to-peer DMA");
	cr_expect_not_null(strstr(r.out, "\n13 checks: 7 passed, 6 warnings, 0 failed\n"),
			   "%s", r.out);
	run_free(&r);
}

/* VFIO not loaded: a warning while the kernel has vfio-pci to load, a
 * failure when its module index shows it has none. */
Test(check, vfio_modules_index)
{
	const char *root = fixture_copy("workstation");
	struct run r;

	write_file(root, "proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
	write_file(root, "lib/modules/6.1.0-18-amd64/modules.dep",
		   "kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/vfio.ko.xz\n");
	pt(&r, root, "check");
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(check_line(r.out, "VFIO modules"), "WARN  VFIO modules         "
			 "not loaded: vfio, vfio_pci, vfio_iommu_type1; `passthru assign` loads them");
	run_free(&r);
	write_file(root, "lib/modules/6.1.0-18-amd64/modules.dep",
		   "kernel/drivers/net/ethernet/intel/igb/igb.ko.xz:\n");
	write_file(root, "lib/modules/6.1.0-18-amd64/modules.builtin",
		   "kernel/drivers/pci/pcie/portdrv.ko\n");
	pt(&r, root, "check");
	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(check_line(r.out, "VFIO modules"), "FAIL  VFIO modules         "
			 "not loaded: vfio, vfio_pci, vfio_iommu_type1, and this kernel's "
			 "modules.dep and modules.builtin have no vfio-pci");
	run_free(&r);
}

/* Locked memory is judged for the user who will run the VM: --user, or
 * SUDO_USER under sudo; their line in limits.conf/limits.d as pam_limits
 * picks it (user over @group over *), else the default. */
Test(check, memlock_for_user)
{
	const char *root = fixture_copy("workstation");
	char *env_argv[16];
	struct run r;

	pt(&r, root, "check", "--user", "alice");
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(check_line(r.out, "locked memory"), "WARN  locked memory        "
			 "alice: RLIMIT_MEMLOCK 8 MiB < guest 1 GiB (no memlock line for alice "
			 "in /etc/security/limits.conf or limits.d: the default): VFIO pins all "
			 "guest memory");
	cr_expect_not_null(strstr(r.out, "fix: add `alice soft memlock unlimited` and "
				  "`alice hard memlock unlimited` to /etc/security/limits.d/"
				  "passthru.conf"), "%s", r.out);
	run_free(&r);

	write_file(root, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
		   "alice:x:1000:1000::/home/alice:/bin/bash\n");
	write_file(root, "etc/group", "root:x:0:\nalice:x:1000:\nkvm:x:104:alice,bob\n");
	write_file(root, "etc/security/limits.conf", "# defaults\n*  soft  memlock  65536\n"
		   "\n@kvm  -  memlock  4194304\n");
	pt(&r, root, "check", "--user", "alice", "--mem", "4G");
	cr_expect_eq(r.status, 0, "%s", r.out);
	cr_expect_str_eq(check_line(r.out, "locked memory"), "PASS  locked memory        "
			 "alice: RLIMIT_MEMLOCK 4 GiB >= guest 4 GiB "
			 "(/etc/security/limits.conf line 4)");
	run_free(&r);
	/* carol is in no group: the wildcard; with --mem a short limit fails */
	pt(&r, root, "check", "--user", "carol", "--mem", "1G");
	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(check_line(r.out, "locked memory"), "FAIL  locked memory        "
			 "carol: RLIMIT_MEMLOCK 64 MiB < guest 1 GiB "
			 "(/etc/security/limits.conf line 2): VFIO pins all guest memory");
	run_free(&r);
	/* limits.d comes after limits.conf; the user's own line beats @kvm */
	write_file(root, "etc/security/limits.d/90-qemu.conf",
		   "alice soft memlock unlimited\nalice hard memlock unlimited\n");
	pt(&r, root, "check", "--user", "alice");
	cr_expect_str_eq(check_line(r.out, "locked memory"), "PASS  locked memory        "
			 "alice: RLIMIT_MEMLOCK unlimited (/etc/security/limits.d/90-qemu.conf "
			 "line 1)");
	run_free(&r);
	/* root: CAP_IPC_LOCK, whatever limits.conf says */
	pt(&r, root, "check", "--user", "root");
	cr_expect_str_eq(check_line(r.out, "locked memory"), "PASS  locked memory        "
			 "root's processes have CAP_IPC_LOCK, which VFIO honours (guest 1 GiB)");
	run_free(&r);

	/* under sudo (root with SUDO_USER): the user behind it */
	env_argv[0] = "env";
	env_argv[1] = "SUDO_USER=alice";
	env_argv[2] = (char *)pt_bin();
	env_argv[3] = "--root";
	env_argv[4] = (char *)root;
	env_argv[5] = "check";
	env_argv[6] = NULL;
	run(&r, env_argv);
	if (getuid() == 0)
		cr_expect_str_eq(check_line(r.out, "locked memory"), "PASS  locked memory        "
				 "alice: RLIMIT_MEMLOCK unlimited (/etc/security/limits.d/"
				 "90-qemu.conf line 1)");
	else
		cr_expect_str_eq(check_line(r.out, "locked memory"), "WARN  locked memory        "
				 "RLIMIT_MEMLOCK 8 MiB < guest 1 GiB: VFIO pins all guest memory");
	run_free(&r);

	pt(&r, root, "check", "--user", "");
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(line_at(r.err, 0), "passthru check: --user: '' is not a user name");
	run_free(&r);
}
