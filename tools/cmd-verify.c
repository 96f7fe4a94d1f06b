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
#include <string.h>
#include <unistd.h>

#include "tools/discover.h"
#include "vfio/dmatest.h"
#include "verify/checks.h"

static int cmd_verify_main(struct cli *cli, int argc, char **argv);
CLI_COMMAND(verify, cmd_verify_main,
	   "prove a device's IOMMU isolation (DMA checks; text, JSON, TAP, JUnit)",
	   "verify DEVICE... [--iommu type1|iommufd|both] "
	   "[--format text|json|tap|junit] [-o FILE] [--allow-skip]\n"
	   "       [--scratch-lba [NSID:]START[+COUNT]]   (NVMe: LBAs the DMA checks may overwrite)");

#define VERIFY_MAX_DEVICES 64

/* Without --iommu: the library's default backend, iommufd when the kernel
 * offers /dev/iommu, else type1. */
static const char *default_backend(struct pt_ctx *ctx)
{
	char path[4096];

	if (pt_ctx_path(ctx, path, sizeof(path), "dev/iommu") == 0 &&
	    access(path, F_OK) == 0)
		return "iommufd";
	return "type1";
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

static int parse_args(const struct cli_command *self, int argc, char **argv,
		      const char **iommu, enum vfy_format *fmt,
		      const char **outpath, bool *allow_skip, struct pt_dmat_opts *scratch,
		      bool *have_scratch)
{
	static const struct option opts[] = {
		{ "iommu", required_argument, NULL, 'i' },
		{ "scratch-lba", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "allow-skip", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:f:o:h", opts, NULL)) != -1) {
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
			break;
		case 'o': *outpath = optarg; break;
		case 'S':
			if (pt_dmat_parse_scratch(optarg, scratch) < 0)
				return cli_usage_error(self, "--scratch-lba takes [NSID:]START[+COUNT] "
						      "(LBAs, COUNT > 0), not '%s'", optarg);
			*have_scratch = true;
			break;
		case 's': *allow_skip = true; break;
		case 'h':
			printf("usage: passthru %s\n", self->usage);
			return -1;
		case ':':
			return cli_usage_error(self, "option '%s' needs a value",
					      argv[optind - 1]);
		default:
			return cli_usage_error(self, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(self, "no DEVICE given");
	if (argc - optind > VERIFY_MAX_DEVICES)
		return cli_usage_error(self, "at most %d devices at once",
				      VERIFY_MAX_DEVICES);
	return 0;
}

static int cmd_verify_main(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *self = cli_command_find("verify");
	const struct pt_device *devs[VERIFY_MAX_DEVICES];
	const char *iommu = NULL, *outpath = NULL, *backends[2];
	enum vfy_format fmt = VFY_FMT_TEXT;
	struct pt_dmat_opts scratch = { 0 };
	bool allow_skip = false, have_scratch = false;
	struct vfy_report rep;
	struct vfy_host host;
	struct pt_ctx *ctx;
	int nr = 0, nb = 0, ret;
	char sum[96];
	FILE *out;

	ret = parse_args(self, argc, argv, &iommu, &fmt, &outpath, &allow_skip, &scratch,
			 &have_scratch);
	if (ret)
		return ret < 0 ? CLI_EXIT_OK : ret;
	ret = cli_open(cli, &ctx, NULL);
	if (ret)
		return ret;
	for (int i = optind; i < argc; i++) {
		const struct pt_device *d;
		bool dup = false;

		if (pt_resolve_device(ctx, argv[i], &d) < 0) {
			cli_err("%s", pt_last_error());
			pt_ctx_free(ctx);
			return CLI_EXIT_USAGE;
		}
		for (int k = 0; k < nr; k++)
			dup |= devs[k] == d;
		if (!dup)
			devs[nr++] = d;
	}
	out = open_output(outpath);
	if (!out) {
		pt_ctx_free(ctx);
		return CLI_EXIT_USAGE;
	}
	if (vfy_host_init(&host, ctx) < 0) {
		cli_err("%s", pt_last_error());
		if (out != stdout)
			fclose(out);
		pt_ctx_free(ctx);
		return CLI_EXIT_FAIL;
	}
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
	ret = write_report(&rep, fmt, out, outpath, cli->color);
	/* -o FILE: the machine report goes to FILE and a human one to the
	 * log (the table, or just the summary when FILE has the table) */
	if (out != stdout && fmt != VFY_FMT_TEXT)
		vfy_write_text_color(&rep, stdout, cli->color);
	else if (out != stdout)
		printf("%s\n", vfy_summary_line(&rep, sum, sizeof(sum)));
	ret = !ret && vfy_all_passed(&rep, allow_skip) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	vfy_report_free(&rep);
	pt_ctx_free(ctx);
	return ret;
}
