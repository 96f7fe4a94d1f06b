// SPDX-License-Identifier: MIT
/*
 * vmm/vfio-dev.c — an assigned device as a backend of the virtual PCI bus.
 *
 * Built on the VFIO core (vfio/passthru-vfio.h, iommu/passthru-iommu.h):
 *  - config space: a 256-byte snapshot for the guest's view; command and
 *    status go to/from the device through VFIO (which virtualises them too);
 *  - BARs: a memory BAR that VFIO lets us mmap as a whole becomes a KVM
 *    memory slot (guest MMIO reaches the device with no exit); I/O BARs,
 *    BARs with sparse mmap areas, and the BARs holding the MSI-X table or
 *    PBA are trapped and forwarded with pread/pwrite (pt_vfio_bar_read);
 *  - interrupts: vmm/irq.c hands us one eventfd per vector; we give them to
 *    VFIO_DEVICE_SET_IRQS (MSI or MSI-X index), KVM injects them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/passthru.h"
#include "iommu/passthru-iommu.h"
#include "vfio/passthru-vfio.h"
#include "vmm/vfio-dev.h"

#include <linux/vfio.h>

struct vmm_vfio_set {
	struct vmm *vm;
	struct pt_iommu *io;
	bool ram_mapped;
};

struct vmm_vfio_dev {
	struct vmm_pci_dev pci;
	struct vmm_vfio_set *set;
	struct pt_vfio_device *dev;
	struct pt_vfio_bar *bars[6];	/* NULL: not mapped, pread/pwrite */
};

#define VD(d) ((struct vmm_vfio_dev *)(d)->priv)

static int vmm_vfio_cfg_read(struct vmm_pci_dev *d, uint32_t off, void *buf,
			     uint32_t len)
{
	return pt_vfio_config_read(VD(d)->dev, off, buf, len);
}

static int vmm_vfio_cfg_write(struct vmm_pci_dev *d, uint32_t off,
			      const void *buf, uint32_t len)
{
	return pt_vfio_config_write(VD(d)->dev, off, buf, len);
}

static int vmm_vfio_bar_rw(struct vmm_pci_dev *d, int bar, uint64_t off,
			   void *buf, uint32_t len, bool is_write)
{
	struct vmm_vfio_dev *vd = VD(d);

	if (bar < 0 || bar > 5 || (len != 1 && len != 2 && len != 4 && len != 8))
		return -EINVAL;
	if (vd->bars[bar])
		return is_write ? pt_vfio_bar_write(vd->bars[bar], off, buf, len) :
				  pt_vfio_bar_read(vd->bars[bar], off, buf, len);
	return is_write ?
		pt_vfio_region_write(vd->dev, VFIO_PCI_BAR0_REGION_INDEX + bar, off, buf, len) :
		pt_vfio_region_read(vd->dev, VFIO_PCI_BAR0_REGION_INDEX + bar, off, buf, len);
}

static int vmm_vfio_set_irqs(struct vmm_pci_dev *d, int index, int nvec,
			     const int *efds)
{
	struct vmm_vfio_dev *vd = VD(d);

	if (!nvec)
		return pt_vfio_irq_disable(vd->dev, index);
	return pt_vfio_irq_enable(vd->dev, index, 0, nvec, efds);
}

static int vmm_vfio_set_unmask_fd(struct vmm_pci_dev *d, int fd)
{
	return pt_vfio_irq_set_unmask_fd(VD(d)->dev, VFIO_PCI_INTX_IRQ_INDEX, fd);
}

static const struct vmm_pci_ops vmm_vfio_ops = {
	.set_unmask_fd = vmm_vfio_set_unmask_fd,
	.cfg_read = vmm_vfio_cfg_read,
	.cfg_write = vmm_vfio_cfg_write,
	.bar_rw = vmm_vfio_bar_rw,
	.set_irqs = vmm_vfio_set_irqs,
};

int vmm_vfio_set_open(struct vmm_vfio_set **out, struct vmm *vm, const char *iommu)
{
	enum pt_iommu_backend b = PT_IOMMU_AUTO;
	struct vmm_vfio_set *set;
	int ret;

	if (iommu && (ret = pt_iommu_backend_parse(iommu, &b)) < 0)
		return ret;
	set = calloc(1, sizeof(*set));
	if (!set)
		return pt_set_error(ENOMEM, "vmm: out of memory");
	set->vm = vm;
	ret = pt_iommu_open(&set->io, b);
	if (ret) {
		free(set);
		return ret;
	}
	*out = set;
	return 0;
}

void vmm_vfio_set_close(struct vmm_vfio_set *set)
{
	if (!set)
		return;
	pt_iommu_close(set->io);	/* unmaps guest RAM */
	free(set);
}

static int vmm_vfio_setup_bar(struct vmm_vfio_dev *vd, int i)
{
	struct vmm_pci_bar *bar = &vd->pci.bar[i];
	struct pt_vfio_region r = PT_VFIO_REGION_INIT;
	uint32_t reg;
	int ret;

	ret = pt_vfio_region_get_info(vd->dev, VFIO_PCI_BAR0_REGION_INDEX + i, &r);
	if (ret)
		return ret;
	if (!r.region_size)
		return 0;
	memcpy(&reg, &vd->pci.cfg[0x10 + 4 * i], 4);
	bar->size = r.region_size;
	bar->is_io = reg & 1;
	bar->is_64 = !bar->is_io && (reg & 6) == 4;
	bar->flags = bar->is_io ? 1 : (reg & 0xf);
	bar->kind = VMM_BAR_TRAP;
	if (!bar->is_io && r.mmappable && !r.has_sparse && r.region_size >= 4096 &&
	    !pt_vfio_region_mmap(vd->dev, VFIO_PCI_BAR0_REGION_INDEX + i,
				 &vd->bars[i])) {
		bar->kind = VMM_BAR_SLOT;
		bar->hva = vd->bars[i]->base;
	} else if (!bar->is_io && r.mmappable) {
		/* sparse: trapped, but fast where mapped (NULL on failure) */
		pt_vfio_region_mmap(vd->dev, VFIO_PCI_BAR0_REGION_INDEX + i, &vd->bars[i]);
	}
	pt_clear_error();
	return 0;
}

int vmm_vfio_add(struct vmm_vfio_set *set, const char *bdf,
		 struct vmm_vfio_dev **out)
{
	struct pt_vfio_device_info info = PT_VFIO_DEVICE_INFO_INIT;
	struct vmm_vfio_dev *vd;
	int ret;

	vd = calloc(1, sizeof(*vd));
	if (!vd)
		return pt_set_error(ENOMEM, "vmm: out of memory");
	vd->set = set;
	ret = pt_vfio_device_open(&vd->dev, set->io, bdf);
	if (ret)
		goto err;
	ret = pt_vfio_device_get_info(vd->dev, &info);
	if (ret)
		goto err;
	if (!info.pci) {
		ret = pt_set_error(ENODEV, "%s: not a PCI device", bdf);
		goto err;
	}
	if (info.reset)
		pt_vfio_device_reset(vd->dev);	/* best effort: clean start */
	pt_clear_error();
	ret = pt_vfio_config_read(vd->dev, 0, vd->pci.cfg, sizeof(vd->pci.cfg));
	if (ret)
		goto err;
	snprintf(vd->pci.name, sizeof(vd->pci.name), "%s", pt_vfio_device_bdf(vd->dev));
	vd->pci.ops = &vmm_vfio_ops;
	vd->pci.priv = vd;
	for (int i = 0; i < 6; i++) {
		ret = vmm_vfio_setup_bar(vd, i);
		if (ret)
			goto err;
		if (vd->pci.bar[i].is_64)
			i++;
	}
	ret = vmm_pci_add(set->vm, &vd->pci);
	if (ret)
		goto err;
	*out = vd;
	return 0;
err:
	vmm_vfio_free(vd);
	return ret;
}

void vmm_vfio_free(struct vmm_vfio_dev *vd)
{
	if (!vd)
		return;
	for (int i = 0; i < 6; i++)
		pt_vfio_region_munmap(vd->bars[i]);
	if (vd->dev)
		pt_vfio_device_close(vd->dev);
	free(vd);
}

int vmm_vfio_map_ram(struct vmm_vfio_set *set)
{
	struct pt_guest_ram_slot ram[2];
	int ret;

	if (set->ram_mapped)
		return 0;
	/* IOVA = GPA for each RAM range; the 3-4 GiB hole stays unmapped. */
	ret = pt_iommu_map_guest_ram(set->io, ram, vmm_ram_ranges(set->vm, ram));
	if (ret)
		return ret;
	set->ram_mapped = true;
	return 0;
}

int vmm_vfio_describe(struct vmm_vfio_dev *vd, struct vmm_vfio_desc *out)
{
	struct pt_iommu_info info = PT_IOMMU_INFO_INIT;

	memset(out, 0, sizeof(*out));
	snprintf(out->bdf, sizeof(out->bdf), "%s", pt_vfio_device_bdf(vd->dev));
	out->iommu_group = pt_vfio_device_group(vd->dev);
	out->iommu = pt_iommu_backend_name(pt_iommu_get_backend(vd->set->io));
	out->guest_devfn = vd->pci.devfn;
	out->ram_mapped = vd->set->ram_mapped;
	out->nr_mappings = -1;
	/* What the device can reach: exactly guest RAM, nothing else. */
	if (!pt_iommu_get_info(vd->set->io, &info)) {
		out->nr_mappings = info.nr_mappings;
		out->mapped_bytes = info.mapped_bytes;
	}
	pt_clear_error();
	return 0;
}
