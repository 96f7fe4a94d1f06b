// SPDX-License-Identifier: MIT
/*
 * vmm/i8042.c — the PC keyboard controller, for its reset line.
 *
 * Linux reboots a PC by pulsing the CPU reset line through the i8042
 * (command 0xfe to port 0x64; our default command line says reboot=k).
 * That ends the run.  Whether it was an orderly reboot or a panic's
 * emergency restart is read from the BIOS warm-boot flag at 0x472: the
 * kernel writes 0x1234 there before a warm reset and 0 before a cold one,
 * and our default reboot=k,panic_warm makes only panic() reboot warm.  An
 * orderly reboot stops the run with status 0 (VMM_STOP_RESET); a panic with
 * status 125.
 *
 * The rest is the minimum for Linux's i8042 driver to find a controller
 * with no keyboard or mouse behind it quickly (with i8042.dumbkbd and
 * i8042.noaux on the command line it sends no device commands): the
 * command byte (CTR) can be read and written, the self tests pass, the
 * status register shows the output buffer when a reply waits there.
 * Like Firecracker's; kvmtool emulates a full keyboard instead.
 */
#include <string.h>

#include "vmm/vmm.h"

#define KBC_DATA		0x60
#define KBC_CMD_STATUS		0x64

#define STATUS_OBF		0x01	/* a byte waits in the output buffer */
#define STATUS_SYS		0x04	/* self test passed since power on */
#define STATUS_CMD		0x08	/* last write was a command */
#define STATUS_UNLOCKED		0x10	/* keyboard not inhibited by the keylock */

#define CMD_READ_CTR		0x20
#define CMD_WRITE_CTR		0x60
#define CMD_AUX_TEST		0xa9
#define CMD_SELF_TEST		0xaa
#define CMD_KBD_TEST		0xab
#define CMD_READ_OUTPUT		0xd0
#define CMD_WRITE_OUTPUT	0xd1
#define CMD_PULSE_RESET		0xfe

#define SELF_TEST_OK		0x55
#define BIOS_WARM_FLAG		0x472
#define BIOS_WARM_MAGIC		0x1234

static void kbc_reply(struct vmm *vm, uint8_t v)
{
	vm->kbc_out = v;
	vm->kbc_out_full = true;
}

static void kbc_reset(struct vmm *vm)
{
	uint16_t *flag = vmm_gpa_to_hva(vm, BIOS_WARM_FLAG, 2);

	if (vm->stop != VMM_RUNNING)
		return;
	if (flag && *flag == BIOS_WARM_MAGIC) {
		vmm_stop_fault(vm, "the guest kernel panicked and reset the machine "
			       "(i8042 reset after a warm-boot flag; see the console)");
		return;
	}
	vm->stop = VMM_STOP_RESET;
}

static void kbc_command(struct vmm *vm, uint8_t cmd)
{
	vm->kbc_cmd = 0;
	switch (cmd) {
	case CMD_READ_CTR:
		kbc_reply(vm, vm->kbc_ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPUT:
		vm->kbc_cmd = cmd;	/* the data byte follows on port 0x60 */
		break;
	case CMD_SELF_TEST:
		kbc_reply(vm, SELF_TEST_OK);
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		kbc_reply(vm, 0x00);	/* "no error" */
		break;
	case CMD_READ_OUTPUT:
		kbc_reply(vm, 0x01);	/* reset line inactive */
		break;
	case CMD_PULSE_RESET:
		kbc_reset(vm);
		break;
	default:
		break;			/* enable/disable ports and the like */
	}
}

static void kbc_data(struct vmm *vm, uint8_t v)
{
	switch (vm->kbc_cmd) {
	case CMD_WRITE_CTR:
		vm->kbc_ctr = v;
		break;
	case CMD_WRITE_OUTPUT:
		if (!(v & 0x01))	/* bit 0 low: the reset line asserted */
			kbc_reset(vm);
		break;
	default:
		break;			/* to a keyboard that is not there */
	}
	vm->kbc_cmd = 0;
}

static int vmm_i8042_io(struct vmm *vm, void *opaque, uint64_t off,
			uint8_t *data, uint32_t len, bool is_write)
{
	uint64_t port = (uint64_t)(uintptr_t)opaque;

	if (is_write) {
		if (port == KBC_CMD_STATUS)
			kbc_command(vm, data[0]);
		else
			kbc_data(vm, data[0]);
		return 0;
	}
	memset(data, 0, len);
	if (port == KBC_CMD_STATUS) {
		data[0] = STATUS_SYS | STATUS_UNLOCKED | (vm->kbc_cmd ? STATUS_CMD : 0) |
			  (vm->kbc_out_full ? STATUS_OBF : 0);
	} else {
		data[0] = vm->kbc_out;
		vm->kbc_out_full = false;
	}
	return 0;
}

int vmm_i8042_init(struct vmm *vm)
{
	vm->kbc_ctr = 0x00;	/* no interrupts, both ports enabled */
	return vmm_io_register(&vm->pio, KBC_DATA, 1, vmm_i8042_io,
			       (void *)(uintptr_t)KBC_DATA, "i8042-data") ?:
	       vmm_io_register(&vm->pio, KBC_CMD_STATUS, 1, vmm_i8042_io,
			       (void *)(uintptr_t)KBC_CMD_STATUS, "i8042-cmd");
}
