// SPDX-License-Identifier: MIT
/*
 * test-hostcheck.c — `passthru check` judged on trees: a ready VT-d host,
 * a host whose kernel turned the IOMMU off, interrupt remapping missing or
 * turned off, unsafe interrupts allowed, and the memlock limit against a
 * guest size.  Exact status and exact sentences.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>

#include "lib/passthru.h"
#include "tests/unit/disc-tree.h"

static struct tt t;
static struct pt_checks *res;
static int n;

static void ready_host(void)
{
	uint8_t cfg[4096];

	tt_init(&t);
	tt_cfg(cfg, 0x8086, 0x10d3, 0x020000, 0);
	tt_dev(&t, "pci0000:00/0000:00:19.0", cfg, 256, "vfio-pci", 3);
	tt_printf(&t, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme vmx sse\n\n");
	tt_printf(&t, "proc/cmdline", "BOOT_IMAGE=/vmlinuz intel_iommu=on quiet\n");
	tt_write(&t, "dev/kvm", "", 0);
	tt_write(&t, "dev/vfio/vfio", "", 0);
	tt_write(&t, "dev/vfio/3", "", 0);
	tt_write(&t, "dev/iommu", "", 0);
	tt_write(&t, "sys/firmware/acpi/tables/DMAR", "", 0);
	tt_mkdir(&t, "sys/devices/virtual/iommu/dmar0/intel-iommu");
	tt_printf(&t, "sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "f0205ad8\n");
	tt_link(&t, "sys/class/iommu/dmar0", "../../devices/virtual/iommu/dmar0");
	tt_printf(&t, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
	tt_mkdir(&t, "sys/module/vfio");
	tt_mkdir(&t, "sys/module/vfio_pci");
	tt_printf(&t, "proc/modules", "vfio_iommu_type1 45056 0 - Live 0x0\n");
	tt_printf(&t, "proc/self/limits",
		  "Limit                     Soft Limit           Hard Limit           Units     \n"
		  "Max locked memory         unlimited            unlimited            bytes     \n");
	tt_printf(&t, "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "1024\n");
}

/* Takes a file, link or empty directory out of the tree. */
static void drop(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", t.root, rel);
	cr_assert_eq(remove(p), 0, "remove %s: %s", p, strerror(errno));
}

static void teardown(void)
{
	pt_checks_free(res);
	res = NULL;
	tt_fini(&t);
}

static void run(uint64_t mem, bool given)
{
	struct pt_check_opts o = PT_CHECK_OPTS_INIT;
	struct pt_ctx *ctx;

	o.guest_mem = mem;
	o.guest_mem_given = given;
	pt_checks_free(res);
	cr_assert_eq(pt_ctx_new(&ctx, t.root), 0, "%s", pt_last_error());
	n = pt_host_check(ctx, &o, &res);
	pt_ctx_free(ctx);
	cr_assert_gt(n, 0, "%s", pt_last_error());
}

static const struct pt_check *get(const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(pt_checks_at(res, i)->name, name))
			return pt_checks_at(res, i);
	cr_assert_fail("no check named '%s'", name);
	return NULL;
}

static void expect(const char *name, enum pt_check_status st, const char *detail)
{
	const struct pt_check *c = get(name);

	cr_assert_eq(c->status, st, "%s: %s, want %s (%s)", name,
		     pt_check_status_name(c->status), pt_check_status_name(st), c->detail);
	if (detail)
		cr_assert_str_eq(c->detail, detail);
}

TestSuite(check, .init = ready_host, .fini = teardown);

Test(check, ready_host_passes)
{
	run(0, false);
	cr_assert_eq(n, 13);
	expect("cpu virtualization", PT_CHECK_PASS, "Intel VT-x (vmx)");
	expect("/dev/kvm", PT_CHECK_PASS, "exists");
	expect("IOMMU in firmware", PT_CHECK_PASS, "ACPI DMAR (Intel VT-d) table present");
	expect("IOMMU enabled", PT_CHECK_PASS, "1 IOMMU unit (dmar0...), 1 IOMMU groups");
	expect("IOMMU mode", PT_CHECK_PASS, "translated (intel_iommu on the command line)");
	expect("ACS override", PT_CHECK_PASS, "no pcie_acs_override: the IOMMU groups are "
	       "what the hardware isolates");
	expect("interrupt remapping", PT_CHECK_PASS, "every VT-d unit supports it "
	       "(ecap IR) and it is not turned off");
	expect("unsafe interrupts", PT_CHECK_PASS, "allow_unsafe_interrupts is N");
	expect("VFIO modules", PT_CHECK_PASS, NULL);
	expect("/dev/vfio/vfio", PT_CHECK_PASS, NULL);
	expect("iommufd", PT_CHECK_PASS, NULL);
	expect("locked memory", PT_CHECK_PASS, "RLIMIT_MEMLOCK unlimited (guest needs 1 GiB pinned)");
	expect("hugepages", PT_CHECK_PASS, "2 GiB reserved (guest 1 GiB)");
	for (int i = 0; i < n; i++)
		cr_assert_eq(pt_checks_at(res, i)->status, PT_CHECK_PASS, "%s",
			     pt_checks_at(res, i)->name);
}

/* Programs find a check by its id (verify does); the name is for people. */
Test(check, ids_identify_the_checks)
{
	static const struct { enum pt_check_id id; const char *name; } want[] = {
		{ PT_CHECK_CPU_VIRT, "cpu virtualization" },
		{ PT_CHECK_KVM, "/dev/kvm" },
		{ PT_CHECK_IOMMU_FIRMWARE, "IOMMU in firmware" },
		{ PT_CHECK_IOMMU_ENABLED, "IOMMU enabled" },
		{ PT_CHECK_IOMMU_MODE, "IOMMU mode" },
		{ PT_CHECK_INTREMAP, "interrupt remapping" },
		{ PT_CHECK_UNSAFE_INTERRUPTS, "unsafe interrupts" },
		{ PT_CHECK_VFIO_MODULES, "VFIO modules" },
		{ PT_CHECK_VFIO_CONTAINER, "/dev/vfio/vfio" },
		{ PT_CHECK_IOMMUFD, "iommufd" },
		{ PT_CHECK_MEMLOCK, "locked memory" },
		{ PT_CHECK_HUGEPAGES, "hugepages" },
		{ PT_CHECK_ACS_OVERRIDE, "ACS override" },
	};

	run(0, false);
	cr_assert_eq(n, 13);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct pt_check *c = pt_checks_find(res, want[i].id);

		cr_assert_not_null(c, "no result with id %d", want[i].id);
		cr_assert_eq(c, get(want[i].name), "id %d is not '%s'", want[i].id,
			     want[i].name);
	}
	cr_assert_null(pt_checks_find(NULL, PT_CHECK_IOMMU_ENABLED),
		       "no results hold no check");
	cr_assert_null(pt_checks_at(res, n), "result %d is past the end", n);
	cr_assert_null(pt_checks_at(res, -1), "result -1 is before the start");
}

Test(check, iommu_turned_off)
{
	drop("sys/class/iommu/dmar0");
	drop("sys/kernel/iommu_groups/3/devices/0000:00:19.0");
	drop("sys/kernel/iommu_groups/3/type");
	drop("sys/kernel/iommu_groups/3/devices");
	drop("sys/kernel/iommu_groups/3");
	tt_printf(&t, "proc/cmdline", "root=/dev/sda1 intel_iommu=off -- intel_iommu=on\n");
	run(0, false);
	expect("IOMMU in firmware", PT_CHECK_PASS, NULL);
	expect("IOMMU enabled", PT_CHECK_FAIL, "the kernel command line turns the "
	       "IOMMU off (intel_iommu=off)");
	cr_assert_str_eq(get("IOMMU enabled")->fix, "remove the IOMMU 'off' option "
			 "from the kernel command line and reboot");
	expect("interrupt remapping", PT_CHECK_FAIL, NULL);
}

Test(check, firmware_without_kernel_iommu)
{
	drop("sys/class/iommu/dmar0");
	tt_printf(&t, "proc/cmdline", "quiet\n");
	run(0, false);
	expect("IOMMU enabled", PT_CHECK_FAIL, "the firmware has an IOMMU but the "
	       "kernel did not enable it (no /sys/class/iommu units, no IOMMU groups)");
	cr_assert_str_eq(get("IOMMU enabled")->fix, "add intel_iommu=on to the "
			 "kernel command line and reboot");
}

Test(check, interrupt_remapping)
{
	tt_printf(&t, "sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "f0205ad0\n");
	run(0, false);
	expect("interrupt remapping", PT_CHECK_FAIL, "a VT-d unit lacks interrupt "
	       "remapping (ecap IR=0)");
	tt_printf(&t, "sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "f0205ad8\n");
	tt_printf(&t, "proc/cmdline", "intel_iommu=on intremap=off\n");
	run(0, false);
	expect("interrupt remapping", PT_CHECK_FAIL, "turned off on the kernel command line");
	tt_printf(&t, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
	run(0, false);
	expect("unsafe interrupts", PT_CHECK_WARN, NULL);
}

Test(check, vfio_missing)
{
	drop("sys/module/vfio_pci");
	/* a registered vfio-pci driver would mean it is built in */
	drop("sys/bus/pci/drivers/vfio-pci");
	drop("dev/iommu");
	run(0, false);
	/* assign loads it: advice, not a failure */
	expect("VFIO modules", PT_CHECK_WARN, "not loaded: vfio_pci; `passthru assign` loads them");
	expect("iommufd", PT_CHECK_WARN, NULL);
	/* unless this kernel's module index has no vfio-pci at all */
	tt_printf(&t, "proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
	tt_printf(&t, "lib/modules/6.1.0-18-amd64/modules.dep", "kernel/drivers/net/e1000e.ko:\n");
	run(0, false);
	expect("VFIO modules", PT_CHECK_FAIL, "not loaded: vfio_pci, and this kernel's "
	       "modules.dep and modules.builtin have no vfio-pci");
	tt_printf(&t, "lib/modules/6.1.0-18-amd64/modules.builtin",
		  "kernel/drivers/vfio/pci/vfio-pci.ko\n");
	run(0, false);
	expect("VFIO modules", PT_CHECK_WARN, NULL);
}

Test(check, memlock_against_guest_size)
{
	tt_printf(&t, "proc/self/limits",
		  "Limit                     Soft Limit           Hard Limit           Units     \n"
		  "Max locked memory         8388608              8388608              bytes     \n");
	run(4ull << 30, true);
	expect("locked memory", PT_CHECK_FAIL, "RLIMIT_MEMLOCK 8 MiB < guest 4 GiB: "
	       "VFIO pins all guest memory");
	expect("hugepages", PT_CHECK_WARN, "2 GiB reserved, guest 4 GiB: guest "
	       "memory will use 4 KiB pages");
	run(0, false);	/* default 1 GiB, not asked for: advice only */
	expect("locked memory", PT_CHECK_WARN, NULL);
	run(8ull << 20, true);
	expect("locked memory", PT_CHECK_PASS, "RLIMIT_MEMLOCK 8 MiB >= guest 8 MiB");
}

Test(check, no_virtualization)
{
	tt_printf(&t, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme sse\n");
	drop("dev/kvm");
	run(0, false);
	expect("cpu virtualization", PT_CHECK_FAIL, "the CPU flags have neither vmx nor svm");
	expect("/dev/kvm", PT_CHECK_FAIL, "/dev/kvm does not exist");
}

Test(check, amd_and_passthrough_mode)
{
	drop("sys/firmware/acpi/tables/DMAR");
	drop("sys/class/iommu/dmar0");
	tt_write(&t, "sys/firmware/acpi/tables/IVRS", "", 0);
	tt_mkdir(&t, "sys/devices/pci0000:00/0000:00:00.2/iommu/ivhd0");
	tt_link(&t, "sys/class/iommu/ivhd0", "../../devices/pci0000:00/0000:00:00.2/iommu/ivhd0");
	tt_printf(&t, "proc/cmdline", "amd_iommu=on iommu=pt\n");
	tt_printf(&t, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu svm sse\n");
	run(0, false);
	expect("cpu virtualization", PT_CHECK_PASS, "AMD-V (svm)");
	expect("IOMMU in firmware", PT_CHECK_PASS, "ACPI IVRS (AMD-Vi) table present");
	expect("IOMMU enabled", PT_CHECK_PASS, "1 IOMMU unit (ivhd0...), 1 IOMMU groups");
	expect("IOMMU mode", PT_CHECK_PASS, "iommu=pt: host devices bypass translation; "
	       "VFIO groups still get their own DMA domains");
	expect("interrupt remapping", PT_CHECK_PASS, "AMD-Vi always remaps interrupts "
	       "unless turned off");

	/* the firmware has it, the kernel did not turn it on: AMD's fix */
	drop("sys/class/iommu/ivhd0");
	tt_printf(&t, "proc/cmdline", "quiet\n");
	run(0, false);
	cr_assert_str_eq(get("IOMMU enabled")->fix, "add amd_iommu=on to the kernel "
			 "command line and reboot");
}

/* lib/ABI.md rule 3: the caller's struct pt_check_opts says its size. */
static int check_with(const void *opts)
{
	struct pt_ctx *ctx;
	int ret;

	pt_checks_free(res);
	res = NULL;
	cr_assert_eq(pt_ctx_new(&ctx, t.root), 0, "%s", pt_last_error());
	ret = pt_host_check(ctx, opts, &res);
	pt_ctx_free(ctx);
	n = ret;
	return ret;
}

Test(check, opts_are_read_by_their_size)
{
	struct {
		struct pt_check_opts o;
		uint64_t newer_field;	/* what a newer caller would append */
	} big = { .o = PT_CHECK_OPTS_INIT };
	struct pt_check_opts older = PT_CHECK_OPTS_INIT;

	/* an older caller knew only size and guest_mem: the rest is zero */
	older.guest_mem = 8ull << 30;
	older.guest_mem_given = true;	/* past its size: never read */
	older.size = offsetof(struct pt_check_opts, guest_mem_given);
	cr_assert_eq(check_with(&older), 13, "%s", pt_last_error());
	expect("hugepages", PT_CHECK_WARN, "2 GiB reserved, guest 8 GiB: guest memory "
	       "will use 4 KiB pages");

	big.o.size = sizeof(big);
	cr_assert_eq(check_with(&big), 13, "unknown fields that are zero are fine: %s",
		     pt_last_error());
	big.newer_field = 1;
	cr_assert_eq(check_with(&big), -E2BIG);
	cr_assert_null(res, "no results on failure");
	cr_assert(strstr(pt_last_error(), "fix: install a newer libpassthru"), "%s",
		  pt_last_error());

	older.size = 0;
	cr_assert_eq(check_with(&older), -EINVAL);
	cr_assert(strstr(pt_last_error(), "PT_CHECK_OPTS_INIT"), "%s", pt_last_error());
}
