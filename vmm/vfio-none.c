// SPDX-License-Identifier: MIT
/* vmm/vfio-none.c — stands in for vmm/vfio-dev.c in a tree without the
 * VFIO core's interrupt/reset code: VFIO devices are refused. */
#include <errno.h>

#include "lib/passthru.h"
#include "vmm/vfio-dev.h"

int vmm_vfio_set_open(struct vmm_vfio_set **out, struct vmm *vm, const char *iommu)
{
	return pt_set_error(ENOTSUP, "this passthru was built without VFIO device "
			    "support for `run` (vfio/irq.c, vfio/reset.c missing)");
}

void vmm_vfio_set_close(struct vmm_vfio_set *set) { }
int vmm_vfio_add(struct vmm_vfio_set *set, const char *bdf, struct vmm_vfio_dev **out)
{
	return -ENOTSUP;
}
void vmm_vfio_free(struct vmm_vfio_dev *vd) { }
int vmm_vfio_map_ram(struct vmm_vfio_set *set) { return 0; }
void vmm_vfio_json(struct vmm_vfio_dev *vd, struct json *j) { }
