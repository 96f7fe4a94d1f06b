/* SPDX-License-Identifier: MIT */
/*
 * guest/rt.h — the bare-metal guest's runtime.
 *
 *	guest/start.S	entry, .bss clearing, 256 interrupt stubs
 *	guest/rt.c	port/MMIO accessors, serial printf, string functions,
 *			clock and delay, bump allocator, exit
 *	guest/pci.c	enumeration over the VMM's CF8/CFC host bridge, BARs, MSI
 *	guest/irq.c	IDT, local APIC, interrupt counting and waiting
 *
 * A program defines guest_main(); its return value is the exit status of
 * `passthru run`.  An unexpected CPU exception prints the vector and rip
 * and exits with status 0x80 | vector.
 */
#ifndef PASSTHRU_GUEST_RT_H
#define PASSTHRU_GUEST_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/abi.h"

int guest_main(struct vmm_boot_info *bi);

/* ports and MMIO */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t mmio_read32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

/* rt.c */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
void putc(char c);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
uint32_t clock_us(void);
void delay_us(uint32_t us);
void mark(uint32_t i);
__attribute__((noreturn)) void guest_exit(int status);
/* Bump allocator over guest RAM after the image: never freed.  The
 * returned address is also the device's DMA address (IOVA = GPA). */
void *guest_alloc(size_t size, size_t align);
extern struct vmm_boot_info *boot_info;
unsigned long strtoul_simple(const char *s);

/* pci.c */
struct pci_dev {
	uint8_t devfn;
	uint16_t vendor, device;
	uint64_t bar[6];	/* addresses as programmed by the VMM */
	uint64_t bar_size[6];
	bool bar_io[6];
	uint8_t msi_cap, msix_cap;
};
uint32_t pci_cfg_read(uint8_t devfn, uint8_t off, int len);
void pci_cfg_write(uint8_t devfn, uint8_t off, int len, uint32_t v);
/* Finds the n-th device with vendor:device (0xffff matches any); 0 found. */
int pci_find(uint16_t vendor, uint16_t device, int n, struct pci_dev *out);
void pci_enable(struct pci_dev *d);	/* memory, I/O decode, bus master */
uint8_t pci_find_cap(uint8_t devfn, uint8_t id);
/* Programs the MSI capability for vector on this CPU's APIC; 0 ok. */
int pci_msi_enable(struct pci_dev *d, uint8_t vector);
/* Programs MSI-X entry `entry` for vector and enables MSI-X; 0 ok. */
int pci_msix_enable(struct pci_dev *d, int entry, uint8_t vector);
int pci_list(void);		/* prints every function; returns the count */

/* irq.c */
void irq_init(void);
uint32_t irq_count(uint8_t vector);
/* Waits with interrupts on until vector's count exceeds `seen` or timeout;
 * returns the new count (== seen on timeout). */
uint32_t irq_wait(uint8_t vector, uint32_t seen, uint32_t timeout_us);
uint32_t apic_id(void);
/* Called in the interrupt, before the EOI (a level-triggered INTx must be
 * acknowledged at the device first). */
void irq_set_handler(uint8_t vector, void (*fn)(void *), void *arg);
/* Routes IOAPIC pin `gsi` to vector, level-triggered (PCI INTx); 0 ok. */
int ioapic_route(uint8_t gsi, uint8_t vector);

#endif
