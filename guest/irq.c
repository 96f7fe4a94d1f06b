// SPDX-License-Identifier: MIT
/*
 * guest/irq.c — IDT and local APIC.
 *
 * Vectors 0..31 are CPU exceptions: fatal, reported on serial, status
 * 0x80 | vector.  Vectors >= VMM_GUEST_VECTOR_BASE are counted (the MSI and
 * MSI-X vectors the programs use) and acknowledged with an EOI.  The local
 * APIC is the in-kernel one at 0xfee00000 in xAPIC mode; the VMM creates it
 * only for guests with devices (boot_info.flags & VMM_BOOT_F_IRQCHIP) and
 * the runtime never touches it otherwise.
 */
#include "guest/rt.h"

#define APIC_ID		0x020
#define APIC_EOI	0x0b0
#define APIC_SVR	0x0f0

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
static volatile uint32_t counts[256];
static struct {
	void (*fn)(void *);
	void *arg;
} handlers[256];

#define IOAPIC_BASE	0xfec00000ULL
#define IOAPIC_REGSEL	0x00
#define IOAPIC_WIN	0x10
extern char guest_trap_stub0[];

static void apic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(VMM_LAPIC_BASE + reg, v);
}

static bool have_apic(void)
{
	return boot_info && (boot_info->flags & VMM_BOOT_F_IRQCHIP);
}

uint32_t apic_id(void)
{
	if (!have_apic())
		return 0;	/* the only CPU, and no APIC to ask */
	return mmio_read32(VMM_LAPIC_BASE + APIC_ID) >> 24;
}

void guest_trap(uint64_t vector, uint64_t *frame);
void guest_trap(uint64_t vector, uint64_t *frame)
{
	/* frame: vector, error code, rip, cs, rflags, rsp, ss */
	if (vector < 32) {
		printf("guest: CPU exception %lu (error 0x%lx) at rip 0x%lx\n",
		       (unsigned long)vector, (unsigned long)frame[1],
		       (unsigned long)frame[2]);
		guest_exit(0x80 | vector);
	}
	counts[vector & 0xff]++;
	if (handlers[vector & 0xff].fn)
		handlers[vector & 0xff].fn(handlers[vector & 0xff].arg);
	if (have_apic())
		apic_write(APIC_EOI, 0);
}

void irq_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	for (int i = 0; i < 256; i++) {
		uint64_t a = (uint64_t)guest_trap_stub0 + 16 * i;

		idt[i].off_lo = a & 0xffff;
		idt[i].sel = 0x08;
		idt[i].ist = 0;
		idt[i].type = 0x8e;	/* present, DPL 0, interrupt gate */
		idt[i].off_mid = (a >> 16) & 0xffff;
		idt[i].off_hi = a >> 32;
		idt[i].zero = 0;
	}
	__asm__ volatile("lidt %0" :: "m"(idtr));
	/* software enable, spurious vector 0xff */
	if (have_apic())
		apic_write(APIC_SVR, 0x1ff);
}

uint32_t irq_count(uint8_t vector)
{
	return counts[vector];
}

uint32_t irq_wait(uint8_t vector, uint32_t seen, uint32_t timeout_us)
{
	uint32_t t0 = clock_us(), n;

	/*
	 * Interrupts stay enabled for the whole wait, clock reads included:
	 * each clock read is a VM exit, and KVM injects a pending interrupt at
	 * the next entry when IF=1.  A one-instruction "sti; nop; cli" window
	 * instead relies on interrupt-window exits, which this project's
	 * nested /dev/kvm has been seen to miss (an MSI lost for 5 s).
	 */
	__asm__ volatile("sti" ::: "memory");
	for (;;) {
		n = counts[vector];
		if (n != seen)
			break;
		if (clock_us() - t0 >= timeout_us) {
			n = seen;
			break;
		}
	}
	__asm__ volatile("cli" ::: "memory");
	return n;
}

void irq_set_handler(uint8_t vector, void (*fn)(void *), void *arg)
{
	handlers[vector].arg = arg;
	handlers[vector].fn = fn;
}

int ioapic_route(uint8_t gsi, uint8_t vector)
{
	if (!have_apic() || gsi >= 24)
		return -1;
	/* high dword first: destination APIC; then vector, level (bit 15),
	 * fixed delivery, physical destination, unmasked */
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, 0x11 + 2 * gsi);
	mmio_write32(IOAPIC_BASE + IOAPIC_WIN, apic_id() << 24);
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, 0x10 + 2 * gsi);
	mmio_write32(IOAPIC_BASE + IOAPIC_WIN, vector | (1u << 15));
	return 0;
}
