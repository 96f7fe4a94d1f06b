// SPDX-License-Identifier: MIT
/*
 * test-caps.c — capability decoding from crafted config spaces: exact
 * vector counts, offsets and flags, and a hostile space (loops, pointers
 * into the header or past the end, reserved encodings) that must decode
 * to "absent" without hanging or reading out of range.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "lib/passthru.h"
#include "tests/unit/disc-tree.h"

static struct tt t;
static struct pt_ctx *ctx;
static uint8_t cfg[4096];

static void setup(void)
{
	tt_init(&t);
	cr_assert_eq(pt_ctx_new(&ctx, t.root), 0, "%s", pt_last_error());
	tt_cfg(cfg, 0x8086, 0x1533, 0x020000, 0);
}

static void teardown(void)
{
	pt_ctx_free(ctx);
	tt_fini(&t);
}

TestSuite(caps, .init = setup, .fini = teardown);

static struct pt_caps decode(size_t len)
{
	struct pt_caps c = PT_CAPS_INIT;

	cr_assert_eq(pt_caps_decode(ctx, cfg, len, &c), 0, "%s", pt_last_error());
	return c;
}

static void add_pcie(uint8_t off, uint8_t type, bool flr)
{
	uint8_t body[6] = { (uint8_t)(0x02 | (type << 4)), 0, 0, 0, 0,
			    flr ? 0x10 : 0 };

	tt_cap(cfg, off, 0x10, body, sizeof(body));
}

Test(caps, none_without_status_bit)
{
	struct pt_caps c;

	cfg[0x34] = 0x40;	/* pointer set, Status bit 4 clear */
	cfg[0x40] = 0x05;
	c = decode(256);
	cr_assert_eq(c.msi, 0);
	cr_assert_eq(c.pcie, 0);
	cr_assert_eq(c.pcie_type, -1);
}

Test(caps, pcie_flr)
{
	struct pt_caps c;

	add_pcie(0x40, 0, true);
	c = decode(256);
	cr_assert_eq(c.pcie, 0x40);
	cr_assert_eq(c.pcie_type, PT_PCIE_ENDPOINT);
	cr_assert(c.flr);
	cr_assert_str_eq(pt_pcie_type_name(c.pcie_type), "endpoint");

	tt_cfg(cfg, 0x8086, 0x1533, 0x060400, 1);
	add_pcie(0x60, PT_PCIE_ROOT_PORT, false);
	c = decode(256);
	cr_assert_eq(c.pcie, 0x60);
	cr_assert_eq(c.pcie_type, PT_PCIE_ROOT_PORT);
	cr_assert(!c.flr);
}

Test(caps, msi_vectors_and_flags)
{
	uint8_t msi[2] = { 0x86, 0x01 };	/* MMC=3, 64-bit, maskable */
	struct pt_caps c;

	tt_cap(cfg, 0x50, 0x05, msi, 2);
	c = decode(256);
	cr_assert_eq(c.msi, 0x50);
	cr_assert_eq(c.msi_vectors, 8);
	cr_assert(c.msi_64bit);
	cr_assert(c.msi_maskable);

	cfg[0x52] = 0x0e;			/* MMC=7 is reserved: cap at 32 */
	cfg[0x53] = 0;
	c = decode(256);
	cr_assert_eq(c.msi_vectors, 32);
	cr_assert(!c.msi_64bit);
}

Test(caps, msix_table)
{
	/* table size 63 -> 64 vectors; table in BAR 3 at 0x2000, PBA at 0x3000 */
	uint8_t msix[10] = { 0x3f, 0x00, 0x03, 0x20, 0, 0, 0x03, 0x30, 0, 0 };
	struct pt_caps c;

	tt_cap(cfg, 0x70, 0x11, msix, sizeof(msix));
	c = decode(256);
	cr_assert_eq(c.msix, 0x70);
	cr_assert_eq(c.msix_vectors, 64);
	cr_assert_eq(c.msix_table_bar, 3);
	cr_assert_eq(c.msix_table_offset, 0x2000);
	cr_assert_eq(c.msix_pba_bar, 3);
	cr_assert_eq(c.msix_pba_offset, 0x3000);

	cfg[0x72] = 0xff;			/* 0x7ff -> 2048, the maximum */
	cfg[0x73] = 0x07;
	cr_assert_eq(decode(256).msix_vectors, 2048);
}

Test(caps, pm_nosoftrst_and_af)
{
	uint8_t pm[4] = { 0x03, 0x00, 0x08, 0x00 };	/* PMCSR NoSoftRst */
	uint8_t af[2] = { 0x00, 0x03 };			/* TP + FLR */
	struct pt_caps c;

	tt_cap(cfg, 0x48, 0x01, pm, sizeof(pm));
	tt_cap(cfg, 0x60, 0x13, af, sizeof(af));
	c = decode(256);
	cr_assert_eq(c.pm, 0x48);
	cr_assert(c.pm_no_soft_reset);
	cr_assert_eq(c.af, 0x60);
	cr_assert(c.af_flr);

	cfg[0x4c] = 0;
	cfg[0x63] = 0x02;			/* FLR without TP: not usable */
	c = decode(256);
	cr_assert(!c.pm_no_soft_reset);
	cr_assert(!c.af_flr);
}

Test(caps, extended_acs_sriov_ari)
{
	uint8_t acs[4] = { 0x1f, 0x00, 0x1d, 0x00 };
	uint8_t sriov[0x10] = { 0 };
	uint8_t ari[4] = { 0 };
	struct pt_caps c;

	sriov[0x0e - 4] = 8;			/* TotalVFs at +0x0e */
	add_pcie(0x40, 0, true);
	tt_ecap(cfg, 0x100, 0x000e, ari, sizeof(ari));
	tt_ecap(cfg, 0x150, 0x000d, acs, sizeof(acs));
	tt_ecap(cfg, 0x160, 0x0010, sriov, sizeof(sriov));
	c = decode(4096);
	cr_assert_eq(c.ari, 0x100);
	cr_assert_eq(c.acs, 0x150);
	cr_assert_eq(c.acs_cap, 0x001f);
	cr_assert_eq(c.acs_ctrl, 0x001d);
	cr_assert_eq(c.sriov, 0x160);
	cr_assert_eq(c.sriov_total_vfs, 8);

	/* the kernel exposes 256 bytes: no extended capabilities */
	c = decode(256);
	cr_assert_eq(c.acs, 0);
	cr_assert_eq(c.sriov, 0);
	cr_assert_eq(c.pcie, 0x40);
}

Test(caps, no_extended_without_pcie)
{
	uint8_t acs[4] = { 0x1f, 0, 0x1d, 0 };

	tt_ecap(cfg, 0x100, 0x000d, acs, sizeof(acs));
	cr_assert_eq(decode(4096).acs, 0);
}

Test(caps, hostile_loops_terminate)
{
	uint8_t msi[2] = { 0x00, 0x00 };
	struct pt_caps c;

	tt_cap(cfg, 0x40, 0x05, msi, 2);
	add_pcie(0x80, 0, false);
	cfg[0x41] = 0x40;			/* next -> itself: PCIe unreachable */
	c = decode(256);
	cr_assert_eq(c.msi, 0x40);
	cr_assert_eq(c.msi_vectors, 1);
	cr_assert_eq(c.pcie, 0);

	/* extended list that points back at its own start */
	tt_cfg(cfg, 0x8086, 0x1533, 0x020000, 0);
	add_pcie(0x40, 0, false);
	cfg[0x100] = 0x0d; cfg[0x101] = 0; cfg[0x102] = 0x01; cfg[0x103] = 0x10;
	c = decode(4096);
	cr_assert_eq(c.acs, 0x100);
}

Test(caps, hostile_pointers_read_as_absent)
{
	uint8_t msix[10] = { 0x07, 0 };
	struct pt_caps c;

	/* MSI-X needs 12 bytes: at 0xf8 it would run past a 256-byte space */
	tt_cap(cfg, 0xf8, 0x11, msix, 6);
	c = decode(256);
	cr_assert_eq(c.msix, 0);

	/* a pointer into the standard header is not a capability */
	tt_cfg(cfg, 0x8086, 0x1533, 0x020000, 0);
	cfg[6] = 0x10;
	cfg[0x34] = 0x08;
	c = decode(256);
	cr_assert_eq(c.msi + c.msix + c.pcie + c.pm, 0);

	/* all ones, like a device that fell off the bus */
	memset(cfg, 0xff, sizeof(cfg));
	c = decode(4096);
	cr_assert_eq(c.msi + c.msix + c.pcie + c.pm + c.acs + c.sriov, 0);
}

Test(caps, short_buffers)
{
	struct pt_caps c = PT_CAPS_INIT;

	cr_assert_eq(pt_caps_decode(ctx, cfg, 63, &c), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "config space too short: 63 bytes, need at least 64");
	/* 64 bytes (what an unprivileged reader gets): caps beyond are absent */
	add_pcie(0x40, 0, true);
	c = decode(64);
	cr_assert_eq(c.pcie, 0);
}

/* lib/ABI.md rule 3: a caller built against an older, smaller struct
 * pt_caps gets the fields it knows of and nothing is written past them;
 * a struct without its size is refused, naming the fix. */
Test(caps, written_as_far_as_the_callers_size)
{
	struct pt_caps old;
	size_t old_size = offsetof(struct pt_caps, msi);

	add_pcie(0x40, 0, true);
	memset(&old, 0xaa, sizeof(old));
	old.size = old_size;
	cr_assert_eq(pt_caps_decode(ctx, cfg, 256, &old), 0, "%s", pt_last_error());
	cr_assert_eq(old.size, old_size);
	cr_assert_eq(old.pcie, 0x40);
	cr_assert(old.flr);
	cr_assert_eq(old.msi, 0xaaaa, "nothing past the caller's size");
	memset(&old, 0, sizeof(old));
	cr_assert_eq(pt_caps_decode(ctx, cfg, 256, &old), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "pt_caps_decode: struct pt_caps: .size "
			 "is 0; fix: start from PT_CAPS_INIT");
}
