// SPDX-License-Identifier: MIT
/*
 * fuzz-vmm-exit.c — the run loop's exit handler with a kvm_run page the
 * input controls entirely (exit reason, PIO size/count/data_offset, MMIO
 * address/length), as if KVM or a guest could put anything there.  The
 * handlers must stay inside the page and never crash; ASan checks it.
 * Runs without /dev/kvm (the VM has no fds).
 *
 * Behind the exits sits an assigned device as the VMM sees one: a 16 KiB
 * BAR 0 it may map as a KVM slot, an I/O BAR 1, and BAR 2 (8 KiB) holding
 * a 128-vector MSI-X table at 0x100 and its PBA at 0x1100, decoding from
 * the start (VMM_MMIO_BASE: BAR 0, +0x4000: BAR 2; VMM_IO_BAR_BASE: BAR 1).
 * fake-device.h records what reaches it and aborts on what must not: the
 * real MSI-X table or PBA, a config write outside the command register, a
 * BAR access outside its BAR, a KVM slot over the table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"
#include "tests/fuzz/fake-device.h"

#define RUN_SIZE 4096

static void exit_device(struct vmm *vm, struct vmm_pci_dev *d, void *hva)
{
	uint8_t in[VMM_PCI_CFG_SIZE + 6] = { 0 };
	uint32_t table = 0x100 | 2, pba = 0x1100 | 2;

	in[0] = 0x36; in[1] = 0x1b;		/* 1b36:0005, a test device */
	in[2] = 0x05;
	in[6] = 0x10;				/* status: capability list */
	in[0x34] = 0x50;
	in[0x50] = 0x11;			/* MSI-X, 128 vectors */
	in[0x52] = 127;
	memcpy(&in[0x54], &table, 4);
	memcpy(&in[0x58], &pba, 4);
	in[VMM_PCI_CFG_SIZE + 0] = 0x80 | 14;	/* BAR 0: 16 KiB, may be a slot */
	in[VMM_PCI_CFG_SIZE + 1] = 0x20 | 5;	/* BAR 1: 32 ports */
	in[VMM_PCI_CFG_SIZE + 2] = 13;		/* BAR 2: 8 KiB, the MSI-X BAR */
	fake_make_device(d, in, hva);
	if (vmm_pci_add(vm, d))
		abort();
	vmm_pci_cfg_write(vm, d->devfn, 4, 2, 0x0007);	/* I/O, memory, master */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *barmem;
	struct vmm_pci_dev *d;
	struct vmm *vm;
	struct vmm_membar mb;
	uint8_t *page;

	if (!barmem)
		barmem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	vm = calloc(1, sizeof(*vm));
	d = calloc(1, sizeof(*d));
	page = calloc(1, RUN_SIZE);
	vm->kvm_fd = vm->vm_fd = vm->mem_fd = vm->wake_fd = -1;
	vm->con.in_fd = vm->con.out_fd = -1;
	vm->pio.name = "pio";
	vm->mmio.name = "mmio";
	vm->ram_size = vm->ram_low = 2 << 20;
	vm->cfg.serial_capture = 64;
	vm->serial_buf = calloc(1, 65);
	vm->nr_cpus = 1;
	vm->cpu[0] = (struct vmm_vcpu){ .vm = vm, .fd = -1,
					.run = (struct kvm_run *)page };
	vm->run_size = RUN_SIZE;
	vmm_uart_init(vm);
	vmm_debug_exit_init(vm);
	vmm_pci_init(vm);
	exit_device(vm, d, barmem);
	vmm_membar_add(vm, &mb, 4096);

	/* Each record: a full struct kvm_run header worth of bytes, then
	 * the handler runs; the page's tail keeps what earlier records left. */
	while (size >= 64 && vm->stop == VMM_RUNNING) {
		memcpy(page, data, 64);
		memcpy(page + RUN_SIZE - 64, data, 64);
		vmm_handle_exit(&vm->cpu[0]);
		fake_check_slots(d);
		data += 64;
		size -= 64;
	}
	if (vm->serial_len > vm->cfg.serial_capture)
		__builtin_trap();
	vmm_pci_exit(vm);
	vmm_membar_free(&mb);
	vmm_irq_exit(vm);
	free(d);
	free(vm->serial_buf);
	free(page);
	free(vm);
	return 0;
}
