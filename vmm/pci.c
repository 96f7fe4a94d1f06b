// SPDX-License-Identifier: MIT
/*
 * vmm/pci.c — a virtual PCI host bridge (configuration mechanism #1).
 *
 * Bus 0 only: slot 0 is the host bridge, slots 1..VMM_PCI_MAX_DEVS hold the
 * assigned devices (function 0 each; the multifunction bit is hidden).  The
 * guest sees each device's config space as snapshotted at attach time, with:
 *
 *  - command: only I/O, memory, bus master and INTx-disable are writable,
 *    and they are passed to the device; status is read live;
 *  - BARs: virtualised.  Sizing probes are answered from the BAR size; the
 *    address the guest programs is tracked and the BAR is decoded there
 *    (a KVM slot, or a trapped range) only when it lies inside the MMIO
 *    window / the I/O BAR window and decode is enabled;
 *  - expansion ROM, BIST, the multifunction bit: hidden;
 *  - MSI and MSI-X capabilities: virtualised (vmm/irq.c turns the guest's
 *    programming into KVM GSI routes);
 *  - every other write is dropped and counted in vm->pci_bad_accesses.
 *
 * Both configuration mechanism #1 (ports 0xcf8/0xcfc) and ECAM (bus 0 at
 * VMM_ECAM_BASE) reach the same view.  Extended config space (>= 0x100)
 * reads as zeros through ECAM (an empty capability list) and drops writes:
 * nothing of the device's extended capabilities is passed through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

#define PCI_CMD_IO		0x0001
#define PCI_CMD_MEM		0x0002
#define PCI_CMD_MASTER		0x0004
#define PCI_CMD_INTX_DISABLE	0x0400
#define PCI_CMD_WRITABLE	(PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER | \
				 PCI_CMD_INTX_DISABLE)
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_MSIX		0x11

/* The host bridge's identity: Red Hat's "QEMU PCIe host bridge" id, which
 * every guest OS knows needs no driver. */
#define BRIDGE_VENDOR		0x1b36
#define BRIDGE_DEVICE		0x0008

static uint32_t cfg32(const uint8_t *cfg, uint32_t off)
{
	return cfg[off] | cfg[off + 1] << 8 | cfg[off + 2] << 16 |
	       (uint32_t)cfg[off + 3] << 24;
}

static uint16_t cfg16(const uint8_t *cfg, uint32_t off)
{
	return cfg[off] | cfg[off + 1] << 8;
}

static struct vmm_pci_dev *vmm_pci_dev_at(struct vmm *vm, int devfn)
{
	int slot = devfn >> 3;

	if ((devfn & 7) || slot < 1 || slot > VMM_PCI_MAX_DEVS)
		return NULL;
	return vm->pci[slot - 1];
}

/* ---- BAR decode ---------------------------------------------------------- */

static bool vmm_ranges_meet(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static bool vmm_range_inside(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a >= b && alen <= blen && a - b <= blen - alen;
}

bool vmm_pci_msix_overlap(const struct vmm_pci_dev *d, int bar, uint64_t off,
			  uint64_t len)
{
	return (bar == d->msix_table_bar &&
		vmm_ranges_meet(off, len, d->msix_table_off, d->msix_table_len)) ||
	       (bar == d->msix_pba_bar &&
		vmm_ranges_meet(off, len, d->msix_pba_off, d->msix_pba_len));
}

/*
 * An access inside the MSI-X table or PBA goes to their virtual copies; one
 * that only overlaps them (a straddling or wide access), or reaches vectors
 * past the ones we show, is refused: the device's real table and PBA are
 * never read or written on the guest's behalf.
 */
static int vmm_pci_msix_trap(struct vmm_pci_dev *d, int bar, uint64_t off,
			     uint8_t *data, uint32_t len, bool is_write)
{
	uint64_t shown = (uint64_t)d->msix_nr * 16;

	if (d->msix_cap && bar == d->msix_table_bar &&
	    vmm_range_inside(off, len, d->msix_table_off, shown))
		return vmm_msix_table_rw(d->vm, d, off - d->msix_table_off, data, len,
					 is_write);
	if (d->msix_cap && bar == d->msix_pba_bar && !is_write &&
	    vmm_range_inside(off, len, d->msix_pba_off, (d->msix_nr + 63) / 64 * 8))
		return vmm_msix_pba_read(d, off - d->msix_pba_off, data, len);
	d->vm->msix_blocked++;
	if (!is_write)
		memset(data, 0, len);
	return 0;
}

static int vmm_pci_bar_trap(struct vmm *vm, void *opaque, uint64_t off,
			    uint8_t *data, uint32_t len, bool is_write)
{
	struct vmm_pci_bar *bar = opaque;
	struct vmm_pci_dev *d = bar->dev;

	/* The bus guarantees off + len <= bar->size. */
	if (vmm_pci_msix_overlap(d, bar->index, off, len))
		return vmm_pci_msix_trap(d, bar->index, off, data, len, is_write);
	if (!d->ops->bar_rw) {
		if (!is_write)
			memset(data, 0xff, len);
		return 0;
	}
	if (d->ops->bar_rw(d, bar->index, off, data, len, is_write) < 0) {
		if (!is_write)
			memset(data, 0xff, len);
	}
	return 0;
}

static void vmm_pci_bar_unmap(struct vmm_pci_bar *bar)
{
	struct vmm *vm = bar->dev->vm;

	if (bar->slot >= 0)
		vmm_slot_del(vm, bar->slot);
	if (bar->trapped)
		vmm_io_unregister(bar->is_io ? &vm->pio : &vm->mmio, bar->gpa);
	bar->slot = -1;
	bar->trapped = false;
	bar->gpa = 0;
}

/* Where the guest's programming says the BAR decodes, or 0 for nowhere. */
static uint64_t vmm_pci_bar_target(const struct vmm_pci_dev *d,
				   const struct vmm_pci_bar *bar)
{
	uint64_t addr = bar->guest_val & ~(bar->size - 1);

	if (bar->is_io) {
		if (!(d->command & PCI_CMD_IO) || addr < VMM_IO_BAR_BASE ||
		    addr + bar->size > VMM_IO_BAR_END)
			return 0;
		return addr;
	}
	if (!(d->command & PCI_CMD_MEM) || addr < VMM_MMIO_BASE ||
	    addr + bar->size > VMM_MMIO_END || addr + bar->size < addr)
		return 0;
	return addr;
}

int vmm_pci_bar_update(struct vmm_pci_dev *d, int i)
{
	struct vmm_pci_bar *bar = &d->bar[i];
	struct vmm *vm = d->vm;
	uint64_t gpa;
	int ret;

	if (!bar->size || bar->kind == VMM_BAR_NONE)
		return 0;
	gpa = vmm_pci_bar_target(d, bar);
	if (gpa == bar->gpa && (bar->slot >= 0 || bar->trapped || !gpa))
		return 0;
	vmm_pci_bar_unmap(bar);
	if (!gpa)
		return 0;
	/* Never a KVM slot (guest access with no exit) over a real MSI-X table
	 * or PBA; vmm_pci_setup_msix made such BARs trapped already. */
	if (bar->kind == VMM_BAR_SLOT &&
	    vmm_pci_msix_overlap(d, i, 0, bar->size))
		bar->kind = VMM_BAR_TRAP;
	if (bar->kind == VMM_BAR_SLOT) {
		ret = vmm_slot_add(vm, gpa, bar->size, bar->hva);
		if (ret < 0)
			goto refused;
		bar->slot = ret;
	} else {
		ret = vmm_io_register(bar->is_io ? &vm->pio : &vm->mmio, gpa,
				      bar->size, vmm_pci_bar_trap, bar, d->name);
		if (ret < 0)
			goto refused;
		bar->trapped = true;
	}
	bar->gpa = gpa;
	return 0;
refused:
	/* Overlap with another BAR or a VMM port: the BAR stays undecoded and
	 * guest accesses there fault, like a conflicting BAR on real hardware. */
	vm->pci_bad_accesses++;
	pt_clear_error();
	return 0;
}

static void vmm_pci_update_all_bars(struct vmm_pci_dev *d)
{
	for (int i = 0; i < 6; i++)
		vmm_pci_bar_update(d, i);
}

/* ---- config space view --------------------------------------------------- */

/* Which BAR (and which half) a BAR register belongs to; -1 none. */
static int vmm_pci_bar_of_reg(const struct vmm_pci_dev *d, int reg, bool *upper)
{
	*upper = false;
	if (reg > 0 && d->bar[reg - 1].size && d->bar[reg - 1].is_64) {
		*upper = true;
		return reg - 1;
	}
	return d->bar[reg].size ? reg : -1;
}

static uint32_t vmm_pci_bar_read(const struct vmm_pci_dev *d, int reg)
{
	bool upper;
	int i = vmm_pci_bar_of_reg(d, reg, &upper);
	const struct vmm_pci_bar *bar;
	uint64_t v;

	if (i < 0)
		return 0;
	bar = &d->bar[i];
	v = (bar->guest_val & ~(bar->size - 1));
	if (upper)
		return v >> 32;
	if (bar->is_io)
		return (v & 0xfffc) | 1 | (v & 0xffff0000);
	return (uint32_t)v | (bar->flags & 0xf);
}

static void vmm_pci_bar_write(struct vmm_pci_dev *d, int reg, uint32_t val)
{
	bool upper;
	int i = vmm_pci_bar_of_reg(d, reg, &upper);
	struct vmm_pci_bar *bar;

	if (i < 0)
		return;
	bar = &d->bar[i];
	if (upper)
		bar->guest_val = (bar->guest_val & 0xffffffffULL) | (uint64_t)val << 32;
	else if (bar->is_io)
		bar->guest_val = val & 0xffff;
	else
		bar->guest_val = (bar->guest_val & ~0xffffffffULL) | (val & ~0xfU);
	if (!bar->is_64 && !bar->is_io)
		bar->guest_val &= 0xffffffffULL;
	vmm_pci_bar_update(d, i);
}

static uint32_t vmm_pci_msi_len(const struct vmm_pci_dev *d)
{
	uint16_t ctrl = cfg16(d->cfg, d->msi_cap + 2);
	uint32_t len = (ctrl & 0x80) ? 14 : 10;

	return (ctrl & 0x100) ? len + 10 : len;
}

static bool vmm_pci_in_cap(uint8_t cap, uint32_t caplen, uint32_t reg)
{
	return cap && reg + 4 > cap && reg < cap + caplen;
}

/* The virtual MSI capability, built from the snapshot and the shadow. */
static uint32_t vmm_pci_msi_read(const struct vmm_pci_dev *d, uint32_t reg)
{
	uint8_t v[24];
	bool is64 = cfg16(d->cfg, d->msi_cap + 2) & 0x80;
	uint32_t base = reg & ~3u, out = 0;

	memcpy(v, &d->cfg[d->msi_cap], 4);
	v[2] = d->msi_ctrl & 0xff;
	v[3] = d->msi_ctrl >> 8;
	memcpy(&v[4], &d->msi_addr_lo, 4);
	if (is64) {
		memcpy(&v[8], &d->msi_addr_hi, 4);
		v[12] = d->msi_data & 0xff;
		v[13] = d->msi_data >> 8;
		memset(&v[14], 0, 10);
	} else {
		v[8] = d->msi_data & 0xff;
		v[9] = d->msi_data >> 8;
		memset(&v[10], 0, 14);
	}
	for (int b = 0; b < 4; b++) {
		uint32_t o = base + b;
		uint8_t byte = d->cfg[o];

		if (o >= d->msi_cap && o < d->msi_cap + vmm_pci_msi_len(d))
			byte = v[o - d->msi_cap];
		out |= (uint32_t)byte << (8 * b);
	}
	return out;
}

static uint32_t vmm_pci_dev_read32(struct vmm_pci_dev *d, uint32_t reg)
{
	uint32_t v = cfg32(d->cfg, reg);

	switch (reg) {
	case 0x04: {
		uint16_t status = cfg16(d->cfg, 6);

		if (d->ops->cfg_read)
			d->ops->cfg_read(d, 6, &status, 2);
		status |= cfg16(d->cfg, 6) & PCI_STATUS_CAP_LIST;
		return d->command | (uint32_t)status << 16;
	}
	case 0x0c:
		return v & 0x007fffff;		/* no BIST, not multifunction */
	case 0x10 ... 0x24:
		return vmm_pci_bar_read(d, (reg - 0x10) / 4);
	case 0x30:
		return 0;			/* no expansion ROM */
	case 0x3c:
		return (v & 0xffffff00) | d->irq_line;
	}
	if (d->msi_cap && vmm_pci_in_cap(d->msi_cap, vmm_pci_msi_len(d), reg))
		return vmm_pci_msi_read(d, reg);
	if (d->msix_cap && vmm_pci_in_cap(d->msix_cap, 4, reg)) {
		uint16_t ctrl = (d->msix_ctrl & 0xc000) | (d->msix_nr - 1);

		return (v & 0xffff) | (uint32_t)ctrl << 16;
	}
	return v;
}

static void vmm_pci_write_command(struct vmm_pci_dev *d, uint16_t cmd)
{
	uint16_t old = d->command;

	d->command = cmd & PCI_CMD_WRITABLE;
	if (d->ops->cfg_write)
		d->ops->cfg_write(d, 4, &d->command, 2);
	if ((old ^ d->command) & (PCI_CMD_IO | PCI_CMD_MEM))
		vmm_pci_update_all_bars(d);
}

static void vmm_pci_msi_write(struct vmm_pci_dev *d, uint32_t reg, uint32_t val,
			      uint32_t mask)
{
	bool is64 = cfg16(d->cfg, d->msi_cap + 2) & 0x80;
	uint32_t o = reg - d->msi_cap;		/* reg is dword aligned */
	uint16_t mmc = (cfg16(d->cfg, d->msi_cap + 2) >> 1) & 7;

	if (mmc > 5)		/* 6 and 7 are reserved: at most 32 vectors */
		mmc = 5;

	if (o == 0 && (mask & 0xffff0000)) {
		/* enable (bit 0) and multiple message enable (6:4) only */
		uint16_t ctrl = val >> 16, mme = (ctrl >> 4) & 7;

		if (mme > mmc)
			mme = mmc;
		d->msi_ctrl = (d->msi_ctrl & ~0x71) | (ctrl & 1) | mme << 4;
		vmm_irq_update(d);
		return;
	}
	if (o == 4) {
		d->msi_addr_lo = (d->msi_addr_lo & ~mask) | (val & mask & ~3u);
	} else if (o == 8 && is64) {
		d->msi_addr_hi = (d->msi_addr_hi & ~mask) | (val & mask);
	} else if ((o == 8 && !is64) || (o == 12 && is64)) {
		d->msi_data = (d->msi_data & ~mask) | (val & mask & 0xffff);
	} else {
		d->vm->pci_bad_accesses++;	/* mask bits: not virtualised */
		return;
	}
	if (d->msi_ctrl & 1)
		vmm_irq_update(d);
}

static void vmm_pci_dev_write32(struct vmm_pci_dev *d, uint32_t reg,
				uint32_t val, uint32_t mask)
{
	uint32_t cur = vmm_pci_dev_read32(d, reg);
	uint32_t v = (cur & ~mask) | (val & mask);

	switch (reg) {
	case 0x04:
		if (mask & 0xffff)
			vmm_pci_write_command(d, v & 0xffff);
		return;			/* status: RW1C bits not passed on */
	case 0x10 ... 0x24:
		vmm_pci_bar_write(d, (reg - 0x10) / 4, v);
		return;
	case 0x3c:
		if (mask & 0xff)
			d->irq_line = v & 0xff;
		return;
	}
	if (d->msi_cap && vmm_pci_in_cap(d->msi_cap, vmm_pci_msi_len(d), reg)) {
		vmm_pci_msi_write(d, reg, val, mask);
		return;
	}
	if (d->msix_cap && reg == d->msix_cap && (mask & 0xffff0000)) {
		d->msix_ctrl = (v >> 16) & 0xc000;
		vmm_irq_update(d);
		return;
	}
	d->vm->pci_bad_accesses++;
}

static uint32_t vmm_bridge_read32(uint32_t reg)
{
	switch (reg) {
	case 0x00:
		return BRIDGE_VENDOR | BRIDGE_DEVICE << 16;
	case 0x08:
		return 0x06000000;	/* class: host bridge */
	default:
		return 0;
	}
}

uint32_t vmm_pci_cfg_read(struct vmm *vm, int devfn, uint32_t off, uint32_t len)
{
	struct vmm_pci_dev *d;
	uint32_t reg = off & ~3u, v, shift = (off & 3) * 8;

	if (off >= VMM_PCI_CFG_SIZE || (len != 1 && len != 2 && len != 4) ||
	    (off & 3) + len > 4)
		return 0xffffffff;
	if (devfn == 0) {
		v = vmm_bridge_read32(reg);
	} else {
		d = vmm_pci_dev_at(vm, devfn);
		if (!d)
			return 0xffffffff;
		v = vmm_pci_dev_read32(d, reg);
	}
	v >>= shift;
	return len == 4 ? v : v & ((1u << (len * 8)) - 1);
}

void vmm_pci_cfg_write(struct vmm *vm, int devfn, uint32_t off, uint32_t len,
		       uint32_t val)
{
	struct vmm_pci_dev *d = vmm_pci_dev_at(vm, devfn);
	uint32_t shift = (off & 3) * 8, mask;

	if (!d || off >= VMM_PCI_CFG_SIZE || (len != 1 && len != 2 && len != 4) ||
	    (off & 3) + len > 4) {
		vm->pci_bad_accesses++;
		return;
	}
	mask = len == 4 ? 0xffffffff : ((1u << (len * 8)) - 1) << shift;
	vmm_pci_dev_write32(d, off & ~3u, val << shift, mask);
}

static int vmm_pci_port_io(struct vmm *vm, void *opaque, uint64_t off,
			   uint8_t *data, uint32_t len, bool is_write)
{
	uint32_t val = 0;
	int devfn;

	(void)opaque;
	if (off < 4) {
		/* CF8 decodes only dword accesses, like a PC chipset. */
		if (off != 0 || len != 4) {
			if (!is_write)
				memset(data, 0xff, len);
			return 0;
		}
		if (is_write)
			memcpy(&vm->pci_addr, data, 4);
		else
			memcpy(data, &vm->pci_addr, 4);
		return 0;
	}
	/* CFC..CFF: the bus guarantees off + len <= 8 */
	devfn = (vm->pci_addr >> 8) & 0xff;
	if (!(vm->pci_addr & 0x80000000u) || ((vm->pci_addr >> 16) & 0xff)) {
		if (!is_write)
			memset(data, 0xff, len);
		return 0;
	}
	off = (vm->pci_addr & 0xfc) + (off - 4);
	if (is_write) {
		memcpy(&val, data, len);
		vmm_pci_cfg_write(vm, devfn, off, len, val);
	} else {
		val = vmm_pci_cfg_read(vm, devfn, off, len);
		memcpy(data, &val, len);
	}
	return 0;
}

/* ECAM: offset = devfn << 12 | register; the bus guarantees off + len <= 1 MiB. */
static int vmm_pci_ecam_io(struct vmm *vm, void *opaque, uint64_t off,
			   uint8_t *data, uint32_t len, bool is_write)
{
	uint32_t devfn = off >> 12, reg = off & 0xfff, val = 0;

	(void)opaque;
	if ((len != 1 && len != 2 && len != 4) || (reg & (len - 1)) ||
	    reg >= VMM_PCI_CFG_SIZE) {
		if (is_write)
			vm->pci_bad_accesses++;
		else
			memset(data, reg >= VMM_PCI_CFG_SIZE && len <= 4 ? 0 : 0xff, len);
		return 0;
	}
	if (is_write) {
		memcpy(&val, data, len);
		vmm_pci_cfg_write(vm, devfn, reg, len, val);
	} else {
		val = vmm_pci_cfg_read(vm, devfn, reg, len);
		memcpy(data, &val, len);
	}
	return 0;
}

/* ---- devices ------------------------------------------------------------- */

static void vmm_pci_find_caps(struct vmm_pci_dev *d)
{
	uint8_t pos = d->cfg[0x34] & 0xfc;

	if (!(cfg16(d->cfg, 6) & PCI_STATUS_CAP_LIST))
		return;
	/* At most 48 capabilities fit in 192 bytes: a longer chain loops. */
	for (int n = 0; pos >= 0x40 && n < 48; n++) {
		uint8_t id = d->cfg[pos];

		if (id == PCI_CAP_ID_MSI && !d->msi_cap)
			d->msi_cap = pos;
		else if (id == PCI_CAP_ID_MSIX && !d->msix_cap && pos <= 0xf4)
			d->msix_cap = pos;
		pos = d->cfg[pos + 1] & 0xfc;
	}
	if (d->msi_cap && d->msi_cap + vmm_pci_msi_len(d) > VMM_PCI_CFG_SIZE)
		d->msi_cap = 0;
}

/* Where the real table and PBA are, and which BARs must therefore trap. */
static void vmm_pci_locate_msix(struct vmm_pci_dev *d, int hw_nr)
{
	uint32_t table = cfg32(d->cfg, d->msix_cap + 4);
	uint32_t pba = cfg32(d->cfg, d->msix_cap + 8);

	d->msix_table_bar = table & 7;
	d->msix_table_off = table & ~7u;
	d->msix_table_len = hw_nr * 16;
	d->msix_pba_bar = pba & 7;
	d->msix_pba_off = pba & ~7u;
	d->msix_pba_len = (hw_nr + 63) / 64 * 8;
	if (d->msix_table_bar < 6 && d->bar[d->msix_table_bar].size)
		d->bar[d->msix_table_bar].kind = VMM_BAR_TRAP;
	if (d->msix_pba_bar < 6 && d->bar[d->msix_pba_bar].size)
		d->bar[d->msix_pba_bar].kind = VMM_BAR_TRAP;
}

static void vmm_pci_setup_msix(struct vmm_pci_dev *d)
{
	int hw_nr = (cfg16(d->cfg, d->msix_cap + 2) & 0x7ff) + 1;
	struct vmm_pci_bar *tb;

	vmm_pci_locate_msix(d, hw_nr);
	d->msix_nr = hw_nr > VMM_MSIX_MAX ? VMM_MSIX_MAX : hw_nr;
	tb = d->msix_table_bar < 6 ? &d->bar[d->msix_table_bar] : NULL;
	if (!tb || tb->is_io || !tb->size || d->msix_table_off > tb->size ||
	    d->msix_table_len > tb->size - d->msix_table_off) {
		d->msix_cap = 0;	/* table not inside a memory BAR: hide MSI-X */
		return;
	}
	for (int i = 0; i < d->msix_nr; i++)
		d->msix[i].ctrl = 1;	/* masked at reset */
}

static uint64_t vmm_pow2(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* Firmware's job: give every BAR a naturally aligned address. */
static int vmm_pci_assign_bars(struct vmm *vm, struct vmm_pci_dev *d)
{
	for (int i = 0; i < 6; i++) {
		struct vmm_pci_bar *bar = &d->bar[i];
		uint64_t size, addr;

		bar->dev = d;
		bar->index = i;
		bar->slot = -1;
		if (!bar->size)
			continue;
		size = vmm_pow2(bar->size);
		if (size != bar->size)
			return pt_set_error(EINVAL, "vmm: %s BAR%d size 0x%llx is not a "
					    "power of two", d->name, i,
					    (unsigned long long)bar->size);
		if (bar->is_io) {
			addr = (vm->io_next + size - 1) & ~(size - 1);
			if (addr + size > VMM_IO_BAR_END)
				return pt_set_error(ENOSPC, "vmm: %s I/O BAR%d (%llu bytes) "
						    "does not fit the guest's I/O window",
						    d->name, i, (unsigned long long)size);
			vm->io_next = addr + size;
		} else {
			if (size < 4096)
				size = 4096;
			addr = (vm->mmio_next + size - 1) & ~(size - 1);
			if (addr + size > VMM_MMIO_END || addr + size < addr)
				return pt_set_error(ENOSPC, "vmm: %s BAR%d (%llu MiB) is too "
						    "large for the guest's MMIO window "
						    "0x%llx-0x%llx", d->name, i,
						    (unsigned long long)(bar->size >> 20),
						    VMM_MMIO_BASE, VMM_MMIO_END);
			vm->mmio_next = addr + size;
		}
		bar->guest_val = addr;
		if (bar->is_64)
			i++;		/* the upper half is not a BAR of its own */
	}
	return 0;
}

int vmm_pci_add(struct vmm *vm, struct vmm_pci_dev *d)
{
	int ret;

	if (vm->nr_pci >= VMM_PCI_MAX_DEVS)
		return pt_set_error(ENOSPC, "vmm: at most %d devices per guest",
				    VMM_PCI_MAX_DEVS);
	d->vm = vm;
	d->devfn = (vm->nr_pci + 1) << 3;
	d->irq_index = -1;
	d->intx_resample_fd = -1;
	d->command = 0;
	d->msix_table_bar = d->msix_pba_bar = -1;
	/* Firmware's job: INTx of slot N is IOAPIC pin 16 + (N - 1) % 8, and
	 * the interrupt line register says so. */
	d->intx_gsi = d->cfg[0x3d] >= 1 && d->cfg[0x3d] <= 4 ?
		      16 + ((d->devfn >> 3) - 1) % 8 : -1;
	d->irq_line = d->intx_gsi >= 0 ? d->intx_gsi : 0xff;
	for (int i = 0; i < VMM_MSIX_MAX; i++) {
		d->efd[i] = -1;
		d->gsi[i] = -1;
	}
	vmm_pci_find_caps(d);
	if (d->msi_cap) {
		d->msi_ctrl = cfg16(d->cfg, d->msi_cap + 2) & ~0x71;
		d->msi_addr_lo = d->msi_addr_hi = 0;
		d->msi_data = 0;
	}
	if (d->msix_cap)
		vmm_pci_setup_msix(d);
	ret = vmm_pci_assign_bars(vm, d);
	if (ret)
		return ret;
	vm->pci[vm->nr_pci++] = d;
	/* INTx is live from the start (a device without MSI needs nothing
	 * else from the guest); enabling MSI/MSI-X later replaces it. */
	if (vm->irqchip) {
		ret = vmm_irq_update(d);
		if (ret) {
			vmm_irq_dev_cleanup(d);
			vm->pci[--vm->nr_pci] = NULL;	/* the caller frees d */
			return ret;
		}
	}
	return 0;
}

int vmm_pci_init(struct vmm *vm)
{
	vm->mmio_next = VMM_MMIO_BASE;
	vm->io_next = VMM_IO_BAR_BASE;
	return vmm_io_register(&vm->pio, VMM_PORT_PCI_ADDR, 8, vmm_pci_port_io,
			       NULL, "pci-cf8") ?:
	       vmm_io_register(&vm->mmio, VMM_ECAM_BASE, VMM_ECAM_SIZE,
			       vmm_pci_ecam_io, NULL, "pci-ecam");
}

void vmm_pci_exit(struct vmm *vm)
{
	for (int i = 0; i < vm->nr_pci; i++) {
		struct vmm_pci_dev *d = vm->pci[i];

		vmm_irq_dev_cleanup(d);
		for (int b = 0; b < 6; b++)
			if (d->bar[b].size)
				vmm_pci_bar_unmap(&d->bar[b]);
		vm->pci[i] = NULL;
	}
	vm->nr_pci = 0;
}
