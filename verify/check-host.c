// SPDX-License-Identifier: MIT
/*
 * check-host.c — the host checks of `passthru verify`: what must be true of
 * the kernel and the device's IOMMU group before any DMA test means
 * anything.  They read discovery (lib/passthru.h: pt_scan, pt_host_check)
 * and, where the running kernel shows more than configuration, its runtime
 * state (/proc/interrupts, the VFIO group's own viability flag).
 *
 *	host.iommu-enabled		an active IOMMU, the device in a group
 *	host.dma-translated		group type is not "identity"
 *	host.interrupt-remapping	IR on (configuration and runtime)
 *	host.unsafe-interrupts-off	allow_unsafe_interrupts is off
 *	host.acs-isolation		ACS on every port up to the root, or the
 *					group holds every device that could peer
 *	host.group-viable		the kernel's VFIO says so
 *	host.no-host-driver		no member is on a host driver
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "lib/passthru.h"
#include "lib/sysfs.h"
#include "verify/checks.h"

int vfy_host_init(struct vfy_host *h, struct pt_ctx *ctx)
{
	int ret;

	memset(h, 0, sizeof(*h));
	h->ctx = ctx;
	ret = pt_host_check(ctx, NULL, &h->checks);
	if (ret < 0)
		return ret;
	h->iommu_enabled = pt_checks_find(h->checks, PT_CHECK_IOMMU_ENABLED);
	h->intremap = pt_checks_find(h->checks, PT_CHECK_INTREMAP);
	return pt_scan(ctx, &h->sys);
}

void vfy_host_fini(struct vfy_host *h)
{
	pt_checks_free(h->checks);
	h->checks = NULL;
	h->iommu_enabled = h->intremap = NULL;
}

static void check_iommu_enabled(struct vfy_report *rep, struct vfy_host *h,
				const struct pt_device *d)
{
	struct vfy_result *r = vfy_begin(rep, d->bdf, NULL, "host.iommu-enabled");
	const struct pt_check *c = h->iommu_enabled;

	if (!c || c->status != PT_CHECK_PASS) {
		vfy_fail(r, "an active IOMMU (units in /sys/class/iommu, IOMMU groups)",
			 c && c->fix[0] ? c->fix : "enable the IOMMU in firmware and "
			 "add intel_iommu=on (or amd_iommu=on) to the kernel command line",
			 "%s", c ? c->detail : "passthru check found no IOMMU state");
	} else if (d->iommu_group < 0) {
		vfy_fail(r, "the device in an IOMMU group",
			 "check that the IOMMU covers this device's PCI segment "
			 "(ACPI DMAR/IVRS scope) and that the kernel enabled it",
			 "%s has no IOMMU group although the IOMMU is on (%s)",
			 d->bdf, c->detail);
	} else {
		vfy_pass(r, "%s; %s is in IOMMU group %d", c->detail, d->bdf,
			 d->iommu_group);
	}
}

static void check_translated(struct vfy_report *rep, const struct pt_device *d)
{
	struct vfy_result *r = vfy_begin(rep, d->bdf, NULL, "host.dma-translated");
	const struct pt_group *g = d->group;
	char fix[256];

	if (!g) {
		vfy_fail(r, "an IOMMU group with DMA translation",
			 "enable the IOMMU (see host.iommu-enabled)",
			 "%s has no IOMMU group: its DMA is not translated at all",
			 d->bdf);
		return;
	}
	if (!g->type[0]) {
		vfy_skip(r, "the kernel does not expose /sys/kernel/iommu_groups/%d/type "
			 "(Linux < 5.11), so the group's domain type is unknown",
			 g->id);
		return;
	}
	if (!strcmp(g->type, "DMA") || !strcmp(g->type, "DMA-FQ")) {
		vfy_pass(r, "group %d type is %s: the host's DMA through it is "
			 "translated by the IOMMU", g->id, g->type);
		return;
	}
	snprintf(fix, sizeof(fix), "boot without iommu=pt / iommu.passthrough=1, "
		 "or with every member of group %d unbound run "
		 "`echo DMA > /sys/kernel/iommu_groups/%d/type`", g->id, g->id);
	vfy_fail(r, "group type DMA or DMA-FQ (translated)", fix,
		 "group %d type is \"%s\": the IOMMU lets the group's DMA through "
		 "untranslated whenever VFIO does not own it (passthrough mode)",
		 g->id, g->type);
}

/*
 * Runtime evidence of interrupt remapping: with IR on, x86 names the
 * remapped interrupt chips "IR-IO-APIC", "IR-PCI-MSI..." in
 * /proc/interrupts.  Returns 1 remapped, 0 not (chips present, none IR),
 * -1 unknown.
 */
static int ir_runtime(struct pt_ctx *ctx, char *ev, size_t n)
{
	char *buf, *line, *save = NULL;
	int ir = 0, plain = 0;

	if (pt_sysfs_slurp(pt_ctx_sysfs(ctx), "proc/interrupts", &buf, NULL) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, " IR-"))
			ir++;
		else if (strstr(line, "IO-APIC") || strstr(line, "PCI-MSI"))
			plain++;
	}
	free(buf);
	snprintf(ev, n, "/proc/interrupts: %d remapped (IR-*) and %d "
		 "non-remapped IO-APIC/PCI-MSI lines", ir, plain);
	if (ir)
		return plain ? 0 : 1;
	return plain ? 0 : -1;
}

static void check_intremap(struct vfy_report *rep, struct vfy_host *h,
			   const struct pt_device *d)
{
	struct vfy_result *r = vfy_begin(rep, d->bdf, NULL, "host.interrupt-remapping");
	const struct pt_check *c = h->intremap;
	const char *expected = "interrupt remapping enabled, so the device's "
			       "MSIs cannot target arbitrary host vectors";
	char ev[160];
	int rt = ir_runtime(h->ctx, ev, sizeof(ev));

	if (!c || c->status == PT_CHECK_FAIL) {
		vfy_fail(r, expected, c && c->fix[0] ? c->fix :
			 "enable interrupt remapping (VT-d/AMD-Vi IR)",
			 "%s%s%s", c ? c->detail : "no interrupt remapping state",
			 rt >= 0 ? "; " : "", rt >= 0 ? ev : "");
	} else if (rt == 0) {
		vfy_fail(r, expected,
			 "remove intremap=off/nointremap, use hardware (or QEMU "
			 "intel-iommu,intremap=on) with interrupt remapping",
			 "configuration says %s, but the running kernel does not "
			 "remap: %s", c->detail, ev);
	} else if (rt == 1) {
		vfy_pass(r, "%s; %s", c->detail, ev);
	} else if (c->status == PT_CHECK_PASS) {
		vfy_pass(r, "%s (no runtime evidence: /proc/interrupts shows no "
			 "IO-APIC or PCI-MSI line)", c->detail);
	} else {
		vfy_fail(r, expected, c->fix, "%s, and no runtime evidence in "
			 "/proc/interrupts", c->detail);
	}
}

static void check_unsafe(struct vfy_report *rep, struct vfy_host *h,
			 const struct pt_device *d)
{
	static const char *const mods[] = { "vfio_iommu_type1", "iommufd" };
	struct vfy_result *r = vfy_begin(rep, d->bdf, NULL, "host.unsafe-interrupts-off");
	char rel[128], val[16], seen[512] = "", bad[512] = "";
	size_t s = 0, b = 0;

	for (unsigned int i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(rel, sizeof(rel), "sys/module/%s/parameters/"
			 "allow_unsafe_interrupts", mods[i]);
		if (pt_sysfs_read_str(pt_ctx_sysfs(h->ctx), rel, val, sizeof(val)) < 0)
			continue;
		s += snprintf(seen + s, sizeof(seen) - s, "%s%s: "
			      "allow_unsafe_interrupts=%s", s ? "; " : "",
			      mods[i], val);
		if (s >= sizeof(seen))
			s = sizeof(seen) - 1;
		if (val[0] == 'Y' || val[0] == '1') {
			b += snprintf(bad + b, sizeof(bad) - b, "%secho N > /%s",
				      b ? "; " : "", rel);
			if (b >= sizeof(bad))
				b = sizeof(bad) - 1;
		}
	}
	if (bad[0])
		vfy_fail(r, "allow_unsafe_interrupts=N for vfio_iommu_type1 and iommufd",
			 bad, "%s: VFIO would assign devices without interrupt "
			 "isolation", seen);
	else if (seen[0])
		vfy_pass(r, "%s", seen);
	else
		vfy_pass(r, "neither vfio_iommu_type1 nor iommufd is loaded, so "
			 "neither allows unsafe interrupts (both default to N)");
}

/* ---- ACS ---------------------------------------------------------------- */

/* The kernel's REQ_ACS_FLAGS: Source Validation, Request and Completion
 * Redirect, Upstream Forwarding — each required only when implemented. */
#define ACS_SV 0x01
#define ACS_RR 0x04
#define ACS_CR 0x08
#define ACS_UF 0x10
#define ACS_REQ (ACS_SV | ACS_RR | ACS_CR | ACS_UF)

static bool acs_enabled(const struct pt_device *b)
{
	uint16_t need = ACS_REQ & b->caps->acs_cap;

	return b->caps->acs && (b->caps->acs_ctrl & need) == need;
}

static bool is_below(const struct pt_system *sys, const struct pt_device *x,
		     const struct pt_device *b)
{
	for (int hops = 0; x && x->parent[0] && hops < 256; hops++) {
		if (!strcmp(x->parent, b->bdf))
			return true;
		x = pt_find_device(sys, x->parent);
	}
	return false;
}

/*
 * Every device below bridge `top` (or, for multifunction peers, every other
 * function of d's slot when top is NULL) must be in d's group.  Appends the
 * members found to `in` and the outsiders to `out`.
 */
static void peers_in_group(const struct pt_system *sys, const struct pt_device *d,
			   const struct pt_device *top, char *in, size_t nin,
			   char *out, size_t nout)
{
	for (int i = 0; i < sys->nr_devices; i++) {
		const struct pt_device *x = sys->devices[i];
		bool peer;
		char *buf;
		size_t n, l;

		/* endpoints peer; ports and bridges only route */
		if (x == d || x->is_bridge)
			continue;
		if (top)
			peer = x != top && is_below(sys, x, top);
		else
			peer = x->domain == d->domain && x->bus == d->bus &&
			       x->dev == d->dev;
		if (!peer)
			continue;
		buf = x->iommu_group == d->iommu_group ? in : out;
		n = x->iommu_group == d->iommu_group ? nin : nout;
		l = strlen(buf);
		if (x->iommu_group == d->iommu_group)
			snprintf(buf + l, n - l, "%s%s", l ? ", " : "", x->bdf);
		else
			snprintf(buf + l, n - l, "%s%s (group %d)", l ? ", " : "",
				 x->bdf, x->iommu_group);
	}
}

static void check_acs(struct vfy_report *rep, struct vfy_host *h,
		      const struct pt_device *d)
{
	struct vfy_result *r = vfy_begin(rep, d->bdf, NULL, "host.acs-isolation");
	const struct pt_system *sys = h->sys;
	char ev[2048] = "", outsiders[1024] = "";
	size_t e = 0;
	int hops = 0;

#define EV(...) do { \
		e += snprintf(ev + e, sizeof(ev) - e, __VA_ARGS__); \
		if (e >= sizeof(ev)) e = sizeof(ev) - 1; \
	} while (0)

	if (d->iommu_group < 0) {
		vfy_fail(r, "an IOMMU group", "enable the IOMMU",
			 "%s has no IOMMU group, so nothing isolates it", d->bdf);
		return;
	}
	if (d->multifunction) {
		char in[512] = "", out[512] = "";

		if (acs_enabled(d)) {
			EV("%s: multifunction with ACS (ctrl 0x%04x)\n", d->bdf,
			   d->caps->acs_ctrl);
		} else {
			peers_in_group(sys, d, NULL, in, sizeof(in), out, sizeof(out));
			EV("%s: multifunction without ACS; its other functions %s%s\n",
			   d->bdf, in[0] || !out[0] ? "in the group: " : "",
			   in[0] ? in : out[0] ? "" : "none");
			if (out[0]) {
				EV("  could peer from outside the group: %s\n", out);
				snprintf(outsiders, sizeof(outsiders), "%s", out);
			}
		}
	}
	for (const struct pt_device *b = d; b->parent[0] && hops < 64; hops++) {
		const struct pt_device *up = pt_find_device(sys, b->parent);
		int t;

		if (!up) {
			EV("%s: upstream bridge %s not found\n", b->bdf, b->parent);
			break;
		}
		b = up;
		t = b->caps->pcie_type;
		if ((t == PT_PCIE_ROOT_PORT || t == PT_PCIE_DOWNSTREAM_PORT) &&
		    acs_enabled(b)) {
			EV("%s (%s): ACS on (ctrl 0x%04x, cap 0x%04x)\n", b->bdf,
			   pt_pcie_type_name(t), b->caps->acs_ctrl, b->caps->acs_cap);
			continue;
		}
		if (t == PT_PCIE_UPSTREAM_PORT) {
			EV("%s (%s): isolation is the downstream ports' job\n",
			   b->bdf, pt_pcie_type_name(t));
			continue;
		}
		{
			/* without ACS at a downstream port, everything below the
			 * switch could peer; at any other bridge, everything
			 * below the bridge */
			const struct pt_device *top = b;
			char in[1024] = "", out[1024] = "";

			if (t == PT_PCIE_DOWNSTREAM_PORT && b->parent[0] &&
			    pt_find_device(sys, b->parent))
				top = pt_find_device(sys, b->parent);
			peers_in_group(sys, d, top, in, sizeof(in), out, sizeof(out));
			EV("%s (%s): no ACS; ", b->bdf,
			   t >= 0 ? pt_pcie_type_name(t) : "PCI bridge");
			if (!out[0]) {
				EV("group %d already contains every device below "
				   "%s that could peer (%s)\n", d->iommu_group,
				   top->bdf, in[0] ? in : "none");
			} else {
				size_t l = strlen(outsiders);

				EV("devices below %s that could peer but are NOT "
				   "in group %d: %s\n", top->bdf, d->iommu_group, out);
				snprintf(outsiders + l, sizeof(outsiders) - l,
					 "%s%s", l ? ", " : "", out);
			}
		}
	}
	if (!hops)
		EV("%s is on root bus %02x: no bridge between it and the root "
		   "complex\n", d->bdf, d->bus);
#undef EV
	if (outsiders[0])
		vfy_fail(r, "ACS on every port up to the root, or every device "
			 "that could reach this one peer-to-peer in its group",
			 "assign the whole set together, enable ACS in firmware, "
			 "or move the device to a slot behind an ACS-capable port",
			 "%s", ev);
	else
		vfy_pass(r, "%s", ev);
}

/* ---- viability ----------------------------------------------------------- */

/* The kernel's own verdict: VFIO_GROUP_GET_STATUS on /dev/vfio/N.
 * 1 viable, 0 not, -errno when the group node cannot be asked. */
static int vfio_group_viable(struct pt_ctx *ctx, int group)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[PATH_MAX];
	int fd, ret;

	if (!pt_ctx_is_live(ctx))
		return -EOPNOTSUPP;
	if (pt_ctx_path(ctx, path, sizeof(path), "dev/vfio/%d", group) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, VFIO_GROUP_GET_STATUS, &st) < 0 ? -errno :
	      !!(st.flags & VFIO_GROUP_FLAGS_VIABLE);
	close(fd);
	return ret;
}

static void join(char *buf, size_t n, const struct pt_strv *v)
{
	size_t l = 0;

	buf[0] = '\0';
	for (int i = 0; i < v->n && l < n; i++)
		l += snprintf(buf + l, n - l, "%s%s", i ? "; " : "", v->v[i]);
}

static void check_viable(struct vfy_report *rep, struct vfy_host *h,
			 const struct pt_device *d)
{
	struct vfy_result *r = vfy_begin(rep, d->bdf, NULL, "host.group-viable");
	const struct pt_group *g = d->group;
	char why[768], fix[128];
	int kv;

	if (!g) {
		vfy_fail(r, "a viable IOMMU group", "enable the IOMMU",
			 "%s has no IOMMU group", d->bdf);
		return;
	}
	join(why, sizeof(why), &g->not_viable);
	snprintf(fix, sizeof(fix), "passthru assign %s", d->bdf);
	kv = vfio_group_viable(h->ctx, g->id);
	if (kv == 1)
		vfy_pass(r, "VFIO_GROUP_GET_STATUS on /dev/vfio/%d: viable%s%s",
			 g->id, g->viable ? "" : " (sysfs disagrees: ",
			 g->viable ? "" : why);
	else if (kv == 0)
		vfy_fail(r, "every member of the group on vfio-pci, pci-stub or "
			 "no driver (bridges on pcieport)", fix,
			 "VFIO_GROUP_GET_STATUS on /dev/vfio/%d: not viable%s%s",
			 g->id, why[0] ? ": " : "", why);
	else if (g->viable)
		vfy_pass(r, "sysfs: every member of group %d is on a VFIO-safe "
			 "driver (the kernel was not asked: /dev/vfio/%d: %s)",
			 g->id, g->id, strerror(-kv));
	else
		vfy_fail(r, "every member of the group on vfio-pci, pci-stub or "
			 "no driver (bridges on pcieport)", fix,
			 "group %d is not viable: %s", g->id, why);
}

static void check_host_drivers(struct vfy_report *rep, const struct pt_device *d)
{
	struct vfy_result *r = vfy_begin(rep, d->bdf, NULL, "host.no-host-driver");
	const struct pt_group *g = d->group;
	char ev[1024] = "", bad[512] = "";
	size_t e = 0, b = 0;

	if (!g) {
		vfy_fail(r, "a group", "enable the IOMMU", "%s has no IOMMU group",
			 d->bdf);
		return;
	}
	for (int i = 0; i < g->nr_devices; i++) {
		const struct pt_device *m = g->devices[i];
		const char *drv = m->driver[0] ? m->driver : "no driver";
		bool ok = !m->driver[0] || pt_driver_is_vfio(m->driver) ||
			  !strcmp(m->driver, "pci-stub") ||
			  (m->is_bridge && !strcmp(m->driver, "pcieport"));

		if (m == d && !pt_driver_is_vfio(m->driver))
			ok = false;	/* the device itself must be VFIO's */
		e += snprintf(ev + e, sizeof(ev) - e, "%s%s: %s%s", e ? "; " : "",
			      m->bdf, drv, m == d ? " (tested)" : "");
		if (e >= sizeof(ev))
			e = sizeof(ev) - 1;
		if (!ok) {
			b += snprintf(bad + b, sizeof(bad) - b, "%s%s", b ? " " : "",
				      m->bdf);
			if (b >= sizeof(bad))
				b = sizeof(bad) - 1;
		}
	}
	if (bad[0]) {
		char fix[600];

		snprintf(fix, sizeof(fix), "passthru assign %s (moves every member "
			 "of group %d to vfio-pci: %s)", d->bdf, g->id, bad);
		vfy_fail(r, "the tested device on vfio-pci and no member of its "
			 "group on a host driver", fix, "group %d: %s", g->id, ev);
	} else {
		vfy_pass(r, "group %d: %s", g->id, ev);
	}
}

void vfy_check_host(struct vfy_report *rep, struct vfy_host *h,
		    const struct pt_device *d)
{
	check_iommu_enabled(rep, h, d);
	check_translated(rep, d);
	check_intremap(rep, h, d);
	check_unsafe(rep, h, d);
	check_acs(rep, h, d);
	check_viable(rep, h, d);
	check_host_drivers(rep, d);
}
