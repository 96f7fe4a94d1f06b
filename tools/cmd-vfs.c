// SPDX-License-Identifier: MIT
/*
 * cmd-vfs.c — `passthru vfs DEVICE N`: create N SR-IOV virtual functions on
 * a physical function (sriov_numvfs), so VFs can be assigned one by one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bindcli.h"

static const struct cli_command *self(void)
{
	return cli_command_find("vfs");
}

static int cmd_vfs_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pt_system *sys;
	const struct pt_device *d;
	char bdf[PT_BDF_LEN];
	struct pt_binder *b = NULL;
	struct pt_ctx *ctx = NULL;
	bool dry_run = false;
	unsigned long n;
	int c, ret;
	char *end;

	while ((c = getopt_long(argc, argv, "nh", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry_run = true; break;
		case 'h':
			printf("usage: passthru %s\n", self()->usage);
			return CLI_EXIT_OK;
		default:
			return cli_usage_error(self(), "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(self(), "want DEVICE and a VF count");
	errno = 0;
	n = strtoul(argv[optind + 1], &end, 10);
	if (errno || *end || !*argv[optind + 1] || argv[optind + 1][0] == '-' ||
	    n > 65535)
		return cli_usage_error(self(), "'%s' is not a VF count (0..65535)",
				      argv[optind + 1]);
	if (cli->root && !dry_run)
		return cli_usage_error(self(), "--root %s is a captured tree: only "
				      "--dry-run can run against it", cli->root);
	ret = CLI_EXIT_USAGE;
	if (pt_ctx_new(&ctx, cli->root) || pt_scan(ctx, &sys) ||
	    pt_resolve_device(ctx, argv[optind], &d))
		goto err;
	if (d->sriov_totalvfs < 0) {
		pt_set_error(ENODEV, "%s is not an SR-IOV physical function; fix: "
			     "pick the PF (`passthru list` shows sriov_totalvfs)", d->bdf);
		goto err;
	}
	if (n > (unsigned long)d->sriov_totalvfs) {
		pt_set_error(EINVAL, "%s supports at most %d VFs, not %lu", d->bdf,
			     d->sriov_totalvfs, n);
		goto err;
	}
	if (pt_binder_new(&b, cli->root, dry_run ? PT_BINDER_DRY_RUN : 0))
		goto err;
	ret = CLI_EXIT_FAIL;
	if (pt_bind_set_numvfs(b, d->bdf, (unsigned int)n))
		goto err;
	printf("%s: %s%lu VFs (was %d, at most %d)\n", d->bdf,
	       dry_run ? "would set " : "", n, d->sriov_numvfs, d->sriov_totalvfs);
	if (!dry_run && n) {
		const struct pt_system *now;
		const struct pt_device *pf;

		/* list the new VFs so the user can assign them one by one */
		snprintf(bdf, sizeof(bdf), "%s", d->bdf);
		pt_ctx_free(ctx);
		ctx = NULL;
		if (!pt_ctx_new(&ctx, cli->root) && !pt_scan(ctx, &now) &&
		    (pf = pt_find_device(now, bdf)))
			for (int i = 0; i < pf->vfs.n; i++)
				printf("  VF %d: %s\n", i, pf->vfs.v[i]);
	}
	pt_binder_free(b);
	pt_ctx_free(ctx);
	return CLI_EXIT_OK;
err:
	cli_err("%s", pt_last_error());
	pt_binder_free(b);
	pt_ctx_free(ctx);
	return ret;
}

CLI_COMMAND(vfs, cmd_vfs_main, "create N SR-IOV virtual functions on a PF",
	   "vfs DEVICE N [--dry-run]\n"
	   "Sets sriov_numvfs of the physical function DEVICE to N (through 0 when\n"
	   "it already has VFs); 0 removes them.  The PF must stay on its own driver.")
