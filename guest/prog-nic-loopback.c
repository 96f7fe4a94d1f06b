// SPDX-License-Identifier: MIT
/*
 * nic-loopback — a NIC looping frames back to itself, driven from the guest
 * with the shared drivers (drivers/e1000e.c, drivers/igb.c): each frame
 * leaves by TX DMA from guest RAM and comes back by RX DMA into guest RAM,
 * bytes checked, with the RX interrupt (MSI-X vector 0 of the device)
 * taken through the VMM's irqfd route.  The first e1000e, igb or igbvf on
 * the bus is used; e1000e and the igb PF loop back in the MAC, an igbvf's
 * frames come back through its PF's VMDq switch.  Every frame goes from
 * the NIC's own MAC address to itself.  Exit 0 when every frame came back
 * with its interrupt.
 */
#include "guest/drv-env.h"

#define VEC VMM_GUEST_VECTOR_BASE	/* RX queue 0 = MSI-X entry 0 */

static void make_frame(uint8_t *f, const uint8_t *mac, uint32_t len, uint32_t seq)
{
	memcpy(f, mac, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;			/* local experimental ethertype */
	for (uint32_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i ^ (seq * 31));
}

int guest_main(struct vmm_boot_info *bi)
{
	static const char *const nics[] = { "e1000e", "igb", "igbvf", NULL };
	static const uint32_t sizes[] = { 60, 64, 1000, 1514 };
	struct guest_drv g;
	const char *how;
	uint8_t *tx, *rx;
	uint32_t fails = 0, irqs;

	if (guest_drv_open_any(&g, nics, VEC, GUEST_IRQ_MSIX, NULL, NULL))
		return 1;
	how = strcmp(g.drv.ops->name, "igbvf") ? "MAC loopback" : "VF loopback";
	tx = guest_alloc(2048, 4096);
	rx = guest_alloc(2048, 4096);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i];
		int ret;

		make_frame(tx, g.drv.mac, n, i);
		memset(rx, 0, 2048);
		irqs = irq_count(VEC);
		g.drv.ops->irq_arm(&g.drv, 0);
		ret = g.drv.ops->memcpy_start(&g.drv, (uint64_t)tx, (uint64_t)rx, n);
		if (!ret)
			ret = g.drv.ops->memcpy_wait(&g.drv);
		if (ret) {
			printf("nic-loopback: frame of %u bytes failed (%d)%s%s\n", n, ret,
			       g.drv.why ? ": " : "", g.drv.why ? g.drv.why : "");
			fails++;
			continue;
		}
		if (memcmp(tx, rx, n)) {
			printf("nic-loopback: frame of %u bytes: bytes differ\n", n);
			fails++;
			continue;
		}
		if (irq_wait(VEC, irqs, 1000000) == irqs) {
			printf("nic-loopback: frame of %u bytes: no RX interrupt\n", n);
			fails++;
			continue;
		}
		g.drv.ops->irq_ack(&g.drv);
		printf("nic-loopback: %u-byte frame TX DMA -> %s -> RX DMA: "
		       "bytes match, RX MSI-X vector 0x%x taken\n", n, how, VEC);
	}
	g.drv.ops->remove(&g.drv);
	printf("nic-loopback: %s %s\n", g.drv.ops->name, fails ? "FAILED" : "ok");
	(void)bi;
	return fails ? 1 : 0;
}
