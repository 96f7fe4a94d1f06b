// SPDX-License-Identifier: MIT
/*
 * fuzz-vmm-exit.c — the run loop's exit handler with a kvm_run page the
 * input controls entirely (exit reason, PIO size/count/data_offset, MMIO
 * address/length), as if KVM or a guest could put anything there.  The
 * handlers must stay inside the page and never crash; ASan checks it.
 * Runs without /dev/kvm (the VM has no fds).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kvm.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

#define RUN_SIZE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmm *vm;
	struct vmm_membar mb;
	uint8_t *page;

	vm = calloc(1, sizeof(*vm));
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
	vmm_membar_add(vm, &mb, 4096);

	/* Each record: a full struct kvm_run header worth of bytes, then
	 * the handler runs; the page's tail keeps what earlier records left. */
	while (size >= 64 && vm->stop == VMM_RUNNING) {
		memcpy(page, data, 64);
		memcpy(page + RUN_SIZE - 64, data, 64);
		vmm_handle_exit(&vm->cpu[0]);
		data += 64;
		size -= 64;
	}
	if (vm->serial_len > vm->cfg.serial_capture)
		__builtin_trap();
	vmm_pci_exit(vm);
	vmm_membar_free(&mb);
	vmm_irq_exit(vm);
	free(vm->serial_buf);
	free(page);
	free(vm);
	return 0;
}
