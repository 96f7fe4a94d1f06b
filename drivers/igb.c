// SPDX-License-Identifier: MIT
/*
 * igb.c — Intel 82576 and I350 (igb) as DMA-test drivers, the physical
 * function and the SR-IOV virtual function (igbvf).  Freestanding: see
 * driver.h.
 *
 * A copy is one frame: TX DMA reads src, the frame comes back, RX DMA
 * writes dst.  One TX and one RX ring of 8 advanced descriptors (queue 0,
 * at its legacy-compatible register addresses 0x2800/0x3800, which the VF
 * has too) in the caller's scratch memory: TX at +0, RX at +128; 2 KiB RX
 * buffers, so dst must have 2 KiB of room; frames 60..1514 bytes.
 *
 *  PF: MAC loopback (RCTL.LBM = 01, link forced up), promiscuous, so any
 *      bytes make a frame.  Refused while VFs are enabled: the model (and
 *      the hardware in VMDq mode) then hands queue 0 to VF 0.
 *  VF: the PF (on its host driver, link up) owns the MAC; a VF has no
 *      loopback bit.  The PF's VMDq switch loops a VF's frame back when it
 *      is addressed to a pool, so every copy's source starts with a header
 *      to the VF's own MAC (drv->copy_prefix: the caller writes it).  The
 *      VF asks the PF through the mailbox (VF_RESET) to enable its queues
 *      and learns its MAC from the reply.
 *
 * MSI-X (both): RX queue 0 -> vector 0, TX queue 0 -> vector 1 (PF: other
 * causes -> vector 2); EIAC auto-clears each vector's cause when its
 * message goes out; throttling (EITR) is off, because a throttle timer of
 * QEMU's igb model sends its vector again when it expires.  send_msi
 * raises a vector with EICS.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/dma-mem.h"
#include "drivers/driver.h"

/* PF registers */
#define CTRL		0x0000
#define STATUS		0x0008
#define EECD		0x0010
#define EERD		0x0014
#define CTRL_EXT	0x0018
#define MDIC		0x0020
#define ICR		0x00c0
#define IMC		0x00d8
#define RCTL		0x0100
#define TCTL		0x0400
#define RXCSUM		0x5000
#define MRQC		0x5818
#define RAL0		0x5400
#define RAH0		0x5404
#define GPIE		0x1514
#define EICS		0x1520
#define EIMS		0x1524
#define EIMC		0x1528
#define EIAC		0x152c
#define EICR		0x1580
#define EITR(n)		(0x1680 + 4 * (n))
#define IVAR0		0x1700
#define IVAR_MISC	0x1740
/* queue 0, at the addresses PF and VF share */
#define RDBAL		0x2800
#define RDBAH		0x2804
#define RDLEN		0x2808
#define SRRCTL		0x280c
#define RDH		0x2810
#define RDT		0x2818
#define RXDCTL		0x2828
#define TDBAL		0x3800
#define TDBAH		0x3804
#define TDLEN		0x3808
#define TDH		0x3810
#define TDT		0x3818
#define TXDCTL		0x3828
/* VF-only */
#define VF_MAILBOX	0x0c40
#define VF_MBMEM	0x0800

#define CTRL_FD		(1u << 0)
#define CTRL_SLU	(1u << 6)
#define CTRL_SPD_1000	(2u << 8)
#define CTRL_FRCSPD	(1u << 11)
#define CTRL_FRCDPX	(1u << 12)
#define CTRL_RST	(1u << 26)
#define STATUS_LU	(1u << 1)
#define STATUS_NUM_VFS	(0xfu << 14)
#define STATUS_IOV_MODE	(1u << 18)
#define EECD_AUTO_RD	(1u << 9)
#define EERD_START	(1u << 0)
#define EERD_DONE	(1u << 1)
#define RAH_AV		(1u << 31)
#define MDIC_REG(r)	((uint32_t)(r) << 16)
#define MDIC_PHY1	(1u << 21)
#define MDIC_OP_WRITE	(1u << 26)
#define MDIC_READY	(1u << 28)
#define MDIC_ERROR	(1u << 30)
#define BMCR_ANRESTART	(1u << 9)
#define BMCR_FD		(1u << 8)
#define BMCR_AUTOEN	(1u << 12)
#define BMCR_SPEED1000	(1u << 6)
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
#define GPIE_NSICR	(1u << 0)
#define GPIE_MSIX_MODE	(1u << 4)
#define GPIE_PBA	(1u << 31)
#define IVAR_VALID	0x80u
#define SRRCTL_2K	2u		/* BSIZEPKT, 1 KiB units */
#define SRRCTL_ADV1BUF	(1u << 25)	/* DESCTYPE 001: advanced, one buffer */
#define SRRCTL_DROP_EN	(1u << 31)
#define QUEUE_ENABLE	(1u << 25)	/* RXDCTL / TXDCTL */
/* advanced TX data descriptor */
#define TXD_DTYP_DATA	(3u << 20)
#define TXD_EOP		(1u << 24)
#define TXD_IFCS	(1u << 25)
#define TXD_RS		(1u << 27)
#define TXD_DEXT	(1u << 29)
#define TXD_PAYLEN_SHIFT 14
#define DESC_DD		0x01u
#define RXD_EOP		0x02u
#define RXD_ERRORS	0xf7000000u	/* RXE IPE TCPE CXE SEQ SE CE */
/* PF/VF mailbox (82576 datasheet 7.8.2) */
#define MBX_REQ		(1u << 0)
#define MBX_ACK		(1u << 1)
#define MBX_VFU		(1u << 2)
#define MBX_PFU		(1u << 3)
#define MBX_PFSTS	(1u << 4)
#define MBX_PFACK	(1u << 5)
#define MBX_RSTI	(1u << 6)
#define MBX_RSTD	(1u << 7)
#define MBX_R2C		(MBX_PFSTS | MBX_PFACK | MBX_RSTD)	/* clear on read */
#define MSG_VF_RESET	0x01u
#define MSG_ACK		0x80000000u
#define MSG_NACK	0x40000000u

#define NDESC		8
#define RING_BYTES	(NDESC * 16)
#define RX_BUF		2048
#define POLL_US		100
#define MBX_LIMIT_US	500000
#define LINK_LIMIT_US	3000000
#define ETH_TYPE_TEST	0x88b5

struct igb_state {
	uint32_t tx_tail, rx_tail;
	uint32_t rx_cur, tx_cur;	/* descriptors of the running copy */
	uint64_t len;
	uint32_t mbx;			/* clear-on-read mailbox bits seen */
	bool busy, vf;
};

static struct igb_state *st(struct pt_drv *drv)
{
	return (struct igb_state *)drv->priv;
}

static const uint16_t pf_ids[] = {
	0x10c9, 0x10e6, 0x10e7, 0x10e8, 0x1526, 0x150a, 0x1518, 0x150d,	/* 82576 */
	0x1521, 0x1522, 0x1523, 0x1524,					/* I350 */
};
static const uint16_t vf_ids[] = { 0x10ca, 0x1520 };			/* 82576, I350 VF */

static int igb_probe(uint16_t vendor, uint16_t device, uint32_t class_code)
{
	if (vendor != 0x8086)
		return PT_DRV_ENODEV;
	for (size_t i = 0; i < sizeof(pf_ids) / sizeof(pf_ids[0]); i++)
		if (device == pf_ids[i])
			return 0;
	return PT_DRV_ENODEV;
}

static int igbvf_probe(uint16_t vendor, uint16_t device, uint32_t class_code)
{
	if (vendor != 0x8086)
		return PT_DRV_ENODEV;
	for (size_t i = 0; i < sizeof(vf_ids) / sizeof(vf_ids[0]); i++)
		if (device == vf_ids[i])
			return 0;
	return PT_DRV_ENODEV;
}

static uint32_t rd(struct pt_drv *drv, uint64_t reg)
{
	return pt_drv_read32(drv, 0, reg);
}

static void wr(struct pt_drv *drv, uint64_t reg, uint32_t val)
{
	pt_drv_write32(drv, 0, reg, val);
}

static volatile uint8_t *tx_desc(struct pt_drv *drv, uint32_t i)
{
	return drv->env->scratch + i * 16;
}

static volatile uint8_t *rx_desc(struct pt_drv *drv, uint32_t i)
{
	return drv->env->scratch + RING_BYTES + i * 16;
}

static void delay(struct pt_drv *drv, uint32_t us)
{
	drv->env->delay_us(drv->env->opaque, us);
}

static int wait_bits(struct pt_drv *drv, uint64_t reg, uint32_t mask,
		     uint32_t want, uint32_t limit_us)
{
	uint32_t waited = 0;

	while ((rd(drv, reg) & mask) != want) {
		if (waited >= limit_us)
			return PT_DRV_ETIMEDOUT;
		delay(drv, POLL_US);
		waited += POLL_US;
	}
	return 0;
}

static void fail(struct pt_drv *drv, const char *why, uint32_t d0, uint32_t d1)
{
	drv->why = why;
	drv->diag[0] = d0;
	drv->diag[1] = d1;
}

/* ---- rings and the copy (PF and VF) -------------------------------------- */

/* Queue 0's rings in scratch memory, both queues enabled. */
static int setup_rings(struct pt_drv *drv)
{
	struct pt_drv_env *e = drv->env;
	struct igb_state *s = st(drv);

	for (uint32_t i = 0; i < NDESC; i++) {
		dma_zero(tx_desc(drv, i), 16);
		dma_zero(rx_desc(drv, i), 16);
	}
	wr(drv, TXDCTL, 0);
	wr(drv, RXDCTL, 0);
	wr(drv, TDBAL, (uint32_t)e->scratch_iova);
	wr(drv, TDBAH, (uint32_t)(e->scratch_iova >> 32));
	wr(drv, TDLEN, RING_BYTES);
	wr(drv, TDH, 0);
	wr(drv, TDT, 0);
	wr(drv, RDBAL, (uint32_t)(e->scratch_iova + RING_BYTES));
	wr(drv, RDBAH, (uint32_t)((e->scratch_iova + RING_BYTES) >> 32));
	wr(drv, RDLEN, RING_BYTES);
	wr(drv, SRRCTL, SRRCTL_2K | SRRCTL_ADV1BUF | SRRCTL_DROP_EN);
	wr(drv, RDH, 0);
	wr(drv, RDT, 0);
	wr(drv, TXDCTL, QUEUE_ENABLE);
	wr(drv, RXDCTL, QUEUE_ENABLE);
	s->tx_tail = s->rx_tail = 0;
	s->busy = false;
	if (wait_bits(drv, TXDCTL, QUEUE_ENABLE, QUEUE_ENABLE, 100000) < 0 ||
	    wait_bits(drv, RXDCTL, QUEUE_ENABLE, QUEUE_ENABLE, 100000) < 0) {
		fail(drv, "queue 0 did not enable (RXDCTL/TXDCTL)", rd(drv, RXDCTL),
		     rd(drv, TXDCTL));
		return PT_DRV_EIO;
	}
	return 0;
}

static void quiesce_rings(struct pt_drv *drv)
{
	wr(drv, TXDCTL, 0);
	wr(drv, RXDCTL, 0);
	st(drv)->busy = false;
}

static int igb_memcpy_start(struct pt_drv *drv, uint64_t src, uint64_t dst,
			    uint64_t len)
{
	struct igb_state *s = st(drv);
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
	dma_put64(r, dst);				/* pkt_addr; hdr_addr 0 */
	t = tx_desc(drv, s->tx_cur);
	dma_zero(t, 16);
	dma_put64(t, src);
	dma_put32(t + 8, (uint32_t)len | TXD_DTYP_DATA | TXD_EOP | TXD_IFCS | TXD_RS | TXD_DEXT);
	dma_put32(t + 12, (uint32_t)len << TXD_PAYLEN_SHIFT);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->rx_tail = (s->rx_tail + 1) % NDESC;
	s->tx_tail = (s->tx_tail + 1) % NDESC;
	s->busy = true;
	wr(drv, RDT, s->rx_tail);
	wr(drv, TDT, s->tx_tail);
	return 0;
}

static int igb_memcpy_wait(struct pt_drv *drv)
{
	struct igb_state *s = st(drv);
	uint32_t waited = 0, limit = drv->env->timeout_us ? drv->env->timeout_us : 2000000;
	volatile uint8_t *r, *t;
	uint32_t rst, tst;

	if (!s->busy)
		return PT_DRV_EINVAL;
	r = rx_desc(drv, s->rx_cur);
	t = tx_desc(drv, s->tx_cur);
	while (!(dma_get32(r + 8) & DESC_DD) && waited < limit) {
		/* TX done long ago and nothing came back: stop early, a
		 * failed copy must not keep a KVM guest spinning */
		if ((dma_get32(t + 12) & DESC_DD) && waited >= 200000)
			break;
		delay(drv, POLL_US);
		waited += POLL_US;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	rst = dma_get32(r + 8);
	tst = dma_get32(t + 12);
	s->busy = false;
	drv->diag[0] = tst;
	drv->diag[1] = rst;
	drv->diag[2] = rd(drv, STATUS);
	drv->diag[3] = *(volatile uint16_t *)(r + 12);
	if (!(rst & DESC_DD)) {
		drv->why = (tst & DESC_DD) ? "the frame was sent but never came back "
			   "(RX DMA blocked, no link, or not looped back)" :
			   "the frame was never sent (TX DMA blocked?)";
		return (tst & DESC_DD) ? PT_DRV_EIO : PT_DRV_ETIMEDOUT;
	}
	if (!(rst & RXD_EOP) || (rst & RXD_ERRORS) || drv->diag[3] != s->len) {
		drv->why = "the frame came back damaged (errors, split or wrong length)";
		return PT_DRV_EIO;
	}
	drv->why = NULL;
	return 0;
}

static int read_mac_eeprom(struct pt_drv *drv)
{
	for (uint32_t w = 0; w < 3; w++) {
		wr(drv, EERD, w << 2 | EERD_START);
		if (wait_bits(drv, EERD, EERD_DONE, EERD_DONE, 100000) < 0)
			return PT_DRV_EIO;
		drv->mac[2 * w] = (uint8_t)(rd(drv, EERD) >> 16);
		drv->mac[2 * w + 1] = (uint8_t)(rd(drv, EERD) >> 24);
	}
	return 0;
}

/* ---- the physical function ------------------------------------------------ */

/* The device's own address: RAL0/RAH0 as the reset loaded it, else the
 * EEPROM's first three words. */
static int pf_read_mac(struct pt_drv *drv)
{
	uint32_t ral = rd(drv, RAL0), rah = rd(drv, RAH0);

	if (rah & RAH_AV) {
		for (int i = 0; i < 4; i++)
			drv->mac[i] = (uint8_t)(ral >> (8 * i));
		drv->mac[4] = (uint8_t)rah;
		drv->mac[5] = (uint8_t)(rah >> 8);
	} else if (read_mac_eeprom(drv) < 0) {
		fail(drv, "no MAC address in RAL0/RAH0 and the EEPROM did not answer", ral, rah);
		return PT_DRV_EIO;
	}
	drv->has_mac = true;
	wr(drv, RAL0, (uint32_t)drv->mac[0] | (uint32_t)drv->mac[1] << 8 |
	   (uint32_t)drv->mac[2] << 16 | (uint32_t)drv->mac[3] << 24);
	wr(drv, RAH0, drv->mac[4] | (uint32_t)drv->mac[5] << 8 | RAH_AV);
	return 0;
}

/*
 * Link for MAC loopback: forced up at 1000/full in CTRL (what real silicon
 * wants) and an autonegotiation restart in the PHY, which is what makes
 * QEMU's model report STATUS.LU (it ignores CTRL.SLU) ~0.5 s later.  A
 * device without link still loops back on real hardware, so no link is
 * not an error here; a copy then says why it failed.
 */
static void pf_link_up(struct pt_drv *drv)
{
	wr(drv, CTRL, CTRL_SLU | CTRL_FRCSPD | CTRL_FRCDPX | CTRL_FD | CTRL_SPD_1000);
	wr(drv, MDIC, MDIC_OP_WRITE | MDIC_PHY1 | MDIC_REG(0) |
	   BMCR_AUTOEN | BMCR_ANRESTART | BMCR_FD | BMCR_SPEED1000);
	if (wait_bits(drv, MDIC, MDIC_READY, MDIC_READY, 100000) == 0 &&
	    !(rd(drv, MDIC) & MDIC_ERROR))
		wait_bits(drv, STATUS, STATUS_LU, STATUS_LU, LINK_LIMIT_US);
}

/* No interrupt enabled, none pending, no throttling. */
static void pf_irqs_off(struct pt_drv *drv)
{
	wr(drv, EIMC, 0xffffffffu);
	wr(drv, IMC, 0xffffffffu);
	wr(drv, EICR, 0xffffffffu);
	(void)rd(drv, ICR);
}

static int igb_init(struct pt_drv *drv)
{
	struct pt_drv_env *e = drv->env;
	uint32_t status;
	int ret;

	if (!e->scratch || e->scratch_size < 2 * RING_BYTES || (e->scratch_iova & 127))
		return PT_DRV_EINVAL;
	drv->why = NULL;
	status = rd(drv, STATUS);
	if (status == 0xffffffffu) {
		fail(drv, "the device does not answer (STATUS reads all ones)", status, 0);
		return PT_DRV_EIO;
	}
	if (status & (STATUS_IOV_MODE | STATUS_NUM_VFS)) {
		fail(drv, "SR-IOV VFs are enabled: queue 0 belongs to VF 0 (set "
		     "sriov_numvfs to 0 first)", status, 0);
		return PT_DRV_EBUSY;
	}
	pf_irqs_off(drv);
	/* quiesce, then reset: no DMA in flight across the reset */
	wr(drv, RCTL, 0);
	wr(drv, TCTL, 0);
	quiesce_rings(drv);
	delay(drv, 1000);
	wr(drv, CTRL, rd(drv, CTRL) | CTRL_RST);
	delay(drv, 1000);
	if (wait_bits(drv, CTRL, CTRL_RST, 0, 100000) < 0) {
		fail(drv, "CTRL.RST did not complete", rd(drv, CTRL), 0);
		return PT_DRV_EIO;
	}
	/* silicon reloads its EEPROM after a reset (~10 ms); QEMU's model
	 * has nothing to load and never sets the bit, so this only waits */
	(void)wait_bits(drv, EECD, EECD_AUTO_RD, EECD_AUTO_RD, 10000);
	pf_irqs_off(drv);
	/* a software reset keeps EITR; QEMU's model re-sends a vector when
	 * its throttle timer expires, so throttling stays off */
	for (int i = 0; i < 3; i++)
		wr(drv, EITR(i), 0);
	ret = pf_read_mac(drv);
	if (ret < 0)
		return ret;
	wr(drv, RXCSUM, 0);
	wr(drv, MRQC, 0);		/* no RSS, no VMDq: every frame to queue 0 */
	wr(drv, GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_NSICR);
	wr(drv, IVAR0, (0 | IVAR_VALID) | (1 | IVAR_VALID) << 8);
	wr(drv, IVAR_MISC, (2 | IVAR_VALID) << 8);
	wr(drv, EIAC, 0x7);
	pf_link_up(drv);
	ret = setup_rings(drv);
	if (ret < 0)
		return ret;
	wr(drv, TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
	wr(drv, RCTL, RCTL_EN | RCTL_UPE | RCTL_MPE | RCTL_BAM | RCTL_LBM_MAC | RCTL_SECRC);
	/* drop what init raised (link change, MDIC) */
	pf_irqs_off(drv);
	return 0;
}

static void igb_remove(struct pt_drv *drv)
{
	pf_irqs_off(drv);
	wr(drv, RCTL, 0);
	wr(drv, TCTL, 0);
	quiesce_rings(drv);
}

static int igb_send_msi(struct pt_drv *drv, uint32_t vector)
{
	if (vector >= 3)
		return PT_DRV_EINVAL;
	/* nothing else enabled or pending: only this message may go out */
	wr(drv, EIMC, 0xffffffffu);
	wr(drv, EICR, 0xffffffffu);
	wr(drv, EIMS, 1u << vector);
	wr(drv, EICS, 1u << vector);
	return 0;
}

static void igb_irq_ack(struct pt_drv *drv)
{
	wr(drv, EIMC, 0xffffffffu);
	wr(drv, EICR, 0xffffffffu);
}

static void igb_irq_arm(struct pt_drv *drv, uint32_t vector)
{
	if (vector < 3) {
		wr(drv, EICR, 1u << vector);
		wr(drv, EIMS, 1u << vector);
	}
}

/* ---- the virtual function --------------------------------------------------- */

/* The VF's mailbox register, remembering the bits a read clears. */
static uint32_t mbx_read(struct pt_drv *drv)
{
	struct igb_state *s = st(drv);
	uint32_t v = rd(drv, VF_MAILBOX) | s->mbx;

	s->mbx = v & MBX_R2C;
	return v;
}

static int mbx_wait(struct pt_drv *drv, uint32_t bit)
{
	struct igb_state *s = st(drv);

	for (uint32_t waited = 0; !(mbx_read(drv) & bit); waited += POLL_US) {
		if (waited >= MBX_LIMIT_US)
			return PT_DRV_ETIMEDOUT;
		delay(drv, POLL_US);
	}
	s->mbx &= ~bit;
	return 0;
}

/* Sends n words and waits for the PF's ack and reply (n words back). */
static int mbx_call(struct pt_drv *drv, uint32_t *msg, uint32_t n)
{
	struct igb_state *s = st(drv);
	uint32_t i;

	s->mbx = 0;			/* stale acks and messages are void */
	(void)mbx_read(drv);
	s->mbx = 0;
	/* take the buffer; the PF may hold it for a while (its own message
	 * to the VF, a reset it is handling) */
	for (uint32_t waited = 0;; waited += POLL_US) {
		wr(drv, VF_MAILBOX, MBX_VFU);
		if (rd(drv, VF_MAILBOX) & MBX_VFU)
			break;
		if (waited >= MBX_LIMIT_US) {
			fail(drv, "the PF holds the mailbox", rd(drv, VF_MAILBOX), 0);
			return PT_DRV_EBUSY;
		}
		delay(drv, POLL_US);
	}
	for (i = 0; i < n; i++)
		wr(drv, VF_MBMEM + 4 * i, msg[i]);
	wr(drv, VF_MAILBOX, MBX_REQ);	/* post it, release the buffer */
	if (mbx_wait(drv, MBX_PFACK) < 0 || mbx_wait(drv, MBX_PFSTS) < 0) {
		fail(drv, "the PF did not answer the mailbox (is its driver loaded "
		     "and the PF up?)", rd(drv, VF_MAILBOX), msg[0]);
		return PT_DRV_ETIMEDOUT;
	}
	wr(drv, VF_MAILBOX, MBX_VFU);
	for (i = 0; i < n; i++)
		msg[i] = rd(drv, VF_MBMEM + 4 * i);
	wr(drv, VF_MAILBOX, MBX_ACK);	/* consumed, buffer released */
	return 0;
}

/*
 * VF reset: CTRL.RST (the PF sees the VF reset and disables its queues),
 * wait for the PF to be out of its own reset (RSTI clear), then VF_RESET
 * through the mailbox: the PF enables the VF's queues and answers with
 * its MAC address (NACK: the PF has none for it).
 */
static int vf_reset(struct pt_drv *drv)
{
	uint32_t msg[3] = { MSG_VF_RESET, 0, 0 };
	int ret;

	wr(drv, CTRL, CTRL_RST);
	delay(drv, 1000);
	for (uint32_t waited = 0; mbx_read(drv) & MBX_RSTI; waited += POLL_US) {
		if (waited >= MBX_LIMIT_US) {
			fail(drv, "the PF is in reset (mailbox RSTI set): is its driver "
			     "loaded?", rd(drv, VF_MAILBOX), 0);
			return PT_DRV_EIO;
		}
		delay(drv, POLL_US);
	}
	ret = mbx_call(drv, msg, 3);
	if (ret < 0)
		return ret;
	/* a PF control message (link change) may come first: wait for ours */
	for (int extra = 0; (msg[0] & 0xffff) != MSG_VF_RESET && extra < 3; extra++) {
		if (mbx_wait(drv, MBX_PFSTS) < 0)
			break;
		wr(drv, VF_MAILBOX, MBX_VFU);
		for (int i = 0; i < 3; i++)
			msg[i] = rd(drv, VF_MBMEM + 4 * i);
		wr(drv, VF_MAILBOX, MBX_ACK);
	}
	if (msg[0] == (MSG_VF_RESET | MSG_NACK)) {
		fail(drv, "the PF has no MAC address for this VF: give it one on the "
		     "host (ip link set PF vf N mac ADDR) and try again", msg[0], 0);
		return PT_DRV_EIO;
	}
	if (msg[0] != (MSG_VF_RESET | MSG_ACK)) {
		fail(drv, "the PF answered VF_RESET with something else", msg[0], msg[1]);
		return PT_DRV_EIO;
	}
	for (int i = 0; i < 6; i++)
		drv->mac[i] = (uint8_t)(msg[1 + i / 4] >> (8 * (i % 4)));
	drv->has_mac = true;
	return 0;
}

static void vf_irqs_off(struct pt_drv *drv)
{
	wr(drv, EIMC, 0x7);
	wr(drv, EICR, 0x7);
}

static int igbvf_init(struct pt_drv *drv)
{
	struct pt_drv_env *e = drv->env;
	struct igb_state *s = st(drv);
	int ret;

	if (!e->scratch || e->scratch_size < 2 * RING_BYTES || (e->scratch_iova & 127))
		return PT_DRV_EINVAL;
	drv->why = NULL;
	s->vf = true;
	/* a VF's STATUS is its PF's: never all zeros (GIO master enable,
	 * speed) unless the VF's BAR is not decoded at all, as with QEMU
	 * 10's igb when the guest places VF BARs above 4 GiB */
	if (rd(drv, STATUS) == 0xffffffffu || rd(drv, STATUS) == 0) {
		fail(drv, "the VF's registers read as all ones or all zeros: its BAR "
		     "is not decoded", rd(drv, STATUS), 0);
		return PT_DRV_EIO;
	}
	vf_irqs_off(drv);
	quiesce_rings(drv);
	ret = vf_reset(drv);
	if (ret < 0)
		return ret;
	vf_irqs_off(drv);
	for (int i = 0; i < 3; i++)
		wr(drv, EITR(i), 0);
	/* RX -> vector 0, TX -> vector 1; mailbox messages raise nothing */
	wr(drv, IVAR0, (0 | IVAR_VALID) | (1 | IVAR_VALID) << 8);
	wr(drv, IVAR_MISC, 0);
	wr(drv, EIAC, 0x7);
	/* frames to ourselves, from ourselves (anti-spoofing) */
	for (int i = 0; i < 6; i++) {
		drv->copy_prefix[i] = drv->mac[i];
		drv->copy_prefix[6 + i] = drv->mac[i];
	}
	drv->copy_prefix[12] = ETH_TYPE_TEST >> 8;
	drv->copy_prefix[13] = ETH_TYPE_TEST & 0xff;
	drv->copy_prefix_len = 14;
	ret = setup_rings(drv);
	if (ret < 0)
		return ret;
	/* the PF's switch moves no frame while its link is down: say so
	 * now rather than let every copy fail */
	if (!(rd(drv, STATUS) & STATUS_LU)) {
		quiesce_rings(drv);
		fail(drv, "the PF's link is down (ip link set PF up): its switch passes "
		     "no frame", rd(drv, STATUS), 0);
		return PT_DRV_EIO;
	}
	vf_irqs_off(drv);
	return 0;
}

static void igbvf_remove(struct pt_drv *drv)
{
	vf_irqs_off(drv);
	quiesce_rings(drv);
	/* tell the PF this VF is gone: it disables the VF's queues */
	wr(drv, CTRL, CTRL_RST);
}

static int igbvf_send_msi(struct pt_drv *drv, uint32_t vector)
{
	if (vector >= 3)
		return PT_DRV_EINVAL;
	vf_irqs_off(drv);
	wr(drv, EIMS, 1u << vector);
	wr(drv, EICS, 1u << vector);
	return 0;
}

static void igbvf_irq_ack(struct pt_drv *drv)
{
	vf_irqs_off(drv);
}

const struct pt_driver pt_driver_igb = {
	.name = "igb",
	.dma_bits = 64,
	.max_memcpy = 1514,
	.min_memcpy = 60,
	.dst_room = RX_BUF,
	.scratch_size_min = 2 * RING_BYTES,
	.nr_vectors = 3,
	.probe = igb_probe,
	.init = igb_init,
	.remove = igb_remove,
	.memcpy_start = igb_memcpy_start,
	.memcpy_wait = igb_memcpy_wait,
	.send_msi = igb_send_msi,
	.irq_ack = igb_irq_ack,
	.irq_arm = igb_irq_arm,
};

const struct pt_driver pt_driver_igbvf = {
	.name = "igbvf",
	.dma_bits = 64,
	.max_memcpy = 1514,
	.min_memcpy = 60,
	.dst_room = RX_BUF,
	.scratch_size_min = 2 * RING_BYTES,
	.nr_vectors = 3,
	.probe = igbvf_probe,
	.init = igbvf_init,
	.remove = igbvf_remove,
	.memcpy_start = igb_memcpy_start,
	.memcpy_wait = igb_memcpy_wait,
	.send_msi = igbvf_send_msi,
	.irq_ack = igbvf_irq_ack,
	.irq_arm = igb_irq_arm,
};
