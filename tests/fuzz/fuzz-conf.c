// SPDX-License-Identifier: MIT
/* fuzz-conf.c — /etc/passthru.conf parser (runs at boot from udev/systemd). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/passthru.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pt_conf c;

	if (!pt_conf_parse((const char *)data, size, &c)) {
		/* every accepted entry is well-formed */
		for (int i = 0; i < c.nr; i++) {
			if (c.e[i].bdf[0] && strlen(c.e[i].bdf) != 12)
				__builtin_trap();
			if (strlen(c.e[i].user) >= PT_CONF_NAME_LEN)
				__builtin_trap();
			pt_conf_match(&c, c.e[i].bdf, c.e[i].vendor, c.e[i].device);
		}
	}
	return 0;
}
