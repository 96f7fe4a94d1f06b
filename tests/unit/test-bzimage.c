// SPDX-License-Identifier: MIT
/*
 * test-bzimage.c — the Linux boot protocol of vmm/bzimage.c on synthetic
 * setup headers: what is refused (and the exact words), where kernel,
 * initrd and command line go, what the zero page says.  No KVM.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

#define MiB (1ULL << 20)

/* A 2.15 bzImage header like Debian 6.1's: one setup sector, relocatable,
 * 2 MiB alignment, LOAD_PHYSICAL_ADDR 16 MiB, 64 MiB to decompress. */
static uint8_t img[8192];

static void put32(size_t off, uint32_t v) { memcpy(img + off, &v, 4); }
static void put16(size_t off, uint16_t v) { memcpy(img + off, &v, 2); }

static void make_image(void)
{
	uint64_t pref = 16 * MiB;

	memset(img, 0, sizeof(img));
	img[0x1f1] = 1;				/* setup_sects: 1024 bytes of setup */
	img[0x201] = 0x26c - 0x202;		/* header end */
	memcpy(img + 0x202, "HdrS", 4);
	put16(0x206, 0x020f);
	img[0x211] = LOADED_HIGH;
	put32(0x22c, 0x7fffffff);		/* initrd_addr_max */
	put32(0x230, 2 * MiB);			/* kernel_alignment */
	img[0x234] = 1;				/* relocatable */
	put16(0x236, XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
	put32(0x238, 2047);			/* cmdline_size */
	memcpy(img + 0x258, &pref, 8);
	put32(0x260, 64 * MiB);			/* init_size */
}

Test(bzimage, parse_a_good_header)
{
	struct vmm_bzimage bz;

	make_image();
	cr_assert_eq(vmm_bzimage_parse(img, sizeof(img), &bz), 0, "%s", pt_last_error());
	cr_assert_eq(bz.version, 0x020f);
	cr_assert_eq(bz.setup_len, 1024);
	cr_assert_eq(bz.kernel, img + 1024);
	cr_assert_eq(bz.kernel_len, sizeof(img) - 1024);
	cr_assert_eq(bz.init_size, 64 * MiB);
	cr_assert_eq(bz.cmdline_size, 2047);
	cr_assert(bz.relocatable);
}

Test(bzimage, refusals_say_why)
{
	struct vmm_bzimage bz;

	make_image();
	memcpy(img + 0x202, "HdrX", 4);
	cr_assert_eq(vmm_bzimage_parse(img, sizeof(img), &bz), -EINVAL);
	cr_assert(strstr(pt_last_error(), "not a bzImage: no \"HdrS\" boot signature at offset 0x202"));
	make_image();
	put16(0x206, 0x0209);
	cr_assert_eq(vmm_bzimage_parse(img, sizeof(img), &bz), -EINVAL);
	cr_assert(strstr(pt_last_error(), "boot protocol 2.09 is too old: passthru needs 2.12 or later"));
	make_image();
	img[0x211] = 0;
	cr_assert_eq(vmm_bzimage_parse(img, sizeof(img), &bz), -EINVAL);
	cr_assert(strstr(pt_last_error(), "a zImage (LOADED_HIGH clear)"));
	make_image();
	put16(0x236, 0);
	cr_assert_eq(vmm_bzimage_parse(img, sizeof(img), &bz), -EINVAL);
	cr_assert(strstr(pt_last_error(), "no 64-bit entry point (XLF_KERNEL_64 clear)"));
	make_image();
	cr_assert_eq(vmm_bzimage_parse(img, 1100, &bz), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "truncated bzImage: 1024 bytes of setup code, "
			 "the file has only 1100 bytes");
	make_image();
	put32(0x230, 3000);
	cr_assert_eq(vmm_bzimage_parse(img, sizeof(img), &bz), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "bzImage kernel_alignment 0xbb8 is not a power "
			 "of two >= 4 KiB");
}

Test(bzimage, plan_places_everything)
{
	struct vmm_linux_plan p;
	struct vmm_bzimage bz;

	make_image();
	cr_assert_eq(vmm_bzimage_parse(img, sizeof(img), &bz), 0);
	cr_assert_eq(vmm_linux_plan(&bz, 256 * MiB, 0, 3 * MiB + 5, 100, &p), 0,
		     "%s", pt_last_error());
	cr_assert_eq(p.kernel_gpa, 0x100000);
	cr_assert_eq(p.entry, 0x100200);
	cr_assert_eq(p.runtime_start, 16 * MiB);	/* pref_address wins over 2 MiB */
	cr_assert_eq(p.runtime_end, 80 * MiB);
	cr_assert_eq(p.initrd_gpa, 256 * MiB - 3 * MiB - 4096);	/* page-aligned below the top */
	cr_assert_eq(p.initrd_size, 3 * MiB + 5);
	cr_assert_eq(p.cmdline_gpa, 0x20000);
	cr_assert_eq(p.cmdline_len, 101);
	cr_assert_eq(p.boot_params_gpa, 0x10000);
}

Test(bzimage, plan_refusals)
{
	struct vmm_linux_plan p;
	struct vmm_bzimage bz;

	make_image();
	cr_assert_eq(vmm_bzimage_parse(img, sizeof(img), &bz), 0);
	cr_assert_eq(vmm_linux_plan(&bz, 64 * MiB, 0, 0, 10, &p), -ENOSPC);
	cr_assert_str_eq(pt_last_error(), "this kernel needs 80 MiB of RAM to decompress "
			 "itself (init_size 67108864 bytes at 16 MiB); --mem gives 64 MiB "
			 "below 3 GiB: raise --mem");
	cr_assert_eq(vmm_linux_plan(&bz, 128 * MiB, 0, 60 * MiB, 10, &p), -ENOSPC);
	cr_assert_str_eq(pt_last_error(), "the initrd (60 MiB) does not fit: it must lie "
			 "between the kernel's decompression area (up to 80 MiB) and 128 MiB "
			 "(the top of RAM below 3 GiB or the kernel's initrd_addr_max); "
			 "raise --mem to at least 141 MiB");
	cr_assert_eq(vmm_linux_plan(&bz, 128 * MiB, 0, 0, 2048, &p), -E2BIG);
	cr_assert_str_eq(pt_last_error(), "the kernel command line (2048 bytes) is longer "
			 "than this kernel accepts (2047)");
	/* initrd_addr_max below the top of RAM caps the initrd's place */
	put32(0x22c, 100 * MiB - 1);
	cr_assert_eq(vmm_bzimage_parse(img, sizeof(img), &bz), 0);
	cr_assert_eq(vmm_linux_plan(&bz, 256 * MiB, 0, 8 * MiB, 10, &p), 0);
	cr_assert_eq(p.initrd_gpa, 92 * MiB);
}

Test(bzimage, zero_page_and_e820)
{
	static struct boot_params bp;
	struct vmm_linux_plan p;
	struct vmm_bzimage bz;

	make_image();
	cr_assert_eq(vmm_bzimage_parse(img, sizeof(img), &bz), 0);
	/* 4 GiB of RAM: 3 GiB below the MMIO window, 1 GiB above 4 GiB */
	cr_assert_eq(vmm_linux_plan(&bz, 3072 * MiB, 1024 * MiB, 2 * MiB, 20, &p), 0);
	vmm_linux_boot_params(&bz, &p, &bp);
	cr_assert_eq(bp.hdr.type_of_loader, 0xff);
	cr_assert_eq(bp.hdr.version, 0x020f);
	cr_assert_eq(bp.hdr.cmd_line_ptr, 0x20000);
	cr_assert_eq(bp.hdr.ramdisk_image, 2048 * MiB - 2 * MiB);	/* initrd_addr_max */
	cr_assert_eq(bp.hdr.ramdisk_size, 2 * MiB);
	cr_assert_eq(bp.hdr.code32_start, 0x100000);
	cr_assert_eq(bp.sentinel, 0);
	cr_assert_eq(bp.e820_entries, 6);
	static const struct { uint64_t addr, size; uint32_t type; } want[] = {
		{ 0, 0xa0000, 1 },
		{ 0xf0000, 0x10000, 2 },			/* the MP table */
		{ 0x100000, 3072 * MiB - 0x100000, 1 },
		{ 0xfe000000, 0x100000, 2 },			/* ECAM */
		{ 0xfffbc000, 0x4000, 2 },			/* KVM's TSS, identity map */
		{ 0x100000000ULL, 1024 * MiB, 1 },		/* RAM above 4 GiB */
	};
	for (int i = 0; i < 6; i++) {
		cr_assert_eq(bp.e820_table[i].addr, want[i].addr, "entry %d", i);
		cr_assert_eq(bp.e820_table[i].size, want[i].size, "entry %d", i);
		cr_assert_eq(bp.e820_table[i].type, want[i].type, "entry %d", i);
	}
}
