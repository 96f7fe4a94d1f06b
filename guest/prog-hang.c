// SPDX-License-Identifier: MIT
/* hang — never exits: `--guest-arg spin` loops, otherwise halts with
 * interrupts off (the vCPU blocks in the kernel).  Only --timeout ends it. */
#include "guest/rt.h"

int guest_main(struct vmm_boot_info *bi)
{
	bool spin = !strcmp(bi->arg, "spin");

	printf("hanging (%s)\n", spin ? "spin" : "halt");
	for (;;) {
		if (spin)
			__asm__ volatile("pause");
		else
			__asm__ volatile("cli; hlt");
	}
}
