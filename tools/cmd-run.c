// SPDX-License-Identifier: MIT
/*
 * cmd-run.c — `passthru run`: boot the minimal KVM guest, optionally with
 * assigned devices, and exit with the guest's status.
 *
 * Exit status: the value the guest wrote to the debug-exit port (0..255),
 * 124 when --timeout stopped it, 125 when the guest faulted (access to an
 * unmapped address, triple fault, KVM emulation failure), 1 when the VM or
 * a device could not be set up, 2 for bad input.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/passthru.h"
#include "tools/cli.h"
#include "lib/json.h"
#include "lib/sysfs.h"
#include "guest/embed.h"
#include "vmm/vmm.h"
#include "vmm/vfio-dev.h"

#define RUN_MAX_DEVICES		VMM_PCI_MAX_DEVS
#define RUN_MAX_IMAGE		(64u << 20)

struct run_opts {
	const char *devices[RUN_MAX_DEVICES];
	int nr_devices;
	uint64_t mem;
	const char *iommu;
	const char *guest;
	const char *guest_arg;
	double timeout;
	bool json;
	bool assign;
	enum pt_mem_kind mem_kind;
};

static int run_load_file(const char *path, uint8_t **img, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pt_set_error(errno, "cannot open guest image %s: %s", path,
				    strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > RUN_MAX_IMAGE) {
		close(fd);
		return pt_set_error(EINVAL, "guest image %s must be a non-empty regular "
				    "file of at most %u MiB (a flat binary linked at "
				    "0x100000)", path, RUN_MAX_IMAGE >> 20);
	}
	*img = malloc(st.st_size);
	if (!*img) {
		close(fd);
		return pt_set_error(ENOMEM, "out of memory for %s", path);
	}
	n = read(fd, *img, st.st_size);
	ret = errno;
	close(fd);
	if (n != st.st_size) {
		free(*img);
		return pt_set_error(n < 0 ? ret : EIO, "cannot read guest image %s", path);
	}
	*len = n;
	return 0;
}

/*
 * DEVICE as `passthru` takes it everywhere (BDF, short BDF, vendor:device,
 * interface name) to the full BDF VFIO wants.  -errno with the message.
 */
static int run_resolve(const struct cli *cli, const char *arg, char *bdf,
		       size_t n)
{
	const struct pt_device *dev;
	struct pt_ctx *ctx;
	int ret;

	ret = pt_ctx_new(&ctx, cli->root);
	if (ret)
		return ret;
	ret = pt_resolve_device(ctx, arg, &dev);
	if (!ret)
		snprintf(bdf, n, "%s", dev->bdf);
	pt_ctx_free(ctx);
	return ret;
}

/*
 * --assign: the library's assign before and its release after, in this
 * process (struct pt_txn): every check of `passthru assign` — blockers,
 * whole group, locks, journal, rollback — applies unchanged.  What it says
 * goes to stderr (stdout may be --json).  Devices already on vfio-pci (or
 * a variant) are left alone.
 */
static bool run_on_vfio(const struct cli *cli, const char *bdf)
{
	char rel[192], drv[PT_NAME_LEN] = "";
	struct pt_sysfs fs;

	if (pt_sysfs_init(&fs, cli->root))
		return false;
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", bdf);
	pt_sysfs_readlink_base(&fs, rel, drv, sizeof(drv));
	pt_sysfs_fini(&fs);
	return pt_driver_is_vfio(drv);
}

static void run_bind_log(void *priv, enum pt_log_level level, const char *msg)
{
	const struct cli *cli = priv;

	if (level == PT_LOG_NOTICE || cli->verbose)
		fprintf(stderr, "passthru: %s\n", msg);
}

static int run_bind_helper(const struct cli *cli, const char *verb, const char *bdf)
{
	enum pt_txn_op op = strcmp(verb, "assign") ? PT_TXN_RELEASE : PT_TXN_ASSIGN;
	struct pt_txn *t = NULL;
	int ret;

	ret = pt_txn_new(&t, op, cli->root, 0);
	if (!ret) {
		pt_txn_set_log(t, run_bind_log, (void *)cli);
		ret = pt_txn_add_device(t, bdf, NULL) ?: pt_txn_apply(t);
		for (int i = 0; i < pt_txn_nr_notes(t); i++)
			fprintf(stderr, "passthru: note: %s\n", pt_txn_note(t, i)->text);
	}
	if (ret)
		cli_err("%s", pt_last_error());
	pt_txn_free(t);
	return ret ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static void run_list_guests(void)
{
	for (const struct guest_prog *p = guest_progs; p->name; p++)
		printf("%-14s %s\n", p->name, p->summary);
}

static const char *run_stop_name(enum vmm_stop s)
{
	switch (s) {
	case VMM_STOP_EXIT: return "exit";
	case VMM_STOP_TIMEOUT: return "timeout";
	case VMM_STOP_FAULT: return "fault";
	default: return "running";
	}
}

static void run_print_json(struct vmm *vm, const struct run_opts *o,
			   struct vmm_vfio_dev **vdevs, int nr)
{
	struct json j;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "guest", o->guest);
	json_str(&j, "stop", run_stop_name(vm->stop));
	json_int(&j, "status", vmm_status(vm));
	if (vm->stop == VMM_STOP_FAULT)
		json_str(&j, "fault", vm->fault);
	json_uint(&j, "mem_bytes", vm->ram_size);
	json_str(&j, "mem_backing", pt_mem_kind_name(vm->ram_mem.kind));
	json_double(&j, "first_exit_ms", (vm->t_first_exit_ns - vm->t_start_ns) / 1e6);
	json_double(&j, "run_ms", (vm->t_end_ns - vm->t_start_ns) / 1e6);
	json_uint(&j, "exits", vm->nr_exits);
	json_uint(&j, "pio_exits", vm->nr_pio_exits);
	json_uint(&j, "mmio_exits", vm->nr_mmio_exits);
	json_uint(&j, "pci_filtered", vm->pci_bad_accesses);
	json_arr_begin(&j, "devices");
	for (int i = 0; i < vm->nr_pci; i++) {
		struct vmm_pci_dev *d = vm->pci[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "name", d->name);
		json_strf(&j, "guest_bdf", "00:%02x.0", d->devfn >> 3);
		json_arr_begin(&j, "bars");
		for (int b = 0; b < 6; b++) {
			if (!d->bar[b].size)
				continue;
			json_obj_begin(&j, NULL);
			json_int(&j, "index", b);
			json_uint(&j, "size", d->bar[b].size);
			json_strf(&j, "gpa", "0x%llx", (unsigned long long)d->bar[b].gpa);
			json_str(&j, "kind", d->bar[b].kind == VMM_BAR_SLOT ? "slot" : "trap");
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_str(&j, "irq", d->irq_index == 2 ? "msi-x" : d->irq_index == 1 ?
			 "msi" : d->irq_index == 0 ? "intx" : "none");
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "vfio");
	for (int i = 0; i < nr; i++) {
		struct vmm_vfio_desc v;

		vmm_vfio_describe(vdevs[i], &v);
		json_obj_begin(&j, NULL);
		json_str(&j, "bdf", v.bdf);
		json_int(&j, "iommu_group", v.iommu_group);
		json_str(&j, "iommu", v.iommu);
		json_strf(&j, "guest_bdf", "00:%02x.0", v.guest_devfn >> 3);
		json_bool(&j, "ram_mapped_iova_eq_gpa", v.ram_mapped);
		if (v.nr_mappings >= 0) {
			json_int(&j, "iommu_mappings", v.nr_mappings);
			json_uint(&j, "iommu_mapped_bytes", v.mapped_bytes);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_str(&j, "serial", vm->serial_buf ? vm->serial_buf : "");
	json_obj_end(&j);
	json_finish(&j);
}

static int run_parse(const struct cli_command *self, int argc, char **argv,
		     struct run_opts *o, bool *done)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "mem", required_argument, NULL, 'm' },
		{ "iommu", required_argument, NULL, 'i' },
		{ "guest", required_argument, NULL, 'g' },
		{ "guest-arg", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "assign", no_argument, NULL, 'A' },
		{ "hugepages", required_argument, NULL, 'H' },
		{ "list-guests", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:m:i:g:a:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (o->nr_devices >= RUN_MAX_DEVICES)
				return cli_usage_error(self, "at most %d --device options",
						      RUN_MAX_DEVICES);
			o->devices[o->nr_devices++] = optarg;
			break;
		case 'm':
			if (pt_parse_size(optarg, &o->mem) < 0)
				return cli_usage_error(self, "--mem: %s", pt_last_error());
			if (o->mem < VMM_MEM_MIN || o->mem > VMM_MEM_MAX || (o->mem & 0xfff))
				return cli_usage_error(self, "--mem: %s is outside 2M..3G or not "
						      "a multiple of 4K", optarg);
			break;
		case 'i':
			if (strcmp(optarg, "type1") && strcmp(optarg, "iommufd") &&
			    strcmp(optarg, "auto"))
				return cli_usage_error(self, "--iommu: '%s' is not type1, "
						      "iommufd or auto", optarg);
			o->iommu = optarg;
			break;
		case 'g':
			o->guest = optarg;
			break;
		case 'a':
			if (strlen(optarg) >= sizeof(((struct vmm_boot_info *)0)->arg))
				return cli_usage_error(self, "--guest-arg: at most 63 characters");
			o->guest_arg = optarg;
			break;
		case 't':
			errno = 0;
			o->timeout = strtod(optarg, &end);
			if (errno || end == optarg || *end || o->timeout < 0 ||
			    o->timeout > 86400)
				return cli_usage_error(self, "--timeout: '%s' is not a number "
						      "of seconds (0..86400)", optarg);
			break;
		case 'j':
			o->json = true;
			break;
		case 'A':
			o->assign = true;
			break;
		case 'H':
			if (strcmp(optarg, "2M") && strcmp(optarg, "1G"))
				return cli_usage_error(self, "--hugepages: '%s' is not 2M or 1G",
						      optarg);
			pt_mem_kind_parse(optarg, &o->mem_kind);
			break;
		case 'L':
			run_list_guests();
			*done = true;
			return CLI_EXIT_OK;
		case 'h':
			printf("usage: passthru %s\n", self->usage);
			*done = true;
			return CLI_EXIT_OK;
		default:
			return cli_usage_error(self, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int cmd_run_main(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *self = cli_command_find("run");
	struct run_opts o = { .mem = 32ULL << 20, .guest = "hello", .timeout = 30 };
	struct vmm_vfio_dev *vdevs[RUN_MAX_DEVICES] = { 0 };
	struct vmm_membar membar[RUN_MAX_DEVICES];
	char bdfs[RUN_MAX_DEVICES][PT_BDF_LEN];
	bool assigned[RUN_MAX_DEVICES] = { 0 };
	struct vmm_vfio_set *vset = NULL;
	const struct guest_prog *prog;
	struct vmm_config cfg = { 0 };
	uint8_t *file_img = NULL;
	const uint8_t *img;
	size_t img_len = 0;
	struct vmm *vm = NULL;
	bool done = false;
	int ret, nr_vfio = 0, nr_membar = 0, status = CLI_EXIT_FAIL;

	ret = run_parse(self, argc, argv, &o, &done);
	if (ret || done)
		return ret;
	prog = guest_prog_find(o.guest);
	if (prog) {
		img = prog->start;
		img_len = prog->end - prog->start;
	} else if (strchr(o.guest, '/') || !access(o.guest, F_OK)) {
		if (run_load_file(o.guest, &file_img, &img_len) < 0)
			return cli_usage_error(self, "--guest: %s", pt_last_error());
		img = file_img;
	} else {
		return cli_usage_error(self, "--guest: '%s' is neither a built-in program "
				      "(see --list-guests) nor a file", o.guest);
	}
	if ((o.mem_kind == PT_MEM_HUGE_2M && (o.mem & ((2ULL << 20) - 1))) ||
	    (o.mem_kind == PT_MEM_HUGE_1G && (o.mem & ((1ULL << 30) - 1))))
		return cli_usage_error(self, "--mem must be a multiple of the huge page "
				      "size with --hugepages %s",
				      o.mem_kind == PT_MEM_HUGE_2M ? "2M" : "1G");
	if (prog && prog->needs != GUEST_NEEDS_NONE && !o.nr_devices)
		return cli_usage_error(self, "--guest %s drives %s; give it with --device",
				      prog->name, prog->needs == GUEST_NEEDS_EDU ?
				      "an edu device (1234:11e8)" :
				      prog->needs == GUEST_NEEDS_NIC ?
				      "a NIC (e1000e 8086:10d3, igb or igbvf)" :
				      prog->needs == GUEST_NEEDS_NVME ?
				      "an NVMe controller" : "test:membar");
	if (img_len > o.mem - VMM_GPA_LOAD - 4096) {
		free(file_img);
		return cli_usage_error(self, "--guest: the image (%zu bytes) does not fit "
				      "in --mem; raise --mem", img_len);
	}

	for (int i = 0; i < o.nr_devices; i++) {
		if (!strcmp(o.devices[i], "test:membar"))
			continue;
		if (run_resolve(cli, o.devices[i], bdfs[i], sizeof(bdfs[i])) < 0) {
			free(file_img);
			return cli_usage_error(self, "--device %s: %s", o.devices[i],
					      pt_last_error());
		}
	}

	for (int i = 0; o.assign && i < o.nr_devices; i++) {
		if (!strcmp(o.devices[i], "test:membar") || run_on_vfio(cli, bdfs[i]))
			continue;
		ret = run_bind_helper(cli, "assign", bdfs[i]);
		if (ret) {
			cli_err("--assign: `passthru assign %s` failed (status %d); "
			       "nothing was run", bdfs[i], ret);
			goto out;
		}
		assigned[i] = true;
	}

	cfg.mem_size = o.mem;
	cfg.timeout_ms = o.timeout * 1000;
	cfg.serial_out = o.json ? NULL : stdout;
	cfg.serial_capture = o.json ? 1 << 20 : 0;
	cfg.guest_arg = o.guest_arg;
	cfg.irqchip = o.nr_devices > 0;
	cfg.mem_kind = o.mem_kind;
	ret = vmm_create(&vm, &cfg);
	if (ret) {
		cli_err("%s", pt_last_error());
		goto out;
	}
	for (int i = 0; i < o.nr_devices; i++) {
		const char *dev = o.devices[i];

		if (!strcmp(dev, "test:membar")) {
			ret = vmm_membar_add(vm, &membar[nr_membar], 64 << 10);
			if (!ret)
				nr_membar++;
		} else {
			if (!vset)
				ret = vmm_vfio_set_open(&vset, vm, o.iommu);
			if (!ret)
				ret = vmm_vfio_add(vset, bdfs[i], &vdevs[nr_vfio]);
			if (!ret)
				nr_vfio++;
		}
		if (ret) {
			cli_err("--device %s: %s", dev, pt_last_error());
			goto out;
		}
	}
	if (vset) {
		ret = vmm_vfio_map_ram(vset);
		if (ret) {
			cli_err("%s", pt_last_error());
			goto out;
		}
	}
	ret = vmm_load_image(vm, img, img_len);
	if (ret) {
		cli_err("%s", pt_last_error());
		goto out;
	}
	vmm_run(vm);
	if (!o.json)
		fflush(stdout);
	status = vmm_status(vm);
	if (vm->stop == VMM_STOP_TIMEOUT)
		cli_err("guest %s did not exit within %g s (--timeout); stopped it",
		       o.guest, o.timeout);
	else if (vm->stop == VMM_STOP_FAULT)
		cli_err("guest %s stopped: %s", o.guest, vm->fault);
	if (o.json)
		run_print_json(vm, &o, vdevs, nr_vfio);
	else if (cli->verbose)
		fprintf(stderr, "passthru: guest %s: %s, status %d, %llu exits, "
			"first exit after %.3f ms, total %.3f ms\n", o.guest,
			run_stop_name(vm->stop), status,
			(unsigned long long)vm->nr_exits,
			(vm->t_first_exit_ns - vm->t_start_ns) / 1e6,
			(vm->t_end_ns - vm->t_start_ns) / 1e6);
out:
	/* Devices go first: their BAR slots and irqfds belong to the VM. */
	if (vm)
		vmm_pci_exit(vm);
	for (int i = 0; i < nr_vfio; i++)
		vmm_vfio_free(vdevs[i]);
	vmm_vfio_set_close(vset);
	for (int i = 0; i < nr_membar; i++)
		vmm_membar_free(&membar[i]);
	vmm_destroy(vm);
	free(file_img);
	for (int i = o.nr_devices - 1; i >= 0; i--) {
		if (!assigned[i])
			continue;
		ret = run_bind_helper(cli, "release", bdfs[i]);
		if (ret) {
			cli_err("--assign: `passthru release %s` failed (status %d); run it "
			       "by hand", bdfs[i], ret);
			if (status == CLI_EXIT_OK)
				status = CLI_EXIT_FAIL;
		}
	}
	return status;
}

CLI_COMMAND(run, cmd_run_main,
	   "boot the minimal KVM guest, optionally driving assigned devices",
	   "run [--device DEVICE]... [--assign] [--mem SIZE] [--hugepages 2M|1G]\n"
	   "                    [--iommu type1|iommufd]\n"
	   "                    [--guest NAME|FILE] [--guest-arg ARG] [--timeout S] [--json]\n"
	   "                    [--list-guests]\n"
	   "  Exit status: the guest's (0..255), 124 timeout, 125 guest fault,\n"
	   "  1 set-up failed, 2 bad input.  DEVICE: a BDF bound to vfio-pci, or\n"
	   "  test:membar (a memfd standing in for a BAR).  --assign assigns\n"
	   "  first and releases after (as `passthru assign/release`), for devices\n"
	   "  not yet on vfio-pci.  Default --mem 32M,\n"
	   "  --guest hello, --timeout 30 (0: none).");
