// SPDX-License-Identifier: MIT
/*
 * devarg.c — the DEVICE argument of `passthru show/assign/...`:
 *   "0000:01:00.0"  full BDF          "01:00.0"  BDF in domain 0000
 *   "pci_0000_01_00_0"  libvirt's node device name (virsh nodedev-list)
 *   "01:00", "0000:01:00"  every function of a slot (lspci -s)
 *   "8086:10d3"     vendor:device ids (one device, or all with --all)
 *   "class=net"     a class key (one device, or all with --all)
 *   "eth0"          a network interface name
 * Parsing is pure (pt_devarg_parse, fuzzed); resolution looks the result up
 * in the scan and says precisely why it failed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/abi-priv.h"
#include "lib/disc-priv.h"

/* The end of every "malformed device" sentence: the forms there are. */
#define PT_DEVARG_FORMS "give a PCI address (0000:01:00.0 or 01:00.0), a slot " \
	"(01:00), vendor:device ids (8086:10d3), a class (class=net), a libvirt " \
	"node device (pci_0000_01_00_0) or an interface name (eth0)"

/* Exactly n hex digits (either case) from s; returns chars consumed. */
static int hexn(const char *s, int n, unsigned int *val)
{
	unsigned int v = 0;

	for (int i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (!isxdigit(c))
			return -1;
		v = v * 16 + (unsigned int)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
	}
	*val = v;
	return n;
}

static int bad(const char *arg, const char *why)
{
	return pt_set_error(EINVAL, "malformed device '%s': %s; " PT_DEVARG_FORMS,
			    arg, why);
}

static const char *const class_keys[] = {
	"net", "storage", "display", "usb", "audio", "bridge", "accel", "other",
	NULL,
};

static int parse_class(const char *arg, struct pt_devarg *out)
{
	const char *key = arg + strlen("class=");

	for (int i = 0; class_keys[i]; i++)
		if (!strcmp(key, class_keys[i])) {
			out->kind = PT_DEVARG_CLASS;
			strcpy(out->class_key, key);
			return 0;
		}
	return bad(arg, "a class is net, storage, display, usb, audio, bridge, "
		   "accel or other");
}

/* pci_DDDD_BB_DD_F: what `virsh nodedev-list --cap pci` prints */
static int parse_nodedev(const char *arg, struct pt_devarg *out)
{
	const char *p = arg + strlen("pci_");

	if (strlen(p) != 12 || p[4] != '_' || p[7] != '_' || p[10] != '_' ||
	    hexn(p, 4, &out->domain) < 0 || hexn(p + 5, 2, &out->bus) < 0 ||
	    hexn(p + 8, 2, &out->dev) < 0 || p[11] < '0' || p[11] > '7')
		return bad(arg, "a libvirt node device is pci_DDDD_BB_DD_F");
	if (out->dev > 0x1f)
		return bad(arg, "device number above 1f");
	out->func = (unsigned int)(p[11] - '0');
	out->kind = PT_DEVARG_BDF;
	return 0;
}

/* BB:DD or DDDD:BB:DD: a slot, as lspci -s takes it */
static int parse_slot(const char *arg, const char *p, struct pt_devarg *out)
{
	if (hexn(p, 2, &out->bus) < 0)
		return bad(arg, "bus must be 2 hex digits");
	if (hexn(p + 3, 2, &out->dev) < 0)
		return bad(arg, "a slot is BB:DD or DDDD:BB:DD");
	if (out->dev > 0x1f)
		return bad(arg, "device number above 1f");
	out->kind = PT_DEVARG_SLOT;
	return 0;
}

static int parse_dev_fn(const char *arg, const char *p, struct pt_devarg *out)
{
	unsigned int fn;

	if (hexn(p, 2, &out->dev) < 0 || p[2] != '.')
		return bad(arg, "expected DD.F after the bus");
	if (out->dev > 0x1f)
		return bad(arg, "device number above 1f");
	if (p[3] < '0' || p[3] > '7' || p[4])
		return bad(arg, "function must be a single digit 0-7");
	fn = (unsigned int)(p[3] - '0');
	out->func = fn;
	out->kind = PT_DEVARG_BDF;
	return 0;
}

static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	/* the kernel's rules (dev_valid_name): 1..15 bytes, no '/', ':' or
	 * blanks, not "." or ".." */
	if (n == 0 || n >= 16 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p) ||
		    (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

static int devarg_parse(const char *arg, struct pt_devarg *out)
{
	size_t n;
	const char *colon;

	if (!arg || !*arg)
		return pt_set_error(EINVAL, "malformed device '': empty; "
				    PT_DEVARG_FORMS);
	n = strlen(arg);
	if (n > 64)
		return bad("(too long)", "more than 64 characters");
	if (!strncmp(arg, "class=", 6))
		return parse_class(arg, out);
	if (!strncmp(arg, "pci_", 4) && n == 16)
		return parse_nodedev(arg, out);
	colon = strchr(arg, ':');
	if (!colon) {
		if (!ifname_ok(arg))
			return bad(arg, "not a valid interface name");
		out->kind = PT_DEVARG_IFNAME;
		strcpy(out->ifname, arg);
		return 0;
	}
	/* DDDD:BB:DD.F, the domain 4 to 8 digits (VMD: 10000:e1:00.0) */
	if (n >= 12 && n <= 16 && arg[n - 8] == ':' && arg[n - 5] == ':') {
		size_t dl = n - 8;

		if (hexn(arg, (int)dl, &out->domain) < 0)
			return bad(arg, "domain must be 4 to 8 hex digits");
		if (hexn(arg + dl + 1, 2, &out->bus) < 0)
			return bad(arg, "bus must be 2 hex digits");
		return parse_dev_fn(arg, arg + dl + 4, out);
	}
	/* BB:DD.F */
	if (n == 7 && arg[2] == ':' && strchr(arg, '.')) {
		if (hexn(arg, 2, &out->bus) < 0)
			return bad(arg, "bus must be 2 hex digits");
		out->short_bdf = true;
		return parse_dev_fn(arg, arg + 3, out);
	}
	/* BB:DD and DDDD:BB:DD: a slot */
	if (n == 5 && arg[2] == ':') {
		out->short_bdf = true;
		return parse_slot(arg, arg, out);
	}
	if (n == 10 && arg[4] == ':' && arg[7] == ':') {
		if (hexn(arg, 4, &out->domain) < 0)
			return bad(arg, "domain must be 4 to 8 hex digits");
		return parse_slot(arg, arg + 5, out);
	}
	/* VVVV:DDDD */
	if (n == 9 && arg[4] == ':') {
		if (hexn(arg, 4, &out->vendor) < 0 || hexn(arg + 5, 4, &out->device) < 0)
			return bad(arg, "vendor:device ids are two groups of 4 hex digits");
		out->kind = PT_DEVARG_IDS;
		return 0;
	}
	if (strchr(arg, '.'))
		return bad(arg, "a PCI address is DDDD:BB:DD.F or BB:DD.F");
	return bad(arg, "vendor:device ids are two groups of 4 hex digits");
}

/* Parsed in full, then handed out as far as the caller's struct reaches. */
int pt_devarg_parse(const char *arg, struct pt_devarg *out)
{
	struct pt_devarg full = PT_DEVARG_INIT;
	int ret = devarg_parse(arg, &full);

	if (ret < 0)
		return ret;
	return pt_write_sized(out, &full, sizeof(full), "pt_devarg_parse: "
			      "struct pt_devarg", "PT_DEVARG_INIT");
}

/* Does d match a selector that can match several (ids, class, slot)? */
static bool matches(const struct pt_device *d, const struct pt_devarg *da)
{
	unsigned int dom, bus, dev, fn;

	switch (da->kind) {
	case PT_DEVARG_IDS:
		return d->vendor_id == da->vendor && d->device_id == da->device;
	case PT_DEVARG_CLASS:
		return !strcmp(pt_device_class_key(d), da->class_key);
	case PT_DEVARG_SLOT:
		return sscanf(d->bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) == 4 &&
		       dom == da->domain && bus == da->bus && dev == da->dev;
	default:
		return false;
	}
}

static int none_match(const char *arg, const struct pt_devarg *da)
{
	switch (da->kind) {
	case PT_DEVARG_IDS:
		return pt_set_error(ENODEV, "unknown device '%s': no PCI device "
				    "has vendor:device %04x:%04x; run `passthru "
				    "list` to see the devices", arg, da->vendor,
				    da->device);
	case PT_DEVARG_CLASS:
		return pt_set_error(ENODEV, "unknown device '%s': no PCI device "
				    "of class %s; run `passthru list` to see the "
				    "devices", arg, da->class_key);
	default:
		return pt_set_error(ENODEV, "unknown device '%s': no PCI device "
				    "in slot %04x:%02x:%02x; run `passthru list` "
				    "to see the devices", arg, da->domain, da->bus,
				    da->dev);
	}
}

/* The devices a multi-device selector matches, in address order (the
 * scan's).  many: a caller that can take several (slots give them all);
 * all: ids and classes give them all too. */
static int select_many(const struct pt_system *sys, const char *arg,
		       const struct pt_devarg *da, bool many, bool all,
		       const struct pt_device **out, int max)
{
	char list[768] = "";
	size_t used = 0;
	int hits = 0;

	for (int i = 0; i < sys->nr_devices; i++) {
		const struct pt_device *d = sys->devices[i];

		if (!matches(d, da))
			continue;
		if (hits < max)
			out[hits] = d;
		if (used < sizeof(list) - 20) {
			int w = snprintf(list + used, sizeof(list) - used, "%s%s",
					 hits ? ", " : "", d->bdf);
			if (w > 0)
				used += (size_t)w;
		}
		hits++;
	}
	if (!hits)
		return none_match(arg, da);
	if (hits == 1 || (many && (all || da->kind == PT_DEVARG_SLOT))) {
		if (hits > max)
			return pt_set_error(ENOSPC, "device '%s' matches %d devices, "
					    "more than %d at once", arg, hits, max);
		return hits;
	}
	return pt_set_error(EEXIST, "ambiguous device '%s': %d devices match "
			    "(%s); give one of them by its PCI address%s",
			    arg, hits, list, many ? ", or all of them with --all" : "");
}

static int resolve(struct pt_ctx *ctx, const char *arg, bool many, bool all,
		   const struct pt_device **out, int max)
{
	const struct pt_system *sys;
	struct pt_devarg da = PT_DEVARG_INIT;
	char bdf[PT_BDF_LEN];
	int ret;

	ret = pt_devarg_parse(arg, &da);
	if (ret < 0)
		return ret;
	ret = pt_scan(ctx, &sys);
	if (ret < 0)
		return ret;
	switch (da.kind) {
	case PT_DEVARG_BDF:
		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", da.domain,
			 da.bus, da.dev, da.func);
		out[0] = pt_find_device(sys, bdf);
		if (!out[0])
			return pt_set_error(ENODEV, "unknown device '%s': no PCI "
					    "device at %s; run `passthru list` "
					    "to see the devices", arg, bdf);
		return 1;
	case PT_DEVARG_IFNAME:
		for (int i = 0; i < sys->nr_devices; i++)
			if (ptd_strv_has(&sys->devices[i]->net, da.ifname)) {
				out[0] = sys->devices[i];
				return 1;
			}
		return pt_set_error(ENODEV, "unknown device '%s': no PCI device "
				    "has a network interface of that name (a "
				    "virtual interface has no PCI device); run "
				    "`passthru list` to see the devices", arg);
	default:
		return select_many(sys, arg, &da, many, all, out, max);
	}
}

int pt_resolve_device(struct pt_ctx *ctx, const char *arg,
		      const struct pt_device **out)
{
	int ret;

	*out = NULL;
	ret = resolve(ctx, arg, false, false, out, 1);
	if (ret < 0)
		*out = NULL;
	return ret < 0 ? ret : 0;
}

int pt_resolve_devices(struct pt_ctx *ctx, const char *arg, unsigned int flags,
		       const struct pt_device **out, int max)
{
	if (max < 1)
		return pt_set_error(EINVAL, "device '%s': no room for a device", arg);
	return resolve(ctx, arg, true, flags & PT_RESOLVE_ALL, out, max);
}
