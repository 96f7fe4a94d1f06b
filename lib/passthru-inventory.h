/* SPDX-License-Identifier: MIT */
/*
 * passthru-inventory.h — the assignment inventory: for a set of devices,
 * every endpoint function of their IOMMU groups with the facts a consumer
 * of the hand-off needs (group, viability, NUMA node, PF/VF, the VFIO group
 * node and device cdev, reset methods, multifunction slot), plus the host
 * facts (IOMMU, interrupt remapping, VFIO, iommufd).  `passthru emit`
 * renders every format (QEMU, libvirt, cloud-hypervisor, KubeVirt, the
 * SR-IOV network device plugin, NFD, JSON) from this one model.
 *
 *	const struct pt_device *sel[] = { d };
 *	struct pt_inventory *inv;
 *	if (pt_inventory_build(ctx, sel, 1, &inv) < 0)
 *		fprintf(stderr, "%s\n", pt_last_error());
 *	for (int i = 0; i < inv->nr_fn; i++)
 *		printf("%s group %d\n", inv->fn[i]->dev->bdf, inv->fn[i]->dev->iommu_group);
 *	pt_inventory_free(inv);
 *
 * Everything is read under the context's root (--root trees work); the
 * files read are listed in tests/fixtures/TREE.md.
 */
#ifndef PASSTHRU_INVENTORY_H
#define PASSTHRU_INVENTORY_H

#include "passthru.h"	/* lib/ here, INCLUDEDIR installed */

#ifdef __cplusplus
extern "C" {
#endif

/* Host facts, from the same checks as `passthru check` (pt_host_check). */
struct pt_inv_host {
	bool iommu;			/* IOMMU units and groups exist */
	bool interrupt_remapping;	/* "interrupt remapping" passes */
	bool unsafe_interrupts;		/* allow_unsafe_interrupts=Y */
	bool vfio;			/* VFIO modules loaded and /dev/vfio/vfio */
	bool iommufd;			/* /dev/iommu exists */
	struct pt_checks *checks;	/* the whole check, for notes */
};

struct pt_inv_function {
	const struct pt_device *dev;
	const struct pt_group *group;	/* NULL: the device is in no group */
	bool selected;			/* named by the caller (not a peer) */
	bool group_node;		/* ROOT/dev/vfio/N exists */
	const char *cdev;		/* "vfio0" (sysfs vfio-dev/, Linux 6.1+),
					 * "" none */
	bool cdev_node;			/* ROOT/dev/vfio/devices/CDEV exists: the
					 * char device (CONFIG_VFIO_DEVICE_CDEV,
					 * 6.6+) iommufd users open */
	/* Functions of one physical slot (same domain:bus:device, not VFs)
	 * in this inventory: a guest sees them as one multifunction device
	 * only if they are passed together at one guest slot. */
	int slot_nr;			/* functions of this slot here (>= 1) */
	int slot_pos;			/* 0 for the slot's first (lowest) function */
};

struct pt_inv_group {
	const struct pt_group *group;	/* NULL for the ungrouped functions */
	int first, nr;			/* its functions: fn[first .. first+nr) */
	int nr_bridges;			/* bridges of the group (never passed) */
};

/*
 * Owned by the library (pt_inventory_build(), pt_inventory_free()); its
 * parts are reached through pointers, so that each can grow at its end
 * (lib/ABI.md rule 1): never allocate, copy or embed them.
 */
struct pt_inventory {
	const struct pt_inv_host *host;
	struct pt_inv_function **fn;	/* by group id, then BDF; ungrouped last */
	int nr_fn;
	struct pt_inv_group **groups;	/* same order */
	int nr_groups;
};

/*
 * Builds the inventory of sel[0..nsel) — each device's whole IOMMU group,
 * its bridges left out (they stay on the host, as `assign` leaves them) —
 * or, with nsel 0, of every endpoint of the machine.  A selected device
 * in no group is listed alone with group NULL.  opts is passed to the host
 * check (guest memory size for the memlock/hugepage facts; NULL: 1 GiB).
 * The inventory points into the context's scan: free it before the ctx.
 */
int pt_inventory_build(struct pt_ctx *ctx, const struct pt_device *const *sel,
		       int nsel, const struct pt_check_opts *opts,
		       struct pt_inventory **out);
void pt_inventory_free(struct pt_inventory *inv);

/* The host check id (PT_CHECK_MEMLOCK, ...) of the inventory, or NULL. */
const struct pt_check *pt_inventory_check(const struct pt_inventory *inv,
					  enum pt_check_id id);
/* The endpoint functions (bridges left out) of group g: more than one
 * means the consumers that hand over one function per group must be told. */
int pt_inventory_group_endpoints(const struct pt_group *g);

#ifdef __cplusplus
}
#endif
#endif
