// SPDX-License-Identifier: MIT
/*
 * cmd-assign.c — `passthru assign`: move whole IOMMU groups to vfio-pci,
 * safely (blockers refuse), transactionally (journal + rollback), and
 * optionally for good (--persist, --from-config at boot).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/sysfs.h"
#include "tools/bindcli.h"
#include "tools/emit.h"

static const struct cli_command *self(void)
{
	return cli_command_find("assign");
}

/* `assign --udev-match BDF`: called by the udev rule on every PCI "add";
 * exit 0 when passthru.conf lists the device (udev then writes
 * driver_override), 1 otherwise.  Reads two sysfs files, never scans. */
static int udev_match(struct cli *cli, const char *conf_path, const char *bdf)
{
	char rel[64], v[16] = "", d[16] = "", etc[4096];
	struct pt_conf *c;
	const char *root = cli->root && strcmp(cli->root, "/") ? cli->root : "";
	struct pt_sysfs fs;
	int ret;

	/* udev passes the kernel's name; anything else is bad input */
	if (strlen(bdf) != 12 || strspn(bdf, "0123456789abcdef:.") != 12 ||
	    bdf[4] != ':' || bdf[7] != ':' || bdf[10] != '.') {
		cli_err("--udev-match wants a full PCI address (0000:01:00.0), not '%s'", bdf);
		return CLI_EXIT_USAGE;
	}
	snprintf(etc, sizeof(etc), "%s/etc/passthru.conf", root);
	ret = pt_conf_open(conf_path ? conf_path : etc, &c);
	if (!ret && pt_sysfs_init(&fs, root))
		ret = -EINVAL;
	if (ret) {
		pt_conf_free(c);
		if (ret == -ENOENT)
			return CLI_EXIT_FAIL;
		cli_err("%s", pt_last_error());
		return CLI_EXIT_USAGE;
	}
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/vendor", bdf);
	pt_sysfs_read_str(&fs, rel, v, sizeof(v));
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/device", bdf);
	pt_sysfs_read_str(&fs, rel, d, sizeof(d));
	pt_sysfs_fini(&fs);
	ret = pt_conf_match(c, bdf, (unsigned int)strtoul(v, NULL, 16),
			    (unsigned int)strtoul(d, NULL, 16)) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	pt_conf_free(c);
	return ret;
}

/* --from-config: every entry's groups, each with that entry's force and
 * owner.  The command's own note when the file does not exist. */
static int add_from_config(struct bc_run *r, const char *conf_path)
{
	static char missing[4200];
	char etc[4096];
	struct pt_conf *c;
	const char *path = conf_path;
	int ret;

	if (!path) {
		snprintf(etc, sizeof(etc), "%s/etc/passthru.conf",
			 r->cli->root && strcmp(r->cli->root, "/") ? r->cli->root : "");
		path = etc;
	}
	ret = pt_conf_open(path, &c);
	if (ret == -ENOENT) {
		snprintf(missing, sizeof(missing), "%s does not exist: nothing to "
			 "assign", path);
		r->note = missing;
		ret = 0;
	} else if (!ret) {
		ret = pt_txn_add_config(r->txn, c);
	}
	pt_conf_free(c);
	return ret ? bc_fail(r, CLI_EXIT_USAGE) : CLI_EXIT_OK;
}

/* --emit FORMAT: the assigned groups for the consumer, from a fresh scan
 * (one member BDF stands for its whole group). */
static int emit_assigned(struct bc_run *r, const char *format)
{
	int nr = pt_txn_nr_groups(r->txn);
	struct emit_request rq = { .format = format };
	char **bdfs;
	int ret;

	bdfs = calloc(nr ? nr : 1, sizeof(*bdfs));
	if (!bdfs)
		return CLI_EXIT_FAIL;
	emit_opts_init(&rq.opts);
	for (int i = 0; i < nr; i++) {
		const struct pt_txn_group *g = pt_txn_group(r->txn, i);

		for (int k = 0; k < g->nr_members; k++)
			if (g->members[k]->move != PT_MOVE_STAYS_BRIDGE) {
				bdfs[rq.nr_devices++] = (char *)g->members[k]->bdf;
				break;
			}
	}
	rq.devices = bdfs;
	ret = emit_run(r->cli, &rq);
	free(bdfs);
	return ret;
}

/* With --emit, stdout carries only the emitted text: the table goes to
 * stderr. */
static void report_to_stderr(struct bc_run *r)
{
	int fd;

	fflush(stdout);
	fd = dup(STDOUT_FILENO);
	dup2(STDERR_FILENO, STDOUT_FILENO);
	bc_report(r);
	fflush(stdout);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
}

static int check_args(struct bc_run *r, bool from_config, int argc, const char *emit)
{
	if (from_config == (argc > 0))
		return cli_usage_error(self(), from_config ? "--from-config takes no "
				      "DEVICE" : "no DEVICE given");
	if (emit && !emit_format_find(emit))
		return cli_usage_error(self(), "--emit: unknown format '%s' (see "
				      "`passthru help emit`)", emit);
	if (emit && r->json)
		return cli_usage_error(self(), "--emit and --json exclude each other");
	return bc_check_root(r, self());
}

static int cmd_assign_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		BC_LONG_OPTS,
		{ "persist", no_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
		{ "from-config", no_argument, NULL, 'C' },
		{ "config", required_argument, NULL, 'c' },
		{ "udev-match", required_argument, NULL, 'U' },
		{ "emit", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = NULL, *match = NULL, *emit = NULL;
	bool from_config = false;
	struct bc_run r;
	int c, ret;

	bc_init(&r, "assign", cli);
	while ((c = cli_getopt(cli, self(), argc, argv, "nfj", opts)) != -1) {
		switch (c) {
		case 'u': r.user = optarg; break;
		case 'g': r.group = optarg; break;
		case 'C': from_config = true; break;
		case 'c': conf_path = optarg; break;
		case 'U': match = optarg; break;
		case 'E': emit = optarg; break;
		default:
			ret = bc_option(&r, self(), c, optarg);
			if (ret != BC_OPT_NEXT)
				return ret;
		}
	}
	argc -= optind;
	argv += optind;
	if (match)
		return udev_match(cli, conf_path, match);
	ret = check_args(&r, from_config, argc, emit) ?: bc_open(&r, PT_TXN_ASSIGN);
	if (ret)
		return ret;
	if (conf_path && r.persist)
		pt_txn_set_conf_path(r.txn, conf_path);
	ret = from_config ? add_from_config(&r, conf_path) :
	      bc_add_devices(&r, argv, argc);
	if (ret)
		goto out;
	ret = bc_apply(&r);
	if (emit)
		report_to_stderr(&r);
	else
		bc_report(&r);
	if (emit && ret == CLI_EXIT_OK)
		ret = emit_assigned(&r, emit);
out:
	bc_close(&r);
	return ret;
}

CLI_COMMAND(assign, cmd_assign_main,
	   "move devices' IOMMU groups to vfio-pci (planned, journaled, reversible)",
	   "assign DEVICE... [--all] [--dry-run] [--force] [--persist] [--json]\n"
	   "                       [--user NAME] [--group NAME] [--timeout TIME]\n"
	   "                       [--lock-timeout TIME] [--emit FORMAT]\n"
	   "       passthru assign --from-config [--config FILE] [--dry-run] [--json]\n"
	   "       passthru assign --udev-match BDF [--config FILE]\n"
	   "DEVICE: 0000:01:00.0, 01:00.0, pci_0000_01_00_0 (virsh), 01:00 (every\n"
	   "function of the slot, as lspci takes it), vendor:device (8086:10d3), class=net\n"
	   "(net, storage, display, usb, audio, bridge, accel, other) or an interface\n"
	   "name.  Ids and classes must match one device, or every match with --all.\n"
	   "Every endpoint of the device's IOMMU group moves to vfio-pci; bridges stay.\n"
	   "A group whose member holds a mounted filesystem, swap, an address or the\n"
	   "default route, or the console is refused unless --force (--from-config:\n"
	   "only the groups whose passthru.conf entry says force).  A group another\n"
	   "run holds is waited for at most --lock-timeout (default 30s).  TIME:\n"
	   "seconds, or with a unit: 500ms, 2s, 1m.\n"
	   "--emit FORMAT: then print the groups for QEMU, libvirt, ... (`passthru help\n"
	   "emit`); the table goes to stderr.\n"
	   "Exit: 0 done, 1 refused or failed (and rolled back), 2 bad input.")
