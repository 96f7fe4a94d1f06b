// SPDX-License-Identifier: MIT
/* fuzz-limits.c — the limits.conf reader of `check --user` (lib/limits.c):
 * a captured tree's etc/security files are untrusted input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/limits-priv.h"

static bool in_kvm(const char *user, const char *group, void *priv)
{
	return !strcmp(group, "kvm");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const users[] = { "alice", "root", "bob", "" };
	struct ptd_user_limit lim;
	const char *user;
	int best = PTD_RANK_NONE;

	if (!size)
		return 0;
	user = users[data[0] % 4];
	memset(&lim, 0, sizeof(lim));
	ptd_limits_parse((const char *)data + 1, size - 1, "etc/security/limits.conf", user,
			 in_kvm, NULL, &lim, &best);
	if (best < PTD_RANK_NONE || best > PTD_RANK_USER)
		__builtin_trap();
	if (best != PTD_RANK_NONE) {
		/* a line was taken: it is named, and its value is whole KiB */
		if (strncmp(lim.source, "/etc/security/limits.conf line ", 31))
			__builtin_trap();
		if (!lim.unlimited && lim.bytes % 1024)
			__builtin_trap();
		/* wildcard and group lines never apply to root */
		if (!strcmp(user, "root") && best != PTD_RANK_USER)
			__builtin_trap();
	}
	return 0;
}
