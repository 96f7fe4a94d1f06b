// SPDX-License-Identifier: MIT
/*
 * vmm/bzimage.c — the Linux/x86 boot protocol: read a bzImage's setup
 * header, plan where kernel, initrd and command line go, build the zero
 * page.  Pure: buffers in, buffers out (see vmm/bzimage.h).
 *
 * Every number read from the image is checked before it is used as a size
 * or an offset: the image is input, like anything a user hands us.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

#define HDR_OFFSET		0x1f1		/* struct setup_header in the image */
#define HDR_MAGIC_OFFSET	0x202
#define HDR_END_BYTE		0x201		/* 0x202 + this = end of the header */
#define DEFAULT_SETUP_SECTS	4		/* setup_sects 0 means 4 */
#define ENTRY_64		0x200		/* startup_64 in the protected-mode kernel */
#define MiB			(1ULL << 20)

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int bz_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bz_error(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = pt_set_errorv(EINVAL, fmt, ap);
	va_end(ap);
	return ret;
}

/* The header bytes the image carries, into bz->hdr (the rest stays 0). */
static int bz_read_header(const uint8_t *p, size_t len, struct vmm_bzimage *bz)
{
	size_t end;

	if (len < HDR_MAGIC_OFFSET + 4 || memcmp(p + HDR_MAGIC_OFFSET, "HdrS", 4))
		return pt_set_error(EINVAL, "not a bzImage: no \"HdrS\" boot signature "
				    "at offset 0x202 (a vmlinux ELF, a compressed file "
				    "or something else? give the kernel's bzImage, "
				    "e.g. /boot/vmlinuz-VERSION)");
	end = HDR_MAGIC_OFFSET + p[HDR_END_BYTE];
	if (end > len)
		return bz_error("truncated bzImage: the setup header ends at 0x%llx, "
				"the file has %llu bytes", (unsigned long long)end,
				(unsigned long long)len);
	bz->hdr_len = end - HDR_OFFSET;
	if (bz->hdr_len > sizeof(bz->hdr))
		bz->hdr_len = sizeof(bz->hdr);	/* a newer header: keep what we know */
	memset(&bz->hdr, 0, sizeof(bz->hdr));
	memcpy(&bz->hdr, p + HDR_OFFSET, bz->hdr_len);
	return 0;
}

static int bz_check_protocol(const struct vmm_bzimage *bz)
{
	if (bz->version < VMM_LINUX_MIN_PROTOCOL)
		return bz_error("boot protocol %llu.%02llu is too old: passthru needs "
				"2.12 or later (Linux 3.8+), whose xloadflags declare "
				"the 64-bit entry point",
				(unsigned long long)bz->version >> 8,
				(unsigned long long)bz->version & 0xff);
	if (bz->hdr_len < offsetof(struct setup_header, init_size) + 4)
		return bz_error("bzImage header too short (%llu bytes) for protocol "
				"2.%02llu", (unsigned long long)bz->hdr_len,
				(unsigned long long)bz->version & 0xff);
	if (!(bz->hdr.loadflags & LOADED_HIGH))
		return pt_set_error(EINVAL, "not a bzImage: a zImage (LOADED_HIGH "
				    "clear) runs only from low memory through its "
				    "16-bit setup");
	if (!(bz->xloadflags & XLF_KERNEL_64))
		return pt_set_error(EINVAL, "bzImage has no 64-bit entry point "
				    "(XLF_KERNEL_64 clear): a 32-bit kernel?");
	return 0;
}

int vmm_bzimage_parse(const void *img, size_t len, struct vmm_bzimage *bz)
{
	const uint8_t *p = img;
	unsigned int sects;
	int ret;

	memset(bz, 0, sizeof(*bz));
	ret = bz_read_header(p, len, bz);
	if (ret)
		return ret;
	bz->version = bz->hdr.version;
	bz->xloadflags = bz->hdr.xloadflags;
	ret = bz_check_protocol(bz);
	if (ret)
		return ret;
	sects = bz->hdr.setup_sects ? bz->hdr.setup_sects : DEFAULT_SETUP_SECTS;
	bz->setup_len = (size_t)(sects + 1) * 512;
	if (bz->setup_len + ENTRY_64 + 16 > len)
		return bz_error("truncated bzImage: %llu bytes of setup code, the file "
				"has only %llu bytes", (unsigned long long)bz->setup_len,
				(unsigned long long)len);
	bz->kernel = p + bz->setup_len;
	bz->kernel_len = len - bz->setup_len;
	bz->init_size = bz->hdr.init_size;
	bz->kernel_alignment = bz->hdr.kernel_alignment;
	bz->initrd_addr_max = bz->hdr.initrd_addr_max;
	bz->cmdline_size = bz->hdr.cmdline_size;
	bz->pref_address = bz->hdr.pref_address;
	bz->relocatable = bz->hdr.relocatable_kernel;
	if (bz->init_size < bz->kernel_len)
		return bz_error("bzImage says it needs %llu bytes to decompress, less "
				"than its own %llu bytes: a corrupt header",
				(unsigned long long)bz->init_size,
				(unsigned long long)bz->kernel_len);
	if (bz->relocatable && (bz->kernel_alignment < 4096 ||
				(bz->kernel_alignment & (bz->kernel_alignment - 1))))
		return pt_set_error(EINVAL, "bzImage kernel_alignment 0x%x is not a "
				    "power of two >= 4 KiB", bz->kernel_alignment);
	return 0;
}

/* ---- the plan ---------------------------------------------------------------- */

/*
 * Where the kernel decompresses itself: boot.rst's "runtime start" —
 * align_up(load address, kernel_alignment) for a relocatable kernel — but
 * never below pref_address (LOAD_PHYSICAL_ADDR), which head_64.S enforces.
 */
static uint64_t bz_runtime_start(const struct vmm_bzimage *bz, uint64_t load)
{
	uint64_t start;

	if (!bz->relocatable)
		return bz->pref_address;
	start = align_up(load, bz->kernel_alignment);
	return start < bz->pref_address ? bz->pref_address : start;
}

static int plan_initrd(const struct vmm_bzimage *bz, struct vmm_linux_plan *pl,
		       uint64_t initrd_size)
{
	uint64_t top = pl->ram_low;

	if (!initrd_size)
		return 0;
	if ((uint64_t)bz->initrd_addr_max + 1 < top)
		top = (uint64_t)bz->initrd_addr_max + 1;
	top &= ~0xfffULL;
	if (initrd_size > top || ((top - initrd_size) & ~0xfffULL) < pl->runtime_end)
		return pt_set_error(ENOSPC, "the initrd (%llu MiB) does not fit: it must "
				    "lie between the kernel's decompression area "
				    "(up to %llu MiB) and %llu MiB (the top of RAM below "
				    "3 GiB or the kernel's initrd_addr_max); raise --mem "
				    "to at least %llu MiB",
				    (unsigned long long)((initrd_size + MiB - 1) / MiB),
				    (unsigned long long)((pl->runtime_end + MiB - 1) / MiB),
				    (unsigned long long)(top / MiB),
				    (unsigned long long)((pl->runtime_end + initrd_size +
							  2 * MiB - 1) / MiB));
	pl->initrd_gpa = (top - initrd_size) & ~0xfffULL;
	pl->initrd_size = initrd_size;
	return 0;
}

int vmm_linux_plan(const struct vmm_bzimage *bz, uint64_t ram_low,
		   uint64_t ram_high, uint64_t initrd_size, size_t cmdline_len,
		   struct vmm_linux_plan *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->ram_low = ram_low;
	pl->ram_high = ram_high;
	if (cmdline_len > bz->cmdline_size || cmdline_len >= VMM_LINUX_CMDLINE_MAX)
		return pt_set_error(E2BIG, "the kernel command line (%zu bytes) is longer "
				    "than this kernel accepts (%u)", cmdline_len,
				    bz->cmdline_size);
	pl->kernel_gpa = VMM_LINUX_KERNEL;
	pl->kernel_len = bz->kernel_len;
	pl->entry = pl->kernel_gpa + ENTRY_64;
	pl->runtime_start = bz_runtime_start(bz, pl->kernel_gpa);
	/* pref_address is the image's: compare before adding, no wrap-around. */
	if (pl->runtime_start < ram_low && bz->init_size <= ram_low - pl->runtime_start)
		pl->runtime_end = pl->runtime_start + bz->init_size;
	else
		pl->runtime_end = UINT64_MAX;
	/* The image itself must not run past the decompression area either. */
	if (pl->kernel_gpa + pl->kernel_len > pl->runtime_end)
		pl->runtime_end = pl->kernel_gpa + pl->kernel_len;
	if (pl->runtime_start < pl->kernel_gpa ||
	    pl->runtime_end > ram_low || ram_low > VMM_MMIO_BASE)
		return pt_set_error(ENOSPC, "this kernel needs %llu MiB of RAM to "
				    "decompress itself (init_size %u bytes at %llu MiB); "
				    "--mem gives %llu MiB below 3 GiB: raise --mem",
				    (unsigned long long)((pl->runtime_start + bz->init_size +
							  MiB - 1) / MiB),
				    bz->init_size,
				    (unsigned long long)(pl->runtime_start / MiB),
				    (unsigned long long)(ram_low / MiB));
	pl->cmdline_gpa = VMM_LINUX_CMDLINE;
	pl->cmdline_len = cmdline_len + 1;
	pl->boot_params_gpa = VMM_LINUX_BOOT_PARAMS;
	return plan_initrd(bz, pl, initrd_size);
}

/* ---- the zero page ---------------------------------------------------------- */

static void e820_add(struct boot_e820_entry *e, int *n, int max, uint64_t addr,
		     uint64_t size, uint32_t type)
{
	if (*n >= max || !size)
		return;
	e[*n].addr = addr;
	e[*n].size = size;
	e[*n].type = type;
	(*n)++;
}

#define E820_RAM	1
#define E820_RESERVED	2
/* Where Intel's KVM keeps its real-mode TSS and identity map (vmm/kvm.c). */
#define KVM_PRIVATE_BASE	0xfffbc000ULL
#define KVM_PRIVATE_SIZE	0x4000ULL

int vmm_linux_e820(const struct vmm_linux_plan *pl, struct boot_e820_entry *e,
		   int max)
{
	uint64_t low = pl->ram_low < VMM_LINUX_LOW_RAM_END ? pl->ram_low :
		       VMM_LINUX_LOW_RAM_END;
	int n = 0;

	e820_add(e, &n, max, 0, low, E820_RAM);
	e820_add(e, &n, max, VMM_LINUX_MPTABLE, VMM_LINUX_MPTABLE_SIZE, E820_RESERVED);
	if (pl->ram_low > VMM_LINUX_KERNEL)
		e820_add(e, &n, max, VMM_LINUX_KERNEL, pl->ram_low - VMM_LINUX_KERNEL,
			 E820_RAM);
	/* Reserved so that Linux never places a BAR over them. */
	e820_add(e, &n, max, VMM_ECAM_BASE, VMM_ECAM_SIZE, E820_RESERVED);
	e820_add(e, &n, max, KVM_PRIVATE_BASE, KVM_PRIVATE_SIZE, E820_RESERVED);
	e820_add(e, &n, max, VMM_HIGH_RAM_BASE, pl->ram_high, E820_RAM);
	return n;
}

void vmm_linux_boot_params(const struct vmm_bzimage *bz,
			   const struct vmm_linux_plan *pl,
			   struct boot_params *bp)
{
	struct setup_header *h = &bp->hdr;

	memset(bp, 0, sizeof(*bp));
	memcpy(h, &bz->hdr, bz->hdr_len);
	h->type_of_loader = 0xff;		/* "undefined": no assigned id */
	h->loadflags &= ~(QUIET_FLAG | KEEP_SEGMENTS | CAN_USE_HEAP);
	h->code32_start = pl->kernel_gpa;
	h->cmd_line_ptr = (uint32_t)pl->cmdline_gpa;
	bp->ext_cmd_line_ptr = pl->cmdline_gpa >> 32;
	h->ramdisk_image = (uint32_t)pl->initrd_gpa;
	h->ramdisk_size = (uint32_t)pl->initrd_size;
	bp->ext_ramdisk_image = pl->initrd_gpa >> 32;
	bp->ext_ramdisk_size = pl->initrd_size >> 32;
	h->setup_data = 0;
	h->hardware_subarch = 0;		/* X86_SUBARCH_PC */
	bp->e820_entries = vmm_linux_e820(pl, bp->e820_table,
					  E820_MAX_ENTRIES_ZEROPAGE);
}
