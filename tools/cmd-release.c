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

static void unpersist(struct bc_run *r, struct bc_group *bg, const char *conf_path)
{
	char etc[4096];
	const char *path = conf_path;
	struct pt_conf c;

	if (!path) {
		bc_etc_path(r, etc, sizeof(etc), "etc/passthru.conf");
		path = etc;
	}
	for (int k = 0; k < bg->plan.nr; k++) {
		const char *bdf = bg->plan.m[k].bdf;
		const struct pt_device *d;
		int n;

		if (bg->plan.m[k].action == PT_BIND_BRIDGE)
			continue;
		if (r->dry_run) {
			bc_note(r, "--persist would remove %s from %s", bdf, path);
			continue;
		}
		n = pt_conf_remove(path, bdf);
		if (n < 0 && n != -ENOENT)
			bc_note(r, "%s", pt_last_error());
		else if (n > 0)
			bc_note(r, "%s removed from %s", bdf, path);
		/* an ids line would bring it back at the next boot: say so */
		d = pt_find_device(r->sys, bdf);
		if (d && !pt_conf_load(path, &c)) {
			const struct pt_conf_entry *e =
				pt_conf_match(&c, bdf, d->vendor_id, d->device_id);

			if (e)
				bc_note(r, "%s is still listed by ids on line %d of %s; "
					"edit that line to stop assigning it at boot",
					bdf, e->line, path);
		}
	}
}

static int cmd_release_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "persist", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "recover", no_argument, NULL, 'R' },
		{ "force", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = NULL;
	bool recover = false;
	struct bc_run *r;
	int c, ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return CLI_EXIT_FAIL;
	r->cmd = "release";
	r->cli = cli;
	while ((c = getopt_long(argc, argv, "nfjh", opts, NULL)) != -1) {
		switch (c) {
		case 'R': recover = true; break;
		case 'c': conf_path = optarg; break;
		default:
			ret = bc_option(r, self(), c, optarg);
			if (ret != BC_OPT_NEXT) {
				free(r);
				return ret;
			}
		}
	}
	argc -= optind;
	argv += optind;
	ret = CLI_EXIT_USAGE;
	if (recover == (argc > 0)) {
		cli_usage_error(self(), recover ? "--recover takes no DEVICE" :
			       "no DEVICE given");
		goto out_free;
	}
	if (bc_check_root(r, self()))
		goto out_free;
	ret = bc_open(r);
	if (ret)
		goto out;
	if (recover) {
		ret = CLI_EXIT_OK;
		if (bc_recover_interrupted(r, true, false) > 0) {
			r->status = "failed";
			ret = CLI_EXIT_FAIL;
		}
		if (!r->nr_notes)
			bc_note(r, "no interrupted assign or release to recover");
		goto print;
	}
	bc_recover_interrupted(r, false, false);
	ret = bc_add_devices(r, self(), argv, argc);
	if (!ret)
		ret = bc_lock_and_plan(r);
	if (ret)
		goto out;
	ret = bc_refuse_blocked(r, "in use", "stop that process (the VM) first, "
				"or pass --force (the kernel then waits until it "
				"lets go)");
	if (ret)
		goto print;
	for (int i = 0; i < r->nr; i++) {
		struct bc_group *bg = &r->g[i];

		if (pt_bind_release(r->binder, &bg->plan)) {
			snprintf(r->error, sizeof(r->error), "%s; the journal is kept: "
				 "run `passthru release --recover` after fixing it",
				 pt_last_error());
			r->status = "failed";
			ret = CLI_EXIT_FAIL;
			continue;	/* give the other groups back anyway */
		}
		if (r->persist)
			unpersist(r, bg, conf_path);
	}
print:
	bc_report(r);
out:
	bc_close(r);
out_free:
	free(r);
	return ret;
}

CLI_COMMAND(release, cmd_release_main,
	   "give devices' IOMMU groups back to their original drivers",
	   "release DEVICE... [--dry-run] [--force] [--persist] [--json] [--timeout MS]\n"
	   "       passthru release --recover [--json]\n"
	   "Each member goes back to the driver the journal recorded at assign time,\n"
	   "or to the kernel's default driver when there is no journal; driver_override\n"
	   "is restored (normally cleared).  --persist also removes the devices from\n"
	   "/etc/passthru.conf.  --recover undoes assign/release runs that died half-way.\n"
	   "A group whose /dev/vfio node is open (a running VM) is refused unless --force.\n"
	   "Exit: 0 done, 1 refused or failed (journal kept), 2 bad input.")
