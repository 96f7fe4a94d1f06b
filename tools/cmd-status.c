// SPDX-License-Identifier: MIT
/*
 * passthru status [--json] [--wide] — one view of what passthru has done
 * to this machine (dpdk-devbind's --status, driverctl's list-overrides):
 * the devices on vfio-pci and the processes holding their /dev/vfio nodes,
 * what /etc/passthru.conf persists and which present devices that matches,
 * open journals in /run/passthru, and whether the boot-time pieces (the
 * modprobe softdeps, the udev rule, passthru.service) are installed and
 * enabled.  Read-only; honours --root.  Exit 0, or 2 on a bad tree.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sysfs.h"
#include "tools/discover.h"
#include "tools/status.h"
#include "tools/table.h"

static int cmd_status_main(struct cli *cli, int argc, char **argv);
CLI_COMMAND(status, cmd_status_main,
	    "what is on vfio-pci and who holds it, what is persisted, journals, boot set-up",
	    "status [--json] [--wide]\n"
	    "Devices on vfio-pci (or reserved for it by driver_override), the processes\n"
	    "holding their /dev/vfio nodes (all of them only as root), /etc/passthru.conf,\n"
	    "journals in /run/passthru, the modprobe softdeps, the udev rule and\n"
	    "passthru.service (installed? enabled?).  Read-only.");

static const char *conf_opts(const struct pt_conf_entry *e, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s%s", *e->user ? " user=" : "", e->user,
		 *e->group ? " group=" : "", e->group, e->force ? " force" : "");
	return buf;
}

static const char *conf_device(const struct pt_conf_entry *e, char *buf, size_t n)
{
	if (*e->bdf)
		snprintf(buf, n, "%s", e->bdf);
	else
		snprintf(buf, n, "%04x:%04x", e->vendor, e->device);
	return buf;
}

static void held_by(const struct status *st, const struct st_device *sd,
		    char *buf, size_t n)
{
	const struct st_holder *h;

	if (!sd->nr_holders) {
		snprintf(buf, n, "-");
		return;
	}
	h = &st->holders[sd->holders[0]];
	if (sd->nr_holders == 1)
		snprintf(buf, n, "%d %s", (int)h->pid, h->comm);
	else
		snprintf(buf, n, "%d %s (+%d more)", (int)h->pid, h->comm,
			 sd->nr_holders - 1);
}

static void text_devices(const struct cli *cli, const struct status *st)
{
	static const char *const head[] = {
		"BDF", "IDS", "DRIVER", "GROUP", "NODE", "HELD BY", "PERSISTED", "DEVICE",
	};
	char ids[16], label[300], held[96];
	struct table t;

	printf("%sOn vfio-pci%s\n", cli_color(cli, "bold"), cli_color(cli, "reset"));
	if (!st->nr_devs) {
		printf("  nothing: no device is bound to vfio-pci\n");
		return;
	}
	table_init(&t, 8, head);
	table_flex(&t, 5, 12);
	table_flex(&t, 7, 16);
	t.indent = "  ";
	for (int i = 0; i < st->nr_devs; i++) {
		const struct st_device *sd = &st->devs[i];
		const struct pt_device *d = sd->dev;

		table_row(&t);
		table_cell(&t, NULL, "%s", d->bdf);
		table_cell(&t, NULL, "%s", cli_dev_ids(d, ids, sizeof(ids)));
		if (sd->bound)
			table_cell(&t, "green", "%s", d->driver);
		else
			table_cell(&t, "yellow", "%s", *d->driver ? d->driver : "- (override)");
		if (d->iommu_group >= 0)
			table_cell(&t, NULL, "%d", d->iommu_group);
		else
			table_cell(&t, "dim", "-");
		table_cell(&t, NULL, "%s", *sd->group_node ? sd->group_node : "-");
		held_by(st, sd, held, sizeof(held));
		table_cell(&t, sd->nr_holders ? "yellow" : NULL, "%s", held);
		table_cell(&t, NULL, "%s", sd->persisted ? "yes" : "no");
		table_cell(&t, NULL, "%s", cli_dev_label(d, label, sizeof(label)));
	}
	table_print(&t, cli, stdout);
	table_free(&t);
	if (st->uninspected)
		printf("  (%d process%s could not be inspected: run as root to see every holder)\n",
		       st->uninspected, st->uninspected == 1 ? "" : "es");
}

/* "0000:06:00.0 (pci-stub)" for each present device the entry matches */
static void print_matches(const struct pt_system *sys, const char *bdfs)
{
	char buf[sizeof(((struct status *)0)->conf_matches[0])], *save = NULL;
	const char *sep = "";

	if (!*bdfs) {
		printf("no such device here");
		return;
	}
	snprintf(buf, sizeof(buf), "%s", bdfs);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		const struct pt_device *d = pt_find_device(sys, w);

		printf("%s%s", sep, w);
		if (d)
			printf(" (%s)", *d->driver ? d->driver : "no driver");
		sep = ", ";
	}
}

static void text_conf(const struct cli *cli, const struct pt_system *sys,
		      const struct status *st)
{
	char dev[16], opts[128];

	printf("\n%sPersisted%s (/etc/passthru.conf)\n", cli_color(cli, "bold"),
	       cli_color(cli, "reset"));
	if (!st->conf_exists) {
		printf("  nothing: the file does not exist\n");
		return;
	}
	if (*st->conf_error) {
		printf("  %serror:%s %s\n", cli_color(cli, "red"), cli_color(cli, "reset"),
		       st->conf_error);
		return;
	}
	if (!pt_conf_count(st->conf))
		printf("  nothing: the file lists no device\n");
	for (int i = 0; i < pt_conf_count(st->conf); i++) {
		const struct pt_conf_entry *e = pt_conf_entry(st->conf, i);

		printf("  line %d: %s%s -> ", e->line, conf_device(e, dev, sizeof(dev)),
		       conf_opts(e, opts, sizeof(opts)));
		print_matches(sys, st->conf_matches[i]);
		putchar('\n');
	}
}

static void text_journals(const struct cli *cli, const struct status *st)
{
	printf("\n%sJournals%s (/run/passthru)\n", cli_color(cli, "bold"),
	       cli_color(cli, "reset"));
	if (!st->nr_journals)
		printf("  none: no assign or release is half-way\n");
	for (int i = 0; i < st->nr_journals; i++) {
		const struct st_journal *j = &st->journals[i];

		printf("  group %d: %s%s%s\n", j->group, j->state, *j->members ? ": " : "",
		       j->members);
	}
}

static void text_boot(const struct cli *cli, const struct status *st)
{
	const struct st_file *u = &st->unit;

	printf("\n%sAt boot%s\n", cli_color(cli, "bold"), cli_color(cli, "reset"));
	if (!st->softdep_exists)
		printf("  %-17s %s\n", "modprobe softdep", "none (/etc/modprobe.d/passthru.conf does not exist)");
	else if (!*st->softdeps)
		printf("  %-17s %s\n", "modprobe softdep", "/etc/modprobe.d/passthru.conf: no softdep line");
	else
		printf("  %-17s /etc/modprobe.d/passthru.conf: vfio-pci before %s\n",
		       "modprobe softdep", st->softdeps);
	if (!*st->udev_rule.path)
		printf("  %-17s %s\n", "udev rule", "not installed (70-passthru-vfio.rules)");
	else
		printf("  %-17s %s%s\n", "udev rule", st->udev_rule.path,
		       st->udev_rule.masked ? ", masked (a link to /dev/null)" : "");
	if (!*u->path)
		printf("  %-17s %s\n", "systemd unit", "not installed (passthru.service)");
	else if (u->masked)
		printf("  %-17s %s, masked (a link to /dev/null)\n", "systemd unit", u->path);
	else if (*st->enabled_by)
		printf("  %-17s %s, enabled (wanted by %s)\n", "systemd unit", u->path,
		       st->enabled_by);
	else
		printf("  %-17s %s, not enabled: systemctl enable passthru.service\n",
		       "systemd unit", u->path);
}

static void json_file(struct json *j, const char *key, const struct st_file *f)
{
	json_obj_begin(j, key);
	json_bool(j, "installed", *f->path != '\0');
	json_str(j, "path", *f->path ? f->path : NULL);
	json_bool(j, "masked", f->masked);
	json_obj_end(j);
}

static void json_words(struct json *j, const char *key, const char *words)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", words);
	json_arr_begin(j, key);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		json_str(j, NULL, w);
	json_arr_end(j);
}

static void json_devices(struct json *j, const struct status *st)
{
	json_arr_begin(j, "assigned");
	for (int i = 0; i < st->nr_devs; i++) {
		const struct st_device *sd = &st->devs[i];

		json_obj_begin(j, NULL);
		json_str(j, "bdf", sd->dev->bdf);
		json_hex(j, "vendor_id", sd->dev->vendor_id, 4);
		json_hex(j, "device_id", sd->dev->device_id, 4);
		json_str(j, "driver", *sd->dev->driver ? sd->dev->driver : NULL);
		json_bool(j, "bound", sd->bound);
		if (sd->dev->iommu_group >= 0)
			json_int(j, "iommu_group", sd->dev->iommu_group);
		else
			json_null(j, "iommu_group");
		json_str(j, "group_node", *sd->group_node ? sd->group_node : NULL);
		json_str(j, "cdev_node", *sd->cdev_node ? sd->cdev_node : NULL);
		json_arr_begin(j, "held_by");
		for (int k = 0; k < sd->nr_holders; k++) {
			const struct st_holder *h = &st->holders[sd->holders[k]];

			json_obj_begin(j, NULL);
			json_int(j, "pid", h->pid);
			json_str(j, "command", h->comm);
			json_str(j, "node", h->node);
			json_obj_end(j);
		}
		json_arr_end(j);
		if (sd->persisted)
			json_int(j, "persisted_line", sd->persisted->line);
		else
			json_null(j, "persisted_line");
		json_obj_end(j);
	}
	json_arr_end(j);
	json_int(j, "uninspected_processes", st->uninspected);
}

static void json_conf(struct json *j, const struct status *st)
{
	char dev[16];

	json_obj_begin(j, "persisted");
	json_str(j, "path", "/etc/passthru.conf");
	json_bool(j, "exists", st->conf_exists);
	json_str(j, "error", *st->conf_error ? st->conf_error : NULL);
	json_arr_begin(j, "entries");
	for (int i = 0; i < pt_conf_count(st->conf); i++) {
		const struct pt_conf_entry *e = pt_conf_entry(st->conf, i);

		json_obj_begin(j, NULL);
		json_int(j, "line", e->line);
		json_str(j, "device", conf_device(e, dev, sizeof(dev)));
		json_str(j, "user", *e->user ? e->user : NULL);
		json_str(j, "group", *e->group ? e->group : NULL);
		json_bool(j, "force", e->force);
		json_words(j, "matches", st->conf_matches[i]);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void json_boot(struct json *j, const struct status *st)
{
	json_arr_begin(j, "journals");
	for (int i = 0; i < st->nr_journals; i++) {
		json_obj_begin(j, NULL);
		json_int(j, "group", st->journals[i].group);
		json_str(j, "state", st->journals[i].state);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_begin(j, "softdeps");
	json_str(j, "path", "/etc/modprobe.d/passthru.conf");
	json_bool(j, "exists", st->softdep_exists);
	json_words(j, "before", st->softdeps);
	json_obj_end(j);
	json_file(j, "udev_rule", &st->udev_rule);
	json_file(j, "service", &st->unit);
	json_words(j, "service_wanted_by", st->enabled_by);
}

static void status_json(const struct status *st)
{
	struct json j;

	cli_json_start(&j);
	json_buffer(&j);
	json_obj_begin(&j, NULL);
	json_devices(&j, st);
	json_conf(&j, st);
	json_boot(&j, st);
	json_obj_end(&j);
	json_finish(&j);
}

static int cmd_status_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "wide", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("status");
	const struct pt_system *sys;
	struct status *st;
	struct pt_ctx *ctx;
	bool json = cli->json;
	int c, ret;

	while ((c = cli_getopt(cli, self, argc, argv, "+j", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'W': cli->width = 0; break;
		default:
			return CLI_EXIT_USAGE;	/* cli_getopt() named it */
		}
	}
	if (optind < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	ret = cli_open(cli, &ctx, &sys);
	if (ret)
		return ret;
	st = calloc(1, sizeof(*st));
	if (!st || status_gather(ctx, sys, st) < 0) {
		cli_err("%s", st ? pt_last_error() : "out of memory");
		free(st);
		pt_ctx_free(ctx);
		return CLI_EXIT_FAIL;
	}
	ret = CLI_EXIT_OK;
	if (pt_sysfs_defect(pt_ctx_sysfs(ctx))[0]) {
		/* a tree file refused (a FIFO, a link out): named, not shown */
		cli_err("--root %s: %s", cli->root, pt_sysfs_defect(pt_ctx_sysfs(ctx)));
		ret = CLI_EXIT_USAGE;
	} else if (json) {
		status_json(st);
	} else {
		text_devices(cli, st);
		text_conf(cli, sys, st);
		text_journals(cli, st);
		text_boot(cli, st);
	}
	status_free(st);
	free(st);
	pt_ctx_free(ctx);
	return ret;
}
