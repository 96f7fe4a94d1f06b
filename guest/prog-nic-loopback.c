// SPDX-License-Identifier: MIT
/*
 * nic-loopback — the e1000e (82574L) in MAC loopback, driven from the guest
 * with the shared driver (drivers/e1000e.c): each frame leaves by TX DMA
 * from guest RAM and comes back by RX DMA into guest RAM, bytes checked,
 * with the RX interrupt (MSI-X vector 0 of the device) taken through the
 * VMM's irqfd route.  Exit 0 when every frame came back with its interrupt.
 */
#include "guest/drv-env.h"

#define VEC VMM_GUEST_VECTOR_BASE	/* RX queue 0 = MSI-X entry 0 */
#define E1000_IMS	0x00d0
#define ICR_RXQ0	(1u << 20)

static void make_frame(uint8_t *f, uint32_t len, uint32_t seq)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memcpy(f, mac, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;			/* local experimental ethertype */
	for (uint32_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i ^ (seq * 31));
}

int guest_main(struct vmm_boot_info *bi)
{
	static const uint32_t sizes[] = { 60, 64, 1000, 1514 };
	struct guest_drv g;
	uint8_t *tx, *rx;
	uint32_t fails = 0, irqs;

	if (guest_drv_open(&g, 0x8086, 0x10d3, VEC, GUEST_IRQ_MSIX))
		return 1;
	tx = guest_alloc(2048, 4096);
	rx = guest_alloc(2048, 4096);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i];
		int ret;

		make_frame(tx, n, i);
		memset(rx, 0, 2048);
		irqs = irq_count(VEC);
		mmio_write32(g.pci.bar[0] + E1000_IMS, ICR_RXQ0);
		ret = g.drv.ops->memcpy_start(&g.drv, (uint64_t)tx, (uint64_t)rx, n);
		if (!ret)
			ret = g.drv.ops->memcpy_wait(&g.drv);
		if (ret) {
			printf("nic-loopback: frame of %u bytes failed (%d)\n", n, ret);
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
		printf("nic-loopback: %u-byte frame TX DMA -> MAC loopback -> RX DMA: "
		       "bytes match, RX MSI-X vector 0x%x taken\n", n, VEC);
	}
	g.drv.ops->remove(&g.drv);
	printf("nic-loopback: %s\n", fails ? "FAILED" : "ok");
	(void)bi;
	return fails ? 1 : 0;
}
