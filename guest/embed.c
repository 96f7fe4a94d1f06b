// SPDX-License-Identifier: MIT
/*
 * guest/embed.c — every guest program, as a flat binary, inside the
 * passthru command (.incbin of $(BUILD)/guest/NAME.bin; the Makefile makes
 * this object depend on those files).
 */
#include <string.h>

#include "guest/embed.h"

#ifndef GUEST_BIN_DIR
#define GUEST_BIN_DIR "build/guest"
#endif

#define GUEST_BLOB(sym, file)						\
	extern const uint8_t guest_blob_##sym[], guest_blob_##sym##_end[]; \
	__asm__(".pushsection .rodata\n"				\
		".balign 16\n"						\
		"guest_blob_" #sym ":\n"				\
		".incbin \"" GUEST_BIN_DIR "/" file ".bin\"\n"		\
		"guest_blob_" #sym "_end:\n"				\
		".popsection\n")

GUEST_BLOB(hello, "hello");
GUEST_BLOB(exit_code, "exit-code");
GUEST_BLOB(hang, "hang");
GUEST_BLOB(unmapped, "unmapped");
GUEST_BLOB(pci_garbage, "pci-garbage");
GUEST_BLOB(pci_ecam, "pci-ecam");
GUEST_BLOB(membar, "membar");
GUEST_BLOB(msi_wait, "msi-wait");
GUEST_BLOB(intx_wait, "intx-wait");
GUEST_BLOB(msix_mask, "msix-mask");
GUEST_BLOB(pio_loop, "pio-loop");
GUEST_BLOB(mmio_loop, "mmio-loop");
GUEST_BLOB(tiny, "tiny");
GUEST_BLOB(edu_dma, "edu-dma");
GUEST_BLOB(nic_loopback, "nic-loopback");
GUEST_BLOB(nic_tx, "nic-tx");
GUEST_BLOB(nvme_io, "nvme-io");

#define PROG(n, sym, needs, sum) \
	{ n, sum, guest_blob_##sym, guest_blob_##sym##_end, needs }

const struct guest_prog guest_progs[] = {
	PROG("hello", hello, GUEST_NEEDS_NONE, "serial, boot info, PCI bus listing; exits 0"),
	PROG("exit-code", exit_code, GUEST_NEEDS_NONE, "exits with --guest-arg N (default 42)"),
	PROG("hang", hang, GUEST_NEEDS_NONE, "never exits (halt, or --guest-arg spin)"),
	PROG("unmapped", unmapped, GUEST_NEEDS_NONE, "writes an address that is not RAM or a BAR"),
	PROG("pci-garbage", pci_garbage, GUEST_NEEDS_NONE, "junk on the PCI config ports; exits 0 if the bus is intact"),
	PROG("pci-ecam", pci_ecam, GUEST_NEEDS_NONE, "ECAM and CF8/CFC show the same config space"),
	PROG("membar", membar, GUEST_NEEDS_MEMBAR, "writes through a test memfd BAR (--device test:membar)"),
	PROG("msi-wait", msi_wait, GUEST_NEEDS_MEMBAR, "waits for an MSI from the test device"),
	PROG("intx-wait", intx_wait, GUEST_NEEDS_MEMBAR, "waits for an INTx from the test device"),
	PROG("msix-mask", msix_mask, GUEST_NEEDS_MEMBAR, "MSI-X masking: pending bit, delivery on unmask"),
	PROG("pio-loop", pio_loop, GUEST_NEEDS_NONE, "port 0x80 writes forever (benchmark)"),
	PROG("mmio-loop", mmio_loop, GUEST_NEEDS_NONE, "MMIO writes to 0xd0000000 forever (benchmark; faults alone)"),
	PROG("tiny", tiny, GUEST_NEEDS_NONE, "no runtime, 3 OUTs: '!\\n' on serial, exit 0 (benchmark)"),
	PROG("edu-dma", edu_dma, GUEST_NEEDS_EDU, "edu DMA both ways, bytes checked, completion MSI (--guest-arg intx: INTx)"),
	PROG("nic-loopback", nic_loopback, GUEST_NEEDS_NIC, "e1000e/igb/igbvf loopback: TX DMA -> RX DMA, bytes and RX MSI-X checked"),
	PROG("nic-tx", nic_tx, GUEST_NEEDS_NIC, "e1000e/igb sends --guest-arg N frames (default 4) out of the port"),
	PROG("nvme-io", nvme_io, GUEST_NEEDS_NVME, "NVMe Write+Read through PRPs, bytes and I/O MSI-X checked (--guest-arg [NSID:]LBA+COUNT)"),
	{ 0 },
};

const struct guest_prog *guest_prog_find(const char *name)
{
	for (const struct guest_prog *p = guest_progs; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}
