// SPDX-License-Identifier: MIT
/*
 * emit-json.c — `passthru emit json`: the inventory every other format is
 * rendered from, for scripts and fleet tools.  One record per endpoint
 * function; the schema is documented in the README ("passthru emit").
 */
#include "lib/json.h"
#include "tools/discover.h"
#include "tools/emit.h"

static void str_or_null(struct json *j, const char *key, const char *s)
{
	json_str(j, key, s && *s ? s : NULL);
}

static void host(struct json *j, const struct pt_inv_host *h)
{
	json_obj_begin(j, "host");
	json_bool(j, "iommu", h->iommu);
	json_bool(j, "interrupt_remapping", h->interrupt_remapping);
	json_bool(j, "unsafe_interrupts", h->unsafe_interrupts);
	json_bool(j, "vfio", h->vfio);
	json_bool(j, "iommufd", h->iommufd);
	json_obj_end(j);
}

static void group(struct json *j, const struct pt_inventory *inv,
		  const struct pt_inv_group *ig)
{
	const struct pt_group *g = ig->group;

	json_obj_begin(j, NULL);
	json_int(j, "id", g->id);
	str_or_null(j, "type", g->type);
	json_bool(j, "viable", g->viable);
	json_bool(j, "blocked", g->blocked_by.n > 0);
	json_strf(j, "vfio_group", "/dev/vfio/%d", g->id);
	json_arr_begin(j, "functions");
	for (int i = ig->first; i < ig->first + ig->nr; i++)
		json_str(j, NULL, inv->fn[i]->dev->bdf);
	json_arr_end(j);
	json_arr_begin(j, "bridges");
	for (int i = 0; i < g->nr_devices; i++)
		if (g->devices[i]->is_bridge)
			json_str(j, NULL, g->devices[i]->bdf);
	json_arr_end(j);
	cli_json_strv(j, "not_viable", &g->not_viable);
	cli_json_strv(j, "blocked_by", &g->blocked_by);
	json_obj_end(j);
}

static void function(struct json *j, const struct pt_inv_function *f)
{
	const struct pt_device *d = f->dev;

	json_obj_begin(j, NULL);
	json_str(j, "bdf", d->bdf);
	json_hex(j, "vendor_id", d->vendor_id, 4);
	json_hex(j, "device_id", d->device_id, 4);
	json_hex(j, "class", d->class_code, 6);
	json_str(j, "class_key", pt_device_class_key(d));
	json_str(j, "vendor", d->vendor_name);
	json_str(j, "device", d->device_name);
	str_or_null(j, "driver", d->driver);
	if (f->group)
		json_int(j, "iommu_group", f->group->id);
	else
		json_null(j, "iommu_group");
	json_bool(j, "viable", f->group && f->group->viable);
	json_bool(j, "blocked", f->group && f->group->blocked_by.n > 0);
	if (d->numa_node >= 0)
		json_int(j, "numa_node", d->numa_node);
	else
		json_null(j, "numa_node");
	json_str(j, "sriov", *d->physfn ? "vf" : d->sriov_totalvfs >= 0 ? "pf" : NULL);
	str_or_null(j, "physfn", d->physfn);
	cli_json_strv(j, "vfs", &d->vfs);
	if (f->group)
		json_strf(j, "vfio_group", "/dev/vfio/%d", f->group->id);
	else
		json_null(j, "vfio_group");
	json_bool(j, "vfio_group_exists", f->group_node);
	str_or_null(j, "cdev", f->cdev);
	if (f->cdev[0])
		json_strf(j, "cdev_path", "/dev/vfio/devices/%s", f->cdev);
	else
		json_null(j, "cdev_path");
	json_bool(j, "cdev_exists", f->cdev_node);
	cli_json_strv(j, "reset_methods", &d->reset_methods);
	json_str(j, "reset_source", d->reset_from_kernel ? "kernel" : "derived");
	json_bool(j, "multifunction", f->slot_nr > 1);
	json_bool(j, "rom", emit_has_rom(f));
	json_bool(j, "selected", f->selected);
	json_obj_end(j);
}

static int render_json(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;
	struct json j;

	json_init(&j, e->out);
	json_obj_begin(&j, NULL);
	json_str(&j, "format", "passthru-inventory");
	json_int(&j, "version", 1);
	host(&j, inv->host);
	json_arr_begin(&j, "groups");
	for (int i = 0; i < inv->nr_groups; i++)
		if (inv->groups[i]->group)
			group(&j, inv, inv->groups[i]);
	json_arr_end(&j);
	json_arr_begin(&j, "functions");
	for (int i = 0; i < inv->nr_fn; i++)
		function(&j, inv->fn[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
	return 0;
}

EMIT_FORMAT("json", render_json, 0,
	    "the inventory: one record per function (group, viability, NUMA, PF/VF, VFIO nodes, resets)");
