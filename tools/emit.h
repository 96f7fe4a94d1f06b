/* SPDX-License-Identifier: MIT */
/*
 * emit.h — `passthru emit FORMAT`: the hand-off to the stacks that use the
 * assigned devices.  Every format is rendered from one model, the
 * inventory (lib/passthru-inventory.h); a format is one file,
 * tools/emit-NAME.c, ending with
 *
 *	EMIT_FORMAT(name, render_fn, flags, "one-line summary");
 *
 * A renderer writes the document to e->out (a memory stream: the caller
 * writes it to stdout or, atomically, to -o FILE) and says everything else
 * — caveats, notes, what to do next — with emit_note(); it reports a
 * failure with emit_fail() and returns its exit status.
 */
#ifndef PASSTHRU_TOOLS_EMIT_H
#define PASSTHRU_TOOLS_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "lib/passthru-inventory.h"
#include "tools/cli.h"

struct vfy_report;

enum emit_iommu { EMIT_IOMMU_AUTO, EMIT_IOMMU_TYPE1, EMIT_IOMMU_IOMMUFD };

struct emit_opts {
	enum emit_iommu iommu;		/* qemu, libvirt */
	bool cdev_fd;			/* qemu: pre-opened cdev fds (fd=N) */
	bool no_rom;			/* qemu, libvirt: hide ROM BARs */
	unsigned int slot;		/* first guest slot for multifunction */
	const char *resource_name;	/* kubevirt, sriov-dp */
	const char *resource_prefix;	/* sriov-dp */
	bool external;			/* kubevirt externalResourceProvider */
	long long expiry;		/* nfd: seconds, 0 = none */
	time_t now;			/* SOURCE_DATE_EPOCH, else time() */
	struct pt_check_opts check;	/* --mem for the memlock/hugepage facts */
	/* verify --emit nfd: the run's results */
	const struct vfy_report *verify;
	bool verify_ok;			/* the exit status verify will give */
	bool verify_allow_skip;
};

#define EMIT_MAX_NOTES 64

struct emit {
	struct pt_ctx *ctx;
	const struct pt_inventory *inv;
	const struct emit_opts *o;
	FILE *out;			/* the document */
	char *notes[EMIT_MAX_NOTES];	/* for stderr (or "notes" with --json) */
	int nr_notes;
	char error[1024];		/* set by emit_fail() */
};

enum {
	EMIT_NEEDS_DEVICE = 1 << 0,	/* DEVICE... is required */
	EMIT_NEEDS_GROUP = 1 << 1,	/* every function must be in a group */
};

struct emit_format {
	const char *name;
	int (*render)(struct emit *e);
	unsigned int flags;
	const char *summary;
	struct emit_format *next;
};

void emit_format_register(struct emit_format *f);
const struct emit_format *emit_format_find(const char *name);
const struct emit_format *emit_format_first(void);

#define EMIT_FORMAT(fname, fn, fl, sum)					\
	static struct emit_format emit_fmt_##fn = {			\
		.name = fname, .render = fn, .flags = fl, .summary = sum, \
	};								\
	__attribute__((constructor)) static void emit_fmt_reg_##fn(void) \
	{								\
		emit_format_register(&emit_fmt_##fn);			\
	}

void emit_note(struct emit *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Records the error message and returns status (CLI_EXIT_USAGE/FAIL). */
int emit_fail(struct emit *e, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Notes every renderer gives: a group not yet viable, a device in no
 * group. */
void emit_note_viability(struct emit *e);
/* The memlock and hugepage facts for a VMM that pins guest RAM. */
void emit_note_memory(struct emit *e, const char *vmm);

/*
 * Guest placement of multifunction slots: functions of one physical slot
 * that are passed together keep being one device in the guest only at one
 * guest slot.  emit_guest_slot() is that slot (o->slot, o->slot + 1, ...
 * per multifunction slot of the inventory) or -1 for a function alone in
 * its slot (the VMM picks); emit_guest_fn() keeps the host function
 * numbers when function 0 is among them, else numbers them 0, 1, ...
 */
int emit_guest_slot(const struct emit *e, const struct pt_inv_function *f);
unsigned int emit_guest_fn(const struct emit *e, const struct pt_inv_function *f);
int emit_nr_guest_slots(const struct pt_inventory *inv);

/* true when the function has an expansion ROM BAR */
bool emit_has_rom(const struct pt_inv_function *f);
/* "8086:10d3", "10de_1b80" (lower-case hex) */
const char *emit_ids(const struct pt_device *d, char sep, char *buf, size_t n);

/*
 * One emit run: renders FORMAT for the devices (none: the whole machine)
 * from a fresh scan of cli->root and writes the document to stdout or,
 * through a temporary file renamed over it (what NFD's features.d asks
 * for), to output; notes go to stderr.  With json, stdout gets one object
 * {command, format, status, output, notes, error} instead.  Returns the
 * exit status.  `passthru emit`, `assign --emit` and `verify --emit` all
 * come here.
 */
struct emit_request {
	const char *format;
	char *const *devices;
	int nr_devices;
	const char *output;		/* NULL or "-": stdout */
	bool json;
	bool all;			/* --all: ids and classes select every match */
	struct emit_opts opts;
};
int emit_run(const struct cli *cli, const struct emit_request *rq);
/* opts with the defaults (slot 0x10, the clock or SOURCE_DATE_EPOCH). */
void emit_opts_init(struct emit_opts *o);

#endif
