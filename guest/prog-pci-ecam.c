// SPDX-License-Identifier: MIT
/*
 * pci-ecam — ECAM and configuration mechanism #1 must show the same config
 * space: every dword of every function read both ways, a BAR sizing probe
 * written through ECAM and read back through CF8, and extended config
 * space (>= 0x100) empty.  Exit 0 when all of it held.
 */
#include "guest/rt.h"

static uint64_t ecam(uint8_t devfn, uint32_t reg)
{
	return boot_info->ecam_base + ((uint64_t)devfn << 12) + reg;
}

int guest_main(struct vmm_boot_info *bi)
{
	int funcs = 0, bad = 0;

	for (int slot = 0; slot < 32; slot++) {
		uint8_t devfn = slot << 3;
		uint32_t id = pci_cfg_read(devfn, 0, 4), bar, size;

		if (mmio_read32(ecam(devfn, 0)) != id)
			bad++;
		if (id == 0xffffffff)
			continue;
		funcs++;
		for (uint32_t reg = 0; reg < 0x100; reg += 4)
			if (mmio_read32(ecam(devfn, reg)) != pci_cfg_read(devfn, reg, 4)) {
				printf("pci-ecam: 00:%02x.0 reg 0x%02x differs\n", slot, reg);
				bad++;
			}
		if (*(volatile uint16_t *)ecam(devfn, 2) != id >> 16)
			bad++;
		if (mmio_read32(ecam(devfn, 0x100)) != 0)
			bad++;
		bar = pci_cfg_read(devfn, 0x10, 4);
		if (!slot || !bar)
			continue;
		mmio_write32(ecam(devfn, 0x10), 0xffffffff);
		size = pci_cfg_read(devfn, 0x10, 4);
		mmio_write32(ecam(devfn, 0x10), bar);
		if (size == 0xffffffff || pci_cfg_read(devfn, 0x10, 4) != bar)
			bad++;
		printf("pci-ecam: 00:%02x.0 BAR0 0x%x sized 0x%x through ECAM\n", slot,
		       bar, ~(size & ~0xfu) + 1);
	}
	printf("pci-ecam: %d function(s), %d difference(s)\n", funcs, bad);
	(void)bi;
	return bad ? 1 : 0;
}
