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

static uint32_t pci_class(const struct pci_dev *d)
{
	return pci_cfg_read(d->devfn, 0x08, 4) >> 8;
}

/* Brings up the device in g->pci with ops: decode, interrupts, driver. */
static int open_dev(struct guest_drv *g, const struct pt_driver *ops,
		    uint8_t vector_base, enum guest_irq_mode mode)
{
	int ret;

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
	/* the guest is built with these drivers: its env is their ABI's */
	g->env.size = sizeof(g->env);
	g->env.abi = PT_DRV_ABI;
	g->env.delay_us = env_delay;
	if (ops->scratch_size_min) {
		size_t n = (ops->scratch_size_min + 4095) & ~(size_t)4095;

		g->env.scratch = guest_alloc(n, 4096);
		g->env.scratch_iova = (uint64_t)g->env.scratch;
		g->env.scratch_size = n;
	}
	ret = pt_drv_init(&g->drv, ops, &g->env, g->pci.vendor, g->pci.device,
			  pci_class(&g->pci));
	if (ret) {
		printf("guest: %s init failed (%d)%s%s%s%s%s\n", ops->name, ret,
		       g->drv.why ? ": " : "", g->drv.why ? g->drv.why : "",
		       g->drv.detail ? " (" : "", g->drv.detail ? g->drv.detail : "",
		       g->drv.detail ? ")" : "");
		return ret;
	}
	printf("guest: %s ready at 00:%02x.0\n", ops->name, g->pci.devfn >> 3);
	if (g->drv.has_mac)
		printf("guest: %s MAC address %02x:%02x:%02x:%02x:%02x:%02x\n", ops->name,
		       g->drv.mac[0], g->drv.mac[1], g->drv.mac[2], g->drv.mac[3],
		       g->drv.mac[4], g->drv.mac[5]);
	return 0;
}

int guest_drv_open(struct guest_drv *g, uint16_t vendor, uint16_t device,
		   uint8_t vector_base, enum guest_irq_mode mode)
{
	const struct pt_driver *ops;

	memset(g, 0, sizeof(*g));
	if (pci_find(vendor, device, 0, &g->pci)) {
		printf("guest: no %04x:%04x device on the bus\n", vendor, device);
		return -1;
	}
	ops = pt_driver_find(vendor, device, pci_class(&g->pci));
	if (!ops) {
		printf("guest: no driver for %04x:%04x\n", vendor, device);
		return -1;
	}
	return open_dev(g, ops, vector_base, mode) ? -1 : 0;
}

int guest_drv_open_any(struct guest_drv *g, const char *const names[],
		       uint8_t vector_base, enum guest_irq_mode mode,
		       const struct pt_drv_env *want, int *err)
{
	const struct pt_driver *ops;
	int ret;

	memset(g, 0, sizeof(*g));
	if (want) {
		g->env.scratch_nsid = want->scratch_nsid;
		g->env.scratch_lba = want->scratch_lba;
		g->env.scratch_lbas = want->scratch_lbas;
		g->env.timeout_us = want->timeout_us;
	}
	for (int n = 0; pci_find(0xffff, 0xffff, n, &g->pci) == 0; n++) {
		ops = pt_driver_find(g->pci.vendor, g->pci.device, pci_class(&g->pci));
		for (int i = 0; ops && names[i]; i++) {
			if (strcmp(ops->name, names[i]))
				continue;
			ret = open_dev(g, ops, vector_base, mode);
			if (err)
				*err = ret;
			return ret ? -1 : 0;
		}
	}
	printf("guest: no device with a %s%s%s driver on the bus\n", names[0],
	       names[1] ? " or " : "", names[1] ? names[1] : "");
	if (err)
		*err = 0;
	return -1;
}

void guest_hexdump(const char *prefix, const uint8_t *p, uint32_t len)
{
	printf("%s", prefix);
	for (uint32_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}
