// SPDX-License-Identifier: MIT
/*
 * passthru check [--json] [--mem SIZE] [--user NAME] — host readiness for
 * device assignment: one PASS/WARN/FAIL line per check with the fix.  Exit
 * 0 when nothing FAILs (warnings are advice), 1 otherwise.  Locked memory
 * is judged for the user who will run the VM: --user, else the user who
 * ran sudo (SUDO_USER), else this process.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/discover.h"

static int cmd_check_main(struct cli *cli, int argc, char **argv);
CLI_COMMAND(check, cmd_check_main, "check that this host can assign devices (IOMMU, VFIO, KVM, limits)",
	   "check [--json] [--mem SIZE] [--user NAME]\n"
	   "SIZE: guest memory to pin, e.g. 4G (default 1G).  NAME: the user who will\n"
	   "run the VM, whose locked-memory limit is judged (default: SUDO_USER under\n"
	   "sudo, else the caller).");

static const char *status_color(enum pt_check_status s)
{
	return s == PT_CHECK_PASS ? "green" : s == PT_CHECK_WARN ? "yellow" : "red";
}

/* Whose memlock counts: --user (a user this machine knows), else the
 * user behind sudo; the caller's own limit otherwise (o->user NULL). */
static int vm_user(const struct cli *cli, const struct cli_command *self,
		   struct pt_check_opts *o)
{
	const char *sudo = getenv("SUDO_USER");

	if (!o->user && getuid() == 0 && sudo && *sudo && strcmp(sudo, "root"))
		o->user = sudo;
	if (!o->user)
		return 0;
	if (!*o->user || strlen(o->user) > 32 || strchr(o->user, '/'))
		return cli_usage_error(self, "--user: '%s' is not a user name", o->user);
	/* a captured tree's users are not this machine's */
	if (!cli->root && !getpwnam(o->user))
		return cli_usage_error(self, "--user: no user '%s' on this machine", o->user);
	return 0;
}

static void print_json(const struct pt_checks *res, int fails, int warns)
{
	struct json j;

	cli_json_start(&j);
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "checks");
	for (int i = 0; i < pt_checks_count(res); i++) {
		const struct pt_check *k = pt_checks_at(res, i);

		json_obj_begin(&j, NULL);
		json_str(&j, "name", k->name);
		json_str(&j, "status", pt_check_status_name(k->status));
		json_str(&j, "detail", k->detail);
		json_str(&j, "fix", k->fix[0] ? k->fix : NULL);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_int(&j, "failed", fails);
	json_int(&j, "warnings", warns);
	json_bool(&j, "ok", !fails);
	json_obj_end(&j);
	json_finish(&j);
}

static void print_text(const struct cli *cli, const struct pt_checks *res,
		       int fails, int warns)
{
	int n = pt_checks_count(res);

	for (int i = 0; i < n; i++) {
		const struct pt_check *k = pt_checks_at(res, i);

		printf("%s%-4s%s  %-20s %s\n", cli_color(cli, status_color(k->status)),
		       pt_check_status_name(k->status), cli_color(cli, "reset"),
		       k->name, k->detail);
		if (k->status != PT_CHECK_PASS && k->fix[0])
			printf("%-26s%sfix:%s %s\n", "", cli_color(cli, "dim"),
			       cli_color(cli, "reset"), k->fix);
	}
	printf("\n%d check%s: %d passed, %d warning%s, %d failed\n", n,
	       n == 1 ? "" : "s", n - fails - warns, warns, warns == 1 ? "" : "s",
	       fails);
}

static int cmd_check_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "mem", required_argument, NULL, 'm' },
		{ "user", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("check");
	struct pt_check_opts o = PT_CHECK_OPTS_INIT;
	struct pt_checks *res;
	struct pt_ctx *ctx;
	bool json = cli->json;
	int c, n, fails = 0, warns = 0, ret;

	while ((c = cli_getopt(cli, self, argc, argv, "jm:", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'm':
			if (pt_parse_size(optarg, &o.guest_mem) < 0)
				return cli_usage_error(self, "--mem: %s", pt_last_error());
			if (!o.guest_mem)
				return cli_usage_error(self, "--mem: size must not be 0");
			o.guest_mem_given = true;
			break;
		case 'u':
			o.user = optarg;
			break;
		default:
			return CLI_EXIT_USAGE;	/* cli_getopt() named it */
		}
	}
	if (optind < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	ret = vm_user(cli, self, &o);
	if (ret)
		return ret;
	ret = cli_open(cli, &ctx, NULL);
	if (ret)
		return ret;
	n = pt_host_check(ctx, &o, &res);
	if (n < 0) {
		cli_err("%s", pt_last_error());
		pt_ctx_free(ctx);
		/* -EINVAL: a tree that is not what a snapshot writes */
		return n == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
	}
	for (int i = 0; i < n; i++) {
		fails += pt_checks_at(res, i)->status == PT_CHECK_FAIL;
		warns += pt_checks_at(res, i)->status == PT_CHECK_WARN;
	}
	if (json)
		print_json(res, fails, warns);
	else
		print_text(cli, res, fails, warns);
	pt_checks_free(res);
	pt_ctx_free(ctx);
	return fails ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
