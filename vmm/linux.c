// SPDX-License-Identifier: MIT
/*
 * vmm/linux.c — puts a planned Linux boot (vmm/bzimage.c) into a VM.
 *
 * No firmware runs: the VMM does what a boot loader and the BIOS would
 * have done.  It copies the protected-mode kernel to 1 MiB, reads the
 * initrd straight into guest RAM, writes the command line, the zero page
 * and the MP table, then sets vCPU 0 as the 64-bit boot protocol wants it:
 * long mode with the first 4 GiB identity-mapped (which covers the kernel,
 * its decompression area, boot_params and the command line), a GDT with a
 * flat 64-bit __BOOT_CS (0x10) and __BOOT_DS (0x18) loaded, interrupts off,
 * %rsi = &boot_params, %rip = the kernel's startup_64 (load address +
 * 0x200).  The other vCPUs wait for Linux to start them (vmm/kvm.c).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

#define BIOS_WARM_FLAG	0x472	/* see vmm/i8042.c */

static int linux_read_initrd(struct vmm *vm, const struct vmm_linux_plan *pl,
			     int fd)
{
	uint8_t *dst = vmm_gpa_to_hva(vm, pl->initrd_gpa, pl->initrd_size);
	uint64_t done = 0;
	ssize_t n;

	if (!dst)
		return pt_set_error(EFAULT, "vmm: the initrd's place 0x%llx is not RAM",
				    (unsigned long long)pl->initrd_gpa);
	while (done < pl->initrd_size) {
		n = pread(fd, dst + done, pl->initrd_size - done, done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return pt_set_error(n < 0 ? errno : EIO, "vmm: reading the initrd "
					    "failed after %llu of %llu bytes: %s",
					    (unsigned long long)done,
					    (unsigned long long)pl->initrd_size,
					    n < 0 ? strerror(errno) : "the file shrank");
		done += n;
	}
	return 0;
}

static int linux_copy(struct vmm *vm, uint64_t gpa, const void *src, size_t len,
		      const char *what)
{
	void *dst = vmm_gpa_to_hva(vm, gpa, len);

	if (!dst)
		return pt_set_error(EFAULT, "vmm: the %s (%zu bytes at 0x%llx) is not "
				    "inside guest RAM", what, len,
				    (unsigned long long)gpa);
	memcpy(dst, src, len);
	return 0;
}

int vmm_linux_load(struct vmm *vm, const struct vmm_bzimage *bz,
		   const struct vmm_linux_plan *pl, int initrd_fd,
		   const char *cmdline)
{
	struct boot_params bp;
	struct vmm_entry e = {
		.rip = pl->entry,
		.rsp = pl->boot_params_gpa,	/* any free RAM: the kernel sets its own */
		.rsi = pl->boot_params_gpa,
		.cs = VMM_LINUX_GDT_CS,
		.ds = VMM_LINUX_GDT_DS,
	};
	uint16_t cold = 0;
	int ret;

	if (pl->ram_low != vm->ram_low || pl->ram_high != vm->ram_size - vm->ram_low)
		return pt_set_error(EINVAL, "vmm: the Linux plan is for another RAM size");
	vmm_linux_boot_params(bz, pl, &bp);
	ret = linux_copy(vm, pl->kernel_gpa, bz->kernel, bz->kernel_len, "kernel");
	if (!ret)
		ret = linux_copy(vm, pl->cmdline_gpa, cmdline, pl->cmdline_len,
				 "command line");
	if (!ret)
		ret = linux_copy(vm, pl->boot_params_gpa, &bp, sizeof(bp), "zero page");
	if (!ret)
		ret = linux_copy(vm, BIOS_WARM_FLAG, &cold, sizeof(cold), "warm-boot flag");
	if (!ret && pl->initrd_size)
		ret = linux_read_initrd(vm, pl, initrd_fd);
	if (!ret)
		ret = vmm_mptable_write(vm);
	if (!ret)
		ret = vmm_enter_long_mode(vm, &e);
	return ret;
}
