// SPDX-License-Identifier: MIT
/*
 * devarg.c — the DEVICE argument of `passthru show/assign/...`:
 *   "0000:01:00.0"  full BDF          "01:00.0"  BDF in domain 0000
 *   "8086:10d3"     vendor:device ids (must match exactly one device)
 *   "eth0"          a network interface name
 * Parsing is pure (pt_devarg_parse, fuzzed); resolution looks the result up
 * in the scan and says precisely why it failed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/disc-priv.h"

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
	return pt_set_error(EINVAL, "malformed device '%s': %s; give a PCI "
			    "address (0000:01:00.0 or 01:00.0), vendor:device "
			    "ids (8086:10d3) or an interface name (eth0)",
			    arg, why);
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

int pt_devarg_parse(const char *arg, struct pt_devarg *out)
{
	size_t n;
	const char *colon;

	memset(out, 0, sizeof(*out));
	if (!arg || !*arg)
		return pt_set_error(EINVAL, "malformed device '': empty; give a "
				    "PCI address (0000:01:00.0 or 01:00.0), "
				    "vendor:device ids (8086:10d3) or an "
				    "interface name (eth0)");
	n = strlen(arg);
	if (n > 64)
		return bad("(too long)", "more than 64 characters");
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

static int resolve_ids(const struct pt_system *sys, const char *arg,
		       const struct pt_devarg *da, const struct pt_device **out)
{
	char list[768] = "";
	size_t used = 0;
	int hits = 0;

	for (int i = 0; i < sys->nr_devices; i++) {
		const struct pt_device *d = &sys->devices[i];

		if (d->vendor_id != da->vendor || d->device_id != da->device)
			continue;
		if (!hits)
			*out = d;
		if (used < sizeof(list) - 20) {
			int w = snprintf(list + used, sizeof(list) - used, "%s%s",
					 hits ? ", " : "", d->bdf);
			if (w > 0)
				used += (size_t)w;
		}
		hits++;
	}
	if (hits == 1)
		return 0;
	*out = NULL;
	if (!hits)
		return pt_set_error(ENODEV, "unknown device '%s': no PCI device "
				    "has vendor:device %04x:%04x; run `passthru "
				    "list` to see the devices", arg, da->vendor,
				    da->device);
	return pt_set_error(EEXIST, "ambiguous device '%s': %d devices match "
			    "(%s); give one of them by its PCI address",
			    arg, hits, list);
}

int pt_resolve_device(struct pt_ctx *ctx, const char *arg,
		      const struct pt_device **out)
{
	const struct pt_system *sys;
	struct pt_devarg da;
	char bdf[PT_BDF_LEN];
	int ret;

	*out = NULL;
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
		*out = pt_find_device(sys, bdf);
		if (!*out)
			return pt_set_error(ENODEV, "unknown device '%s': no PCI "
					    "device at %s; run `passthru list` "
					    "to see the devices", arg, bdf);
		return 0;
	case PT_DEVARG_IDS:
		return resolve_ids(sys, arg, &da, out);
	case PT_DEVARG_IFNAME:
		for (int i = 0; i < sys->nr_devices; i++)
			if (ptd_strv_has(&sys->devices[i].net, da.ifname)) {
				*out = &sys->devices[i];
				return 0;
			}
		return pt_set_error(ENODEV, "unknown device '%s': no PCI device "
				    "has a network interface of that name (a "
				    "virtual interface has no PCI device); run "
				    "`passthru list` to see the devices", arg);
	}
	return pt_set_error(EINVAL, "malformed device '%s'", arg);
}
