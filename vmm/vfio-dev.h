/* SPDX-License-Identifier: MIT */
/*
 * vmm/vfio-dev.h — assigned (VFIO) devices in the minimal VMM.
 *
 * A set is one IOMMU address space (pt_iommu: type1 container or iommufd
 * IOAS) shared by every device of the guest; guest RAM is mapped into it
 * once at IOVA = GPA, so device DMA lands in guest RAM and nowhere else.
 */
#ifndef PASSTHRU_VMM_VFIO_DEV_H
#define PASSTHRU_VMM_VFIO_DEV_H

#include "vmm/vmm.h"

struct vmm_vfio_set;
struct vmm_vfio_dev;

/* iommu: "type1", "iommufd", "auto" or NULL (auto). */
int vmm_vfio_set_open(struct vmm_vfio_set **out, struct vmm *vm, const char *iommu);
void vmm_vfio_set_close(struct vmm_vfio_set *set);
/* Opens bdf (bound to vfio-pci), resets it, puts it on the guest's bus. */
int vmm_vfio_add(struct vmm_vfio_set *set, const char *bdf,
		 struct vmm_vfio_dev **out);
void vmm_vfio_free(struct vmm_vfio_dev *vd);
/* Maps guest RAM (IOVA = GPA) after the devices are attached. */
int vmm_vfio_map_ram(struct vmm_vfio_set *set);
struct vmm_vfio_desc {
	char bdf[16];
	int iommu_group;
	const char *iommu;		/* "type1" / "iommufd" */
	int guest_devfn;
	bool ram_mapped;		/* guest RAM at IOVA = GPA */
	int nr_mappings;		/* in the IOMMU address space, -1 unknown */
	uint64_t mapped_bytes;
};
int vmm_vfio_describe(struct vmm_vfio_dev *vd, struct vmm_vfio_desc *out);

#endif
