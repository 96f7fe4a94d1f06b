// SPDX-License-Identifier: MIT
/*
 * emit-kubevirt.c — `passthru emit kubevirt`: the KubeVirt CR's
 * spec.configuration.permittedHostDevices.pciHostDevices entries for the
 * groups' functions, one per vendor:device pair (KubeVirt's user guide,
 * "Host Devices Assignment": pciVendorSelector "VVVV:DDDD", resourceName,
 * externalResourceProvider).
 *
 * The caveat, from KubeVirt's PCI device plugin (virt-handler
 * device-manager): it discovers functions bound to vfio-pci whose ids
 * match, and advertises them keyed by IOMMU group — one device per group
 * and resourceName — handing the VM only the matched function.  A group
 * with several endpoint functions is therefore flagged in the output.
 */
#include <string.h>

#include "tools/emit.h"

static bool seen_before(const struct pt_inventory *inv, int i)
{
	for (int k = 0; k < i; k++)
		if (inv->fn[k]->dev->vendor_id == inv->fn[i]->dev->vendor_id &&
		    inv->fn[k]->dev->device_id == inv->fn[i]->dev->device_id)
			return true;
	return false;
}

static int nr_pairs(const struct pt_inventory *inv)
{
	int n = 0;

	for (int i = 0; i < inv->nr_fn; i++)
		n += !seen_before(inv, i);
	return n;
}

static void resource(const struct emit *e, const struct pt_device *d, int pairs,
		     char *buf, size_t n)
{
	char ids[16];

	emit_ids(d, '_', ids, sizeof(ids));
	if (!e->o->resource_name)
		snprintf(buf, n, "passthru/%s", ids);
	else if (pairs == 1)
		snprintf(buf, n, "%s", e->o->resource_name);
	else
		snprintf(buf, n, "%s_%s", e->o->resource_name, ids);
}

static void caveats(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;

	for (int i = 0; i < inv->nr_groups; i++) {
		const struct pt_inv_group *ig = inv->groups[i];
		int n = pt_inventory_group_endpoints(ig->group);

		if (n < 2)
			continue;
		fprintf(e->out, "# CAVEAT: IOMMU group %d has %d endpoint functions (",
			ig->group->id, n);
		for (int k = ig->first; k < ig->first + ig->nr; k++)
			fprintf(e->out, "%s%s", k > ig->first ? ", " : "", inv->fn[k]->dev->bdf);
		fprintf(e->out, ").\n"
			"#   KubeVirt's device plugin advertises one device per IOMMU group "
			"and\n#   resourceName and gives the VM only the function that "
			"matched: request\n#   every function's resourceName in the same "
			"VM, or the rest of the group\n#   stays unused on vfio-pci (and "
			"no second VM can open the group).\n");
		emit_note(e, "IOMMU group %d has %d endpoint functions: KubeVirt hands a VM "
			  "one function per group and resourceName (see the CAVEAT in the "
			  "output)", ig->group->id, n);
	}
}

static int render_kubevirt(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;
	int pairs = nr_pairs(inv);
	char res[320];

	fprintf(e->out, "# KubeVirt CR fragment (kubectl edit kubevirt -n kubevirt): "
		"merge into spec.configuration.\n# A --type=merge patch replaces the "
		"whole pciHostDevices list: keep the entries you have.\n");
	caveats(e);
	fprintf(e->out, "spec:\n  configuration:\n    permittedHostDevices:\n"
		"      pciHostDevices:\n");
	for (int i = 0; i < inv->nr_fn; i++) {
		const struct pt_device *d = inv->fn[i]->dev;

		if (seen_before(inv, i))
			continue;
		resource(e, d, pairs, res, sizeof(res));
		fprintf(e->out, "      - pciVendorSelector: \"%04X:%04X\"\n"
			"        resourceName: \"%s\"\n", d->vendor_id, d->device_id, res);
		if (e->o->external)
			fprintf(e->out, "        externalResourceProvider: true\n");
	}
	emit_note_viability(e);
	for (int i = 0; i < inv->nr_fn; i++)
		if (strcmp(inv->fn[i]->dev->driver, "vfio-pci"))
			emit_note(e, "%s is on %s: KubeVirt's device plugin only offers "
				  "functions bound to vfio-pci", inv->fn[i]->dev->bdf,
				  *inv->fn[i]->dev->driver ? inv->fn[i]->dev->driver : "no driver");
	return 0;
}

EMIT_FORMAT("kubevirt", render_kubevirt, EMIT_NEEDS_DEVICE | EMIT_NEEDS_GROUP,
	    "KubeVirt permittedHostDevices.pciHostDevices (one device per group caveat)");
