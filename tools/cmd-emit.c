// SPDX-License-Identifier: MIT
/*
 * passthru emit FORMAT [DEVICE...] — hand the devices' whole IOMMU groups
 * to the stack that runs the guest: QEMU arguments, libvirt <hostdev>
 * elements, cloud-hypervisor --device, a KubeVirt permittedHostDevices
 * block, an SR-IOV network device plugin resourceList, a Node Feature
 * Discovery feature file, or the JSON inventory they are all rendered from.
 * The formats are tools/emit-*.c; the shared run is tools/emit.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/passthru.h"
#include "tools/emit.h"

static int cmd_emit_main(struct cli *cli, int argc, char **argv);
CLI_COMMAND(emit, cmd_emit_main,
	   "print the devices' groups for QEMU, libvirt, cloud-hypervisor, KubeVirt, SR-IOV DP, NFD, JSON",
	   "emit FORMAT [DEVICE...] [-o FILE] [--json] [OPTIONS]\n"
	   "FORMAT: qemu, libvirt, cloud-hypervisor, kubevirt, sriov-dp (DEVICE required);\n"
	   "        nfd, json (no DEVICE: the whole machine)\n"
	   "Every endpoint function of each DEVICE's IOMMU group is emitted; bridges stay.\n"
	   "DEVICE: as `passthru help assign`; 01:00 is every function of the slot.\n"
	   "  --all                  DEVICE as ids (8086:10d3) or a class (class=net):\n"
	   "                         every matching device (else it must match one)\n"
	   "  -o FILE                write FILE atomically (temporary file + rename)\n"
	   "  --json                 {command, format, status, output, notes, error}\n"
	   "  --iommu type1|iommufd  qemu, libvirt: the VFIO backend (default: iommufd\n"
	   "                         when /dev/iommu and every function's cdev exist)\n"
	   "  --cdev-fd              qemu: iommufd with pre-opened cdevs (fd=N)\n"
	   "  --no-rom               qemu, libvirt: hide the functions' expansion ROMs\n"
	   "  --slot N               qemu, libvirt: first guest slot of multifunction\n"
	   "                         devices (default 0x10)\n"
	   "  --resource-name NAME   kubevirt, sriov-dp: the resource (per vendor:device)\n"
	   "  --resource-prefix P    sriov-dp: resourcePrefix (default passthru)\n"
	   "  --external             kubevirt: externalResourceProvider: true\n"
	   "  --expiry DURATION      nfd: # +expiry-time this far ahead (30m, 24h, 7d)\n"
	   "  --mem SIZE             guest RAM for the memlock/hugepage notes (default 1G)\n"
	   "Exit: 0 emitted, 1 cannot be emitted here (no IOMMU group), 2 bad input.");

/* Bad input: the message and usage on stderr, exit 2; with --json also
 * {command, format, status: "bad-input", error} on stdout. */
static int bad(const struct cli_command *self, const struct emit_request *rq,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(const struct cli_command *self, const struct emit_request *rq,
	       const char *fmt, ...)
{
	char msg[512];
	struct json j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rq->json) {
		cli_json_start(&j);
		json_obj_begin(&j, NULL);
		json_str(&j, "command", "emit");
		json_str(&j, "format", rq->format);
		json_str(&j, "status", "bad-input");
		json_null(&j, "output");
		json_arr_begin(&j, "notes");
		json_arr_end(&j);
		json_str(&j, "error", msg);
		json_obj_end(&j);
		json_finish(&j);
	}
	return cli_usage_error(self, "%s", msg);
}

/* "90", "30s", "15m", "24h", "7d" -> seconds; -1 on anything else. */
static long long parse_duration(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0 || v > 10LL * 365 * 86400)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	if (!strcmp(end, "d"))
		return v * 86400;
	return -1;
}

static int parse_slot(const char *s, unsigned int *slot)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v < 1 || v > 0x1f)
		return -1;
	*slot = (unsigned int)v;
	return 0;
}

/* A resource name the consumers accept: letters, digits, '_', '.', '-'
 * and at most one '/' (kubevirt: prefix/name). */
static bool resource_ok(const char *s, bool slash_ok)
{
	size_t n = strlen(s);

	if (!n || n > 63 + (slash_ok ? 254 : 0))
		return false;
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789_.-/") != n)
		return false;
	return slash_ok ? strchr(s, '/') == strrchr(s, '/') : !strchr(s, '/');
}

enum {
	OPT_IOMMU = 1000, OPT_CDEV_FD, OPT_NO_ROM, OPT_SLOT, OPT_RES_NAME,
	OPT_RES_PREFIX, OPT_EXTERNAL, OPT_EXPIRY, OPT_MEM, OPT_ALL,
};

static int parse_opt(const struct cli_command *self, int c, const char *arg,
		     struct emit_request *rq)
{
	struct emit_opts *o = &rq->opts;

	switch (c) {
	case 'o': rq->output = arg; return 0;
	case 'j': rq->json = true; return 0;
	case OPT_IOMMU:
		if (!strcmp(arg, "type1"))
			o->iommu = EMIT_IOMMU_TYPE1;
		else if (!strcmp(arg, "iommufd"))
			o->iommu = EMIT_IOMMU_IOMMUFD;
		else
			return bad(self, rq, "--iommu must be type1 or iommufd, "
					      "not '%s'", arg);
		return 0;
	case OPT_CDEV_FD: o->cdev_fd = true; return 0;
	case OPT_NO_ROM: o->no_rom = true; return 0;
	case OPT_SLOT:
		if (parse_slot(arg, &o->slot) < 0)
			return bad(self, rq, "--slot must be a guest slot 1..0x1f, "
					      "not '%s'", arg);
		return 0;
	case OPT_RES_NAME:
		if (!resource_ok(arg, true))
			return bad(self, rq, "--resource-name '%s': use letters, "
					      "digits, '_', '.', '-' and at most one '/'", arg);
		o->resource_name = arg;
		return 0;
	case OPT_RES_PREFIX:
		if (!resource_ok(arg, false))
			return bad(self, rq, "--resource-prefix '%s': use a domain "
					      "name (letters, digits, '.', '-')", arg);
		o->resource_prefix = arg;
		return 0;
	case OPT_EXTERNAL: o->external = true; return 0;
	case OPT_ALL: rq->all = true; return 0;
	case OPT_EXPIRY:
		o->expiry = parse_duration(arg);
		if (o->expiry <= 0)
			return bad(self, rq, "--expiry must be a duration such as "
					      "30m, 24h or 7d, not '%s'", arg);
		return 0;
	case OPT_MEM:
		if (pt_parse_size(arg, &o->check.guest_mem) < 0 || !o->check.guest_mem)
			return bad(self, rq, "--mem '%s': %s", arg, pt_last_error());
		o->check.guest_mem_given = true;
		return 0;
	case ':':
		return bad(self, rq, "option '%s' needs a value", arg);
	default:
		return bad(self, rq, "unknown option '%s'", arg);
	}
}

static int cmd_emit_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "iommu", required_argument, NULL, OPT_IOMMU },
		{ "cdev-fd", no_argument, NULL, OPT_CDEV_FD },
		{ "no-rom", no_argument, NULL, OPT_NO_ROM },
		{ "slot", required_argument, NULL, OPT_SLOT },
		{ "resource-name", required_argument, NULL, OPT_RES_NAME },
		{ "resource-prefix", required_argument, NULL, OPT_RES_PREFIX },
		{ "external", no_argument, NULL, OPT_EXTERNAL },
		{ "expiry", required_argument, NULL, OPT_EXPIRY },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "all", no_argument, NULL, OPT_ALL },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("emit");
	struct emit_request rq = { 0 };
	int c, ret;

	emit_opts_init(&rq.opts);
	/* known before parsing (passthru.c looked), so that bad input is
	 * reported as emit's JSON too */
	rq.json = cli->json;
	cli->own_option_errors = true;
	while ((c = cli_getopt(cli, self, argc, argv, "o:j", opts)) != -1) {
		const char *arg = c == ':' || c == '?' ? cli_bad_option() : optarg;

		ret = parse_opt(self, c, arg, &rq);
		if (ret)
			return ret;
	}
	if (optind >= argc)
		return bad(self, &rq, "no FORMAT given");
	rq.format = argv[optind++];
	if (!emit_format_find(rq.format))
		return bad(self, &rq, "unknown format '%s' (see `passthru help emit`)",
			   rq.format);
	if (rq.opts.cdev_fd && rq.opts.iommu == EMIT_IOMMU_TYPE1)
		return bad(self, &rq, "--cdev-fd needs iommufd, not --iommu type1");
	rq.devices = argv + optind;
	rq.nr_devices = argc - optind;
	return emit_run(cli, &rq);
}
