// SPDX-License-Identifier: MIT
/*
 * vfio-lab — the VFIO core's lab test program (runs inside the lab VM on a
 * real kernel; see tests/lab/cases/vfio-*.sh).
 *
 *	vfio-lab TEST BDF [BDF2|ARG]
 *
 * TEST: open, dma, msi, reset, hotreset, two, ranges, readonly, unmapped,
 * phys, viable, memlock, hugepages, nvme-faults.  The backend is PASSTHRU_IOMMU (type1 or
 * iommufd), exactly as a user would force it.  Prints PASS:/FAIL: lines
 * with exact expected and seen values; exits 1 when anything failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "vfio/dmatest.h"

static int nr_pass, nr_fail;
static const char *backend = "?";

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: [%s] ", ok ? "PASS" : "FAIL", backend);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ok)
		nr_pass++;
	else
		nr_fail++;
}

#define EXPECT_OK(expr, what) ({					\
	int __r = (expr);						\
	check(__r == 0, "%s (expected 0, saw %d%s%s)", what, __r,	\
	      __r ? ": " : "", __r ? pt_last_error() : "");		\
	__r; })

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed ^ (i * 13) ^ (i >> 8));
}

static long first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

static unsigned long sysfs_hex(const char *bdf, const char *attr)
{
	char path[128], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return ~0ul;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 16);
}

static size_t copy_len(const struct pt_dmat *t)
{
	return t->ops->min_memcpy > 256 ? t->ops->min_memcpy : 256;
}

static struct pt_iommu *open_io(void)
{
	struct pt_iommu *io = NULL;

	if (EXPECT_OK(pt_iommu_open(&io, PT_IOMMU_AUTO), "open the IOMMU context"))
		exit(1);
	return io;
}

/* ---- open: info, regions, config, mmap vs pread, irq info ---- */
static void t_open(const char *bdf)
{
	struct pt_iommu *io = open_io();
	struct pt_vfio_device *d;
	struct pt_vfio_device_info info = PT_VFIO_DEVICE_INFO_INIT;
	struct pt_vfio_region r = PT_VFIO_REGION_INIT;
	struct pt_vfio_irq_info ii = PT_VFIO_IRQ_INFO_INIT;
	struct pt_vfio_bar *bar;
	uint32_t v_mmap = 0, v_pread = 0;
	uint16_t cmd;
	unsigned long start, end, flags;
	char path[128];
	FILE *f;

	if (EXPECT_OK(pt_vfio_device_open(&d, io, bdf), "open the device"))
		goto out;
	pt_vfio_device_get_info(d, &info);
	check(info.num_regions == VFIO_PCI_NUM_REGIONS, "%s: %u regions (expected %d)", bdf, info.num_regions, VFIO_PCI_NUM_REGIONS);
	check(info.num_irqs == VFIO_PCI_NUM_IRQS, "%s: %u irq indexes (expected %d)", bdf, info.num_irqs, VFIO_PCI_NUM_IRQS);
	check(info.vendor == sysfs_hex(bdf, "vendor") && info.device == sysfs_hex(bdf, "device"),
	      "%s: ids from VFIO config space %04x:%04x equal sysfs %04lx:%04lx", bdf, info.vendor, info.device,
	      sysfs_hex(bdf, "vendor"), sysfs_hex(bdf, "device"));
	/* BAR0 size against sysfs resource line 0 */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (f && fscanf(f, "%lx %lx %lx", &start, &end, &flags) == 3 &&
	    !EXPECT_OK(pt_vfio_region_get_info(d, VFIO_PCI_BAR0_REGION_INDEX, &r), "BAR0 region info"))
		check(r.region_size == end - start + 1 && r.mmappable && r.readable && r.writable,
		      "%s: BAR0 is 0x%" PRIx64 " bytes, rw, mmappable (sysfs 0x%lx)", bdf, r.region_size,
		      end - start + 1);
	if (f)
		fclose(f);
	/* config write + read back (COMMAND.BME) */
	pt_vfio_set_bus_master(d, true);
	pt_vfio_config_read(d, 4, &cmd, 2);
	check(cmd & 4, "%s: COMMAND bus master set through config write (0x%04x)", bdf, cmd);
	pt_vfio_set_bus_master(d, false);
	pt_vfio_config_read(d, 4, &cmd, 2);
	check(!(cmd & 4), "%s: COMMAND bus master cleared (0x%04x)", bdf, cmd);
	/* the same register through mmap and through pread */
	if (!EXPECT_OK(pt_vfio_region_mmap(d, 0, &bar), "mmap BAR0")) {
		check(pt_vfio_bar_is_mapped(bar, 0, 4), "%s: BAR0 offset 0 is mapped", bdf);
		pt_vfio_bar_read(bar, 8, &v_mmap, 4);
		pt_vfio_region_read(d, 0, 8, &v_pread, 4);
		check(v_mmap == v_pread, "%s: BAR0+8 through mmap 0x%08x == through pread 0x%08x", bdf, v_mmap, v_pread);
		pt_vfio_region_munmap(bar);
	}
	if (info.vendor == 0x1234) {
		uint32_t id = 0;

		pt_vfio_region_read(d, 0, 0, &id, 4);
		check(id == 0x010000ed, "%s: edu ID register 0x%08x (expected 0x010000ed)", bdf, id);
	}
	if (info.vendor == 0x8086 && !EXPECT_OK(pt_vfio_region_get_info(d, 3, &r), "BAR3 (MSI-X) region info")) {
		check(r.msix_mappable || r.has_sparse,
		      "%s: MSI-X BAR3: msix_mappable=%d sparse=%d areas=%d (kernel reports one of them)", bdf,
		      r.msix_mappable, r.has_sparse, r.nr_sparse);
		if (!EXPECT_OK(pt_vfio_region_mmap(d, 3, &bar), "mmap the MSI-X BAR honouring its caps")) {
			check(bar->nr_areas >= 1, "%s: MSI-X BAR3 mapped in %d area(s)", bdf, bar->nr_areas);
			pt_vfio_region_munmap(bar);
		}
		EXPECT_OK(pt_vfio_irq_get_info(d, VFIO_PCI_MSIX_IRQ_INDEX, &ii), "MSI-X irq info");
		check(ii.count == 5 && ii.eventfd, "%s: MSI-X has %u vectors (expected 5), eventfd capable", bdf, ii.count);
	}
	EXPECT_OK(pt_vfio_irq_get_info(d, VFIO_PCI_MSI_IRQ_INDEX, &ii), "MSI irq info");
	check(ii.count >= 1, "%s: MSI has %u vector(s)", bdf, ii.count);
	EXPECT_OK(pt_vfio_irq_get_info(d, VFIO_PCI_INTX_IRQ_INDEX, &ii), "INTx irq info");
	check(ii.count == 1 && ii.automasked && ii.maskable, "%s: INTx count %u automasked %d maskable %d",
	      bdf, ii.count, ii.automasked, ii.maskable);
	pt_vfio_device_close(d);
out:
	pt_iommu_close(io);
}

/* ---- dma: copies both ways, map/unmap bookkeeping ---- */
static void t_dma(const char *bdf, enum pt_mem_kind kind)
{
	struct pt_iommu *io = open_io();
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT;
	struct pt_dmat t;
	uint8_t *m;
	size_t len;

	if (EXPECT_OK(pt_dmat_open(&t, io, bdf, kind, 0), "open device + map buffer + driver init"))
		goto out;
	m = t.mem->addr;
	len = copy_len(&t);
	check(t.mem->page_size == (kind == PT_MEM_HUGE_2M ? 2u << 20 : kind == PT_MEM_HUGE_1G ? 1u << 30 : 4096),
	      "%s: %s buffer with %zu-byte pages", bdf, pt_mem_kind_name(kind), t.mem->page_size);
	pt_iommu_get_info(io, &info);
	check(info.nr_mappings == 1 && info.mapped_bytes == t.mem->size, "%s: 1 mapping of %zu bytes (saw %d, %" PRIu64 ")",
	      bdf, t.mem->size, info.nr_mappings, info.mapped_bytes);
	check(t.iova + t.mem->size - 1 < (1ull << t.ops->dma_bits) || t.ops->dma_bits == 64,
	      "%s: IOVA 0x%" PRIx64 " within the device's %u-bit DMA width", bdf, t.iova, t.ops->dma_bits);
	fill(m + PT_DMAT_SRC, len, 0xa5);
	memset(m + PT_DMAT_DST, 0, 0x2000);
	if (!EXPECT_OK(pt_dmat_copy(&t, PT_DMAT_SRC, PT_DMAT_DST, len), "DMA copy src -> dst"))
		check(first_diff(m + PT_DMAT_SRC, m + PT_DMAT_DST, len) == -1, "%s: %zu bytes read from src by DMA arrived in dst by DMA (first diff %ld)",
		      bdf, len, first_diff(m + PT_DMAT_SRC, m + PT_DMAT_DST, len));
	if (!EXPECT_OK(pt_dmat_copy(&t, PT_DMAT_DST, PT_DMAT_DST2, len), "DMA copy dst -> dst2"))
		check(first_diff(m + PT_DMAT_SRC, m + PT_DMAT_DST2, len) == -1, "%s: %zu bytes back in dst2 (first diff %ld)",
		      bdf, len, first_diff(m + PT_DMAT_SRC, m + PT_DMAT_DST2, len));
	check(m[PT_DMAT_DST + len] == 0 || t.ops->dst_room, "%s: nothing written past the copy (byte %zu is 0x%02x)", bdf,
	      len, m[PT_DMAT_DST + len]);
	pt_dmat_close(&t);
	pt_iommu_get_info(io, &info);
	check(info.nr_mappings == 0 && info.mapped_bytes == 0, "%s: unmapped on close (saw %d mappings)", bdf, info.nr_mappings);
out:
	pt_iommu_close(io);
}

/* ---- guestram: a VMM's RAM slots mapped at IOVA = GPA in one call ---- */
static void t_guestram(const char *bdf)
{
	struct pt_iommu *io = open_io();
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT;
	struct pt_dmat t;
	struct pt_mem *ram, *rom;
	size_t len;

	if (EXPECT_OK(pt_dmat_open(&t, io, bdf, PT_MEM_ANON, 0), "open device + its buffer"))
		goto out;
	len = copy_len(&t);
	if (EXPECT_OK(pt_mem_alloc(&ram, 4 << 20, PT_MEM_MEMFD), "4 MiB guest RAM (memfd)"))
		goto close;
	if (EXPECT_OK(pt_mem_alloc(&rom, 2 << 20, PT_MEM_ANON), "2 MiB guest ROM")) {
		pt_mem_free(ram);
		goto close;
	}
	memset(ram->addr, 0, ram->size);
	memset(rom->addr, 0xee, rom->size);
	{
		const struct pt_guest_ram_slot slots[] = {
			{ .host = ram->addr, .gpa = 0x1000000, .size = ram->size },
			{ .host = rom->addr, .gpa = 0x8000000, .size = rom->size, .read_only = true },
		};
		const struct pt_guest_ram_slot bad[] = {
			{ .host = ram->addr, .gpa = 0x2000000, .size = ram->size },
			{ .host = rom->addr, .gpa = 0xfee00000, .size = rom->size },	/* MSI window */
		};
		uint8_t *m = t.mem->addr;

		if (!EXPECT_OK(pt_iommu_map_guest_ram(io, slots, 2), "map 2 slots at IOVA = GPA in one call")) {
			pt_iommu_get_info(io, &info);
			check(info.nr_mappings == 3, "3 mappings (device buffer + 2 slots), saw %d", info.nr_mappings);
			fill(m, len, 0x3d);
			if (!EXPECT_OK(pt_dmat_copy_iova(&t, t.iova, 0x1000000 + 0x1000, len), "device writes guest RAM at GPA 0x1001000"))
				check(first_diff(m, (uint8_t *)ram->addr + 0x1000, len) == -1, "bytes landed at GPA 0x1001000");
			pt_dmat_copy_iova(&t, t.iova, 0x8000000, len);
			check(((uint8_t *)rom->addr)[0] == 0xee && first_diff(rom->addr, (uint8_t *)rom->addr + 4096, len) == -1,
			      "device write into the read-only slot left it untouched");
			check(pt_iommu_map_guest_ram(io, bad, 2) < 0 && strstr(pt_last_error(), "slot 1 (GPA 0xfee00000"),
			      "a slot in the MSI window fails the call naming it: \"%s\"", pt_last_error());
			pt_iommu_get_info(io, &info);
			check(info.nr_mappings == 3, "... and the slots it had mapped are unmapped again (%d mappings)", info.nr_mappings);
			EXPECT_OK(pt_iommu_unmap_guest_ram(io, slots, 2), "unmap the guest RAM");
			pt_iommu_get_info(io, &info);
			check(info.nr_mappings == 1, "1 mapping left (%d)", info.nr_mappings);
		}
	}
	pt_mem_free(rom);
	pt_mem_free(ram);
close:
	pt_dmat_close(&t);
out:
	pt_iommu_close(io);
}

/* ---- unmapped: DMA to an IOVA that was unmapped changes nothing ---- */
static void t_unmapped(const char *bdf)
{
	struct pt_iommu *io = open_io();
	struct pt_dmat t;
	struct pt_mem *b;
	uint8_t before[4096];
	uint64_t iova;
	size_t len;

	if (EXPECT_OK(pt_dmat_open(&t, io, bdf, PT_MEM_ANON, 0), "open device + map buffer"))
		goto out;
	len = copy_len(&t);
	if (EXPECT_OK(pt_mem_alloc(&b, 4096, PT_MEM_ANON), "second buffer"))
		goto close;
	memset(b->addr, 0x3c, 4096);
	memcpy(before, b->addr, 4096);
	fill((uint8_t *)t.mem->addr + PT_DMAT_SRC, len, 0x11);
	if (!EXPECT_OK(pt_iommu_map_dma_alloc(io, b->addr, 4096, PT_DMA_RW, &iova), "map the second buffer") &&
	    !EXPECT_OK(pt_dmat_copy_iova(&t, t.iova + PT_DMAT_SRC, iova, len), "DMA into the mapped second buffer")) {
		check(first_diff(t.mem->addr, b->addr, len) == -1, "%s: DMA reached the second buffer while mapped", bdf);
		memset(b->addr, 0x3c, 4096);
		EXPECT_OK(pt_iommu_unmap_dma(io, iova, 4096), "unmap the second buffer");
		pt_dmat_copy_iova(&t, t.iova + PT_DMAT_SRC, iova, len);	/* device may or may not notice */
		check(first_diff(before, b->addr, 4096) == -1, "%s: DMA to unmapped IOVA 0x%" PRIx64 " left the memory untouched (first diff %ld)",
		      bdf, iova, first_diff(before, b->addr, 4096));
	}
	pt_mem_free(b);
close:
	pt_dmat_close(&t);
out:
	pt_iommu_close(io);
}

/* Physical address of a resident page (root reads PFNs from pagemap). */
static uint64_t phys_of(const void *p)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, 8, (off_t)((uintptr_t)p / 4096 * 8)) != 8)
		ent = 0;
	close(fd);
	if (!(ent & (1ull << 63)))
		return 0;
	return (ent & ((1ull << 55) - 1)) * 4096;
}

static size_t count_not(const uint8_t *p, size_t len, uint8_t val)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] != val;
	return n;
}

/*
 * ---- phys: DMA to a never-mapped IOVA that is the host-physical address
 * of a sentinel page: without translation the bytes would land in it ----
 */
static void t_phys(const char *bdf)
{
	enum { NPAGES = 4096 };	/* 16 MiB: some page lies below edu's 256 MiB */
	struct pt_iommu *io = open_io();
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT;
	struct pt_dmat t;
	struct pt_mem *pool;
	uint8_t *m, *page = NULL;
	uint64_t pa = 0, limit;
	size_t len;
	int ret;

	if (EXPECT_OK(pt_dmat_open(&t, io, bdf, PT_MEM_ANON, 0), "open device + map buffer"))
		goto out;
	pt_iommu_get_info(io, &info);
	if (pt_iommu_get_backend(io) == PT_IOMMU_TYPE1)
		check(info.type1v2, "%s: type1 container with VFIO_TYPE1v2_IOMMU", bdf);
	m = t.mem->addr;
	len = copy_len(&t);
	limit = t.ops->dma_bits >= 64 ? UINT64_MAX : 1ull << t.ops->dma_bits;
	if (EXPECT_OK(pt_mem_alloc(&pool, NPAGES * 4096, PT_MEM_ANON), "16 MiB of sentinel pages"))
		goto close;
	mlock(pool->addr, pool->size);
	for (int i = 0; i < NPAGES && !page; i++) {
		uint8_t *p = (uint8_t *)pool->addr + (size_t)i * 4096;
		uint64_t a;

		p[0] = 1;
		a = phys_of(p);
		if (a && a + 4096 <= limit &&
		    (a + 4096 <= t.iova || a >= t.iova + t.mem->size)) {
			page = p;
			pa = a;
		}
	}
	check(page != NULL, "%s: a sentinel page below the %u-bit DMA width (physical 0x%" PRIx64 ")",
	      bdf, t.ops->dma_bits, pa);
	if (!page)
		goto free;
	memset(page, 0x5a, 4096);
	fill(m + PT_DMAT_SRC, len, 0x21);
	memset(m + PT_DMAT_DST, 0, len);
	if (!EXPECT_OK(pt_dmat_copy(&t, PT_DMAT_SRC, PT_DMAT_DST, len), "positive control: copy src -> dst"))
		check(first_diff(m + PT_DMAT_SRC, m + PT_DMAT_DST, len) == -1,
		      "%s: the control copy of %zu bytes arrived", bdf, len);
	ret = pt_dmat_copy_iova(&t, t.iova + PT_DMAT_SRC, pa + 0x400, len);
	check(count_not(page, 4096, 0x5a) == 0,
	      "%s: DMA of %zu bytes to never-mapped IOVA 0x%" PRIx64 " (= the sentinel page's physical address) left it untouched (%zu bytes changed; copy returned %d)",
	      bdf, len, pa + 0x400, count_not(page, 4096, 0x5a), ret);
	memset(m + PT_DMAT_DST, 0, len);
	if (!EXPECT_OK(pt_dmat_copy(&t, PT_DMAT_SRC, PT_DMAT_DST, len), "copy again after the blocked write"))
		check(first_diff(m + PT_DMAT_SRC, m + PT_DMAT_DST, len) == -1,
		      "%s: the device still copies after the blocked write, so it could have written the sentinel",
		      bdf);
free:
	munlock(pool->addr, pool->size);
	pt_mem_free(pool);
close:
	pt_dmat_close(&t);
out:
	pt_iommu_close(io);
}

/* ---- readonly: the device may read, not write ---- */
static void t_readonly(const char *bdf)
{
	struct pt_iommu *io = open_io();
	struct pt_dmat t;
	struct pt_mem *b;
	uint8_t before[4096];
	uint8_t *m;
	uint64_t iova;
	size_t len;
	int ret;

	if (EXPECT_OK(pt_dmat_open(&t, io, bdf, PT_MEM_ANON, 0), "open device + map buffer"))
		goto out;
	m = t.mem->addr;
	len = copy_len(&t);
	if (EXPECT_OK(pt_mem_alloc(&b, 4096, PT_MEM_ANON), "read-only buffer"))
		goto close;
	fill(b->addr, 4096, 0x77);
	memcpy(before, b->addr, 4096);
	fill(m + PT_DMAT_SRC, len, 0x99);
	if (!EXPECT_OK(pt_iommu_map_dma_alloc(io, b->addr, 4096, PT_DMA_READ, &iova), "map a buffer read-only (device may only read)")) {
		ret = pt_dmat_copy_iova(&t, t.iova + PT_DMAT_SRC, iova, len);
		check(first_diff(before, b->addr, 4096) == -1,
		      "%s: device write into the read-only mapping left it untouched (copy returned %d, first diff %ld)",
		      bdf, ret, first_diff(before, b->addr, 4096));
		memset(m + PT_DMAT_DST, 0, len);
		if (!EXPECT_OK(pt_dmat_copy_iova(&t, iova, t.iova + PT_DMAT_DST, len), "device reads the read-only mapping"))
			check(first_diff(b->addr, m + PT_DMAT_DST, len) == -1, "%s: bytes read from the read-only mapping arrived (first diff %ld)",
			      bdf, first_diff(b->addr, m + PT_DMAT_DST, len));
		EXPECT_OK(pt_iommu_unmap_dma(io, iova, 4096), "unmap the read-only buffer");
	}
	pt_mem_free(b);
close:
	pt_dmat_close(&t);
out:
	pt_iommu_close(io);
}

/* ---- msi: vectors through eventfds, per-vector disable/enable ---- */
static void t_msi(const char *bdf)
{
	struct pt_iommu *io = open_io();
	struct pt_dmat t;
	int v, seen;
	uint64_t other;

	if (EXPECT_OK(pt_dmat_open(&t, io, bdf, PT_MEM_ANON, 0), "open device"))
		goto out;
	pt_dmat_irq_drain(&t);
	for (v = 0; v < t.nr_efds; v++) {
		seen = pt_dmat_irq_roundtrip(&t, v, 2000);
		/* a straggler (a second message for the same raise, or one on
		 * another vector) gets 50 ms to show up before the count */
		usleep(50000);
		other = pt_dmat_irq_drain(&t);
		check(seen == 1 && other == 0, "%s: %s vector %d delivered once on its eventfd (seen %d, then %" PRIu64 " more on any eventfd within 50 ms)",
		      bdf, pt_dmat_irq_name(&t), v, seen, other);
	}
	if (t.nr_efds > 1) {
		EXPECT_OK(pt_vfio_irq_set_vector(t.dev, t.irq_index, 1, -1), "disable vector 1 alone");
		seen = pt_dmat_irq_roundtrip(&t, 1, 300);
		check(seen == 0, "%s: disabled vector 1 does not reach its eventfd (seen %d)", bdf, seen);
		seen = pt_dmat_irq_roundtrip(&t, 0, 2000);
		check(seen == 1, "%s: vector 0 still delivered while 1 is off (seen %d)", bdf, seen);
		EXPECT_OK(pt_vfio_irq_set_vector(t.dev, t.irq_index, 1, t.efds[1]), "re-enable vector 1");
		pt_dmat_irq_drain(&t);
		seen = pt_dmat_irq_roundtrip(&t, 1, 2000);
		check(seen == 1, "%s: re-enabled vector 1 delivered (seen %d)", bdf, seen);
	}
	if (t.nr_efds > 2 && t.irq_index == VFIO_PCI_MSIX_IRQ_INDEX) {
		/* grow an enabled MSI-X block by one vector: dynamic MSI-X on
		 * Linux >= 6.5, a re-enabled block before */
		EXPECT_OK(pt_vfio_irq_disable(t.dev, t.irq_index), "disable MSI-X");
		EXPECT_OK(pt_vfio_irq_enable(t.dev, t.irq_index, 0, 2, t.efds), "enable MSI-X with 2 vectors");
		EXPECT_OK(pt_vfio_irq_set_vector(t.dev, t.irq_index, 2, t.efds[2]), "add vector 2 to the enabled block");
		pt_dmat_irq_drain(&t);
		for (v = 0; v < 3; v++) {
			seen = pt_dmat_irq_roundtrip(&t, v, 2000);
			check(seen == 1, "%s: after growing the block vector %d delivered (seen %d)", bdf, v, seen);
		}
	}
	/* the device's own completion interrupt (edu raises it after a copy) */
	if (t.ops->nr_vectors == 1) {
		uint64_t n;

		pt_dmat_irq_drain(&t);
		pt_dmat_copy(&t, PT_DMAT_SRC, PT_DMAT_DST, 64);
		seen = pt_eventfd_wait(t.efds[0], 1000, &n);
		check(seen > 0, "%s: DMA-completion interrupt seen on the eventfd (%d)", bdf, seen);
		t.ops->irq_ack(&t.drv);
	}
	pt_dmat_close(&t);
out:
	pt_iommu_close(io);
}

/* ---- intx: edu's INTx through an eventfd, automask, unmask, unmask fd ---- */
static void t_intx(const char *bdf)
{
	struct pt_iommu *io = open_io();
	struct pt_vfio_device *d;
	struct pt_vfio_bar *bar;
	uint32_t one = 1, st = 0;
	uint64_t n;
	int efd = eventfd(0, EFD_CLOEXEC), ufd = eventfd(0, EFD_CLOEXEC), seen;

	if (EXPECT_OK(pt_vfio_device_open(&d, io, bdf), "open edu"))
		goto out;
	if (EXPECT_OK(pt_vfio_region_mmap(d, 0, &bar), "mmap BAR0"))
		goto close;
	EXPECT_OK(pt_vfio_irq_enable(d, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd), "INTx trigger eventfd");
	pt_vfio_bar_write(bar, 0x60, &one, 4);		/* raise */
	seen = pt_eventfd_wait(efd, 2000, &n);
	check(seen == 1, "%s: INTx delivered on its eventfd (%d)", bdf, seen);
	pt_vfio_bar_read(bar, 0x24, &st, 4);
	pt_vfio_bar_write(bar, 0x64, &st, 4);		/* ack: line low */
	pt_vfio_bar_write(bar, 0x60, &one, 4);		/* raise again while masked */
	seen = pt_eventfd_wait(efd, 300, &n);
	check(seen == 0, "%s: automasked: the second INTx waits for an unmask (%d)", bdf, seen);
	EXPECT_OK(pt_vfio_irq_unmask(d, VFIO_PCI_INTX_IRQ_INDEX, 0), "VFIO unmask (ACTION_UNMASK)");
	seen = pt_eventfd_wait(efd, 2000, &n);
	check(seen == 1, "%s: the pending INTx arrives after the unmask (%d)", bdf, seen);
	pt_vfio_bar_read(bar, 0x24, &st, 4);
	pt_vfio_bar_write(bar, 0x64, &st, 4);
	/* unmask through an eventfd, as a KVM resamplefd does */
	EXPECT_OK(pt_vfio_irq_set_unmask_fd(d, VFIO_PCI_INTX_IRQ_INDEX, ufd), "unmask eventfd");
	pt_vfio_bar_write(bar, 0x60, &one, 4);
	seen = pt_eventfd_wait(efd, 300, &n);
	check(seen == 0, "%s: still masked before the unmask eventfd fires (%d)", bdf, seen);
	n = 1;
	check(write(ufd, &n, sizeof(n)) == sizeof(n), "signal the unmask eventfd");
	seen = pt_eventfd_wait(efd, 2000, &n);
	check(seen == 1, "%s: INTx arrives after the unmask eventfd (%d)", bdf, seen);
	pt_vfio_bar_read(bar, 0x24, &st, 4);
	pt_vfio_bar_write(bar, 0x64, &st, 4);
	EXPECT_OK(pt_vfio_irq_set_unmask_fd(d, VFIO_PCI_INTX_IRQ_INDEX, -1), "remove the unmask eventfd");
	EXPECT_OK(pt_vfio_irq_disable(d, VFIO_PCI_INTX_IRQ_INDEX), "disable INTx");
	pt_vfio_region_munmap(bar);
close:
	pt_vfio_device_close(d);
out:
	close(efd);
	close(ufd);
	pt_iommu_close(io);
}

/* ---- reset: function reset, hot-reset list ---- */
static void t_reset(const char *bdf)
{
	struct pt_iommu *io = open_io();
	struct pt_vfio_device_info info = PT_VFIO_DEVICE_INFO_INIT;
	struct pt_vfio_reset_dep **deps;
	struct pt_dmat t;
	int n, i, ret;
	bool self = false;

	if (EXPECT_OK(pt_dmat_open(&t, io, bdf, PT_MEM_ANON, 0), "open device"))
		goto out;
	pt_vfio_device_get_info(t.dev, &info);
	printf("info: %s: VFIO_DEVICE_FLAGS_RESET=%d\n", bdf, info.reset);
	if (info.reset && info.vendor == 0x8086) {
		uint32_t tdlen, rctl;

		/* the driver set up rings: TDLEN 128, RCTL enabled */
		tdlen = pt_drv_read32(&t.drv, 0, 0x3808);
		rctl = pt_drv_read32(&t.drv, 0, 0x0100);
		check(tdlen == 128 && (rctl & 2), "%s: before reset TDLEN %u (expected 128), RCTL 0x%08x has EN", bdf, tdlen, rctl);
		EXPECT_OK(pt_vfio_device_reset(t.dev), "VFIO_DEVICE_RESET");
		tdlen = pt_drv_read32(&t.drv, 0, 0x3808);
		rctl = pt_drv_read32(&t.drv, 0, 0x0100);
		{
			char path[128], method[64] = "";
			FILE *f;

			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset_method", bdf);
			if ((f = fopen(path, "r"))) {
				if (!fgets(method, sizeof(method), f))
					method[0] = '\0';
				fclose(f);
			}
			method[strcspn(method, "\n")] = '\0';
			if (strstr(method, "flr") || strstr(method, "bus"))
				check(tdlen == 0 && rctl == 0, "%s: after reset (%s) TDLEN %u and RCTL 0x%08x are back to 0",
				      bdf, method, tdlen, rctl);
			else	/* QEMU 7.2's e1000e keeps its registers over a D3hot->D0 "pm" reset */
				printf("info: %s: reset method '%s': TDLEN %u RCTL 0x%08x after reset (the model keeps them)\n",
				       bdf, method, tdlen, rctl);
		}
		/* the device works after the reset: init again and copy */
		check(t.ops->init(&t.drv) == 0, "%s: driver init after reset", bdf);
		fill((uint8_t *)t.mem->addr, copy_len(&t), 0x6b);
		memset((uint8_t *)t.mem->addr + PT_DMAT_DST, 0, copy_len(&t));
		if (!EXPECT_OK(pt_dmat_copy(&t, PT_DMAT_SRC, PT_DMAT_DST, copy_len(&t)), "DMA copy after reset"))
			check(first_diff(t.mem->addr, (uint8_t *)t.mem->addr + PT_DMAT_DST, copy_len(&t)) == -1,
			      "%s: bytes copied after reset", bdf);
	} else if (info.reset) {
		EXPECT_OK(pt_vfio_device_reset(t.dev), "VFIO_DEVICE_RESET");
	} else {
		ret = pt_vfio_device_reset(t.dev);
		check(ret == -ENOTTY && strstr(pt_last_error(), "offers no function reset"),
		      "%s: no reset method: -ENOTTY with an explanation (saw %d: %s)", bdf, ret, pt_last_error());
	}
	n = pt_vfio_hot_reset_info(t.dev, &deps);
	if (n < 0) {
		check(n == -ENODEV || n == -ENOTTY, "%s: hot reset info: %s", bdf, pt_last_error());
	} else {
		for (i = 0; i < n; i++) {
			printf("info: %s: a hot reset also resets %s (group %d, owned %d)\n", bdf, deps[i]->bdf,
			       deps[i]->group, deps[i]->owned);
			self |= !strcmp(deps[i]->bdf, bdf);
		}
		check(self, "%s: hot-reset list (%d devices) names the device itself", bdf, n);
		pt_vfio_reset_deps_free(deps);
	}
	pt_dmat_close(&t);
out:
	pt_iommu_close(io);
}

/* ---- hotreset: bdf and everything its reset touches, opened on one io ---- */
static void t_hotreset(const char *bdf, const char *peer)
{
	struct pt_iommu *io = open_io();
	struct pt_vfio_device *d, *p = NULL;
	struct pt_vfio_reset_dep **deps;
	int n, i;
	bool has_peer = false;

	if (EXPECT_OK(pt_vfio_device_open(&d, io, bdf), "open the device"))
		goto out;
	if (EXPECT_OK(pt_vfio_device_open(&p, io, peer), "open its peer on the same bus through the same context"))
		goto close;
	n = pt_vfio_hot_reset_info(d, &deps);
	for (i = 0; i < n; i++) {
		printf("info: %s: affected %s group %d owned %d\n", bdf, deps[i]->bdf, deps[i]->group,
		       deps[i]->owned);
		has_peer |= !strcmp(deps[i]->bdf, peer);
	}
	pt_vfio_reset_deps_free(deps);
	check(n == 2 && has_peer, "%s: hot reset affects 2 devices including %s (saw %d)", bdf, peer, n);
	/* Ownership is checked before the reset: EINVAL/EPERM would mean the
	 * group fds (type1) or the iommufd (cdev) were not accepted.  The
	 * lab's emulated root-port slot may then refuse the reset itself
	 * (ENOTTY from pci_reset_bus), which says nothing about our side. */
	n = pt_vfio_hot_reset(d);
	check(n == 0 || (n == -ENOTTY && strstr(pt_last_error(), "VFIO_DEVICE_PCI_HOT_RESET failed")),
	      "%s: hot reset with every affected device owned: ownership accepted, reset %s (%d%s%s)", bdf,
	      n ? "refused by the slot" : "done", n, n ? ": " : "", n ? pt_last_error() : "");
	pt_vfio_device_close(p);
close:
	pt_vfio_device_close(d);
out:
	pt_iommu_close(io);
}

/* ---- two: two devices (two groups) share one container/IOAS ---- */
static void t_two(const char *a, const char *b)
{
	struct pt_iommu *io = open_io();
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT;
	struct pt_dmat t1, t2;
	uint8_t *m1, *m2;
	size_t len;

	if (EXPECT_OK(pt_dmat_open(&t1, io, a, PT_MEM_ANON, 0), "open the first device"))
		goto out;
	if (EXPECT_OK(pt_dmat_open(&t2, io, b, PT_MEM_ANON, 0), "open the second device on the same context"))
		goto close1;
	pt_iommu_get_info(io, &info);
	check(info.nr_devices == 2 && info.nr_mappings == 2, "%s + %s: 2 devices, 2 mappings in one %s (saw %d, %d)",
	      a, b, pt_iommu_backend_name(info.backend), info.nr_devices, info.nr_mappings);
	check(pt_vfio_device_group(t1.dev) != pt_vfio_device_group(t2.dev), "two different IOMMU groups (%d, %d)",
	      pt_vfio_device_group(t1.dev), pt_vfio_device_group(t2.dev));
	m1 = t1.mem->addr;
	m2 = t2.mem->addr;
	len = copy_len(&t1) > copy_len(&t2) ? copy_len(&t1) : copy_len(&t2);
	fill(m1 + PT_DMAT_SRC, len, 0x21);
	memset(m2 + PT_DMAT_DST, 0, len);
	/* device 2 reads device 1's buffer: one address space */
	if (!EXPECT_OK(pt_dmat_copy_iova(&t2, t1.iova + PT_DMAT_SRC, t2.iova + PT_DMAT_DST, len), "device 2 copies from device 1's mapping"))
		check(first_diff(m1 + PT_DMAT_SRC, m2 + PT_DMAT_DST, len) == -1, "%s read %s's buffer through the shared IOVA space", b, a);
	memset(m1 + PT_DMAT_DST, 0, len);
	if (!EXPECT_OK(pt_dmat_copy_iova(&t1, t2.iova + PT_DMAT_DST, t1.iova + PT_DMAT_DST, len), "device 1 copies from device 2's mapping"))
		check(first_diff(m1 + PT_DMAT_SRC, m1 + PT_DMAT_DST, len) == -1, "%s read %s's buffer back", a, b);
	pt_dmat_close(&t2);
close1:
	pt_dmat_close(&t1);
out:
	pt_iommu_close(io);
}

/* ---- ranges: usable range edges, reserved MSI window, DMA_AVAIL ---- */
static void t_ranges(const char *bdf)
{
	struct pt_iommu *io = open_io();
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT, after = PT_IOMMU_INFO_INIT;
	struct pt_dmat t;
	struct pt_mem *b;
	uint64_t top;
	int i, ret;

	if (EXPECT_OK(pt_dmat_open(&t, io, bdf, PT_MEM_ANON, 0), "open device"))
		goto out;
	if (EXPECT_OK(pt_iommu_get_info(io, &info), "IOMMU info"))
		goto close;
	for (i = 0; i < info.nr_ranges; i++)
		printf("info: usable IOVA range %d: 0x%" PRIx64 "-0x%" PRIx64 "\n", i, info.ranges[i].start, info.ranges[i].last);
	printf("info: pgsizes 0x%" PRIx64 " dma_avail %s%u type1v2 %d\n", info.pgsizes,
	       info.dma_avail_known ? "" : "(unknown) ", info.dma_avail, info.type1v2);
	check(info.nr_ranges >= 2, "%d usable ranges (VT-d: at least 2, split by the MSI window)", info.nr_ranges);
	check(info.pgsizes & 4096, "4 KiB pages supported (pgsizes 0x%" PRIx64 ")", info.pgsizes);
	if (info.backend == PT_IOMMU_TYPE1)
		check(info.dma_avail_known && info.dma_avail > 0 && info.type1v2,
		      "type1v2 reports DMA_AVAIL (%u)", info.dma_avail);
	for (i = 0; i < info.nr_ranges; i++)
		check(!(info.ranges[i].start <= 0xfee00000ull && 0xfee00000ull <= info.ranges[i].last),
		      "range %d excludes the MSI window 0xfee00000", i);
	if (!info.nr_ranges)
		goto close;	/* no top to aim at (checked above) */
	if (EXPECT_OK(pt_mem_alloc(&b, 4096, PT_MEM_ANON), "page to map"))
		goto close;
	top = info.ranges[info.nr_ranges - 1].last;
	ret = pt_iommu_map_dma(io, b->addr, 4096, top - 4095, PT_DMA_RW);
	check(ret == 0, "map the last page of the usable space at 0x%" PRIx64 " (%d %s)", top - 4095, ret, ret ? pt_last_error() : "");
	if (!ret) {
		if (info.dma_avail_known) {
			pt_iommu_get_info(io, &after);
			check(after.dma_avail == info.dma_avail - 1, "DMA_AVAIL drops by one per mapping (%u -> %u)",
			      info.dma_avail, after.dma_avail);
		}
		if (t.ops->dma_bits == 64) {	/* the NIC can reach it: DMA there */
			memset(b->addr, 0, 4096);
			fill((uint8_t *)t.mem->addr, copy_len(&t), 0x42);
			if (!EXPECT_OK(pt_dmat_copy_iova(&t, t.iova, top - 4095, copy_len(&t)), "DMA into the top page"))
				check(first_diff(t.mem->addr, b->addr, copy_len(&t)) == -1, "bytes arrived at IOVA 0x%" PRIx64, top - 4095);
		}
		EXPECT_OK(pt_iommu_unmap_dma(io, top - 4095, 4096), "unmap the top page");
	}
	if (top != UINT64_MAX) {
		ret = pt_iommu_map_dma(io, b->addr, 4096, top + 1, PT_DMA_RW);
		pt_iommu_get_info(io, &after);
		check(ret < 0 && strstr(pt_last_error(), "outside the usable IOVA ranges") && after.nr_mappings == 1,
		      "map just past the top (0x%" PRIx64 ") fails cleanly: %d, %d mapping(s) left, \"%s\"", top + 1, ret,
		      after.nr_mappings, pt_last_error());
	}
	ret = pt_iommu_map_dma(io, b->addr, 4096, 0xfee00000ull, PT_DMA_RW);
	pt_iommu_get_info(io, &after);
	check(ret < 0 && after.nr_mappings == 1, "map in the reserved MSI window fails (%d): %s", ret, pt_last_error());
	pt_mem_free(b);
close:
	pt_dmat_close(&t);
out:
	pt_iommu_close(io);
}

/* ---- dmalimit: type1's mapping-count limit (dma_entry_limit = 8) ---- */
static void t_dmalimit(const char *bdf)
{
	struct pt_iommu *io = open_io();
	struct pt_vfio_device *d;
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT;
	struct pt_mem *b;
	int i, ret;

	if (EXPECT_OK(pt_vfio_device_open(&d, io, bdf), "open the device"))
		goto out;
	pt_iommu_get_info(io, &info);
	check(info.dma_avail_known && info.dma_avail == 8, "DMA_AVAIL is the module's dma_entry_limit 8 (saw %u)", info.dma_avail);
	if (EXPECT_OK(pt_mem_alloc(&b, 9 * 4096, PT_MEM_ANON), "9 pages"))
		goto close;
	for (i = 0; i < 8; i++)
		if (pt_iommu_map_dma(io, (uint8_t *)b->addr + i * 4096, 4096, 0x100000 + i * 0x2000, PT_DMA_RW) < 0)
			break;
	check(i == 8, "8 separate mappings fit (%d: %s)", i, i < 8 ? pt_last_error() : "");
	ret = pt_iommu_map_dma(io, (uint8_t *)b->addr + 8 * 4096, 4096, 0x100000 + 8 * 0x2000, PT_DMA_RW);
	pt_iommu_get_info(io, &info);
	check(ret == -ENOSPC && strstr(pt_last_error(), "mapping limit") && info.nr_mappings == 8 && info.dma_avail == 0,
	      "the 9th fails with -ENOSPC naming the limit (%d, %d mappings, avail %u): \"%s\"", ret, info.nr_mappings,
	      info.dma_avail, pt_last_error());
	for (i = 0; i < 8; i++)
		pt_iommu_unmap_dma(io, 0x100000 + i * 0x2000, 4096);
	pt_iommu_get_info(io, &info);
	check(info.nr_mappings == 0 && info.dma_avail == 8, "all unmapped, DMA_AVAIL back to 8 (%u)", info.dma_avail);
	pt_mem_free(b);
close:
	pt_vfio_device_close(d);
out:
	pt_iommu_close(io);
}

/* ---- viable: a group with a member on a host driver ---- */
static void t_viable(const char *bdf, const char *expect)
{
	struct pt_iommu *io = open_io();
	struct pt_vfio_device *d = NULL;
	int ret, group = -1;

	ret = pt_vfio_group_check_viable(bdf, &group);
	check(ret == -EBUSY && strstr(pt_last_error(), expect) && strstr(pt_last_error(), "is not viable"),
	      "%s: sysfs check: %d \"%s\" (expected -EBUSY naming '%s')", bdf, ret, pt_last_error(), expect);
	ret = pt_vfio_device_open(&d, io, bdf);
	check(ret == -EBUSY && strstr(pt_last_error(), expect) && strstr(pt_last_error(), "passthru assign"),
	      "%s: open refused: %d \"%s\"", bdf, ret, pt_last_error());
	if (!ret)
		pt_vfio_device_close(d);
	pt_iommu_close(io);
}

/* ---- memlock: without CAP_IPC_LOCK, over RLIMIT_MEMLOCK ---- */
static int drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct c[2];

	if (syscall(SYS_capget, &h, c) < 0)
		return -errno;
	c[0].effective &= ~(1u << CAP_IPC_LOCK);
	c[0].permitted &= ~(1u << CAP_IPC_LOCK);
	if (syscall(SYS_capset, &h, c) < 0)
		return -errno;
	return 0;
}

static void t_memlock(const char *bdf)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	struct pt_iommu *io;
	struct pt_vfio_device *d;
	struct pt_memlock ml = PT_MEMLOCK_INIT;
	struct pt_mem *b;
	uint64_t iova;
	int ret;

	check(drop_cap_ipc_lock() == 0 && setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "drop CAP_IPC_LOCK, RLIMIT_MEMLOCK = 1 MiB");
	pt_memlock_read(&ml);
	check(!ml.cap_ipc_lock && ml.limit == 1 << 20, "memlock read back: limit %" PRIu64 ", CAP_IPC_LOCK %d", ml.limit, ml.cap_ipc_lock);
	io = open_io();
	if (EXPECT_OK(pt_vfio_device_open(&d, io, bdf), "open the device"))
		goto out;
	if (!EXPECT_OK(pt_mem_alloc(&b, 8 << 20, PT_MEM_ANON), "8 MiB buffer")) {
		ret = pt_iommu_map_dma_alloc(io, b->addr, b->size, PT_DMA_RW, &iova);
		check(ret == -ENOMEM && strstr(pt_last_error(), "RLIMIT_MEMLOCK is 1 MiB") &&
		      strstr(pt_last_error(), "8 MiB more are needed") && strstr(pt_last_error(), "ulimit -l"),
		      "map 8 MiB over a 1 MiB limit: %d \"%s\"", ret, pt_last_error());
		ret = pt_iommu_map_dma_alloc(io, b->addr, 512 << 10, PT_DMA_RW, &iova);
		check(ret == 0, "512 KiB within the limit maps (%d %s)", ret, ret ? pt_last_error() : "");
		if (!ret)
			pt_iommu_unmap_dma(io, iova, 512 << 10);
		pt_mem_free(b);
	}
	pt_vfio_device_close(d);
out:
	pt_iommu_close(io);
}

/*
 * ---- nvme-faults: a DMA the IOMMU blocks, seen by the NVMe controller ----
 *
 * QEMU's nvme model completes a command whose *data* DMA the IOMMU blocked
 * as if it had worked (its DMA helpers bounce the access into unassigned
 * memory), so verify's blocked writes cannot show the error path there.
 * Its own structures are another matter: a PRP list it cannot read fails
 * the command with Data Transfer Error, a completion it cannot write makes
 * the controller fatal (CSTS.CFS).  The driver's structures are put in a
 * page-by-page mapping here, one page unmapped at a time, and the driver
 * must report exactly that and come back after its init (the controller
 * reset verify does after a failed copy).
 */
#define NF_PAGES	16
#define NF_PRP_READ	6	/* scratch page of the Read's PRP list */
#define NF_IO_CQ	3	/* scratch page of the I/O completion queue */

static void t_nvme_faults(const char *bdf)
{
	struct pt_iommu *io = open_io();
	struct pt_mem *scr = NULL, *data = NULL;
	uint64_t siova = 0x40000000ull, diova = 0x50000000ull, len = 3 * 4096;
	struct pt_dmat t;
	uint8_t *d;
	int ret, i;

	if (EXPECT_OK(pt_dmat_open(&t, io, bdf, PT_MEM_ANON, 0), "open device"))
		goto out;
	if (strcmp(t.ops->name, "nvme")) {
		check(false, "%s: nvme-faults needs an NVMe controller, not %s", bdf, t.ops->name);
		goto close;
	}
	if (EXPECT_OK(pt_mem_alloc(&scr, NF_PAGES * 4096, PT_MEM_ANON), "scratch memory") ||
	    EXPECT_OK(pt_mem_alloc(&data, 64 * 1024, PT_MEM_ANON), "data memory"))
		goto close;
	memset(scr->addr, 0, NF_PAGES * 4096);
	for (i = 0; i < NF_PAGES; i++)
		EXPECT_OK(pt_iommu_map_dma(io, (uint8_t *)scr->addr + i * 4096, 4096,
					   siova + i * 4096ull, PT_DMA_RW), "map a scratch page");
	EXPECT_OK(pt_iommu_map_dma(io, data->addr, data->size, diova, PT_DMA_RW), "map the data");
	d = data->addr;
	t.env.scratch = scr->addr;
	t.env.scratch_iova = siova;
	t.env.scratch_size = NF_PAGES * 4096;
	check(t.ops->init(&t.drv) == 0, "%s: nvme init on page-by-page scratch memory", bdf);
	for (uint64_t k = 0; k < len; k++)
		d[k] = (uint8_t)(k * 5 + 1);
	ret = pt_dmat_copy_iova(&t, diova, diova + 32768, len);
	check(!ret && !memcmp(d, d + 32768, len), "%s: a %" PRIu64 "-byte copy (PRP lists both ways) works", bdf, len);

	/* the Read's PRP list unreadable: the command's status says so */
	pt_iommu_unmap_dma(io, siova + NF_PRP_READ * 4096ull, 4096);
	ret = t.ops->memcpy_start(&t.drv, diova, diova + 32768, len);
	ret = ret ? ret : t.ops->memcpy_wait(&t.drv);
	check(ret == PT_DRV_EIO && t.drv.diag[0] == 0x004,
	      "%s: the Read whose PRP list the IOMMU blocks fails with status 0x004 "
	      "Data Transfer Error (driver %d, status 0x%x: %s)", bdf, ret, t.drv.diag[0],
	      t.drv.why ? t.drv.why : "-");
	EXPECT_OK(pt_iommu_map_dma(io, (uint8_t *)scr->addr + NF_PRP_READ * 4096, 4096,
				   siova + NF_PRP_READ * 4096ull, PT_DMA_RW), "map the page again");
	check(t.ops->init(&t.drv) == 0, "%s: recovered by the driver's init (controller reset)", bdf);
	memset(d + 32768, 0, len);
	ret = pt_dmat_copy_iova(&t, diova, diova + 32768, len);
	check(!ret && !memcmp(d, d + 32768, len), "%s: copies work again after the recovery", bdf);

	/* the I/O completion queue unwritable: the controller goes fatal */
	pt_iommu_unmap_dma(io, siova + NF_IO_CQ * 4096ull, 4096);
	ret = t.ops->memcpy_start(&t.drv, diova, diova + 32768, 512);
	ret = ret ? ret : t.ops->memcpy_wait(&t.drv);
	check(ret == PT_DRV_EIO && t.drv.why && strstr(t.drv.why, "CSTS.CFS"),
	      "%s: a completion the IOMMU blocks makes the controller fatal, and the driver says "
	      "so (driver %d: %s)", bdf, ret, t.drv.why ? t.drv.why : "-");
	check(t.ops->memcpy_start(&t.drv, diova, diova + 32768, 512) == PT_DRV_EIO,
	      "%s: no command goes to a fatal controller before its reset", bdf);
	EXPECT_OK(pt_iommu_map_dma(io, (uint8_t *)scr->addr + NF_IO_CQ * 4096, 4096,
				   siova + NF_IO_CQ * 4096ull, PT_DMA_RW), "map the page again");
	check(t.ops->init(&t.drv) == 0, "%s: the controller reset clears the fatal status", bdf);
	memset(d + 32768, 0, len);
	ret = pt_dmat_copy_iova(&t, diova, diova + 32768, len);
	check(!ret && !memcmp(d, d + 32768, len), "%s: copies work again after the reset", bdf);

	t.ops->remove(&t.drv);
	t.drv_ready = false;		/* the harness's init is not to be undone twice */
	pt_iommu_unmap_dma(io, diova, data->size);
	for (i = 0; i < NF_PAGES; i++)
		pt_iommu_unmap_dma(io, siova + i * 4096ull, 4096);
close:
	pt_dmat_close(&t);
	pt_mem_free(scr);
	pt_mem_free(data);
out:
	pt_iommu_close(io);
}

int main(int argc, char **argv)
{
	const char *test = argc > 1 ? argv[1] : "", *bdf = argc > 2 ? argv[2] : "";
	const char *env = getenv("PASSTHRU_IOMMU");
	enum pt_mem_kind kind;

	backend = env && *env ? env : "auto";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: vfio-lab open|dma|msi|reset|hotreset|two|ranges|readonly|unmapped|phys|viable|memlock BDF [ARG]\n");
		return 2;
	}
	if (!strcmp(test, "open"))
		t_open(bdf);
	else if (!strcmp(test, "dma"))
		t_dma(bdf, argc > 3 && !pt_mem_kind_parse(argv[3], &kind) ? kind : PT_MEM_ANON);
	else if (!strcmp(test, "msi"))
		t_msi(bdf);
	else if (!strcmp(test, "guestram"))
		t_guestram(bdf);
	else if (!strcmp(test, "intx"))
		t_intx(bdf);
	else if (!strcmp(test, "reset"))
		t_reset(bdf);
	else if (!strcmp(test, "hotreset") && argc > 3)
		t_hotreset(bdf, argv[3]);
	else if (!strcmp(test, "two") && argc > 3)
		t_two(bdf, argv[3]);
	else if (!strcmp(test, "ranges"))
		t_ranges(bdf);
	else if (!strcmp(test, "readonly"))
		t_readonly(bdf);
	else if (!strcmp(test, "unmapped"))
		t_unmapped(bdf);
	else if (!strcmp(test, "phys"))
		t_phys(bdf);
	else if (!strcmp(test, "viable") && argc > 3)
		t_viable(bdf, argv[3]);
	else if (!strcmp(test, "dmalimit"))
		t_dmalimit(bdf);
	else if (!strcmp(test, "memlock"))
		t_memlock(bdf);
	else if (!strcmp(test, "nvme-faults"))
		t_nvme_faults(bdf);
	else {
		fprintf(stderr, "vfio-lab: unknown test '%s' or missing argument\n", test);
		return 2;
	}
	return nr_fail ? 1 : 0;
}
