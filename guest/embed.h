/* SPDX-License-Identifier: MIT */
/* guest/embed.h — the guest programs built into the passthru command. */
#ifndef PASSTHRU_GUEST_EMBED_H
#define PASSTHRU_GUEST_EMBED_H

#include <stddef.h>
#include <stdint.h>

struct guest_prog {
	const char *name;
	const char *summary;
	const uint8_t *start, *end;
	int needs;		/* 0: no device; else what the program drives */
};

enum { GUEST_NEEDS_NONE, GUEST_NEEDS_EDU, GUEST_NEEDS_NIC, GUEST_NEEDS_MEMBAR, GUEST_NEEDS_NVME };

extern const struct guest_prog guest_progs[];
const struct guest_prog *guest_prog_find(const char *name);

#endif
