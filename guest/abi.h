/* SPDX-License-Identifier: MIT */
/*
 * guest/abi.h — the contract between the VMM (vmm/) and the guest (guest/).
 *
 * Plain constants and one struct, no includes beyond <stdint.h>, so that
 * the freestanding guest and the host VMM compile the same text.
 *
 * Guest-physical layout (identity-mapped by the VMM's page tables, 2 MiB
 * pages over the first 4 GiB):
 *
 *	0x0000_1000  PML4, PDPT, 4 page directories (0x1000..0x6fff)
 *	0x0000_7000  GDT
 *	0x0000_8000  struct vmm_boot_info
 *	0x0008_0000  initial stack top (grows down)
 *	0x0010_0000  guest image (flat binary) then the guest's heap up to RAM end
 *	RAM end ... 0xc000_0000  unmapped: any access is a guest fault
 *	0xc000_0000 ... 0xfe00_0000  PCI MMIO window (BARs, naturally aligned)
 *	0xfe00_0000 ... 0xfe10_0000  ECAM of bus 0 (PCIe enhanced config access)
 *	0xfec0_0000  in-kernel IOAPIC, 0xfee0_0000 in-kernel local APIC
 */
#ifndef PASSTHRU_GUEST_ABI_H
#define PASSTHRU_GUEST_ABI_H

#include <stdint.h>

#define VMM_GPA_PML4		0x1000ULL
#define VMM_GPA_PDPT		0x2000ULL
#define VMM_GPA_PD		0x3000ULL	/* 4 pages */
#define VMM_GPA_GDT		0x7000ULL
#define VMM_GPA_BOOT_INFO	0x8000ULL
#define VMM_GPA_STACK_TOP	0x80000ULL
#define VMM_GPA_LOAD		0x100000ULL

#define VMM_MEM_MIN		(2ULL << 20)
#define VMM_MMIO_BASE		0xc0000000ULL
#define VMM_MMIO_END		0xfe000000ULL
#define VMM_ECAM_BASE		0xfe000000ULL	/* bus 0 only: 32 x 8 x 4 KiB */
#define VMM_ECAM_SIZE		0x100000ULL
#define VMM_MEM_MAX		VMM_MMIO_BASE
#define VMM_IO_BAR_BASE		0xc000		/* I/O BARs are allocated here */
#define VMM_IO_BAR_END		0x10000
#define VMM_LAPIC_BASE		0xfee00000ULL

/* Ports. */
#define VMM_PORT_SERIAL		0x3f8	/* 8 ports, 16550-like, output only */
#define VMM_PORT_EXIT		0x500	/* write: exit status (low 8 bits) */
#define VMM_PORT_MARK		0x504	/* write: timestamped marker (bench) */
#define VMM_PORT_CLOCK		0x508	/* read 4: host microseconds since start */
#define VMM_PORT_PCI_ADDR	0xcf8	/* configuration mechanism #1 */
#define VMM_PORT_PCI_DATA	0xcfc

/* First vector the guest runtime hands out for MSI/MSI-X. */
#define VMM_GUEST_VECTOR_BASE	0x40

/* boot_info.flags */
#define VMM_BOOT_F_IRQCHIP	(1u << 0)	/* local APIC/IOAPIC present */

#define VMM_BOOT_MAGIC		0x7470627452484f53ULL	/* "SOHRtbpt" */

/* At VMM_GPA_BOOT_INFO; rdi points at it on entry. */
struct vmm_boot_info {
	uint64_t magic;
	uint64_t mem_size;		/* bytes of RAM from GPA 0 */
	uint64_t image_end;		/* first free byte after the image */
	uint64_t mmio_base, mmio_end;	/* PCI MMIO window */
	uint32_t nr_devices;		/* devices behind the host bridge */
	uint32_t flags;
	char arg[64];			/* --guest-arg text, NUL-terminated */
	uint64_t ecam_base;		/* ECAM of bus 0 (1 MiB) */
};

#endif
