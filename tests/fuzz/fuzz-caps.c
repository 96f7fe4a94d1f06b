// SPDX-License-Identifier: MIT
/*
 * fuzz-caps.c — the capability walker/decoder on an arbitrary config space
 * (up to 4 KiB; the device is untrusted).  libpci walks the lists, we
 * decode; ASan catches any read outside the buffer, and the invariants
 * below catch a decode of a capability that does not fit.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/passthru.h"

static struct pt_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_caps c = PT_CAPS_INIT;
	uint8_t *cfg;

	if (size < 64 || size > 4096)
		return 0;
	if (!ctx && pt_ctx_new(&ctx, NULL) < 0)
		abort();
	/* an exact-size copy, so ASan sees any read past the real length */
	cfg = malloc(size);
	memcpy(cfg, data, size);
	if (pt_caps_decode(ctx, cfg, size, &c) < 0)
		__builtin_trap();
	if (c.msi && (c.msi < 0x40 || c.msi + 4u > size || c.msi_vectors < 1 ||
		      c.msi_vectors > 32))
		__builtin_trap();
	if (c.msix && (c.msix < 0x40 || c.msix + 12u > size ||
		       c.msix_vectors < 1 || c.msix_vectors > 2048 ||
		       c.msix_table_bar > 7))
		__builtin_trap();
	if (c.pcie && (c.pcie + 8u > size || c.pcie_type < 0 || c.pcie_type > 15))
		__builtin_trap();
	if (!c.pcie && (c.pcie_type != -1 || c.flr || c.acs || c.sriov || c.ari))
		__builtin_trap();
	if ((c.acs && (c.acs < 0x100 || c.acs + 8u > size)) ||
	    (c.sriov && (c.sriov < 0x100 || c.sriov + 0x10u > size)))
		__builtin_trap();
	free(cfg);
	return 0;
}
