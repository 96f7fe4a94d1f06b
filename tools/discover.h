/* SPDX-License-Identifier: MIT */
/*
 * discover.h — what the discovery commands (list, show, check, snapshot)
 * share: opening the context for --root and printing devices/groups as
 * JSON in the documented schema (README "JSON output").
 */
#ifndef PASSTHRU_TOOLS_DISCOVER_H
#define PASSTHRU_TOOLS_DISCOVER_H

#include "lib/passthru.h"
#include "tools/cli.h"
#include "lib/json.h"

/* Opens the context (and scans when sys != NULL).  On failure prints
 * pt_last_error() and returns the exit status to use (2: bad --root or an
 * unreadable tree); 0 on success. */
int cli_open(const struct cli *cli, struct pt_ctx **ctx,
		const struct pt_system **sys);

void cli_json_device(struct json *j, const char *key, const struct pt_device *d);
void cli_json_group(struct json *j, const char *key, const struct pt_group *g);
void cli_json_strv(struct json *j, const char *key, const struct pt_strv *sv);
void cli_json_blockers(struct json *j, const char *key,
		       const struct pt_blockers *bv);

/* "1af4:1042" etc. */
const char *cli_dev_ids(const struct pt_device *d, char *buf, size_t n);
/* "Red Hat, Inc. Virtio 1.0 block device" or the ids when unnamed. */
const char *cli_dev_label(const struct pt_device *d, char *buf, size_t n);

#endif
