// SPDX-License-Identifier: MIT
/*
 * vmm/membar.c — a PCI device whose only BAR is a memfd.
 *
 * It stands in for an assigned device's mmappable BAR where there is no
 * VFIO (this machine, CI): the BAR becomes a KVM memory slot exactly as a
 * VFIO BAR mmap does, so a test can let the guest write through the slot
 * and read the bytes back from the memfd.  It also has one MSI vector, two
 * MSI-X vectors (table and PBA in a trapped BAR1) and an INTA pin, whose
 * eventfds the tests signal in VFIO's place.  Vendor
 * 0x1b36 (Red Hat), device
 * 0x0005 (QEMU's pci-testdev id), class "other memory controller".
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

/* Stands in for VFIO_DEVICE_SET_IRQS: keeps the trigger eventfd. */
static int vmm_membar_set_irqs(struct vmm_pci_dev *d, int index, int nvec,
			       const int *efds)
{
	struct vmm_membar *mb = d->priv;

	mb->irq_index = nvec ? index : -1;
	mb->irq_efd = nvec ? efds[0] : -1;
	return 0;
}

/* Stands in for VFIO_IRQ_SET_ACTION_UNMASK: keeps the resample eventfd. */
static int vmm_membar_set_unmask_fd(struct vmm_pci_dev *d, int fd)
{
	((struct vmm_membar *)d->priv)->unmask_fd = fd;
	return 0;
}

static const struct vmm_pci_ops vmm_membar_ops = {
	.set_irqs = vmm_membar_set_irqs,
	.set_unmask_fd = vmm_membar_set_unmask_fd,
};

int vmm_membar_add(struct vmm *vm, struct vmm_membar *mb, uint64_t size)
{
	struct vmm_pci_dev *d = &mb->dev;
	int ret;

	memset(mb, 0, sizeof(*mb));
	mb->fd = -1;
	mb->irq_efd = -1;
	mb->irq_index = -1;
	mb->unmask_fd = -1;
	if (size < 4096 || (size & (size - 1)))
		return pt_set_error(EINVAL, "vmm: membar size must be a power of two "
				    ">= 4 KiB");
	mb->fd = memfd_create("passthru-membar", MFD_CLOEXEC);
	if (mb->fd < 0 || ftruncate(mb->fd, size)) {
		ret = errno;
		vmm_membar_free(mb);
		return pt_set_error(ret, "vmm: memfd for membar failed: %s", strerror(ret));
	}
	mb->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, mb->fd, 0);
	if (mb->map == MAP_FAILED) {
		ret = errno;
		mb->map = NULL;
		vmm_membar_free(mb);
		return pt_set_error(ret, "vmm: mmap of membar failed: %s", strerror(ret));
	}
	mb->size = size;
	snprintf(d->name, sizeof(d->name), "membar");
	d->ops = &vmm_membar_ops;
	d->priv = mb;
	d->cfg[0] = 0x36; d->cfg[1] = 0x1b;	/* vendor 1b36 */
	d->cfg[2] = 0x05; d->cfg[3] = 0x00;	/* device 0005 */
	d->cfg[0x0a] = 0x80; d->cfg[0x0b] = 0x05;	/* class 0580 */
	/* One 64-bit-address MSI vector, so the irqfd path has a test. */
	d->cfg[0x06] = 0x10;			/* status: capability list */
	d->cfg[0x34] = 0x40;
	d->cfg[0x40] = 0x05;			/* MSI, 64-bit, 1 vector */
	d->cfg[0x41] = 0x50;
	d->cfg[0x42] = 0x80;
	d->cfg[0x50] = 0x11;			/* MSI-X, 2 entries, last */
	d->cfg[0x52] = 0x01;
	d->cfg[0x54] = 0x01;			/* table: BAR1 + 0 */
	d->cfg[0x58] = 0x01;			/* PBA: BAR1 + 0x800 */
	d->cfg[0x59] = 0x08;
	d->cfg[0x3d] = 0x01;			/* INTA, for the INTx path */
	d->bar[0].size = size;
	d->bar[0].flags = 0x0;			/* 32-bit memory */
	d->bar[0].kind = VMM_BAR_SLOT;
	d->bar[0].hva = mb->map;
	d->bar[1].size = 4096;			/* MSI-X table and PBA, trapped */
	d->bar[1].kind = VMM_BAR_TRAP;
	ret = vmm_pci_add(vm, d);
	if (ret)
		vmm_membar_free(mb);
	return ret;
}

void vmm_membar_free(struct vmm_membar *mb)
{
	if (mb->map)
		munmap(mb->map, mb->size);
	if (mb->fd >= 0)
		close(mb->fd);
	mb->map = NULL;
	mb->fd = -1;
}
