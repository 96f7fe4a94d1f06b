// SPDX-License-Identifier: MIT
/*
 * vmm/console.c — the host side of the UART: where guest output goes and
 * where guest input comes from.
 *
 * Output: every byte the guest transmits is kept in the --json capture
 * (bounded) and queued in a ring that the control loop (vmm/run.c) writes
 * to the console's out_fd when that fd is writable.  A vCPU never waits for the
 * host's stdout: when the ring is full the UART reports a busy transmitter
 * and the guest waits for THRE, as it would behind a slow serial line.
 *
 * Input: the console's in_fd (stdin) is read by the control loop into the UART's
 * receive FIFO, only while the FIFO has room.  When it is a terminal it is
 * put in raw mode for the run (so ^C, ^Z reach the guest, as with QEMU's
 * -serial stdio) and Ctrl-A is the escape: Ctrl-A x quits (status 130),
 * Ctrl-A Ctrl-A sends one Ctrl-A.  The terminal is restored when the run
 * ends however it ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

#define CTRL_A		0x01

int vmm_console_attach(struct vmm *vm, int in_fd, int out_fd, bool raw)
{
	vm->con.in_fd = in_fd;
	vm->con.out_fd = out_fd;
	vm->con.raw = raw && in_fd >= 0;
	if (out_fd < 0 || vm->con.ring)
		return 0;
	vm->con.ring = malloc(VMM_CONSOLE_RING);
	if (!vm->con.ring)
		return pt_set_error(ENOMEM, "vmm: out of memory for the console");
	return 0;
}

int vmm_console_init(struct vmm *vm)
{
	struct termios raw;

	vm->con.in_open = vm->con.in_fd >= 0;
	if (!vm->con.raw || !vm->con.in_open)
		return 0;
	if (tcgetattr(vm->con.in_fd, &vm->con.saved_termios))
		return 0;	/* not a terminal after all: plain bytes */
	raw = vm->con.saved_termios;
	cfmakeraw(&raw);
	if (tcsetattr(vm->con.in_fd, TCSANOW, &raw))
		return pt_set_error(errno, "vmm: cannot put the console in raw mode: %s",
				    strerror(errno));
	vm->con.raw_set = true;
	return 0;
}

void vmm_console_exit(struct vmm *vm)
{
	if (vm->con.raw_set)
		tcsetattr(vm->con.in_fd, TCSANOW, &vm->con.saved_termios);
	vm->con.raw_set = false;
}

bool vmm_console_full(const struct vmm *vm)
{
	return vm->con.ring && vm->con.len == VMM_CONSOLE_RING;
}

bool vmm_console_put(struct vmm *vm, uint8_t c)
{
	struct vmm_console *con = &vm->con;

	if (vm->serial_buf && vm->serial_len < vm->cfg.serial_capture)
		vm->serial_buf[vm->serial_len++] = c;
	if (!con->ring)
		return true;
	if (con->len == VMM_CONSOLE_RING) {
		con->dropped++;
		return false;
	}
	con->ring[(con->head + con->len++) % VMM_CONSOLE_RING] = c;
	if (con->len == 1)
		vmm_wake(vm);	/* the control loop sleeps while there is none */
	return true;
}

/* ---- control loop side ----------------------------------------------------- */

void vmm_console_poll_fds(struct vmm *vm, struct pollfd *in, struct pollfd *out)
{
	in->fd = -1;
	out->fd = -1;
	in->events = POLLIN;
	out->events = POLLOUT;
	pthread_mutex_lock(&vm->lock);
	if (vm->con.in_open && vmm_uart_rx_room(vm))
		in->fd = vm->con.in_fd;
	if (vm->con.ring && vm->con.len)
		out->fd = vm->con.out_fd;
	pthread_mutex_unlock(&vm->lock);
}

/* Raw-mode escapes: returns how many bytes of buf remain for the guest
 * (moved to its front). */
static size_t console_escapes(struct vmm *vm, uint8_t *buf, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = buf[i];

		if (!vm->con.escape) {
			if (c == CTRL_A)
				vm->con.escape = true;
			else
				buf[out++] = c;
			continue;
		}
		vm->con.escape = false;
		if (c == 'x' || c == 'X') {
			if (vm->stop == VMM_RUNNING)
				vm->stop = VMM_STOP_QUIT;
			return out;
		}
		if (c == CTRL_A)
			buf[out++] = c;
		/* anything else after Ctrl-A is swallowed */
	}
	return out;
}

void vmm_console_input(struct vmm *vm)
{
	uint8_t buf[VMM_UART_RX_SIZE];
	size_t room;
	ssize_t n;

	pthread_mutex_lock(&vm->lock);
	room = vmm_uart_rx_room(vm);
	pthread_mutex_unlock(&vm->lock);
	if (!room)
		return;
	n = read(vm->con.in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		vm->con.in_open = false;	/* EOF or error: no more input */
		return;
	}
	pthread_mutex_lock(&vm->lock);
	if (vm->con.raw_set)
		n = console_escapes(vm, buf, n);
	vmm_uart_rx_push(vm, buf, n);
	pthread_mutex_unlock(&vm->lock);
}

/* Takes up to len bytes off the ring into buf. */
static size_t console_take(struct vmm *vm, char *buf, size_t len)
{
	struct vmm_console *con = &vm->con;
	bool was_full;
	size_t n = 0;

	pthread_mutex_lock(&vm->lock);
	was_full = con->len == VMM_CONSOLE_RING;
	while (n < len && con->len) {
		size_t chunk = VMM_CONSOLE_RING - con->head;

		if (chunk > con->len)
			chunk = con->len;
		if (chunk > len - n)
			chunk = len - n;
		memcpy(buf + n, con->ring + con->head, chunk);
		con->head = (con->head + chunk) % VMM_CONSOLE_RING;
		con->len -= chunk;
		n += chunk;
	}
	if (was_full && n)
		vmm_uart_tx_room(vm);
	pthread_mutex_unlock(&vm->lock);
	return n;
}

/*
 * Writes queued output: one pipe-buffer's worth when the fd polled
 * writable (so the write cannot block), or everything when the run is over.
 * A console that cannot be written (closed pipe) stops taking output.
 */
void vmm_console_output(struct vmm *vm, bool all)
{
	char buf[4096];
	size_t n, off;
	ssize_t w;

	do {
		n = console_take(vm, buf, sizeof(buf));
		for (off = 0; off < n; off += w) {
			w = write(vm->con.out_fd, buf + off, n - off);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0) {
				pthread_mutex_lock(&vm->lock);
				free(vm->con.ring);	/* nobody reads it: drop from now on */
				vm->con.ring = NULL;
				vm->con.len = 0;
				pthread_mutex_unlock(&vm->lock);
				return;
			}
		}
	} while (all && n);
}
