// SPDX-License-Identifier: MIT
/*
 * edu-dma — QEMU's edu DMA engine driven from the guest with the shared
 * driver (drivers/edu.c): RAM -> device -> RAM copies of several sizes with
 * the bytes checked, the completion MSI taken through the VMM's irqfd route,
 * and one interrupt raised on demand.  Exit 0 when all of it held.
 */
#include "guest/drv-env.h"

#define VEC VMM_GUEST_VECTOR_BASE

int guest_main(struct vmm_boot_info *bi)
{
	static const uint32_t sizes[] = { 1, 64, 1000, 2048 };
	struct guest_drv g;
	uint8_t *src, *dst;
	uint32_t irqs, fails = 0;

	if (guest_drv_open(&g, 0x1234, 0x11e8, VEC, false))
		return 1;
	src = guest_alloc(4096, 4096);
	dst = guest_alloc(4096, 4096);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i];
		int ret;

		for (uint32_t b = 0; b < 4096; b++) {
			src[b] = (uint8_t)(b * 7 + i + 1);
			dst[b] = 0xee;
		}
		irqs = irq_count(VEC);
		ret = g.drv.ops->memcpy_start(&g.drv, (uint64_t)src, (uint64_t)dst, n);
		if (!ret)
			ret = g.drv.ops->memcpy_wait(&g.drv);
		if (ret) {
			printf("edu-dma: copy of %u bytes failed (%d)\n", n, ret);
			fails++;
			continue;
		}
		if (memcmp(src, dst, n) || dst[n] != 0xee) {
			printf("edu-dma: copy of %u bytes: bytes differ\n", n);
			fails++;
			continue;
		}
		if (irq_wait(VEC, irqs, 1000000) == irqs) {
			printf("edu-dma: copy of %u bytes: no completion MSI\n", n);
			fails++;
			continue;
		}
		g.drv.ops->irq_ack(&g.drv);
		printf("edu-dma: %u bytes RAM -> edu -> RAM at GPA 0x%lx -> 0x%lx: "
		       "bytes match, MSI vector 0x%x taken\n", n,
		       (unsigned long)src, (unsigned long)dst, VEC);
	}
	irqs = irq_count(VEC);
	g.drv.ops->send_msi(&g.drv, 0);
	if (irq_wait(VEC, irqs, 1000000) == irqs) {
		printf("edu-dma: raised interrupt did not arrive\n");
		fails++;
	} else {
		g.drv.ops->irq_ack(&g.drv);
		printf("edu-dma: raised interrupt arrived on vector 0x%x\n", VEC);
	}
	g.drv.ops->remove(&g.drv);
	printf("edu-dma: %s (%u MSIs in all)\n", fails ? "FAILED" : "ok", irq_count(VEC));
	(void)bi;
	return fails ? 1 : 0;
}
