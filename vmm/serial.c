// SPDX-License-Identifier: MIT
/*
 * vmm/serial.c — a 16550-shaped UART at 0x3f8, output only.
 *
 * The transmitter is always empty (LSR = THRE|TEMT), so the guest never
 * waits; bytes go to the configured FILE (flushed at each newline) and to
 * a bounded capture buffer that `passthru run --json` and the tests read.
 * Nothing is ever received and no interrupt is raised.
 */
#include <errno.h>

#include "vmm/vmm.h"

#define UART_RBR_THR	0
#define UART_IER	1
#define UART_IIR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7
#define UART_LCR_DLAB	0x80
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40

static void vmm_serial_put(struct vmm *vm, uint8_t c)
{
	if (vm->cfg.serial_out) {
		fputc(c, vm->cfg.serial_out);
		if (c == '\n')
			fflush(vm->cfg.serial_out);
	}
	if (vm->serial_buf && vm->serial_len < vm->cfg.serial_capture)
		vm->serial_buf[vm->serial_len++] = c;
}

static int vmm_serial_io(struct vmm *vm, void *opaque, uint64_t off,
			 uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque;
	/* Byte registers; a wider access touches only the first one. */
	for (uint32_t i = 1; i < len; i++)
		if (!is_write)
			data[i] = 0;
	if (is_write) {
		switch (off) {
		case UART_RBR_THR:
			if (!(vm->serial_lcr & UART_LCR_DLAB))
				vmm_serial_put(vm, data[0]);
			break;
		case UART_IER:
			if (!(vm->serial_lcr & UART_LCR_DLAB))
				vm->serial_ier = data[0] & 0x0f;
			break;
		case UART_LCR:
			vm->serial_lcr = data[0];
			break;
		case UART_SCR:
			vm->serial_scr = data[0];
			break;
		default:
			break;
		}
		return 0;
	}
	switch (off) {
	case UART_IER:
		data[0] = vm->serial_lcr & UART_LCR_DLAB ? 0 : vm->serial_ier;
		break;
	case UART_IIR:
		data[0] = 0x01;		/* no interrupt pending */
		break;
	case UART_LCR:
		data[0] = vm->serial_lcr;
		break;
	case UART_LSR:
		data[0] = UART_LSR_THRE | UART_LSR_TEMT;
		break;
	case UART_MSR:
		data[0] = 0xb0;		/* CTS, DSR, DCD */
		break;
	case UART_SCR:
		data[0] = vm->serial_scr;
		break;
	default:
		data[0] = 0;
		break;
	}
	return 0;
}

int vmm_serial_init(struct vmm *vm)
{
	return vmm_io_register(&vm->pio, VMM_PORT_SERIAL, 8, vmm_serial_io, NULL,
			       "serial");
}
