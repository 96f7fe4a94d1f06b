// SPDX-License-Identifier: MIT
/* test-memlock.c — RLIMIT_MEMLOCK arithmetic and the sentence that explains
 * a failed pin; backend and memory-kind choice (option, $PASSTHRU_IOMMU)
 * and their error messages; memory sources that need no privilege. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "iommu/passthru-iommu.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

static bool fits(uint64_t limit, uint64_t locked, uint64_t need, bool cap)
{
	struct pt_memlock m = { .limit = limit, .locked = locked, .need = need, .cap_ipc_lock = cap };

	return pt_memlock_fits(&m);
}

Test(memlock, arithmetic)
{
	cr_assert(fits(64 * KiB, 0, 64 * KiB, false));
	cr_assert_not(fits(64 * KiB, 0, 64 * KiB + 4096, false));
	cr_assert_not(fits(64 * KiB, 60 * KiB, 8 * KiB, false));
	cr_assert(fits(64 * KiB, 60 * KiB, 4 * KiB, false));
	/* already over the limit (limit lowered later): nothing more fits */
	cr_assert_not(fits(64 * KiB, 1 * MiB, 0 + 4096, false));
	/* no overflow near the top */
	cr_assert_not(fits(UINT64_MAX - 1, 2, UINT64_MAX - 2, false));
	cr_assert(fits(UINT64_MAX - 1, 1, UINT64_MAX - 2, false));
	/* unlimited, or CAP_IPC_LOCK: anything fits */
	cr_assert(fits(UINT64_MAX, GiB, 1000 * GiB, false));
	cr_assert(fits(0, 0, GiB, true));
}

Test(memlock, explanation_names_locked_needed_and_the_fix)
{
	struct pt_memlock m = { .limit = 64 * KiB, .locked = 0, .need = GiB };
	char buf[512];

	pt_memlock_explain(&m, buf, sizeof(buf));
	cr_assert_str_eq(buf,
		"RLIMIT_MEMLOCK is 64 KiB, 0 B are locked and 1 GiB more are needed (1 GiB in all); "
		"raise it with `ulimit -l 1048576` (KiB) in the shell, `prlimit --memlock=1073741824 --pid PID`, "
		"LimitMEMLOCK=1073741824 in a systemd unit or a memlock line in /etc/security/limits.conf, "
		"or run with CAP_IPC_LOCK");
}

Test(memlock, explanation_rounds_kib_up_and_sums)
{
	struct pt_memlock m = { .limit = 1 * MiB, .locked = 768 * KiB, .need = 512 * KiB + 100 };
	char buf[512];

	pt_memlock_explain(&m, buf, sizeof(buf));
	cr_assert(strstr(buf, "RLIMIT_MEMLOCK is 1 MiB, 768 KiB are locked and 512.1 KiB more are needed (1.3 MiB in all)"), "%s", buf);
	cr_assert(strstr(buf, "`ulimit -l 1281`"), "%s", buf);	/* 1310820 bytes -> 1281 KiB (rounded up) */
}

Test(memlock, explanation_when_it_fits)
{
	struct pt_memlock m = { .limit = UINT64_MAX, .locked = 4096, .need = 4096 };
	char buf[512];

	pt_memlock_explain(&m, buf, sizeof(buf));
	cr_assert_str_eq(buf, "RLIMIT_MEMLOCK is unlimited, 4 KiB are locked and 4 KiB more are needed (8 KiB in all): within the limit");
}

Test(memlock, read_this_process)
{
	struct rlimit rl;
	struct pt_memlock m;

	cr_assert_eq(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	cr_assert_eq(pt_memlock_read(&m), 0);
	cr_assert_eq(m.limit, rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur);
	cr_assert_eq(m.need, 0);
}

Test(backend, names_and_parse)
{
	enum pt_iommu_backend b;

	cr_assert_eq(pt_iommu_backend_parse("type1", &b), 0);
	cr_assert_eq(b, PT_IOMMU_TYPE1);
	cr_assert_str_eq(pt_iommu_backend_name(b), "type1");
	cr_assert_eq(pt_iommu_backend_parse("iommufd", &b), 0);
	cr_assert_eq(b, PT_IOMMU_IOMMUFD);
	cr_assert_str_eq(pt_iommu_backend_name(b), "iommufd");
	cr_assert_eq(pt_iommu_backend_parse("auto", &b), 0);
	cr_assert_eq(b, PT_IOMMU_AUTO);
	cr_assert_eq(pt_iommu_backend_parse("vfio2", &b), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "unknown IOMMU backend 'vfio2': use type1, iommufd or auto");
}

Test(backend, environment_forces_the_choice)
{
	enum pt_iommu_backend b;

	setenv("PASSTHRU_IOMMU", "iommufd", 1);
	cr_assert_eq(pt_iommu_backend_resolve(PT_IOMMU_AUTO, &b), 0);
	cr_assert_eq(b, PT_IOMMU_IOMMUFD);
	setenv("PASSTHRU_IOMMU", "type1", 1);
	cr_assert_eq(pt_iommu_backend_resolve(PT_IOMMU_AUTO, &b), 0);
	cr_assert_eq(b, PT_IOMMU_TYPE1);
	/* an explicit option wins over the environment */
	cr_assert_eq(pt_iommu_backend_resolve(PT_IOMMU_IOMMUFD, &b), 0);
	cr_assert_eq(b, PT_IOMMU_IOMMUFD);
	setenv("PASSTHRU_IOMMU", "nonsense", 1);
	cr_assert_eq(pt_iommu_backend_resolve(PT_IOMMU_AUTO, &b), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "PASSTHRU_IOMMU='nonsense' is not a backend: use type1, iommufd or auto");
	unsetenv("PASSTHRU_IOMMU");
	cr_assert_eq(pt_iommu_backend_resolve(PT_IOMMU_AUTO, &b), 0);
	cr_assert_eq(b, access("/dev/iommu", F_OK) == 0 ? PT_IOMMU_IOMMUFD : PT_IOMMU_TYPE1);
}

Test(mem, kinds)
{
	enum pt_mem_kind k;

	cr_assert_eq(pt_mem_kind_parse("2M", &k), 0);
	cr_assert_eq(k, PT_MEM_HUGE_2M);
	cr_assert_eq(pt_mem_kind_parse("1GiB", &k), 0);
	cr_assert_eq(k, PT_MEM_HUGE_1G);
	cr_assert_eq(pt_mem_kind_parse("memfd", &k), 0);
	cr_assert_eq(k, PT_MEM_MEMFD);
	cr_assert_eq(pt_mem_kind_parse("4M", &k), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "unknown memory kind '4M': use anon, memfd, 2M or 1G");
}

Test(mem, anonymous_and_memfd_round_up_to_pages)
{
	struct pt_mem m;

	cr_assert_eq(pt_mem_alloc(&m, 5000, PT_MEM_ANON), 0, "%s", pt_last_error());
	cr_assert_eq(m.size, 8192);
	cr_assert_eq(m.fd, -1);
	((char *)m.addr)[8191] = 1;
	pt_mem_free(&m);
	cr_assert_eq(pt_mem_alloc(&m, 4096, PT_MEM_MEMFD), 0, "%s", pt_last_error());
	cr_assert_geq(m.fd, 0);
	cr_assert_eq(m.page_size, 4096);
	pt_mem_free(&m);
	cr_assert_eq(pt_mem_alloc(&m, 0, PT_MEM_ANON), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "cannot allocate 0 bytes of DMA memory");
}

Test(mem, huge_kinds_round_to_their_page)
{
	struct pt_mem m;
	int ret = pt_mem_alloc(&m, 1, PT_MEM_HUGE_2M);

	/* the host may or may not have a 2 MiB pool: either it rounds to one
	 * huge page or the message says how to get some */
	if (ret == 0) {
		cr_assert_eq(m.size, 2 * MiB);
		pt_mem_free(&m);
	} else {
		cr_assert(strstr(pt_last_error(), "hugepages-2048kB"), "%s", pt_last_error());
	}
}
