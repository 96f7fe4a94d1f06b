// SPDX-License-Identifier: MIT
/*
 * cmd-release.c — `passthru release`: give IOMMU groups back to the drivers
 * they had before `assign` (from the journal), or to the kernel's default
 * driver when no journal exists; `--recover` undoes runs that died half-way.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bindcli.h"

static const struct cli_command *self(void)
{
	return cli_command_find("release");
}

static int cmd_release_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		BC_LONG_OPTS,
		{ "persist", no_argument, NULL, 'p' },
		{ "recover", no_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = NULL;
	bool recover = false;
	struct bc_run r;
	int c, ret;

	bc_init(&r, "release", cli);
	while ((c = cli_getopt(cli, self(), argc, argv, "nfj", opts)) != -1) {
		switch (c) {
		case 'R': recover = true; break;
		case 'c': conf_path = optarg; break;
		default:
			ret = bc_option(&r, self(), c, optarg);
			if (ret != BC_OPT_NEXT)
				return ret;
		}
	}
	argc -= optind;
	argv += optind;
	if (recover == (argc > 0))
		return cli_usage_error(self(), recover ? "--recover takes no DEVICE" :
				      "no DEVICE given");
	ret = bc_check_root(&r, self()) ?:
	      bc_open(&r, recover ? PT_TXN_RECOVER : PT_TXN_RELEASE);
	if (ret)
		return ret;
	if (conf_path)
		pt_txn_set_conf_path(r.txn, conf_path);
	ret = recover ? 0 : bc_add_devices(&r, argv, argc);
	if (!ret) {
		ret = bc_apply(&r);
		bc_report(&r);
	}
	bc_close(&r);
	return ret;
}

CLI_COMMAND(release, cmd_release_main,
	   "give devices' IOMMU groups back to their original drivers",
	   "release DEVICE... [--all] [--dry-run] [--force] [--persist] [--json] [--timeout TIME]\n"
	   "                        [--lock-timeout TIME] [--config FILE]\n"
	   "       passthru release --recover [--force] [--json]\n"
	   "DEVICE: as `passthru help assign` (--all: every device ids or a class match).\n"
	   "Each member goes back to the driver the journal recorded at assign time,\n"
	   "or to the kernel's default driver when there is no journal; driver_override\n"
	   "is restored (normally cleared).  --persist also removes the devices from\n"
	   "/etc/passthru.conf (or --config FILE), their udev test files and each\n"
	   "softdep no persisted device needs any more.  --recover undoes every\n"
	   "assign/release that died half-way (assign and release undo only those\n"
	   "of the groups they name).\n"
	   "A group whose /dev/vfio node is open (a running VM) is refused, and not\n"
	   "recovered, unless --force.\n"
	   "Exit: 0 done, 1 refused or failed (journal kept), 2 bad input.")
