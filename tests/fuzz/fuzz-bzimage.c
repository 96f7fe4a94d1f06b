// SPDX-License-Identifier: MIT
/*
 * fuzz-bzimage.c — the Linux boot protocol code (vmm/bzimage.c) against a
 * hostile bzImage and any memory, initrd and command-line sizes.
 *
 * Input: 16 bytes of parameters (RAM below 3 GiB, RAM above 4 GiB, initrd
 * size, command-line length), then the image.  No VM: parse, plan and the
 * zero page are pure.
 *
 * Invariants (trap on violation), whenever parse and plan succeed:
 *  - the protected-mode kernel lies inside the image, the entry point
 *    inside the kernel;
 *  - kernel, decompression area, initrd, command line, zero page and MP
 *    table all lie in RAM below 3 GiB, the initrd at or below
 *    initrd_addr_max, and none of them overlap (the kernel may only overlap
 *    its own decompression area);
 *  - the zero page's e820 map is sorted, non-overlapping, covers exactly
 *    the plan's RAM, and the header fields point where the plan says.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

#define MiB (1ULL << 20)

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static bool inside(uint64_t a, uint64_t len, uint64_t b, uint64_t blen)
{
	return a >= b && len <= blen && a - b <= blen - len;
}

static bool apart(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return !alen || !blen || a + alen <= b || b + blen <= a;
}

static void check_plan(const struct vmm_bzimage *bz, const struct vmm_linux_plan *p,
		       const uint8_t *img, size_t len)
{
	struct {
		uint64_t gpa, len;
	} r[] = {
		{ p->runtime_start, p->runtime_end - p->runtime_start },
		{ p->initrd_gpa, p->initrd_size },
		{ p->cmdline_gpa, p->cmdline_len },
		{ p->boot_params_gpa, sizeof(struct boot_params) },
		{ VMM_LINUX_MPTABLE, VMM_LINUX_MPTABLE_SIZE },
	};

	check(bz->kernel >= img && bz->kernel_len <= len &&
	      bz->kernel - img == (ptrdiff_t)(len - bz->kernel_len));
	check(p->entry >= p->kernel_gpa && p->entry < p->kernel_gpa + p->kernel_len);
	check(p->runtime_end >= p->runtime_start);
	check(inside(p->kernel_gpa, p->kernel_len, 0, p->ram_low));
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		check(inside(r[i].gpa, r[i].len, 0, p->ram_low));
		for (size_t j = i + 1; j < sizeof(r) / sizeof(r[0]); j++)
			check(apart(r[i].gpa, r[i].len, r[j].gpa, r[j].len));
		if (i)
			check(apart(p->kernel_gpa, p->kernel_len, r[i].gpa, r[i].len));
	}
	if (p->initrd_size)
		check(p->initrd_gpa + p->initrd_size - 1 <= bz->initrd_addr_max);
}

static void check_zero_page(const struct vmm_linux_plan *p, const struct boot_params *bp)
{
	uint64_t ram = 0, end = 0;

	check(bp->e820_entries <= E820_MAX_ENTRIES_ZEROPAGE);
	for (int i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];

		check(e->size && e->addr >= end);
		end = e->addr + e->size;
		if (e->type == 1)
			ram += e->size;
	}
	/* RAM in the map: all of it but the PC's 640 KiB-1 MiB hole. */
	check(ram == p->ram_low + p->ram_high - (1 * MiB - VMM_LINUX_LOW_RAM_END));
	check(bp->hdr.cmd_line_ptr == p->cmdline_gpa && !bp->ext_cmd_line_ptr);
	check(bp->hdr.ramdisk_image == p->initrd_gpa && bp->hdr.ramdisk_size == p->initrd_size);
	check(bp->hdr.type_of_loader == 0xff && !bp->sentinel);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_params bp;
	struct vmm_linux_plan plan;
	struct vmm_bzimage bz;
	uint32_t p[4];

	if (size < sizeof(p))
		return 0;
	memcpy(p, data, sizeof(p));
	data += sizeof(p);
	size -= sizeof(p);
	if (vmm_bzimage_parse(data, size, &bz))
		return 0;
	/* RAM below 3 GiB: 2 MiB .. 3 GiB in 4 KiB steps; above: 0 .. 1 TiB */
	uint64_t low = VMM_MEM_MIN + ((uint64_t)p[0] << 12) % (VMM_MMIO_BASE - VMM_MEM_MIN + 4096);
	uint64_t high = low == VMM_MMIO_BASE ? ((uint64_t)p[1] << 12) : 0;

	if (vmm_linux_plan(&bz, low, high, p[2], p[3] % 70000, &plan))
		return 0;
	check_plan(&bz, &plan, data, size);
	vmm_linux_boot_params(&bz, &plan, &bp);
	check_zero_page(&plan, &bp);
	return 0;
}
