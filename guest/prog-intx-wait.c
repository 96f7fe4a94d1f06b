// SPDX-License-Identifier: MIT
/*
 * intx-wait — routes the membar test device's INTx (the IOAPIC pin its
 * interrupt line register names) to vector 0x42, level-triggered, writes
 * "READY" (0x52454459) at BAR0 offset 0, and waits for the interrupt the
 * host raises on the device's INTx eventfd (VFIO's role).  The handler
 * acknowledges by writing the count at BAR0 offset 4 before the EOI, which
 * makes KVM signal the resample eventfd (VFIO's unmask).
 */
#include "guest/rt.h"

#define VEC 0x42

static volatile uint32_t *bar;

static void ack(void *arg)
{
	(void)arg;
	bar[1] = irq_count(VEC);
}

int guest_main(struct vmm_boot_info *bi)
{
	struct pci_dev d;
	uint8_t line;
	uint32_t n;

	if (pci_find(0x1b36, 0x0005, 0, &d)) {
		printf("intx-wait: membar not found\n");
		return 1;
	}
	pci_enable(&d);
	bar = (volatile uint32_t *)d.bar[0];
	line = pci_cfg_read(d.devfn, 0x3c, 1);
	if (ioapic_route(line, VEC)) {
		printf("intx-wait: cannot route IOAPIC pin %u\n", line);
		return 1;
	}
	irq_set_handler(VEC, ack, NULL);
	bar[0] = 0x52454459;
	n = irq_wait(VEC, 0, 5000000);
	/* a second interrupt would mean the level was not de-asserted */
	delay_us(20000);
	printf("intx-wait: IOAPIC pin %u vector 0x%x count %u\n", line, VEC, irq_count(VEC));
	(void)bi;
	return n == 1 && irq_count(VEC) == 1 ? 0 : 1;
}
