// SPDX-License-Identifier: MIT
/*
 * blk-platform.c — devices the host platform itself runs on.  They are
 * never taken from the host, not even with --force: the blocker is hard.
 *
 * Why not --force: --force means "I accept losing this" for something a
 * person can judge and get back (a disk, an address, a console).  A host
 * bridge, the LPC bridge (firmware interfaces, TPM, super I/O, the RTC),
 * the SMBus (sensors, SPD, power), the SPI flash controller (the firmware
 * itself), the IOMMU and a running watchdog are the platform: vfio-pci
 * would reset and disable them, and no guest can use them without the
 * platform's ACPI.  A group holding one is refused with their names (the
 * onboard audio next to the LPC bridge cannot be assigned on that board).
 *
 * Which they are: by class code (host bridge 06/00, ISA bridge 06/01,
 * SMBus 0c/05, IOMMU 08/06); the SPI flash controller has no class of its
 * own (0c/80 "other serial bus"), so by its driver (intel-spi) or, unbound,
 * by pci.ids naming it an SPI controller; a watchdog by its sys/class/
 * watchdog device, while it runs (sysfs state "active", or its /dev node
 * open).  Root and switch ports with devices below are platform too, but
 * `assign` already never moves a bridge (it stays on pcieport), so they are
 * marked (`platform`) and block nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/blk-priv.h"

struct role {
	unsigned int class16;	/* class << 8 | subclass */
	const char *name, *id;
};

static const struct role roles[] = {
	{ 0x0600, "host bridge", "platform.host-bridge" },
	{ 0x0601, "ISA/LPC bridge", "platform.lpc" },
	{ 0x0c05, "SMBus controller", "platform.smbus" },
	{ 0x0806, "IOMMU", "platform.iommu" },
};

static bool is_spi(const struct pt_device *d)
{
	return !strcmp(d->driver, "intel-spi") ||
	       ((d->class_code >> 8) == 0x0c80 && strstr(d->device_name, "SPI"));
}

static bool has_children(const struct pt_system *sys, const struct pt_device *d)
{
	for (int i = 0; i < sys->nr_devices; i++)
		if (!strcmp(sys->devices[i]->parent, d->bdf))
			return true;
	return false;
}

static int hard(struct pt_device *d, const char *id, const char *role)
{
	d->platform = role;
	return ptd_blk_add(d, id, true, NULL, "platform device (%s): the host "
			   "cannot run without it", role);
}

static int classes(struct pt_system *sys)
{
	int ret = 0;

	for (int i = 0; i < sys->nr_devices && ret == 0; i++) {
		struct pt_device *d = sys->devices[i];

		for (size_t k = 0; k < sizeof(roles) / sizeof(roles[0]); k++)
			if ((d->class_code >> 8) == roles[k].class16)
				ret = hard(d, roles[k].id, roles[k].name);
		if (ret == 0 && is_spi(d))
			ret = hard(d, "platform.spi", "SPI flash controller");
		if (d->is_bridge && has_children(sys, d))
			d->platform = d->caps->pcie_type == PT_PCIE_ROOT_PORT ?
				      "root port with devices below" :
				      "bridge with devices below";
	}
	return ret;
}

static int watchdogs(struct pt_ctx *ctx, struct pt_system *sys)
{
	static const char *const prefixes[] = { "/dev/watchdog", NULL };
	char rel[PATH_MAX], real[PATH_MAX], bdf[PT_BDF_LEN], state[32], node[64];
	struct ptd_opener *o = NULL;
	struct dirent *de;
	int n = 0, ret = 0;
	bool scanned = false;
	DIR *dir = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, "sys/class/watchdog");

	while (dir && ret == 0 && (de = readdir(dir))) {
		const char *who = NULL;
		struct pt_device *d;

		if (strncmp(de->d_name, "watchdog", 8))
			continue;
		snprintf(rel, sizeof(rel), "sys/class/watchdog/%s/device", de->d_name);
		if (pt_sysfs_resolve(&ctx->fs, rel, real, sizeof(real)) < 0 ||
		    !ptd_path_owner_bdf(real, bdf, sizeof(bdf)) ||
		    !(d = ptd_find_device(sys, bdf)))
			continue;
		if (!scanned) {
			ret = ptd_proc_openers(ctx, prefixes, &o, &n);
			scanned = true;
		}
		/* watchdog0 is also the legacy /dev/watchdog */
		snprintf(node, sizeof(node), "/dev/%.48s", de->d_name);
		for (int i = 0; i < n && !who; i++)
			if (!strcmp(o[i].node, node) ||
			    (!strcmp(de->d_name, "watchdog0") &&
			     !strcmp(o[i].node, "/dev/watchdog")))
				who = o[i].who;
		snprintf(rel, sizeof(rel), "sys/class/watchdog/%s/state", de->d_name);
		if (who) {
			d->platform = "watchdog";
			ret = ptd_blk_add(d, "platform.watchdog", true, de->d_name,
					  "%s is running, open by %s: unbinding "
					  "stops it or reboots the host", de->d_name, who);
		} else if (pt_sysfs_read_str(&ctx->fs, rel, state, sizeof(state)) == 0 &&
			   !strcmp(state, "active")) {
			d->platform = "watchdog";
			ret = ptd_blk_add(d, "platform.watchdog", true, de->d_name,
					  "%s is running: unbinding stops it or "
					  "reboots the host", de->d_name);
		}
	}
	if (dir)
		closedir(dir);
	free(o);
	return ret;
}

int ptd_blk_platform(struct pt_ctx *ctx, struct pt_system *sys)
{
	int ret = classes(sys);

	return ret ? ret : watchdogs(ctx, sys);
}
