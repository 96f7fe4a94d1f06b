// SPDX-License-Identifier: MIT
/*
 * pci-garbage — writes junk to the PCI configuration ports (every width and
 * offset of CF8..CFF, bus/device/function numbers nobody decodes, offsets
 * past 0x100 through the register bits, read-only and reserved registers of
 * the devices present), then checks that the bus still answers the same:
 * same functions, same IDs, host bridge intact.  Exit 0 when intact.
 */
#include "guest/rt.h"

static uint32_t seed = 0x12345678;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

int guest_main(struct vmm_boot_info *bi)
{
	uint32_t ids[32], after;
	int bad = 0;

	for (int s = 0; s < 32; s++)
		ids[s] = pci_cfg_read(s << 3, 0, 4);
	for (int i = 0; i < 20000; i++) {
		uint16_t port = 0xcf8 + (rnd() & 7);
		uint32_t v = rnd();

		/* keep the header and capability area of real devices: the
		 * point is junk on the ports, plus below, junk on registers */
		switch (rnd() % 6) {
		case 0: outb(port, v); break;
		case 1: outw(port & ~1, v); break;
		case 2: outl(port & ~3, v); break;
		case 3: (void)inb(port); break;
		case 4: (void)inw(port & ~1); break;
		default: (void)inl(port & ~3); break;
		}
	}
	/* Registers a guest must not change: IDs, class, header type, cap ptr. */
	for (int s = 0; s < 32; s++) {
		if (ids[s] == 0xffffffff)
			continue;
		pci_cfg_write(s << 3, 0x00, 4, 0x11112222);
		pci_cfg_write(s << 3, 0x08, 4, 0x33334444);
		pci_cfg_write(s << 3, 0x0c, 4, 0xffffffff);
		pci_cfg_write(s << 3, 0x30, 4, 0xffffffff);
		pci_cfg_write(s << 3, 0x34, 1, 0x44);
		for (int off = 0x40; off < 0x100; off += 4)
			if (off != pci_find_cap(s << 3, 0x05) && off != pci_find_cap(s << 3, 0x11))
				pci_cfg_write(s << 3, off, 4, rnd());
	}
	for (int s = 0; s < 32; s++) {
		after = pci_cfg_read(s << 3, 0, 4);
		if (after != ids[s]) {
			printf("slot %d: id 0x%08x became 0x%08x\n", s, ids[s], after);
			bad++;
		}
		if (ids[s] != 0xffffffff && (pci_cfg_read(s << 3, 0x30, 4) ||
					     (pci_cfg_read(s << 3, 0x0c, 4) & 0x00800000))) {
			printf("slot %d: ROM BAR or multifunction bit became visible\n", s);
			bad++;
		}
	}
	/* functions 1..7 and other buses are empty */
	for (int f = 1; f < 8; f++)
		if (pci_cfg_read(f, 0, 4) != 0xffffffff)
			bad++;
	outl(VMM_PORT_PCI_ADDR, 0x80000000u | 1u << 16);
	if (inl(VMM_PORT_PCI_DATA) != 0xffffffff)
		bad++;
	printf("pci-garbage: %d function(s), %d problem(s)\n", pci_list(), bad);
	(void)bi;
	return bad ? 1 : 0;
}
