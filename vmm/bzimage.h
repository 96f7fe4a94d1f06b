/* SPDX-License-Identifier: MIT */
/*
 * vmm/bzimage.h — the Linux/x86 boot protocol, as pure functions.
 *
 * Documentation/arch/x86/boot.rst: a bzImage is a real-mode setup part
 * ((setup_sects + 1) * 512 bytes, the setup header at 0x1f1) followed by the
 * protected-mode kernel.  A loader that enters at the 64-bit entry point
 * (the protected-mode kernel's offset 0x200) copies the setup header into a
 * zeroed struct boot_params (the "zero page"), fills the loader's fields
 * (command line, initrd, e820 map) and jumps there in long mode with
 * %rsi = &boot_params.
 *
 * Nothing here touches a VM: parse, plan and boot_params work on buffers
 * and numbers only, so the fuzz target (tests/fuzz/fuzz-bzimage.c) reaches
 * every line that reads the untrusted image.
 *
 * Guest-physical layout of a Linux guest (low memory is the PC's):
 *
 *	0x0000_1000  PML4, PDPT, 4 page directories (identity map, 4 GiB)
 *	0x0000_7000  GDT (__BOOT_CS 0x10, __BOOT_DS 0x18)
 *	0x0001_0000  struct boot_params
 *	0x0002_0000  kernel command line
 *	0x000f_0000  MP floating pointer and table (e820 reserved)
 *	0x0010_0000  protected-mode kernel (decompresses itself to
 *		     max(pref_address, 2 MiB aligned) .. + init_size)
 *	top of RAM below 3 GiB: the initrd (as high as initrd_addr_max allows)
 *	0xc000_0000  PCI MMIO window (BARs), 0xfe00_0000 ECAM (e820 reserved),
 *	0xfec0_0000  IOAPIC, 0xfee0_0000 local APICs
 *	0x1_0000_0000  RAM beyond the first 3 GiB
 */
#ifndef PASSTHRU_VMM_BZIMAGE_H
#define PASSTHRU_VMM_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>

#define VMM_LINUX_GDT_CS		0x10	/* __BOOT_CS */
#define VMM_LINUX_GDT_DS		0x18	/* __BOOT_DS */
#define VMM_LINUX_BOOT_PARAMS		0x10000ULL
#define VMM_LINUX_CMDLINE		0x20000ULL
#define VMM_LINUX_CMDLINE_MAX		0x10000ULL	/* room up to 0x30000 */
#define VMM_LINUX_MPTABLE		0xf0000ULL
#define VMM_LINUX_MPTABLE_SIZE		0x10000ULL
#define VMM_LINUX_KERNEL		0x100000ULL
#define VMM_LINUX_LOW_RAM_END		0xa0000ULL	/* 640 KiB, as on a PC */
/* The oldest protocol accepted: 2.12 (Linux 3.8) is the first whose
 * xloadflags can say "this kernel has a 64-bit entry point"; 2.10 gave
 * init_size, pref_address and kernel_alignment, which the plan needs. */
#define VMM_LINUX_MIN_PROTOCOL		0x020c

struct vmm_bzimage {
	uint16_t version;		/* boot protocol, 0x0212 = 2.18 */
	uint16_t xloadflags;
	size_t setup_len;		/* (setup_sects + 1) * 512 */
	const uint8_t *kernel;		/* the protected-mode kernel, in the image */
	size_t kernel_len;
	uint32_t init_size;		/* linear memory needed to decompress */
	uint32_t kernel_alignment;
	uint32_t initrd_addr_max;	/* highest byte the initrd may occupy */
	uint32_t cmdline_size;		/* longest command line, without NUL */
	uint64_t pref_address;
	bool relocatable;
	/* The setup header as the image has it (0x1f1 .. 0x202 + image[0x201]). */
	struct setup_header hdr;
	size_t hdr_len;
};

/* -EINVAL (with the reason in pt_last_error()) unless img is a bzImage
 * this loader can boot: "HdrS", protocol >= 2.12, loaded high, a 64-bit
 * entry point, sizes that fit the file. */
int vmm_bzimage_parse(const void *img, size_t len, struct vmm_bzimage *bz);

struct vmm_linux_plan {
	uint64_t ram_low, ram_high;	/* RAM at 0 and at VMM_HIGH_RAM_BASE */
	uint64_t kernel_gpa, kernel_len;
	uint64_t entry;			/* kernel_gpa + 0x200: startup_64 */
	uint64_t runtime_start, runtime_end;	/* decompression target */
	uint64_t initrd_gpa, initrd_size;	/* size 0: no initrd */
	uint64_t cmdline_gpa, cmdline_len;	/* with the NUL */
	uint64_t boot_params_gpa;
};

/* Where everything goes for ram_low bytes of RAM at GPA 0 (and ram_high at
 * 4 GiB).  -ENOSPC / -E2BIG with a message for a command line longer than
 * the kernel accepts, too little memory for the kernel to decompress, an
 * initrd that does not fit between the kernel and initrd_addr_max. */
int vmm_linux_plan(const struct vmm_bzimage *bz, uint64_t ram_low,
		   uint64_t ram_high, uint64_t initrd_size, size_t cmdline_len,
		   struct vmm_linux_plan *plan);

/* The e820 map of the plan's RAM; returns the number of entries (<= max). */
int vmm_linux_e820(const struct vmm_linux_plan *plan, struct boot_e820_entry *e,
		   int max);

/* The zero page: bz's setup header plus the loader's fields for plan. */
void vmm_linux_boot_params(const struct vmm_bzimage *bz,
			   const struct vmm_linux_plan *plan,
			   struct boot_params *bp);

#endif
