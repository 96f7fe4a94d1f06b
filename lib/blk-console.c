// SPDX-License-Identifier: MIT
/*
 * blk-console.c — what a person at the machine would lose:
 *   - the boot VGA device (firmware and early console output) and the
 *     device behind a framebuffer (fbcon draws the VT console on it);
 *   - a serial console: sys/class/tty/console/active names a tty that is
 *     not a VT (ttyS1, ttyUSB0) whose device is on a PCI device (a PCI
 *     UART, or a USB serial adapter behind a USB controller);
 *   - DRM clients: processes with /dev/dri/cardN or renderDN open
 *     (/proc/PID/fd), named with their PID and command;
 *   - the only keyboard: a USB controller (or anything) below which every
 *     keyboard of the machine sits — a keyboard as udev's input_id judges
 *     one: KEY capability bits 1-31 (Esc, digits, letters) all set.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/blk-priv.h"

/* The PCI device a class device (sys/class/CLASS/NAME) sits below. */
static struct pt_device *class_owner(struct pt_ctx *ctx, struct pt_system *sys,
				     const char *cls, const char *name,
				     const char *link)
{
	char rel[PATH_MAX], real[PATH_MAX], bdf[PT_BDF_LEN];

	snprintf(rel, sizeof(rel), "sys/class/%s/%s%s%s", cls, name,
		 link ? "/" : "", link ? link : "");
	if (pt_sysfs_resolve(&ctx->fs, rel, real, sizeof(real)) < 0 ||
	    !ptd_path_owner_bdf(real, bdf, sizeof(bdf)))
		return NULL;
	return ptd_find_device(sys, bdf);
}

static bool is_vt(const char *tty)
{
	return !strncmp(tty, "tty", 3) && tty[3] >= '0' && tty[3] <= '9';
}

static int display(struct pt_ctx *ctx, struct pt_system *sys, const char *active)
{
	bool vt_console = false;
	struct dirent *de;
	char tok[256], *save, *t;
	int ret = 0;
	DIR *dir;

	/* a VT (tty0, tty1...) as console means fbcon draws on a framebuffer */
	snprintf(tok, sizeof(tok), "%s", active);
	for (t = strtok_r(tok, " ", &save); t; t = strtok_r(NULL, " ", &save))
		vt_console |= is_vt(t);
	for (int i = 0; i < sys->nr_devices && ret == 0; i++)
		if (sys->devices[i]->boot_vga)
			ret = ptd_blk_add(sys->devices[i], PT_BLK_BOOT_VGA, false, NULL,
					  "boot VGA device (firmware and early "
					  "console output)");
	dir = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, "sys/class/graphics");
	while (dir && ret == 0 && (de = readdir(dir))) {
		struct pt_device *d;

		if (strncmp(de->d_name, "fb", 2) ||
		    !(d = class_owner(ctx, sys, "graphics", de->d_name, "device")))
			continue;
		if (vt_console)
			ret = ptd_blk_add(d, PT_BLK_FRAMEBUFFER, false, de->d_name,
					  "drives framebuffer %s (console on %s)",
					  de->d_name, active);
		else
			ret = ptd_blk_add(d, PT_BLK_FRAMEBUFFER, false, de->d_name,
					  "drives framebuffer %s", de->d_name);
	}
	if (dir)
		closedir(dir);
	return ret;
}

static int serial_console(struct pt_ctx *ctx, struct pt_system *sys,
			  const char *active)
{
	char tok[256], *save, *t;
	int ret = 0;

	snprintf(tok, sizeof(tok), "%s", active);
	for (t = strtok_r(tok, " ", &save); t && ret == 0;
	     t = strtok_r(NULL, " ", &save)) {
		struct pt_device *d;

		if (is_vt(t) || !(d = class_owner(ctx, sys, "tty", t, "device")))
			continue;
		ret = ptd_blk_add(d, PT_BLK_SERIAL, false, t,
				  "%s is the active console", t);
	}
	return ret;
}

static int drm_clients(struct pt_ctx *ctx, struct pt_system *sys)
{
	static const char *const prefixes[] = { "/dev/dri/", NULL };
	struct ptd_opener *o;
	int n, ret;

	/* no DRM device on a PCI device: no process to look for */
	{
		struct dirent *de;
		bool any = false;
		DIR *dir = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, "sys/class/drm");

		while (dir && !any && (de = readdir(dir)))
			any = de->d_name[0] != '.' &&
			      class_owner(ctx, sys, "drm", de->d_name, "device");
		if (dir)
			closedir(dir);
		if (!any)
			return 0;
	}
	ret = ptd_proc_openers(ctx, prefixes, &o, &n);
	for (int i = 0; i < n && ret == 0; i++) {
		const char *node = o[i].node + strlen("/dev/dri/");
		struct pt_device *d = class_owner(ctx, sys, "drm", node, "device");

		if (d)
			ret = ptd_blk_add(d, PT_BLK_DRM, false, o[i].node,
					  "%s is open by %s", o[i].node, o[i].who);
	}
	free(o);
	return ret;
}

/* udev's input_id: a keyboard has KEY_ESC..KEY_D (bits 1-31) all set.
 * capabilities/key is hex words, the lowest last. */
static bool is_keyboard(struct pt_ctx *ctx, const char *input)
{
	char rel[128], buf[1024], *last;
	unsigned long long low;

	snprintf(rel, sizeof(rel), "sys/class/input/%.64s/capabilities/key", input);
	if (pt_sysfs_read_str(&ctx->fs, rel, buf, sizeof(buf)) < 0)
		return false;
	last = strrchr(buf, ' ');
	low = strtoull(last ? last + 1 : buf, NULL, 16);
	return (low & 0xfffffffeULL) == 0xfffffffeULL;
}

static int keyboards(struct pt_ctx *ctx, struct pt_system *sys)
{
	struct pt_device *owner = NULL;
	char only[32] = "", rel[128], name[128];
	struct dirent *de;
	int count = 0;
	DIR *dir = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, "sys/class/input");

	while (dir && (de = readdir(dir))) {
		struct pt_device *d;

		if (strncmp(de->d_name, "input", 5) || !is_keyboard(ctx, de->d_name))
			continue;
		d = class_owner(ctx, sys, "input", de->d_name, NULL);
		/* a keyboard on no PCI device (i8042) or on another one
		 * means this one is not the only one */
		if (count++ && d != owner)
			owner = NULL;
		else if (count == 1)
			owner = d;
		if (!*only || strcmp(de->d_name, only) < 0)
			snprintf(only, sizeof(only), "%.31s", de->d_name);
	}
	if (dir)
		closedir(dir);
	if (!owner)
		return 0;
	snprintf(rel, sizeof(rel), "sys/class/input/%s/name", only);
	if (pt_sysfs_read_str(&ctx->fs, rel, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "?");
	if (count > 1)
		return ptd_blk_add(owner, PT_BLK_KEYBOARD, false, only,
				   "every keyboard of the machine is on it "
				   "(%d, e.g. %s \"%s\")", count, only, name);
	return ptd_blk_add(owner, PT_BLK_KEYBOARD, false, only,
			   "%s \"%s\" is the only keyboard", only, name);
}

int ptd_blk_console(struct pt_ctx *ctx, struct pt_system *sys)
{
	char active[256] = "";
	int ret;

	pt_sysfs_read_str(&ctx->fs, "sys/class/tty/console/active", active,
			  sizeof(active));
	if ((ret = display(ctx, sys, active)) == 0 &&
	    (ret = serial_console(ctx, sys, active)) == 0 &&
	    (ret = drm_clients(ctx, sys)) == 0)
		ret = keyboards(ctx, sys);
	return ret;
}
