// SPDX-License-Identifier: MIT
/* unmapped — writes to a guest-physical address that is neither RAM nor a
 * BAR (--guest-arg ADDR, default 0x80000000).  The VMM must stop the guest
 * with status 125 and name the address. */
#include "guest/rt.h"

int guest_main(struct vmm_boot_info *bi)
{
	uint64_t a = bi->arg[0] ? strtoul_simple(bi->arg) : 0x80000000ULL;

	printf("writing 0x%lx\n", (unsigned long)a);
	mmio_write32(a, 0xdeadbeef);
	printf("still running after the write\n");
	return 0;
}
