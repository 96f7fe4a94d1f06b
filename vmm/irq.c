// SPDX-License-Identifier: MIT
/*
 * vmm/irq.c — in-kernel irqchip, GSI routes and irqfds for MSI/MSI-X.
 *
 * Path of an interrupt: the device signals an eventfd that VFIO
 * (VFIO_DEVICE_SET_IRQS) triggers; that eventfd is a KVM irqfd bound to a
 * GSI; the GSI's route is an MSI message built from what the guest wrote in
 * the virtual MSI capability or MSI-X table.  Nothing passes through the
 * VMM at interrupt time.  The guest's programming only chooses a route in
 * KVM: the device's real MSI address/data stay the host kernel's.
 *
 * The whole routing table is rebuilt and pushed (KVM_SET_GSI_ROUTING) on
 * every change: the routes KVM sets up by default (24 IOAPIC pins, the
 * PICs' 16 inputs), then one entry
 * per enabled vector whose address targets the local APIC window (any
 * other address gets no route: its interrupts go nowhere).
 *
 * Masking (MSI-X entry mask bit, function mask): the vector's irqfd is
 * deassigned, so the device's signals accumulate in the eventfd; the PBA
 * reads a pending bit for a masked vector whose eventfd is readable; on
 * unmask the irqfd is assigned again and KVM injects what is pending —
 * the PCI semantics, with no VMM thread.
 *
 * INTx (a device with a pin, while neither MSI nor MSI-X is enabled) is a
 * resampling irqfd on IOAPIC pin 16 + (slot - 1) % 8, see below.
 *
 * Limit: MSI per-vector mask bits (optional in MSI) are not virtualised.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

#define VMM_IOAPIC_PINS		24
#define VMM_ISA_IRQS		16
#define VMM_MAX_ROUTES		(VMM_IOAPIC_PINS + VMM_ISA_IRQS + \
				 VMM_PCI_MAX_DEVS * VMM_MSIX_MAX)

/*
 * An operating system also gets the PC's i8254 timer, in the kernel like
 * the irqchip (kvmtool's set-up): Linux calibrates against it and falls
 * back to it as a clock event device before the local APIC timer runs.
 */
static int vmm_pit_init(struct vmm *vm)
{
	struct kvm_pit_config pit = { .flags = 0 };
	int err;

	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit)) {
		err = errno;
		return pt_set_error(err, "vmm: KVM_CREATE_PIT2 failed: %s", strerror(err));
	}
	return 0;
}

int vmm_irq_init(struct vmm *vm)
{
	int err;

	if (!vm->cfg.irqchip && !vm->cfg.os_platform)
		return 0;
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0)) {
		err = errno;
		return pt_set_error(err, "vmm: KVM_CREATE_IRQCHIP failed: %s", strerror(err));
	}
	vm->irqchip = true;
	if (vm->cfg.os_platform && (err = vmm_pit_init(vm)))
		return err;
	vm->routes = calloc(1, sizeof(*vm->routes) +
			    VMM_MAX_ROUTES * sizeof(vm->routes->entries[0]));
	if (!vm->routes)
		return pt_set_error(ENOMEM, "vmm: out of memory for GSI routes");
	return 0;
}

void vmm_irq_exit(struct vmm *vm)
{
	free(vm->routes);
	vm->routes = NULL;
}

static bool vmm_msi_valid(uint32_t addr_lo, uint32_t addr_hi)
{
	return !addr_hi && (addr_lo & 0xfff00000u) == VMM_LAPIC_BASE;
}

static void vmm_route_msi(struct kvm_irq_routing *r, int gsi, uint32_t lo,
			  uint32_t hi, uint32_t data)
{
	struct kvm_irq_routing_entry *e = &r->entries[r->nr++];

	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	e->u.msi.address_lo = lo;
	e->u.msi.address_hi = hi;
	e->u.msi.data = data;
}

static void vmm_irqfd(struct vmm *vm, int efd, int gsi, bool assign);

static void vmm_route_chip(struct kvm_irq_routing *r, int gsi, int chip, int pin)
{
	struct kvm_irq_routing_entry *e = &r->entries[r->nr++];

	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

/*
 * KVM's own default table, which KVM_SET_GSI_ROUTING replaces: GSI n is
 * IOAPIC pin n, and for the ISA IRQs 0-15 also the master/slave PIC's
 * input, so a guest using the PIC (early Linux, the timer check) still
 * gets the PIT and the UART.
 */
static void vmm_route_default(struct kvm_irq_routing *r)
{
	for (int pin = 0; pin < VMM_IOAPIC_PINS; pin++)
		vmm_route_chip(r, pin, KVM_IRQCHIP_IOAPIC, pin);
	for (int irq = 0; irq < VMM_ISA_IRQS; irq++)
		vmm_route_chip(r, irq, irq < 8 ? KVM_IRQCHIP_PIC_MASTER :
			       KVM_IRQCHIP_PIC_SLAVE, irq % 8);
}

void vmm_irq_line(struct vmm *vm, int irq, bool level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	if (vm->irqchip && vm->vm_fd >= 0 && irq >= 0 && irq < VMM_ISA_IRQS)
		ioctl(vm->vm_fd, KVM_IRQ_LINE, &l);
}

/* Should vector v's irqfd be live (assigned) now? */
static bool vmm_vec_wanted(const struct vmm_pci_dev *d, int v)
{
	const struct vmm_msix_entry *m = &d->msix[v];

	if (d->efd[v] < 0 || d->gsi[v] < 0)
		return false;
	if (d->irq_index == 2)
		return !(m->ctrl & 1) && !(d->msix_ctrl & 0x4000) &&
		       vmm_msi_valid(m->addr_lo, m->addr_hi);
	if (d->irq_index == 1)
		return vmm_msi_valid(d->msi_addr_lo, d->msi_addr_hi);
	return false;
}

/* Routes first (so an unmasked vector's pending signal goes to the right
 * place), then irqfds on or off to match the masks. */
static void vmm_irq_sync_live(struct vmm *vm)
{
	for (int i = 0; i < vm->nr_pci; i++) {
		struct vmm_pci_dev *d = vm->pci[i];

		if (d->irq_index != 1 && d->irq_index != 2)
			continue;
		for (int v = 0; v < d->nvec; v++) {
			bool want = vmm_vec_wanted(d, v);

			if (want && !d->vec_live[v]) {
				/* Take what is pending out of the eventfd and signal
				 * it again once the irqfd listens: delivered once,
				 * and the counter ends at 0 (KVM's assign-time check
				 * would inject but leave it set). */
				uint64_t cnt, one = 1;
				bool pend = read(d->efd[v], &cnt, 8) == 8;

				vmm_irqfd(vm, d->efd[v], d->gsi[v], true);
				if (pend && write(d->efd[v], &one, 8) != 8)
					vm->pci_bad_accesses++;
			} else if (!want && d->vec_live[v]) {
				vmm_irqfd(vm, d->efd[v], d->gsi[v], false);
			}
			d->vec_live[v] = want;
		}
	}
}

static int vmm_irq_commit(struct vmm *vm)
{
	struct kvm_irq_routing *r = vm->routes;
	int err;

	if (!vm->irqchip || !r)
		return 0;
	r->nr = 0;
	r->flags = 0;
	vmm_route_default(r);
	for (int i = 0; i < vm->nr_pci; i++) {
		struct vmm_pci_dev *d = vm->pci[i];

		for (int v = 0; v < d->nvec; v++) {
			if (d->gsi[v] < 0)
				continue;
			if (d->irq_index == 2) {
				struct vmm_msix_entry *m = &d->msix[v];

				if (!vmm_msi_valid(m->addr_lo, m->addr_hi))
					continue;
				vmm_route_msi(r, d->gsi[v], m->addr_lo, m->addr_hi, m->data);
			} else if (d->irq_index == 1) {
				if (!vmm_msi_valid(d->msi_addr_lo, d->msi_addr_hi))
					continue;
				vmm_route_msi(r, d->gsi[v], d->msi_addr_lo, d->msi_addr_hi,
					      (d->msi_data & ~(d->nvec - 1)) | v);
			}
		}
		d->irqs_routed++;
	}
	if (vm->vm_fd >= 0 && ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r)) {
		err = errno;
		return pt_set_error(err, "vmm: KVM_SET_GSI_ROUTING (%u routes) failed: %s",
				    r->nr, strerror(err));
	}
	vmm_irq_sync_live(vm);
	return 0;
}

static void vmm_irqfd(struct vmm *vm, int efd, int gsi, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = efd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (vm->vm_fd >= 0)
		ioctl(vm->vm_fd, KVM_IRQFD, &irqfd);
}

void vmm_irq_dev_cleanup(struct vmm_pci_dev *d)
{
	if (d->irq_index == 0 && d->ops->set_unmask_fd)
		d->ops->set_unmask_fd(d, -1);
	if (d->irq_index >= 0 && d->ops->set_irqs)
		d->ops->set_irqs(d, d->irq_index, 0, NULL);
	for (int v = 0; v < d->nvec; v++) {
		if (d->efd[v] >= 0) {
			if (d->irq_index == 0 || d->vec_live[v])
				vmm_irqfd(d->vm, d->efd[v], d->gsi[v], false);
			close(d->efd[v]);
		}
		d->efd[v] = -1;
		d->gsi[v] = -1;
		d->vec_live[v] = false;
	}
	if (d->intx_resample_fd >= 0)
		close(d->intx_resample_fd);
	d->intx_resample_fd = -1;
	d->irq_index = -1;
	d->nvec = 0;
}

static int vmm_irq_setup(struct vmm_pci_dev *d, int index, int nvec)
{
	struct vmm *vm = d->vm;
	int ret, err;

	if (!vm->irqchip && vm->vm_fd >= 0)
		return pt_set_error(ENOTSUP, "vmm: %s enabled interrupts but the VM "
				    "has no irqchip", d->name);
	for (int v = 0; v < nvec; v++) {
		d->efd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (d->efd[v] < 0) {
			err = errno;
			ret = pt_set_error(err, "vmm: %s: eventfd for vector %d failed: %s",
					   d->name, v, strerror(err));
			goto fail;
		}
		/* Fixed GSIs per (slot, vector): re-enabling never leaks any. */
		d->gsi[v] = VMM_IOAPIC_PINS + ((d->devfn >> 3) - 1) * VMM_MSIX_MAX + v;
		d->vec_live[v] = false;		/* vmm_irq_commit assigns */
		d->nvec = v + 1;
	}
	d->irq_index = index;
	ret = vmm_irq_commit(vm);
	if (ret)
		goto fail;
	if (d->ops->set_irqs) {
		ret = d->ops->set_irqs(d, index, nvec, d->efd);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	d->irq_index = -1;
	vmm_irq_dev_cleanup(d);
	vmm_irq_commit(vm);
	return ret;
}

/*
 * INTx: the device's eventfd is a resampling irqfd on its IOAPIC pin.  VFIO
 * masks the line when it fires; when the guest EOIs the level interrupt
 * KVM de-asserts the pin and signals the resample eventfd, which VFIO takes
 * as "unmask" — so a still-pending device interrupts again, a handled one
 * does not.  No exit to the VMM on any of it.
 */
static int vmm_irq_setup_intx(struct vmm_pci_dev *d)
{
	struct vmm *vm = d->vm;
	struct kvm_irqfd irqfd = { 0 };
	int ret, err;

	d->efd[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->intx_resample_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->efd[0] < 0 || d->intx_resample_fd < 0) {
		err = errno;
		ret = pt_set_error(err, "vmm: %s: eventfd for INTx failed: %s",
				   d->name, strerror(err));
		goto fail;
	}
	d->gsi[0] = d->intx_gsi;
	d->nvec = 1;
	d->irq_index = 0;
	irqfd.fd = d->efd[0];
	irqfd.gsi = d->intx_gsi;
	irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
	irqfd.resamplefd = d->intx_resample_fd;
	if (vm->vm_fd >= 0 && ioctl(vm->vm_fd, KVM_IRQFD, &irqfd)) {
		err = errno;
		d->efd[0] = (close(d->efd[0]), -1);
		ret = pt_set_error(err, "vmm: %s: resampling irqfd on GSI %d failed: %s",
				   d->name, d->intx_gsi, strerror(err));
		goto fail;
	}
	ret = d->ops->set_irqs(d, 0, 1, d->efd);
	if (!ret)
		ret = d->ops->set_unmask_fd(d, d->intx_resample_fd);
	if (ret)
		goto fail;
	return 0;
fail:
	vmm_irq_dev_cleanup(d);
	return ret;
}

int vmm_irq_update(struct vmm_pci_dev *d)
{
	int index = -1, nvec = 0;

	if (d->msix_cap && (d->msix_ctrl & 0x8000)) {
		index = 2;
		nvec = d->msix_nr;
	} else if (d->msi_cap && (d->msi_ctrl & 1)) {
		index = 1;
		nvec = 1 << ((d->msi_ctrl >> 4) & 7);
		if (nvec > 32)
			nvec = 32;
	}
	if (index < 0 && d->intx_gsi >= 0 && d->ops->set_irqs &&
	    d->ops->set_unmask_fd && d->vm->irqchip) {
		index = 0;
		nvec = 1;
	}
	if (index == d->irq_index && nvec == d->nvec)
		return vmm_irq_commit(d->vm);	/* only the routes changed */
	vmm_irq_dev_cleanup(d);
	if (index < 0)
		return vmm_irq_commit(d->vm);
	if (index == 0)
		return vmm_irq_setup_intx(d);
	return vmm_irq_setup(d, index, nvec);
}

int vmm_msix_table_rw(struct vmm *vm, void *opaque, uint64_t off,
		      uint8_t *data, uint32_t len, bool is_write)
{
	struct vmm_pci_dev *d = opaque;
	uint64_t entry = off / 16;
	uint32_t field = (off % 16) / 4, *f;

	/* Dword or qword accesses, naturally aligned, within the table. */
	if ((len != 4 && len != 8) || (off & (len - 1)) ||
	    entry >= (uint64_t)d->msix_nr) {
		vm->pci_bad_accesses++;
		if (!is_write)
			memset(data, 0xff, len);
		return 0;
	}
	for (uint32_t i = 0; i < len / 4; i++, field++) {
		struct vmm_msix_entry *m = &d->msix[entry];

		f = field == 0 ? &m->addr_lo : field == 1 ? &m->addr_hi :
		    field == 2 ? &m->data : &m->ctrl;
		if (is_write) {
			uint32_t v;

			memcpy(&v, data + 4 * i, 4);
			*f = field == 3 ? (v & 1) : v;
		} else {
			memcpy(data + 4 * i, f, 4);
		}
	}
	if (is_write && d->irq_index == 2)
		vmm_irq_commit(vm);
	return 0;
}

int vmm_msix_pba_read(struct vmm_pci_dev *d, uint64_t off, uint8_t *data,
		      uint32_t len)
{
	uint8_t bits[VMM_MSIX_MAX / 8] = { 0 };

	for (int v = 0; d->irq_index == 2 && v < d->nvec; v++) {
		struct pollfd p = { .fd = d->efd[v], .events = POLLIN };

		if (!d->vec_live[v] && d->efd[v] >= 0 && poll(&p, 1, 0) == 1)
			bits[v / 8] |= 1u << (v % 8);
	}
	for (uint32_t i = 0; i < len; i++)
		data[i] = off + i < sizeof(bits) ? bits[off + i] : 0;
	return 0;
}
