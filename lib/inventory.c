// SPDX-License-Identifier: MIT
/*
 * inventory.c — the assignment inventory behind `passthru emit` (see
 * lib/passthru-inventory.h): the endpoint functions of the selected
 * devices' IOMMU groups, each with the VFIO nodes a consumer opens, and
 * the host facts of `passthru check`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/disc-priv.h"
#include "lib/passthru-inventory.h"

int pt_inventory_group_endpoints(const struct pt_group *g)
{
	int n = 0;

	for (int i = 0; g && i < g->nr_devices; i++)
		n += !g->devices[i]->is_bridge;
	return n;
}

const struct pt_check *pt_inventory_check(const struct pt_inventory *inv,
					  enum pt_check_id id)
{
	return pt_checks_find(inv->host->checks, id);
}

static bool passed(const struct pt_inventory *inv, enum pt_check_id id)
{
	const struct pt_check *c = pt_inventory_check(inv, id);

	return c && c->status == PT_CHECK_PASS;
}

/* The inventory and the storage behind its pointers (lib/ABI.md rule 1). */
struct inv_function {
	struct pt_inv_function pub;
	char cdev[PT_NAME_LEN];
};

struct inv {
	struct pt_inventory pub;
	struct pt_inv_host host;
	struct inv_function *fns;
	struct pt_inv_group *groups;
};

static int host_facts(struct pt_ctx *ctx, const struct pt_check_opts *opts,
		      struct inv *iv)
{
	struct pt_inventory *inv = &iv->pub;
	struct pt_inv_host *h = &iv->host;
	int n = pt_host_check(ctx, opts, &h->checks);

	if (n < 0)
		return n;
	h->iommu = passed(inv, PT_CHECK_IOMMU_ENABLED);
	h->interrupt_remapping = passed(inv, PT_CHECK_INTREMAP);
	h->unsafe_interrupts = !passed(inv, PT_CHECK_UNSAFE_INTERRUPTS);
	h->vfio = passed(inv, PT_CHECK_VFIO_MODULES) && passed(inv, PT_CHECK_VFIO_CONTAINER);
	h->iommufd = passed(inv, PT_CHECK_IOMMUFD);
	return 0;
}

/* The VFIO device cdev of a function bound to vfio-pci: its sysfs name
 * (Linux 6.1+), and whether the char device exists (CONFIG_VFIO_DEVICE_CDEV,
 * 6.6+). */
static void find_cdev(struct pt_ctx *ctx, struct inv_function *fi)
{
	struct pt_inv_function *f = &fi->pub;
	char rel[PATH_MAX];

	if (pt_sysfs_vfio_cdev(&ctx->fs, f->dev->bdf, fi->cdev, sizeof(fi->cdev)) < 0) {
		fi->cdev[0] = '\0';
		return;
	}
	snprintf(rel, sizeof(rel), "dev/vfio/devices/%s", fi->cdev);
	f->cdev_node = pt_sysfs_exists(&ctx->fs, rel);
}

static void fill_function(struct pt_ctx *ctx, struct inv *iv,
			  const struct pt_device *d, bool selected)
{
	struct pt_inventory *inv = &iv->pub;
	struct inv_function *fi = &iv->fns[inv->nr_fn];
	struct pt_inv_function *f = &fi->pub;
	char rel[64];

	inv->fn[inv->nr_fn++] = f;
	f->cdev = fi->cdev;
	f->dev = d;
	f->group = d->group;
	f->selected = selected;
	if (d->group) {
		snprintf(rel, sizeof(rel), "dev/vfio/%d", d->group->id);
		f->group_node = pt_sysfs_exists(&ctx->fs, rel);
	}
	find_cdev(ctx, fi);
}

static bool same_slot(const struct pt_device *a, const struct pt_device *b)
{
	return !*a->physfn && !*b->physfn && a->domain == b->domain &&
	       a->bus == b->bus && a->dev == b->dev;
}

/* slot_nr/slot_pos over the whole inventory (functions are in BDF order
 * within a group; a slot's functions may span groups only on hardware
 * without ACS between functions, which then puts them in one group). */
static void number_slots(struct pt_inventory *inv)
{
	for (int i = 0; i < inv->nr_fn; i++) {
		struct pt_inv_function *f = inv->fn[i];

		f->slot_nr = 1;
		f->slot_pos = 0;
		for (int k = 0; k < inv->nr_fn; k++) {
			if (k == i || !same_slot(f->dev, inv->fn[k]->dev))
				continue;
			f->slot_nr++;
			if (strcmp(inv->fn[k]->dev->bdf, f->dev->bdf) < 0)
				f->slot_pos++;
		}
	}
}

static bool is_selected(const struct pt_device *d,
			const struct pt_device *const *sel, int nsel)
{
	for (int i = 0; i < nsel; i++)
		if (sel[i] == d)
			return true;
	return false;
}

/* Groups to list, ascending and unique: the selection's, or all. */
static int pick_groups(const struct pt_system *sys,
		       const struct pt_device *const *sel, int nsel,
		       const struct pt_group ***out, int *nr)
{
	const struct pt_group **v = calloc((size_t)sys->nr_groups + 1, sizeof(*v));
	int n = 0;

	if (!v)
		return pt_set_error(ENOMEM, "inventory: out of memory");
	for (int i = 0; i < sys->nr_groups; i++) {
		const struct pt_group *g = sys->groups[i];
		bool want = nsel == 0;

		for (int k = 0; k < nsel && !want; k++)
			want = sel[k]->group == g;
		if (want && (nsel || pt_inventory_group_endpoints(g)))
			v[n++] = g;
	}
	*out = v;
	*nr = n;
	return 0;
}

/* Selected devices in no group, or (whole machine, no IOMMU) every
 * endpoint: listed alone, with group NULL. */
static int count_ungrouped(const struct pt_system *sys,
			   const struct pt_device *const *sel, int nsel)
{
	int n = 0;

	if (nsel) {
		for (int i = 0; i < nsel; i++)
			n += !sel[i]->group && !is_selected(sel[i], sel, i);
		return n;
	}
	for (int i = 0; i < sys->nr_devices; i++)
		n += !sys->devices[i]->group && !sys->devices[i]->is_bridge;
	return n;
}

static int fill(struct pt_ctx *ctx, const struct pt_system *sys,
		const struct pt_device *const *sel, int nsel,
		const struct pt_group **gv, int ngv, struct inv *iv)
{
	struct pt_inventory *inv = &iv->pub;
	int nfn = count_ungrouped(sys, sel, nsel), ng = ngv + (nfn > 0);

	for (int i = 0; i < ngv; i++)
		nfn += pt_inventory_group_endpoints(gv[i]);
	inv->fn = calloc((size_t)nfn + 1, sizeof(*inv->fn));
	iv->fns = calloc((size_t)nfn + 1, sizeof(*iv->fns));
	inv->groups = calloc((size_t)ng + 1, sizeof(*inv->groups));
	iv->groups = calloc((size_t)ng + 1, sizeof(*iv->groups));
	if (!inv->fn || !iv->fns || !inv->groups || !iv->groups)
		return pt_set_error(ENOMEM, "inventory: out of memory");
	for (int i = 0; i < ngv; i++) {
		struct pt_inv_group *ig = inv->groups[inv->nr_groups] =
			&iv->groups[inv->nr_groups];

		inv->nr_groups++;
		ig->group = gv[i];
		ig->first = inv->nr_fn;
		for (int k = 0; k < gv[i]->nr_devices; k++) {
			const struct pt_device *d = gv[i]->devices[k];

			if (d->is_bridge) {
				ig->nr_bridges++;
				continue;
			}
			fill_function(ctx, iv, d, is_selected(d, sel, nsel));
			ig->nr++;
		}
	}
	if (ng > ngv) {
		struct pt_inv_group *ig = inv->groups[inv->nr_groups] =
			&iv->groups[inv->nr_groups];

		inv->nr_groups++;
		ig->first = inv->nr_fn;
		for (int i = 0; i < (nsel ? nsel : sys->nr_devices); i++) {
			const struct pt_device *d = nsel ? sel[i] : sys->devices[i];

			if (d->group || (nsel ? is_selected(d, sel, i) : d->is_bridge))
				continue;
			fill_function(ctx, iv, d, nsel > 0);
			ig->nr++;
		}
	}
	number_slots(inv);
	return 0;
}

int pt_inventory_build(struct pt_ctx *ctx, const struct pt_device *const *sel,
		       int nsel, const struct pt_check_opts *opts,
		       struct pt_inventory **out)
{
	const struct pt_system *sys;
	const struct pt_group **gv = NULL;
	struct inv *iv;
	int ngv = 0, ret;

	*out = NULL;
	ret = pt_scan(ctx, &sys);
	if (ret < 0)
		return ret;
	iv = calloc(1, sizeof(*iv));
	if (!iv)
		return pt_set_error(ENOMEM, "inventory: out of memory");
	iv->pub.host = &iv->host;
	ret = host_facts(ctx, opts, iv);
	if (!ret)
		ret = pick_groups(sys, sel, nsel, &gv, &ngv);
	if (!ret)
		ret = fill(ctx, sys, sel, nsel, gv, ngv, iv);
	free(gv);
	if (ret) {
		pt_inventory_free(&iv->pub);
		return ret;
	}
	*out = &iv->pub;
	return 0;
}

void pt_inventory_free(struct pt_inventory *inv)
{
	struct inv *iv = (struct inv *)inv;

	if (!inv)
		return;
	pt_checks_free(iv->host.checks);
	free(inv->fn);
	free(inv->groups);
	free(iv->fns);
	free(iv->groups);
	free(iv);
}
