// SPDX-License-Identifier: MIT
/*
 * vmm/io.c — PIO and MMIO exit dispatch.
 *
 * Like kvmtool's kvm__register_mmio/ioport, but a fixed-size table per bus
 * (VMM_IO_MAX_RANGES), kept sorted and free of overlaps, searched by
 * bisection.  An access is dispatched only when it lies entirely inside one
 * range, so a handler never sees an offset+length past its own end; an
 * access straddling two ranges or none is "unhandled" (-ENOENT).
 */
#include <errno.h>
#include <string.h>

#include "lib/passthru.h"
#include "vmm/vmm.h"

int vmm_io_register(struct vmm_io_bus *bus, uint64_t base, uint64_t len,
		    vmm_io_fn fn, void *opaque, const char *name)
{
	int i;

	if (!len || base + len < base || !fn)
		return pt_set_error(EINVAL, "vmm: bad %s range 0x%llx+0x%llx for %s",
				    bus->name, (unsigned long long)base,
				    (unsigned long long)len, name);
	if (bus->nr >= VMM_IO_MAX_RANGES)
		return pt_set_error(ENOSPC, "vmm: %s table full (%d ranges) adding %s",
				    bus->name, VMM_IO_MAX_RANGES, name);
	for (i = 0; i < bus->nr; i++) {
		struct vmm_io_range *r = &bus->r[i];

		if (base < r->base + r->len && r->base < base + len)
			return pt_set_error(EEXIST, "vmm: %s range 0x%llx+0x%llx of %s "
					    "overlaps %s", bus->name,
					    (unsigned long long)base,
					    (unsigned long long)len, name, r->name);
		if (r->base > base)
			break;
	}
	memmove(&bus->r[i + 1], &bus->r[i], (bus->nr - i) * sizeof(bus->r[0]));
	bus->r[i] = (struct vmm_io_range){ base, len, fn, opaque, name };
	bus->nr++;
	return 0;
}

int vmm_io_unregister(struct vmm_io_bus *bus, uint64_t base)
{
	for (int i = 0; i < bus->nr; i++) {
		if (bus->r[i].base != base)
			continue;
		memmove(&bus->r[i], &bus->r[i + 1], (bus->nr - i - 1) * sizeof(bus->r[0]));
		bus->nr--;
		return 0;
	}
	return -ENOENT;
}

const struct vmm_io_range *vmm_io_find(const struct vmm_io_bus *bus,
				       uint64_t addr, uint32_t len)
{
	int lo = 0, hi = bus->nr - 1;

	if (!len || addr + len < addr)
		return NULL;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		const struct vmm_io_range *r = &bus->r[mid];

		if (addr < r->base) {
			hi = mid - 1;
		} else if (addr - r->base >= r->len) {
			lo = mid + 1;
		} else {
			/* addr is inside r: the whole access must be too */
			if (len > r->len - (addr - r->base))
				return NULL;
			return r;
		}
	}
	return NULL;
}

int vmm_io_dispatch(struct vmm *vm, struct vmm_io_bus *bus, uint64_t addr,
		    uint8_t *data, uint32_t len, bool is_write)
{
	const struct vmm_io_range *r = vmm_io_find(bus, addr, len);

	if (!r)
		return -ENOENT;
	return r->fn(vm, r->opaque, addr - r->base, data, len, is_write);
}
