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
 *		const struct pt_device *d = pt_system_device(sys, i);
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

/* A device's BARs are an array of these (pt_device.bars): its size is
 * part of the ABI, so struct pt_bar never grows; a new BAR property would
 * come as a function. */
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
	size_t size;		/* PT_CAPS_INIT when the caller allocates it */
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
	/* new fields only here, at the end (lib/ABI.md rule 3) */
};
#define PT_CAPS_INIT { .size = sizeof(struct pt_caps) }

/* Decodes capabilities from a raw config space (len 64..4096 bytes; a
 * shorter buffer is padded with 0xff like absent hardware) into *caps,
 * whose .size the caller sets (PT_CAPS_INIT).  Used by pt_scan() on each
 * device's config and by the fuzz target. */
int pt_caps_decode(struct pt_ctx *ctx, const uint8_t *cfg, size_t len,
		   struct pt_caps *caps);

struct pt_group;

/*
 * Why taking a device from the host would hurt, for programs (issue 11):
 * each reason in pt_device.in_use has its structured twin at the same
 * index in pt_device.blockers, and each "BDF: reason" of
 * pt_group.blocked_by its twin in pt_group.blockers.  Programs test `id`
 * (stable, see PT_BLK_* in lib/blockers.c and the README's blocker table),
 * never the English text.
 */
struct pt_blocker {
	const char *id;		/* "storage.mount", "net.route", "platform.lpc" */
	const char *bdf;	/* the device it holds */
	char *subject;		/* what on it is used: "nvme0n1p2", "enp3s0",
				 * "ttyS1", "/dev/dri/card0", the BDF itself */
	char *text;		/* the human reason, as in in_use */
	bool hard;		/* a platform device: --force must not override
				 * (assign never moves it) */
};
struct pt_blockers {
	struct pt_blocker **v;	/* v[i]: one blocker (pointers: it may grow) */
	int n;
};

/*
 * The scan's results.  The library owns them (pt_scan(); they live until
 * pt_ctx_free()) and callers only read them through pointers: never
 * allocate, copy or embed a struct pt_device, pt_group or pt_system, so
 * that each can grow at its end without breaking a program built against
 * an older header (lib/ABI.md).  Strings are owned by the context and never
 * NULL ("" when absent).
 */

struct pt_device {
	const char *bdf;		/* "0000:01:00.0" */
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
	const char *driver;		/* "" when unbound */
	const char *driver_override;	/* "" when unset */
	int iommu_group;		/* -1 when none */
	int numa_node;			/* -1 when unknown */
	const struct pt_bar *bars;	/* nr_bars of them, ascending index */
	int nr_bars;
	const struct pt_caps *caps;
	const uint8_t *config;		/* config space, config_len bytes */
	size_t config_len;		/* bytes the kernel exposes (64/256/4096) */
	struct pt_strv reset_methods;	/* in the kernel's order */
	bool reset_from_kernel;		/* read from reset_method, not derived */
	bool is_bridge;			/* PCI-to-PCI/CardBus bridge (header 1/2) */
	const char *parent;		/* upstream bridge, "" on a root bus */
	const char *physfn;		/* SR-IOV: the PF of this VF, "" */
	struct pt_strv vfs;		/* SR-IOV: VFs of this PF */
	int sriov_totalvfs, sriov_numvfs;	/* -1 when not a PF */
	bool boot_vga;
	struct pt_strv net;		/* interface names below the device */
	struct pt_strv block;		/* whole disks below the device */
	struct pt_strv partitions;	/* their partitions */
	struct pt_strv in_use;		/* why unbinding would hurt; empty = free */
	struct pt_blockers blockers;	/* in_use, structured (same order) */
	/* A platform device the host cannot lose ("host bridge", "ISA/LPC
	 * bridge", "SMBus controller", "SPI flash controller", "IOMMU",
	 * "watchdog", "root port with devices below", ...), or NULL. */
	const char *platform;
	struct pt_group *group;		/* NULL without IOMMU */
};

struct pt_group {
	int id;
	const char *type;		/* "DMA", "DMA-FQ", "identity", ... "" */
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
	struct pt_blockers blockers;	/* blocked_by, structured (same order) */
	int nr_hard;			/* blockers that are hard: `assign`
					 * refuses the group even with --force */
};

struct pt_system {
	struct pt_device **devices;	/* ascending BDF */
	int nr_devices;
	bool has_iommu;			/* sys/kernel/iommu_groups is not empty */
	struct pt_group **groups;	/* ascending id; NULL without IOMMU */
	int nr_groups;
};
/* Device / group i (0 <= i < nr_devices / nr_groups), NULL outside. */
const struct pt_device *pt_system_device(const struct pt_system *sys, int i);
const struct pt_group *pt_system_group(const struct pt_system *sys, int i);

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
 * DEVICE arguments, the forms lspci, virsh and driverctl users know:
 * "0000:01:00.0", "01:00.0" (domain 0), "pci_0000_01_00_0" (a libvirt node
 * device name), "01:00" or "0000:01:00" (every function of a slot, as
 * `lspci -s`), "8086:10d3" (vendor:device ids), "class=net" (a class key
 * of pt_device_class_key()) or a network interface name ("eth0").
 */
enum pt_devarg_kind {
	PT_DEVARG_BDF, PT_DEVARG_IDS, PT_DEVARG_IFNAME, PT_DEVARG_SLOT,
	PT_DEVARG_CLASS,
};
struct pt_devarg {
	size_t size;				/* PT_DEVARG_INIT: its size */
	enum pt_devarg_kind kind;
	unsigned int domain, bus, dev, func;	/* PT_DEVARG_BDF (domain: 4-8
						 * hex digits, VMD has 10000+);
						 * PT_DEVARG_SLOT: no func */
	bool short_bdf;				/* given without domain */
	unsigned int vendor, device;		/* PT_DEVARG_IDS */
	char ifname[PT_NAME_LEN];		/* PT_DEVARG_IFNAME */
	char class_key[16];			/* PT_DEVARG_CLASS: "net" */
	/* new fields only here, at the end (lib/ABI.md rule 3) */
};
#define PT_DEVARG_INIT { .size = sizeof(struct pt_devarg) }
/* Syntax only, into *out (its .size set: PT_DEVARG_INIT).  -EINVAL with
 * "malformed device 'X': ..." */
int pt_devarg_parse(const char *arg, struct pt_devarg *out);
/* Parses and finds the one device: -EINVAL malformed, -ENODEV unknown,
 * -EEXIST when ids, a class or a slot match several (the message lists
 * the candidates). */
int pt_resolve_device(struct pt_ctx *ctx, const char *arg,
		      const struct pt_device **out);
/*
 * Every device arg selects, in address order, into out[0..max): the
 * number found (>= 1) or -errno as pt_resolve_device().  A slot selects
 * all its functions; ids or a class matching several are -EEXIST (the
 * candidates listed, and --all named) unless PT_RESOLVE_ALL; -ENOSPC when
 * more than max match.
 */
#define PT_RESOLVE_ALL	(1u << 0)
int pt_resolve_devices(struct pt_ctx *ctx, const char *arg, unsigned int flags,
		       const struct pt_device **out, int max);

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
	PT_CHECK_ACS_OVERRIDE,		/* "ACS override" */
};
/* One result, owned by its struct pt_checks (lib/ABI.md rule 1: reached
 * through pt_checks_at(), never copied or allocated by callers; fields are
 * only ever appended). */
struct pt_check {
	enum pt_check_id id;
	enum pt_check_status status;
	const char *name;
	const char *detail;
	const char *fix;	/* "" when nothing to do */
};
/* Filled by the caller, size first (lib/ABI.md rule 3): start from
 * PT_CHECK_OPTS_INIT.  A library newer than the caller treats the fields
 * past .size as zero; an older one refuses (-E2BIG) a caller whose extra
 * fields are not zero. */
struct pt_check_opts {
	size_t size;		/* sizeof(struct pt_check_opts) */
	uint64_t guest_mem;	/* bytes to lock for a guest; 0 = default 1 GiB */
	bool guest_mem_given;	/* --mem was given: a short limit FAILs */
	/* The user who will run the VM (NULL: the calling process): locked
	 * memory is judged by that user's limit from /etc/security/limits.conf
	 * and limits.d (pam_limits), not by the caller's own limit and
	 * CAP_IPC_LOCK. */
	const char *user;
};
#define PT_CHECK_OPTS_INIT { .size = sizeof(struct pt_check_opts) }
/* The results of one host check (opaque, lib/ABI.md rule 2). */
struct pt_checks;
/* Runs every check (opts may be NULL: the defaults) into a new *out, to be
 * freed with pt_checks_free(); returns the number of results or -errno. */
int pt_host_check(struct pt_ctx *ctx, const struct pt_check_opts *opts,
		  struct pt_checks **out);
int pt_checks_count(const struct pt_checks *c);
/* Result i (0 <= i < count), NULL out of range. */
const struct pt_check *pt_checks_at(const struct pt_checks *c, int i);
/* The result of check id, NULL when it did not run. */
const struct pt_check *pt_checks_find(const struct pt_checks *c,
				      enum pt_check_id id);
void pt_checks_free(struct pt_checks *c);
const char *pt_check_status_name(enum pt_check_status s);

/* ---- snapshot ---- */
/* Copies every path of tests/fixtures/TREE.md from the context's root into
 * DIR (created), writing the `.passthru-tree` marker and .passthru/ifaddrs. */
int pt_snapshot_stage(struct pt_ctx *ctx, const char *dir);
/* Stages into a temporary directory and writes a tar (via tar(1)). */
int pt_snapshot_tar(struct pt_ctx *ctx, const char *tar_path);
/* ==== end of discovery ================================================== */

/* ==== Binding: assign / release / vfs, behind one guard ==================
 * The transaction (lib/txn.c: resolve, lock, plan, refuse, apply all or
 * undo, report; lib/txn-plan.c, lib/recover.c, lib/vfio-users.c,
 * lib/persist.c, lib/txn-vfs.c) is the only way this library changes a
 * device's driver or a PF's VF count.  Under each group's lock it re-reads
 * the system and refuses a group that is blocked (a mounted filesystem,
 * swap, an address or route, the console, ...: pt_group.blocked_by), or —
 * for release and vfs — in use (its /dev/vfio node open by a process, a VF
 * on vfio-pci), unless that group was added with force.  The sysfs step
 * machine underneath (lib/bind.c, journal.c, lock.c, uevent.c) is private.
 *
 * Typical use:
 *	struct pt_txn *t;
 *	struct pt_txn_opts o = PT_TXN_OPTS_INIT;	// .force = false
 *	if (pt_txn_new(&t, PT_TXN_ASSIGN, NULL, 0) < 0 ||
 *	    pt_txn_add_device(t, "0000:01:00.0", &o) < 0 ||
 *	    pt_txn_apply(t) < 0)
 *		fprintf(stderr, "%s\n", pt_last_error());  // refused: -EBUSY
 *	for (int i = 0; t && i < pt_txn_nr_groups(t); i++) {
 *		const struct pt_txn_group *g = pt_txn_group(t, i);
 *		...g->id, g->refused, g->blocked_by, g->members[k].result...
 *	}
 *	pt_txn_free(t);
 */
#include <stdbool.h>
#include <sys/types.h>

#define PT_BIND_TARGET	"vfio-pci"

struct pt_txn;

enum pt_txn_op {
	PT_TXN_ASSIGN,		/* move whole groups to vfio-pci */
	PT_TXN_RELEASE,		/* give them back (journal, or kernel default) */
	PT_TXN_RECOVER,		/* undo every run that died half-way */
	PT_TXN_SET_VFS,		/* change a PF's SR-IOV VF count */
};

/* pt_txn_new() flags */
#define PT_TXN_DRY_RUN	(1u << 0)	/* plan and refuse; change nothing */
#define PT_TXN_PERSIST	(1u << 1)	/* assign/release: edit passthru.conf too */
#define PT_TXN_FORCE	(1u << 2)	/* every group of the run is forced */
#define PT_TXN_ALL	(1u << 3)	/* ids and classes add every device they
					 * match (PT_RESOLVE_ALL) */

/* What one added device asks for its group; NULL means all defaults. */
/* Size first (lib/ABI.md rule 3): start from PT_TXN_OPTS_INIT. */
struct pt_txn_opts {
	size_t size;		/* sizeof(struct pt_txn_opts) */
	bool force;		/* this group goes ahead although blocked or in
				 * use; other groups of the run are not forced */
	const char *user;	/* assign: owner of /dev/vfio/N and the cdevs */
	const char *group;	/* (names; NULL = unchanged) */
};
#define PT_TXN_OPTS_INIT { .size = sizeof(struct pt_txn_opts) }

/* Where a member goes. */
enum pt_txn_move {
	PT_MOVE_STAYS_BRIDGE,	/* a bridge: stays on its driver (pcieport) */
	PT_MOVE_STAYS_VFIO,	/* assign: already on vfio-pci (or a variant) */
	PT_MOVE_STAYS_WAS_VFIO,	/* release: the journal says it was on vfio */
	PT_MOVE_STAYS_NOT_VFIO,	/* release: not on vfio-pci, nothing to give */
	PT_MOVE_TO_VFIO,	/* assign: to vfio-pci (target) */
	PT_MOVE_TO_DRIVER,	/* release: to the recorded driver (target) */
	PT_MOVE_TO_NO_DRIVER,	/* release: it had no driver */
	PT_MOVE_TO_DEFAULT,	/* release: the kernel's choice (no journal) */
};

enum pt_bind_result {
	PT_BIND_PLANNED,	/* nothing run yet */
	PT_BIND_DONE,		/* changed as planned and verified */
	PT_BIND_UNCHANGED,	/* nothing to do for this member */
	PT_BIND_ROLLED_BACK,	/* changed, then restored after a failure */
	PT_BIND_FAILED,		/* could not be restored: see the journal */
};
const char *pt_bind_result_name(enum pt_bind_result r);

/* Owned by the transaction; names never NULL ("" when none). */
struct pt_txn_member {
	const char *bdf;
	const char *driver;		/* bound before this run, "" none */
	const char *override;		/* driver_override before, "" none */
	enum pt_txn_move move;
	const char *target;		/* TO_VFIO, TO_DRIVER: the driver */
	enum pt_bind_result result;
};

struct pt_txn_group {
	int id;			/* IOMMU group */
	bool force;		/* added with force */
	bool refused;		/* blocked or in use, and not forced */
	bool journaled;		/* release: targets come from its journal */
	struct pt_strv blocked_by;	/* "BDF: reason", every one */
	struct pt_strv warnings;	/* e.g. an SR-IOV PF's VFs will vanish */
	struct pt_txn_member **members;	/* ascending BDF (pointers: it may grow) */
	int nr_members;
};

/* What happened besides the plan, in order. */
enum pt_txn_note_kind {
	PT_NOTE_RECOVERED,	/* an interrupted run's group was restored */
	PT_NOTE_RECOVERY_FAILED,	/* ... could not be (journal kept) */
	PT_NOTE_RECOVERY_IN_USE,	/* ... not tried: its node is open */
	PT_NOTE_INTERRUPTED,	/* another group has an interrupted run:
				 * `passthru release --recover` */
	PT_NOTE_NOTHING_TO_RECOVER,
	PT_NOTE_CONFIG,		/* a passthru.conf line matched nothing */
	PT_NOTE_PERSIST,	/* passthru.conf / modprobe.d edited (or would be) */
	PT_NOTE_PERSIST_FAILED,	/* ... an edit that failed after the change */
	PT_NOTE_OWNER_FAILED,	/* chown of a /dev/vfio node failed */
	PT_NOTE_UNDO_FAILED,	/* an earlier group of the run stayed changed */
};
struct pt_txn_note {
	enum pt_txn_note_kind kind;
	int group;		/* -1 when about no group */
	const char *text;	/* one sentence */
};

enum pt_txn_status {
	PT_TXN_OK,		/* done (or, dry run, planned) */
	PT_TXN_REFUSED,		/* a group is blocked: nothing was changed */
	PT_TXN_ROLLED_BACK,	/* a step failed: everything was undone */
	PT_TXN_FAILED,		/* a step failed and something stayed changed */
};
const char *pt_txn_status_name(enum pt_txn_status s);

/* root: NULL or "" for this machine; a captured tree only with
 * PT_TXN_DRY_RUN (-EINVAL otherwise).  Scans once; every later step
 * re-reads what it needs under the locks. */
int pt_txn_new(struct pt_txn **out, enum pt_txn_op op, const char *root,
	       unsigned int flags);
void pt_txn_free(struct pt_txn *t);

enum pt_log_level {
	PT_LOG_NOTICE,		/* worth telling a user (waiting for a lock) */
	PT_LOG_DEBUG,		/* each sysfs step and uevent (-v) */
};
typedef void (*pt_txn_log_fn)(void *priv, enum pt_log_level level,
			      const char *msg);
void pt_txn_set_log(struct pt_txn *t, pt_txn_log_fn fn, void *priv);
/* Wait for a bind/unbind at most ms (default 5000). */
void pt_txn_set_timeout(struct pt_txn *t, int ms);
/* Wait for a group's lock at most ms (default PT_TXN_LOCK_WAIT_MS); a
 * group still locked after that is -EWOULDBLOCK naming the holder's PID. */
#define PT_TXN_LOCK_WAIT_MS 30000
void pt_txn_set_lock_timeout(struct pt_txn *t, int ms);
/* A flag (a signal handler's) that stops the run between steps: a lock
 * not yet taken is given up, a group not yet started is not, and what the
 * run changed is undone (-ECANCELED).  NULL: never. */
#include <signal.h>
void pt_txn_set_cancel(struct pt_txn *t, volatile sig_atomic_t *flag);
/* PT_TXN_PERSIST: the config file (default ROOT/etc/passthru.conf); the
 * modprobe.d softdeps go to ROOT/etc/modprobe.d/passthru.conf. */
int pt_txn_set_conf_path(struct pt_txn *t, const char *path);

/*
 * Adds the IOMMU group of every device DEVICE selects (as
 * pt_resolve_devices(): a slot selects all its functions, ids and classes
 * all matches with PT_TXN_ALL, else one).  Two devices of one group add
 * it once; its force is set if any of them asked.  -EINVAL/-ENODEV/-EEXIST
 * for bad input (message as pt_resolve_device(), or "unknown user 'X'"),
 * -ENXIO when the device is in no IOMMU group.
 */
int pt_txn_add_device(struct pt_txn *t, const char *device,
		      const struct pt_txn_opts *opts);
/* Adds the group of every device each entry of c matches, with that
 * entry's force, user and group; an entry that matches nothing is a
 * PT_NOTE_CONFIG note.  0 or -errno. */
struct pt_conf;
int pt_txn_add_config(struct pt_txn *t, const struct pt_conf *c);
/* PT_TXN_SET_VFS: the PF and the count (opts: force). */
int pt_txn_set_vfs(struct pt_txn *t, const char *pf, unsigned int n,
		   const struct pt_txn_opts *opts);

/*
 * Locks the groups (ascending, bounded waits), recovers the interrupted
 * runs of exactly these groups (never of others: they get a
 * PT_NOTE_INTERRUPTED), re-reads the system and plans each group.  0 when
 * every group may go ahead; -EBUSY with "group N is blocked (REASON);
 * nothing was changed; fix: ..." when one is refused.  A dry run neither
 * locks nor recovers.  Called by pt_txn_apply() when not called before.
 */
int pt_txn_plan(struct pt_txn *t);
/*
 * Applies the plan: all groups, or on a failure every group undone (assign;
 * release gives back every group it can, vfs changes one PF).  -EBUSY
 * (refused), or the failing step's -errno with pt_last_error() naming the
 * device, the step and whether everything was restored.  Dry run: 0.
 */
int pt_txn_apply(struct pt_txn *t);

/* The plan and outcome (valid after pt_txn_plan() or pt_txn_apply()). */
int pt_txn_nr_groups(const struct pt_txn *t);
const struct pt_txn_group *pt_txn_group(const struct pt_txn *t, int i);
int pt_txn_nr_notes(const struct pt_txn *t);
const struct pt_txn_note *pt_txn_note(const struct pt_txn *t, int i);
enum pt_txn_status pt_txn_status(const struct pt_txn *t);
/* The refusal or failure sentence, "" when none. */
const char *pt_txn_error(const struct pt_txn *t);

/* PT_TXN_SET_VFS: the PF's VFs, before and after. */
struct pt_txn_vfs {
	const char *pf;
	int total, before, after;	/* sriov_totalvfs, numvfs */
	bool refused;
	struct pt_strv in_use;		/* why destroying the VFs would hurt */
	struct pt_strv vfs;		/* the VFs after (applied, n > 0) */
};
const struct pt_txn_vfs *pt_txn_vfs(const struct pt_txn *t);

/*
 * /etc/passthru.conf: one device per line, see configs/passthru.conf.  The
 * library allocates the config (pt_conf_open(), pt_conf_from_text(); freed
 * by pt_conf_free()) and the caller reaches its entries through
 * pt_conf_entry(): struct pt_conf is opaque, and an entry only grows at
 * its end.  Parse errors are -EINVAL with "passthru.conf line N: ...";
 * pt_conf_open() returns -ENOENT (*out NULL, no error set) when the file
 * does not exist.
 */
struct pt_conf;
struct pt_conf_entry {
	const char *bdf;		/* "" when matched by ids */
	unsigned int vendor, device;	/* ids when bdf is "" */
	const char *user;		/* owner of /dev/vfio/N, "" none */
	const char *group;
	bool force;			/* assign its groups even when blocked */
	int line;
};
int pt_conf_open(const char *path, struct pt_conf **out);
int pt_conf_from_text(const char *buf, size_t len, struct pt_conf **out);
void pt_conf_free(struct pt_conf *c);
int pt_conf_count(const struct pt_conf *c);
/* Entry i (0 <= i < count), NULL outside. */
const struct pt_conf_entry *pt_conf_entry(const struct pt_conf *c, int i);
/* The first entry naming the device (its BDF, or its ids), NULL when none. */
const struct pt_conf_entry *pt_conf_match(const struct pt_conf *c,
		const char *bdf, unsigned int vendor, unsigned int device);
/* Whether this entry names the device. */
bool pt_conf_entry_matches(const struct pt_conf_entry *e, const char *bdf,
			   unsigned int vendor, unsigned int device);
/* A user or group name the file can hold: what getpwnam(3) may resolve
 * (SSSD's bob@corp.example, DOMAIN\bob) minus what the format reserves
 * (blanks, '#') and passwd(5)'s ':'; not starting with '-'; shorter than
 * PT_CONF_NAME_MAX bytes (a rule of the file, not a buffer size). */
#define PT_CONF_NAME_MAX 256
bool pt_conf_name_ok(const char *name);
/*
 * Adds (or removes) the line for a full BDF, keeping everything else.
 * Options are checked as the parser would before anything is written, and
 * the new file is parsed before it replaces the old one: -EINVAL and the
 * file untouched otherwise.  pt_conf_remove returns the lines removed.
 */
int pt_conf_add(const char *path, const char *bdf, const char *opts);
int pt_conf_remove(const char *path, const char *bdf);
/* ==== end of binding ==================================================== */

#ifdef __cplusplus
}
#endif
#endif
