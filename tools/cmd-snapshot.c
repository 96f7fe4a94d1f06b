// SPDX-License-Identifier: MIT
/*
 * passthru snapshot -o FILE.tar — capture what discovery reads (the paths
 * of tests/fixtures/TREE.md) for a bug report or a test.  Replay it with
 *	mkdir t && tar -xf FILE.tar -C t && passthru --root t list
 * With --root, snapshots a tree (a copy limited to the contract's paths).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "tools/discover.h"

static int cmd_snapshot_main(struct cli *cli, int argc, char **argv);
CLI_COMMAND(snapshot, cmd_snapshot_main,
	   "capture the sysfs/procfs state discovery reads into a tar (replay with --root)",
	   "snapshot -o FILE.tar [--json]");

static int cmd_snapshot_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("snapshot");
	const char *out = NULL;
	struct pt_ctx *ctx;
	int c, ret;

	while ((c = cli_getopt(cli, self, argc, argv, "o:", opts)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		default: return CLI_EXIT_USAGE;	/* cli_getopt() named it */
		}
	}
	if (optind < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	if (!out || !*out)
		return cli_usage_error(self, "missing -o FILE.tar");
	if (!cli->root && geteuid() != 0)
		cli_warn("not running as root: the kernel shows other users only "
			"64 bytes of each config space (no capabilities) and hides "
			"some attributes; run as root for a complete snapshot");
	ret = cli_open(cli, &ctx, NULL);
	if (ret)
		return ret;
	if (pt_snapshot_tar(ctx, out) < 0) {
		cli_err("%s", pt_last_error());
		pt_ctx_free(ctx);
		return CLI_EXIT_FAIL;
	}
	pt_ctx_free(ctx);
	if (cli->json) {
		struct json j;

		cli_json_start(&j);
		json_obj_begin(&j, NULL);
		json_str(&j, "command", "snapshot");
		json_str(&j, "output", out);
		json_str(&j, "root", cli->root);
		json_obj_end(&j);
		json_finish(&j);
		return CLI_EXIT_OK;
	}
	fprintf(stderr, "passthru: snapshot written to %s; replay with: mkdir DIR && "
		"tar -xf %s -C DIR && passthru --root DIR list\n", out, out);
	return CLI_EXIT_OK;
}
