// SPDX-License-Identifier: MIT
/*
 * membar — finds the VMM's memfd-BAR test device (1b36:0005), checks the
 * BAR sizing probe, enables decode, writes a pattern through the BAR (a KVM
 * memory slot: no exits) and moves the BAR once to prove the VMM follows a
 * guest-programmed address.  The host side reads the memfd.
 */
#include "guest/rt.h"

int guest_main(struct vmm_boot_info *bi)
{
	struct pci_dev d;
	volatile uint32_t *p;
	uint64_t moved;

	if (pci_find(0x1b36, 0x0005, 0, &d)) {
		printf("membar: device 1b36:0005 not found\n");
		return 1;
	}
	printf("membar: 00:%02x.0 BAR0 0x%lx size 0x%lx\n", d.devfn >> 3,
	       (unsigned long)d.bar[0], (unsigned long)d.bar_size[0]);
	pci_enable(&d);
	p = (volatile uint32_t *)d.bar[0];
	for (uint64_t i = 0; i < d.bar_size[0] / 4; i++)
		p[i] = 0xa5000000u | (uint32_t)i;
	if (p[1] != 0xa5000001u)
		return 2;
	/* Move the BAR one BAR-size up and write a marker at its start. */
	moved = d.bar[0] + d.bar_size[0] * 4;
	pci_cfg_write(d.devfn, 0x10, 4, moved);
	if (pci_cfg_read(d.devfn, 0x10, 4) != moved) {
		printf("membar: BAR did not take 0x%lx\n", (unsigned long)moved);
		return 3;
	}
	p = (volatile uint32_t *)moved;
	p[0] = 0x5a5a5a5a;
	printf("membar: wrote %lu dwords, moved BAR to 0x%lx\n",
	       (unsigned long)(d.bar_size[0] / 4), (unsigned long)moved);
	(void)bi;
	return 0;
}
