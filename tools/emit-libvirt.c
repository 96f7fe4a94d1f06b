// SPDX-License-Identifier: MIT
/*
 * emit-libvirt.c — `passthru emit libvirt`: one <hostdev mode='subsystem'
 * type='pci' managed='no'> element per endpoint function, for a domain's
 * <devices> (`virsh edit`) or, one element per file, `virsh attach-device`
 * (libvirt's formatdomain "Host device assignment").  managed='no':
 * passthru did the binding, libvirt must not rebind.  Functions of one
 * physical slot get one guest slot with multifunction='on' on function 0.
 *
 * <driver iommufd='yes'/> is emitted only when iommufd is in use (asked
 * with --iommu iommufd, or /dev/iommu and every cdev node exist) AND the
 * installed libvirt knows it: its domain schema
 * (ROOT/usr/share/libvirt/schemas/domaincommon.rng, what virt-xml-validate
 * and libvirt's own parser check against) declares the iommufd attribute.
 * Debian 12's libvirt 9.0 and bookworm-backports' 11.3 do not.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/sysfs.h"
#include "tools/emit.h"

#define LIBVIRT_SCHEMA "usr/share/libvirt/schemas/domaincommon.rng"

/* Does the installed libvirt's domain schema know <driver iommufd=...>? */
static bool schema_has_iommufd(struct pt_ctx *ctx)
{
	bool found;
	char *buf;

	if (pt_sysfs_slurp(pt_ctx_sysfs(ctx), LIBVIRT_SCHEMA, &buf, NULL) < 0)
		return false;
	found = strstr(buf, "<attribute name=\"iommufd\">") != NULL;
	free(buf);
	return found;
}

static int pick_iommufd(struct emit *e, bool *out)
{
	const struct pt_inventory *inv = e->inv;
	bool schema = schema_has_iommufd(e->ctx), cdevs = true;

	for (int i = 0; i < inv->nr_fn; i++)
		cdevs &= inv->fn[i]->cdev_node;
	*out = false;
	switch (e->o->iommu) {
	case EMIT_IOMMU_TYPE1:
		return 0;
	case EMIT_IOMMU_IOMMUFD:
		if (!schema)
			return emit_fail(e, CLI_EXIT_FAIL, "--iommu iommufd: the installed "
					 "libvirt does not support <driver iommufd='yes'/> "
					 "(its schema /%s has no iommufd attribute)", LIBVIRT_SCHEMA);
		if (!inv->host->iommufd)
			return emit_fail(e, CLI_EXIT_FAIL, "--iommu iommufd: /dev/iommu does "
					 "not exist (modprobe iommufd)");
		*out = true;
		return 0;
	default:
		*out = schema && inv->host->iommufd && cdevs;
		if (!schema && inv->host->iommufd && cdevs)
			emit_note(e, "iommufd is available, but the installed libvirt does "
				  "not know <driver iommufd='yes'/> (no iommufd attribute in "
				  "/%s): the legacy VFIO container is used", LIBVIRT_SCHEMA);
		return 0;
	}
}

static void hostdev(struct emit *e, const struct pt_inv_function *f, bool iommufd)
{
	const struct pt_device *d = f->dev;
	int slot = emit_guest_slot(e, f);
	FILE *o = e->out;

	fprintf(o, "<hostdev mode='subsystem' type='pci' managed='no'>\n");
	if (iommufd)
		fprintf(o, "  <driver iommufd='yes'/>\n");
	fprintf(o, "  <source>\n    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
		"function='0x%x'/>\n  </source>\n", d->domain, d->bus, d->dev, d->func);
	if (slot >= 0)
		fprintf(o, "  <address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' "
			"function='0x%x'%s/>\n", slot, emit_guest_fn(e, f),
			f->slot_pos == 0 ? " multifunction='on'" : "");
	if (e->o->no_rom && emit_has_rom(f))
		fprintf(o, "  <rom bar='off'/>\n");
	fprintf(o, "</hostdev>\n");
}

static int render_libvirt(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;
	bool iommufd;
	int ret;

	if ((int)e->o->slot + emit_nr_guest_slots(inv) - 1 > 0x1f)
		return emit_fail(e, CLI_EXIT_USAGE, "--slot 0x%02x: %d multifunction "
				 "devices do not fit below guest slot 0x1f",
				 e->o->slot, emit_nr_guest_slots(inv));
	ret = pick_iommufd(e, &iommufd);
	if (ret)
		return ret;
	for (int i = 0; i < inv->nr_groups; i++) {
		const struct pt_inv_group *ig = inv->groups[i];

		fprintf(e->out, "<!-- IOMMU group %d: every endpoint function; "
			"bridges stay on the host -->\n", ig->group->id);
		for (int k = ig->first; k < ig->first + ig->nr; k++)
			hostdev(e, inv->fn[k], iommufd);
	}
	emit_note_viability(e);
	emit_note(e, "managed='no': libvirt will not bind or release the devices; "
		  "keep them on vfio-pci (`passthru assign --persist`)");
	if (emit_nr_guest_slots(inv))
		emit_note(e, "multifunction devices are placed at guest slot 0x%02x and "
			  "up on bus 0 (pcie-root on q35; --slot N to move them)",
			  e->o->slot);
	return 0;
}

EMIT_FORMAT("libvirt", render_libvirt, EMIT_NEEDS_DEVICE | EMIT_NEEDS_GROUP,
	    "libvirt <hostdev managed='no'> elements (driver iommufd where libvirt has it)");
