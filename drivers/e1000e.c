// SPDX-License-Identifier: MIT
/*
 * e1000e.c — Intel 82574L (8086:10d3) as a DMA-test driver: a "copy" is one
 * frame sent by TX DMA (the NIC reads src) and received back through MAC
 * loopback (RCTL.LBM = 01) by RX DMA (the NIC writes dst).  No cable, no
 * peer.  Freestanding: see driver.h.
 *
 * Uses legacy descriptors, one TX and one RX ring of 8 descriptors in the
 * caller's scratch memory (TX at +0, RX at +128), promiscuous receive with
 * CRC stripping and 2 KiB RX buffers: dst must have 2 KiB of room.  Frames
 * are 60..1514 bytes (the NIC pads shorter ones).  The device's own MAC
 * address (RAL0/RAH0 after reset, else the EEPROM) stays programmed and is
 * what drv->mac reports.  MSI-X: IVAR routes RX queue 0 to vector 0, TX
 * queue 0 to vector 1, "other" to vector 2, and send_msi raises the
 * matching cause through ICS.
 *
 * Interrupt exactness under QEMU 8.0 .. 10.0 (the lab's 10.0.2): the
 * model clamps every EITR to at least 500 (128 us), arms the vector's
 * throttle timer with each message, and when that timer expires sends the
 * vector AGAIN whether or not anything was postponed (QEMU 7.2 checked a
 * pending flag first).  So every MSI-X message of this model is followed
 * by an echo 128 us later, which no EITR, IMS, EIAC or IAM programming
 * prevents; only a core reset cancels the armed timer (e1000e_reset stops
 * the interrupt timers; CTRL.RST resets the core since QEMU 8.0).
 * send_msi therefore raises its cause and resets the device at once,
 * then sets it up again; on real silicon the reset merely ends a raise
 * whose one message is already out.  The window between the raise and
 * the reset is two MMIO writes, far inside 128 us unless the vCPU thread
 * is descheduled right between them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/dma-mem.h"
#include "drivers/driver.h"

#define E1000_CTRL	0x0000
#define E1000_STATUS	0x0008
#define E1000_CTRL_EXT	0x0018
#define E1000_MDIC	0x0020
#define E1000_ICR	0x00c0
#define E1000_ICS	0x00c8
#define E1000_IMS	0x00d0
#define E1000_IMC	0x00d8
#define E1000_ITR	0x00c4
#define E1000_EITR(n)	(0x00e8 + 4 * (n))	/* 5 MSI-X vectors */
#define E1000_EIAC	0x00dc
#define E1000_IAM	0x00e0
#define E1000_IVAR	0x00e4
#define E1000_RCTL	0x0100
#define E1000_TCTL	0x0400
#define E1000_RDBAL	0x2800
#define E1000_RDBAH	0x2804
#define E1000_RDLEN	0x2808
#define E1000_RDH	0x2810
#define E1000_RDT	0x2818
#define E1000_RDTR	0x2820
#define E1000_RADV	0x282c
#define E1000_TDBAL	0x3800
#define E1000_TDBAH	0x3804
#define E1000_TDLEN	0x3808
#define E1000_TDH	0x3810
#define E1000_TDT	0x3818
#define E1000_TIDV	0x3820
#define E1000_TADV	0x382c
#define E1000_TARC0	0x3840
#define E1000_RAL0	0x5400
#define E1000_RAH0	0x5404
#define E1000_RXCSUM	0x5000
#define E1000_RFCTL	0x5008
#define E1000_MRQC	0x5818

#define CTRL_ASDE	(1u << 5)
#define CTRL_SLU	(1u << 6)
#define CTRL_RST	(1u << 26)
#define STATUS_LU	(1u << 1)
/* CTRL_EXT interrupt behaviour the native driver turns on */
#define CTRL_EXT_EIAME	(1u << 24)
#define CTRL_EXT_IAME	(1u << 27)
#define CTRL_EXT_TMRCLR	(1u << 29)
#define CTRL_EXT_PBACLR	(1u << 31)
#define MDIC_REG(r)	((uint32_t)(r) << 16)
#define MDIC_PHY1	(1u << 21)
#define MDIC_OP_WRITE	(1u << 26)
#define MDIC_OP_READ	(2u << 26)
#define MDIC_READY	(1u << 28)
#define MDIC_ERROR	(1u << 30)
#define PHY_CTRL	0x00		/* MII basic control */
#define MII_CR_POWER_DOWN (1u << 11)
#define MII_CR_LOOPBACK	(1u << 14)
#define TARC_ENABLE	(1u << 10)
#define RCTL_EN		(1u << 1)
#define RCTL_UPE	(1u << 3)
#define RCTL_MPE	(1u << 4)
#define RCTL_LBM_MAC	(1u << 6)
#define RCTL_BAM	(1u << 15)
#define RCTL_SECRC	(1u << 26)
#define TCTL_EN		(1u << 1)
#define TCTL_PSP	(1u << 3)
#define TCTL_CT		(0x0fu << 4)
#define TCTL_COLD	(0x3fu << 12)
#define ICR_RXQ0	(1u << 20)
#define ICR_TXQ0	(1u << 22)
#define ICR_OTHER	(1u << 24)
#define ICR_ALL_VECTORS	(ICR_RXQ0 | ICR_TXQ0 | ICR_OTHER)
#define EITR_MAX	0xffffu
#define EERD		0x0014
#define EERD_START	(1u << 0)
#define EERD_DONE	(1u << 1)
#define RAH_AV		(1u << 31)

#define TXD_CMD_EOP	0x01
#define TXD_CMD_IFCS	0x02
#define TXD_CMD_RS	0x08
#define DESC_DD		0x01
#define RXD_EOP		0x02

#define NDESC		8
#define RING_BYTES	(NDESC * 16)
#define RX_BUF		2048
#define POLL_US		100
#define WB_GRACE_US	10000	/* RX head moved, descriptor not yet written */

struct e1000e_state {
	uint32_t tx_tail, rx_tail;
	uint32_t rx_cur, tx_cur;	/* descriptors of the running copy */
	uint64_t len;
	bool busy;
};

static struct e1000e_state *st(struct pt_drv *drv)
{
	return (struct e1000e_state *)drv->priv;
}

static int e1000e_probe(uint16_t vendor, uint16_t device, uint32_t class_code)
{
	return vendor == 0x8086 && device == 0x10d3 ? 0 : PT_DRV_ENODEV;
}

static volatile uint8_t *tx_desc(struct pt_drv *drv, uint32_t i)
{
	return drv->env->scratch + i * 16;
}

static volatile uint8_t *rx_desc(struct pt_drv *drv, uint32_t i)
{
	return drv->env->scratch + RING_BYTES + i * 16;
}

static int wait_bits(struct pt_drv *drv, uint64_t reg, uint32_t mask,
		     uint32_t want, uint32_t limit_us)
{
	uint32_t waited = 0;

	while ((pt_drv_read32(drv, 0, reg) & mask) != want) {
		if (waited >= limit_us)
			return PT_DRV_ETIMEDOUT;
		drv->env->delay_us(drv->env->opaque, POLL_US);
		waited += POLL_US;
	}
	return 0;
}

/* One PHY register access through MDIC (PHY address 1); -EIO if the PHY
 * does not answer or flags an error. */
static int e1000e_mdic(struct pt_drv *drv, uint32_t cmd, uint16_t *data)
{
	uint32_t v;

	pt_drv_write32(drv, 0, E1000_MDIC, cmd | MDIC_PHY1);
	if (wait_bits(drv, E1000_MDIC, MDIC_READY, MDIC_READY, 100000) < 0)
		return PT_DRV_EIO;
	v = pt_drv_read32(drv, 0, E1000_MDIC);
	if (v & MDIC_ERROR)
		return PT_DRV_EIO;
	if (data)
		*data = (uint16_t)v;
	return 0;
}

/*
 * Everything the copy depends on, written explicitly instead of trusted to
 * CTRL.RST.  QEMU 7.2's e1000e model implements CTRL.RST as "restore the
 * MAC address" only (later QEMU resets the whole core there), and the
 * function reset vfio-pci does at open cannot help: the model offers only
 * a PM reset (reset_method "pm"), which leaves its registers alone.  So a
 * device the native e1000e driver brought up keeps its settings (seen in
 * the lab: RFCTL 0x9000 after `ip link set eth0 up; ... down`):
 * RFCTL.EXTEN makes the NIC write *extended* RX descriptors
 * (status at byte 8, length at byte 12, so a legacy reader sees DD clear
 * and reports -EIO), plus RSS (MRQC), RX checksum offload, CTRL_EXT auto-
 * mask/auto-clear of interrupt causes (IAME/EIAME with IAM/EIAC), delayed
 * RX/TX interrupts, and on `ip link down` a powered-down PHY.
 */
static int e1000e_program_state(struct pt_drv *drv)
{
	uint16_t phy;

	pt_drv_write32(drv, 0, E1000_RFCTL, 0);		/* legacy descriptors */
	pt_drv_write32(drv, 0, E1000_RXCSUM, 0);	/* no RX offload */
	pt_drv_write32(drv, 0, E1000_MRQC, 0);		/* no RSS */
	/*
	 * One-shot vectors: EIAC auto-clears a cause from ICR *and*, with
	 * IAME/EIAME off, from IMS when its MSI-X vector fires, so one
	 * enabled cause gives exactly one message and nothing the copies
	 * raise afterwards (RXQ0, TXQ0) can fire it again.  PBA_CLR: an IMS
	 * write clears the vector's stale MSI-X pending bit, so a message
	 * left pending while VFIO had the vector masked is not delivered
	 * later as a stray.
	 */
	pt_drv_write32(drv, 0, E1000_CTRL_EXT, (pt_drv_read32(drv, 0, E1000_CTRL_EXT) &
		       ~(CTRL_EXT_EIAME | CTRL_EXT_IAME | CTRL_EXT_TMRCLR)) | CTRL_EXT_PBACLR);
	pt_drv_write32(drv, 0, E1000_IAM, 0);
	pt_drv_write32(drv, 0, E1000_EIAC, ICR_ALL_VECTORS);
	pt_drv_write32(drv, 0, E1000_RDTR, 0);
	pt_drv_write32(drv, 0, E1000_RADV, 0);
	pt_drv_write32(drv, 0, E1000_TIDV, 0);
	pt_drv_write32(drv, 0, E1000_TADV, 0);
	/* the model only transmits from a queue whose TARC enable bit is set */
	pt_drv_write32(drv, 0, E1000_TARC0, pt_drv_read32(drv, 0, E1000_TARC0) | TARC_ENABLE);
	/* PHY powered up and out of PHY loopback: MAC loopback is what we use */
	if (e1000e_mdic(drv, MDIC_OP_READ | MDIC_REG(PHY_CTRL), &phy) < 0)
		return PT_DRV_EIO;
	if (phy & (MII_CR_POWER_DOWN | MII_CR_LOOPBACK)) {
		phy &= (uint16_t)~(MII_CR_POWER_DOWN | MII_CR_LOOPBACK);
		if (e1000e_mdic(drv, MDIC_OP_WRITE | MDIC_REG(PHY_CTRL) | phy, NULL) < 0)
			return PT_DRV_EIO;
	}
	return 0;
}

/*
 * The device's own address: RAL0/RAH0 as the reset loaded them from the
 * EEPROM, else the EEPROM's first three words (EERD).  Written back with
 * the valid bit so the receive filter and the frames agree.
 */
static int e1000e_read_mac(struct pt_drv *drv)
{
	uint32_t ral = pt_drv_read32(drv, 0, E1000_RAL0), rah = pt_drv_read32(drv, 0, E1000_RAH0);

	if (rah & RAH_AV) {
		for (int i = 0; i < 4; i++)
			drv->mac[i] = (uint8_t)(ral >> (8 * i));
		drv->mac[4] = (uint8_t)rah;
		drv->mac[5] = (uint8_t)(rah >> 8);
	} else {
		for (uint32_t w = 0; w < 3; w++) {
			pt_drv_write32(drv, 0, EERD, w << 2 | EERD_START);
			if (wait_bits(drv, EERD, EERD_DONE, EERD_DONE, 100000) < 0)
				return PT_DRV_EIO;
			drv->mac[2 * w] = (uint8_t)(pt_drv_read32(drv, 0, EERD) >> 16);
			drv->mac[2 * w + 1] = (uint8_t)(pt_drv_read32(drv, 0, EERD) >> 24);
		}
	}
	drv->has_mac = true;
	pt_drv_write32(drv, 0, E1000_RAL0, (uint32_t)drv->mac[0] | (uint32_t)drv->mac[1] << 8 |
		       (uint32_t)drv->mac[2] << 16 | (uint32_t)drv->mac[3] << 24);
	pt_drv_write32(drv, 0, E1000_RAH0, drv->mac[4] | (uint32_t)drv->mac[5] << 8 | RAH_AV);
	return 0;
}

static int e1000e_init(struct pt_drv *drv)
{
	struct pt_drv_env *e = drv->env;
	struct e1000e_state *s = st(drv);
	uint32_t i;

	if (!e->scratch || e->scratch_size < 2 * RING_BYTES || (e->scratch_iova & 127))
		return PT_DRV_EINVAL;
	pt_drv_write32(drv, 0, E1000_IMC, 0xffffffffu);
	/* Quiesce both rings before the reset so no DMA is in flight. */
	pt_drv_write32(drv, 0, E1000_RCTL, 0);
	pt_drv_write32(drv, 0, E1000_TCTL, 0);
	pt_drv_write32(drv, 0, E1000_CTRL, pt_drv_read32(drv, 0, E1000_CTRL) | CTRL_RST);
	e->delay_us(e->opaque, 1000);
	if (wait_bits(drv, E1000_CTRL, CTRL_RST, 0, 100000) < 0)
		return PT_DRV_EIO;
	pt_drv_write32(drv, 0, E1000_IMC, 0xffffffffu);
	pt_drv_write32(drv, 0, E1000_ICR, 0xffffffffu);
	/* No interrupt throttling (QEMU's model clamps EITR to >= 500
	 * anyway: see the header). */
	pt_drv_write32(drv, 0, E1000_ITR, 0);
	for (i = 0; i < 5; i++)
		pt_drv_write32(drv, 0, E1000_EITR(i), 0);
	if (e1000e_program_state(drv) < 0)
		return PT_DRV_EIO;
	pt_drv_write32(drv, 0, E1000_CTRL, CTRL_SLU | CTRL_ASDE);
	if (e1000e_read_mac(drv) < 0)
		return PT_DRV_EIO;
	pt_drv_write32(drv, 0, E1000_IVAR, 0x8u | (0x9u << 8) | (0xau << 16));

	for (i = 0; i < NDESC; i++) {
		dma_zero(tx_desc(drv, i), 16);
		dma_zero(rx_desc(drv, i), 16);
	}
	pt_drv_write32(drv, 0, E1000_TDBAL, (uint32_t)e->scratch_iova);
	pt_drv_write32(drv, 0, E1000_TDBAH, (uint32_t)(e->scratch_iova >> 32));
	pt_drv_write32(drv, 0, E1000_TDLEN, RING_BYTES);
	pt_drv_write32(drv, 0, E1000_TDH, 0);
	pt_drv_write32(drv, 0, E1000_TDT, 0);
	pt_drv_write32(drv, 0, E1000_RDBAL, (uint32_t)(e->scratch_iova + RING_BYTES));
	pt_drv_write32(drv, 0, E1000_RDBAH, (uint32_t)((e->scratch_iova + RING_BYTES) >> 32));
	pt_drv_write32(drv, 0, E1000_RDLEN, RING_BYTES);
	pt_drv_write32(drv, 0, E1000_RDH, 0);
	pt_drv_write32(drv, 0, E1000_RDT, 0);
	pt_drv_write32(drv, 0, E1000_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
	pt_drv_write32(drv, 0, E1000_RCTL, RCTL_EN | RCTL_UPE | RCTL_MPE | RCTL_BAM |
		       RCTL_LBM_MAC | RCTL_SECRC);
	s->tx_tail = s->rx_tail = 0;
	s->busy = false;
	/* receive needs link up; the model brings it up after SLU */
	if (wait_bits(drv, E1000_STATUS, STATUS_LU, STATUS_LU, 3000000) < 0)
		return PT_DRV_EIO;
	/* drop what init itself raised (MDIC done, link change, ...) */
	pt_drv_write32(drv, 0, E1000_IMC, 0xffffffffu);
	pt_drv_write32(drv, 0, E1000_ICR, 0xffffffffu);
	return 0;
}

/* Rings off, then a reset, which also cancels any throttle timer QEMU's
 * model still has armed, so no message follows after MSI-X goes away. */
static void e1000e_remove(struct pt_drv *drv)
{
	pt_drv_write32(drv, 0, E1000_IMC, 0xffffffffu);
	pt_drv_write32(drv, 0, E1000_RCTL, 0);
	pt_drv_write32(drv, 0, E1000_TCTL, 0);
	pt_drv_write32(drv, 0, E1000_ICR, 0xffffffffu);
	pt_drv_write32(drv, 0, E1000_CTRL, CTRL_SLU | CTRL_ASDE | CTRL_RST);
	drv->env->delay_us(drv->env->opaque, 1000);
	pt_drv_write32(drv, 0, E1000_IMC, 0xffffffffu);
	st(drv)->busy = false;
}

static int e1000e_memcpy_start(struct pt_drv *drv, uint64_t src, uint64_t dst,
			       uint64_t len)
{
	struct e1000e_state *s = st(drv);
	volatile uint8_t *t, *r;

	if (len < 60 || len > 1514)
		return PT_DRV_EINVAL;
	if (s->busy)
		return PT_DRV_EBUSY;
	s->rx_cur = s->rx_tail;
	s->tx_cur = s->tx_tail;
	s->len = len;
	r = rx_desc(drv, s->rx_cur);
	dma_zero(r, 16);
	dma_put64(r, dst);
	t = tx_desc(drv, s->tx_cur);
	dma_zero(t, 16);
	dma_put64(t, src);
	*(volatile uint16_t *)(t + 8) = (uint16_t)len;
	t[11] = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->rx_tail = (s->rx_tail + 1) % NDESC;
	s->tx_tail = (s->tx_tail + 1) % NDESC;
	s->busy = true;
	pt_drv_write32(drv, 0, E1000_RDT, s->rx_tail);
	pt_drv_write32(drv, 0, E1000_TDT, s->tx_tail);
	return 0;
}

static int e1000e_memcpy_wait(struct pt_drv *drv)
{
	struct e1000e_state *s = st(drv);
	uint32_t waited = 0, limit = drv->env->timeout_us ? drv->env->timeout_us : 2000000;
	uint32_t consumed_us = 0;
	volatile uint8_t *r, *t;

	if (!s->busy)
		return PT_DRV_EINVAL;
	r = rx_desc(drv, s->rx_cur);
	t = tx_desc(drv, s->tx_cur);
	while (!(r[12] & DESC_DD)) {
		/*
		 * The NIC moved its RX head past our descriptor (it took the
		 * frame) yet no legacy DD bit arrived within WB_GRACE_US: it
		 * wrote the descriptor back in another format (extended or
		 * packet-split, i.e. RFCTL/RCTL not what init set).  Waiting
		 * the full limit would change nothing, so fail now: a failed
		 * copy must end quickly, not leave the caller (a KVM guest
		 * with interrupts off) spinning for seconds.
		 */
		if ((t[12] & DESC_DD) &&
		    pt_drv_read32(drv, 0, E1000_RDH) != s->rx_cur) {
			if (consumed_us >= WB_GRACE_US)
				break;
			consumed_us += POLL_US;
		}
		if (waited >= limit)
			break;
		drv->env->delay_us(drv->env->opaque, POLL_US);
		waited += POLL_US;
	}
	if (!(r[12] & DESC_DD)) {
		drv->diag[0] = t[12];
		drv->diag[1] = r[12];
		drv->diag[2] = r[13];
		drv->diag[3] = *(volatile uint16_t *)(r + 8);
		s->busy = false;
		/* TX done but nothing received: DMA write blocked, loopback
		 * missing or a foreign write-back format; TX not done: DMA
		 * read blocked */
		return (t[12] & DESC_DD) ? PT_DRV_EIO : PT_DRV_ETIMEDOUT;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->busy = false;
	drv->diag[0] = t[12];
	drv->diag[1] = r[12];
	drv->diag[2] = r[13];
	drv->diag[3] = *(volatile uint16_t *)(r + 8);
	if (!(r[12] & RXD_EOP) || r[13] != 0 || *(volatile uint16_t *)(r + 8) != s->len)
		return PT_DRV_EIO;
	return 0;
}

static const uint32_t vector_cause[3] = { ICR_RXQ0, ICR_TXQ0, ICR_OTHER };

/*
 * One message on vector, and no echo: the cause is raised alone (nothing
 * else enabled or pending) and the device is reset right after, which
 * cancels the throttle timer QEMU 8.0-10.0 armed with the message (see the
 * header), then set up again.
 */
static int e1000e_send_msi(struct pt_drv *drv, uint32_t vector)
{
	if (vector >= 3)
		return PT_DRV_EINVAL;
	pt_drv_write32(drv, 0, E1000_IMC, 0xffffffffu);
	pt_drv_write32(drv, 0, E1000_ICR, 0xffffffffu);
	/* the longest window (65535 x 256 ns = 16.8 ms) between the message
	 * and the echo the reset below must come before */
	pt_drv_write32(drv, 0, E1000_EITR(vector), EITR_MAX);
	pt_drv_write32(drv, 0, E1000_IMS, vector_cause[vector]);
	pt_drv_write32(drv, 0, E1000_ICS, vector_cause[vector]);
	pt_drv_write32(drv, 0, E1000_CTRL, CTRL_SLU | CTRL_ASDE | CTRL_RST);
	return e1000e_init(drv);
}

/* The ack ends a raise or a copy's interrupt: nothing stays enabled,
 * nothing stays pending. */
static void e1000e_irq_ack(struct pt_drv *drv)
{
	pt_drv_write32(drv, 0, E1000_IMC, 0xffffffffu);
	pt_drv_write32(drv, 0, E1000_ICR, 0xffffffffu);
}

static void e1000e_irq_arm(struct pt_drv *drv, uint32_t vector)
{
	if (vector < 3)
		pt_drv_write32(drv, 0, E1000_IMS, vector_cause[vector]);
}

const struct pt_driver pt_driver_e1000e = {
	.name = "e1000e",
	.dma_bits = 64,
	.max_memcpy = 1514,
	.min_memcpy = 60,
	.dst_room = RX_BUF,
	.scratch_size_min = 2 * RING_BYTES,
	.nr_vectors = 3,
	.probe = e1000e_probe,
	.init = e1000e_init,
	.remove = e1000e_remove,
	.memcpy_start = e1000e_memcpy_start,
	.memcpy_wait = e1000e_memcpy_wait,
	.send_msi = e1000e_send_msi,
	.irq_ack = e1000e_irq_ack,
	.irq_arm = e1000e_irq_arm,
};
