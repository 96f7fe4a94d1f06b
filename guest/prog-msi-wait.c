// SPDX-License-Identifier: MIT
/*
 * msi-wait — enables MSI on the membar test device with vector 0x41, tells
 * the host it is ready by writing 0x52454459 ("READ") at BAR0 offset 0, and
 * waits for the interrupt the host raises by signalling the device's
 * eventfd (VFIO's role): eventfd -> KVM irqfd -> GSI route -> vector.
 */
#include "guest/rt.h"

#define VEC 0x41

int guest_main(struct vmm_boot_info *bi)
{
	struct pci_dev d;
	uint32_t n;

	if (pci_find(0x1b36, 0x0005, 0, &d) || !d.msi_cap) {
		printf("msi-wait: membar with MSI not found\n");
		return 1;
	}
	pci_enable(&d);
	pci_msi_enable(&d, VEC);
	mmio_write32(d.bar[0], 0x52454459);
	n = irq_wait(VEC, 0, 5000000);
	printf("msi-wait: vector 0x%x count %u\n", VEC, n);
	(void)bi;
	return n == 1 ? 0 : 1;
}
