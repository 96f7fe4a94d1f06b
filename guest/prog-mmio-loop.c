// SPDX-License-Identifier: MIT
/* mmio-loop — writes guest-physical 0xd0000000 (in the MMIO window, no BAR
 * there unless a benchmark registers a handler) forever: the MMIO
 * round-trip benchmark. */
#include "guest/rt.h"

int guest_main(struct vmm_boot_info *bi)
{
	(void)bi;
	mark(0);
	for (;;)
		mmio_write32(0xd0000000ULL, 0);
}
