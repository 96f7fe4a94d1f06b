// SPDX-License-Identifier: MIT
/*
 * passthru verify DEVICE... [--iommu type1|iommufd|both]
 *                 [--format text|json|tap|junit] [-o FILE] [--allow-skip]
 *                 [--scratch-lba [NSID:]START[+COUNT]]
 *
 * Proves the IOMMU isolation of assigned devices with the battery in
 * verify/: host checks (IOMMU, translation, interrupt remapping, ACS,
 * viability, drivers) for every device, then the DMA checks through each
 * requested backend with the device's DMA-test driver.  A device with no
 * driver gets the host checks only; its DMA checks are reported as skipped
 * with the reason and the summary says isolation is not proven.
 *
 * With -o FILE the report goes to FILE and stdout gets the text table (or,
 * for --format text, only the summary line), so a CI log stays readable
 * while the JUnit/TAP/JSON file feeds the test reporter.
 *
 * Exit: 0 when every check passed (with --allow-skip: none failed and at
 * least one passed), 1 otherwise, 2 on bad input (including an -o FILE that
 * cannot be written: it is opened before any check runs).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/sysfs.h"
#include "tools/discover.h"
#include "tools/emit.h"
#include "vfio/dmatest.h"
#include "verify/checks.h"

static int cmd_verify_main(struct cli *cli, int argc, char **argv);
CLI_COMMAND(verify, cmd_verify_main,
	   "prove a device's IOMMU isolation (DMA checks; text, JSON, TAP, JUnit)",
	   "verify DEVICE... [--all] [--iommu type1|iommufd|both] "
	   "[--format text|json|tap|junit] [--json] [-o FILE]\n"
	   "                       [--allow-skip] [--emit nfd [--emit-file FILE] [--expiry DURATION]]\n"
	   "                       [--scratch-lba [NSID:]START[+COUNT]]\n"
	   "--json is --format json.  DEVICE: as `passthru help assign` (--all: every\n"
	   "device ids or a class match).\n"
	   "--scratch-lba: NVMe LBAs the DMA checks may overwrite (else only a blank\n"
	   "namespace is written).\n"
	   "--emit nfd: a Node Feature Discovery feature file with the host facts and\n"
	   "this run's result and time (expiring after --expiry, default 24h),\n"
	   "atomically in FILE, or on stdout: then the report goes to -o FILE or, as\n"
	   "a table, to stderr.");

/* verify --emit nfd: what emit needs beyond the report. */
struct verify_emit {
	const char *format;		/* NULL: no --emit */
	const char *file;		/* --emit-file */
	long long expiry;		/* seconds; 0 = none */
};

/* "30m", "24h", "7d", "0" (no expiry) -> seconds; -1 on anything else. */
static long long parse_expiry(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (end == s || v < 0 || v > 3650LL * 86400)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	return !strcmp(end, "d") ? v * 86400 : -1;
}

#define VERIFY_MAX_DEVICES 64

/* Without --iommu: the library's default backend, iommufd when the kernel
 * offers /dev/iommu, else type1. */
static const char *default_backend(struct pt_ctx *ctx)
{
	return pt_sysfs_exists(pt_ctx_sysfs(ctx), "dev/iommu") ? "iommufd" : "type1";
}

/* Opened before the checks run, so a bad path costs no DMA test. */
static FILE *open_output(const char *path)
{
	FILE *f;

	if (!path || !strcmp(path, "-"))
		return stdout;
	f = fopen(path, "w");
	if (!f)
		cli_err("cannot write the report to %s: %s", path, strerror(errno));
	return f;
}

static int write_report(const struct vfy_report *rep, enum vfy_format fmt,
			FILE *f, const char *path, bool color)
{
	int ret = f == stdout && fmt == VFY_FMT_TEXT ?
		  vfy_write_text_color(rep, f, color) : vfy_write(rep, fmt, f);

	if (f != stdout && fclose(f) && !ret)
		ret = -errno;
	if (ret)
		cli_err("writing the report to %s failed: %s",
		       f == stdout ? "stdout" : path, strerror(-ret));
	return ret;
}

static int parse_args(struct cli *cli, const struct cli_command *self,
		      int argc, char **argv,
		      const char **iommu, enum vfy_format *fmt,
		      const char **outpath, bool *allow_skip, bool *all,
		      struct verify_emit *ve,
		      struct pt_dmat_opts *scratch, bool *have_scratch)
{
	static const struct option opts[] = {
		{ "iommu", required_argument, NULL, 'i' },
		{ "scratch-lba", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "allow-skip", no_argument, NULL, 's' },
		{ "emit", required_argument, NULL, 'E' },
		{ "emit-file", required_argument, NULL, 'F' },
		{ "expiry", required_argument, NULL, 'X' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = cli_getopt(cli, self, argc, argv, "i:f:o:j", opts)) != -1) {
		switch (c) {
		case 'i':
			if (strcmp(optarg, "type1") && strcmp(optarg, "iommufd") &&
			    strcmp(optarg, "both"))
				return cli_usage_error(self, "--iommu must be type1, "
						      "iommufd or both, not '%s'", optarg);
			*iommu = optarg;
			break;
		case 'f':
			if (vfy_format_parse(optarg, fmt) < 0)
				return cli_usage_error(self, "--format must be text, "
						      "json, tap or junit, not '%s'", optarg);
			/* a failure is JSON too when the report is */
			cli->json = *fmt == VFY_FMT_JSON;
			break;
		case 'j': *fmt = VFY_FMT_JSON; break;
		case 'A': *all = true; break;
		case 'o': *outpath = optarg; break;
		case 'S':
			if (pt_dmat_parse_scratch(optarg, scratch) < 0)
				return cli_usage_error(self, "--scratch-lba takes [NSID:]START[+COUNT] "
						      "(LBAs, COUNT > 0), not '%s'", optarg);
			*have_scratch = true;
			break;
		case 's': *allow_skip = true; break;
		case 'E':
			if (strcmp(optarg, "nfd"))
				return cli_usage_error(self, "--emit: verify emits nfd, not "
						      "'%s' (see `passthru emit`)", optarg);
			ve->format = optarg;
			break;
		case 'F': ve->file = optarg; break;
		case 'X':
			ve->expiry = parse_expiry(optarg);
			if (ve->expiry < 0)
				return cli_usage_error(self, "--expiry must be a duration such "
						      "as 30m, 24h, 7d or 0, not '%s'", optarg);
			break;
		default:
			return CLI_EXIT_USAGE;	/* cli_getopt() named it */
		}
	}
	if (optind >= argc)
		return cli_usage_error(self, "no DEVICE given");
	if (ve->file && !ve->format)
		return cli_usage_error(self, "--emit-file needs --emit nfd");
	if (argc - optind > VERIFY_MAX_DEVICES)
		return cli_usage_error(self, "at most %d devices at once",
				      VERIFY_MAX_DEVICES);
	return 0;
}

/* The NFD feature file of this run: the host facts and group counts of
 * the whole machine, and the run's result, time and per-device results.
 * The exit status stays verify's unless the file cannot be written. */
static int emit_verify(struct cli *cli, const struct verify_emit *ve,
		       const struct vfy_report *rep, int status, bool allow_skip)
{
	struct emit_request rq = { .format = ve->format, .output = ve->file };
	int ret;

	emit_opts_init(&rq.opts);
	rq.opts.expiry = ve->expiry;
	rq.opts.verify = rep;
	rq.opts.verify_ok = status == CLI_EXIT_OK;
	rq.opts.verify_allow_skip = allow_skip;
	ret = emit_run(cli, &rq);
	return ret ? CLI_EXIT_FAIL : status;
}

static int cmd_verify_main(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *self = cli_command_find("verify");
	const struct pt_device *devs[VERIFY_MAX_DEVICES];
	const char *iommu = NULL, *outpath = NULL, *backends[2];
	enum vfy_format fmt = cli->json ? VFY_FMT_JSON : VFY_FMT_TEXT;
	bool allow_skip = false, nfd_on_stdout, have_scratch = false, all = false;
	struct pt_dmat_opts scratch = { 0 };
	struct verify_emit ve = { .expiry = 24 * 3600 };
	struct vfy_report rep;
	struct vfy_host host;
	struct pt_ctx *ctx;
	int nr = 0, nb = 0, ret;
	char sum[96];
	FILE *out, *human;

	ret = parse_args(cli, self, argc, argv, &iommu, &fmt, &outpath, &allow_skip, &all, &ve,
			 &scratch, &have_scratch);
	if (ret)
		return ret;
	ret = cli_open(cli, &ctx, NULL);
	if (ret)
		return ret;
	for (int i = optind; i < argc; i++) {
		const struct pt_device *found[VERIFY_MAX_DEVICES];
		int n = pt_resolve_devices(ctx, argv[i], all ? PT_RESOLVE_ALL : 0,
					   found, VERIFY_MAX_DEVICES);

		if (n < 0) {
			cli_error_device(argv[i]);
			cli_err("%s", pt_last_error());
			pt_ctx_free(ctx);
			return CLI_EXIT_USAGE;
		}
		for (int f = 0; f < n; f++) {
			bool dup = false;

			for (int k = 0; k < nr; k++)
				dup |= devs[k] == found[f];
			if (dup)
				continue;
			if (nr == VERIFY_MAX_DEVICES) {
				pt_ctx_free(ctx);
				return cli_usage_error(self, "at most %d devices at once",
						      VERIFY_MAX_DEVICES);
			}
			devs[nr++] = found[f];
		}
	}
	/* --emit nfd without --emit-file: stdout is the NFD file's, the
	 * report goes to -o FILE or, as the table, to stderr */
	nfd_on_stdout = ve.format && !ve.file;
	out = !outpath && nfd_on_stdout ? stderr : open_output(outpath);
	if (!out) {
		pt_ctx_free(ctx);
		return CLI_EXIT_USAGE;
	}
	if (vfy_host_init(&host, ctx) < 0) {
		cli_err("%s", pt_last_error());
		if (out != stdout)
			fclose(out);
		vfy_host_fini(&host);
		pt_ctx_free(ctx);
		return CLI_EXIT_FAIL;
	}
	human = nfd_on_stdout ? stderr : stdout;
	host.dmat_opts = have_scratch ? &scratch : NULL;
	if (!iommu)
		iommu = default_backend(ctx);
	if (!strcmp(iommu, "both")) {
		backends[nb++] = "type1";
		backends[nb++] = "iommufd";
	} else {
		backends[nb++] = iommu;
	}

	vfy_report_init(&rep);
	for (int i = 0; i < nr; i++) {
		vfy_check_host(&rep, &host, devs[i]);
		for (int b = 0; b < nb; b++)
			vfy_check_dma(&rep, &host, devs[i], backends[b]);
	}
	ret = out == stderr ? vfy_write_text_color(&rep, stderr, false)
	      : write_report(&rep, fmt, out, outpath, cli->color);
	if (fmt == VFY_FMT_JSON && out != stderr)
		cli_json_printed();
	/* -o FILE: the machine report goes to FILE and a human one to the
	 * log (the table, or just the summary when FILE has the table) */
	if (out != stdout && out != stderr && fmt != VFY_FMT_TEXT)
		vfy_write_text_color(&rep, human, cli->color && !nfd_on_stdout);
	else if (out != stdout && out != stderr)
		fprintf(human, "%s\n", vfy_summary_line(&rep, sum, sizeof(sum)));
	ret = !ret && vfy_all_passed(&rep, allow_skip) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	if (ve.format)
		ret = emit_verify(cli, &ve, &rep, ret, allow_skip);
	vfy_report_free(&rep);
	vfy_host_fini(&host);
	pt_ctx_free(ctx);
	return ret;
}
