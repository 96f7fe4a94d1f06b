// SPDX-License-Identifier: MIT
/*
 * clijson.c — `--json` for every command: each document the tool prints
 * starts with its schema version, and a failure that printed none is a
 * JSON document on stdout too, so a `| jq` pipeline always gets one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/json.h"
#include "tools/cli.h"

static struct {
	bool printed;		/* a document went out */
	char message[1024];	/* the first error reported */
	char device[256];
} out;

void cli_json_start(struct json *j)
{
	json_init(j, stdout);
	json_version(j, CLI_JSON_VERSION);
	out.printed = true;
}

void cli_json_printed(void)
{
	out.printed = true;
}

void cli_error_device(const char *device)
{
	if (!out.device[0] && device)
		snprintf(out.device, sizeof(out.device), "%s", device);
}

void cli_note_error(const char *fmt, va_list ap)
{
	if (!out.message[0])
		vsnprintf(out.message, sizeof(out.message), fmt, ap);
}

int cli_finish(const struct cli *cli, int status)
{
	struct json j;

	if (!cli->json || status == CLI_EXIT_OK || out.printed)
		return status;
	cli_json_start(&j);
	json_obj_begin(&j, NULL);
	json_obj_begin(&j, "error");
	if (out.message[0])
		json_str(&j, "message", out.message);
	else
		json_strf(&j, "message", "failed with exit status %d", status);
	json_str(&j, "device", out.device[0] ? out.device : NULL);
	json_obj_end(&j);
	json_int(&j, "exit", status);
	json_obj_end(&j);
	json_finish(&j);
	return status;
}

void cli_exit(const struct cli *cli, int status)
{
	exit(cli_finish(cli, status));
}
