// SPDX-License-Identifier: MIT
/*
 * vmm/mptable.c — the Intel MultiProcessor table (MP spec 1.4), the whole
 * of the firmware's description of the machine to a Linux guest.
 *
 * Why an MP table and not ACPI (vmm/README.md argues it at length): it
 * says everything this VMM has to say — the CPUs and their APIC IDs, the
 * IOAPIC, how the ISA IRQs and every PCI device's INTx pin reach IOAPIC
 * pins — in ~300 bytes with no interpreter behind it, as kvmtool and
 * Firecracker do; Linux finds it by scanning 0xf0000-0xfffff.
 *
 * Interrupt wiring it describes (and vmm/irq.c routes):
 *	ISA IRQ n (n != 2)		IOAPIC pin n, edge/high (ISA default)
 *	PCI slot s, any pin		IOAPIC pin 16 + (s - 1) % 8, level/low
 *	LINT0 of every CPU		ExtINT (the PIC, virtual wire)
 *	LINT1 of every CPU		NMI
 */
#include <errno.h>
#include <string.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

struct mpf_intel {		/* the floating pointer, found by scanning */
	char signature[4];	/* "_MP_" */
	uint32_t physptr;	/* the configuration table */
	uint8_t length;		/* in 16-byte units: 1 */
	uint8_t specification;	/* 4: MP spec 1.4 */
	uint8_t checksum;
	uint8_t feature1;	/* 0: a configuration table follows */
	uint8_t feature2;	/* bit 7 clear: virtual wire, no IMCR */
	uint8_t feature3, feature4, feature5;
} __attribute__((packed));

struct mpc_table {
	char signature[4];	/* "PCMP" */
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;	/* number of entries */
	uint32_t lapic;		/* local APIC address */
	uint32_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;		/* 0 */
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;
	uint32_t featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;		/* 1 */
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;		/* 2 */
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {		/* type 3 (IOAPIC input) or 4 (local APIC LINTn) */
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __attribute__((packed));

#define MP_PROCESSOR	0
#define MP_BUS		1
#define MP_IOAPIC	2
#define MP_INTSRC	3
#define MP_LINTSRC	4
#define MP_INT		0
#define MP_NMI		1
#define MP_EXTINT	3
#define CPU_ENABLED	1
#define CPU_BSP		2
#define MPC_APIC_USABLE	1
#define BUS_PCI		0
#define BUS_ISA		1
#define LAPIC_VERSION	0x14	/* KVM's local APIC */
#define IOAPIC_VERSION	0x11	/* KVM's IOAPIC, 24 pins */
#define IOAPIC_ADDR	0xfec00000u
#define ALL_LAPICS	0xff

/* Room for the largest table: 64 CPUs, 2 buses, the IOAPIC, 15 ISA IRQs,
 * 8 PCI devices, 2 LINTs. */
#define MPTABLE_MAX	(sizeof(struct mpc_table) + \
			 VMM_MAX_CPUS * sizeof(struct mpc_cpu) + \
			 (2 + 1 + 15 + VMM_PCI_MAX_DEVS + 2) * 8)

struct mp_builder {
	uint8_t buf[MPTABLE_MAX];
	size_t len;
	uint16_t count;
};

static void *mp_add(struct mp_builder *b, size_t size)
{
	void *p = b->buf + b->len;

	b->len += size;
	b->count++;
	return p;
}

static uint8_t mp_checksum(const void *p, size_t len)
{
	const uint8_t *c = p;
	uint8_t sum = 0;

	while (len--)
		sum += *c++;
	return -sum;
}

static void mp_add_cpus(struct mp_builder *b, int n)
{
	for (int i = 0; i < n; i++) {
		struct mpc_cpu *c = mp_add(b, sizeof(*c));

		c->type = MP_PROCESSOR;
		c->apicid = i;
		c->apicver = LAPIC_VERSION;
		c->cpuflag = CPU_ENABLED | (i == 0 ? CPU_BSP : 0);
		c->cpufeature = 0x600;		/* family 6: a modern CPU */
		c->featureflag = 0x201;		/* FPU, APIC */
	}
}

static void mp_add_bus(struct mp_builder *b, uint8_t id, const char *type)
{
	struct mpc_bus *bus = mp_add(b, sizeof(*bus));

	bus->type = MP_BUS;
	bus->busid = id;
	memcpy(bus->bustype, type, 6);
}

static void mp_add_int(struct mp_builder *b, uint8_t type, uint8_t irqtype,
		       uint8_t bus, uint8_t busirq, uint8_t apic, uint8_t pin)
{
	struct mpc_intsrc *s = mp_add(b, sizeof(*s));

	s->type = type;
	s->irqtype = irqtype;
	s->irqflag = 0;			/* conforming to the bus: ISA edge/high,
					 * PCI level/low */
	s->srcbus = bus;
	s->srcbusirq = busirq;
	s->dstapic = apic;
	s->dstirq = pin;
}

static void mp_add_interrupts(struct mp_builder *b, struct vmm *vm, uint8_t ioapic)
{
	for (int irq = 0; irq < 16; irq++)
		if (irq != 2)		/* the cascade: nothing is wired there */
			mp_add_int(b, MP_INTSRC, MP_INT, BUS_ISA, irq, ioapic, irq);
	for (int i = 0; i < vm->nr_pci; i++) {
		struct vmm_pci_dev *d = vm->pci[i];
		uint8_t pin = d->cfg[0x3d];

		if (d->intx_gsi < 0 || pin < 1 || pin > 4)
			continue;
		/* PCI source IRQ: device number in bits 6:2, pin A..D in 1:0 */
		mp_add_int(b, MP_INTSRC, MP_INT, BUS_PCI,
			   (d->devfn >> 3) << 2 | (pin - 1), ioapic, d->intx_gsi);
	}
	mp_add_int(b, MP_LINTSRC, MP_EXTINT, BUS_ISA, 0, ALL_LAPICS, 0);
	mp_add_int(b, MP_LINTSRC, MP_NMI, BUS_ISA, 0, ALL_LAPICS, 1);
}

int vmm_mptable_write(struct vmm *vm)
{
	struct mp_builder b;		/* ~1.5 KiB */
	struct mpf_intel *mpf;
	struct mpc_table *mpc;
	struct mpc_ioapic *io;
	uint8_t ioapic_id = vm->nr_cpus;	/* after the CPUs', as kvmtool */
	uint8_t *dst;

	memset(&b, 0, sizeof(b));
	mpc = (struct mpc_table *)b.buf;
	b.len = sizeof(*mpc);
	mp_add_cpus(&b, vm->nr_cpus);
	mp_add_bus(&b, BUS_PCI, "PCI   ");
	mp_add_bus(&b, BUS_ISA, "ISA   ");
	io = mp_add(&b, sizeof(*io));
	io->type = MP_IOAPIC;
	io->apicid = ioapic_id;
	io->apicver = IOAPIC_VERSION;
	io->flags = MPC_APIC_USABLE;
	io->apicaddr = IOAPIC_ADDR;
	mp_add_interrupts(&b, vm, ioapic_id);

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = b.len;
	mpc->spec = 4;
	memcpy(mpc->oem, "PASSTHRU", 8);
	memcpy(mpc->productid, "MINIMAL VMM ", 12);
	mpc->oemcount = b.count;
	mpc->lapic = VMM_LAPIC_BASE;
	mpc->checksum = mp_checksum(mpc, b.len);

	dst = vmm_gpa_to_hva(vm, VMM_LINUX_MPTABLE, sizeof(*mpf) + b.len);
	if (!dst || sizeof(*mpf) + b.len > VMM_LINUX_MPTABLE_SIZE)
		return pt_set_error(ENOSPC, "vmm: no room for the MP table at 0x%llx",
				    VMM_LINUX_MPTABLE);
	mpf = (struct mpf_intel *)dst;
	memset(mpf, 0, sizeof(*mpf));
	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = VMM_LINUX_MPTABLE + sizeof(*mpf);
	mpf->length = 1;
	mpf->specification = 4;
	mpf->checksum = mp_checksum(mpf, sizeof(*mpf));
	memcpy(dst + sizeof(*mpf), b.buf, b.len);
	return 0;
}
