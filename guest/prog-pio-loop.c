// SPDX-License-Identifier: MIT
/* pio-loop — writes port 0x80 forever (the PIO round-trip benchmark; the
 * VMM stops it after a set count). */
#include "guest/rt.h"

int guest_main(struct vmm_boot_info *bi)
{
	(void)bi;
	mark(0);
	for (;;)
		outb(0x80, 0);
}
