// SPDX-License-Identifier: MIT
/*
 * nvme-io — the first NVMe controller on the bus, driven from the guest
 * with the shared driver (drivers/nvme.c): for each size, a pattern in
 * guest RAM is written to the scratch LBAs (the controller reads guest RAM
 * by DMA) and read back into another buffer (it writes guest RAM by DMA),
 * bytes checked; sizes cover one PRP, PRP1 + PRP2 across a page boundary
 * and a PRP list.  The commands' completions are taken as MSI-X on vector
 * 1 (the I/O queue) through the VMM's irqfd route; none may arrive on
 * vector 0 (the admin queue) meanwhile.  --guest-arg [NSID:]START+COUNT
 * declares the scratch LBAs, as dma-test's --scratch-lba does.
 * Exit 0 when every copy held; 3 when the driver refused the namespace
 * (a filesystem or partition table where it would write).
 */
#include "guest/drv-env.h"

#define VEC_ADMIN	VMM_GUEST_VECTOR_BASE
#define VEC_IO		(VMM_GUEST_VECTOR_BASE + 1)

static uint64_t num(const char **p)
{
	uint64_t v = 0;

	while (**p >= '0' && **p <= '9')
		v = v * 10 + (uint64_t)(*(*p)++ - '0');
	return v;
}

/* "[NSID:]START+COUNT" into the driver's env; false when malformed. */
static bool parse_scratch(const char *a, struct pt_drv_env *e)
{
	const char *p = a;
	uint64_t v = num(&p);

	if (*p == ':') {
		e->scratch_nsid = (uint32_t)v;
		p++;
		v = num(&p);
	}
	if (*p != '+')
		return false;
	p++;
	e->scratch_lba = v;
	e->scratch_lbas = num(&p);
	return !*p && e->scratch_lbas;
}

int guest_main(struct vmm_boot_info *bi)
{
	static const char *const names[] = { "nvme", NULL };
	static const uint32_t sizes[] = { 512, 4096, 4096, 65536 };
	static const uint32_t offsets[] = { 0, 0, 2048, 512 };
	struct guest_drv g;
	uint8_t *src, *dst;
	uint32_t fails = 0, done = 0;
	int err = 0;

	memset(&g, 0, sizeof(g));
	if (bi->arg[0] && !parse_scratch(bi->arg, &g.env)) {
		printf("nvme-io: --guest-arg takes [NSID:]START+COUNT\n");
		return 2;
	}
	{
		struct pt_drv_env want = g.env;

		/* guest_drv_open_any clears g: hand the declaration over after */
		if (want.scratch_lbas) {
			printf("nvme-io: scratch LBAs %lu+%lu declared\n",
			       (unsigned long)want.scratch_lba, (unsigned long)want.scratch_lbas);
		}
		if (guest_drv_open_any(&g, names, VEC_ADMIN, GUEST_IRQ_MSIX, &want, &err)) {
			if (err == PT_DRV_EROFS) {
				printf("nvme-io: the driver refused to write the namespace\n");
				return 3;
			}
			return 1;
		}
	}
	printf("nvme-io: namespace %u, %u-byte LBAs, scratch LBAs %u+%u, largest copy %lu bytes\n",
	       g.drv.diag[0], g.drv.diag[1], g.drv.diag[2], g.drv.diag[3],
	       (unsigned long)g.drv.copy_max);
	/* init's admin completions are still pending while interrupts are
	 * off (the driver polls): take them now, not during the first copy */
	irq_wait(VEC_ADMIN, irq_count(VEC_ADMIN), 200000);
	irq_wait(VEC_IO, irq_count(VEC_IO), 1000);
	src = guest_alloc(65536 + 4096, 4096);
	dst = guest_alloc(65536 + 4096, 4096);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i], o = offsets[i], io, adm, got;
		int ret;

		if (n > g.drv.copy_max)
			continue;
		for (uint32_t b = 0; b < n; b++) {
			src[o + b] = (uint8_t)(b * 13 + i + 7);
			dst[o + b] = 0xee;
		}
		io = irq_count(VEC_IO);
		adm = irq_count(VEC_ADMIN);
		ret = g.drv.ops->memcpy_start(&g.drv, (uint64_t)(src + o), (uint64_t)(dst + o), n);
		if (!ret)
			ret = g.drv.ops->memcpy_wait(&g.drv);
		if (ret) {
			printf("nvme-io: copy of %u bytes failed (%d)%s%s, status 0x%x\n", n, ret,
			       g.drv.why ? ": " : "", g.drv.why ? g.drv.why : "", g.drv.diag[0]);
			fails++;
			continue;
		}
		if (memcmp(src + o, dst + o, n)) {
			printf("nvme-io: copy of %u bytes: bytes differ\n", n);
			fails++;
			continue;
		}
		/*
		 * Two completions, each an MSI-X message on the I/O vector;
		 * the second may come while the first is still pending in the
		 * local APIC, which then takes them as one interrupt.
		 */
		got = irq_wait(VEC_IO, io, 1000000);
		delay_us(20000);
		got = irq_count(VEC_IO);
		if (got == io || got > io + 2 || irq_count(VEC_ADMIN) != adm) {
			printf("nvme-io: copy of %u bytes: %u interrupts on the I/O vector "
			       "(expected 1 or 2), %u on the admin vector (expected 0)\n", n,
			       got - io, irq_count(VEC_ADMIN) - adm);
			fails++;
			continue;
		}
		done++;
		printf("nvme-io: %u bytes at +%u Write (DMA from guest RAM) -> LBA %u -> "
		       "Read (DMA to guest RAM): bytes match, %s, MSI-X on vector 0x%x (%u)\n",
		       n, o, g.drv.diag[3], n + o <= 4096 ? "PRP1" : n + o <= 8192 ?
		       "PRP1+PRP2 across a page boundary" : "a PRP list", VEC_IO, got - io);
	}
	g.drv.ops->remove(&g.drv);
	printf("nvme-io: %u copies, %s\n", done, fails || !done ? "FAILED" : "ok");
	return fails || !done ? 1 : 0;
}
