// SPDX-License-Identifier: MIT
/*
 * passthru check [--json] [--mem SIZE] — host readiness for device
 * assignment: one PASS/WARN/FAIL line per check with the fix.  Exit 0 when
 * nothing FAILs (warnings are advice), 1 otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tools/discover.h"

static int cmd_check_main(struct cli *cli, int argc, char **argv);
CLI_COMMAND(check, cmd_check_main, "check that this host can assign devices (IOMMU, VFIO, KVM, limits)",
	   "check [--json] [--mem SIZE]   (SIZE: guest memory to pin, e.g. 4G; default 1G)");

static const char *status_color(enum pt_check_status s)
{
	return s == PT_CHECK_PASS ? "green" : s == PT_CHECK_WARN ? "yellow" : "red";
}

static int cmd_check_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "mem", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("check");
	struct pt_check res[PT_CHECK_MAX];
	struct pt_check_opts o = { 0 };
	struct pt_ctx *ctx;
	bool json = false;
	int c, n, fails = 0, warns = 0, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "jm:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'm':
			if (pt_parse_size(optarg, &o.guest_mem) < 0)
				return cli_usage_error(self, "--mem: %s", pt_last_error());
			if (!o.guest_mem)
				return cli_usage_error(self, "--mem: size must not be 0");
			o.guest_mem_given = true;
			break;
		default:
			return cli_help_or_unknown(self, c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	ret = cli_open(cli, &ctx, NULL);
	if (ret)
		return ret;
	n = pt_host_check(ctx, &o, res, PT_CHECK_MAX);
	if (n < 0) {
		cli_err("%s", pt_last_error());
		pt_ctx_free(ctx);
		/* -EINVAL: a tree that is not what a snapshot writes */
		return n == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
	}
	for (int i = 0; i < n; i++) {
		fails += res[i].status == PT_CHECK_FAIL;
		warns += res[i].status == PT_CHECK_WARN;
	}
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_arr_begin(&j, "checks");
		for (int i = 0; i < n; i++) {
			json_obj_begin(&j, NULL);
			json_str(&j, "name", res[i].name);
			json_str(&j, "status", pt_check_status_name(res[i].status));
			json_str(&j, "detail", res[i].detail);
			json_str(&j, "fix", res[i].fix[0] ? res[i].fix : NULL);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_int(&j, "failed", fails);
		json_int(&j, "warnings", warns);
		json_bool(&j, "ok", !fails);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		for (int i = 0; i < n; i++) {
			printf("%s%-4s%s  %-20s %s\n", cli_color(cli, status_color(res[i].status)),
			       pt_check_status_name(res[i].status), cli_color(cli, "reset"),
			       res[i].name, res[i].detail);
			if (res[i].status != PT_CHECK_PASS && res[i].fix[0])
				printf("%-26s%sfix:%s %s\n", "", cli_color(cli, "dim"),
				       cli_color(cli, "reset"), res[i].fix);
		}
		printf("\n%d check%s: %d passed, %d warning%s, %d failed\n", n,
		       n == 1 ? "" : "s", n - fails - warns, warns, warns == 1 ? "" : "s",
		       fails);
	}
	pt_ctx_free(ctx);
	return fails ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
