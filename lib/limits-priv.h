/* SPDX-License-Identifier: MIT */
/*
 * limits-priv.h — another user's locked-memory limit from pam_limits'
 * files (lib/limits.c), for `passthru check --user`.  Not installed.
 */
#ifndef PASSTHRU_LIMITS_PRIV_H
#define PASSTHRU_LIMITS_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct pt_ctx;

struct ptd_user_limit {
	bool unlimited;
	uint64_t bytes;			/* the soft limit */
	char source[PATH_MAX + 32];	/* "/etc/security/limits.d/x.conf line 2" */
};

enum { PTD_RANK_NONE, PTD_RANK_WILDCARD, PTD_RANK_GROUP, PTD_RANK_USER };

/* 0 with *lim filled from the line that applies to user, -ENOENT when no
 * line does (the user then gets the system's default). */
int ptd_user_memlock(struct pt_ctx *ctx, const char *user, struct ptd_user_limit *lim);

/* One file's lines (buf, len: any bytes), named name in lim->source: a
 * memlock line for user whose domain ranks at least *best replaces *lim
 * and raises *best.  member() says whether user is in a group.  Returns
 * *best.  Pure (tests/fuzz/fuzz-limits.c). */
int ptd_limits_parse(const char *buf, size_t len, const char *name, const char *user,
		     bool (*member)(const char *user, const char *group, void *priv),
		     void *priv, struct ptd_user_limit *lim, int *best);

#endif
