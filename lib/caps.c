// SPDX-License-Identifier: MIT
/*
 * caps.c — capabilities that matter for passthrough, decoded from a
 * device's config space.
 *
 * libpci walks the capability lists (pci_find_cap(); it stops on loops and
 * on the 0xff/0 terminators).  We only decode the fields, and every field
 * read is checked against the config length we actually have: a pointer
 * into the void reads as "absent" (all ones), never past the buffer.  The
 * config is handed to libpci as the device's cache (pci_setup_cache()), so
 * the walk never goes back to sysfs and a crafted buffer (unit tests, the
 * fuzz target) exercises exactly the code pt_scan() runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/abi-priv.h"
#include "lib/disc-priv.h"

/* Standard and extended capability ids we decode. */
#define CAP_PM		0x01
#define CAP_MSI		0x05
#define CAP_EXP		0x10
#define CAP_MSIX	0x11
#define CAP_AF		0x13
#define ECAP_ACS	0x000d
#define ECAP_ARI	0x000e
#define ECAP_SRIOV	0x0010

struct cfgbuf {
	const uint8_t *p;
	size_t len;
};

static uint32_t cfg_rd(const struct cfgbuf *c, unsigned int off, int width)
{
	uint32_t v = 0;

	if (off + (unsigned int)width > c->len)
		return width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
	for (int i = width - 1; i >= 0; i--)
		v = (v << 8) | c->p[off + (unsigned int)i];
	return v;
}
#define rd8(c, o)  ((uint8_t)cfg_rd(c, o, 1))
#define rd16(c, o) ((uint16_t)cfg_rd(c, o, 2))
#define rd32(c, o) cfg_rd(c, o, 4)

/* A capability is usable only when all its bytes we read are in range. */
static uint16_t cap_at(struct pci_dev *pd, unsigned int id, unsigned int type,
		       const struct cfgbuf *c, unsigned int need)
{
	struct pci_cap *cap = pci_find_cap(pd, id, type);

	if (!cap || cap->addr < 0x40 || cap->addr + need > c->len)
		return 0;
	return (uint16_t)cap->addr;
}

static void decode_pcie(struct pci_dev *pd, const struct cfgbuf *c,
			struct pt_caps *caps)
{
	uint16_t off = cap_at(pd, CAP_EXP, PCI_CAP_NORMAL, c, 8);

	if (!off)
		return;
	caps->pcie = off;
	caps->pcie_type = (rd16(c, off + 2) >> 4) & 0xf;
	caps->flr = rd32(c, off + 4) & (1u << 28);
}

static void decode_msi(struct pci_dev *pd, const struct cfgbuf *c,
		       struct pt_caps *caps)
{
	uint16_t off = cap_at(pd, CAP_MSI, PCI_CAP_NORMAL, c, 4);
	unsigned int mmc;
	uint16_t ctrl;

	if (!off)
		return;
	ctrl = rd16(c, off + 2);
	mmc = (ctrl >> 1) & 7;
	caps->msi = off;
	/* 6 and 7 are reserved encodings; the kernel caps at 32 vectors */
	caps->msi_vectors = mmc > 5 ? 32 : 1 << mmc;
	caps->msi_64bit = ctrl & (1u << 7);
	caps->msi_maskable = ctrl & (1u << 8);
}

static void decode_msix(struct pci_dev *pd, const struct cfgbuf *c,
			struct pt_caps *caps)
{
	uint16_t off = cap_at(pd, CAP_MSIX, PCI_CAP_NORMAL, c, 12);
	uint32_t table, pba;

	if (!off)
		return;
	caps->msix = off;
	caps->msix_vectors = (rd16(c, off + 2) & 0x7ff) + 1;
	table = rd32(c, off + 4);
	pba = rd32(c, off + 8);
	caps->msix_table_bar = table & 7;
	caps->msix_table_offset = table & ~7u;
	caps->msix_pba_bar = pba & 7;
	caps->msix_pba_offset = pba & ~7u;
}

static void decode_pm(struct pci_dev *pd, const struct cfgbuf *c,
		      struct pt_caps *caps)
{
	uint16_t off = cap_at(pd, CAP_PM, PCI_CAP_NORMAL, c, 6);

	if (!off)
		return;
	caps->pm = off;
	caps->pm_no_soft_reset = rd16(c, off + 4) & (1u << 3);
}

static void decode_af(struct pci_dev *pd, const struct cfgbuf *c,
		      struct pt_caps *caps)
{
	uint16_t off = cap_at(pd, CAP_AF, PCI_CAP_NORMAL, c, 4);

	if (!off)
		return;
	caps->af = off;
	/* the kernel wants both TP and FLR before it uses af_flr */
	caps->af_flr = (rd8(c, off + 3) & 0x3) == 0x3;
}

static void decode_ext(struct pci_dev *pd, const struct cfgbuf *c,
		       struct pt_caps *caps)
{
	uint16_t off;

	/* Extended capabilities exist only on PCIe with a 4 KiB config. */
	if (!caps->pcie || c->len <= 256)
		return;
	off = cap_at(pd, ECAP_ACS, PCI_CAP_EXTENDED, c, 8);
	if (off >= 0x100) {
		caps->acs = off;
		caps->acs_cap = rd16(c, off + 4);
		caps->acs_ctrl = rd16(c, off + 6);
	}
	off = cap_at(pd, ECAP_SRIOV, PCI_CAP_EXTENDED, c, 0x10);
	if (off >= 0x100) {
		caps->sriov = off;
		caps->sriov_total_vfs = rd16(c, off + 0x0e);
	}
	off = cap_at(pd, ECAP_ARI, PCI_CAP_EXTENDED, c, 8);
	if (off >= 0x100)
		caps->ari = off;
}

void ptd_caps_decode_dev(struct pci_dev *pd, const uint8_t *cfg, size_t len,
			 struct pt_caps *caps)
{
	struct cfgbuf c = { .p = cfg, .len = len };

	memset(caps, 0, sizeof(*caps));
	caps->size = sizeof(*caps);
	caps->pcie_type = -1;
	/* no capability list at all (Status bit 4) */
	if (len < 64 || !(rd16(&c, 6) & (1u << 4)))
		return;
	decode_pcie(pd, &c, caps);
	decode_msi(pd, &c, caps);
	decode_msix(pd, &c, caps);
	decode_pm(pd, &c, caps);
	decode_af(pd, &c, caps);
	decode_ext(pd, &c, caps);
}

/* The libpci part, apart so that nothing it uses changes after setjmp. */
static int caps_decode_buf(struct pt_ctx *ctx, uint8_t *buf, size_t len,
			   struct pt_caps *caps)
{
	jmp_buf jb, *saved = ptd_pci_jmp;
	struct pci_dev *pd;

	if (setjmp(jb)) {
		ptd_pci_jmp = saved;
		return pt_set_error(EIO, "libpci: %s", ptd_pci_msg);
	}
	ptd_pci_jmp = &jb;
	/* a scratch device: its config comes from the cache only */
	pd = pci_get_dev(ctx->pacc, 0xffff, 0xff, 0x1f, 7);
	pci_setup_cache(pd, buf, 4096);
	ptd_caps_decode_dev(pd, buf, len, caps);
	pci_free_dev(pd);
	ptd_pci_jmp = saved;
	return 0;
}

int pt_caps_decode(struct pt_ctx *ctx, const uint8_t *cfg, size_t len,
		   struct pt_caps *caps)
{
	struct pt_caps full = PT_CAPS_INIT;
	uint8_t *buf;
	int ret;

	full.pcie_type = -1;
	if (!cfg || len < 64)
		ret = pt_set_error(EINVAL, "config space too short: %zu bytes, "
				   "need at least 64", len);
	else if (!(buf = malloc(4096)))
		ret = pt_set_error(ENOMEM, "out of memory");
	else {
		if (len > 4096)
			len = 4096;
		/* libpci reads the whole 4 KiB window: pad like absent hardware */
		memset(buf, 0xff, 4096);
		memcpy(buf, cfg, len);
		ret = caps_decode_buf(ctx, buf, len, &full);
		free(buf);
	}
	/* the caller's struct gets as much as its .size knows of, even on
	 * failure (then: everything absent) */
	if (pt_write_sized(caps, &full, sizeof(full), "pt_caps_decode: struct "
			   "pt_caps", "PT_CAPS_INIT") < 0)
		return -EINVAL;
	return ret;
}

const char *pt_pcie_type_name(int type)
{
	switch (type) {
	case PT_PCIE_ENDPOINT: return "endpoint";
	case PT_PCIE_LEGACY_ENDPOINT: return "legacy-endpoint";
	case PT_PCIE_ROOT_PORT: return "root-port";
	case PT_PCIE_UPSTREAM_PORT: return "upstream-port";
	case PT_PCIE_DOWNSTREAM_PORT: return "downstream-port";
	case PT_PCIE_PCIE_TO_PCI: return "pcie-to-pci-bridge";
	case PT_PCIE_PCI_TO_PCIE: return "pci-to-pcie-bridge";
	case PT_PCIE_RC_INTEGRATED: return "rc-integrated-endpoint";
	case PT_PCIE_RC_EVENT_COLLECTOR: return "rc-event-collector";
	default: return type < 0 ? "pci" : "unknown";
	}
}
