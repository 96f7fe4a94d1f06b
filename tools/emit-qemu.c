// SPDX-License-Identifier: MIT
/*
 * emit-qemu.c — `passthru emit qemu`: the QEMU command-line arguments that
 * assign the groups, one `-device vfio-pci` per endpoint function:
 *
 *	type1     -device vfio-pci,host=BDF,id=ID
 *	iommufd   -object iommufd,id=iommufd0 -device vfio-pci,host=BDF,iommufd=iommufd0,id=ID
 *	cdev fd   -object iommufd,id=iommufd0 -device vfio-pci,fd=N,iommufd=iommufd0,id=ID
 *
 * (QEMU's docs/system/devices/vfio and docs/devel/vfio-iommufd.rst).
 * Functions of one physical slot get one guest slot (addr=S.F, function 0
 * with multifunction=on) so the guest sees one multifunction device;
 * --no-rom adds rombar=0 to functions that have an expansion ROM.  stdout
 * has only arguments (one option with its value per line, so that
 * `qemu-system-x86_64 ... $(passthru emit qemu DEV)` works); the memory-lock
 * and hugepage facts and the cdev redirections are notes on stderr.
 */
#include <string.h>

#include "tools/emit.h"

#define FIRST_FD 3
#define LAST_FD 9	/* sh opens only single-digit fds with exec N<>FILE */

/* "hostdev-0000-01-00.0": QEMU ids are letters, digits, '-', '.', '_'. */
static const char *qemu_id(const struct pt_device *d, char *buf, size_t n)
{
	snprintf(buf, n, "hostdev-%04x-%02x-%02x.%x", d->domain, d->bus, d->dev, d->func);
	return buf;
}

/* iommufd when asked, or (auto) when /dev/iommu and every function's cdev
 * node exist (Linux 6.1-6.5 show vfio-dev/vfioN in sysfs without one). */
static int pick_iommufd(struct emit *e, bool *iommufd)
{
	const struct pt_inventory *inv = e->inv;
	bool cdevs = true;

	for (int i = 0; i < inv->nr_fn; i++)
		cdevs &= inv->fn[i]->cdev_node;
	switch (e->o->iommu) {
	case EMIT_IOMMU_TYPE1:
		*iommufd = false;
		return 0;
	case EMIT_IOMMU_IOMMUFD:
		if (!inv->host->iommufd)
			return emit_fail(e, CLI_EXIT_FAIL, "--iommu iommufd: /dev/iommu does "
					 "not exist (modprobe iommufd, or a kernel with "
					 "CONFIG_IOMMUFD)");
		*iommufd = true;
		return 0;
	default:
		*iommufd = (inv->host->iommufd && cdevs) || e->o->cdev_fd;
		return 0;
	}
}

static int check_cdevs(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;

	if (inv->nr_fn > LAST_FD - FIRST_FD + 1)
		return emit_fail(e, CLI_EXIT_USAGE, "--cdev-fd: %d functions, but a shell "
				 "can pre-open only %d (fds %d..%d); let QEMU open "
				 "them (drop --cdev-fd)", inv->nr_fn,
				 LAST_FD - FIRST_FD + 1, FIRST_FD, LAST_FD);
	for (int i = 0; i < inv->nr_fn; i++)
		if (!inv->fn[i]->cdev_node)
			return emit_fail(e, CLI_EXIT_FAIL, "--cdev-fd: %s has no VFIO device "
					 "cdev (/dev/vfio/devices/%s): it must be on vfio-pci, "
					 "on a kernel with CONFIG_VFIO_DEVICE_CDEV (6.6+)",
					 inv->fn[i]->dev->bdf, inv->fn[i]->cdev[0] ?
					 inv->fn[i]->cdev : "vfioN");
	return 0;
}

static void device_arg(struct emit *e, const struct pt_inv_function *f, int idx,
		       bool iommufd)
{
	const struct pt_device *d = f->dev;
	int slot = emit_guest_slot(e, f);
	char id[48];

	fprintf(e->out, "-device vfio-pci,");
	if (e->o->cdev_fd)
		fprintf(e->out, "fd=%d", FIRST_FD + idx);
	else
		fprintf(e->out, "host=%s", d->bdf);
	if (iommufd)
		fprintf(e->out, ",iommufd=iommufd0");
	fprintf(e->out, ",id=%s", qemu_id(d, id, sizeof(id)));
	if (slot >= 0)
		fprintf(e->out, ",addr=0x%02x.%x%s", slot, emit_guest_fn(e, f),
			f->slot_pos == 0 ? ",multifunction=on" : "");
	if (e->o->no_rom && emit_has_rom(f))
		fprintf(e->out, ",rombar=0");
	fputc('\n', e->out);
}

static void notes(struct emit *e, bool iommufd)
{
	const struct pt_inventory *inv = e->inv;

	emit_note_viability(e);
	for (int i = 0; i < inv->nr_fn; i++) {
		const struct pt_inv_function *f = inv->fn[i];

		if (e->o->cdev_fd)
			emit_note(e, "open %s's cdev before starting QEMU: exec %d<>/dev/vfio/devices/%s",
				  f->dev->bdf, FIRST_FD + i, f->cdev);
		else if (iommufd && !f->cdev_node)
			emit_note(e, "%s has no VFIO device cdev yet: QEMU's iommufd "
				  "backend needs it (passthru assign it first)", f->dev->bdf);
		if (f->dev->boot_vga && emit_has_rom(f) && !e->o->no_rom)
			emit_note(e, "%s is the host's boot VGA device: the host firmware "
				  "ran its ROM; if the guest firmware cannot initialise "
				  "it, give QEMU a clean image (romfile=FILE)", f->dev->bdf);
	}
	if (emit_nr_guest_slots(inv))
		emit_note(e, "multifunction devices are placed at guest slot 0x%02x "
			  "and up on the machine's root bus (--slot N to move them)",
			  e->o->slot);
	emit_note_memory(e, "QEMU");
}

static int render_qemu(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;
	bool iommufd = false;
	int ret;

	if ((int)e->o->slot + emit_nr_guest_slots(inv) - 1 > 0x1f)
		return emit_fail(e, CLI_EXIT_USAGE, "--slot 0x%02x: %d multifunction "
				 "devices do not fit below guest slot 0x1f",
				 e->o->slot, emit_nr_guest_slots(inv));
	ret = pick_iommufd(e, &iommufd);
	if (!ret && e->o->cdev_fd)
		ret = check_cdevs(e);
	if (ret)
		return ret;
	if (iommufd)
		fprintf(e->out, "-object iommufd,id=iommufd0\n");
	for (int i = 0; i < inv->nr_fn; i++)
		device_arg(e, inv->fn[i], i, iommufd);
	notes(e, iommufd);
	return 0;
}

EMIT_FORMAT("qemu", render_qemu, EMIT_NEEDS_DEVICE | EMIT_NEEDS_GROUP,
	    "QEMU arguments: -device vfio-pci per function (type1, iommufd or cdev fds)");
