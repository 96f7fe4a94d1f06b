// SPDX-License-Identifier: MIT
/*
 * emit-sriov-dp.c — `passthru emit sriov-dp`: a config for the SR-IOV
 * network device plugin (its config.json, `{"resourceList": [...]}`), one
 * resource pool per vendor:device pair that selects exactly the groups'
 * functions on vfio-pci (README "Config parameters": resourceName,
 * resourcePrefix, deviceType, selectors [{vendors, devices, drivers,
 * pciAddresses}]).  The plugin discovers only network (class 02,
 * deviceType netDevice) and processing-accelerator (class 12, deviceType
 * accelerator) functions; others are left out with a note.
 *
 * The caveat, from the plugin's VFIO info provider: a pod that gets a
 * function gets /dev/vfio/N of its whole IOMMU group, and the kernel lets
 * one process at a time hold a VFIO group, so functions sharing a group
 * cannot go to different pods.  JSON has no comments: it is a note on
 * stderr (and in --json's "notes").
 */
#include <string.h>

#include "lib/json.h"
#include "tools/emit.h"

static const char *device_type(const struct pt_device *d)
{
	switch (d->class_code >> 16) {
	case 0x02: return "netDevice";
	case 0x12: return "accelerator";
	default: return NULL;
	}
}

static bool seen_before(const struct pt_inventory *inv, int i)
{
	for (int k = 0; k < i; k++)
		if (device_type(inv->fn[k]->dev) &&
		    inv->fn[k]->dev->vendor_id == inv->fn[i]->dev->vendor_id &&
		    inv->fn[k]->dev->device_id == inv->fn[i]->dev->device_id)
			return true;
	return false;
}

static int nr_pools(const struct pt_inventory *inv)
{
	int n = 0;

	for (int i = 0; i < inv->nr_fn; i++)
		n += device_type(inv->fn[i]->dev) && !seen_before(inv, i);
	return n;
}

static void pool(struct emit *e, struct json *j, int i, int pools)
{
	const struct pt_inventory *inv = e->inv;
	const struct pt_device *d = inv->fn[i]->dev;
	char ids[16];

	emit_ids(d, '_', ids, sizeof(ids));
	json_obj_begin(j, NULL);
	if (!e->o->resource_name)
		json_strf(j, "resourceName", "passthru_%s", ids);
	else if (pools == 1)
		json_str(j, "resourceName", e->o->resource_name);
	else
		json_strf(j, "resourceName", "%s_%s", e->o->resource_name, ids);
	json_str(j, "resourcePrefix", e->o->resource_prefix ? e->o->resource_prefix
		 : "passthru");
	json_str(j, "deviceType", device_type(d));
	json_arr_begin(j, "selectors");
	json_obj_begin(j, NULL);
	json_arr_begin(j, "vendors");
	json_strf(j, NULL, "%04x", d->vendor_id);
	json_arr_end(j);
	json_arr_begin(j, "devices");
	json_strf(j, NULL, "%04x", d->device_id);
	json_arr_end(j);
	json_arr_begin(j, "drivers");
	json_str(j, NULL, "vfio-pci");
	json_arr_end(j);
	json_arr_begin(j, "pciAddresses");
	for (int k = i; k < inv->nr_fn; k++)
		if (inv->fn[k]->dev->vendor_id == d->vendor_id &&
		    inv->fn[k]->dev->device_id == d->device_id)
			json_str(j, NULL, inv->fn[k]->dev->bdf);
	json_arr_end(j);
	json_obj_end(j);
	json_arr_end(j);
	json_obj_end(j);
}

static void notes(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;

	for (int i = 0; i < inv->nr_fn; i++) {
		const struct pt_device *d = inv->fn[i]->dev;

		if (!device_type(d))
			emit_note(e, "%s (class 0x%06x) is left out: the SR-IOV network "
				  "device plugin only discovers network (class 02) and "
				  "accelerator (class 12) functions", d->bdf, d->class_code);
		else if (strcmp(d->driver, "vfio-pci"))
			emit_note(e, "%s is on %s: the pool selects vfio-pci (passthru "
				  "assign it first)", d->bdf, *d->driver ? d->driver : "no driver");
	}
	for (int i = 0; i < inv->nr_groups; i++) {
		const struct pt_inv_group *ig = inv->groups[i];
		int n = pt_inventory_group_endpoints(ig->group);

		if (n > 1)
			emit_note(e, "CAVEAT: IOMMU group %d has %d endpoint functions: the "
				  "plugin gives a pod /dev/vfio/%d of the whole group and "
				  "one process at a time can hold it, so these functions "
				  "cannot go to different pods", ig->group->id, n,
				  ig->group->id);
	}
	emit_note_viability(e);
}

static int render_sriov_dp(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;
	int pools = nr_pools(inv);
	const char *rn = e->o->resource_name;
	struct json j;

	if (!pools)
		return emit_fail(e, CLI_EXIT_USAGE, "cannot emit sriov-dp: the SR-IOV "
				 "network device plugin only discovers network (class "
				 "02) and accelerator (class 12) functions, and %s is "
				 "class 0x%06x (use kubevirt or qemu)", inv->fn[0]->dev->bdf,
				 inv->fn[0]->dev->class_code);
	if (rn && strspn(rn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_") != strlen(rn))
		return emit_fail(e, CLI_EXIT_USAGE, "--resource-name '%s': the SR-IOV "
				 "network device plugin takes letters, digits and '_' only",
				 rn);
	json_init(&j, e->out);
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "resourceList");
	for (int i = 0; i < inv->nr_fn; i++)
		if (device_type(inv->fn[i]->dev) && !seen_before(inv, i))
			pool(e, &j, i, pools);
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
	notes(e);
	return 0;
}

EMIT_FORMAT("sriov-dp", render_sriov_dp, EMIT_NEEDS_DEVICE | EMIT_NEEDS_GROUP,
	    "SR-IOV network device plugin resourceList (net/accel functions on vfio-pci)");
