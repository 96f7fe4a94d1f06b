// SPDX-License-Identifier: MIT
/*
 * vmm/boot.c — enter the guest directly in 64-bit long mode, no firmware.
 *
 * The VMM writes an identity map of the first 4 GiB (2 MiB pages, so the
 * PCI MMIO window and the local APIC are reachable), a flat GDT and sets
 * CR0.PG|PE, CR4.PAE, EFER.LME|LMA so the first instruction already runs in
 * long mode.  Two users: our bare-metal guests (GDT null, code 0x08, data
 * 0x10; rip VMM_GPA_LOAD, rdi = &boot_info, rsp = VMM_GPA_STACK_TOP) and
 * Linux's 64-bit boot protocol (vmm/linux.c: code __BOOT_CS 0x10, data
 * __BOOT_DS 0x18, rsi = &boot_params).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define GDT_CODE64	0x00af9a000000ffffULL
#define GDT_DATA	0x00cf92000000ffffULL
#define SEL_CODE	0x08
#define SEL_DATA	0x10

int vmm_load_image(struct vmm *vm, const void *img, size_t len)
{
	uint8_t *dst;

	if (!len || len > vm->ram_low - VMM_GPA_LOAD - 4096)
		return pt_set_error(EFBIG, "vmm: guest image of %zu bytes does not fit "
				    "in %llu MiB of guest RAM above 1 MiB; raise --mem",
				    len, (unsigned long long)(vm->ram_size >> 20));
	dst = vmm_gpa_to_hva(vm, VMM_GPA_LOAD, len);
	memcpy(dst, img, len);
	return vmm_boot_setup(vm, VMM_GPA_LOAD + len);
}

static void vmm_build_page_tables(struct vmm *vm)
{
	uint64_t *pml4 = vmm_gpa_to_hva(vm, VMM_GPA_PML4, 4096);
	uint64_t *pdpt = vmm_gpa_to_hva(vm, VMM_GPA_PDPT, 4096);
	uint64_t *pd = vmm_gpa_to_hva(vm, VMM_GPA_PD, 4 * 4096);

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = VMM_GPA_PDPT | PTE_P | PTE_RW;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (VMM_GPA_PD + i * 4096) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
}

static void vmm_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

/* A flat GDT at VMM_GPA_GDT with a 64-bit code descriptor at cs and a data
 * descriptor at ds; every other entry null. */
static int vmm_write_gdt(struct vmm *vm, uint16_t cs, uint16_t ds)
{
	unsigned int n = (cs > ds ? cs : ds) / 8 + 1;
	uint64_t *gdt = vmm_gpa_to_hva(vm, VMM_GPA_GDT, n * 8);

	if (!gdt || (cs & 7) || (ds & 7) || cs == ds || !cs || !ds || n > 16)
		return pt_set_error(EINVAL, "vmm: bad GDT selectors 0x%x/0x%x", cs, ds);
	memset(gdt, 0, n * 8);
	gdt[cs / 8] = GDT_CODE64;
	gdt[ds / 8] = GDT_DATA;
	return n;
}

int vmm_enter_long_mode(struct vmm *vm, const struct vmm_entry *e)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = e->rip,
		.rsp = e->rsp,
		.rdi = e->rdi,
		.rsi = e->rsi,
		.rflags = 2,		/* interrupts off, as both protocols want */
	};
	int fd = vm->cpu[0].fd, n, err;

	vmm_build_page_tables(vm);
	n = vmm_write_gdt(vm, e->cs, e->ds);
	if (n < 0)
		return n;
	if (ioctl(fd, KVM_GET_SREGS, &sregs))
		goto fail;
	vmm_seg(&sregs.cs, e->cs, 11, true);
	vmm_seg(&sregs.ds, e->ds, 3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = VMM_GPA_GDT;
	sregs.gdt.limit = n * 8 - 1;
	sregs.cr3 = VMM_GPA_PML4;
	sregs.cr4 = CR4_PAE;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(fd, KVM_SET_SREGS, &sregs) || ioctl(fd, KVM_SET_REGS, &regs))
		goto fail;
	return 0;
fail:
	err = errno;
	return pt_set_error(err, "vmm: setting the vCPU's long-mode registers "
			    "failed: %s", strerror(err));
}

int vmm_boot_setup(struct vmm *vm, uint64_t image_end)
{
	struct vmm_boot_info *bi = vmm_gpa_to_hva(vm, VMM_GPA_BOOT_INFO, sizeof(*bi));
	struct vmm_entry e = {
		.rip = VMM_GPA_LOAD,
		.rsp = VMM_GPA_STACK_TOP,
		.rdi = VMM_GPA_BOOT_INFO,
		.cs = SEL_CODE,
		.ds = SEL_DATA,
	};

	memset(bi, 0, sizeof(*bi));
	bi->magic = VMM_BOOT_MAGIC;
	bi->mem_size = vm->ram_size;
	bi->image_end = image_end;
	bi->mmio_base = VMM_MMIO_BASE;
	bi->mmio_end = VMM_MMIO_END;
	bi->ecam_base = VMM_ECAM_BASE;
	bi->nr_devices = vm->nr_pci;
	bi->flags = vm->irqchip ? VMM_BOOT_F_IRQCHIP : 0;
	if (vm->cfg.guest_arg)
		snprintf(bi->arg, sizeof(bi->arg), "%s", vm->cfg.guest_arg);
	return vmm_enter_long_mode(vm, &e);
}
