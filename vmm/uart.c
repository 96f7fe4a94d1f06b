// SPDX-License-Identifier: MIT
/*
 * vmm/uart.c — a 16550A UART at 0x3f8 (COM1), interrupt on IRQ 4.
 *
 * Enough of the chip for Linux's 8250 driver to probe it as a 16550A (IER
 * keeps its four bits, FIFOs report in IIR[7:6], MCR loopback drives MSR)
 * and to run it interrupt-driven:
 *
 *  - the transmitter is infinitely fast: a byte written to THR goes to the
 *    console ring (vmm/console.c) at once and THR is empty again, so LSR
 *    shows THRE|TEMT, unless the ring is full (the host is not reading our
 *    output): then THRE is clear and the guest waits, never the vCPU;
 *  - the THR-empty interrupt follows the datasheet: pending when THR
 *    becomes empty or when IER.ETBEI is switched on with THR empty, cleared
 *    by reading IIR while it is the reported cause or by writing THR;
 *  - received bytes (from the console's input) wait in a 256-byte FIFO;
 *    data-ready interrupts while any are there;
 *  - the IRQ line is the OR of the enabled causes, gated by MCR.OUT2 as on
 *    a PC, and is only driven (KVM_IRQ_LINE) when it changes.  The ISA
 *    interrupt is edge-triggered: every rising edge is one interrupt.
 *
 * The bare-metal guests only write THR and never enable interrupts; they
 * see the same device.  Without an OS platform no IRQ is ever raised.
 */
#include <errno.h>
#include <string.h>

#include "vmm/vmm.h"

#define UART_IRQ	4

#define UART_RBR_THR	0	/* DLAB: DLL */
#define UART_IER	1	/* DLAB: DLM */
#define UART_IIR_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* transmitter holding register empty */
#define IER_RLSI	0x04	/* receiver line status */
#define IER_MSI		0x08	/* modem status */
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFOS	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

static bool uart_tx_ready(const struct vmm *vm)
{
	return !vmm_console_full(vm);
}

/* The highest-priority pending cause, as IIR reports it. */
static uint8_t uart_iir(const struct vmm *vm)
{
	const struct vmm_uart *u = &vm->uart;
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFOS : 0;

	if ((u->ier & IER_RDI) && u->rx_len)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

static void uart_update_irq(struct vmm *vm)
{
	struct vmm_uart *u = &vm->uart;
	bool level = (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP) &&
		     !(uart_iir(vm) & IIR_NO_INT);

	if (!vm->cfg.os_platform || level == u->irq_level)
		return;
	u->irq_level = level;
	vmm_irq_line(vm, UART_IRQ, level);
}

static void uart_rx_put(struct vmm_uart *u, uint8_t c)
{
	if (u->rx_len == VMM_UART_RX_SIZE)
		return;		/* overrun: the byte is lost, as on the chip */
	u->rx[(u->rx_head + u->rx_len++) % VMM_UART_RX_SIZE] = c;
}

size_t vmm_uart_rx_room(const struct vmm *vm)
{
	return VMM_UART_RX_SIZE - vm->uart.rx_len;
}

size_t vmm_uart_rx_push(struct vmm *vm, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	for (; n < len && vm->uart.rx_len < VMM_UART_RX_SIZE; n++)
		uart_rx_put(&vm->uart, buf[n]);
	uart_update_irq(vm);
	return n;
}

static void uart_write_thr(struct vmm *vm, uint8_t c)
{
	struct vmm_uart *u = &vm->uart;

	if (u->mcr & MCR_LOOP)
		uart_rx_put(u, c);	/* loopback: straight to our receiver */
	else
		vmm_console_put(vm, c);	/* a full ring drops it; THRE said busy */
	u->thre_pending = uart_tx_ready(vm);
}

static void uart_write(struct vmm *vm, uint64_t off, uint8_t v)
{
	struct vmm_uart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;

	switch (off) {
	case UART_RBR_THR:
		if (dlab)
			u->dll = v;
		else
			uart_write_thr(vm, v);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		/* Switching ETBEI on with THR empty raises THRE at once. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI) && uart_tx_ready(vm))
			u->thre_pending = true;
		u->ier = v & (IER_RDI | IER_THRI | IER_RLSI | IER_MSI);
		break;
	case UART_IIR_FCR:
		u->fcr = v & FCR_ENABLE;
		if (v & FCR_CLEAR_RX)
			u->rx_len = 0;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & (MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2 | MCR_LOOP);
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:		/* LSR, MSR: read-only */
		break;
	}
}

static uint8_t uart_msr(const struct vmm_uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;	/* a cable that is always there */
	return ((u->mcr & MCR_RTS) ? MSR_CTS : 0) | ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
	       ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0);
}

static uint8_t uart_read(struct vmm *vm, uint64_t off)
{
	struct vmm_uart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v;

	switch (off) {
	case UART_RBR_THR:
		if (dlab)
			return u->dll;
		if (!u->rx_len)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % VMM_UART_RX_SIZE;
		if (u->rx_len-- == VMM_UART_RX_SIZE)
			vmm_wake(vm);	/* room again: the console reads on */
		return v;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR:
		v = uart_iir(vm);
		if ((v & 0x0f) == IIR_THRI)
			u->thre_pending = false;	/* reading the cause clears it */
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return (u->rx_len ? LSR_DR : 0) |
		       (uart_tx_ready(vm) ? LSR_THRE | LSR_TEMT : 0);
	case UART_MSR:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static int vmm_uart_io(struct vmm *vm, void *opaque, uint64_t off,
		       uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque;
	/* Byte registers; a wider access touches only the first one. */
	if (is_write) {
		uart_write(vm, off, data[0]);
	} else {
		memset(data, 0, len);
		data[0] = uart_read(vm, off);
	}
	uart_update_irq(vm);
	return 0;
}

/* The console made room in its ring: THR is empty again. */
void vmm_uart_tx_room(struct vmm *vm)
{
	vm->uart.thre_pending = true;
	uart_update_irq(vm);
}

int vmm_uart_init(struct vmm *vm)
{
	return vmm_io_register(&vm->pio, VMM_PORT_SERIAL, 8, vmm_uart_io, NULL,
			       "uart");
}
