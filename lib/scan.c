// SPDX-License-Identifier: MIT
/*
 * scan.c — pt_scan(): every PCI device with what matters for assignment.
 *
 * libpci enumerates (sysfs method, pointed at ROOT/sys/bus/pci), fills ids,
 * class, revision, subsystem, IRQ, BAR sizes, NUMA node, driver and IOMMU
 * group, reads config space and names devices from pci.ids.  The
 * Linux-specific attributes libpci does not know (driver_override,
 * reset_method, boot_vga, SR-IOV links, the topology) are read from the
 * device's sysfs directory under the same root.  Then groups.c forms the
 * IOMMU groups and blockers.c finds what each device is busy with.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/disc-priv.h"

#define IORESOURCE_IO		0x00000100
#define IORESOURCE_PREFETCH	0x00002000
#define IORESOURCE_MEM_64	0x00100000

static int dev_cmp(const void *a, const void *b)
{
	const struct pt_device *const *x = a, *const *y = b;

	return strcmp((*x)->bdf, (*y)->bdf);
}

struct pt_device *ptd_find_device(struct pt_system *sys, const char *bdf)
{
	struct pt_device key = { .bdf = bdf }, *k = &key, **hit;

	if (!sys || !sys->devices || !bdf)
		return NULL;
	hit = bsearch(&k, sys->devices, (size_t)sys->nr_devices,
		      sizeof(*sys->devices), dev_cmp);
	return hit ? *hit : NULL;
}

const struct pt_device *pt_find_device(const struct pt_system *sys,
				       const char *bdf)
{
	return ptd_find_device((struct pt_system *)sys, bdf);
}

/*
 * pci.ids names through libpci, each lookup made once per context: a
 * machine repeats the same ids (every port of a switch, every VF of a NIC,
 * one vendor for most of its devices), and pci_lookup_name() costs a hash
 * walk and a formatted copy per call (an eighth of a 2,000-device
 * `list --json` went to its 8,000 calls).  The context owns the table so
 * that a libpci longjmp out of a scan leaks nothing; devices keep copies.
 */
struct name_key {
	unsigned int kind, a, b, c, d;
};

struct name_slot {
	struct name_key key;
	char *name;		/* NULL: free slot */
};

struct ptd_names {
	struct name_slot *v;
	size_t cap, n;		/* cap: a power of two */
};

static size_t name_hash(const struct name_key *k)
{
	uint64_t h = k->kind;

	h = h * 0x9e3779b97f4a7c15ULL + k->a;
	h = h * 0x9e3779b97f4a7c15ULL + k->b;
	h = h * 0x9e3779b97f4a7c15ULL + k->c;
	h = h * 0x9e3779b97f4a7c15ULL + k->d;
	return (size_t)(h ^ (h >> 29));
}

static struct name_slot *name_slot(struct name_slot *v, size_t cap,
				   const struct name_key *k)
{
	size_t i = name_hash(k) & (cap - 1);

	while (v[i].name && memcmp(&v[i].key, k, sizeof(*k)))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

/* Keeps the load under a half; on failure the cache just stays as it is. */
static void name_cache_grow(struct ptd_names *nc)
{
	size_t cap = nc->cap ? nc->cap * 2 : 256;
	struct name_slot *v = calloc(cap, sizeof(*v));

	if (!v)
		return;
	for (size_t i = 0; i < nc->cap; i++)
		if (nc->v[i].name)
			*name_slot(v, cap, &nc->v[i].key) = nc->v[i];
	free(nc->v);
	nc->v = v;
	nc->cap = cap;
}

void ptd_names_free(struct ptd_names *nc)
{
	if (!nc)
		return;
	for (size_t i = 0; i < nc->cap; i++)
		free(nc->v[i].name);
	free(nc->v);
	free(nc);
}

static const char *lookup(struct pt_ctx *ctx, int flags, unsigned int a,
			  unsigned int b, unsigned int c, unsigned int d)
{
	struct name_key k = { (unsigned int)flags, a, b, c, d };
	struct ptd_names *nc = ctx->names;
	struct name_slot *slot = NULL;
	const char *name;
	char buf[256];

	if (!nc)
		nc = ctx->names = calloc(1, sizeof(*nc));
	if (nc && (nc->n + 1) * 2 > nc->cap)
		name_cache_grow(nc);
	if (nc && nc->cap) {
		slot = name_slot(nc->v, nc->cap, &k);
		if (slot->name)
			return strdup(slot->name);
	}
	/* pci.ids only: the same tree must name devices the same on every
	 * host, whatever its udev hwdb says */
	name = pci_lookup_name(ctx->pacc, buf, sizeof(buf),
			       flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB,
			       a, b, c, d);
	name = name ? name : "";
	if (slot && (nc->n + 1) * 2 <= nc->cap) {
		slot->name = strdup(name);
		if (slot->name) {
			slot->key = k;
			nc->n++;
		}
	}
	return strdup(name);
}

static void dev_names(struct pt_ctx *ctx, struct pt_device *d)
{
	d->vendor_name = lookup(ctx, PCI_LOOKUP_VENDOR, d->vendor_id, 0, 0, 0);
	d->device_name = lookup(ctx, PCI_LOOKUP_DEVICE, d->vendor_id,
				d->device_id, 0, 0);
	d->subsys_name = lookup(ctx, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE,
				d->vendor_id, d->device_id,
				d->subsys_vendor_id, d->subsys_device_id);
	d->class_name = lookup(ctx, PCI_LOOKUP_CLASS, d->class_code >> 8, 0,
			       0, 0);
}

/*
 * Config space through libpci: the kernel exposes 4096 bytes (PCIe), 256
 * (conventional PCI) or 64 (to an unprivileged reader), and a read past
 * the end fails as a whole, so try the sizes from the largest: one pread
 * for a PCIe device.  config_len says how far the kernel let us read.
 */
static size_t dev_read_config(struct pci_dev *pd, uint8_t *cfg)
{
	static const int sizes[] = { 4096, 256, 64 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (pci_read_block(pd, 0, cfg, sizes[i])) {
			if (sizes[i] < 4096)
				memset(cfg + sizes[i], 0xff, 4096 - (size_t)sizes[i]);
			return (size_t)sizes[i];
		}
	}
	memset(cfg, 0xff, 4096);
	return 0;
}

struct res {
	uint64_t start, end, flags;
};

/*
 * The kernel's resource table: one "0xSTART 0xEND 0xFLAGS" line per BAR
 * (0-5), the ROM (6), then bridge windows.  Parsed here (res_hex):
 * libpci's PCI_FILL_BASES|SIZES does the same with sscanf at three times
 * the cost, which dominated a 2,000-device scan.
 */
static int res_error(struct pt_ctx *ctx, const char *bdf, const char *what,
		     int err)
{
	char dir[PATH_MAX], path[PATH_MAX];

	pt_ctx_path(ctx, dir, sizeof(dir), "sys/bus/pci/devices");
	pt_ctx_path(ctx, path, sizeof(path), "sys/bus/pci/devices/%s/resource", bdf);
	return pt_set_error(EIO, "cannot read the PCI devices under %s: %s %s%s%s%s",
			    dir, what, path, err ? ": " : "", err ? strerror(err) : "",
			    !pt_ctx_is_live(ctx) ? "; the tree is "
			    "incomplete or unreadable, capture it again with "
			    "`passthru snapshot`" : "");
}

/* One more than the value of each hex digit; 0 for any other byte. */
static const unsigned char hex_val1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int hex_digit(char c)
{
	return hex_val1[(unsigned char)c] - 1;
}

/*
 * strtoull(p, end, 16) for the kernel's form ("0x" and 1-16 hex digits,
 * after blanks) without the locale-aware general case, which was most of
 * the parse; anything else (signs, other spacing, overflow) goes to
 * strtoull itself, so what is accepted and what it means are unchanged.
 */
static uint64_t res_hex(const char *p, char **end)
{
	const char *q = p;
	uint64_t v = 0;
	int n = 0, x;

	while (*q == ' ' || *q == '\t')
		q++;
	if (q[0] != '0' || (q[1] != 'x' && q[1] != 'X') || hex_digit(q[2]) < 0)
		return strtoull(p, end, 16);
	for (q += 2; (x = hex_digit(*q)) >= 0; q++, n++)
		v = v << 4 | (uint64_t)x;
	if (n > 16)
		return strtoull(p, end, 16);
	*end = (char *)q;
	return v;
}

static int dev_resources(struct pt_ctx *ctx, int dfd, struct pt_device *d,
			 struct res *r, int max)
{
	char buf[2048], what[96];
	char *p = buf, *end;
	int n = 0, ret;

	memset(r, 0, sizeof(*r) * (size_t)max);
	ret = pt_sysfs_read_at(&ctx->fs, dfd, "resource", buf, sizeof(buf));
	if (ret < 0) {
		snprintf(what, sizeof(what), "%s", ret == -ENOENT || ret == -EACCES ?
			 "Cannot open" : "Error reading");
		/* worded like libpci's own errors for the files it reads */
		return res_error(ctx, d->bdf, what, -ret);
	}
	/* every line must be "START END FLAGS" in hex, as libpci demands */
	while (*p) {
		struct res x;

		x.start = res_hex(p, &end);
		if (end == p)
			return res_error(ctx, d->bdf, "Syntax error in", 0);
		p = end;
		x.end = res_hex(p, &end);
		if (end == p)
			return res_error(ctx, d->bdf, "Syntax error in", 0);
		p = end;
		x.flags = res_hex(p, &end);
		if (end == p)
			return res_error(ctx, d->bdf, "Syntax error in", 0);
		p = end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != '\n')
			return res_error(ctx, d->bdf, "Syntax error in", 0);
		if (*p)
			p++;
		if (n < max)
			r[n] = x;
		n++;
	}
	return n < max ? n : max;
}

static uint64_t res_size(const struct res *r)
{
	return r->end > r->start || (r->end && r->end == r->start) ?
	       r->end - r->start + 1 : 0;
}

/* BAR flags from config (the truth), start and size from the kernel. */
static int dev_bars(struct pt_ctx *ctx, int dfd, struct pt_device *d,
		    const uint8_t *cfg, size_t len)
{
	int nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	struct res r[7];
	int nres = dev_resources(ctx, dfd, d, r, 7);

	if (nres < 0)
		return nres;
	for (int i = 0; i < nbars && i < nres; i++) {
		struct pt_bar *b = &ptd_device(d)->bars[d->nr_bars];
		uint32_t reg = 0;

		if (!res_size(&r[i]))
			continue;
		if (len >= 64)
			memcpy(&reg, cfg + 0x10 + 4 * i, 4);
		b->index = i;
		b->start = r[i].start;
		b->size = res_size(&r[i]);
		/* A VF's BARs read 0 in its own config (they live in the PF's
		 * SR-IOV capability): then the kernel's resource flags say it */
		if (len >= 64 && reg != 0xffffffff && (reg != 0 || !r[i].flags)) {
			b->kind = (reg & 1) ? PT_BAR_IO : PT_BAR_MEM;
			b->is_64 = !(reg & 1) && ((reg >> 1) & 3) == 2;
			b->prefetchable = !(reg & 1) && (reg & 8);
		} else {
			b->kind = (r[i].flags & IORESOURCE_IO) ? PT_BAR_IO
							      : PT_BAR_MEM;
			b->is_64 = r[i].flags & IORESOURCE_MEM_64;
			b->prefetchable = r[i].flags & IORESOURCE_PREFETCH;
		}
		d->nr_bars++;
		if (b->is_64)
			i++;	/* the upper half is not a BAR of its own */
	}
	if (nres > 6 && res_size(&r[6])) {
		struct pt_bar *b = &ptd_device(d)->bars[d->nr_bars++];

		b->index = 6;
		b->kind = PT_BAR_MEM;
		b->start = r[6].start;
		b->size = res_size(&r[6]);
	}
	return 0;
}

static int split_words(struct pt_strv *sv, const char *s)
{
	char buf[256], *save, *tok;
	int ret;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		ret = ptd_strv_add(sv, tok);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * reset_method (Linux 5.15+) lists what the kernel will use, in order.  On
 * older kernels we derive the same list from the capabilities, in the
 * kernel's order (device_specific and acpi cannot be seen from sysfs):
 * flr (PCIe DevCap), af_flr, pm (PM cap without NoSoftRst), bus (secondary
 * bus reset: the only device below a bridge).
 */
static int dev_reset_methods(struct pt_system *sys, struct pt_device *d)
{
	int alone = 1;

	if (d->reset_from_kernel)
		return 0;	/* read by dev_fill() */
	if (d->caps->flr && ptd_strv_add(&d->reset_methods, "flr"))
		return -ENOMEM;
	if (d->caps->af_flr && ptd_strv_add(&d->reset_methods, "af_flr"))
		return -ENOMEM;
	if (d->caps->pm && !d->caps->pm_no_soft_reset &&
	    ptd_strv_add(&d->reset_methods, "pm"))
		return -ENOMEM;
	if (!d->parent[0] || d->is_bridge)
		return 0;
	for (int i = 0; i < sys->nr_devices; i++) {
		struct pt_device *o = sys->devices[i];

		if (o != d && o->domain == d->domain && o->bus == d->bus)
			alone = 0;
	}
	if (alone && ptd_strv_add(&d->reset_methods, "bus"))
		return -ENOMEM;
	return 0;
}

static int dev_sriov(struct pt_sysfs *fs, int dfd, struct pt_device *d)
{
	char rel[32], bdf[PATH_MAX];
	long v;

	d->sriov_totalvfs = d->sriov_numvfs = -1;
	if (pt_sysfs_readlink_base_at(fs, dfd, "physfn", bdf, sizeof(bdf)) == 0 &&
	    ptd_is_bdf(bdf) && strlen(bdf) < sizeof(ptd_device(d)->physfn))
		strcpy(ptd_device(d)->physfn, bdf);
	/* only PFs (SR-IOV capability) have the sriov_* files; with a
	 * 64-byte config (unprivileged) we cannot tell, so look */
	if ((!d->caps->sriov && d->config_len > 64) ||
	    pt_sysfs_read_long_at(fs, dfd, "sriov_totalvfs", &v) < 0)
		return 0;
	d->sriov_totalvfs = (int)v;
	d->sriov_numvfs = pt_sysfs_read_long_at(fs, dfd, "sriov_numvfs", &v) == 0 ?
			  (int)v : 0;
	for (int i = 0; i < d->sriov_numvfs && i < 4096; i++) {
		snprintf(rel, sizeof(rel), "virtfn%d", i);
		if (pt_sysfs_readlink_base_at(fs, dfd, rel, bdf, sizeof(bdf)) < 0)
			break;
		if (ptd_is_bdf(bdf) && ptd_strv_add(&d->vfs, bdf))
			return pt_set_error(ENOMEM, "out of memory");
	}
	return 0;
}

/* The upstream bridge is the parent directory in sys/devices: the
 * directory above the device in its sys/bus/pci/devices link's target. */
static void dev_parent(const char *target, struct pt_device *d)
{
	char buf[PATH_MAX], *slash;

	snprintf(buf, sizeof(buf), "%s", target);
	slash = strrchr(buf, '/');
	if (!slash)
		return;
	*slash = '\0';
	slash = strrchr(buf, '/');
	if (slash && ptd_is_bdf(slash + 1))
		snprintf(ptd_device(d)->parent, PT_BDF_LEN, "%s", slash + 1);
}

/* Subsystem ids: header 0 at 0x2c, CardBus at 0x40, bridges in their
 * SSVID capability (as the kernel fills subsystem_vendor). */
static void dev_subsys(struct pci_dev *pd, struct pt_device *d,
		       const uint8_t *cfg)
{
	unsigned int off = 0;
	struct pci_cap *cap;

	if (d->header_type == 0) {
		off = 0x2c;
	} else if (d->header_type == 2) {
		off = 0x40;
	} else if (d->header_type == 1 && d->config_len >= 256) {
		cap = pci_find_cap(pd, PCI_CAP_ID_SSVID, PCI_CAP_NORMAL);
		if (cap && cap->addr >= 0x40 && cap->addr + 8 <= 256)
			off = (unsigned int)cap->addr + 4;
	}
	if (!off || off + 4 > d->config_len)
		return;
	d->subsys_vendor_id = (uint16_t)(cfg[off] | cfg[off + 1] << 8);
	d->subsys_device_id = (uint16_t)(cfg[off + 2] | cfg[off + 3] << 8);
}

static int dev_fill_at(struct pt_ctx *ctx, int dfd, struct pci_dev *pd,
		       struct pt_device *d, uint8_t *cfg)
{
	struct ptd_device *dd = ptd_device(d);
	struct pt_sysfs *fs = &ctx->fs;
	char buf[256];
	int ret;
	long v;

	/* libpci's PCI_FILL_DRIVER realpath()s the link (a dozen syscalls);
	 * the link's last component is all we need */
	if (pt_sysfs_readlink_base_at(fs, dfd, "driver", dd->driver, sizeof(dd->driver)) < 0)
		dd->driver[0] = '\0';
	d->iommu_group = -1;	/* set by groups.c from iommu_groups/N/devices */

	d->config_len = dev_read_config(pd, cfg);
	if (!d->config_len) {
		char path[PATH_MAX];

		pt_ctx_path(ctx, path, sizeof(path),
			    "sys/bus/pci/devices/%s/config", d->bdf);
		return pt_set_error(EIO, "cannot read the config space of %s "
				    "(%s): %s%s", d->bdf, path, ptd_pci_msg,
				    !pt_ctx_is_live(ctx) ? "; the tree is incomplete, "
				    "capture it again with `passthru snapshot`" : "");
	}
	dd->config = malloc(d->config_len);
	if (!dd->config)
		return pt_set_error(ENOMEM, "out of memory");
	memcpy(dd->config, cfg, d->config_len);
	d->config = dd->config;
	d->header_type = cfg[0x0e] & 0x7f;
	d->multifunction = cfg[0x0e] & 0x80;
	d->is_bridge = d->header_type == 1 || d->header_type == 2;
	d->revision = cfg[0x08];
	d->class_code |= cfg[0x09];
	ret = dev_bars(ctx, dfd, d, cfg, d->config_len);
	if (ret < 0)
		return ret;
	pci_setup_cache(pd, cfg, 4096);
	ptd_caps_decode_dev(pd, cfg, d->config_len, &dd->caps);
	dev_subsys(pd, d, cfg);
	pci_setup_cache(pd, NULL, 0);
	dev_names(ctx, d);

	if (pt_sysfs_read_str_at(fs, dfd, "driver_override", buf, PT_NAME_LEN) == 0 &&
	    strcmp(buf, "(null)"))
		snprintf(dd->driver_override, sizeof(dd->driver_override), "%.63s", buf);
	/* reset_method (Linux 5.15+); derived later when absent */
	if (pt_sysfs_read_str_at(fs, dfd, "reset_method", buf, sizeof(buf)) == 0) {
		d->reset_from_kernel = true;
		ret = split_words(&d->reset_methods, buf);
		if (ret < 0)
			return pt_set_error(ret, "out of memory");
	}
	/* numa_node here rather than PCI_FILL_NUMA_NODE: same file, one
	 * path walk fewer */
	d->numa_node = pt_sysfs_read_long_at(fs, dfd, "numa_node", &v) == 0 ? (int)v : -1;
	/* the kernel has boot_vga on VGA-class devices only */
	d->boot_vga = (d->class_code >> 16) == 0x03 &&
		      pt_sysfs_read_long_at(fs, dfd, "boot_vga", &v) == 0 && v == 1;
	return dev_sriov(fs, dfd, d);
}

/*
 * Devices are filled in BDF order, the order sys->devices ends in: no sort
 * of the large device structs afterwards, and a tree is visited in the
 * order its directories were made (libpci lists them in directory hash
 * order), which the caches like.  The scratch is the context's so that a
 * libpci longjmp out of the scan leaks nothing.
 */
struct ptd_scan_key {
	char bdf[PT_BDF_LEN];
	struct pci_dev *pd;
};

static int key_cmp(const void *a, const void *b)
{
	const struct ptd_scan_key *x = a, *y = b;

	return strcmp(x->bdf, y->bdf);
}

static void format_bdf(char *buf, size_t n, const struct pci_dev *pd)
{
	/* domains wider than 16 bits exist (VMD: 10000:e1:00.0) */
	snprintf(buf, n, "%04x:%02x:%02x.%x", (unsigned int)pd->domain,
		 pd->bus, pd->dev, pd->func);
}

/* What libpci's sysfs method reads in a device's directory for what we ask
 * of it: PCI_FILL_IDENT | PCI_FILL_CLASS, and the config space. */
static const char *const libpci_files[] = {
	"vendor", "device", "class", "config", NULL,
};

/*
 * The device's sysfs directory, for our own attributes: one path walk
 * instead of one per file (the walk through ROOT and the
 * sys/bus/pci/devices symlink dominated a 2,000-device scan).  On the live
 * system it is opened through the link's text (already read for the
 * parent), relative to sys/bus/pci/devices as the kernel would resolve it:
 * that spares a second lookup and read of the link.  In a tree it is
 * resolved from the root and must not leave it, and libpci's files in it
 * are checked before libpci opens them by their plain path.
 */
static int dev_open_dir(struct pt_ctx *ctx, const char *bdf, const char *link)
{
	char rel[PATH_MAX];

	if (pt_ctx_is_live(ctx))
		return pt_sysfs_open_dir(&ctx->fs, ctx->devfd, link ? link : bdf);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", bdf);
	return pt_sysfs_open_dir_for_libpci(&ctx->fs, AT_FDCWD, rel, libpci_files);
}

static int dev_fill(struct pt_ctx *ctx, const struct ptd_scan_key *k,
		    struct pt_device *d, uint8_t *cfg)
{
	struct pci_dev *pd = k->pd;
	char path[PATH_MAX], target[PATH_MAX];
	int dfd, ret, r;

	memcpy(ptd_device(d)->bdf, k->bdf, PT_BDF_LEN);
	r = pt_sysfs_readlink_at(&ctx->fs, ctx->devfd, d->bdf, target, sizeof(target));
	if (r > 0)
		dev_parent(target, d);
	dfd = dev_open_dir(ctx, d->bdf, r > 0 ? target : NULL);
	if (dfd < 0 && pt_sysfs_defect(&ctx->fs)[0])
		return ptd_tree_error(ctx);
	if (dfd < 0) {
		pt_ctx_path(ctx, path, sizeof(path), "sys/bus/pci/devices/%s", d->bdf);
		return pt_set_error(-dfd, "cannot open %s: %s", path, strerror(-dfd));
	}
	ctx->scan_dfd = dfd;	/* closed by pt_scan() if libpci jumps out */
	/* revision, prog-if and subsystem come from the config space we read
	 * anyway (three files fewer per device than PCI_FILL_CLASS_EXT |
	 * PCI_FILL_SUBSYS; the kernel's files hold the same bytes) */
	pci_fill_info(pd, PCI_FILL_IDENT | PCI_FILL_CLASS);
	d->domain = (unsigned int)pd->domain;
	d->bus = pd->bus;
	d->dev = pd->dev;
	d->func = pd->func;
	d->vendor_id = pd->vendor_id;
	d->device_id = pd->device_id;
	d->class_code = (uint32_t)pd->device_class << 8;
	ret = dev_fill_at(ctx, dfd, pd, d, cfg);
	ctx->scan_dfd = -1;
	close(dfd);
	return ret;
}

/* A device whose names and arrays point at its own storage, all "". */
struct ptd_device *ptd_device_new(void)
{
	struct ptd_device *dd = calloc(1, sizeof(*dd));

	if (!dd)
		return NULL;
	dd->pub.bdf = dd->bdf;
	dd->pub.driver = dd->driver;
	dd->pub.driver_override = dd->driver_override;
	dd->pub.parent = dd->parent;
	dd->pub.physfn = dd->physfn;
	dd->pub.bars = dd->bars;
	dd->pub.caps = &dd->caps;
	return dd;
}

void ptd_device_free(struct pt_device *d)
{
	if (!d)
		return;
	free(ptd_device(d)->config);
	free((char *)d->vendor_name);
	free((char *)d->device_name);
	free((char *)d->subsys_name);
	free((char *)d->class_name);
	ptd_strv_free(&d->reset_methods);
	ptd_strv_free(&d->vfs);
	ptd_strv_free(&d->net);
	ptd_strv_free(&d->block);
	ptd_strv_free(&d->partitions);
	ptd_strv_free(&d->in_use);
	ptd_blockers_free(&d->blockers);
	free(ptd_device(d));
}

void ptd_system_free(struct pt_system *sys)
{
	if (!sys)
		return;
	/* every slot allocated so far, also those of a scan cut short */
	for (int i = 0; sys->devices && sys->devices[i]; i++)
		ptd_device_free(sys->devices[i]);
	for (int i = 0; i < sys->nr_groups; i++)
		ptd_group_free(sys->groups[i]);
	free(sys->groups);
	free(sys->devices);
	free(sys);
}

static int scan_pci(struct pt_ctx *ctx, struct pt_system *sys)
{
	struct ptd_scan_key *keys;
	struct pci_dev *pd;
	uint8_t *cfg;
	int n = 0, i = 0, ret = 0;

	pci_scan_bus(ctx->pacc);
	for (pd = ctx->pacc->devices; pd; pd = pd->next)
		n++;
	sys->devices = calloc((size_t)n + 1, sizeof(*sys->devices));
	if (!ctx->cfgbuf)
		ctx->cfgbuf = malloc(4096);	/* owned by ctx: survives a longjmp */
	cfg = ctx->cfgbuf;
	free(ctx->order);
	keys = ctx->order = calloc((size_t)n + 1, sizeof(*keys));
	if (!sys->devices || !cfg || !keys)
		return pt_set_error(ENOMEM, "out of memory for %d devices", n);
	for (pd = ctx->pacc->devices; pd && i < n; pd = pd->next, i++) {
		format_bdf(keys[i].bdf, sizeof(keys[i].bdf), pd);
		keys[i].pd = pd;
	}
	qsort(keys, (size_t)i, sizeof(*keys), key_cmp);
	n = i;
	for (i = 0; i < n; ) {
		struct ptd_device *dd = ptd_device_new();

		if (!dd)
			return pt_set_error(ENOMEM, "out of memory for %d devices", n);
		sys->devices[i] = &dd->pub;
		ret = dev_fill(ctx, &keys[i], &dd->pub, cfg);
		sys->nr_devices = ++i;
		if (ret < 0)
			break;
	}
	if (ret < 0)
		return ret;	/* dev_fill() said which device and file */
	for (i = 0; i < sys->nr_devices; i++) {
		ret = dev_reset_methods(sys, sys->devices[i]);
		if (ret < 0)
			return pt_set_error(ret, "out of memory");
	}
	return 0;
}

int pt_scan(struct pt_ctx *ctx, const struct pt_system **out)
{
	struct pt_system *volatile sys;
	char path[PATH_MAX];
	jmp_buf jb;
	int ret;

	if (ctx->sys) {
		*out = ctx->sys;
		return 0;
	}
	*out = NULL;
	if (ctx->broken)
		return pt_set_error(EIO, "libpci failed earlier on this "
				    "context: %s", ptd_pci_msg);
	sys = calloc(1, sizeof(*sys));
	if (!sys)
		return pt_set_error(ENOMEM, "out of memory");
	pt_ctx_path(ctx, path, sizeof(path), "sys/bus/pci/devices");
	if (setjmp(jb)) {
		/* libpci gave up (e.g. an unreadable `vendor`): its device
		 * list is in an unknown state, so this context is done */
		ptd_pci_jmp = NULL;
		ctx->broken = true;
		if (ctx->scan_dfd >= 0)
			close(ctx->scan_dfd);
		ctx->scan_dfd = -1;
		ret = pt_set_error(EIO, "cannot read the PCI devices under %s: "
				   "%s%s", path, ptd_pci_msg,
				   !pt_ctx_is_live(ctx) ? "; the tree is incomplete or "
				   "unreadable, capture it again with "
				   "`passthru snapshot`" : "");
		ptd_system_free(sys);
		return ret;
	}
	ptd_pci_jmp = &jb;
	ret = scan_pci(ctx, sys);
	ptd_pci_jmp = NULL;
	if (!ret)
		ret = ptd_scan_groups(ctx, sys);
	if (!ret)
		ret = ptd_scan_children(ctx, sys);
	if (!ret)
		ret = ptd_scan_blockers(ctx, sys);
	/* a file the tree's reader refused is the tree's fault, even where it
	 * was optional: name it rather than show a field silently missing */
	if (pt_sysfs_defect(&ctx->fs)[0])
		ret = ptd_tree_error(ctx);
	if (ret < 0) {
		ptd_system_free(sys);
		return ret;
	}
	ctx->sys = sys;
	*out = sys;
	return 0;
}

const char *pt_device_class_key(const struct pt_device *d)
{
	unsigned int base = d->class_code >> 16, sub = (d->class_code >> 8) & 0xff;

	switch (base) {
	case 0x01: return "storage";
	case 0x02: return "net";
	case 0x03: return "display";
	case 0x04: return sub == 0x01 || sub == 0x03 ? "audio" : "other";
	case 0x06: return "bridge";
	case 0x0c: return sub == 0x03 ? "usb" : "other";
	case 0x0b:
	case 0x12: return "accel";
	default: return "other";
	}
}

const struct pt_device *pt_system_device(const struct pt_system *sys, int i)
{
	return sys && i >= 0 && i < sys->nr_devices ? sys->devices[i] : NULL;
}

const struct pt_group *pt_system_group(const struct pt_system *sys, int i)
{
	return sys && i >= 0 && i < sys->nr_groups ? sys->groups[i] : NULL;
}
