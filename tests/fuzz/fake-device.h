/* SPDX-License-Identifier: MIT */
/*
 * fake-device.h — "the device" behind a guest-facing fuzz target (vmm-pci,
 * vmm-exit): a struct vmm_pci_ops backend that records what reaches it and
 * aborts the run, naming the violation, when something reaches it that a
 * guest must never reach (audit item 11):
 *
 *  - the device's real MSI-X table or PBA: located here from the config
 *    space the input gave and the device's real vector count, never from
 *    the VMM's own bookkeeping (which is what is under test);
 *  - a config write outside what the VMM virtualises and passes on: only
 *    the command register (offset 4, 2 bytes), and in it only I/O, memory,
 *    bus master and INTx-disable;
 *  - a BAR access outside its BAR;
 *  - a KVM memory slot (guest access with no exit at all) over the MSI-X
 *    table or PBA: fake_check_slots() after each guest operation.
 */
#ifndef PASSTHRU_FUZZ_FAKE_DEVICE_H
#define PASSTHRU_FUZZ_FAKE_DEVICE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vmm.h"

struct fake_device {
	uint8_t cfg[VMM_PCI_CFG_SIZE];
	uint64_t bar_size[6];
	/* the real MSI-X structures: BAR, offset, length (0: none) */
	int table_bar, pba_bar;
	uint64_t table_off, table_len, pba_off, pba_len;
	/* what reached the device */
	uint64_t cfg_writes, bar_reads, bar_writes;
};

static struct fake_device fake;

static void fake_violation(const char *what, int bar, uint64_t off, uint64_t len)
{
	fprintf(stderr, "fake-device: VIOLATION: %s (BAR %d, offset 0x%llx, %llu "
		"bytes)\n", what, bar, (unsigned long long)off, (unsigned long long)len);
	abort();
}

/* The first MSI-X capability of the config space, as the kernel finds it
 * (pci_find_capability): table and PBA where its registers say, sized by
 * the vector count the device really has (Table Size + 1, up to 2048). */
static void fake_locate_msix(struct fake_device *f)
{
	uint8_t pos = f->cfg[0x34] & 0xfc;

	f->table_bar = f->pba_bar = -1;
	if (!(f->cfg[6] & 0x10))
		return;
	for (int n = 0; pos >= 0x40 && n < 48; n++) {
		if (f->cfg[pos] == 0x11 && pos + 12 <= VMM_PCI_CFG_SIZE) {
			uint16_t ctrl = f->cfg[pos + 2] | f->cfg[pos + 3] << 8;
			uint32_t t, p;

			memcpy(&t, &f->cfg[pos + 4], 4);
			memcpy(&p, &f->cfg[pos + 8], 4);
			f->table_bar = t & 7;
			f->table_off = t & ~7u;
			f->table_len = ((ctrl & 0x7ff) + 1) * 16ULL;
			f->pba_bar = p & 7;
			f->pba_off = p & ~7u;
			f->pba_len = ((ctrl & 0x7ff) + 64) / 64 * 8ULL;
			return;
		}
		pos = f->cfg[pos + 1] & 0xfc;
	}
}

static void fake_init(const uint8_t *cfg, const uint64_t *bar_size)
{
	memset(&fake, 0, sizeof(fake));
	memcpy(fake.cfg, cfg, VMM_PCI_CFG_SIZE);
	memcpy(fake.bar_size, bar_size, sizeof(fake.bar_size));
	fake_locate_msix(&fake);
}

static int fake_meets(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/* Does [off, off+len) of bar touch the real MSI-X table or PBA? */
static int fake_msix_overlap(int bar, uint64_t off, uint64_t len)
{
	return (bar == fake.table_bar && fake_meets(off, len, fake.table_off,
						    fake.table_len)) ||
	       (bar == fake.pba_bar && fake_meets(off, len, fake.pba_off, fake.pba_len));
}

static int fake_cfg_read(struct vmm_pci_dev *d, uint32_t off, void *buf,
			 uint32_t len)
{
	if (off > VMM_PCI_CFG_SIZE || len > VMM_PCI_CFG_SIZE - off)
		fake_violation("config read outside the config space", -1, off, len);
	memcpy(buf, fake.cfg + off, len);
	return 0;
}

static int fake_cfg_write(struct vmm_pci_dev *d, uint32_t off, const void *buf,
			  uint32_t len)
{
	uint16_t v;

	fake.cfg_writes++;
	if (off != 4 || len != 2)
		fake_violation("config write outside the command register", -1, off, len);
	memcpy(&v, buf, 2);
	if (v & ~0x0407)
		fake_violation("command write with bits the guest may not set", -1, v, 2);
	return 0;
}

static int fake_bar_rw(struct vmm_pci_dev *d, int bar, uint64_t off, void *buf,
		       uint32_t len, bool is_write)
{
	if (bar < 0 || bar > 5 || !fake.bar_size[bar] || off > fake.bar_size[bar] ||
	    len > fake.bar_size[bar] - off)
		fake_violation("BAR access outside its BAR", bar, off, len);
	if (fake_msix_overlap(bar, off, len))
		fake_violation(is_write ? "guest write reached the real MSI-X table or PBA" :
			       "guest read reached the real MSI-X table or PBA",
			       bar, off, len);
	if (is_write) {
		fake.bar_writes++;
	} else {
		fake.bar_reads++;
		memset(buf, 0x5a, len);
	}
	return 0;
}

static int fake_set_irqs(struct vmm_pci_dev *d, int index, int nvec, const int *efds)
{
	if (nvec < 0 || nvec > VMM_MSIX_MAX)
		fake_violation("more vectors than the VMM has", -1, (uint64_t)index,
			       (uint64_t)nvec);
	return 0;
}

static int fake_set_unmask_fd(struct vmm_pci_dev *d, int fd)
{
	return 0;
}

static const struct vmm_pci_ops fake_ops = {
	.cfg_read = fake_cfg_read, .cfg_write = fake_cfg_write,
	.bar_rw = fake_bar_rw, .set_irqs = fake_set_irqs,
	.set_unmask_fd = fake_set_unmask_fd,
};

/* No KVM slot of d's (a guest access without an exit) covers the table. */
static void fake_check_slots(const struct vmm_pci_dev *d)
{
	for (int b = 0; b < 6; b++)
		if (d->bar[b].slot >= 0 && fake_msix_overlap(b, 0, d->bar[b].size))
			fake_violation("a KVM slot maps the real MSI-X table or PBA", b,
				       0, d->bar[b].size);
}

/*
 * A device for the VMM from input bytes: 256 bytes of config space, then
 * one byte per BAR (bits 0-4 a size exponent, 5 I/O, 6 64-bit, 7 asks for
 * a KVM slot, which the VMM may refuse).  hva backs slot BARs (1 MiB).
 */
static void fake_make_device(struct vmm_pci_dev *d, const uint8_t *data, void *hva)
{
	uint64_t sizes[6] = { 0 };

	memcpy(d->cfg, data, VMM_PCI_CFG_SIZE);
	snprintf(d->name, sizeof(d->name), "fuzz");
	d->ops = &fake_ops;
	for (int i = 0; i < 6; i++) {
		uint8_t b = data[VMM_PCI_CFG_SIZE + i];
		struct vmm_pci_bar *bar = &d->bar[i];

		if (!(b & 0x1f))
			continue;
		bar->is_io = b & 0x20;
		bar->size = 1ULL << ((b & 0x1f) % (bar->is_io ? 9 : 21));
		bar->is_64 = !bar->is_io && (b & 0x40) && i < 5;
		bar->flags = bar->is_io ? 1 : bar->is_64 ? 4 : 0;
		bar->kind = (b & 0x80) && !bar->is_io && bar->size >= 4096 ?
			    VMM_BAR_SLOT : VMM_BAR_TRAP;
		bar->hva = hva;
		sizes[i] = bar->size;
		if (bar->is_64) {
			d->bar[i + 1].size = 0;
			i++;
		}
	}
	fake_init(data, sizes);
}

#endif
