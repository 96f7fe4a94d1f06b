// SPDX-License-Identifier: MIT
/*
 * hostcheck.c — host readiness for device assignment (`passthru check`),
 * in the spirit of libvirt's virt-host-validate.  Each check is one line:
 * PASS / WARN / FAIL, what was seen, and the fix.  Everything is read under
 * the context's root, so a captured tree is judged like the live host; the
 * only live-only inputs are getrlimit() and the effective capabilities.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/abi-priv.h"
#include "lib/disc-priv.h"
#include "lib/limits-priv.h"

#define DEFAULT_GUEST_MEM (1ull << 30)

/* Room for every check once; the string sizes are the library's own
 * (lib/ABI.md): callers see only const char pointers. */
#define CHECKS_MAX 24
struct check_slot {
	struct pt_check pub;
	char detail[256];
	char fix[256];
};
struct pt_checks {
	struct check_slot v[CHECKS_MAX];
	int n;
};

/* What `passthru check` prints in front of each line. */
static const char *const check_names[] = {
	[PT_CHECK_CPU_VIRT] = "cpu virtualization",
	[PT_CHECK_KVM] = "/dev/kvm",
	[PT_CHECK_IOMMU_FIRMWARE] = "IOMMU in firmware",
	[PT_CHECK_IOMMU_ENABLED] = "IOMMU enabled",
	[PT_CHECK_IOMMU_MODE] = "IOMMU mode",
	[PT_CHECK_INTREMAP] = "interrupt remapping",
	[PT_CHECK_UNSAFE_INTERRUPTS] = "unsafe interrupts",
	[PT_CHECK_VFIO_MODULES] = "VFIO modules",
	[PT_CHECK_VFIO_CONTAINER] = "/dev/vfio/vfio",
	[PT_CHECK_IOMMUFD] = "iommufd",
	[PT_CHECK_MEMLOCK] = "locked memory",
	[PT_CHECK_HUGEPAGES] = "hugepages",
	[PT_CHECK_ACS_OVERRIDE] = "ACS override",
};

static void add(struct pt_checks *c, enum pt_check_id id,
		enum pt_check_status st, const char *fix,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add(struct pt_checks *c, enum pt_check_id id,
		enum pt_check_status st, const char *fix, const char *fmt, ...)
{
	struct check_slot *k;
	va_list ap;

	if (c->n >= CHECKS_MAX)
		return;
	k = &c->v[c->n++];
	snprintf(k->fix, sizeof(k->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(k->detail, sizeof(k->detail), fmt, ap);
	va_end(ap);
	k->pub = (struct pt_check){ .id = id, .status = st, .name = check_names[id],
				    .detail = k->detail, .fix = k->fix };
}

int pt_checks_count(const struct pt_checks *c)
{
	return c ? c->n : 0;
}

const struct pt_check *pt_checks_at(const struct pt_checks *c, int i)
{
	return c && i >= 0 && i < c->n ? &c->v[i].pub : NULL;
}

const struct pt_check *pt_checks_find(const struct pt_checks *c,
				      enum pt_check_id id)
{
	for (int i = 0; c && i < c->n; i++)
		if (c->v[i].pub.id == id)
			return &c->v[i].pub;
	return NULL;
}

void pt_checks_free(struct pt_checks *c)
{
	free(c);
}

const char *pt_check_status_name(enum pt_check_status s)
{
	switch (s) {
	case PT_CHECK_PASS: return "PASS";
	case PT_CHECK_WARN: return "WARN";
	default: return "FAIL";
	}
}

/* Does the space-separated word list contain w? */
static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\n' || p[n] == '\t'))
			return true;
	return false;
}

/* Value of a kernel command-line parameter ("" when given without one),
 * or NULL when absent.  The last occurrence wins, as in the kernel. */
static const char *cmdline_param(const char *cmdline, const char *key,
				 char *buf, size_t n)
{
	size_t kl = strlen(key);
	const char *found = NULL;

	for (const char *p = cmdline; *p; ) {
		while (*p == ' ' || *p == '\n')
			p++;
		/* what follows a lone "--" belongs to init, not the kernel */
		if (p[0] == '-' && p[1] == '-' && (p[2] == ' ' || !p[2]))
			break;
		if (!strncmp(p, key, kl) && (p[kl] == '=' || p[kl] == ' ' ||
					     p[kl] == '\n' || !p[kl])) {
			const char *v = p[kl] == '=' ? p + kl + 1 : p + kl;
			size_t l = strcspn(v, " \n");

			snprintf(buf, n, "%.*s", (int)l, v);
			found = buf;
		}
		p += strcspn(p, " \n");
	}
	return found;
}

static void check_cpu(struct pt_ctx *ctx, struct pt_checks *c)
{
	char *info = NULL, *flags, *eol;
	bool vmx = false, svm = false;

	if (pt_sysfs_slurp(&ctx->fs, "proc/cpuinfo", &info, NULL) < 0) {
		add(c, PT_CHECK_CPU_VIRT, PT_CHECK_FAIL, "mount /proc",
		    "cannot read proc/cpuinfo");
		return;
	}
	flags = strstr(info, "\nflags");
	if (!flags && !strncmp(info, "flags", 5))
		flags = info;
	if (flags) {
		eol = strchr(flags + 1, '\n');
		if (eol)
			*eol = '\0';
		vmx = has_word(flags, "vmx");
		svm = has_word(flags, "svm");
	}
	free(info);
	if (vmx || svm)
		add(c, PT_CHECK_CPU_VIRT, PT_CHECK_PASS, NULL, "%s",
		    vmx ? "Intel VT-x (vmx)" : "AMD-V (svm)");
	else if (pt_sysfs_exists(&ctx->fs, "dev/kvm"))
		/* e.g. a VM whose hypervisor offers KVM without exposing the
		 * flags (PVM); /dev/kvm below decides */
		add(c, PT_CHECK_CPU_VIRT, PT_CHECK_WARN,
		    "none needed if /dev/kvm works; else enable VT-x/AMD-V",
		    "the CPU flags have neither vmx nor svm, yet /dev/kvm exists");
	else
		add(c, PT_CHECK_CPU_VIRT, PT_CHECK_FAIL,
		    "enable VT-x/AMD-V (SVM) in the firmware setup",
		    "the CPU flags have neither vmx nor svm");
}

static void check_kvm(struct pt_ctx *ctx, struct pt_checks *c)
{
	char path[PATH_MAX];
	int fd;

	if (!pt_sysfs_exists(&ctx->fs, "dev/kvm")) {
		add(c, PT_CHECK_KVM, PT_CHECK_FAIL,
		    "modprobe kvm_intel (or kvm_amd); check dmesg for why KVM is disabled",
		    "/dev/kvm does not exist");
		return;
	}
	if (pt_ctx_is_live(ctx)) {
		pt_ctx_path(ctx, path, sizeof(path), "dev/kvm");
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			add(c, PT_CHECK_KVM, PT_CHECK_FAIL,
			    "add the user to the kvm group or run as root",
			    "/dev/kvm exists but cannot be opened: %s",
			    strerror(errno));
			return;
		}
		close(fd);
		add(c, PT_CHECK_KVM, PT_CHECK_PASS, NULL, "exists and opens read-write");
		return;
	}
	add(c, PT_CHECK_KVM, PT_CHECK_PASS, NULL, "exists");
}

static int count_dir(struct pt_ctx *ctx, const char *rel, char *first, size_t n)
{
	struct dirent *de;
	int cnt = 0;
	DIR *d;

	if (first)
		first[0] = '\0';
	d = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, rel);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!cnt && first)
			snprintf(first, n, "%.*s", (int)n - 1, de->d_name);
		cnt++;
	}
	closedir(d);
	return cnt;
}

static void check_iommu(struct pt_ctx *ctx, struct pt_checks *c,
			const char *cmdline, bool *enabled, bool *intel)
{
	bool dmar = pt_sysfs_exists(&ctx->fs, "sys/firmware/acpi/tables/DMAR");
	bool ivrs = pt_sysfs_exists(&ctx->fs, "sys/firmware/acpi/tables/IVRS");
	char first[64], ii[32], ai[32], io[32];
	const char *intel_iommu = cmdline_param(cmdline, "intel_iommu", ii, sizeof(ii));
	const char *amd_iommu = cmdline_param(cmdline, "amd_iommu", ai, sizeof(ai));
	const char *iommu = cmdline_param(cmdline, "iommu", io, sizeof(io));
	int units = count_dir(ctx, "sys/class/iommu", first, sizeof(first));
	int groups = count_dir(ctx, "sys/kernel/iommu_groups", NULL, 0);
	const char *fix_cmd = ivrs ? "add amd_iommu=on to the kernel command line and reboot"
			     : "add intel_iommu=on to the kernel command line and reboot";

	*intel = dmar || !strncmp(first, "dmar", 4);
	if (dmar || ivrs)
		add(c, PT_CHECK_IOMMU_FIRMWARE, PT_CHECK_PASS, NULL,
		    "ACPI %s table present", dmar ? "DMAR (Intel VT-d)" : "IVRS (AMD-Vi)");
	else if (units)
		add(c, PT_CHECK_IOMMU_FIRMWARE, PT_CHECK_PASS, NULL,
		    "no ACPI DMAR/IVRS table, but the kernel registered %s", first);
	else
		add(c, PT_CHECK_IOMMU_FIRMWARE, PT_CHECK_FAIL,
		    "enable VT-d / AMD IOMMU (AMD-Vi) in the firmware setup; "
		    "for a VM, give it a virtual IOMMU (QEMU: -device intel-iommu)",
		    "no ACPI DMAR or IVRS table: the firmware describes no IOMMU");

	*enabled = units > 0 && groups > 0;
	if (*enabled) {
		add(c, PT_CHECK_IOMMU_ENABLED, PT_CHECK_PASS, NULL,
		    "%d IOMMU unit%s (%s...), %d IOMMU groups", units,
		    units > 1 ? "s" : "", first, groups);
	} else if ((intel_iommu && !strncmp(intel_iommu, "off", 3)) ||
		   (amd_iommu && !strncmp(amd_iommu, "off", 3)) ||
		   (iommu && !strcmp(iommu, "off"))) {
		add(c, PT_CHECK_IOMMU_ENABLED, PT_CHECK_FAIL,
		    "remove the IOMMU 'off' option from the kernel command line and reboot",
		    "the kernel command line turns the IOMMU off (%s%s)",
		    intel_iommu ? "intel_iommu=" : amd_iommu ? "amd_iommu=" : "iommu=",
		    intel_iommu ? intel_iommu : amd_iommu ? amd_iommu : iommu);
	} else if (dmar || ivrs) {
		add(c, PT_CHECK_IOMMU_ENABLED, PT_CHECK_FAIL, fix_cmd,
		    "the firmware has an IOMMU but the kernel did not enable it "
		    "(no /sys/class/iommu units, no IOMMU groups)");
	} else {
		add(c, PT_CHECK_IOMMU_ENABLED, PT_CHECK_FAIL,
		    "use a machine (or VM) with an IOMMU, then enable it in firmware",
		    "no IOMMU: /sys/class/iommu is empty and there are no IOMMU "
		    "groups, so no device can be assigned");
	}

	if (iommu && !strcmp(iommu, "pt"))
		add(c, PT_CHECK_IOMMU_MODE, PT_CHECK_PASS, NULL,
		    "iommu=pt: host devices bypass translation; VFIO groups still "
		    "get their own DMA domains");
	else if (*enabled)
		add(c, PT_CHECK_IOMMU_MODE, PT_CHECK_PASS, NULL, "translated (%s)",
		    intel_iommu ? "intel_iommu on the command line"
		    : amd_iommu ? "amd_iommu on the command line"
		    : "kernel default");
}

/*
 * pcie_acs_override= (the out-of-tree ACS override patch: Proxmox, Arch's
 * zen and similar kernels) makes the kernel pretend that ports and
 * multifunction devices isolate peer-to-peer DMA when their hardware has
 * no ACS: the IOMMU groups get smaller than what the hardware isolates,
 * and a device in "its own" group may still reach its neighbours.
 */
static void check_acs_override(struct pt_checks *c, const char *cmdline, bool enabled)
{
	char v[128];
	const char *acs = cmdline_param(cmdline, "pcie_acs_override", v, sizeof(v));

	if (acs)
		add(c, PT_CHECK_ACS_OVERRIDE, PT_CHECK_WARN,
		    "remove pcie_acs_override= from the kernel command line unless "
		    "every device sharing a switch or slot with an assigned one may "
		    "be reached by the guest",
		    "pcie_acs_override=%.64s on the kernel command line: the IOMMU "
		    "groups are smaller than what the hardware isolates, so an "
		    "assigned device may still reach its neighbours by peer-to-peer DMA",
		    acs);
	else if (enabled)
		add(c, PT_CHECK_ACS_OVERRIDE, PT_CHECK_PASS, NULL,
		    "no pcie_acs_override: the IOMMU groups are what the hardware isolates");
}

/* VT-d extended capability register, bit 3 = Interrupt Remapping. */
static bool intel_ir_supported(struct pt_ctx *ctx, bool *known)
{
	char rel[PATH_MAX], buf[64];
	struct dirent *de;
	bool any = false, all = true;
	DIR *d;

	*known = false;
	d = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, "sys/class/iommu");
	if (!d)
		return false;
	while ((de = readdir(d))) {
		unsigned long long ecap;

		if (strncmp(de->d_name, "dmar", 4))
			continue;
		snprintf(rel, sizeof(rel), "sys/class/iommu/%s/intel-iommu/ecap",
			 de->d_name);
		if (pt_sysfs_read_str(&ctx->fs, rel, buf, sizeof(buf)) < 0)
			continue;
		ecap = strtoull(buf, NULL, 16);
		*known = true;
		any = true;
		if (!(ecap & (1ull << 3)))
			all = false;
	}
	closedir(d);
	return any && all;
}

static void check_intremap(struct pt_ctx *ctx, struct pt_checks *c,
			   const char *cmdline, bool enabled, bool intel)
{
	char ir[32], unsafe[16] = "";
	const char *intremap = cmdline_param(cmdline, "intremap", ir, sizeof(ir));
	bool known, sup;

	pt_sysfs_read_str(&ctx->fs, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
		     unsafe, sizeof(unsafe));
	if (!enabled) {
		add(c, PT_CHECK_INTREMAP, PT_CHECK_FAIL,
		    "enable the IOMMU first (see above)",
		    "no IOMMU, so no interrupt remapping: a device could inject "
		    "arbitrary interrupts (MSI) into the host");
	} else if ((intremap && !strcmp(intremap, "off")) ||
		   cmdline_param(cmdline, "nointremap", ir, sizeof(ir))) {
		add(c, PT_CHECK_INTREMAP, PT_CHECK_FAIL,
		    "remove intremap=off / nointremap from the kernel command line",
		    "turned off on the kernel command line");
	} else if (intel) {
		sup = intel_ir_supported(ctx, &known);
		if (!known)
			add(c, PT_CHECK_INTREMAP, PT_CHECK_WARN,
			    "check dmesg for 'DMAR-IR: Enabled IRQ remapping'",
			    "cannot read the VT-d ecap register from sysfs");
		else if (sup)
			add(c, PT_CHECK_INTREMAP, PT_CHECK_PASS, NULL,
			    "every VT-d unit supports it (ecap IR) and it is not "
			    "turned off");
		else
			add(c, PT_CHECK_INTREMAP, PT_CHECK_FAIL,
			    "use hardware with VT-d interrupt remapping (QEMU: "
			    "-device intel-iommu,intremap=on)",
			    "a VT-d unit lacks interrupt remapping (ecap IR=0)");
	} else {
		add(c, PT_CHECK_INTREMAP, PT_CHECK_PASS, NULL,
		    "AMD-Vi always remaps interrupts unless turned off");
	}
	if (unsafe[0] == 'Y' || unsafe[0] == '1')
		add(c, PT_CHECK_UNSAFE_INTERRUPTS, PT_CHECK_WARN,
		    "echo N > /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
		    "vfio_iommu_type1 allow_unsafe_interrupts=Y: assignment is "
		    "allowed without interrupt isolation");
	else
		add(c, PT_CHECK_UNSAFE_INTERRUPTS, PT_CHECK_PASS, NULL,
		    "allow_unsafe_interrupts is %s", unsafe[0] ? "N" : "not set");
}

static bool module_loaded(struct pt_ctx *ctx, const char *mods, const char *name)
{
	char rel[128], line[80];

	snprintf(rel, sizeof(rel), "sys/module/%s", name);
	if (pt_sysfs_exists(&ctx->fs, rel))
		return true;
	snprintf(line, sizeof(line), "\n%s ", name);
	return mods && (strstr(mods, line) ||
			(!strncmp(mods, name, strlen(name)) && mods[strlen(name)] == ' '));
}

/* True only when this kernel's module index can be read and names no
 * vfio-pci, loadable or built in: then assign could not load it.  A tree
 * (no lib/modules) or an unreadable index gives false: "assign loads it". */
static bool kernel_lacks_vfio_pci(struct pt_ctx *ctx)
{
	static const char *const idx[] = { "modules.dep", "modules.builtin" };
	char rel[PATH_MAX], kver[128];
	bool readable = false;

	if (pt_sysfs_read_str(&ctx->fs, "proc/sys/kernel/osrelease", kver, sizeof(kver)) < 0 ||
	    strchr(kver, '/'))
		return false;
	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		char *buf = NULL;
		bool has;

		snprintf(rel, sizeof(rel), "lib/modules/%s/%s", kver, idx[i]);
		if (pt_sysfs_slurp(&ctx->fs, rel, &buf, NULL) < 0)
			continue;
		readable = true;
		has = strstr(buf, "/vfio-pci.ko") != NULL;
		free(buf);
		if (has)
			return false;
	}
	return readable;
}

static void check_vfio(struct pt_ctx *ctx, struct pt_checks *c)
{
	static const char *const need[] = { "vfio", "vfio_pci", "vfio_iommu_type1" };
	char missing[128] = "";
	char *mods = NULL;
	bool drv = pt_sysfs_exists(&ctx->fs, "sys/bus/pci/drivers/vfio-pci");

	pt_sysfs_slurp(&ctx->fs, "proc/modules", &mods, NULL);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		/* vfio_pci may be built in: then only its driver dir shows */
		if (!strcmp(need[i], "vfio_pci") && drv)
			continue;
		if (!module_loaded(ctx, mods, need[i])) {
			size_t l = strlen(missing);

			snprintf(missing + l, sizeof(missing) - l, "%s%s",
				 l ? ", " : "", need[i]);
		}
	}
	free(mods);
	if (!missing[0])
		add(c, PT_CHECK_VFIO_MODULES, PT_CHECK_PASS, NULL,
		    "vfio, vfio_pci and vfio_iommu_type1 are loaded");
	else if (kernel_lacks_vfio_pci(ctx))
		add(c, PT_CHECK_VFIO_MODULES, PT_CHECK_FAIL,
		    "use a kernel built with CONFIG_VFIO_PCI (Debian's and most "
		    "distributions' kernels have it as a module)",
		    "not loaded: %s, and this kernel's modules.dep and modules.builtin "
		    "have no vfio-pci", missing);
	else
		add(c, PT_CHECK_VFIO_MODULES, PT_CHECK_WARN,
		    "none needed: assign loads them (or: modprobe vfio-pci)",
		    "not loaded: %s; `passthru assign` loads them", missing);
	if (pt_sysfs_exists(&ctx->fs, "dev/vfio/vfio"))
		add(c, PT_CHECK_VFIO_CONTAINER, PT_CHECK_PASS, NULL, "the VFIO container device exists");
	else if (!module_loaded(ctx, NULL, "vfio"))
		add(c, PT_CHECK_VFIO_CONTAINER, PT_CHECK_WARN,
		    "none needed: it appears when assign loads vfio",
		    "/dev/vfio/vfio does not exist yet: vfio is not loaded");
	else
		add(c, PT_CHECK_VFIO_CONTAINER, PT_CHECK_FAIL, "modprobe vfio",
		    "/dev/vfio/vfio does not exist");
	if (pt_sysfs_exists(&ctx->fs, "dev/iommu"))
		add(c, PT_CHECK_IOMMUFD, PT_CHECK_PASS, NULL, "/dev/iommu exists (iommufd backend usable)");
	else
		add(c, PT_CHECK_IOMMUFD, PT_CHECK_WARN,
		    "modprobe iommufd, or use a kernel with CONFIG_IOMMUFD (type1 is used meanwhile)",
		    "/dev/iommu does not exist: only the legacy VFIO type1 backend");
}

/* "Max locked memory   8388608   8388608   bytes" -> soft limit */
static int tree_memlock(struct pt_ctx *ctx, uint64_t *lim, bool *unlimited)
{
	char *buf = NULL, *p;
	char soft[32];
	int ret = -ENOENT;

	if (pt_sysfs_slurp(&ctx->fs, "proc/self/limits", &buf, NULL) < 0)
		return -ENOENT;
	p = strstr(buf, "Max locked memory");
	if (p && sscanf(p + 17, "%31s", soft) == 1) {
		*unlimited = !strcmp(soft, "unlimited");
		*lim = *unlimited ? UINT64_MAX : strtoull(soft, NULL, 10);
		ret = 0;
	}
	free(buf);
	return ret;
}

/* CAP_IPC_LOCK (bit 14) in our effective set: type1/iommufd do not charge
 * pinned pages against RLIMIT_MEMLOCK then. */
static bool have_ipc_lock(struct pt_ctx *ctx)
{
	char *buf = NULL, *p;
	unsigned long long eff = 0;

	if (!pt_ctx_is_live(ctx) || pt_sysfs_slurp(&ctx->fs, "proc/self/status", &buf, NULL) < 0)
		return false;
	p = strstr(buf, "CapEff:");
	if (p)
		eff = strtoull(p + 7, NULL, 16);
	free(buf);
	return eff & (1ull << 14);
}

/* Another user's limit: theirs from limits.conf, else the default every
 * session starts with (this one's, which has no line of its own either);
 * their processes have no CAP_IPC_LOCK. */
static void check_user_memlock(struct pt_ctx *ctx, struct pt_checks *c,
			       const struct pt_check_opts *o, uint64_t need,
			       uint64_t deflim, bool defunl)
{
	const char *fix = "add `USER soft memlock unlimited` and `USER hard memlock "
			  "unlimited` to /etc/security/limits.d/passthru.conf (log in "
			  "again), or LimitMEMLOCK=infinity in the VM's service";
	struct ptd_user_limit lim;
	char a[32], b[32], src[PATH_MAX + 64], fixbuf[256];
	const char *u;
	enum pt_check_status bad = o->guest_mem_given ? PT_CHECK_FAIL : PT_CHECK_WARN;

	/* the fix names the user */
	snprintf(fixbuf, sizeof(fixbuf), "%s", fix);
	for (char *p; (p = strstr(fixbuf, "USER")); ) {
		char tail[256];

		snprintf(tail, sizeof(tail), "%s", p + 4);
		snprintf(p, sizeof(fixbuf) - (size_t)(p - fixbuf), "%.32s%s", o->user, tail);
	}
	pt_format_size(need, b, sizeof(b));
	if (!strcmp(o->user, "root")) {
		add(c, PT_CHECK_MEMLOCK, PT_CHECK_PASS, NULL,
		    "root's processes have CAP_IPC_LOCK, which VFIO honours (guest %s)", b);
		return;
	}
	if (ptd_user_memlock(ctx, o->user, &lim) == 0) {
		snprintf(src, sizeof(src), "%s", lim.source);
	} else {
		lim.unlimited = defunl;
		lim.bytes = deflim;
		snprintf(src, sizeof(src), "no memlock line for %.32s in /etc/security/"
			 "limits.conf or limits.d: the default", o->user);
	}
	u = o->user;
	if (lim.unlimited)
		add(c, PT_CHECK_MEMLOCK, PT_CHECK_PASS, NULL,
		    "%s: RLIMIT_MEMLOCK unlimited (%s)", u, src);
	else if (lim.bytes >= need)
		add(c, PT_CHECK_MEMLOCK, PT_CHECK_PASS, NULL, "%s: RLIMIT_MEMLOCK %s >= guest %s (%s)",
		    u, pt_format_size(lim.bytes, a, sizeof(a)), b, src);
	else
		add(c, PT_CHECK_MEMLOCK, bad, fixbuf,
		    "%s: RLIMIT_MEMLOCK %s < guest %s (%s): VFIO pins all guest memory",
		    u, pt_format_size(lim.bytes, a, sizeof(a)), b, src);
}

static void check_memlock(struct pt_ctx *ctx, struct pt_checks *c,
			  const struct pt_check_opts *o)
{
	uint64_t need = o && o->guest_mem ? o->guest_mem : DEFAULT_GUEST_MEM;
	char a[32], b[32];
	bool unlimited = false;
	uint64_t lim = 0;
	struct rlimit rl;

	if (pt_ctx_is_live(ctx) && getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
		unlimited = rl.rlim_cur == RLIM_INFINITY;
		lim = unlimited ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	} else if (tree_memlock(ctx, &lim, &unlimited) < 0) {
		add(c, PT_CHECK_MEMLOCK, PT_CHECK_WARN, NULL,
		    "RLIMIT_MEMLOCK unknown (no proc/self/limits)");
		return;
	}
	if (o && o->user) {
		check_user_memlock(ctx, c, o, need, lim, unlimited);
		return;
	}
	pt_format_size(need, b, sizeof(b));
	if (unlimited) {
		add(c, PT_CHECK_MEMLOCK, PT_CHECK_PASS, NULL,
		    "RLIMIT_MEMLOCK unlimited (guest needs %s pinned)", b);
	} else if (lim >= need) {
		add(c, PT_CHECK_MEMLOCK, PT_CHECK_PASS, NULL,
		    "RLIMIT_MEMLOCK %s >= guest %s", pt_format_size(lim, a, sizeof(a)), b);
	} else if (have_ipc_lock(ctx)) {
		add(c, PT_CHECK_MEMLOCK, PT_CHECK_PASS, NULL,
		    "RLIMIT_MEMLOCK %s < guest %s, but this process has "
		    "CAP_IPC_LOCK, which VFIO honours",
		    pt_format_size(lim, a, sizeof(a)), b);
	} else {
		add(c, PT_CHECK_MEMLOCK, o && o->guest_mem_given ? PT_CHECK_FAIL
		    : PT_CHECK_WARN,
		    "raise it: `ulimit -l unlimited`, LimitMEMLOCK=infinity in the "
		    "service, or memlock in /etc/security/limits.conf",
		    "RLIMIT_MEMLOCK %s < guest %s: VFIO pins all guest memory",
		    pt_format_size(lim, a, sizeof(a)), b);
	}
}

static void check_hugepages(struct pt_ctx *ctx, struct pt_checks *c,
			    const struct pt_check_opts *o)
{
	uint64_t need = o && o->guest_mem ? o->guest_mem : DEFAULT_GUEST_MEM;
	char rel[PATH_MAX], a[32], b[32];
	uint64_t total = 0;
	struct dirent *de;
	DIR *d;

	d = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, "sys/kernel/mm/hugepages");
	while (d && (de = readdir(d))) {
		unsigned long long kb;
		long nr;

		if (sscanf(de->d_name, "hugepages-%llukB", &kb) != 1)
			continue;
		snprintf(rel, sizeof(rel), "sys/kernel/mm/hugepages/%s/nr_hugepages",
			 de->d_name);
		if (pt_sysfs_read_long(&ctx->fs, rel, &nr) == 0 && nr > 0)
			total += (uint64_t)nr * kb * 1024;
	}
	if (d)
		closedir(d);
	pt_format_size(need, b, sizeof(b));
	if (total >= need)
		add(c, PT_CHECK_HUGEPAGES, PT_CHECK_PASS, NULL, "%s reserved (guest %s)",
		    pt_format_size(total, a, sizeof(a)), b);
	else
		add(c, PT_CHECK_HUGEPAGES, PT_CHECK_WARN,
		    "optional, for speed: echo N > /sys/kernel/mm/hugepages/"
		    "hugepages-2048kB/nr_hugepages (or hugepages= on the command line)",
		    "%s reserved, guest %s: guest memory will use 4 KiB pages",
		    pt_format_size(total, a, sizeof(a)), b);
}

int pt_host_check(struct pt_ctx *ctx, const struct pt_check_opts *opts,
		  struct pt_checks **out)
{
	struct pt_check_opts o;
	struct pt_checks *c;
	char *cmdline = NULL;
	bool enabled, intel;
	int ret;

	*out = NULL;
	ret = pt_read_sized(opts, &o, sizeof(o), "pt_host_check: struct pt_check_opts",
			    "PT_CHECK_OPTS_INIT");
	if (ret < 0)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return pt_set_error(ENOMEM, "out of memory");
	if (pt_sysfs_slurp(&ctx->fs, "proc/cmdline", &cmdline, NULL) < 0)
		cmdline = strdup("");
	if (!cmdline) {
		free(c);
		return pt_set_error(ENOMEM, "out of memory");
	}
	check_cpu(ctx, c);
	check_kvm(ctx, c);
	check_iommu(ctx, c, cmdline, &enabled, &intel);
	check_acs_override(c, cmdline, enabled);
	check_intremap(ctx, c, cmdline, enabled, intel);
	check_vfio(ctx, c);
	check_memlock(ctx, c, &o);
	check_hugepages(ctx, c, &o);
	free(cmdline);
	/* a tree file refused (a FIFO, a link out of the tree) is named, not
	 * judged as if absent */
	if (pt_sysfs_defect(&ctx->fs)[0]) {
		free(c);
		return ptd_tree_error(ctx);
	}
	*out = c;
	return c->n;
}
