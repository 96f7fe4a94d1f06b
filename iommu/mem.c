// SPDX-License-Identifier: MIT
/*
 * mem.c — memory sources for DMA (anonymous, memfd, hugetlb 2 MiB/1 GiB)
 * and the RLIMIT_MEMLOCK arithmetic behind "mapping failed" messages.
 *
 * The IOMMU pins what it maps: type1 charges the process's locked_vm
 * (VmLck), iommufd the user's; both refuse with ENOMEM past
 * RLIMIT_MEMLOCK unless the process has CAP_IPC_LOCK.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/abi-priv.h"
#include "lib/passthru.h"
#include "lib/sysfs.h"
#include "iommu/passthru-iommu.h"

#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB (21 << 26)
#endif
#ifndef MFD_HUGE_1GB
#define MFD_HUGE_1GB (30 << 26)
#endif

const char *pt_mem_kind_name(enum pt_mem_kind k)
{
	switch (k) {
	case PT_MEM_ANON: return "anon";
	case PT_MEM_MEMFD: return "memfd";
	case PT_MEM_HUGE_2M: return "hugetlb-2M";
	case PT_MEM_HUGE_1G: return "hugetlb-1G";
	}
	return "?";
}

int pt_mem_kind_parse(const char *s, enum pt_mem_kind *out)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "anon") || !strcmp(s, "4K") || !strcmp(s, "none"))
		*out = PT_MEM_ANON;
	else if (!strcmp(s, "memfd"))
		*out = PT_MEM_MEMFD;
	else if (!strcmp(s, "2M") || !strcmp(s, "2MiB") || !strcmp(s, "hugetlb-2M"))
		*out = PT_MEM_HUGE_2M;
	else if (!strcmp(s, "1G") || !strcmp(s, "1GiB") || !strcmp(s, "hugetlb-1G"))
		*out = PT_MEM_HUGE_1G;
	else
		return pt_set_error(EINVAL, "unknown memory kind '%s': use anon, memfd, 2M or 1G", s);
	return 0;
}

static long hugepages_free(size_t page)
{
	char rel[128];
	long n;

	snprintf(rel, sizeof(rel), "sys/kernel/mm/hugepages/hugepages-%zukB/free_hugepages",
		 page >> 10);
	return pt_sysfs_read_long(pt_sysfs_live(), rel, &n) < 0 ? -1 : n;
}

static int mem_map(struct pt_mem *m, size_t size, enum pt_mem_kind kind)
{
	unsigned int mfd_flags = MFD_CLOEXEC;
	char sz[32];
	void *p;
	int err;

	m->fd = -1;
	m->kind = kind;
	switch (kind) {
	case PT_MEM_ANON: case PT_MEM_MEMFD: m->page_size = 4096; break;
	case PT_MEM_HUGE_2M: m->page_size = 2u << 20; mfd_flags |= MFD_HUGETLB | MFD_HUGE_2MB; break;
	case PT_MEM_HUGE_1G: m->page_size = 1u << 30; mfd_flags |= MFD_HUGETLB | MFD_HUGE_1GB; break;
	default: return pt_set_error(EINVAL, "unknown memory kind %d", kind);
	}
	if (!size)
		return pt_set_error(EINVAL, "cannot allocate 0 bytes of DMA memory");
	m->size = (size + m->page_size - 1) & ~(m->page_size - 1);
	pt_format_size(m->size, sz, sizeof(sz));

	if (kind == PT_MEM_ANON) {
		p = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return pt_set_error(errno, "allocating %s of anonymous memory failed: %s",
					    sz, strerror(errno));
		m->addr = p;
		return 0;
	}
	m->fd = memfd_create("passthru-dma", mfd_flags);
	if (m->fd < 0) {
		err = errno;
		if (kind >= PT_MEM_HUGE_2M)
			return pt_set_error(err, "memfd_create for %s of %s memory failed: %s: the kernel has no %s huge page pool (/sys/kernel/mm/hugepages/hugepages-%zukB); %s",
					    sz, pt_mem_kind_name(kind), strerror(err),
					    kind == PT_MEM_HUGE_2M ? "2 MiB" : "1 GiB", m->page_size >> 10,
					    kind == PT_MEM_HUGE_1G ? "boot with hugepagesz=1G hugepages=N (and a CPU with pdpe1gb)" :
					    "the kernel needs CONFIG_HUGETLBFS");
		return pt_set_error(err, "memfd_create for %s failed: %s", sz, strerror(err));
	}
	if (ftruncate(m->fd, m->size) < 0) {
		err = errno;
		goto fail;
	}
	/* MAP_POPULATE makes a hugetlb shortage fail here (ENOMEM), not as a
	 * SIGBUS at the first touch or a confusing error from the IOMMU. */
	p = mmap(NULL, m->size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | (kind >= PT_MEM_HUGE_2M ? MAP_POPULATE : 0), m->fd, 0);
	if (p == MAP_FAILED) {
		err = errno;
		goto fail;
	}
	m->addr = p;
	return 0;
fail:
	close(m->fd);
	m->fd = -1;
	if (kind >= PT_MEM_HUGE_2M) {
		long nfree = hugepages_free(m->page_size);
		size_t pages = m->size / m->page_size;

		return pt_set_error(err, "allocating %s of %s memory failed: %s: %zu huge page(s) of %s needed, %ld free; reserve more with `echo %zu > /sys/kernel/mm/hugepages/hugepages-%zukB/nr_hugepages`%s",
				    sz, pt_mem_kind_name(kind), strerror(err), pages,
				    kind == PT_MEM_HUGE_2M ? "2 MiB" : "1 GiB", nfree, pages,
				    m->page_size >> 10,
				    kind == PT_MEM_HUGE_1G ? " (1 GiB pages are best reserved at boot: hugepagesz=1G hugepages=N)" : "");
	}
	return pt_set_error(err, "allocating %s of memfd memory failed: %s", sz, strerror(err));
}

/* The struct is the library's (lib/ABI.md rule 1), allocated with the
 * memory, so it can grow without the callers' knowing its size. */
int pt_mem_alloc(struct pt_mem **out, size_t size, enum pt_mem_kind kind)
{
	struct pt_mem *m = calloc(1, sizeof(*m));
	int ret;

	*out = NULL;
	if (!m)
		return pt_set_error(ENOMEM, "cannot allocate a struct pt_mem: %s",
				    strerror(ENOMEM));
	ret = mem_map(m, size, kind);
	if (ret < 0) {
		free(m);	/* mem_map left nothing mapped or open */
		return ret;
	}
	*out = m;
	return 0;
}

void pt_mem_free(struct pt_mem *m)
{
	if (!m)
		return;
	if (m->addr)
		munmap(m->addr, m->size);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

/* ---- RLIMIT_MEMLOCK ---- */
/* VmLck (bytes this process has locked) and CapEff's CAP_IPC_LOCK, from
 * /proc/self/status. */
static void read_status(struct pt_memlock *m)
{
	unsigned long long eff = 0;
	uint64_t kb = 0;
	char *buf, *p;

	if (pt_sysfs_slurp(pt_sysfs_live(), "proc/self/status", &buf, NULL) < 0)
		return;
	p = strstr(buf, "\nVmLck:");
	if (p && sscanf(p + 1, "VmLck: %" SCNu64, &kb) == 1)
		m->locked = kb << 10;
	p = strstr(buf, "\nCapEff:");
	if (p && sscanf(p + 1, "CapEff: %llx", &eff) == 1)
		m->cap_ipc_lock = eff & (1ull << CAP_IPC_LOCK);
	free(buf);
}

/* Read in full, then handed out as far as the caller's struct reaches
 * (zeroed, not stale, when getrlimit fails). */
int pt_memlock_read(struct pt_memlock *m)
{
	struct pt_memlock full = PT_MEMLOCK_INIT;
	struct rlimit rl;
	int ret = 0;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0) {
		ret = pt_set_error(errno, "getrlimit(RLIMIT_MEMLOCK) failed: %s", strerror(errno));
	} else {
		full.limit = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
		read_status(&full);
	}
	if (pt_write_sized(m, &full, sizeof(full), "pt_memlock_read: struct "
			   "pt_memlock", "PT_MEMLOCK_INIT") < 0)
		return -EINVAL;
	return ret;
}

/* The caller's struct as this library's, fields it did not know of zero;
 * -errno for one without its size (or NULL, or with fields set this
 * library does not know). */
static int memlock_get(const struct pt_memlock *m, struct pt_memlock *full,
		       const char *what)
{
	if (!m)
		return pt_set_error(EINVAL, "%s is NULL", what);
	return pt_read_sized(m, full, sizeof(*full), what, "PT_MEMLOCK_INIT");
}

static bool memlock_fits(const struct pt_memlock *m)
{
	if (m->cap_ipc_lock || m->limit == UINT64_MAX)
		return true;
	if (m->locked > m->limit)
		return false;
	return m->need <= m->limit - m->locked;
}

/* Fails closed: "it fits" is never the answer for a struct we cannot
 * read, since a caller would then pin past the limit. */
bool pt_memlock_fits(const struct pt_memlock *m)
{
	struct pt_memlock full;

	if (memlock_get(m, &full, "pt_memlock_fits: struct pt_memlock") < 0)
		return false;
	return memlock_fits(&full);
}

/* The sentence for a struct memlock_get() refused. */
static const char *memlock_unreadable(const struct pt_memlock *m, char *buf,
				      size_t n)
{
	size_t size;

	if (!m) {
		snprintf(buf, n, "cannot explain RLIMIT_MEMLOCK: no struct pt_memlock (NULL)");
		return buf;
	}
	memcpy(&size, m, sizeof(size));
	if (size < sizeof(size))
		snprintf(buf, n, "cannot explain RLIMIT_MEMLOCK: the struct pt_memlock "
			 "is missing its size (.size is %zu); fix: start from "
			 "PT_MEMLOCK_INIT", size);
	else
		snprintf(buf, n, "cannot explain RLIMIT_MEMLOCK: %s", pt_last_error());
	return buf;
}

const char *pt_memlock_explain(const struct pt_memlock *m, char *buf, size_t n)
{
	char lim[32], locked[32], need[32], total[32];
	struct pt_memlock full;
	uint64_t sum;

	if (memlock_get(m, &full, "pt_memlock_explain: struct pt_memlock") < 0)
		return memlock_unreadable(m, buf, n);
	m = &full;
	sum = m->locked + m->need;
	if (sum < m->locked)
		sum = UINT64_MAX;
	if (m->limit == UINT64_MAX)
		snprintf(lim, sizeof(lim), "unlimited");
	else
		pt_format_size(m->limit, lim, sizeof(lim));
	pt_format_size(m->locked, locked, sizeof(locked));
	pt_format_size(m->need, need, sizeof(need));
	pt_format_size(sum, total, sizeof(total));
	if (memlock_fits(m))
		snprintf(buf, n, "RLIMIT_MEMLOCK is %s, %s are locked and %s more are needed (%s in all): within the limit",
			 lim, locked, need, total);
	else
		snprintf(buf, n, "RLIMIT_MEMLOCK is %s, %s are locked and %s more are needed (%s in all); raise it with `ulimit -l %" PRIu64 "` (KiB) in the shell, `prlimit --memlock=%" PRIu64 " --pid PID`, LimitMEMLOCK=%" PRIu64 " in a systemd unit or a memlock line in /etc/security/limits.conf, or run with CAP_IPC_LOCK",
			 lim, locked, need, total, (sum + 1023) >> 10, sum, sum);
	return buf;
}
