// SPDX-License-Identifier: GPL-2.0
/*
 * edu-dma-type1 BDF — first real-kernel DMA test of the lab (runs inside the
 * lab VM).  Binds the QEMU edu device to vfio-pci through sysfs
 * (driver_override + drivers_probe), opens it through the legacy VFIO
 * container with the type1 IOMMU, maps a buffer at a chosen IOVA with
 * VFIO_IOMMU_MAP_DMA and has edu's DMA engine copy through it, then checks
 * that DMA to IOVAs that are not mapped leaves memory untouched.  Prints
 * PASS:/FAIL: lines for the lab harness and exits 1 if anything failed.
 *
 * It is deliberately standalone (raw ioctls); the VFIO core library replaces
 * it once it lands.
 *
 * edu (QEMU docs/specs/edu.rst): BAR0 registers 0x80 DMA source, 0x88 DMA
 * destination, 0x90 count, 0x98 command (bit 0 start, bit 1 direction:
 * 0 = RAM to edu, 1 = edu to RAM).  Its 4 KiB buffer sits at device address
 * 0x40000.  DMA addresses are masked to 28 bits, so IOVAs stay below
 * 256 MiB; each transfer completes after a ~100 ms timer and clears bit 0.
 * QEMU 7.2 aborts on a transfer that ends exactly at the end of edu's
 * buffer, so transfers here stay well inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_REG_ID	0x00
#define EDU_REG_SRC	0x80
#define EDU_REG_DST	0x88
#define EDU_REG_CNT	0x90
#define EDU_REG_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000
#define EDU_DMA_LIMIT	(1ull << 28)

#define PAGE		4096ul
#define IOVA_BUF	0x01000000ull	/* 16 MiB: the mapped buffer */
#define IOVA_GONE	0x02000000ull	/* 32 MiB: mapped, then unmapped */
#define XFER		256u
#define SENTINEL	0x5a

static int failures;

static void pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("PASS: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	failures++;
}

struct edu {
	char bdf[32];
	int container, group, device;
	volatile uint8_t *bar0;
	size_t bar0_size;
	off_t config_off;
};

static int sysfs_write(const char *bdf, const char *file, const char *val)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	if (bdf)
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, file);
	else
		snprintf(path, sizeof(path), "/sys/bus/pci/%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Name of the driver bound to BDF into buf ("" when none). */
static void edu__driver(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	char *slash, *name;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	buf[0] = 0;
	if (n < 0)
		return;
	link[n] = 0;
	slash = strrchr(link, '/');
	name = slash ? slash + 1 : link;
	n = (ssize_t)strnlen(name, len - 1);
	memcpy(buf, name, n);
	buf[n] = 0;
}

/* driver_override + unbind + drivers_probe; "" clears the override. */
static int edu__bind(const char *bdf, const char *driver)
{
	char cur[64];
	int ret;

	ret = sysfs_write(bdf, "driver_override", *driver ? driver : "\n");
	if (ret)
		return ret;
	edu__driver(bdf, cur, sizeof(cur));
	if (cur[0] && strcmp(cur, driver)) {
		ret = sysfs_write(bdf, "driver/unbind", bdf);
		if (ret)
			return ret;
	}
	if (*driver)
		return sysfs_write(NULL, "drivers_probe", bdf);
	return 0;
}

static int edu__group_id(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	char *slash;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	slash = strrchr(link, '/');
	return slash ? atoi(slash + 1) : -EINVAL;
}

static int edu__open(struct edu *e)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info bar = { .argsz = sizeof(bar), .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX };
	char path[64];
	int gid;

	e->container = open("/dev/vfio/vfio", O_RDWR);
	if (e->container < 0)
		return -errno;
	if (ioctl(e->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return -EPROTO;
	if (ioctl(e->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
		return -EOPNOTSUPP;
	gid = edu__group_id(e->bdf);
	if (gid < 0)
		return gid;
	snprintf(path, sizeof(path), "/dev/vfio/%d", gid);
	e->group = open(path, O_RDWR);
	if (e->group < 0)
		return -errno;
	if (ioctl(e->group, VFIO_GROUP_GET_STATUS, &status))
		return -errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EBUSY;
	if (ioctl(e->group, VFIO_GROUP_SET_CONTAINER, &e->container))
		return -errno;
	if (ioctl(e->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -errno;
	e->device = ioctl(e->group, VFIO_GROUP_GET_DEVICE_FD, e->bdf);
	if (e->device < 0)
		return -errno;
	if (ioctl(e->device, VFIO_DEVICE_GET_REGION_INFO, &bar) ||
	    ioctl(e->device, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		return -errno;
	if (!(bar.flags & VFIO_REGION_INFO_FLAG_MMAP) || bar.size < 0x100)
		return -ENODEV;
	e->bar0 = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, e->device, bar.offset);
	if (e->bar0 == MAP_FAILED)
		return -errno;
	e->bar0_size = bar.size;
	e->config_off = cfg.offset;
	return 0;
}

static int edu__enable_master(struct edu *e)
{
	uint16_t cmd;

	if (pread(e->device, &cmd, 2, e->config_off + PCI_COMMAND) != 2)
		return -EIO;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(e->device, &cmd, 2, e->config_off + PCI_COMMAND) != 2)
		return -EIO;
	return 0;
}

static uint32_t edu_rd(struct edu *e, unsigned int reg)
{
	return *(volatile uint32_t *)(e->bar0 + reg);
}

static void edu_wr(struct edu *e, unsigned int reg, uint32_t val)
{
	*(volatile uint32_t *)(e->bar0 + reg) = val;
}

/* Start one transfer and poll for completion (edu's timer is ~100 ms). */
static int edu__dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t len, bool to_ram)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	int i;

	/* 32-bit writes replace the whole 64-bit register; IOVAs are < 4 GiB. */
	edu_wr(e, EDU_REG_SRC, (uint32_t)src);
	edu_wr(e, EDU_REG_DST, (uint32_t)dst);
	edu_wr(e, EDU_REG_CNT, len);
	edu_wr(e, EDU_REG_CMD, EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (i = 0; i < 2500; i++) {
		if (!(edu_rd(e, EDU_REG_CMD) & EDU_CMD_START))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static int map_dma(struct edu *e, void *vaddr, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr, .iova = iova, .size = size,
	};

	return ioctl(e->container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int unmap_dma(struct edu *e, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = iova, .size = size,
	};

	if (ioctl(e->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	return unmap.size == size ? 0 : -EFAULT;
}

/* Physical address of a locked page (root reads PFNs from pagemap). */
static uint64_t phys_addr(void *p)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, 8, (uintptr_t)p / PAGE * 8) != 8)
		ent = 0;
	close(fd);
	if (!(ent & (1ull << 63)))
		return 0;
	return (ent & ((1ull << 55) - 1)) * PAGE;
}

static size_t count_not(const uint8_t *p, size_t len, uint8_t val)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] != val;
	return n;
}

static void test_copy(struct edu *e, uint8_t *buf)
{
	uint8_t pattern[XFER];
	unsigned int i;
	size_t bad;
	int ret;

	for (i = 0; i < XFER; i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
	memset(buf, SENTINEL, 2 * PAGE);
	memcpy(buf + 0x100, pattern, XFER);

	ret = edu__dma(e, IOVA_BUF + 0x100, EDU_BUF + 0x200, XFER, false);
	if (ret) {
		fail("edu DMA RAM->device from IOVA %#llx (expected completion, saw %s)",
		     IOVA_BUF + 0x100, strerror(-ret));
		return;
	}
	ret = edu__dma(e, EDU_BUF + 0x200, IOVA_BUF + PAGE + 0x300, XFER, true);
	if (ret) {
		fail("edu DMA device->RAM to IOVA %#llx (expected completion, saw %s)",
		     IOVA_BUF + PAGE + 0x300, strerror(-ret));
		return;
	}
	if (memcmp(buf + PAGE + 0x300, pattern, XFER) == 0)
		pass("edu copied %u bytes RAM->device (IOVA %#llx) and device->RAM (IOVA %#llx), bytes equal",
		     XFER, IOVA_BUF + 0x100, IOVA_BUF + PAGE + 0x300);
	else
		fail("edu round trip through IOVA %#llx (expected the %u-byte pattern back at +0x%lx, saw different bytes)",
		     IOVA_BUF, XFER, PAGE + 0x300);
	/* Everything around the destination must be untouched. */
	bad = count_not(buf + PAGE, 0x300, SENTINEL) +
	      count_not(buf + PAGE + 0x300 + XFER, PAGE - 0x300 - XFER, SENTINEL);
	if (bad == 0)
		pass("device->RAM DMA wrote exactly its %u bytes (rest of the page unchanged)", XFER);
	else
		fail("device->RAM DMA wrote outside its range (expected 0 changed bytes around it, saw %zu)", bad);
}

/* DMA to an IOVA that was mapped and then unmapped: the page is still ours. */
static void test_unmapped(struct edu *e, uint8_t *gone)
{
	size_t bad;
	int ret;

	ret = map_dma(e, gone, IOVA_GONE, PAGE);
	if (!ret)
		ret = unmap_dma(e, IOVA_GONE, PAGE);
	if (ret) {
		fail("map+unmap of IOVA %#llx (expected success, saw %s)", IOVA_GONE, strerror(-ret));
		return;
	}
	pass("VFIO_IOMMU_MAP_DMA then VFIO_IOMMU_UNMAP_DMA of IOVA %#llx", IOVA_GONE);
	memset(gone, SENTINEL, PAGE);
	ret = edu__dma(e, EDU_BUF, IOVA_GONE + 0x80, XFER, true);
	if (ret) {
		fail("edu DMA to unmapped IOVA %#llx did not complete (%s)", IOVA_GONE + 0x80, strerror(-ret));
		return;
	}
	bad = count_not(gone, PAGE, SENTINEL);
	if (bad == 0)
		pass("DMA to the just-unmapped IOVA %#llx left its former page untouched", IOVA_GONE + 0x80);
	else
		fail("DMA to the just-unmapped IOVA %#llx (expected 0 changed bytes, saw %zu)", IOVA_GONE + 0x80, bad);
}

/*
 * DMA to IOVA == the physical address of a sentinel page that is not mapped
 * in the IOMMU: without translation the bytes would land in that page.
 */
static void test_phys(struct edu *e)
{
	enum { NPAGES = 4096 };
	uint8_t *pool, *page = NULL;
	uint64_t pa = 0;
	size_t bad;
	int i, ret;

	pool = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED || mlock(pool, NPAGES * PAGE)) {
		fail("allocating sentinel pages (%s)", strerror(errno));
		return;
	}
	for (i = 0; i < NPAGES; i++) {
		uint64_t a;

		pool[i * PAGE] = 1;
		a = phys_addr(pool + i * PAGE);
		if (a && a + PAGE <= EDU_DMA_LIMIT &&
		    (a + PAGE <= IOVA_BUF || a >= IOVA_BUF + 2 * PAGE)) {
			page = pool + i * PAGE;
			pa = a;
			break;
		}
	}
	if (!page) {
		fail("finding a sentinel page below 256 MiB physical (pagemap gave no usable PFN)");
		goto out;
	}
	memset(page, SENTINEL, PAGE);
	ret = edu__dma(e, EDU_BUF, pa + 0x400, XFER, true);
	if (ret) {
		fail("edu DMA to never-mapped IOVA %#" PRIx64 " did not complete (%s)", pa + 0x400, strerror(-ret));
		goto out;
	}
	bad = count_not(page, PAGE, SENTINEL);
	if (bad == 0)
		pass("DMA to never-mapped IOVA %#" PRIx64 " (= the sentinel page's physical address) left it untouched",
		     pa + 0x400);
	else
		fail("DMA to never-mapped IOVA %#" PRIx64 " reached physical memory (expected 0 changed bytes, saw %zu)",
		     pa + 0x400, bad);
out:
	munmap(pool, NPAGES * PAGE);
}

int main(int argc, char **argv)
{
	struct edu e = { .container = -1, .group = -1, .device = -1 };
	char drv[64], orig[64];
	uint8_t *buf, *gone;
	int ret;

	if (argc != 2 || strlen(argv[1]) >= sizeof(e.bdf)) {
		fprintf(stderr, "usage: %s BDF   (an edu device, e.g. 0000:00:04.0)\n", argv[0]);
		return 2;
	}
	snprintf(e.bdf, sizeof(e.bdf), "%s", argv[1]);
	edu__driver(e.bdf, orig, sizeof(orig));

	ret = edu__bind(e.bdf, "vfio-pci");
	edu__driver(e.bdf, drv, sizeof(drv));
	if (ret || strcmp(drv, "vfio-pci")) {
		fail("%s: bind to vfio-pci via driver_override + drivers_probe (expected driver vfio-pci, saw '%s'; %s)",
		     e.bdf, drv, ret ? strerror(-ret) : "no error");
		goto out;
	}
	pass("%s bound to vfio-pci via driver_override + drivers_probe", e.bdf);

	ret = edu__open(&e);
	if (ret) {
		fail("%s: open through /dev/vfio/vfio + group %d, type1v2 (expected success, saw %s)",
		     e.bdf, edu__group_id(e.bdf), strerror(-ret));
		goto out;
	}
	pass("%s opened: container, group %d, VFIO_TYPE1v2_IOMMU, device fd, BAR0 %zu KiB mmapped",
	     e.bdf, edu__group_id(e.bdf), e.bar0_size >> 10);
	if ((edu_rd(&e, EDU_REG_ID) & 0xff) == 0xed)
		pass("edu identification register reads %#x", edu_rd(&e, EDU_REG_ID));
	else
		fail("edu identification register (expected 0x..00ed, saw %#x)", edu_rd(&e, EDU_REG_ID));
	ret = edu__enable_master(&e);
	if (ret) {
		fail("%s: enabling bus mastering through the config region (%s)", e.bdf, strerror(-ret));
		goto out;
	}

	buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gone = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || gone == MAP_FAILED) {
		fail("allocating DMA buffers (%s)", strerror(errno));
		goto out;
	}
	ret = map_dma(&e, buf, IOVA_BUF, 2 * PAGE);
	if (ret) {
		fail("VFIO_IOMMU_MAP_DMA of 8 KiB at IOVA %#llx (expected success, saw %s)", IOVA_BUF, strerror(-ret));
		goto out;
	}
	pass("VFIO_IOMMU_MAP_DMA of 8 KiB at IOVA %#llx (buffer at physical %#" PRIx64 ")",
	     IOVA_BUF, phys_addr(buf));

	test_copy(&e, buf);
	test_unmapped(&e, gone);
	test_phys(&e);
	/* Control: the device still works after the faults, so the two checks
	 * above could have seen a write had the IOMMU let one through. */
	test_copy(&e, buf);

	ret = unmap_dma(&e, IOVA_BUF, 2 * PAGE);
	if (ret)
		fail("VFIO_IOMMU_UNMAP_DMA of IOVA %#llx (%s)", IOVA_BUF, strerror(-ret));
	else
		pass("VFIO_IOMMU_UNMAP_DMA of IOVA %#llx", IOVA_BUF);
out:
	if (e.bar0 && e.bar0 != MAP_FAILED)
		munmap((void *)e.bar0, e.bar0_size);
	if (e.device >= 0)
		close(e.device);
	if (e.group >= 0)
		close(e.group);
	if (e.container >= 0)
		close(e.container);
	/* Give the device back as it was found (edu has no host driver). */
	edu__bind(e.bdf, "");
	sysfs_write(NULL, "drivers_probe", e.bdf);
	edu__driver(e.bdf, drv, sizeof(drv));
	if (strcmp(drv, orig))
		fail("%s: restore the original driver (expected '%s', saw '%s')", e.bdf, orig, drv);
	return failures ? 1 : 0;
}
