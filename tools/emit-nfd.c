// SPDX-License-Identifier: MIT
/*
 * emit-nfd.c — `passthru emit nfd` (and `verify --emit nfd`): a Node
 * Feature Discovery local feature file, for
 * /etc/kubernetes/node-feature-discovery/features.d/passthru.  nfd-worker
 * turns each `name=value` line into a node label (NFD's customization
 * guide, "Local feature source"):
 *
 *  - names are prefixed with passthru.feature.node.kubernetes.io/, a
 *    sub-namespace of feature.node.kubernetes.io, which nfd-master always
 *    allows (-deny-label-ns cannot deny it);
 *  - every name part and value follows the Kubernetes label rules NFD
 *    validates with: at most 63 characters, [A-Za-z0-9] at both ends,
 *    [-_.A-Za-z0-9] between;
 *  - `# +expiry-time=RFC3339` (with --expiry, and by default for verify
 *    results) comes before every label, so that all of them expire;
 *  - the file must stay within NFD's 64 KiB limit, or NFD ignores it all.
 *
 * Labels: the host facts (iommu, interrupt-remapping, unsafe-interrupts,
 * vfio, iommufd), per device class the number of IOMMU groups holding such
 * a function that are viable now and that `assign` could take without
 * --force, and, from a verify run, its result, time and counts, and each
 * device's result.
 */
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "tools/emit.h"
#include "verify/verify.h"

#define NFD_NS "passthru.feature.node.kubernetes.io/"
#define NFD_MAX_FILE 65536

static const char *const classes[] = {
	"net", "storage", "display", "usb", "audio", "accel", "other",
};

static void label(struct emit *e, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void label(struct emit *e, const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(e->out, NFD_NS "%s=", name);
	va_start(ap, fmt);
	vfprintf(e->out, fmt, ap);
	va_end(ap);
	fputc('\n', e->out);
}

static const char *yes(bool b)
{
	return b ? "true" : "false";
}

static bool group_has_class(const struct pt_inventory *inv,
			    const struct pt_inv_group *ig, const char *cls)
{
	for (int i = ig->first; i < ig->first + ig->nr; i++)
		if (!strcmp(pt_device_class_key(inv->fn[i]->dev), cls))
			return true;
	return false;
}

static void class_counts(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;

	for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		int viable = 0, assignable = 0;
		char name[64];

		for (int i = 0; i < inv->nr_groups; i++) {
			const struct pt_inv_group *ig = inv->groups[i];

			if (!ig->group || !group_has_class(inv, ig, classes[c]))
				continue;
			viable += ig->group->viable;
			assignable += !ig->group->blocked_by.n;
		}
		snprintf(name, sizeof(name), "viable-groups.%s", classes[c]);
		label(e, name, "%d", viable);
		snprintf(name, sizeof(name), "assignable-groups.%s", classes[c]);
		label(e, name, "%d", assignable);
	}
}

/* A device passed when it has a pass and no failure (skips: as verify's
 * --allow-skip says). */
static const char *device_result(const struct emit *e, const char *bdf)
{
	const struct vfy_report *rep = e->o->verify;
	int pass = 0, fail = 0, skip = 0;

	for (int i = 0; i < rep->nr; i++) {
		if (strcmp(rep->r[i]->device, bdf))
			continue;
		switch (vfy_result_status(rep->r[i])) {
		case VFY_PASS: pass++; break;
		case VFY_FAIL: fail++; break;
		case VFY_SKIP: skip++; break;
		}
	}
	if (fail || !pass)
		return "fail";
	return skip && !e->o->verify_allow_skip ? "fail" : "pass";
}

static void verify_labels(struct emit *e)
{
	const struct vfy_report *rep = e->o->verify;
	char name[64];

	label(e, "verify.result", "%s", e->o->verify_ok ? "pass" : "fail");
	label(e, "verify.time", "%lld", (long long)e->o->now);
	label(e, "verify.passed", "%d", vfy_count(rep, VFY_PASS));
	label(e, "verify.failed", "%d", vfy_count(rep, VFY_FAIL));
	label(e, "verify.skipped", "%d", vfy_count(rep, VFY_SKIP));
	for (int i = 0; i < rep->nr; i++) {
		const char *bdf = rep->r[i]->device;
		bool dup = false;

		for (int k = 0; k < i && !dup; k++)
			dup = !strcmp(rep->r[k]->device, bdf);
		if (dup)
			continue;
		/* ':' is not allowed in a label name: 0000:03:00.0 -> 0000-03-00.0 */
		snprintf(name, sizeof(name), "verify.%s", bdf);
		for (char *p = name; *p; p++)
			if (*p == ':')
				*p = '-';
		label(e, name, "%s", device_result(e, bdf));
	}
}

static void header(struct emit *e)
{
	char when[32], expiry[32];
	time_t exp = e->o->now + (time_t)e->o->expiry;
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&e->o->now, &tm));
	fprintf(e->out, "# Node Feature Discovery local features from passthru %s, "
		"%s\n# (features.d/passthru; labels under " NFD_NS ")\n",
		pt_version(), when);
	if (e->o->expiry) {
		strftime(expiry, sizeof(expiry), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&exp, &tm));
		fprintf(e->out, "# +expiry-time=%s\n", expiry);
	}
}

static int render_nfd(struct emit *e)
{
	const struct pt_inv_host *h = e->inv->host;
	long size;

	header(e);
	label(e, "iommu", "%s", yes(h->iommu));
	label(e, "interrupt-remapping", "%s", yes(h->interrupt_remapping));
	label(e, "unsafe-interrupts", "%s", yes(h->unsafe_interrupts));
	label(e, "vfio", "%s", yes(h->vfio));
	label(e, "iommufd", "%s", yes(h->iommufd));
	class_counts(e);
	if (e->o->verify)
		verify_labels(e);
	fflush(e->out);
	size = ftell(e->out);
	if (size > NFD_MAX_FILE)
		return emit_fail(e, CLI_EXIT_FAIL, "the NFD feature file would be %ld "
				 "bytes, above NFD's %d-byte limit (NFD would ignore "
				 "it): verify fewer devices per run", size, NFD_MAX_FILE);
	return 0;
}

EMIT_FORMAT("nfd", render_nfd, 0,
	    "Node Feature Discovery features.d file: IOMMU, IR, VFIO, group counts per class");
