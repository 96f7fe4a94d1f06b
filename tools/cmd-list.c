// SPDX-License-Identifier: MIT
/*
 * passthru list [--json] [--groups] [--class CLASS] [--assigned] [--wide] —
 * every PCI device, one line each (lsblk-like), or grouped by IOMMU group
 * with viability and blockers.  --assigned keeps the devices on vfio-pci
 * (or a vfio variant driver), and the groups holding one.  --json prints
 * {"devices": [...], "groups": [...]} (groups is null without an IOMMU);
 * the schema is in the README.  The table fits the terminal (the name and
 * in-use columns are cut) unless --wide or piped.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tools/discover.h"
#include "tools/table.h"

static const char *const classes[] = {
	"net", "storage", "display", "usb", "audio", "bridge", "accel", "other",
	NULL,
};

/* Which devices a run shows: --class and --assigned. */
struct filter {
	const char *cls;
	bool assigned;
};

static bool device_ok(const struct pt_device *d, const struct filter *f)
{
	return (!f->cls || !strcmp(pt_device_class_key(d), f->cls)) &&
	       (!f->assigned || pt_driver_is_vfio(d->driver));
}

static bool group_ok(const struct pt_group *g, const struct filter *f)
{
	for (int k = 0; k < g->nr_devices; k++)
		if (device_ok(g->devices[k], f))
			return true;
	return !f->cls && !f->assigned;
}

static void list_json(const struct pt_system *sys, const struct filter *f)
{
	struct json j;

	cli_json_start(&j);
	json_buffer(&j);	/* the document is all this writes */
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "devices");
	for (int i = 0; i < sys->nr_devices; i++)
		if (device_ok(sys->devices[i], f))
			cli_json_device(&j, NULL, sys->devices[i]);
	json_arr_end(&j);
	if (!sys->has_iommu) {
		json_null(&j, "groups");
	} else {
		json_arr_begin(&j, "groups");
		for (int i = 0; i < sys->nr_groups; i++)
			if (group_ok(sys->groups[i], f))
				cli_json_group(&j, NULL, sys->groups[i]);
		json_arr_end(&j);
	}
	json_obj_end(&j);
	json_finish(&j);
}

static const char *const head[] = {
	"BDF", "IDS", "CLASS", "DRIVER", "GROUP", "DEVICE", "IN USE",
};
enum { COL_DEVICE = 5, COL_IN_USE = 6 };

/* The name and the in-use reason give up room on a narrow terminal; the
 * address, ids, class, driver and group never do. */
static void list_table_init(struct table *t, const char *indent)
{
	table_init(t, 7, head);
	table_flex(t, COL_DEVICE, 16);
	table_flex(t, COL_IN_USE, 12);
	t->indent = indent;
}

static void add_row(struct table *t, const struct pt_device *d)
{
	char ids[16], label[300];

	table_row(t);
	table_cell(t, NULL, "%s", d->bdf);
	table_cell(t, NULL, "%s", cli_dev_ids(d, ids, sizeof(ids)));
	table_cell(t, NULL, "%s", pt_device_class_key(d));
	if (!*d->driver)
		table_cell(t, "dim", "-");
	else
		table_cell(t, pt_driver_is_vfio(d->driver) ? "green" : NULL,
			   "%s", d->driver);
	if (d->iommu_group >= 0)
		table_cell(t, NULL, "%d", d->iommu_group);
	else
		table_cell(t, "dim", "-");
	table_cell(t, NULL, "%s", cli_dev_label(d, label, sizeof(label)));
	if (!d->in_use.n)
		table_cell(t, NULL, "%s", "");
	else if (d->in_use.n == 1)
		table_cell(t, "yellow", "%s", d->in_use.v[0]);
	else
		table_cell(t, "yellow", "%s (+%d more)", d->in_use.v[0],
			   d->in_use.n - 1);
}

static void list_table(const struct cli *cli, const struct pt_system *sys,
		       const struct filter *f)
{
	struct table t;

	list_table_init(&t, "");
	for (int i = 0; i < sys->nr_devices; i++)
		if (device_ok(sys->devices[i], f))
			add_row(&t, sys->devices[i]);
	table_print(&t, cli, stdout);
	table_free(&t);
}

static void print_group(const struct cli *cli, const struct pt_group *g)
{
	const char *st = g->viable ? "viable" : "not viable";

	printf("%sIOMMU group %d%s  type %s  %s%s%s", cli_color(cli, "bold"), g->id,
	       cli_color(cli, "reset"), *g->type ? g->type : "?",
	       cli_color(cli, g->viable ? "green" : "red"), st,
	       cli_color(cli, "reset"));
	if (g->blocked_by.n)
		printf("  %sblocked%s", cli_color(cli, "yellow"), cli_color(cli, "reset"));
	putchar('\n');
	for (int i = 0; i < g->not_viable.n; i++)
		printf("  not viable: %s\n", g->not_viable.v[i]);
	for (int i = 0; i < g->blocked_by.n; i++)
		printf("  blocked by: %s\n", g->blocked_by.v[i]);
	if (g->needs_rebind.n) {
		printf("  assign would rebind to vfio-pci:");
		for (int i = 0; i < g->needs_rebind.n; i++)
			printf(" %s", g->needs_rebind.v[i]);
		putchar('\n');
	} else {
		bool endpoints = false;

		for (int i = 0; i < g->nr_devices; i++)
			endpoints |= !g->devices[i]->is_bridge;
		printf("  assign: %s\n", endpoints ?
		       "every endpoint is already on vfio-pci" :
		       "nothing to rebind (bridges only: they stay on their driver)");
	}
}

static void list_groups(const struct cli *cli, const struct pt_system *sys,
			const struct filter *f)
{
	struct table t;

	if (!sys->has_iommu) {
		printf("No IOMMU groups: the IOMMU is absent or disabled, so no "
		       "device can be assigned (see `passthru check`).\n\n");
		list_table(cli, sys, f);
		return;
	}
	for (int i = 0; i < sys->nr_groups; i++) {
		const struct pt_group *g = sys->groups[i];

		if (!group_ok(g, f))
			continue;
		print_group(cli, g);
		list_table_init(&t, "  ");
		for (int k = 0; k < g->nr_devices; k++)
			add_row(&t, g->devices[k]);
		table_print(&t, cli, stdout);
		table_free(&t);
		putchar('\n');
	}
	/* devices the IOMMU left out of every group */
	list_table_init(&t, "  ");
	for (int i = 0; i < sys->nr_devices; i++)
		if (!sys->devices[i]->group && device_ok(sys->devices[i], f))
			add_row(&t, sys->devices[i]);
	if (t.nrows) {
		printf("%sNo IOMMU group%s (cannot be assigned)\n",
		       cli_color(cli, "bold"), cli_color(cli, "reset"));
		table_print(&t, cli, stdout);
	}
	table_free(&t);
}

static int cmd_list_main(struct cli *cli, int argc, char **argv);
CLI_COMMAND(list, cmd_list_main, "list PCI devices, their drivers and IOMMU groups",
	   "list [--json] [--groups] [--assigned] [--wide] [--class net|storage|display|usb|audio|bridge|accel|other]");

static int cmd_list_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "groups", no_argument, NULL, 'g' },
		{ "class", required_argument, NULL, 'c' },
		{ "assigned", no_argument, NULL, 'a' },
		{ "wide", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("list");
	const struct pt_system *sys;
	struct filter f = { 0 };
	bool json = cli->json, groups = false;
	struct pt_ctx *ctx;
	int c, ret;

	while ((c = cli_getopt(cli, self, argc, argv, "+jgc:", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'g': groups = true; break;
		case 'a': f.assigned = true; break;
		case 'W': cli->width = 0; break;
		case 'c':
			f.cls = optarg;
			break;
		default:
			return CLI_EXIT_USAGE;	/* cli_getopt() named it */
		}
	}
	if (optind < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	if (f.cls) {
		int k = 0;

		while (classes[k] && strcmp(classes[k], f.cls))
			k++;
		if (!classes[k])
			return cli_usage_error(self, "unknown class '%s'", f.cls);
	}
	ret = cli_open(cli, &ctx, &sys);
	if (ret)
		return ret;
	if (json)
		list_json(sys, &f);
	else if (groups)
		list_groups(cli, sys, &f);
	else
		list_table(cli, sys, &f);
	pt_ctx_free(ctx);
	return CLI_EXIT_OK;
}
