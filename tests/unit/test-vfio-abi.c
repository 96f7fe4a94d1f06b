// SPDX-License-Identifier: MIT
/*
 * test-vfio-abi.c — the structs of vfio/passthru-vfio.h grow without
 * breaking callers (lib/ABI.md): device, region and irq info are written as
 * far as the caller's .size reaches; sparse areas, a mapped BAR's areas and
 * the hot-reset list are the library's, with no cap on their number.
 *
 * No /dev/vfio here: the device is a struct pt_vfio_device whose fd is a
 * memfd (pread, pwrite and mmap work on it as on a region), and this file's
 * ioctl() answers the three VFIO queries for that fd the way the kernel
 * does (the static libpassthru.a binds to it); any other ioctl goes to the
 * kernel.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "vfio/vfio-priv.h"

#define PAGE		4096u
#define NR_AREAS	40	/* more than the 16 there used to be room for */
#define NR_DEPS		20
#define BAR_PAGES	(2 * NR_AREAS)

static struct pt_vfio_device *D;
static uint8_t region_info[1024];	/* BAR0's answer: info + sparse cap */
static size_t region_len;

/* BAR0: BAR_PAGES pages at fd offset 0; every even page is a sparse area. */
static void make_region_info(void)
{
	struct vfio_region_info *ri = (void *)region_info;
	struct vfio_region_info_cap_sparse_mmap *cap = (void *)(ri + 1);

	memset(region_info, 0, sizeof(region_info));
	ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		    VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS;
	ri->cap_offset = sizeof(*ri);
	ri->size = BAR_PAGES * PAGE;
	cap->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	cap->header.version = 1;
	cap->nr_areas = NR_AREAS;
	for (int i = 0; i < NR_AREAS; i++) {
		cap->areas[i].offset = 2ull * i * PAGE;
		cap->areas[i].size = PAGE;
	}
	region_len = sizeof(*ri) + sizeof(*cap) + NR_AREAS * sizeof(cap->areas[0]);
	cr_assert_leq(region_len, sizeof(region_info));
}

/* As the kernel: a short argsz gets the fixed part and the size needed. */
static int get_region_info(struct vfio_region_info *ri)
{
	uint32_t argsz = ri->argsz, index = ri->index;

	if (index == VFIO_PCI_BAR0_REGION_INDEX) {
		memcpy(ri, region_info, argsz < region_len ? sizeof(*ri) : region_len);
		if (argsz < region_len)
			ri->cap_offset = 0;
	} else {	/* BAR1: one page, read/write, not mmappable */
		memset(ri, 0, sizeof(*ri));
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		ri->size = index == 1 ? PAGE : 0;
		ri->offset = BAR_PAGES * PAGE;
	}
	ri->argsz = index == VFIO_PCI_BAR0_REGION_INDEX ? region_len : sizeof(*ri);
	ri->index = index;
	return 0;
}

static int get_irq_info(struct vfio_irq_info *ii)
{
	ii->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	ii->count = 5;
	return 0;
}

/* NR_DEPS devices on bus 3, owned (iommufd's devid) but the last. */
static int get_hot_reset_info(struct vfio_pci_hot_reset_info *h)
{
	uint32_t argsz = h->argsz;

	h->flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID;
	h->count = NR_DEPS;
	if (argsz < sizeof(*h) + NR_DEPS * sizeof(h->devices[0])) {
		errno = ENOSPC;
		return -1;
	}
	for (int i = 0; i < NR_DEPS; i++) {
		h->devices[i].devid = i == NR_DEPS - 1 ? (uint32_t)VFIO_PCI_DEVID_NOT_OWNED : 10u + i;
		h->devices[i].segment = 0;
		h->devices[i].bus = 3;
		h->devices[i].devfn = (uint8_t)(i << 3 | (i & 7));
	}
	return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (D && fd == D->fd) {
		switch (req) {
		case VFIO_DEVICE_GET_REGION_INFO: return get_region_info(arg);
		case VFIO_DEVICE_GET_IRQ_INFO: return get_irq_info(arg);
		case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: return get_hot_reset_info(arg);
		}
	}
	return syscall(SYS_ioctl, fd, req, arg);
}

static void setup(void)
{
	uint8_t page[PAGE];

	make_region_info();
	D = calloc(1, sizeof(*D));
	cr_assert_not_null(D);
	snprintf(D->bdf, sizeof(D->bdf), "0000:03:00.0");
	D->fd = memfd_create("bar", MFD_CLOEXEC);
	cr_assert_geq(D->fd, 0);
	for (uint32_t p = 0; p < BAR_PAGES + 1; p++) {	/* page p holds byte p */
		memset(page, (int)p, sizeof(page));
		cr_assert_eq(pwrite(D->fd, page, PAGE, (off_t)p * PAGE), (ssize_t)PAGE);
	}
	D->info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	D->info.num_regions = VFIO_PCI_NUM_REGIONS;
	D->info.num_irqs = VFIO_PCI_NUM_IRQS;
	D->vendor = 0x8086;
	D->device = 0x10d3;
	D->class_rev = 0x02000003;
}

/* pt_vfio_device_close() without the IOMMU it would detach from. */
static void teardown(void)
{
	pt_vfio_regions_free(D);
	close(D->fd);
	free(D);
	D = NULL;
}

TestSuite(vfio_abi, .init = setup, .fini = teardown);

/* ---- device info ---- */
Test(vfio_abi, device_info_written_as_far_as_the_callers_size)
{
	struct {
		struct pt_vfio_device_info i;
		unsigned char newer[8];
	} big;
	struct pt_vfio_device_info old;
	size_t old_size = offsetof(struct pt_vfio_device_info, pci);

	memset(&old, 0xaa, sizeof(old));
	old.size = old_size;
	cr_assert_eq(pt_vfio_device_get_info(D, &old), 0, "%s", pt_last_error());
	cr_assert_eq(old.size, old_size, "the caller's size is kept");
	cr_assert_eq(old.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	cr_assert_eq(old.num_regions, VFIO_PCI_NUM_REGIONS);
	cr_assert_eq(old.num_irqs, VFIO_PCI_NUM_IRQS);
	cr_assert_eq(old.vendor, 0xaaaa, "nothing past the caller's size");

	memset(&big, 0xaa, sizeof(big));
	big.i.size = sizeof(big);
	cr_assert_eq(pt_vfio_device_get_info(D, &big.i), 0, "%s", pt_last_error());
	cr_assert(big.i.pci && big.i.reset);
	cr_assert_eq(big.i.vendor, 0x8086);
	cr_assert_eq(big.i.device, 0x10d3);
	cr_assert_eq(big.i.class_code, 0x020000);
	for (size_t i = 0; i < sizeof(big.newer); i++)
		cr_assert_eq(big.newer[i], 0, "a newer caller's tail is zero");

	memset(&old, 0, sizeof(old));
	cr_assert_eq(pt_vfio_device_get_info(D, &old), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "pt_vfio_device_get_info: struct pt_vfio_device_info: "
			 ".size is 0; fix: start from PT_VFIO_DEVICE_INFO_INIT");
}

/* ---- irq info ---- */
Test(vfio_abi, irq_info_written_as_far_as_the_callers_size)
{
	struct {
		struct pt_vfio_irq_info i;
		unsigned char newer[8];
	} big;
	struct pt_vfio_irq_info old;
	size_t old_size = offsetof(struct pt_vfio_irq_info, count);

	memset(&old, 0xaa, sizeof(old));
	old.size = old_size;
	cr_assert_eq(pt_vfio_irq_get_info(D, VFIO_PCI_MSIX_IRQ_INDEX, &old), 0, "%s", pt_last_error());
	cr_assert_eq(old.size, old_size);
	cr_assert_eq(old.index, VFIO_PCI_MSIX_IRQ_INDEX);
	cr_assert_eq(old.flags, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE);
	cr_assert_eq(old.count, 0xaaaaaaaa, "nothing past the caller's size");

	memset(&big, 0xaa, sizeof(big));
	big.i.size = sizeof(big);
	cr_assert_eq(pt_vfio_irq_get_info(D, VFIO_PCI_MSIX_IRQ_INDEX, &big.i), 0, "%s", pt_last_error());
	cr_assert_eq(big.i.count, 5);
	cr_assert(big.i.eventfd && big.i.noresize && !big.i.maskable && !big.i.automasked);
	for (size_t i = 0; i < sizeof(big.newer); i++)
		cr_assert_eq(big.newer[i], 0, "a newer caller's tail is zero");

	memset(&old, 0, sizeof(old));
	cr_assert_eq(pt_vfio_irq_get_info(D, VFIO_PCI_MSIX_IRQ_INDEX, &old), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "pt_vfio_irq_get_info: struct pt_vfio_irq_info: "
			 ".size is 0; fix: start from PT_VFIO_IRQ_INFO_INIT");
}

/* ---- region info ---- */
Test(vfio_abi, region_info_written_as_far_as_the_callers_size)
{
	struct {
		struct pt_vfio_region r;
		unsigned char newer[8];
	} big;
	struct pt_vfio_region old;
	size_t old_size = offsetof(struct pt_vfio_region, nr_sparse);

	memset(&old, 0xaa, sizeof(old));
	old.size = old_size;
	cr_assert_eq(pt_vfio_region_get_info(D, 0, &old), 0, "%s", pt_last_error());
	cr_assert_eq(old.size, old_size);
	cr_assert_eq(old.index, 0);
	cr_assert_eq(old.region_size, BAR_PAGES * PAGE);
	cr_assert(old.readable && old.writable && old.mmappable && old.has_sparse);
	cr_assert_eq(old.nr_sparse, (int)0xaaaaaaaa, "nothing past the caller's size");

	memset(&big, 0xaa, sizeof(big));
	big.r.size = sizeof(big);
	cr_assert_eq(pt_vfio_region_get_info(D, 0, &big.r), 0, "%s", pt_last_error());
	cr_assert_eq(big.r.nr_sparse, NR_AREAS);
	cr_assert(!big.r.msix_mappable && !big.r.has_type);
	for (size_t i = 0; i < sizeof(big.newer); i++)
		cr_assert_eq(big.newer[i], 0, "a newer caller's tail is zero");

	memset(&old, 0, sizeof(old));
	cr_assert_eq(pt_vfio_region_get_info(D, 0, &old), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "pt_vfio_region_get_info: struct pt_vfio_region: "
			 ".size is 0; fix: start from PT_VFIO_REGION_INIT");
}

/* Every sparse area comes back, in storage the device keeps until close:
 * asking again hands out the same areas. */
Test(vfio_abi, every_sparse_area_kept_by_the_device)
{
	struct pt_vfio_region r = PT_VFIO_REGION_INIT, again = PT_VFIO_REGION_INIT;

	cr_assert_eq(pt_vfio_region_get_info(D, 0, &r), 0, "%s", pt_last_error());
	cr_assert_eq(r.nr_sparse, NR_AREAS);
	for (int i = 0; i < NR_AREAS; i++) {
		cr_assert_eq(r.sparse[i].offset, 2ull * i * PAGE, "area %d", i);
		cr_assert_eq(r.sparse[i].size, PAGE, "area %d", i);
	}
	cr_assert_eq(pt_vfio_region_get_info(D, 0, &again), 0, "%s", pt_last_error());
	cr_assert_eq(again.sparse, r.sparse);
	cr_assert_eq(pt_vfio_region_get_info(D, 1, &again), 0, "%s", pt_last_error());
	cr_assert_eq(again.nr_sparse, 0);
	cr_assert_null(again.sparse);
	cr_assert_eq(r.sparse[NR_AREAS - 1].offset, 2ull * (NR_AREAS - 1) * PAGE,
		     "another region's info leaves this one's areas alone");
}

/* ---- BAR mmap ---- */
/* All NR_AREAS areas are mapped; the pages between them are read through
 * pread, each access reaching the right page of the fd. */
Test(vfio_abi, bar_maps_every_sparse_area)
{
	struct pt_vfio_bar *bar;
	uint32_t v;

	cr_assert_eq(pt_vfio_region_mmap(D, 0, &bar), 0, "%s", pt_last_error());
	cr_assert_eq(bar->index, 0);
	cr_assert_eq(bar->size, BAR_PAGES * PAGE);
	cr_assert_eq(bar->nr_areas, NR_AREAS);
	for (int i = 0; i < NR_AREAS; i++) {
		cr_assert_eq(bar->areas[i].offset, 2ull * i * PAGE, "area %d", i);
		cr_assert_eq(bar->areas[i].size, PAGE, "area %d", i);
		cr_assert(pt_vfio_bar_is_mapped(bar, 2ull * i * PAGE, PAGE), "area %d", i);
		cr_assert_not(pt_vfio_bar_is_mapped(bar, (2ull * i + 1) * PAGE, 4), "hole %d", i);
		cr_assert_eq(bar->base[2 * i * PAGE + 5], 2 * i, "mapped page %d", 2 * i);
	}
	for (uint32_t p = 0; p < BAR_PAGES; p++) {
		cr_assert_eq(pt_vfio_bar_read(bar, p * PAGE + 8, &v, 4), 0, "%s", pt_last_error());
		cr_assert_eq(v, p * 0x01010101u, "page %u", p);
	}
	v = 0x5a5a5a5a;
	cr_assert_eq(pt_vfio_bar_write(bar, 3 * PAGE, &v, 4), 0, "%s", pt_last_error());
	cr_assert_eq(pt_vfio_bar_write(bar, 4 * PAGE, &v, 4), 0, "%s", pt_last_error());
	cr_assert_eq(pread(D->fd, &v, 4, 3 * PAGE), 4);
	cr_assert_eq(v, 0x5a5a5a5a, "the hole was written through pwrite");
	cr_assert_eq(pread(D->fd, &v, 4, 4 * PAGE), 4);
	cr_assert_eq(v, 0x5a5a5a5a, "the area was written through the mapping");
	cr_assert_eq(pt_vfio_bar_read(bar, BAR_PAGES * PAGE - 2, &v, 4), -EINVAL);
	pt_vfio_region_munmap(bar);
	pt_vfio_region_munmap(NULL);
}

Test(vfio_abi, a_region_that_is_not_mmappable_gives_no_bar)
{
	struct pt_vfio_bar *bar = (void *)1;
	uint32_t v;

	cr_assert_eq(pt_vfio_region_mmap(D, 1, &bar), -EINVAL);
	cr_assert_null(bar);
	cr_assert(strstr(pt_last_error(), "use pread/pwrite (pt_vfio_region_read)"), "%s",
		  pt_last_error());
	cr_assert_eq(pt_vfio_region_read(D, 1, 16, &v, 4), 0, "%s", pt_last_error());
	cr_assert_eq(v, BAR_PAGES * 0x01010101u, "BAR1 is the page after BAR0");
}

/* ---- hot-reset list ---- */
Test(vfio_abi, hot_reset_list_names_every_device)
{
	struct pt_vfio_reset_dep **deps;
	char want[16];

	cr_assert_eq(pt_vfio_hot_reset_info(D, NULL), NR_DEPS, "%s", pt_last_error());
	cr_assert_eq(pt_vfio_hot_reset_info(D, &deps), NR_DEPS, "%s", pt_last_error());
	for (int i = 0; i < NR_DEPS; i++) {
		snprintf(want, sizeof(want), "0000:03:%02x.%x", i, i & 7);
		cr_assert_str_eq(deps[i]->bdf, want);
		cr_assert_eq(deps[i]->group, -1);
		cr_assert_eq(deps[i]->owned, i != NR_DEPS - 1, "device %d", i);
		cr_assert_eq(deps[i]->devid, i == NR_DEPS - 1 ? UINT32_MAX : 10u + i);
	}
	cr_assert_null(deps[NR_DEPS]);
	pt_vfio_reset_deps_free(deps);
	/* the 20th, past the 16 callers used to make room for, blocks a reset */
	cr_assert_eq(pt_vfio_hot_reset(D), -EPERM);
	cr_assert(strstr(pt_last_error(), "would also reset 0000:03:13.3, which"), "%s",
		  pt_last_error());
}
