// SPDX-License-Identifier: MIT
/* exit-code — exits with the number given by --guest-arg (default 42). */
#include "guest/rt.h"

int guest_main(struct vmm_boot_info *bi)
{
	int code = bi->arg[0] ? (int)strtoul_simple(bi->arg) : 42;

	printf("exiting with %d\n", code);
	return code;
}
