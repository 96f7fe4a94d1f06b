// SPDX-License-Identifier: MIT
/* hello — the no-device self-test: serial, boot info, PCI bus, exit 0. */
#include "guest/rt.h"

int guest_main(struct vmm_boot_info *bi)
{
	printf("hello from the guest: %lu MiB RAM, long mode, apic %u\n",
	       (unsigned long)(bi->mem_size >> 20), apic_id());
	printf("pci: %d function(s)\n", pci_list());
	return 0;
}
