// SPDX-License-Identifier: MIT
/*
 * nic-tx — sends N frames (--guest-arg N, default 4, at most 64) out of the
 * port of the first e1000e or igb PF on the bus (MAC loopback off), each
 * printed as "nic-tx frame I/N LEN HEX" so a capture outside the VM (the
 * lab's filter-dump pcap) can be compared byte for byte.  Frames:
 * broadcast, from the NIC's own MAC address (what its driver read from the
 * device; printed as "nic-tx: source MAC ..."), ethertype 0x88b5, payload
 * "passthru nic-tx I/N" then a counter pattern.
 * The shared driver's copy is TX then RX; with loopback off nothing comes
 * back, which it reports as PT_DRV_EIO ("TX done, nothing received") —
 * that is success here; PT_DRV_ETIMEDOUT means TX never completed.
 */
#include "guest/drv-env.h"

#define RCTL		0x0100		/* the same register on e1000e and igb */
#define RCTL_NO_LOOPBACK 0x0400801au	/* EN UPE MPE BAM SECRC, LBM = 00 */

int guest_main(struct vmm_boot_info *bi)
{
	static const char *const nics[] = { "e1000e", "igb", NULL };
	struct guest_drv g;
	uint32_t n = bi->arg[0] ? strtoul_simple(bi->arg) : 4, sent = 0;
	uint8_t *tx, *rx;

	if (n < 1 || n > 64) {
		printf("nic-tx: frame count must be 1..64\n");
		return 2;
	}
	if (guest_drv_open_any(&g, nics, VMM_GUEST_VECTOR_BASE, GUEST_IRQ_MSIX, NULL, NULL))
		return 1;
	if (!g.drv.has_mac) {
		printf("nic-tx: the driver found no MAC address\n");
		return 1;
	}
	printf("nic-tx: source MAC %02x:%02x:%02x:%02x:%02x:%02x\n", g.drv.mac[0],
	       g.drv.mac[1], g.drv.mac[2], g.drv.mac[3], g.drv.mac[4], g.drv.mac[5]);
	mmio_write32(g.pci.bar[0] + RCTL, RCTL_NO_LOOPBACK);
	g.env.timeout_us = 50000;	/* how long to wait for the (absent) RX */
	tx = guest_alloc(2048, 4096);
	rx = guest_alloc(2048, 4096);
	for (uint32_t i = 1; i <= n; i++) {
		uint32_t len = 60 + 4 * i, p = 0;
		int ret;

		memset(tx, 0xff, 6);
		memcpy(tx + 6, g.drv.mac, 6);
		tx[12] = 0x88;
		tx[13] = 0xb5;
		for (const char *s = "passthru nic-tx "; *s; s++)
			tx[14 + p++] = *s;
		tx[14 + p++] = '0' + i / 10;
		tx[14 + p++] = '0' + i % 10;
		for (uint32_t b = 14 + p; b < len; b++)
			tx[b] = (uint8_t)(b + i);
		ret = g.drv.ops->memcpy_start(&g.drv, (uint64_t)tx, (uint64_t)rx, len);
		if (!ret)
			ret = g.drv.ops->memcpy_wait(&g.drv);
		if (ret != PT_DRV_EIO && ret != 0) {
			printf("nic-tx: frame %u/%u: transmit did not complete (%d)\n", i, n, ret);
			break;
		}
		sent++;
		printf("nic-tx frame %u/%u %u ", i, n, len);
		guest_hexdump("", tx, len);
	}
	g.drv.ops->remove(&g.drv);
	printf("nic-tx: %u of %u frames sent\n", sent, n);
	return sent == n ? 0 : 1;
}
