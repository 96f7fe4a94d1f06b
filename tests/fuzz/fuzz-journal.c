// SPDX-License-Identifier: MIT
/* fuzz-journal.c — the assign journal parser (read back after a crash). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/passthru.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pt_bind_plan p;
	enum pt_journal_state st;

	if (!pt_journal_parse((const char *)data, size, &p, &st)) {
		if (p.nr <= 0 || p.nr > PT_BIND_MAX || p.group < 0)
			__builtin_trap();
		for (int i = 0; i < p.nr; i++)
			if (strlen(p.m[i].bdf) >= PT_BDF_LEN)
				__builtin_trap();
	}
	return 0;
}
