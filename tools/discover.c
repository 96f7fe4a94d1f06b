// SPDX-License-Identifier: MIT
/* discover.c — see discover.h. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tools/discover.h"

/*
 * libpci reports a fatal error through a callback that must not return;
 * the library longjmps out of it (lib/ctx.c), which leaves what libpci had
 * allocated for the scan behind.  That is by design, not a leak to chase:
 * tell LeakSanitizer (sanitizer builds only) so that `passthru` on a broken
 * tree still exits with its own status and message.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libpci.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

int cli_open(const struct cli *cli, struct pt_ctx **ctx,
		const struct pt_system **sys)
{
	if (pt_ctx_new(ctx, cli->root) < 0) {
		cli_err("%s", pt_last_error());
		return CLI_EXIT_USAGE;
	}
	if (sys && pt_scan(*ctx, sys) < 0) {
		cli_err("%s", pt_last_error());
		pt_ctx_free(*ctx);
		*ctx = NULL;
		return CLI_EXIT_USAGE;
	}
	return 0;
}

void cli_json_strv(struct json *j, const char *key, const struct pt_strv *sv)
{
	json_arr_begin(j, key);
	for (int i = 0; i < sv->n; i++)
		json_str(j, NULL, sv->v[i]);
	json_arr_end(j);
}

static void str_or_null(struct json *j, const char *key, const char *s)
{
	json_str(j, key, s && *s ? s : NULL);
}

/* The structured twin of in_use / blocked_by, for scripts: they test the
 * stable id, never the English text. */
void cli_json_blockers(struct json *j, const char *key,
		       const struct pt_blockers *bv)
{
	json_arr_begin(j, key);
	for (int i = 0; i < bv->n; i++) {
		const struct pt_blocker *b = bv->v[i];

		json_obj_begin(j, NULL);
		json_str(j, "id", b->id);
		json_str(j, "device", b->bdf);
		json_str(j, "subject", b->subject);
		json_str(j, "text", b->text);
		json_bool(j, "force_overrides", !b->hard);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_bars(struct json *j, const struct pt_device *d)
{
	json_arr_begin(j, "bars");
	for (int i = 0; i < d->nr_bars; i++) {
		const struct pt_bar *b = &d->bars[i];

		json_obj_begin(j, NULL);
		json_int(j, "index", b->index);
		json_str(j, "type", b->index == 6 ? "rom" :
			 b->kind == PT_BAR_IO ? "io" : "mem");
		json_hex(j, "start", b->start, 1);
		json_uint(j, "size", b->size);
		json_bool(j, "is_64", b->is_64);
		json_bool(j, "prefetchable", b->prefetchable);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_caps(struct json *j, const struct pt_caps *c)
{
	json_obj_begin(j, "capabilities");
	if (c->pcie)
		json_str(j, "pcie", pt_pcie_type_name(c->pcie_type));
	else
		json_null(j, "pcie");
	json_bool(j, "flr", c->flr);
	if (c->msi)
		json_int(j, "msi", c->msi_vectors);
	else
		json_null(j, "msi");
	if (c->msix)
		json_int(j, "msix", c->msix_vectors);
	else
		json_null(j, "msix");
	json_bool(j, "pm", c->pm);
	json_bool(j, "af_flr", c->af_flr);
	if (c->acs) {
		json_obj_begin(j, "acs");
		json_hex(j, "cap", c->acs_cap, 4);
		json_hex(j, "ctrl", c->acs_ctrl, 4);
		json_obj_end(j);
	} else {
		json_null(j, "acs");
	}
	if (c->sriov)
		json_int(j, "sriov_total_vfs", c->sriov_total_vfs);
	else
		json_null(j, "sriov_total_vfs");
	json_bool(j, "ari", c->ari);
	json_obj_end(j);
}

void cli_json_device(struct json *j, const char *key, const struct pt_device *d)
{
	json_obj_begin(j, key);
	json_str(j, "bdf", d->bdf);
	json_hex(j, "vendor_id", d->vendor_id, 4);
	json_hex(j, "device_id", d->device_id, 4);
	json_hex(j, "subsystem_vendor_id", d->subsys_vendor_id, 4);
	json_hex(j, "subsystem_device_id", d->subsys_device_id, 4);
	json_hex(j, "class", d->class_code, 6);
	json_hex(j, "revision", d->revision, 2);
	json_str(j, "vendor", d->vendor_name);
	json_str(j, "device", d->device_name);
	json_str(j, "subsystem", d->subsys_name);
	json_str(j, "class_name", d->class_name);
	json_str(j, "class_key", pt_device_class_key(d));
	str_or_null(j, "driver", d->driver);
	str_or_null(j, "driver_override", d->driver_override);
	if (d->iommu_group >= 0)
		json_int(j, "iommu_group", d->iommu_group);
	else
		json_null(j, "iommu_group");
	if (d->numa_node >= 0)
		json_int(j, "numa_node", d->numa_node);
	else
		json_null(j, "numa_node");
	cli_json_strv(j, "reset_methods", &d->reset_methods);
	json_str(j, "reset_source", d->reset_from_kernel ? "kernel" : "derived");
	json_bool(j, "is_bridge", d->is_bridge);
	json_bool(j, "multifunction", d->multifunction);
	str_or_null(j, "parent", d->parent);
	str_or_null(j, "physfn", d->physfn);
	cli_json_strv(j, "vfs", &d->vfs);
	json_bool(j, "boot_vga", d->boot_vga);
	cli_json_strv(j, "net", &d->net);
	cli_json_strv(j, "block", &d->block);
	cli_json_strv(j, "partitions", &d->partitions);
	cli_json_strv(j, "in_use", &d->in_use);
	cli_json_blockers(j, "blockers", &d->blockers);
	str_or_null(j, "platform", d->platform);
	/* 64 = an unprivileged reader: capabilities beyond are unknown */
	json_uint(j, "config_size", d->config_len);
	json_bars(j, d);
	json_caps(j, d->caps);
	json_obj_end(j);
}

void cli_json_group(struct json *j, const char *key, const struct pt_group *g)
{
	json_obj_begin(j, key);
	json_int(j, "id", g->id);
	str_or_null(j, "type", g->type);
	json_arr_begin(j, "devices");
	for (int i = 0; i < g->nr_devices; i++)
		json_str(j, NULL, g->devices[i]->bdf);
	json_arr_end(j);
	json_bool(j, "viable", g->viable);
	cli_json_strv(j, "not_viable", &g->not_viable);
	cli_json_strv(j, "needs_rebind", &g->needs_rebind);
	cli_json_strv(j, "blocked_by", &g->blocked_by);
	cli_json_blockers(j, "blockers", &g->blockers);
	json_obj_end(j);
}

const char *cli_dev_ids(const struct pt_device *d, char *buf, size_t n)
{
	snprintf(buf, n, "%04x:%04x", d->vendor_id, d->device_id);
	return buf;
}

const char *cli_dev_label(const struct pt_device *d, char *buf, size_t n)
{
	if (*d->vendor_name && *d->device_name)
		snprintf(buf, n, "%s %s", d->vendor_name, d->device_name);
	else if (*d->vendor_name)
		snprintf(buf, n, "%s device %04x", d->vendor_name, d->device_id);
	else
		snprintf(buf, n, "device %04x:%04x", d->vendor_id, d->device_id);
	return buf;
}
