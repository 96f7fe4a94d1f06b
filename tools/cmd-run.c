// SPDX-License-Identifier: MIT
/*
 * cmd-run.c — `passthru run`: boot a KVM guest, optionally with assigned
 * devices, and exit with the guest's status.
 *
 * Two kinds of guest: one of our bare-metal programs (--guest, the
 * default), or a Linux kernel (--kernel bzImage [--initrd] [--append]
 * [--cpus]) that boots with no firmware and drives the devices with its own
 * drivers.
 *
 * Exit status: the value the guest wrote to the debug-exit port (0..255);
 * 0 for an orderly reboot of a Linux guest; 124 when --timeout stopped it;
 * 125 when the guest faulted (access to an unmapped address, triple fault,
 * KVM emulation failure, a kernel panic); 128+N when signal N stopped it,
 * 130 for the console's Ctrl-A x; 1 when the VM or a device could not be
 * set up; 2 for bad input.
 *
 * The command in five steps, one function each: what to boot
 * (run_prepare_image), whether the options fit together (run_check_args),
 * which devices (run_resolve_devices), the library's assign for --assign
 * (run_bind_helper), and the VM's life
 * (run_vm: build, run, report, tear down).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
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
#define RUN_MAX_KERNEL		(256u << 20)
#define RUN_DEFAULT_MEM		(32ULL << 20)
#define RUN_DEFAULT_MEM_LINUX	(256ULL << 20)

/*
 * What a Linux guest gets before --append: the UART as console; no ACPI
 * (there is none: the MP table describes the machine); reboot through the
 * i8042 with panics rebooting "warm" (that is how the VMM tells a panic
 * from a reboot, see vmm/i8042.c) and at once; the i8042 driver told there
 * is no keyboard or mouse to probe.
 */
#define RUN_LINUX_CMDLINE	"console=ttyS0 acpi=off reboot=k,panic_warm panic=-1 " \
				"i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd"

struct run_opts {
	const char *devices[RUN_MAX_DEVICES];
	int nr_devices;
	uint64_t mem;			/* 0: the default for the guest kind */
	const char *mem_arg;
	const char *iommu;
	const char *guest;
	const char *guest_arg;
	const char *kernel, *initrd, *append, *console;
	int cpus;
	double timeout;			/* < 0: the default for the guest kind */
	bool json;
	bool assign;
	enum pt_mem_kind mem_kind;
};

/* What the VM boots: a bare-metal image, or a planned Linux boot. */
struct run_image {
	const char *name;		/* for messages and --json */
	const struct guest_prog *prog;
	uint8_t *file;			/* the file's bytes (guest file or bzImage) */
	const uint8_t *img;
	size_t len;
	bool is_linux;
	struct vmm_bzimage bz;
	struct vmm_linux_plan plan;
	int initrd_fd;
	char *cmdline;
	int console_fd;			/* --console FILE, else -1 */
};

struct run_devices {
	char bdf[RUN_MAX_DEVICES][PT_BDF_LEN];
	bool assigned[RUN_MAX_DEVICES];
};

/* The VM and what is attached to it, torn down in reverse. */
struct run_vm_state {
	struct vmm *vm;
	struct vmm_vfio_set *vset;
	struct vmm_vfio_dev *vdevs[RUN_MAX_DEVICES];
	int nr_vfio;
	struct vmm_membar membar[RUN_MAX_DEVICES];
	int nr_membar;
};

/* ---- signals -------------------------------------------------------------- */

/*
 * SIGINT, SIGTERM, SIGHUP stop the guest and let the normal unwind run
 * (devices closed, --assign released).  Before the VM runs, the steps
 * check run_signal and skip ahead to the unwind.  vCPU threads block these
 * signals, so the handler runs on this thread, never beside vmm_destroy.
 */
static volatile sig_atomic_t run_signal;
static struct vmm *volatile run_running_vm;

static void run_on_signal(int sig)
{
	struct vmm *vm = run_running_vm;

	run_signal = sig;
	if (vm)
		vmm_request_stop(vm, sig);
}

static void run_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = run_on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a closed console pipe is not fatal */
}

static int run_signal_status(void)
{
	return 128 + run_signal;
}

/* ---- files ---------------------------------------------------------------- */

static int run_load_file(const char *path, const char *what, size_t max,
			 uint8_t **img, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pt_set_error(errno, "cannot open %s %s: %s", what, path,
				    strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > max) {
		close(fd);
		return pt_set_error(EINVAL, "%s %s must be a non-empty regular file of "
				    "at most %zu MiB", what, path, max >> 20);
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
		*img = NULL;
		return pt_set_error(n < 0 ? ret : EIO, "cannot read %s %s", what, path);
	}
	*len = n;
	return 0;
}

static int run_open_initrd(const char *path, int *fd, uint64_t *size)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return pt_set_error(errno, "cannot open initrd %s: %s", path,
				    strerror(errno));
	if (fstat(*fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return pt_set_error(EINVAL, "initrd %s must be a non-empty regular file",
				    path);
	*size = st.st_size;
	return 0;
}

/* ---- step 1: what to boot ---------------------------------------------------- */

static int run_prepare_guest(const struct cli_command *self,
			     const struct run_opts *o, struct run_image *im)
{
	im->name = o->guest;
	im->prog = guest_prog_find(o->guest);
	if (im->prog) {
		im->img = im->prog->start;
		im->len = im->prog->end - im->prog->start;
	} else if (strchr(o->guest, '/') || !access(o->guest, F_OK)) {
		if (run_load_file(o->guest, "guest image", RUN_MAX_IMAGE, &im->file,
				  &im->len) < 0)
			return cli_usage_error(self, "--guest: %s (a flat binary linked "
					      "at 0x100000)", pt_last_error());
		im->img = im->file;
	} else {
		return cli_usage_error(self, "--guest: '%s' is neither a built-in program "
				      "(see --list-guests) nor a file", o->guest);
	}
	if (im->len > o->mem - VMM_GPA_LOAD - 4096)
		return cli_usage_error(self, "--guest: the image (%zu bytes) does not fit "
				      "in --mem; raise --mem", im->len);
	return 0;
}

static int run_build_cmdline(const struct run_opts *o, struct run_image *im)
{
	size_t n = strlen(RUN_LINUX_CMDLINE) + 2 + (o->append ? strlen(o->append) : 0);

	im->cmdline = malloc(n);
	if (!im->cmdline)
		return pt_set_error(ENOMEM, "out of memory");
	snprintf(im->cmdline, n, "%s%s%s", RUN_LINUX_CMDLINE, o->append ? " " : "",
		 o->append ? o->append : "");
	return 0;
}

/* Everything about the kernel and initrd is checked here, before any
 * device is touched: a bad file is bad input (status 2), nothing bound. */
static int run_prepare_linux(const struct cli_command *self,
			     const struct run_opts *o, struct run_image *im)
{
	uint64_t low = o->mem < VMM_MMIO_BASE ? o->mem : VMM_MMIO_BASE;
	uint64_t initrd_size = 0;

	im->name = "linux";
	im->is_linux = true;
	if (run_load_file(o->kernel, "kernel", RUN_MAX_KERNEL, &im->file, &im->len) < 0 ||
	    vmm_bzimage_parse(im->file, im->len, &im->bz) < 0)
		return cli_usage_error(self, "--kernel %s: %s", o->kernel, pt_last_error());
	if (o->initrd && run_open_initrd(o->initrd, &im->initrd_fd, &initrd_size) < 0)
		return cli_usage_error(self, "--initrd: %s", pt_last_error());
	if (run_build_cmdline(o, im) < 0) {
		cli_err("%s", pt_last_error());
		return CLI_EXIT_FAIL;
	}
	if (vmm_linux_plan(&im->bz, low, o->mem - low, initrd_size, strlen(im->cmdline),
			   &im->plan) < 0)
		return cli_usage_error(self, "--kernel %s%s%s: %s", o->kernel,
				      o->initrd ? " --initrd " : "",
				      o->initrd ? o->initrd : "", pt_last_error());
	return 0;
}

/* --console FILE is opened here, so that a bad path is bad input too. */
static int run_prepare_image(const struct cli_command *self,
			     const struct run_opts *o, struct run_image *im)
{
	im->initrd_fd = im->console_fd = -1;
	if (o->console && strcmp(o->console, "stdio")) {
		im->console_fd = open(o->console, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				      0644);
		if (im->console_fd < 0)
			return cli_usage_error(self, "--console: cannot write %s: %s",
					      o->console, strerror(errno));
	}
	return o->kernel ? run_prepare_linux(self, o, im) :
			   run_prepare_guest(self, o, im);
}

static void run_image_free(struct run_image *im)
{
	if (im->initrd_fd >= 0)
		close(im->initrd_fd);
	if (im->console_fd >= 0)
		close(im->console_fd);
	free(im->file);
	free(im->cmdline);
}

/* ---- step 2: do the options fit together ------------------------------------- */

static int run_check_linux_args(const struct cli_command *self, struct run_opts *o)
{
	if (!o->kernel) {
		if (o->initrd || o->append || o->console || o->cpus)
			return cli_usage_error(self, "--initrd, --append, --cpus and "
					      "--console go with --kernel");
		return 0;
	}
	if (o->guest || o->guest_arg)
		return cli_usage_error(self, "--kernel boots Linux; --guest and "
				      "--guest-arg are for the bare-metal guests");
	if (o->cpus && (o->cpus < 1 || o->cpus > VMM_MAX_CPUS))
		return cli_usage_error(self, "--cpus: 1 to %d", VMM_MAX_CPUS);
	return 0;
}

static int run_check_mem(const struct cli_command *self, struct run_opts *o)
{
	uint64_t max = o->kernel ? VMM_MEM_MAX_LINUX : VMM_MEM_MAX;

	if (!o->mem)
		o->mem = o->kernel ? RUN_DEFAULT_MEM_LINUX : RUN_DEFAULT_MEM;
	if (o->mem < VMM_MEM_MIN || o->mem > max || (o->mem & 0xfff))
		return cli_usage_error(self, "--mem: %s is outside 2M..%lluG or not a "
				      "multiple of 4K", o->mem_arg,
				      (unsigned long long)(max >> 30));
	if ((o->mem_kind == PT_MEM_HUGE_2M && (o->mem & ((2ULL << 20) - 1))) ||
	    (o->mem_kind == PT_MEM_HUGE_1G && (o->mem & ((1ULL << 30) - 1))))
		return cli_usage_error(self, "--mem must be a multiple of the huge page "
				      "size with --hugepages %s",
				      o->mem_kind == PT_MEM_HUGE_2M ? "2M" : "1G");
	return 0;
}

static int run_check_args(const struct cli_command *self, struct run_opts *o)
{
	const struct guest_prog *prog;
	int ret;

	ret = run_check_linux_args(self, o);
	if (!ret)
		ret = run_check_mem(self, o);
	if (ret)
		return ret;
	if (!o->kernel && !o->guest)
		o->guest = "hello";
	if (o->timeout < 0)
		o->timeout = o->kernel ? 0 : 30;
	prog = o->guest ? guest_prog_find(o->guest) : NULL;
	if (prog && prog->needs != GUEST_NEEDS_NONE && !o->nr_devices)
		return cli_usage_error(self, "--guest %s drives %s; give it with --device",
				      prog->name, prog->needs == GUEST_NEEDS_EDU ?
				      "an edu device (1234:11e8)" :
				      prog->needs == GUEST_NEEDS_NIC ?
				      "a NIC (e1000e 8086:10d3, igb or igbvf)" :
				      prog->needs == GUEST_NEEDS_NVME ?
				      "an NVMe controller" : "test:membar");
	return 0;
}

/* ---- step 3: which devices --------------------------------------------------- */

static bool run_is_membar(const char *dev)
{
	return !strcmp(dev, "test:membar");
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

static int run_resolve_devices(const struct cli *cli, const struct cli_command *self,
			       const struct run_opts *o, struct run_devices *devs)
{
	for (int i = 0; i < o->nr_devices; i++) {
		if (run_is_membar(o->devices[i]))
			continue;
		if (run_resolve(cli, o->devices[i], devs->bdf[i], sizeof(devs->bdf[i])) < 0)
			return cli_usage_error(self, "--device %s: %s", o->devices[i],
					      pt_last_error());
	}
	return 0;
}

/* ---- step 4: --assign ----------------------------------------------------------- */

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

/*
 * --assign: the library's assign before and its release after, in this
 * process (struct pt_txn): every check of `passthru assign` (blockers,
 * whole group, locks, journal, rollback) applies unchanged.  What it says
 * goes to stderr (stdout may be --json).  A signal stops an assign between
 * groups and undoes what it changed (pt_txn_set_cancel).
 */
static int run_bind_helper(const struct cli *cli, enum pt_txn_op op, const char *bdf)
{
	struct pt_txn *t = NULL;
	int ret;

	ret = pt_txn_new(&t, op, cli->root, 0);
	if (!ret) {
		pt_txn_set_log(t, run_bind_log, (void *)cli);
		if (op == PT_TXN_ASSIGN)
			pt_txn_set_cancel(t, &run_signal);
		ret = pt_txn_add_device(t, bdf, NULL) ?: pt_txn_apply(t);
		for (int i = 0; i < pt_txn_nr_notes(t); i++)
			fprintf(stderr, "passthru: note: %s\n", pt_txn_note(t, i)->text);
	}
	if (ret)
		cli_err("%s", pt_last_error());
	pt_txn_free(t);
	return ret;
}

/* Devices not yet on vfio-pci are assigned; CLI_EXIT_OK or FAIL. */
static int run_assign_devices(const struct cli *cli, const struct run_opts *o,
			      struct run_devices *devs)
{
	for (int i = 0; o->assign && i < o->nr_devices && !run_signal; i++) {
		if (run_is_membar(o->devices[i]) || run_on_vfio(cli, devs->bdf[i]))
			continue;
		if (run_bind_helper(cli, PT_TXN_ASSIGN, devs->bdf[i])) {
			cli_err("--assign: assigning %s failed (above); nothing was run",
				devs->bdf[i]);
			return CLI_EXIT_FAIL;
		}
		devs->assigned[i] = true;
	}
	return run_signal ? run_signal_status() : CLI_EXIT_OK;
}

/* Releases what run_assign_devices assigned; status, made 1 on failure. */
static int run_release_devices(const struct cli *cli, const struct run_opts *o,
			       struct run_devices *devs, int status)
{
	for (int i = o->nr_devices - 1; i >= 0; i--) {
		if (!devs->assigned[i])
			continue;
		if (run_bind_helper(cli, PT_TXN_RELEASE, devs->bdf[i])) {
			cli_err("--assign: releasing %s failed (above); run `passthru "
				"release %s` by hand", devs->bdf[i], devs->bdf[i]);
			if (status == CLI_EXIT_OK)
				status = CLI_EXIT_FAIL;
		}
	}
	return status;
}

/* ---- step 5: the VM ---------------------------------------------------------- */

static void run_print_devices_json(struct json *j, struct vmm *vm)
{
	json_arr_begin(j, "devices");
	for (int i = 0; i < vm->nr_pci; i++) {
		struct vmm_pci_dev *d = vm->pci[i];

		json_obj_begin(j, NULL);
		json_str(j, "name", d->name);
		json_strf(j, "guest_bdf", "00:%02x.0", d->devfn >> 3);
		json_arr_begin(j, "bars");
		for (int b = 0; b < 6; b++) {
			if (!d->bar[b].size)
				continue;
			json_obj_begin(j, NULL);
			json_int(j, "index", b);
			json_uint(j, "size", d->bar[b].size);
			json_strf(j, "gpa", "0x%llx", (unsigned long long)d->bar[b].gpa);
			json_str(j, "kind", d->bar[b].kind == VMM_BAR_SLOT ? "slot" : "trap");
			json_obj_end(j);
		}
		json_arr_end(j);
		json_str(j, "irq", d->irq_index == 2 ? "msi-x" : d->irq_index == 1 ?
			 "msi" : d->irq_index == 0 ? "intx" : "none");
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void run_print_vfio_json(struct json *j, const struct run_vm_state *s)
{
	json_arr_begin(j, "vfio");
	for (int i = 0; i < s->nr_vfio; i++) {
		struct vmm_vfio_desc v;

		vmm_vfio_describe(s->vdevs[i], &v);
		json_obj_begin(j, NULL);
		json_str(j, "bdf", v.bdf);
		json_int(j, "iommu_group", v.iommu_group);
		json_str(j, "iommu", v.iommu);
		json_strf(j, "guest_bdf", "00:%02x.0", v.guest_devfn >> 3);
		json_bool(j, "ram_mapped_iova_eq_gpa", v.ram_mapped);
		if (v.nr_mappings >= 0) {
			json_int(j, "iommu_mappings", v.nr_mappings);
			json_uint(j, "iommu_mapped_bytes", v.mapped_bytes);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void run_print_json(const struct run_vm_state *s, const struct run_image *im)
{
	struct vmm *vm = s->vm;
	struct json j;

	cli_json_start(&j);
	json_obj_begin(&j, NULL);
	json_str(&j, "guest", im->name);
	if (im->is_linux) {
		json_str(&j, "cmdline", im->cmdline);
		json_int(&j, "cpus", vm->nr_cpus);
	}
	json_str(&j, "stop", vmm_stop_name(vm->stop));
	json_int(&j, "status", vmm_status(vm));
	if (vm->stop == VMM_STOP_FAULT)
		json_str(&j, "fault", vm->fault);
	json_uint(&j, "mem_bytes", vm->ram_size);
	json_str(&j, "mem_backing", pt_mem_kind_name(vm->ram_mem->kind));
	/* The VMM's own cost (VM, RAM, IOMMU mapping, loading the guest),
	 * then the guest's first exit and the whole run, all from vmm_create. */
	json_double(&j, "setup_ms", (vm->t_run_ns - vm->t_start_ns) / 1e6);
	json_double(&j, "first_exit_ms", (vm->t_first_exit_ns - vm->t_start_ns) / 1e6);
	json_double(&j, "run_ms", (vm->t_end_ns - vm->t_start_ns) / 1e6);
	json_uint(&j, "exits", vm->nr_exits);
	json_uint(&j, "pio_exits", vm->nr_pio_exits);
	json_uint(&j, "mmio_exits", vm->nr_mmio_exits);
	json_uint(&j, "pci_filtered", vm->pci_bad_accesses);
	json_uint(&j, "msix_blocked", vm->msix_blocked);
	run_print_devices_json(&j, vm);
	run_print_vfio_json(&j, s);
	json_str(&j, "serial", vm->serial_buf ? vm->serial_buf : "");
	json_obj_end(&j);
	json_finish(&j);
}

/* The console: --console FILE, else stdout (not with --json: the output is
 * in the JSON), and stdin for a Linux guest's input when it is ours to
 * read. */
static int run_console(const struct run_opts *o, const struct run_image *im,
		       struct vmm *vm)
{
	bool stdio = im->console_fd < 0;
	int in = -1, out = -1;
	bool raw = false;

	if (!stdio)
		out = im->console_fd;
	else if (!o->json)
		out = STDOUT_FILENO;
	/* A terminal only while we are in its foreground (no SIGTTIN). */
	if (o->kernel && stdio && (!isatty(STDIN_FILENO) ||
				   tcgetpgrp(STDIN_FILENO) == getpgrp())) {
		in = STDIN_FILENO;
		raw = isatty(STDIN_FILENO);
	}
	return vmm_console_attach(vm, in, out, raw);
}

static void run_vm_config(const struct run_opts *o, struct vmm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_size = o->mem;
	cfg->timeout_ms = o->timeout * 1000;
	cfg->serial_capture = o->json ? 1 << 20 : 0;
	cfg->guest_arg = o->guest_arg;
	cfg->irqchip = o->nr_devices > 0;
	cfg->os_platform = o->kernel != NULL;
	cfg->nr_cpus = o->cpus;
	cfg->mem_kind = o->mem_kind;
}

static int run_attach_devices(const struct run_opts *o, const struct run_devices *devs,
			      struct run_vm_state *s)
{
	int ret = 0;

	for (int i = 0; i < o->nr_devices && !run_signal; i++) {
		const char *dev = o->devices[i];

		if (run_is_membar(dev)) {
			ret = vmm_membar_add(s->vm, &s->membar[s->nr_membar], 64 << 10);
			if (!ret)
				s->nr_membar++;
		} else {
			if (!s->vset)
				ret = vmm_vfio_set_open(&s->vset, s->vm, o->iommu);
			if (!ret)
				ret = vmm_vfio_add(s->vset, devs->bdf[i], &s->vdevs[s->nr_vfio]);
			if (!ret)
				s->nr_vfio++;
		}
		if (ret) {
			cli_err("--device %s: %s", dev, pt_last_error());
			return ret;
		}
	}
	return 0;
}

/* VM, devices, RAM in the IOMMU, the guest in RAM: 0 or -errno (said). */
static int run_build(const struct run_opts *o, const struct run_devices *devs,
		     const struct run_image *im, struct run_vm_state *s)
{
	struct vmm_config cfg;
	int ret;

	run_vm_config(o, &cfg);
	ret = vmm_create(&s->vm, &cfg);
	if (!ret)
		ret = run_console(o, im, s->vm);
	if (ret) {
		cli_err("%s", pt_last_error());
		return ret;
	}
	ret = run_attach_devices(o, devs, s);
	if (ret)
		return ret;
	if (s->vset && (ret = vmm_vfio_map_ram(s->vset))) {
		cli_err("%s", pt_last_error());
		return ret;
	}
	ret = im->is_linux ?
	      vmm_linux_load(s->vm, &im->bz, &im->plan, im->initrd_fd, im->cmdline) :
	      vmm_load_image(s->vm, im->img, im->len);
	if (ret)
		cli_err("%s", pt_last_error());
	return ret;
}

static int run_report(const struct cli *cli, const struct run_opts *o,
		      const struct run_image *im, const struct run_vm_state *s)
{
	struct vmm *vm = s->vm;
	int status = vmm_status(vm);

	if (vm->stop == VMM_STOP_TIMEOUT)
		cli_err("guest %s did not exit within %g s (--timeout); stopped it",
			im->name, o->timeout);
	else if (vm->stop == VMM_STOP_FAULT)
		cli_err("guest %s stopped: %s", im->name, vm->fault);
	else if (vm->stop == VMM_STOP_SIGNAL)
		cli_err("guest %s stopped by signal %d", im->name, vm->stop_signal);
	if (vm->con.dropped)
		cli_warn("%llu bytes of guest output were lost (the console was not "
			 "read)", (unsigned long long)vm->con.dropped);
	if (o->json)
		run_print_json(s, im);
	else if (cli->verbose)
		fprintf(stderr, "passthru: guest %s: %s, status %d, %llu exits, "
			"first exit after %.3f ms, total %.3f ms\n", im->name,
			vmm_stop_name(vm->stop), status,
			(unsigned long long)vm->nr_exits,
			(vm->t_first_exit_ns - vm->t_start_ns) / 1e6,
			(vm->t_end_ns - vm->t_start_ns) / 1e6);
	return status;
}

static void run_teardown(struct run_vm_state *s)
{
	run_running_vm = NULL;
	/* Devices go first: their BAR slots and irqfds belong to the VM. */
	if (s->vm)
		vmm_pci_exit(s->vm);
	for (int i = 0; i < s->nr_vfio; i++)
		vmm_vfio_free(s->vdevs[i]);
	vmm_vfio_set_close(s->vset);
	for (int i = 0; i < s->nr_membar; i++)
		vmm_membar_free(&s->membar[i]);
	vmm_destroy(s->vm);
}

static int run_vm(const struct cli *cli, const struct run_opts *o,
		  const struct run_devices *devs, const struct run_image *im)
{
	struct run_vm_state s = { 0 };
	int status = CLI_EXIT_FAIL;

	if (run_build(o, devs, im, &s) == 0 && !run_signal) {
		run_running_vm = s.vm;
		if (run_signal)		/* arrived just before the line above */
			vmm_request_stop(s.vm, run_signal);
		if (vmm_run(s.vm) == 0)
			status = run_report(cli, o, im, &s);
		else
			cli_err("%s", pt_last_error());
		if (!o->json)
			fflush(stdout);
	}
	if (run_signal && status == CLI_EXIT_FAIL)
		status = run_signal_status();
	run_teardown(&s);
	return status;
}

/* ---- options --------------------------------------------------------------------- */

static void run_list_guests(void)
{
	for (const struct guest_prog *p = guest_progs; p->name; p++)
		printf("%-14s %s\n", p->name, p->summary);
}


static int run_parse_opt(const struct cli_command *self, int c, struct run_opts *o)
{
	char *end;
	double v;

	switch (c) {
	case 'd':
		if (o->nr_devices >= RUN_MAX_DEVICES)
			return cli_usage_error(self, "at most %d --device options",
					      RUN_MAX_DEVICES);
		o->devices[o->nr_devices++] = optarg;
		return 0;
	case 'm':
		o->mem_arg = optarg;
		if (pt_parse_size(optarg, &o->mem) < 0)
			return cli_usage_error(self, "--mem: %s", pt_last_error());
		if (!o->mem)
			o->mem = 1;	/* "0": rejected as too small, not defaulted */
		return 0;
	case 'i':
		if (strcmp(optarg, "type1") && strcmp(optarg, "iommufd") &&
		    strcmp(optarg, "auto"))
			return cli_usage_error(self, "--iommu: '%s' is not type1, "
					      "iommufd or auto", optarg);
		o->iommu = optarg;
		return 0;
	case 'g':
		o->guest = optarg;
		return 0;
	case 'a':
		if (strlen(optarg) >= sizeof(((struct vmm_boot_info *)0)->arg))
			return cli_usage_error(self, "--guest-arg: at most 63 characters");
		o->guest_arg = optarg;
		return 0;
	case 't':
		if (cli_parse_duration(optarg, 86400, &o->timeout))
			return cli_usage_error(self, "--timeout: '%s' is not a duration "
					      "(0..24h; seconds, or with a unit: 500ms, "
					      "2s, 1m)", optarg);
		return 0;
	case 'c':
		errno = 0;
		v = strtod(optarg, &end);
		if (errno || end == optarg || *end || v < 1 || v > VMM_MAX_CPUS ||
		    v != (int)v)
			return cli_usage_error(self, "--cpus: '%s' is not a number of "
					      "vCPUs (1..%d)", optarg, VMM_MAX_CPUS);
		o->cpus = v;
		return 0;
	case 'H':
		if (strcmp(optarg, "2M") && strcmp(optarg, "1G"))
			return cli_usage_error(self, "--hugepages: '%s' is not 2M or 1G",
					      optarg);
		pt_mem_kind_parse(optarg, &o->mem_kind);
		return 0;
	case 'K': o->kernel = optarg; return 0;
	case 'I': o->initrd = optarg; return 0;
	case 'P': o->append = optarg; return 0;
	case 'C': o->console = optarg; return 0;
	case 'j': o->json = true; return 0;
	case 'A': o->assign = true; return 0;
	}
	return CLI_EXIT_USAGE;	/* cli_getopt() named it */
}

static int run_parse(struct cli *cli, const struct cli_command *self, int argc,
		     char **argv, struct run_opts *o, bool *done)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "mem", required_argument, NULL, 'm' },
		{ "iommu", required_argument, NULL, 'i' },
		{ "guest", required_argument, NULL, 'g' },
		{ "guest-arg", required_argument, NULL, 'a' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "initrd", required_argument, NULL, 'I' },
		{ "append", required_argument, NULL, 'P' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "console", required_argument, NULL, 'C' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "assign", no_argument, NULL, 'A' },
		{ "hugepages", required_argument, NULL, 'H' },
		{ "list-guests", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	o->json = cli->json;
	while ((c = cli_getopt(cli, self, argc, argv, "d:m:i:g:a:t:j", opts)) != -1) {
		if (c == 'L') {
			run_list_guests();
			*done = true;
			return CLI_EXIT_OK;
		}
		ret = run_parse_opt(self, c, o);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int cmd_run_main(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *self = cli_command_find("run");
	struct run_opts o = { .timeout = -1 };
	struct run_image im = { .initrd_fd = -1, .console_fd = -1 };
	struct run_devices devs = { 0 };
	bool done = false;
	int status;

	status = run_parse(cli, self, argc, argv, &o, &done);
	if (status || done)
		return status;
	status = run_check_args(self, &o);
	if (!status)
		status = run_prepare_image(self, &o, &im);
	if (!status)
		status = run_resolve_devices(cli, self, &o, &devs);
	if (!status) {
		run_catch_signals();
		status = run_assign_devices(cli, &o, &devs);
		if (status == CLI_EXIT_OK)
			status = run_vm(cli, &o, &devs, &im);
		status = run_release_devices(cli, &o, &devs, status);
	}
	run_image_free(&im);
	return status;
}

CLI_COMMAND(run, cmd_run_main,
	   "boot a KVM guest (ours or Linux), optionally driving assigned devices",
	   "run [--device DEVICE]... [--assign] [--mem SIZE] [--hugepages 2M|1G]\n"
	   "                    [--iommu type1|iommufd] [--timeout TIME] [--json]\n"
	   "                    [--guest NAME|FILE] [--guest-arg ARG] [--list-guests]\n"
	   "                    [--kernel bzImage [--initrd FILE] [--append ARGS]\n"
	   "                     [--cpus N] [--console stdio|FILE]]\n"
	   "  Exit status: the guest's (0..255; 0 for a Linux guest's reboot),\n"
	   "  124 timeout, 125 guest fault or kernel panic, 128+N signal N, 130\n"
	   "  console Ctrl-A x, 1 set-up failed, 2 bad input.  DEVICE: a BDF bound\n"
	   "  to vfio-pci, or test:membar (a memfd standing in for a BAR).\n"
	   "  --assign assigns first and releases after (as `passthru assign` and\n"
	   "  `release`), for devices not yet on vfio-pci.  Bare-metal guests: default\n"
	   "  --guest hello, --mem 32M, --timeout 30s (0: none).  --kernel: default\n"
	   "  --mem 256M, --cpus 1, no timeout; the console is stdin/stdout\n"
	   "  (raw when a terminal; Ctrl-A x quits) or --console FILE.  TIME:\n"
	   "  seconds, or with a unit: 500ms, 2s, 1m.");
