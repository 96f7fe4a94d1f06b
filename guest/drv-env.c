// SPDX-License-Identifier: MIT
/*
 * guest/drv-env.c — the guest's side of drivers/driver.h: BAR pointers are
 * the guest-physical BAR addresses (identity-mapped), DMA addresses are
 * guest-physical addresses (the VMM maps guest RAM at IOVA = GPA), delays
 * read the VMM's clock port.
 */
#include "guest/rt.h"
#include "guest/drv-env.h"

static void env_delay(void *opaque, uint32_t us)
{
	(void)opaque;
	delay_us(us);
}

static void intx_ack(void *arg)
{
	struct guest_drv *g = arg;

	if (g->drv.ops && g->drv.ops->irq_ack)
		g->drv.ops->irq_ack(&g->drv);
}

int guest_drv_open(struct guest_drv *g, uint16_t vendor, uint16_t device,
		   uint8_t vector_base, enum guest_irq_mode mode)
{
	const struct pt_driver *ops;
	int ret;

	memset(g, 0, sizeof(*g));
	if (pci_find(vendor, device, 0, &g->pci)) {
		printf("guest: no %04x:%04x device on the bus\n", vendor, device);
		return -1;
	}
	ops = pt_driver_find(vendor, device);
	if (!ops) {
		printf("guest: no driver for %04x:%04x\n", vendor, device);
		return -1;
	}
	for (int i = 0; i < 6; i++) {
		if (g->pci.bar_size[i])
			printf("guest: %s BAR%d %s 0x%lx size 0x%lx\n", ops->name, i,
			       g->pci.bar_io[i] ? "io" : "mem",
			       (unsigned long)g->pci.bar[i],
			       (unsigned long)g->pci.bar_size[i]);
		if (g->pci.bar_size[i] && !g->pci.bar_io[i]) {
			g->env.bar[i] = (volatile uint8_t *)g->pci.bar[i];
			g->env.bar_size[i] = g->pci.bar_size[i];
		}
	}
	pci_enable(&g->pci);
	if (mode == GUEST_IRQ_INTX) {
		uint8_t line = pci_cfg_read(g->pci.devfn, 0x3c, 1);
		uint8_t pin = pci_cfg_read(g->pci.devfn, 0x3d, 1);

		if (!pin || ioapic_route(line, vector_base)) {
			printf("guest: %s: no INTx (pin %u, line %u)\n", ops->name, pin, line);
			return -1;
		}
		irq_set_handler(vector_base, intx_ack, g);
		/* INTx enable: command bit 10 clear */
		pci_cfg_write(g->pci.devfn, 0x04, 2,
			      pci_cfg_read(g->pci.devfn, 0x04, 2) & ~0x400);
		printf("guest: %s INTx pin %c -> IOAPIC pin %u -> vector 0x%x\n",
		       ops->name, 'A' + pin - 1, line, vector_base);
	} else if (mode == GUEST_IRQ_MSIX && g->pci.msix_cap) {
		for (uint32_t v = 0; v < ops->nr_vectors; v++)
			pci_msix_enable(&g->pci, v, vector_base + v);
		printf("guest: %s MSI-X vectors %u -> 0x%x..0x%x\n", ops->name,
		       ops->nr_vectors, vector_base, vector_base + ops->nr_vectors - 1);
	} else if (g->pci.msi_cap) {
		pci_msi_enable(&g->pci, vector_base);
		printf("guest: %s MSI -> vector 0x%x\n", ops->name, vector_base);
	} else {
		printf("guest: %s has no MSI/MSI-X: polling only\n", ops->name);
	}
	g->env.delay_us = env_delay;
	if (ops->scratch_size_min) {
		g->env.scratch = guest_alloc(4096, 4096);
		g->env.scratch_iova = (uint64_t)g->env.scratch;
		g->env.scratch_size = 4096;
	}
	ret = pt_drv_init(&g->drv, ops, &g->env, vendor, device);
	if (ret) {
		printf("guest: %s init failed (%d)\n", ops->name, ret);
		return -1;
	}
	printf("guest: %s ready at 00:%02x.0\n", ops->name, g->pci.devfn >> 3);
	return 0;
}

void guest_hexdump(const char *prefix, const uint8_t *p, uint32_t len)
{
	printf("%s", prefix);
	for (uint32_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}
