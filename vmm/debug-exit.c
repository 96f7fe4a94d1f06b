// SPDX-License-Identifier: MIT
/*
 * vmm/debug-exit.c — the ports a guest uses to talk to the VMM itself.
 *
 *	VMM_PORT_EXIT (0x500)	write N: stop, `passthru run` exits with N & 0xff
 *	VMM_PORT_MARK (0x504)	write i (0..3): timestamp marks[i] (bench)
 *	VMM_PORT_CLOCK (0x508)	read 4: microseconds since the VM was created
 *				(the guest's delay source; no TSC calibration)
 *	0x80			write: counted; the PIO round-trip bench stops
 *				the guest after bench_pio_limit writes
 *
 * Reads return all-ones like an undecoded port.
 */
#include <errno.h>
#include <string.h>

#include "vmm/vmm.h"

static uint32_t vmm_io_val(const uint8_t *data, uint32_t len)
{
	uint32_t v = 0;

	memcpy(&v, data, len > 4 ? 4 : len);
	return v;
}

static int vmm_exit_io(struct vmm *vm, void *opaque, uint64_t off,
		       uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque;
	(void)off;
	if (!is_write) {
		memset(data, 0xff, len);
		return 0;
	}
	vm->exit_status = vmm_io_val(data, len) & 0xff;
	vm->stop = VMM_STOP_EXIT;
	return 0;
}

static int vmm_mark_io(struct vmm *vm, void *opaque, uint64_t off,
		       uint8_t *data, uint32_t len, bool is_write)
{
	uint32_t i;

	(void)opaque;
	(void)off;
	if (!is_write) {
		memset(data, 0xff, len);
		return 0;
	}
	i = vmm_io_val(data, len);
	if (i < sizeof(vm->marks) / sizeof(vm->marks[0]))
		vm->marks[i] = vmm_now_ns();
	return 0;
}

static int vmm_post_io(struct vmm *vm, void *opaque, uint64_t off,
		       uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque;
	(void)off;
	if (!is_write) {
		memset(data, 0xff, len);
		return 0;
	}
	if (++vm->bench_pio_count == vm->bench_pio_limit) {
		vm->exit_status = 0;
		vm->stop = VMM_STOP_EXIT;
	}
	return 0;
}

static int vmm_clock_io(struct vmm *vm, void *opaque, uint64_t off,
			uint8_t *data, uint32_t len, bool is_write)
{
	uint32_t us = (vmm_now_ns() - vm->t_start_ns) / 1000;

	(void)opaque;
	if (!is_write)
		memcpy(data, (uint8_t *)&us + off, len);
	return 0;
}

int vmm_debug_exit_init(struct vmm *vm)
{
	int ret;

	ret = vmm_io_register(&vm->pio, VMM_PORT_EXIT, 4, vmm_exit_io, NULL,
			      "debug-exit");
	if (!ret)
		ret = vmm_io_register(&vm->pio, VMM_PORT_MARK, 4, vmm_mark_io, NULL,
				      "mark");
	if (!ret)
		ret = vmm_io_register(&vm->pio, VMM_PORT_CLOCK, 4, vmm_clock_io, NULL,
				      "clock");
	if (!ret)
		ret = vmm_io_register(&vm->pio, 0x80, 1, vmm_post_io, NULL, "post");
	return ret;
}
