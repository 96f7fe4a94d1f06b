// SPDX-License-Identifier: MIT
/*
 * edu-dma — QEMU's edu DMA engine driven from the guest with the shared
 * driver (drivers/edu.c): RAM -> device -> RAM copies of several sizes with
 * the bytes checked, the completion interrupt taken through the VMM's irqfd
 * route (MSI; `--guest-arg intx`: INTx through the IOAPIC with a resampling
 * irqfd), and one interrupt raised on demand.  `--guest-arg outside` also
 * has edu write 64 bytes to an IOVA just past guest RAM, which the IOMMU
 * must block (the lab case looks for the fault).  Exit 0 when all held.
 */
#include "guest/drv-env.h"

#define VEC VMM_GUEST_VECTOR_BASE

int guest_main(struct vmm_boot_info *bi)
{
	static const uint32_t sizes[] = { 1, 64, 1000, 2048 };
	struct guest_drv g;
	uint8_t *src, *dst;
	uint32_t irqs, fails = 0;

	bool intx = !strcmp(bi->arg, "intx");
	const char *how = intx ? "INTx" : "MSI";

	if (guest_drv_open(&g, 0x1234, 0x11e8, VEC, intx ? GUEST_IRQ_INTX : GUEST_IRQ_MSI))
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
			printf("edu-dma: copy of %u bytes: no completion %s\n", n, how);
			fails++;
			continue;
		}
		g.drv.ops->irq_ack(&g.drv);
		printf("edu-dma: %u bytes RAM -> edu -> RAM at GPA 0x%lx -> 0x%lx: "
		       "bytes match, %s vector 0x%x taken\n", n,
		       (unsigned long)src, (unsigned long)dst, how, VEC);
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
	if (!strcmp(bi->arg, "outside")) {
		/* DMA from edu to an IOVA past guest RAM (below edu's 28-bit
		 * limit): the VMM mapped only RAM, so the IOMMU must fault it. */
		uint64_t out = bi->mem_size + (1u << 20);
		int ret = g.drv.ops->memcpy_start(&g.drv, (uint64_t)src, out, 64);

		if (!ret)
			ret = g.drv.ops->memcpy_wait(&g.drv);
		printf("edu-dma: DMA write to IOVA 0x%lx (outside guest RAM) issued, "
		       "device says %d\n", (unsigned long)out, ret);
		g.drv.ops->irq_ack(&g.drv);
	}
	g.drv.ops->remove(&g.drv);
	printf("edu-dma: %s (%u %ss in all)\n", fails ? "FAILED" : "ok", irq_count(VEC), how);
	(void)bi;
	return fails ? 1 : 0;
}
