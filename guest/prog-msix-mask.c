// SPDX-License-Identifier: MIT
/*
 * msix-mask — MSI-X masking on the membar test device: entry 0 -> vector
 * 0x44, masked; the host signals the vector's eventfd (VFIO's role) and
 * sets BAR0 dword 2; while masked no interrupt may arrive and the PBA must
 * show the vector pending; unmasking must deliver it exactly once and
 * clear the pending bit.
 */
#include "guest/rt.h"

#define VEC 0x44

int guest_main(struct vmm_boot_info *bi)
{
	struct pci_dev d;
	volatile uint32_t *bar;
	uint64_t table, pba;
	uint32_t pending, after;
	int bad = 0;

	if (pci_find(0x1b36, 0x0005, 0, &d) || !d.msix_cap) {
		printf("msix-mask: membar with MSI-X not found\n");
		return 1;
	}
	pci_enable(&d);
	bar = (volatile uint32_t *)d.bar[0];
	table = d.bar[pci_cfg_read(d.devfn, d.msix_cap + 4, 4) & 7] +
		(pci_cfg_read(d.devfn, d.msix_cap + 4, 4) & ~7u);
	pba = d.bar[pci_cfg_read(d.devfn, d.msix_cap + 8, 4) & 7] +
	      (pci_cfg_read(d.devfn, d.msix_cap + 8, 4) & ~7u);
	pci_msix_enable(&d, 0, VEC);
	mmio_write32(table + 12, 1);		/* mask entry 0 */
	bar[2] = 0;
	bar[0] = 0x4d41534b;			/* "MASK": host, fire now */
	for (int i = 0; i < 5000 && !bar[2]; i++)
		delay_us(1000);
	irq_wait(VEC, 0, 20000);		/* nothing may come */
	pending = mmio_read32(pba);
	if (!bar[2] || irq_count(VEC) || pending != 1)
		bad++;
	printf("msix-mask: masked: host fired %u, count %u, PBA 0x%x\n", bar[2],
	       irq_count(VEC), pending);
	mmio_write32(table + 12, 0);		/* unmask */
	/* Up to 5 s: the re-armed irqfd injects through a kernel worker,
	 * which a loaded 2-core CI host has been seen to delay past 1 s. */
	irq_wait(VEC, 0, 5000000);
	delay_us(20000);
	after = mmio_read32(pba);
	if (irq_count(VEC) != 1 || after != 0)
		bad++;
	printf("msix-mask: unmasked: count %u, PBA 0x%x\n", irq_count(VEC), after);
	(void)bi;
	return bad ? 1 : 0;
}
