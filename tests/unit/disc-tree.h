/* SPDX-License-Identifier: MIT */
/*
 * disc-tree.h — builds small captured trees (TREE.md layout) in a temp dir
 * for the discovery unit tests.  The named, big fixtures come from
 * tests/fixtures/gen; these are the minimal machines one test needs.
 *
 *	struct tt t; tt_init(&t);
 *	uint8_t cfg[4096]; tt_cfg(cfg, 0x8086, 0x10d3, 0x020000, 0);
 *	tt_dev(&t, "pci0000:00/0000:00:19.0", cfg, 256, "e1000e", 3);
 *	... pt_ctx_new(&ctx, t.root) ...
 *	tt_fini(&t);
 */
#ifndef PASSTHRU_TESTS_DISC_TREE_H
#define PASSTHRU_TESTS_DISC_TREE_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* test paths are short; a cut one would fail the test loudly anyway */
#pragma GCC diagnostic ignored "-Wformat-truncation"

struct tt {
	char root[PATH_MAX];
};

static inline void tt_mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	mkdir(tmp, 0755);
}

static inline void tt_parent(const char *path)
{
	char tmp[PATH_MAX], *s;

	snprintf(tmp, sizeof(tmp), "%s", path);
	s = strrchr(tmp, '/');
	if (s) {
		*s = '\0';
		tt_mkdirs(tmp);
	}
}

static inline void tt_write(struct tt *t, const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	tt_parent(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0, "create %s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static inline void tt_printf(struct tt *t, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void tt_printf(struct tt *t, const char *rel, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tt_write(t, rel, buf, strlen(buf));
}

static inline void tt_mkdir(struct tt *t, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	tt_mkdirs(path);
}

static inline void tt_link(struct tt *t, const char *rel, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	tt_parent(path);
	unlink(path);
	cr_assert(symlink(target, path) == 0, "symlink %s: %s", path, strerror(errno));
}

static inline void tt_init(struct tt *t)
{
	snprintf(t->root, sizeof(t->root), "/tmp/pt-unit.XXXXXX");
	cr_assert(mkdtemp(t->root));
	tt_printf(t, ".passthru-tree", "passthru-tree 1\nsource: unit test\n");
	tt_mkdir(t, "sys/bus/pci/devices");
	/* blocker sources must be readable (discovery fails closed) */
	tt_printf(t, "proc/self/mountinfo", "21 1 0:20 / /sys rw - sysfs sysfs rw\n");
	tt_printf(t, "proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n");
	tt_write(t, ".passthru/routes", "", 0);
	tt_printf(t, ".passthru/rules", "inet pref=32766 table=254 iif=- oif=-\n");
	tt_printf(t, ".passthru/ifaddrs", "lo inet 127.0.0.1/8\n");
}

static inline int tt_rm(const char *p, const struct stat *s, int f, struct FTW *w)
{
	return remove(p);
}

static inline void tt_fini(struct tt *t)
{
	nftw(t->root, tt_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* A config space: ids, class, header type; status without a cap list. */
static inline void tt_cfg(uint8_t *cfg, uint16_t ven, uint16_t dev,
			  uint32_t cls, uint8_t hdr)
{
	memset(cfg, 0, 4096);
	cfg[0] = ven & 0xff; cfg[1] = ven >> 8;
	cfg[2] = dev & 0xff; cfg[3] = dev >> 8;
	cfg[8] = 0x01;				/* revision */
	cfg[9] = cls & 0xff; cfg[10] = (cls >> 8) & 0xff; cfg[11] = cls >> 16;
	cfg[0x0e] = hdr;
	cfg[0x2c] = ven & 0xff; cfg[0x2d] = ven >> 8;	/* subsystem */
	cfg[0x2e] = dev & 0xff; cfg[0x2f] = dev >> 8;
}

/* Appends a standard capability at off with `len` body bytes; links it. */
static inline void tt_cap(uint8_t *cfg, uint8_t off, uint8_t id,
			  const uint8_t *body, size_t len)
{
	uint8_t *p = &cfg[0x34];

	cfg[6] |= 0x10;				/* Status: capability list */
	for (int hops = 0; *p && hops < 48; hops++)
		p = &cfg[*p + 1];
	*p = off;
	cfg[off] = id;
	cfg[off + 1] = 0;
	memcpy(&cfg[off + 2], body, len);
}

/* Extended capability at off (>= 0x100), chained after the previous. */
static inline void tt_ecap(uint8_t *cfg, uint16_t off, uint16_t id,
			   const uint8_t *body, size_t len)
{
	uint16_t at = 0x100, next;

	if (off != 0x100) {
		for (int hops = 0; hops < 960; hops++) {
			uint32_t h = cfg[at] | cfg[at + 1] << 8 | cfg[at + 2] << 16 |
				     (uint32_t)cfg[at + 3] << 24;
			next = (h >> 20) & 0xffc;
			if (!next)
				break;
			at = next;
		}
		cfg[at + 2] = (uint8_t)((cfg[at + 2] & 0x0f) | ((off & 0xf) << 4));
		cfg[at + 3] = (uint8_t)(off >> 4);
	}
	cfg[off] = id & 0xff;
	cfg[off + 1] = id >> 8;
	cfg[off + 2] = 1;			/* version 1, next 0 */
	cfg[off + 3] = 0;
	memcpy(&cfg[off + 4], body, len);
}

static inline int tt_depth(const char *path)
{
	int n = 1;

	for (const char *p = path; *p; p++)
		n += *p == '/';
	return n;
}

static inline void tt_ups(char *buf, size_t n, int ups)
{
	buf[0] = '\0';
	for (int i = 0; i < ups && strlen(buf) + 3 < n; i++)
		strcat(buf, "../");
}

/*
 * A PCI device at sys/devices/PATH (e.g. "pci0000:00/0000:00:1c.0/0000:01:00.0"),
 * its BDF being PATH's last component.  driver NULL = unbound; group < 0 =
 * no IOMMU group.  resource gets one 64-bit memory BAR 0 of 16 KiB.
 */
static inline void tt_dev(struct tt *t, const char *path, const uint8_t *cfg,
			  size_t cfglen, const char *driver, int group)
{
	const char *bdf = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char dir[PATH_MAX], rel[PATH_MAX], tgt[PATH_MAX], ups[128];
	int depth = tt_depth(path);

	snprintf(dir, sizeof(dir), "sys/devices/%s", path);
#define F(name, ...) do { snprintf(rel, sizeof(rel), "%s/" name, dir); tt_printf(t, rel, __VA_ARGS__); } while (0)
	F("vendor", "0x%02x%02x\n", cfg[1], cfg[0]);
	F("device", "0x%02x%02x\n", cfg[3], cfg[2]);
	F("class", "0x%02x%02x%02x\n", cfg[11], cfg[10], cfg[9]);
	F("revision", "0x%02x\n", cfg[8]);
	F("subsystem_vendor", "0x%02x%02x\n", cfg[0x2d], cfg[0x2c]);
	F("subsystem_device", "0x%02x%02x\n", cfg[0x2f], cfg[0x2e]);
	F("irq", "16\n");
	F("numa_node", "-1\n");
	F("enable", "1\n");
	F("driver_override", "(null)\n");
	F("resource", "0x00000000fe000000 0x00000000fe003fff 0x0000000000140204\n"
	  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
#undef F
	snprintf(rel, sizeof(rel), "%s/config", dir);
	tt_write(t, rel, cfg, cfglen);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", bdf);
	snprintf(tgt, sizeof(tgt), "../../../devices/%s", path);
	tt_link(t, rel, tgt);
	tt_ups(ups, sizeof(ups), depth + 1);
	if (driver) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s", driver);
		tt_mkdir(t, rel);
		snprintf(rel, sizeof(rel), "%s/driver", dir);
		snprintf(tgt, sizeof(tgt), "%sbus/pci/drivers/%s", ups, driver);
		tt_link(t, rel, tgt);
	}
	if (group >= 0) {
		snprintf(rel, sizeof(rel), "%s/iommu_group", dir);
		snprintf(tgt, sizeof(tgt), "%skernel/iommu_groups/%d", ups, group);
		tt_link(t, rel, tgt);
		snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/type", group);
		tt_printf(t, rel, "DMA\n");
		snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/devices/%s",
			 group, bdf);
		snprintf(tgt, sizeof(tgt), "../../../../devices/%s", path);
		tt_link(t, rel, tgt);
	}
}

/* sys/class/{net,block}/NAME -> a directory below the device at PATH. */
static inline void tt_child(struct tt *t, const char *cls, const char *name,
			    const char *path_below_devices)
{
	char rel[PATH_MAX], tgt[PATH_MAX];

	snprintf(rel, sizeof(rel), "sys/devices/%s", path_below_devices);
	tt_mkdir(t, rel);
	snprintf(rel, sizeof(rel), "sys/class/%s/%s", cls, name);
	snprintf(tgt, sizeof(tgt), "../../devices/%s", path_below_devices);
	tt_link(t, rel, tgt);
}

#endif
