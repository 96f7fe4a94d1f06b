// SPDX-License-Identifier: MIT
/*
 * fuzz-device-arg.c — the DEVICE argument parser and its resolution.
 * Invariants: an accepted argument (BDF, libvirt name, slot, ids, class,
 * interface) has in-range fields and re-parses to the same thing when
 * printed back; resolution (against this machine's
 * devices, scanned once) never crashes and fails only with the documented
 * errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/passthru.h"

static struct pt_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pt_device *d;
	struct pt_devarg a = PT_DEVARG_INIT, b = PT_DEVARG_INIT;
	char arg[80], back[80];
	int r;

	if (size >= sizeof(arg))
		return 0;
	memcpy(arg, data, size);
	arg[size] = '\0';
	if (!ctx && pt_ctx_new(&ctx, NULL) < 0)
		ctx = NULL;

	if (pt_devarg_parse(arg, &a) < 0) {
		if (!*pt_last_error())
			__builtin_trap();	/* every refusal says why */
		return 0;
	}
	switch (a.kind) {
	case PT_DEVARG_BDF:
		if (a.bus > 0xff || a.dev > 0x1f || a.func > 7)
			__builtin_trap();
		snprintf(back, sizeof(back), "%04x:%02x:%02x.%x", a.domain, a.bus,
			 a.dev, a.func);
		break;
	case PT_DEVARG_IDS:
		if (a.vendor > 0xffff || a.device > 0xffff)
			__builtin_trap();
		snprintf(back, sizeof(back), "%04x:%04x", a.vendor, a.device);
		break;
	case PT_DEVARG_IFNAME:
		if (!a.ifname[0] || strlen(a.ifname) > 15 || strchr(a.ifname, ':') ||
		    strchr(a.ifname, '/'))
			__builtin_trap();
		snprintf(back, sizeof(back), "%s", a.ifname);
		break;
	case PT_DEVARG_SLOT:
		if (a.bus > 0xff || a.dev > 0x1f)
			__builtin_trap();
		snprintf(back, sizeof(back), "%04x:%02x:%02x", a.domain, a.bus, a.dev);
		break;
	case PT_DEVARG_CLASS:
		if (!a.class_key[0] || strlen(a.class_key) >= sizeof(a.class_key))
			__builtin_trap();
		snprintf(back, sizeof(back), "class=%s", a.class_key);
		break;
	default:
		__builtin_trap();
	}
	if (pt_devarg_parse(back, &b) < 0 || b.kind != a.kind ||
	    b.domain != a.domain || b.bus != a.bus || b.dev != a.dev ||
	    b.func != a.func || b.vendor != a.vendor || b.device != a.device ||
	    strcmp(b.ifname, a.ifname) || strcmp(b.class_key, a.class_key))
		__builtin_trap();
	if (ctx) {
		r = pt_resolve_device(ctx, arg, &d);
		if (r == 0 && !d)
			__builtin_trap();
		if (r < 0 && r != -ENODEV && r != -EEXIST)
			__builtin_trap();
		{
			const struct pt_device *v[4];

			r = pt_resolve_devices(ctx, arg, size & 1 ? PT_RESOLVE_ALL : 0, v, 4);
			if (r > 4 || r == 0 || (r > 0 && (!v[0] || !v[r - 1])))
				__builtin_trap();
			if (r < 0 && r != -ENODEV && r != -EEXIST && r != -ENOSPC)
				__builtin_trap();
		}
	}
	return 0;
}
