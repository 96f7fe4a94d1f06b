// SPDX-License-Identifier: MIT
/*
 * vmm/mem.c — guest RAM and KVM memory slots.
 *
 * Guest RAM is one memfd (4 KiB pages or hugetlb, from pt_mem_alloc) mapped
 * MAP_SHARED, so the same pages can be handed to the IOMMU (IOVA = GPA) by
 * the VFIO side.  Like a PC, RAM stops at the 32-bit MMIO window: the first
 * VMM_MMIO_BASE (3 GiB) of it is one slot at GPA 0, anything beyond is a
 * second slot at VMM_HIGH_RAM_BASE (4 GiB).  BARs become further slots; a
 * slot's GPA range is checked against RAM and every other slot before KVM
 * sees it.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

static int vmm_slot_set(struct vmm *vm, struct vmm_slot *s, uint64_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = s->id,
		.guest_phys_addr = s->gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)s->hva,
	};

	/* vm_fd < 0: bookkeeping only (the fuzz targets run without KVM) */
	if (vm->vm_fd >= 0 && ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r)) {
		int err = errno;

		return pt_set_error(err, "vmm: KVM_SET_USER_MEMORY_REGION (slot %u, "
				    "GPA 0x%llx, %llu bytes) failed: %s", s->id,
				    (unsigned long long)s->gpa,
				    (unsigned long long)size, strerror(err));
	}
	return 0;
}

static bool vmm_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int vmm_slot_add(struct vmm *vm, uint64_t gpa, uint64_t size, void *hva)
{
	struct vmm_slot *free_slot = NULL;
	int ret;

	if (!size || (gpa & 0xfff) || (size & 0xfff) || gpa + size < gpa ||
	    ((uintptr_t)hva & 0xfff))
		return pt_set_error(EINVAL, "vmm: memory slot at GPA 0x%llx size 0x%llx "
				    "is not page aligned", (unsigned long long)gpa,
				    (unsigned long long)size);
	for (int i = 0; i < VMM_MAX_SLOTS; i++) {
		struct vmm_slot *s = &vm->slots[i];

		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (vmm_ranges_overlap(gpa, size, s->gpa, s->size))
			return pt_set_error(EEXIST, "vmm: memory slot at GPA 0x%llx "
					    "overlaps slot %d at 0x%llx",
					    (unsigned long long)gpa, i,
					    (unsigned long long)s->gpa);
	}
	if (!free_slot)
		return pt_set_error(ENOSPC, "vmm: all %d memory slots are in use",
				    VMM_MAX_SLOTS);
	free_slot->id = free_slot - vm->slots;
	free_slot->gpa = gpa;
	free_slot->size = size;
	free_slot->hva = hva;
	ret = vmm_slot_set(vm, free_slot, size);
	if (ret)
		return ret;
	free_slot->used = true;
	return free_slot->id;
}

int vmm_slot_del(struct vmm *vm, int slot)
{
	struct vmm_slot *s;
	int ret;

	if (slot < 0 || slot >= VMM_MAX_SLOTS || !vm->slots[slot].used)
		return -ENOENT;
	s = &vm->slots[slot];
	ret = vmm_slot_set(vm, s, 0);	/* size 0 deletes */
	memset(s, 0, sizeof(*s));
	return ret;
}

int vmm_mem_init(struct vmm *vm, uint64_t size)
{
	enum pt_mem_kind kind = vm->cfg.mem_kind;
	int ret;

	if (kind == PT_MEM_ANON)	/* 0: the default, a plain memfd */
		kind = PT_MEM_MEMFD;
	if ((kind == PT_MEM_HUGE_2M && (size & ((2ULL << 20) - 1))) ||
	    (kind == PT_MEM_HUGE_1G && (size & ((1ULL << 30) - 1))))
		return pt_set_error(EINVAL, "vmm: guest memory (%llu bytes) must be a "
				    "multiple of the %s huge page size",
				    (unsigned long long)size, pt_mem_kind_name(kind));
	ret = pt_mem_alloc(&vm->ram_mem, size, kind);
	if (ret)
		return ret;
	vm->ram = vm->ram_mem->addr;
	vm->mem_fd = vm->ram_mem->fd;
	vm->ram_size = vm->ram_mem->size;
	vm->ram_low = vm->ram_size < VMM_MMIO_BASE ? vm->ram_size : VMM_MMIO_BASE;
	ret = vmm_slot_add(vm, 0, vm->ram_low, vm->ram);
	if (ret >= 0 && vm->ram_size > vm->ram_low)
		ret = vmm_slot_add(vm, VMM_HIGH_RAM_BASE, vm->ram_size - vm->ram_low,
				   (uint8_t *)vm->ram + vm->ram_low);
	return ret < 0 ? ret : 0;
}

void vmm_mem_exit(struct vmm *vm)
{
	pt_mem_free(vm->ram_mem);
	vm->ram_mem = NULL;
	vm->ram = NULL;
	vm->mem_fd = -1;
}

void *vmm_gpa_to_hva(struct vmm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t high = vm->ram_size - vm->ram_low;

	if (gpa < vm->ram_low)
		return len > vm->ram_low - gpa ? NULL : (uint8_t *)vm->ram + gpa;
	if (gpa < VMM_HIGH_RAM_BASE || gpa - VMM_HIGH_RAM_BASE >= high ||
	    len > high - (gpa - VMM_HIGH_RAM_BASE))
		return NULL;
	return (uint8_t *)vm->ram + vm->ram_low + (gpa - VMM_HIGH_RAM_BASE);
}

int vmm_ram_ranges(const struct vmm *vm, struct pt_guest_ram_slot *out)
{
	out[0] = (struct pt_guest_ram_slot){ .host = vm->ram, .gpa = 0,
					     .size = vm->ram_low };
	if (vm->ram_size == vm->ram_low)
		return 1;
	out[1] = (struct pt_guest_ram_slot){ .host = (uint8_t *)vm->ram + vm->ram_low,
					     .gpa = VMM_HIGH_RAM_BASE,
					     .size = vm->ram_size - vm->ram_low };
	return 2;
}
