// SPDX-License-Identifier: MIT
/*
 * cmd-vfs.c — `passthru vfs DEVICE N`: create N SR-IOV virtual functions on
 * a physical function (sriov_numvfs), so VFs can be assigned one by one.
 *
 * The library's transaction (PT_TXN_SET_VFS) locks the PF's and the VFs'
 * groups and refuses, without --force, to destroy VFs that are in use (on
 * vfio-pci, their VFIO node open, or held by the host); this file prints
 * what it found.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "tools/bindcli.h"

static const struct cli_command *self(void)
{
	return cli_command_find("vfs");
}

static int parse_count(const char *arg, unsigned int *n)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || !*arg || arg[0] == '-' || v > 65535)
		return cli_usage_error(self(), "'%s' is not a VF count (0..65535)", arg);
	*n = (unsigned int)v;
	return 0;
}

/* The reasons the VFs are in use, then the verdict; the exit status. */
static int report_in_use(struct bc_run *r, const struct pt_txn_vfs *v, int ret)
{
	for (int i = 0; i < v->in_use.n; i++)
		cli_err("%s: VF in use: %s", v->pf, v->in_use.v[i]);
	if (ret)
		return bc_fail(r, ret == -EBUSY ? CLI_EXIT_FAIL : CLI_EXIT_USAGE);
	if (v->in_use.n)
		cli_err("%s: --force: destroying VFs that are in use", v->pf);
	return CLI_EXIT_OK;
}

static void print_json(const struct bc_run *r, const struct pt_txn_vfs *v)
{
	struct json j;

	cli_json_start(&j);
	json_obj_begin(&j, NULL);
	json_str(&j, "command", "vfs");
	json_bool(&j, "dry_run", r->dry_run);
	json_bool(&j, "force", r->force);
	json_str(&j, "pf", v->pf);
	json_int(&j, "before", v->before);
	json_int(&j, "after", v->after);
	json_int(&j, "total", v->total);
	json_arr_begin(&j, "vfs");
	for (int i = 0; i < v->vfs.n; i++)
		json_str(&j, NULL, v->vfs.v[i]);
	json_arr_end(&j);
	json_arr_begin(&j, "in_use");
	for (int i = 0; i < v->in_use.n; i++)
		json_str(&j, NULL, v->in_use.v[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

static int cmd_vfs_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "lock-timeout", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pt_txn_vfs *v;
	struct bc_run r;
	unsigned int n = 0;
	int c, ret;

	bc_init(&r, "vfs", cli);
	while ((c = cli_getopt(cli, self(), argc, argv, "nf", opts)) != -1) {
		ret = bc_option(&r, self(), c, optarg);
		if (ret != BC_OPT_NEXT)
			return ret;
	}
	if (argc - optind != 2)
		return cli_usage_error(self(), "want DEVICE and a VF count");
	cli_error_device(argv[optind]);
	if (parse_count(argv[optind + 1], &n))
		return CLI_EXIT_USAGE;
	if (cli->root && !r.dry_run)
		return cli_usage_error(self(), "--root %s is a captured tree: only "
				      "--dry-run can run against it", cli->root);
	ret = bc_open(&r, PT_TXN_SET_VFS);
	if (ret)
		return ret;
	if (pt_txn_set_vfs(r.txn, argv[optind], n, NULL)) {
		ret = bc_fail(&r, CLI_EXIT_USAGE);
		goto out;
	}
	ret = pt_txn_plan(r.txn);
	v = pt_txn_vfs(r.txn);
	ret = report_in_use(&r, v, ret);
	if (ret)
		goto out;
	if (pt_txn_apply(r.txn)) {
		ret = bc_fail(&r, CLI_EXIT_FAIL);
		goto out;
	}
	if (r.json) {
		print_json(&r, v);
		goto out;
	}
	printf("%s: %s%d VFs (was %d, at most %d)\n", v->pf,
	       r.dry_run ? "would set " : "", v->after, v->before, v->total);
	for (int i = 0; i < v->vfs.n; i++)
		printf("  VF %d: %s\n", i, v->vfs.v[i]);
out:
	bc_close(&r);
	return ret;
}

CLI_COMMAND(vfs, cmd_vfs_main, "create N SR-IOV virtual functions on a PF",
	   "vfs DEVICE N [--dry-run] [--force] [--lock-timeout TIME] [--json]\n"
	   "Sets sriov_numvfs of the physical function DEVICE to N (through 0 when\n"
	   "it already has VFs); 0 removes them.  The PF must stay on its own driver.\n"
	   "Refused without --force when a VF that would vanish is in use (on\n"
	   "vfio-pci, its VFIO node open, or held by the host).  TIME: seconds, or\n"
	   "with a unit: 500ms, 2s, 1m.")
