// SPDX-License-Identifier: MIT
/* test-memlock.c — RLIMIT_MEMLOCK arithmetic and the sentence that explains
 * a failed pin; backend and memory-kind choice (option, $PASSTHRU_IOMMU)
 * and their error messages; memory sources that need no privilege. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "iommu/passthru-iommu.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

static struct pt_memlock memlock(uint64_t limit, uint64_t locked, uint64_t need,
				  bool cap)
{
	struct pt_memlock m = PT_MEMLOCK_INIT;

	m.limit = limit;
	m.locked = locked;
	m.need = need;
	m.cap_ipc_lock = cap;
	return m;
}

static bool fits(uint64_t limit, uint64_t locked, uint64_t need, bool cap)
{
	struct pt_memlock m = memlock(limit, locked, need, cap);

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
	struct pt_memlock m = memlock(64 * KiB, 0, GiB, false);
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
	struct pt_memlock m = memlock(1 * MiB, 768 * KiB, 512 * KiB + 100, false);
	char buf[512];

	pt_memlock_explain(&m, buf, sizeof(buf));
	cr_assert(strstr(buf, "RLIMIT_MEMLOCK is 1 MiB, 768 KiB are locked and 512.1 KiB more are needed (1.3 MiB in all)"), "%s", buf);
	cr_assert(strstr(buf, "`ulimit -l 1281`"), "%s", buf);	/* 1310820 bytes -> 1281 KiB (rounded up) */
}

Test(memlock, explanation_when_it_fits)
{
	struct pt_memlock m = memlock(UINT64_MAX, 4096, 4096, false);
	char buf[512];

	pt_memlock_explain(&m, buf, sizeof(buf));
	cr_assert_str_eq(buf, "RLIMIT_MEMLOCK is unlimited, 4 KiB are locked and 4 KiB more are needed (8 KiB in all): within the limit");
}

Test(memlock, read_this_process)
{
	struct rlimit rl;
	struct pt_memlock m = PT_MEMLOCK_INIT;

	cr_assert_eq(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	cr_assert_eq(pt_memlock_read(&m), 0);
	cr_assert_eq(m.limit, rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur);
	cr_assert_eq(m.need, 0);
	cr_assert_eq(m.size, sizeof(m));
}

/* lib/ABI.md rule 3: pt_memlock_read() writes as far as the caller's .size
 * reaches: an older, smaller struct gets the fields it knows of and
 * nothing past them, a newer, larger one a zero tail. */
Test(memlock, read_as_far_as_the_callers_size)
{
	struct {
		struct pt_memlock m;
		unsigned char newer[8];
	} big;
	struct rlimit rl;
	struct pt_memlock old;
	size_t old_size = offsetof(struct pt_memlock, locked);

	cr_assert_eq(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	memset(&old, 0xaa, sizeof(old));
	old.size = old_size;
	cr_assert_eq(pt_memlock_read(&old), 0, "%s", pt_last_error());
	cr_assert_eq(old.size, old_size, "the caller's size is kept");
	cr_assert_eq(old.limit, rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur);
	cr_assert_eq(old.locked, 0xaaaaaaaaaaaaaaaaull, "nothing past the caller's size");
	cr_assert_eq(old.need, 0xaaaaaaaaaaaaaaaaull);

	memset(&big, 0xaa, sizeof(big));
	big.m.size = sizeof(big);
	cr_assert_eq(pt_memlock_read(&big.m), 0, "%s", pt_last_error());
	cr_assert_eq(big.m.size, sizeof(big));
	cr_assert_eq(big.m.need, 0);
	for (size_t i = 0; i < sizeof(big.newer); i++)
		cr_assert_eq(big.newer[i], 0, "a newer caller's tail is zero");

	memset(&old, 0xaa, sizeof(old));
	old.size = 0;
	cr_assert_eq(pt_memlock_read(&old), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "pt_memlock_read: struct pt_memlock: .size "
			 "is 0; fix: start from PT_MEMLOCK_INIT");
	cr_assert_eq(old.limit, 0xaaaaaaaaaaaaaaaaull, "nothing written without a size");
}

/* An older caller's struct ends before need/cap_ipc_lock: what it does not
 * know of is zero (nothing more needed), and the answer follows. */
Test(memlock, an_older_callers_struct_is_read_with_zero_defaults)
{
	struct pt_memlock m = memlock(64 * KiB, 60 * KiB, 8 * KiB, true);
	char buf[512];

	m.size = offsetof(struct pt_memlock, need);
	cr_assert(pt_memlock_fits(&m), "need beyond the caller's size: 0 bytes");
	cr_assert_str_eq(pt_memlock_explain(&m, buf, sizeof(buf)),
			 "RLIMIT_MEMLOCK is 64 KiB, 60 KiB are locked and 0 B more are "
			 "needed (60 KiB in all): within the limit");
	m.size = offsetof(struct pt_memlock, cap_ipc_lock);
	cr_assert_not(pt_memlock_fits(&m), "CAP_IPC_LOCK beyond the caller's size: off");
}

/* Without its size the struct says nothing that can be trusted: "it fits"
 * would let a caller pin past the limit, so the answer is no. */
Test(memlock, fits_fails_closed_without_a_size)
{
	struct pt_memlock m = memlock(UINT64_MAX, 0, 4096, true);
	char buf[512];

	cr_assert(pt_memlock_fits(&m));
	m.size = 0;
	pt_clear_error();
	cr_assert_not(pt_memlock_fits(&m));
	cr_assert_str_eq(pt_last_error(), "pt_memlock_fits: struct pt_memlock: .size "
			 "is 0; fix: start from PT_MEMLOCK_INIT");
	m.size = sizeof(size_t) - 1;
	cr_assert_not(pt_memlock_fits(&m));
	cr_assert_not(pt_memlock_fits(NULL));
	cr_assert_str_eq(pt_last_error(), "pt_memlock_fits: struct pt_memlock is NULL");
	m.size = 0;
	cr_assert_eq(pt_memlock_explain(&m, buf, sizeof(buf)), buf);
	cr_assert_str_eq(buf, "cannot explain RLIMIT_MEMLOCK: the struct pt_memlock "
			 "is missing its size (.size is 0); fix: start from PT_MEMLOCK_INIT");
	cr_assert_str_eq(pt_memlock_explain(NULL, buf, sizeof(buf)),
			 "cannot explain RLIMIT_MEMLOCK: no struct pt_memlock (NULL)");
}

/* A newer caller's larger struct: a zero tail is read as this library's
 * struct; a tail with something set is a question this library cannot
 * answer, so fits says no and explain says why. */
Test(memlock, a_newer_callers_struct)
{
	struct {
		struct pt_memlock m;
		unsigned char newer[8];
	} big;
	char buf[512], want[512];

	memset(&big, 0, sizeof(big));
	big.m = memlock(64 * KiB, 0, 64 * KiB, false);
	big.m.size = sizeof(big);
	cr_assert(pt_memlock_fits(&big.m));
	big.newer[3] = 1;
	cr_assert_not(pt_memlock_fits(&big.m));
	snprintf(want, sizeof(want), "pt_memlock_fits: struct pt_memlock: the "
		 "caller's struct has fields this libpassthru does not know (size "
		 "%zu > %zu); fix: install a newer libpassthru", sizeof(big),
		 sizeof(struct pt_memlock));
	cr_assert_str_eq(pt_last_error(), want);
	pt_memlock_explain(&big.m, buf, sizeof(buf));
	snprintf(want, sizeof(want), "cannot explain RLIMIT_MEMLOCK: "
		 "pt_memlock_explain: struct pt_memlock: the caller's struct has "
		 "fields this libpassthru does not know (size %zu > %zu); fix: "
		 "install a newer libpassthru", sizeof(big), sizeof(struct pt_memlock));
	cr_assert_str_eq(buf, want);
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

/* struct pt_mem is the library's (lib/ABI.md rule 1): allocated with the
 * memory, freed with it, NULL on failure. */
Test(mem, anonymous_and_memfd_round_up_to_pages)
{
	struct pt_mem *m = NULL;

	cr_assert_eq(pt_mem_alloc(&m, 5000, PT_MEM_ANON), 0, "%s", pt_last_error());
	cr_assert_not_null(m);
	cr_assert_eq(m->size, 8192);
	cr_assert_eq(m->page_size, 4096);
	cr_assert_eq(m->kind, PT_MEM_ANON);
	cr_assert_eq(m->fd, -1);
	((char *)m->addr)[8191] = 1;
	pt_mem_free(m);
	cr_assert_eq(pt_mem_alloc(&m, 4096, PT_MEM_MEMFD), 0, "%s", pt_last_error());
	cr_assert_geq(m->fd, 0);
	cr_assert_eq(m->size, 4096);
	cr_assert_eq(m->page_size, 4096);
	cr_assert_eq(m->kind, PT_MEM_MEMFD);
	pt_mem_free(m);
	m = (void *)1;
	cr_assert_eq(pt_mem_alloc(&m, 0, PT_MEM_ANON), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "cannot allocate 0 bytes of DMA memory");
	cr_assert_null(m, "nothing to free after a failure");
	cr_assert_eq(pt_mem_alloc(&m, 4096, (enum pt_mem_kind)7), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "unknown memory kind 7");
	cr_assert_null(m);
	pt_mem_free(NULL);	/* a no-op, like free() */
}

Test(mem, huge_kinds_round_to_their_page)
{
	struct pt_mem *m = (void *)1;
	int ret = pt_mem_alloc(&m, 1, PT_MEM_HUGE_2M);

	/* the host may or may not have a 2 MiB pool: either it rounds to one
	 * huge page or the message says how to get some */
	if (ret == 0) {
		cr_assert_eq(m->size, 2 * MiB);
		cr_assert_eq(m->page_size, 2 * MiB);
		pt_mem_free(m);
	} else {
		cr_assert(strstr(pt_last_error(), "hugepages-2048kB"), "%s", pt_last_error());
		cr_assert_null(m);
	}
}
