// SPDX-License-Identifier: MIT
/*
 * fuzz-vmm-pci.c — the VMM's PCI host bridge, config virtualisation, BAR
 * decode and MSI/MSI-X emulation against a hostile guest AND a hostile
 * device (its config space and BAR sizes come from the input too).
 *
 * Input: 256 bytes of device config space, 6 x 1 byte BAR size exponents
 * and kinds, then 16-byte guest operations (bus, address, length, write,
 * value) dispatched exactly as KVM exits are.  No /dev/kvm: the VM has no
 * fd, so memory slots are bookkeeping only.
 *
 * Invariants checked (abort on violation): what reaches the device —
 * fake-device.h, which records it — is never the real MSI-X table or PBA
 * (located from the input's config space and real vector count), never a
 * config write outside the command register's guest-writable bits, never a
 * BAR access outside its BAR, and no KVM slot maps the table or PBA; KVM
 * slots never overlap each other or RAM; no BAR decodes outside the MMIO
 * window or the I/O BAR window.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"
#include "tests/fuzz/fake-device.h"

static void check_invariants(struct vmm *vm)
{
	for (int i = 0; i < VMM_MAX_SLOTS; i++) {
		struct vmm_slot *a = &vm->slots[i];

		if (!a->used)
			continue;
		for (int j = i + 1; j < VMM_MAX_SLOTS; j++) {
			struct vmm_slot *b = &vm->slots[j];

			if (b->used && a->gpa < b->gpa + b->size && b->gpa < a->gpa + a->size)
				__builtin_trap();
		}
	}
	for (int i = 0; i < vm->nr_pci; i++) {
		fake_check_slots(vm->pci[i]);
		for (int b = 0; b < 6; b++) {
			struct vmm_pci_bar *bar = &vm->pci[i]->bar[b];

			if (!bar->gpa)
				continue;
			if (bar->is_io ? bar->gpa < VMM_IO_BAR_BASE ||
					 bar->gpa + bar->size > VMM_IO_BAR_END :
					 bar->gpa < VMM_MMIO_BASE ||
					 bar->gpa + bar->size > VMM_MMIO_END)
				__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *barmem;
	struct vmm *vm;
	struct vmm_pci_dev *d;

	if (size < 256 + 6)
		return 0;
	if (!barmem)
		barmem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vm = calloc(1, sizeof(*vm));
	d = calloc(1, sizeof(*d));
	vm->kvm_fd = vm->vm_fd = vm->mem_fd = vm->wake_fd = -1;
	vm->con.in_fd = vm->con.out_fd = -1;
	vm->pio.name = "pio";
	vm->mmio.name = "mmio";
	vm->ram_size = vm->ram_low = 16 << 20;
	vm->irqchip = true;		/* no fd: routes and irqfds are no-ops */
	vm->slots[0] = (struct vmm_slot){ true, 0, 0, vm->ram_size, NULL };
	vmm_uart_init(vm);
	vmm_debug_exit_init(vm);
	vmm_pci_init(vm);

	fake_make_device(d, data, barmem);
	if (vmm_pci_add(vm, d))
		goto out;
	data += 256 + 6;
	size -= 256 + 6;
	for (; size >= 16 && vm->stop == VMM_RUNNING; data += 16, size -= 16) {
		uint8_t buf[8] = { 0 };
		uint64_t addr;
		uint32_t len = data[1] & 7 ? data[1] & 7 : 8;
		bool wr = data[2] & 1;

		memcpy(&addr, data + 8, 8);
		memcpy(buf, data + 3, 5);
		if (data[0] & 1) {	/* PIO: 1, 2 or 4 bytes, 16-bit port */
			len = len >= 4 ? 4 : len >= 2 ? 2 : 1;
			addr = (addr & 0xffff);
			if (data[0] & 2)	/* steer to the config ports */
				addr = 0xcf8 + (addr & 7);
			vmm_io_dispatch(vm, &vm->pio, addr, buf, len, wr);
		} else {
			if (data[0] & 2)	/* steer to the MMIO window */
				addr = VMM_MMIO_BASE + (addr & 0xfffff);
			if (data[0] & 4)	/* steer to the ECAM */
				addr = VMM_ECAM_BASE + (addr & 0xfffff);
			vmm_io_dispatch(vm, &vm->mmio, addr, buf, len, wr);
		}
		check_invariants(vm);
	}
out:
	vmm_pci_exit(vm);
	vmm_irq_exit(vm);
	free(d);
	free(vm);
	return 0;
}
