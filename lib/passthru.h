/* SPDX-License-Identifier: MIT */
/*
 * passthru.h — the public API of libpassthru.
 *
 * Conventions: functions return 0 or a negative errno and never print or
 * exit; objects are created by pt_*_new()/pt_*_open() and freed by the
 * matching pt_*_free()/pt_*_close().
 */
#ifndef PASSTHRU_H
#define PASSTHRU_H

#ifdef __cplusplus
extern "C" {
#endif

#define PASSTHRU_LIB_VERSION "0.1.0"

#include <stdarg.h>

const char *pt_version(void);

/*
 * Errors.  Every failing function returns a negative errno AND leaves a
 * full sentence for the user in a thread-local buffer: which device, which
 * step, the errno text and the fix, e.g.
 *   "group 7 is not viable: 0000:02:00.1 is bound to igb; run
 *    `passthru assign 02:00.1` or unbind it"
 * pt_last_error() returns that sentence ("" when none was set).  The library
 * never prints it itself; the caller decides where it goes.
 */
const char *pt_last_error(void);
void pt_clear_error(void);
/* Library-internal, but public so that out-of-tree backends can use it:
 * records the message and returns -err (err is a positive errno). */
int pt_set_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pt_set_errorv(int err, const char *fmt, va_list ap);

/* ==== Discovery: context, devices, groups, blockers ======================
 * lib/ctx.c (context, --root paths, libpci/libudev handles),
 * lib/scan.c (devices), lib/caps.c (capabilities), lib/groups.c (IOMMU
 * groups, viability), lib/blockers.c (in-use reasons), lib/devarg.c
 * (DEVICE arguments), lib/hostcheck.c (`passthru check`), lib/size.c,
 * lib/snapshot.c (`passthru snapshot`).
 *
 * Typical use:
 *	struct pt_ctx *ctx;
 *	const struct pt_system *sys;
 *	if (pt_ctx_new(&ctx, root) < 0)	// root NULL: this machine
 *		return fprintf(stderr, "%s\n", pt_last_error()), 2;
 *	if (pt_scan(ctx, &sys) < 0) {
 *		fprintf(stderr, "%s\n", pt_last_error());
 *		pt_ctx_free(ctx);
 *		return 2;
 *	}
 *	for (int i = 0; i < sys->nr_devices; i++) {
 *		const struct pt_device *d = &sys->devices[i];
 *		printf("%s %s group %d %s\n", d->bdf, d->driver, d->iommu_group,
 *		       d->group && d->group->viable ? "viable" : "-");
 *	}
 *	pt_ctx_free(ctx);	// also frees sys
 *
 * Everything read is listed in tests/fixtures/TREE.md (the --root
 * contract); pt_snapshot_tar() captures exactly that.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_BDF_LEN	16	/* "0000:00:00.0" + NUL, rounded */
#define PT_NAME_LEN	64	/* driver names, interface names */

struct pt_ctx;

/*
 * A context reads the live system (root NULL or "") or a captured tree
 * (root = a directory holding the `.passthru-tree` marker; -EINVAL with
 * "... is not a passthru tree" otherwise).  Every /sys, /proc and /dev path
 * is resolved under the root; libpci is pointed at ROOT/sys/bus/pci.  On the
 * live system a libudev handle is kept: udev enumerates the network and
 * block devices and says which block devices are partitions (a tree has no
 * udev database; the same comes from its sys/class symlinks there).
 */
int pt_ctx_new(struct pt_ctx **out, const char *root);
void pt_ctx_free(struct pt_ctx *ctx);
/* "" for the live system. */
const char *pt_ctx_root(const struct pt_ctx *ctx);
bool pt_ctx_is_live(const struct pt_ctx *ctx);
/* "ROOT/rel" (or "/rel" live) into buf; -ENAMETOOLONG when it does not fit. */
int pt_ctx_path(const struct pt_ctx *ctx, char *buf, size_t n,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A list of strings owned by its container. */
struct pt_strv {
	char **v;
	int n;
};

enum pt_bar_kind { PT_BAR_MEM, PT_BAR_IO };

struct pt_bar {
	int index;		/* 0..5, 6 = expansion ROM */
	enum pt_bar_kind kind;
	uint64_t start;		/* as assigned by the kernel (resource file) */
	uint64_t size;
	bool is_64;		/* 64-bit memory BAR (takes two BAR slots) */
	bool prefetchable;
};

/* PCIe device/port type (PCIe cap, flags bits 7:4). */
enum pt_pcie_type {
	PT_PCIE_ENDPOINT = 0x0, PT_PCIE_LEGACY_ENDPOINT = 0x1,
	PT_PCIE_ROOT_PORT = 0x4, PT_PCIE_UPSTREAM_PORT = 0x5,
	PT_PCIE_DOWNSTREAM_PORT = 0x6, PT_PCIE_PCIE_TO_PCI = 0x7,
	PT_PCIE_PCI_TO_PCIE = 0x8, PT_PCIE_RC_INTEGRATED = 0x9,
	PT_PCIE_RC_EVENT_COLLECTOR = 0xa,
};

/*
 * Capabilities that matter for assignment, decoded from config space.
 * Offsets are 0 when the capability is absent.  The walk itself is
 * libpci's (loop-safe); every field read is bounds-checked against the
 * config length, so a hostile config space yields "absent", never a read
 * out of range.
 */
struct pt_caps {
	uint16_t pcie;		/* PCI Express cap offset */
	int pcie_type;		/* enum pt_pcie_type, -1 without PCIe */
	bool flr;		/* PCIe DevCap bit 28 Function Level Reset */
	uint16_t msi;
	int msi_vectors;	/* 1..32 (Multiple Message Capable) */
	bool msi_64bit;
	bool msi_maskable;
	uint16_t msix;
	int msix_vectors;	/* table size + 1, 1..2048 */
	uint8_t msix_table_bar, msix_pba_bar;
	uint32_t msix_table_offset, msix_pba_offset;
	uint16_t pm;
	bool pm_no_soft_reset;	/* PMCSR NoSoftRst: pm reset not usable */
	uint16_t af;		/* Advanced Features (conventional PCI) */
	bool af_flr;
	uint16_t acs;		/* extended cap offset of ACS */
	uint16_t acs_cap, acs_ctrl;
	uint16_t sriov;		/* extended cap offset of SR-IOV */
	uint16_t sriov_total_vfs;
	uint16_t ari;
};

/* Decodes capabilities from a raw config space (len 64..4096 bytes; a
 * shorter buffer is padded with 0xff like absent hardware).  Used by
 * pt_scan() on each device's config and by the fuzz target. */
int pt_caps_decode(struct pt_ctx *ctx, const uint8_t *cfg, size_t len,
		   struct pt_caps *caps);

struct pt_group;

struct pt_device {
	char bdf[PT_BDF_LEN];		/* "0000:01:00.0" */
	unsigned int domain, bus, dev, func;
	uint16_t vendor_id, device_id;
	uint16_t subsys_vendor_id, subsys_device_id;
	uint32_t class_code;		/* 24 bits: class, subclass, prog-if */
	uint8_t revision;
	uint8_t header_type;		/* low 7 bits of config 0x0e */
	bool multifunction;		/* header type bit 7 */
	const char *vendor_name;	/* pci.ids names; never NULL ("" unknown) */
	const char *device_name;
	const char *subsys_name;
	const char *class_name;
	char driver[PT_NAME_LEN];	/* "" when unbound */
	char driver_override[PT_NAME_LEN];	/* "" when unset */
	int iommu_group;		/* -1 when none */
	int numa_node;			/* -1 when unknown */
	struct pt_bar bars[7];
	int nr_bars;
	struct pt_caps caps;
	uint8_t config[256];		/* first 256 bytes of config space */
	size_t config_len;		/* bytes the kernel exposes (256/4096) */
	struct pt_strv reset_methods;	/* in the kernel's order */
	bool reset_from_kernel;		/* read from reset_method, not derived */
	bool is_bridge;			/* PCI-to-PCI/CardBus bridge (header 1/2) */
	char parent[PT_BDF_LEN];	/* upstream bridge, "" on a root bus */
	char physfn[PT_BDF_LEN];	/* SR-IOV: the PF of this VF, "" */
	struct pt_strv vfs;		/* SR-IOV: VFs of this PF */
	int sriov_totalvfs, sriov_numvfs;	/* -1 when not a PF */
	bool boot_vga;
	struct pt_strv net;		/* interface names below the device */
	struct pt_strv block;		/* whole disks below the device */
	struct pt_strv partitions;	/* their partitions */
	struct pt_strv in_use;		/* why unbinding would hurt; empty = free */
	struct pt_group *group;		/* NULL without IOMMU */
};

struct pt_group {
	int id;
	char type[PT_NAME_LEN];		/* "DMA", "DMA-FQ", "identity", ... "" */
	struct pt_device **devices;	/* members, ascending BDF */
	int nr_devices;
	/*
	 * Viability, as the kernel's VFIO judges it (DMA ownership, Linux
	 * 5.19+): every member is unbound, or bound to vfio-pci / a vfio
	 * variant driver, pci-stub or pcieport (drivers with
	 * driver_managed_dma).  not_viable lists "BDF is bound to DRIVER".
	 */
	bool viable;
	struct pt_strv not_viable;
	struct pt_strv needs_rebind;	/* endpoints (not bridges) not yet on a
					 * vfio driver: what `assign` moves */
	struct pt_strv blocked_by;	/* "BDF: reason" from members' in_use;
					 * `assign` refuses unless --force */
};

struct pt_system {
	struct pt_device *devices;	/* ascending BDF */
	int nr_devices;
	bool has_iommu;			/* sys/kernel/iommu_groups is not empty */
	struct pt_group *groups;	/* ascending id; NULL without IOMMU */
	int nr_groups;
};

/*
 * Scans once per context (later calls return the same result; the result
 * lives until pt_ctx_free()).  Fails closed: an unreadable device file or
 * blocker source (proc/mounts, proc/swaps, proc/net/route, ifaddrs) is an
 * error (-EIO/-ENOENT/-EISDIR, the path named in pt_last_error()), never a
 * device that silently looks free.
 */
int pt_scan(struct pt_ctx *ctx, const struct pt_system **out);
const struct pt_device *pt_find_device(const struct pt_system *sys,
				       const char *bdf);
const struct pt_group *pt_find_group(const struct pt_system *sys, int id);

/* Driver predicates used for viability (exported for assign/verify).
 * dma_safe: unbound, vfio-pci or a variant, pci-stub or pcieport — the
 * drivers that do not claim the group's DMA (driver_managed_dma).
 * is_bridge is informational (the kernel does not look at it). */
bool pt_driver_is_vfio(const char *driver);	/* vfio-pci or a variant */
bool pt_driver_is_dma_safe(const char *driver, bool is_bridge);
/*
 * The same rule for the IOMMU group of one device (full BDF), read straight
 * from ROOT/sys (root NULL: this machine) without a scan: 0 when viable,
 * -EBUSY with "BDF: IOMMU group N is not viable: BDF2 is bound to DRV; ..."
 * naming every offender and the fix, -ENODEV when the device or its group
 * is missing.  *group (may be NULL) receives the group.
 */
int pt_group_check_viable(const char *root, const char *bdf, int *group);

/* "net", "storage", "display", "usb", "audio", "bridge", "accel", "other" */
const char *pt_device_class_key(const struct pt_device *d);
const char *pt_pcie_type_name(int type);

/*
 * DEVICE arguments: "0000:01:00.0", "01:00.0" (domain 0), "8086:10d3"
 * (vendor:device ids) or a network interface name ("eth0").
 */
enum pt_devarg_kind { PT_DEVARG_BDF, PT_DEVARG_IDS, PT_DEVARG_IFNAME };
struct pt_devarg {
	enum pt_devarg_kind kind;
	unsigned int domain, bus, dev, func;	/* PT_DEVARG_BDF (domain: 4-8
						 * hex digits, VMD has 10000+) */
	bool short_bdf;				/* given without domain */
	unsigned int vendor, device;		/* PT_DEVARG_IDS */
	char ifname[PT_NAME_LEN];		/* PT_DEVARG_IFNAME */
};
/* Syntax only.  -EINVAL with "malformed device 'X': ..." */
int pt_devarg_parse(const char *arg, struct pt_devarg *out);
/* Parses and finds the device: -EINVAL malformed, -ENODEV unknown,
 * -EEXIST ambiguous ids (the message lists the candidates). */
int pt_resolve_device(struct pt_ctx *ctx, const char *arg,
		      const struct pt_device **out);

/*
 * Sizes: "1G", "512M", "2GiB", "4096", "1.5G" (binary units, K/M/G/T with
 * optional "iB"/"B").  -EINVAL on malformed input, -ERANGE on overflow.
 */
int pt_parse_size(const char *s, uint64_t *bytes);
/* "1.0 GiB", "512 MiB", "4 KiB", "17 B" into buf. */
const char *pt_format_size(uint64_t bytes, char *buf, size_t n);

/* ---- host readiness (`passthru check`) ---- */
enum pt_check_status { PT_CHECK_PASS, PT_CHECK_WARN, PT_CHECK_FAIL };
/* Which check a result is: programs find a check by this, never by its
 * name, which is text for people. */
enum pt_check_id {
	PT_CHECK_CPU_VIRT,		/* "cpu virtualization" */
	PT_CHECK_KVM,			/* "/dev/kvm" */
	PT_CHECK_IOMMU_FIRMWARE,	/* "IOMMU in firmware" */
	PT_CHECK_IOMMU_ENABLED,		/* "IOMMU enabled" */
	PT_CHECK_IOMMU_MODE,		/* "IOMMU mode" */
	PT_CHECK_INTREMAP,		/* "interrupt remapping" */
	PT_CHECK_UNSAFE_INTERRUPTS,	/* "unsafe interrupts" */
	PT_CHECK_VFIO_MODULES,		/* "VFIO modules" */
	PT_CHECK_VFIO_CONTAINER,	/* "/dev/vfio/vfio" */
	PT_CHECK_IOMMUFD,		/* "iommufd" */
	PT_CHECK_MEMLOCK,		/* "locked memory" */
	PT_CHECK_HUGEPAGES,		/* "hugepages" */
};
struct pt_check {
	enum pt_check_id id;
	char name[48];
	enum pt_check_status status;
	char detail[256];
	char fix[256];		/* "" when nothing to do */
};
struct pt_check_opts {
	uint64_t guest_mem;	/* bytes to lock for a guest; 0 = default 1 GiB */
	bool guest_mem_given;	/* --mem was given: a short limit FAILs */
};
/* Fills up to max results; returns the number written (or -errno). */
int pt_host_check(struct pt_ctx *ctx, const struct pt_check_opts *opts,
		  struct pt_check *out, int max);
#define PT_CHECK_MAX 24
const char *pt_check_status_name(enum pt_check_status s);
/* The result of check id among n results, NULL when it did not run. */
const struct pt_check *pt_check_find(const struct pt_check *v, int n,
				     enum pt_check_id id);

/* ---- snapshot ---- */
/* Copies every path of tests/fixtures/TREE.md from the context's root into
 * DIR (created), writing the `.passthru-tree` marker and .passthru/ifaddrs. */
int pt_snapshot_stage(struct pt_ctx *ctx, const char *dir);
/* Stages into a temporary directory and writes a tar (via tar(1)). */
int pt_snapshot_tar(struct pt_ctx *ctx, const char *tar_path);
/* ==== end of discovery ================================================== */

/* ==== Binding: assign / release / persistence ===========================
 * lib/bind.c (sysfs rebind step machine + rollback), lib/journal.c,
 * lib/lock.c, lib/uevent.c (libudev waits), lib/conf.c (/etc/passthru.conf).
 * Self-contained: the plan is filled by the caller from the discovery API
 * (group members, bridges, blockers) with pt_bind_plan_add().
 */
#include <stdbool.h>
#include <sys/types.h>

#define PT_BIND_TARGET	"vfio-pci"
#define PT_BIND_MAX	64	/* members of one group we handle */

enum pt_bind_action {
	PT_BIND_KEEP,		/* already on vfio-pci (or a vfio variant) */
	PT_BIND_REBIND,		/* endpoint that moves to vfio-pci */
	PT_BIND_BRIDGE,		/* bridge: stays where it is (pcieport) */
};

enum pt_bind_result {
	PT_BIND_PLANNED,	/* nothing run yet */
	PT_BIND_DONE,		/* changed as planned and verified */
	PT_BIND_UNCHANGED,	/* nothing to do for this member */
	PT_BIND_ROLLED_BACK,	/* changed, then restored after a failure */
	PT_BIND_FAILED,		/* could not be restored: see the journal */
};

/* How far an assign got with a member, in step order (for rollback). */
enum pt_bind_progress {
	PT_BIND_STEP_NONE,		/* nothing changed yet */
	PT_BIND_STEP_OVERRIDE,		/* driver_override is vfio-pci */
	PT_BIND_STEP_UNBOUND,		/* off its old driver (or had none) */
	PT_BIND_STEP_PROBED,		/* drivers_probe ran (or vfio-pci had it) */
	PT_BIND_STEP_VERIFIED,		/* on vfio-pci, its /dev/vfio node there */
};

struct pt_bind_member {
	char bdf[PT_BDF_LEN];
	char driver[PT_NAME_LEN];	/* driver before the change, "" none */
	char override[PT_NAME_LEN];	/* driver_override before, "" none */
	enum pt_bind_action action;
	enum pt_bind_result result;
	unsigned int numvfs;		/* SR-IOV VFs enabled on it (PF) */
	enum pt_bind_progress progress;	/* steps applied (for rollback) */
};

struct pt_bind_plan {
	int group;			/* IOMMU group number */
	int nr;
	struct pt_bind_member m[PT_BIND_MAX];
	char failed_bdf[PT_BDF_LEN];	/* member that failed, or "" */
	const char *failed_step;	/* step name that failed, or NULL */
	bool journaled;			/* drivers come from the journal */
};

struct pt_binder;
typedef void (*pt_bind_log_fn)(void *priv, const char *msg);

enum {
	PT_BINDER_DRY_RUN = 1 << 0,	/* plan only: no write, no journal */
};

/* root: "" or NULL for the live system, else a captured tree. */
int pt_binder_new(struct pt_binder **out, const char *root, unsigned int flags);
void pt_binder_free(struct pt_binder *b);
void pt_binder_set_log(struct pt_binder *b, pt_bind_log_fn fn, void *priv);
void pt_binder_set_timeout(struct pt_binder *b, int timeout_ms);

void pt_bind_plan_init(struct pt_bind_plan *p, int group);
/* Adds a member; the action follows from driver and is_bridge. */
int pt_bind_plan_add(struct pt_bind_plan *p, const char *bdf,
		     const char *driver, const char *override, bool is_bridge);
int pt_bind_plan_count(const struct pt_bind_plan *p, enum pt_bind_action a);
const char *pt_bind_action_name(enum pt_bind_action a);
const char *pt_bind_result_name(enum pt_bind_result r);
/* Refreshes driver/override/numvfs of every member from sysfs. */
int pt_bind_plan_refresh(struct pt_binder *b, struct pt_bind_plan *p);

/*
 * Moves every PT_BIND_REBIND member to vfio-pci: journal, then per member
 * driver_override, unbind, drivers_probe, verify (driver link + /dev/vfio
 * node, waited for with a libudev monitor).  On any failure every member
 * is restored to its original driver; returns the first error (with
 * plan->failed_bdf/failed_step set) after a successful rollback, or
 * -ENOTRECOVERABLE when even the rollback failed (journal kept).
 */
int pt_bind_assign(struct pt_binder *b, struct pt_bind_plan *p);
/* Gives every non-bridge member back to plan's recorded driver (or the
 * kernel's choice when none), clears driver_override, removes the journal. */
int pt_bind_release(struct pt_binder *b, struct pt_bind_plan *p);
/* chown /dev/vfio/GROUP and the members' cdevs (uid/gid -1 = unchanged). */
int pt_bind_chown(struct pt_binder *b, const struct pt_bind_plan *p,
		  uid_t uid, gid_t gid);
/* SR-IOV: sets sriov_numvfs of the PF bdf to n (through 0 when needed). */
int pt_bind_set_numvfs(struct pt_binder *b, const char *bdf, unsigned int n);

/* Journal: ROOT/run/passthru/group-N.journal, fsynced before each change. */
enum pt_journal_state {
	PT_JOURNAL_APPLYING,	/* assign in progress (or crashed in it) */
	PT_JOURNAL_APPLIED,	/* assign done: release restores from here */
	PT_JOURNAL_RELEASING,	/* release in progress (or crashed in it) */
};
int pt_journal_write(struct pt_binder *b, const struct pt_bind_plan *p,
		     enum pt_journal_state st);
/* -ENOENT when the group has no journal, -EBADMSG when it is corrupt. */
int pt_journal_read(struct pt_binder *b, int group, struct pt_bind_plan *p,
		    enum pt_journal_state *st);
int pt_journal_parse(const char *buf, size_t len, struct pt_bind_plan *p,
		     enum pt_journal_state *st);
int pt_journal_remove(struct pt_binder *b, int group);
/* Groups that have a journal, ascending; returns the count or -errno. */
int pt_journal_list(struct pt_binder *b, int *groups, int max);
const char *pt_journal_state_name(enum pt_journal_state st);

/* Per-group lock (flock on ROOT/run/passthru/group-N.lock).  Returns an fd
 * or -EWOULDBLOCK when !wait and another run holds it. */
int pt_bind_lock_group(struct pt_binder *b, int group, bool wait);
void pt_bind_unlock_group(int fd);

/* /etc/passthru.conf: one device per line, see configs/passthru.conf. */
#define PT_CONF_MAX	128
#define PT_CONF_NAME_LEN 33
struct pt_conf_entry {
	char bdf[PT_BDF_LEN];		/* "" when matched by ids */
	unsigned int vendor, device;	/* ids when bdf is "" */
	char user[PT_CONF_NAME_LEN];	/* owner of /dev/vfio/N, "" none */
	char group[PT_CONF_NAME_LEN];
	bool force;			/* assign even when blocked */
	int line;
};
struct pt_conf {
	int nr;
	struct pt_conf_entry e[PT_CONF_MAX];
};
/* -EINVAL with "passthru.conf line N: ..." on bad input. */
int pt_conf_parse(const char *buf, size_t len, struct pt_conf *c);
int pt_conf_load(const char *path, struct pt_conf *c);	/* -ENOENT ok */
const struct pt_conf_entry *pt_conf_match(const struct pt_conf *c,
		const char *bdf, unsigned int vendor, unsigned int device);
/* Adds (or removes) the line for a full BDF, keeping everything else;
 * pt_conf_remove returns the number of lines it removed. */
int pt_conf_add(const char *path, const char *bdf, const char *opts);
int pt_conf_remove(const char *path, const char *bdf);
/* ==== end of binding ==================================================== */

#ifdef __cplusplus
}
#endif
#endif
