// SPDX-License-Identifier: MIT
/*
 * guest/pci.c — PCI over configuration mechanism #1, bus 0.
 *
 * The VMM plays firmware: BARs arrive programmed inside its MMIO window;
 * the guest reads them, sizes them (the probe the VMM must answer), and
 * turns decode and bus mastering on.
 */
#include "guest/rt.h"

static void pci_addr(uint8_t devfn, uint8_t off)
{
	outl(VMM_PORT_PCI_ADDR, 0x80000000u | (uint32_t)devfn << 8 | (off & 0xfc));
}

uint32_t pci_cfg_read(uint8_t devfn, uint8_t off, int len)
{
	pci_addr(devfn, off);
	switch (len) {
	case 1:
		return inb(VMM_PORT_PCI_DATA + (off & 3));
	case 2:
		return inw(VMM_PORT_PCI_DATA + (off & 2));
	default:
		return inl(VMM_PORT_PCI_DATA);
	}
}

void pci_cfg_write(uint8_t devfn, uint8_t off, int len, uint32_t v)
{
	pci_addr(devfn, off);
	switch (len) {
	case 1:
		outb(VMM_PORT_PCI_DATA + (off & 3), v);
		break;
	case 2:
		outw(VMM_PORT_PCI_DATA + (off & 2), v);
		break;
	default:
		outl(VMM_PORT_PCI_DATA, v);
		break;
	}
}

uint8_t pci_find_cap(uint8_t devfn, uint8_t id)
{
	uint8_t pos;

	if (!(pci_cfg_read(devfn, 0x06, 2) & 0x10))
		return 0;
	pos = pci_cfg_read(devfn, 0x34, 1) & 0xfc;
	for (int n = 0; pos >= 0x40 && n < 48; n++) {
		if (pci_cfg_read(devfn, pos, 1) == id)
			return pos;
		pos = pci_cfg_read(devfn, pos + 1, 1) & 0xfc;
	}
	return 0;
}

static void pci_read_bars(struct pci_dev *d)
{
	for (int i = 0; i < 6; i++) {
		uint8_t off = 0x10 + 4 * i;
		uint32_t lo = pci_cfg_read(d->devfn, off, 4), szlo, hi = 0, szhi = 0;
		bool is64 = (lo & 7) == 4;

		d->bar_io[i] = lo & 1;
		pci_cfg_write(d->devfn, off, 4, 0xffffffff);
		szlo = pci_cfg_read(d->devfn, off, 4);
		pci_cfg_write(d->devfn, off, 4, lo);
		if (is64 && i < 5) {
			hi = pci_cfg_read(d->devfn, off + 4, 4);
			pci_cfg_write(d->devfn, off + 4, 4, 0xffffffff);
			szhi = pci_cfg_read(d->devfn, off + 4, 4);
			pci_cfg_write(d->devfn, off + 4, 4, hi);
		}
		if (d->bar_io[i]) {
			d->bar[i] = lo & ~3u;
			d->bar_size[i] = szlo ? (uint16_t)(~(szlo & ~3u) + 1) : 0;
		} else {
			uint64_t mask = (uint64_t)szhi << 32 | (szlo & ~0xfu);

			if (!is64)
				mask |= 0xffffffff00000000ULL;
			d->bar[i] = ((uint64_t)hi << 32) | (lo & ~0xfu);
			d->bar_size[i] = (szlo & ~0xfu) ? ~mask + 1 : 0;
		}
		if (is64)
			i++;
	}
}

int pci_find(uint16_t vendor, uint16_t device, int n, struct pci_dev *out)
{
	for (int slot = 0; slot < 32; slot++) {
		uint8_t devfn = slot << 3;
		uint32_t id = pci_cfg_read(devfn, 0, 4);

		if (id == 0xffffffff)
			continue;
		if ((vendor != 0xffff && (id & 0xffff) != vendor) ||
		    (device != 0xffff && (id >> 16) != device))
			continue;
		if (n--)
			continue;
		memset(out, 0, sizeof(*out));
		out->devfn = devfn;
		out->vendor = id & 0xffff;
		out->device = id >> 16;
		pci_read_bars(out);
		out->msi_cap = pci_find_cap(devfn, 0x05);
		out->msix_cap = pci_find_cap(devfn, 0x11);
		return 0;
	}
	return -1;
}

int pci_list(void)
{
	int count = 0;

	for (int slot = 0; slot < 32; slot++) {
		uint32_t id = pci_cfg_read(slot << 3, 0, 4);
		uint32_t cls = pci_cfg_read(slot << 3, 8, 4);

		if (id == 0xffffffff)
			continue;
		printf("pci 00:%02x.0 %04x:%04x class %06x\n", slot, id & 0xffff,
		       id >> 16, cls >> 8);
		count++;
	}
	return count;
}

void pci_enable(struct pci_dev *d)
{
	uint16_t cmd = pci_cfg_read(d->devfn, 0x04, 2);

	pci_cfg_write(d->devfn, 0x04, 2, cmd | 0x7);
}

int pci_msi_enable(struct pci_dev *d, uint8_t vector)
{
	uint8_t c = d->msi_cap;
	uint16_t ctrl;

	if (!c)
		return -1;
	ctrl = pci_cfg_read(d->devfn, c + 2, 2);
	pci_cfg_write(d->devfn, c + 4, 4, VMM_LAPIC_BASE | apic_id() << 12);
	if (ctrl & 0x80) {
		pci_cfg_write(d->devfn, c + 8, 4, 0);
		pci_cfg_write(d->devfn, c + 12, 2, vector);
	} else {
		pci_cfg_write(d->devfn, c + 8, 2, vector);
	}
	pci_cfg_write(d->devfn, c + 2, 2, (ctrl & ~0x70) | 1);
	return 0;
}

int pci_msix_enable(struct pci_dev *d, int entry, uint8_t vector)
{
	uint8_t c = d->msix_cap;
	uint16_t ctrl;
	uint32_t table;
	uint64_t e;

	if (!c)
		return -1;
	ctrl = pci_cfg_read(d->devfn, c + 2, 2);
	if (entry > (ctrl & 0x7ff))
		return -1;
	table = pci_cfg_read(d->devfn, c + 4, 4);
	e = d->bar[table & 7] + (table & ~7u) + 16 * entry;
	mmio_write32(e + 0, VMM_LAPIC_BASE | apic_id() << 12);
	mmio_write32(e + 4, 0);
	mmio_write32(e + 8, vector);
	mmio_write32(e + 12, 0);	/* unmask */
	pci_cfg_write(d->devfn, c + 2, 2, (ctrl & ~0x4000) | 0x8000);
	return 0;
}
