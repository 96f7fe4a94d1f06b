// SPDX-License-Identifier: MIT
/*
 * emit-cloud-hypervisor.c — `passthru emit cloud-hypervisor`: the
 * --device option with one path=/sys/bus/pci/devices/BDF/ per endpoint
 * function, as cloud-hypervisor's docs/vfio.md spells it ("--device
 * path=A/ path=B/"; every device of a group must be passed together).
 */
#include "tools/emit.h"

static int render_ch(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;

	fprintf(e->out, "--device");
	for (int i = 0; i < inv->nr_fn; i++)
		fprintf(e->out, " path=/sys/bus/pci/devices/%s/", inv->fn[i]->dev->bdf);
	fputc('\n', e->out);
	emit_note_viability(e);
	emit_note_memory(e, "cloud-hypervisor");
	return 0;
}

EMIT_FORMAT("cloud-hypervisor", render_ch, EMIT_NEEDS_DEVICE | EMIT_NEEDS_GROUP,
	    "cloud-hypervisor --device path=/sys/bus/pci/devices/BDF/ per function");
