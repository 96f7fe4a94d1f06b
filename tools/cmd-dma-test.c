// SPDX-License-Identifier: MIT
/*
 * passthru dma-test DEVICE [--iommu type1|iommufd] [--hugepages 2M|1G]
 *                          [--size BYTES] [--scratch-lba [NSID:]START[+COUNT]]
 *                          [--json]
 *
 * Opens an assigned device, maps a buffer through the IOMMU, has the
 * device's DMA-test driver (edu, e1000e, igb, igbvf, nvme) copy a pattern
 * both ways (the device reads the source and writes the destination by
 * DMA, then back into a third buffer), checks every byte, raises an
 * interrupt and waits for it on its eventfd.  Reports the map time, the
 * copy results and the interrupt.  An NVMe controller's copy goes through
 * scratch LBAs: a blank namespace, or the range --scratch-lba declares
 * (the driver refuses ranges a partition table or filesystem holds).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/discover.h"
#include "vfio/dmatest.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

/* index of the first differing byte, or -1 */
static long mismatch(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

struct result {
	const char *bdf, *driver, *backend, *mem, *irq;
	char device[160];	/* what the driver found: MAC, namespace */
	uint64_t iova, size, len;
	double map_us, copy_ms[2];
	long bad[2];
	int irq_seen;
	bool ok;
	char error[1024];
};

static void print_json(const struct result *r)
{
	struct json j;

	cli_json_start(&j);
	json_obj_begin(&j, NULL);
	json_str(&j, "device", r->bdf);
	json_str(&j, "driver", r->driver);
	json_str(&j, "iommu", r->backend);
	json_str(&j, "memory", r->mem);
	json_str(&j, "device_info", r->device);
	json_uint(&j, "buffer_bytes", r->size);
	json_strf(&j, "iova", "0x%" PRIx64, r->iova);
	json_double(&j, "map_us", r->map_us);
	json_uint(&j, "copy_bytes", r->len);
	json_arr_begin(&j, "copies");
	for (int i = 0; i < 2; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "direction", i ? "dst->dst2" : "src->dst");
		json_bool(&j, "ok", r->bad[i] == -1);
		json_int(&j, "first_bad_byte", r->bad[i]);
		json_double(&j, "ms", r->copy_ms[i]);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_str(&j, "interrupt", r->irq);
	json_bool(&j, "interrupt_seen", r->irq_seen > 0);
	json_bool(&j, "ok", r->ok);
	if (!r->ok)
		json_str(&j, "error", r->error);
	json_obj_end(&j);
	json_finish(&j);
}

static void print_text(const struct result *r)
{
	printf("%s: %s DMA test through %s, %s memory\n", r->bdf, r->driver, r->backend, r->mem);
	if (r->device[0])
		printf("  device   %s\n", r->device);
	printf("  map      %" PRIu64 " bytes at IOVA 0x%" PRIx64 " in %.1f us\n", r->size, r->iova, r->map_us);
	for (int i = 0; i < 2; i++) {
		if (r->bad[i] == -1)
			printf("  copy %d   %" PRIu64 " bytes %s: ok (%.1f ms)\n", i + 1, r->len,
			       i ? "dst -> dst2" : "src -> dst", r->copy_ms[i]);
		else
			printf("  copy %d   %" PRIu64 " bytes %s: MISMATCH at byte %ld\n", i + 1, r->len,
			       i ? "dst -> dst2" : "src -> dst", r->bad[i]);
	}
	printf("  irq      %s vector 0: %s\n", r->irq, r->irq_seen > 0 ? "seen on its eventfd" : "NOT seen");
	printf("%s\n", r->ok ? "ok" : "FAILED");
}

/* What the driver learnt about the device, for the report. */
static void describe(const struct pt_dmat *t, struct result *r)
{
	const struct pt_drv *d = &t->drv;

	if (d->has_mac)
		snprintf(r->device, sizeof(r->device), "MAC %02x:%02x:%02x:%02x:%02x:%02x%s",
			 d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4], d->mac[5],
			 d->copy_prefix_len ? ", frames addressed to itself" : "");
	else if (!strcmp(t->ops->name, "nvme"))
		snprintf(r->device, sizeof(r->device), "namespace %u, %u-byte LBAs, "
			 "scratch LBAs %u+%u", d->diag[0], d->diag[1], d->diag[2], d->diag[3]);
}

static int dma_test(struct pt_iommu *io, const char *bdf, enum pt_mem_kind kind,
		    uint64_t size, const struct pt_dmat_opts *o, struct result *r)
{
	struct pt_dmat t;
	uint8_t *m;
	uint64_t t0;
	int ret, i;

	ret = pt_dmat_open_opts(&t, io, bdf, kind, size, o);
	if (ret < 0)
		return ret;
	describe(&t, r);
	m = t.mem->addr;
	r->driver = t.ops->name;
	r->irq = pt_dmat_irq_name(&t);
	r->iova = t.iova;
	r->size = t.mem->size;
	r->map_us = t.map_ns / 1000.0;
	r->len = pt_drv_copy_len(&t.drv, 1024);
	fill(m + PT_DMAT_SRC, r->len, 0x5a);
	pt_dmat_prefix(&t, m + PT_DMAT_SRC, r->len);
	memset(m + PT_DMAT_DST, 0, 0x2000);
	for (i = 0; i < 2; i++) {
		uint64_t src = i ? PT_DMAT_DST : PT_DMAT_SRC, dst = i ? PT_DMAT_DST2 : PT_DMAT_DST;

		t0 = now_ns();
		ret = pt_dmat_copy(&t, src, dst, r->len);
		r->copy_ms[i] = (now_ns() - t0) / 1e6;
		if (ret < 0)
			goto out;
		r->bad[i] = mismatch(m + PT_DMAT_SRC, m + dst, r->len);
	}
	pt_dmat_irq_drain(&t);	/* edu also signals each copy's completion */
	r->irq_seen = pt_dmat_irq_roundtrip(&t, 0, 2000);
	ret = r->irq_seen < 0 ? r->irq_seen : 0;
out:
	{
		char saved[1024];

		snprintf(saved, sizeof(saved), "%s", pt_last_error());
		pt_dmat_close(&t);
		if (ret < 0)
			pt_set_error(-ret, "%s", saved);
	}
	return ret;
}

static int cmd_dma_test(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iommu", required_argument, NULL, 'i' },
		{ "hugepages", required_argument, NULL, 'H' },
		{ "size", required_argument, NULL, 's' },
		{ "scratch-lba", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("dma-test");
	enum pt_iommu_backend be = PT_IOMMU_AUTO;
	enum pt_mem_kind kind = PT_MEM_ANON;
	const struct pt_device *d;
	const struct pt_system *sys;
	struct pt_iommu *io = NULL;
	struct pt_ctx *ctx;
	struct result r = { .bad = { -2, -2 } };
	struct pt_dmat_opts o = { 0 };
	uint64_t size = 0;
	bool json = cli->json;
	int c, ret;

	while ((c = cli_getopt(cli, self, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'i':
			if (pt_iommu_backend_parse(optarg, &be) < 0)
				return cli_usage_error(self, "%s", pt_last_error());
			break;
		case 'H':
			if (pt_mem_kind_parse(optarg, &kind) < 0 || kind < PT_MEM_HUGE_2M)
				return cli_usage_error(self, "--hugepages takes 2M or 1G, not '%s'", optarg);
			break;
		case 's':
			if (pt_parse_size(optarg, &size) < 0 || size > (1ull << 34))
				return cli_usage_error(self, "--size takes a size up to 16G like 64K or 2M, not '%s'", optarg);
			break;
		case 'S':
			if (pt_dmat_parse_scratch(optarg, &o) < 0)
				return cli_usage_error(self, "--scratch-lba takes [NSID:]START[+COUNT] "
						      "(LBAs, COUNT > 0), not '%s'", optarg);
			break;
		case 'j':
			json = true;
			break;
		default:
			return CLI_EXIT_USAGE;	/* cli_getopt() named it */
		}
	}
	if (optind >= argc)
		return cli_usage_error(self, "missing DEVICE");
	if (optind + 1 < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
	ret = cli_open(cli, &ctx, &sys);
	if (ret)
		return ret;
	cli_error_device(argv[optind]);
	if (pt_resolve_device(ctx, argv[optind], &d) < 0) {
		cli_err("%s", pt_last_error());
		pt_ctx_free(ctx);
		return CLI_EXIT_USAGE;
	}
	r.bdf = d->bdf;
	r.mem = pt_mem_kind_name(kind);
	if (!pt_driver_is_vfio(d->driver))
		ret = pt_set_error(EBUSY, "%s: the device is %s%s, not vfio-pci: run `passthru assign %s` first",
				   d->bdf, d->driver[0] ? "bound to " : "without a driver", d->driver, d->bdf);
	else
		ret = pt_iommu_open(&io, be);
	if (ret == 0) {
		r.backend = pt_iommu_backend_name(pt_iommu_get_backend(io));
		ret = dma_test(io, d->bdf, kind, size, &o, &r);
	} else {
		r.backend = pt_iommu_backend_name(be);
	}
	r.ok = ret == 0 && r.bad[0] == -1 && r.bad[1] == -1 && r.irq_seen > 0;
	if (ret < 0)
		snprintf(r.error, sizeof(r.error), "%s", pt_last_error());
	else if (!r.ok)
		snprintf(r.error, sizeof(r.error), "%s: %s", d->bdf,
			 r.bad[0] != -1 || r.bad[1] != -1 ? "the copied bytes differ from the source" :
			 "the interrupt did not arrive on its eventfd within 2 s");
	if (json)
		print_json(&r);
	else if (ret == 0)
		print_text(&r);
	if (!r.ok && !json)
		cli_err("%s", r.error);
	pt_iommu_close(io);
	pt_ctx_free(ctx);
	return r.ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* CLI_COMMAND() builds identifiers from the name, which cannot hold '-';
 * this is what it expands to, spelled out. */
static struct cli_command cli_cmd_dma_test = {
	.name = "dma-test",
	.main = cmd_dma_test,
	.summary = "DMA through the IOMMU with the device's test driver, bytes checked",
	.usage = "dma-test DEVICE [--iommu type1|iommufd] [--hugepages 2M|1G] [--size BYTES]\n"
		 "         [--scratch-lba [NSID:]START[+COUNT]] [--json]",
};

__attribute__((constructor)) static void cli_cmd_reg_dma_test(void)
{
	cli_command_register(&cli_cmd_dma_test);
}
