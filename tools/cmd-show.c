// SPDX-License-Identifier: MIT
/*
 * passthru show DEVICE [--json] — everything discovery knows about one
 * device, its IOMMU group peers, and what `assign` would do to the group.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tools/discover.h"

static void kv(const char *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void kv(const char *k, const char *fmt, ...)
{
	va_list ap;

	printf("  %-16s ", k);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *strv_join(const struct pt_strv *sv, char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < sv->n && used < n; i++) {
		int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "",
				 sv->v[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return sv->n ? buf : "-";
}

static void show_caps(const struct pt_caps *c)
{
	char buf[512];
	size_t u = 0;

#define ADD(...) do { if (u < sizeof(buf)) { int w_ = snprintf(buf + u, sizeof(buf) - u, __VA_ARGS__); if (w_ > 0) u += (size_t)w_; } } while (0)
	buf[0] = '\0';
	if (c->pcie)
		ADD("PCIe %s%s; ", pt_pcie_type_name(c->pcie_type), c->flr ? " (FLR)" : "");
	if (c->msi)
		ADD("MSI %d vector%s%s; ", c->msi_vectors, c->msi_vectors > 1 ? "s" : "",
		    c->msi_64bit ? " 64-bit" : "");
	if (c->msix)
		ADD("MSI-X %d vectors (table BAR %u); ", c->msix_vectors,
		    c->msix_table_bar);
	if (c->pm)
		ADD("PM%s; ", c->pm_no_soft_reset ? " (NoSoftRst)" : "");
	if (c->af)
		ADD("AF%s; ", c->af_flr ? " (FLR)" : "");
	if (c->acs)
		ADD("ACS cap 0x%04x ctrl 0x%04x; ", c->acs_cap, c->acs_ctrl);
	if (c->sriov)
		ADD("SR-IOV %u VFs; ", c->sriov_total_vfs);
	if (c->ari)
		ADD("ARI; ");
#undef ADD
	if (u >= 2 && u < sizeof(buf))
		buf[u - 2] = '\0';
	kv("capabilities", "%s", u ? buf : "-");
}

static void show_text(const struct cli *cli, const struct pt_system *sys,
		      const struct pt_device *d)
{
	const struct pt_group *g = d->group;
	char buf[1024];

	printf("%s%s%s  %s\n", cli_color(cli, "bold"), d->bdf, cli_color(cli, "reset"),
	       cli_dev_label(d, buf, sizeof(buf)));
	kv("ids", "%04x:%04x (subsystem %04x:%04x%s%s)", d->vendor_id, d->device_id,
	   d->subsys_vendor_id, d->subsys_device_id, *d->subsys_name ? " " : "",
	   d->subsys_name);
	kv("class", "0x%06x %s (%s)", d->class_code, d->class_name,
	   pt_device_class_key(d));
	kv("revision", "0x%02x", d->revision);
	kv("driver", "%s", *d->driver ? d->driver : "-");
	kv("driver_override", "%s", *d->driver_override ? d->driver_override : "-");
	if (d->iommu_group >= 0)
		kv("iommu group", "%d", d->iommu_group);
	else
		kv("iommu group", "- (no IOMMU)");
	if (d->numa_node >= 0)
		kv("numa node", "%d", d->numa_node);
	else
		kv("numa node", "-");
	kv("upstream", "%s", *d->parent ? d->parent : "- (root bus)");
	kv("bridge", "%s", d->is_bridge ? "yes" : "no");
	for (int i = 0; i < d->nr_bars; i++) {
		const struct pt_bar *b = &d->bars[i];
		char name[16], sz[32];

		snprintf(name, sizeof(name), b->index == 6 ? "ROM" : "BAR %d", b->index);
		kv(name, "%s at 0x%llx, %s%s%s", b->kind == PT_BAR_IO ? "I/O" : "memory",
		   (unsigned long long)b->start, pt_format_size(b->size, sz, sizeof(sz)),
		   b->is_64 ? ", 64-bit" : "", b->prefetchable ? ", prefetchable" : "");
	}
	if (d->config_len <= 64)
		kv("capabilities", "unknown: the kernel shows only 64 bytes of "
		   "config space to non-root users; run as root");
	else
		show_caps(d->caps);
	kv("reset methods", "%s%s", strv_join(&d->reset_methods, buf, sizeof(buf)),
	   d->reset_from_kernel ? "" : " (derived from capabilities)");
	if (*d->physfn)
		kv("SR-IOV PF", "%s", d->physfn);
	if (d->sriov_totalvfs >= 0)
		kv("SR-IOV VFs", "%d of %d enabled%s%s", d->sriov_numvfs,
		   d->sriov_totalvfs, d->vfs.n ? ": " : "",
		   d->vfs.n ? strv_join(&d->vfs, buf, sizeof(buf)) : "");
	kv("boot VGA", "%s", d->boot_vga ? "yes" : "no");
	kv("network", "%s", strv_join(&d->net, buf, sizeof(buf)));
	kv("block", "%s", strv_join(&d->block, buf, sizeof(buf)));
	if (!d->in_use.n)
		kv("in use", "no");
	for (int i = 0; i < d->in_use.n; i++)
		kv(i ? "" : "in use", "%s%s%s", cli_color(cli, "yellow"), d->in_use.v[i],
		   cli_color(cli, "reset"));

	putchar('\n');
	if (!g) {
		printf("Not assignable: %s.\n", sys->has_iommu ?
		       "the device is in no IOMMU group" :
		       "this machine has no IOMMU enabled (see `passthru check`)");
		return;
	}
	printf("%sIOMMU group %d%s (type %s): %d device%s, %s%s%s\n",
	       cli_color(cli, "bold"), g->id, cli_color(cli, "reset"),
	       *g->type ? g->type : "?", g->nr_devices, g->nr_devices > 1 ? "s" : "",
	       cli_color(cli, g->viable ? "green" : "red"),
	       g->viable ? "viable" : "not viable", cli_color(cli, "reset"));
	for (int i = 0; i < g->nr_devices; i++) {
		const struct pt_device *p = g->devices[i];

		printf("  %s %s  %-14s %s\n", p == d ? "*" : " ", p->bdf,
		       *p->driver ? p->driver : "-", cli_dev_label(p, buf, sizeof(buf)));
	}
	for (int i = 0; i < g->not_viable.n; i++)
		printf("  not viable: %s\n", g->not_viable.v[i]);
	if (g->needs_rebind.n)
		printf("`passthru assign %s` would rebind to vfio-pci: %s\n", d->bdf,
		       strv_join(&g->needs_rebind, buf, sizeof(buf)));
	else
		printf("`passthru assign %s` has nothing to do: every endpoint is "
		       "on vfio-pci\n", d->bdf);
	if (g->nr_hard) {
		printf("%sIt refuses it, even with --force (platform devices):%s\n",
		       cli_color(cli, "red"), cli_color(cli, "reset"));
		for (int i = 0; i < g->blockers.n; i++)
			if (g->blockers.v[i]->hard)
				printf("  blocked by %s\n", g->blocked_by.v[i]);
	}
	if (g->blocked_by.n > g->nr_hard) {
		printf("%sIt would refuse without --force:%s\n", cli_color(cli, "yellow"),
		       cli_color(cli, "reset"));
		for (int i = 0; i < g->blockers.n; i++)
			if (!g->blockers.v[i]->hard)
				printf("  blocked by %s\n", g->blocked_by.v[i]);
	}
}

static void show_json(const struct pt_system *sys, const struct pt_device *d)
{
	const struct pt_group *g = d->group;
	struct json j;

	cli_json_start(&j);
	json_obj_begin(&j, NULL);
	cli_json_device(&j, "device", d);
	if (g)
		cli_json_group(&j, "group", g);
	else
		json_null(&j, "group");
	json_arr_begin(&j, "peers");
	for (int i = 0; g && i < g->nr_devices; i++)
		if (g->devices[i] != d)
			cli_json_device(&j, NULL, g->devices[i]);
	json_arr_end(&j);
	json_obj_begin(&j, "assign");
	json_bool(&j, "possible", g != NULL);
	json_bool(&j, "blocked", g && g->blocked_by.n);
	if (g) {
		cli_json_strv(&j, "rebind", &g->needs_rebind);
		cli_json_strv(&j, "blocked_by", &g->blocked_by);
		cli_json_blockers(&j, "blockers", &g->blockers);
		json_bool(&j, "force_overrides", !g->nr_hard);
	} else {
		json_arr_begin(&j, "rebind");
		json_arr_end(&j);
		json_arr_begin(&j, "blocked_by");
		json_arr_end(&j);
		json_arr_begin(&j, "blockers");
		json_arr_end(&j);
		json_bool(&j, "force_overrides", true);
	}
	json_str(&j, "reason", g ? NULL : sys->has_iommu ? "device is in no IOMMU group"
		 : "no IOMMU: the machine has no IOMMU enabled");
	json_obj_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

static int cmd_show_main(struct cli *cli, int argc, char **argv);
CLI_COMMAND(show, cmd_show_main, "show one device, its IOMMU group and what assign would do",
	   "show DEVICE [--json]   (DEVICE: 0000:01:00.0, 01:00.0, 8086:10d3 or eth0)");

static int cmd_show_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("show");
	const struct pt_system *sys;
	const struct pt_device *d;
	struct pt_ctx *ctx;
	const char *arg = NULL;
	bool json = cli->json;
	int c, ret;

	/* options may follow DEVICE: no '+' here */
	while ((c = cli_getopt(cli, self, argc, argv, "j", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		default:
			return CLI_EXIT_USAGE;	/* cli_getopt() named it */
		}
	}
	if (optind >= argc)
		return cli_usage_error(self, "missing DEVICE");
	arg = argv[optind];
	if (optind + 1 < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
	ret = cli_open(cli, &ctx, &sys);
	if (ret)
		return ret;
	if (pt_resolve_device(ctx, arg, &d) < 0) {
		cli_error_device(arg);
		cli_err("%s", pt_last_error());
		pt_ctx_free(ctx);
		return CLI_EXIT_USAGE;
	}
	if (json)
		show_json(sys, d);
	else
		show_text(cli, sys, d);
	pt_ctx_free(ctx);
	return CLI_EXIT_OK;
}
