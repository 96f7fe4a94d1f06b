// SPDX-License-Identifier: MIT
/* fuzz-conf.c — /etc/passthru.conf parser (runs at boot from udev/systemd). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/passthru.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_conf *c;

	if (pt_conf_from_text((const char *)data, size, &c))
		return 0;
	/* every accepted entry is well-formed */
	for (int i = 0; i < pt_conf_count(c); i++) {
		const struct pt_conf_entry *e = pt_conf_entry(c, i);

		if (!e || (e->bdf[0] && strlen(e->bdf) != 12))
			__builtin_trap();
		if (e->user[0] && !pt_conf_name_ok(e->user))
			__builtin_trap();
		pt_conf_match(c, e->bdf, e->vendor, e->device);
	}
	pt_conf_free(c);
	return 0;
}
