// SPDX-License-Identifier: MIT
/*
 * emit.c — what every `passthru emit` format shares: the format registry,
 * notes and failures, guest placement of multifunction slots, and the run
 * itself (resolve DEVICEs, build the inventory, render into memory, write
 * to stdout or atomically to a file).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "tools/discover.h"
#include "tools/emit.h"

static struct emit_format *formats;

/* Kept sorted by name, so help and error messages list them in order. */
void emit_format_register(struct emit_format *f)
{
	struct emit_format **p = &formats;

	while (*p && strcmp((*p)->name, f->name) < 0)
		p = &(*p)->next;
	f->next = *p;
	*p = f;
}

const struct emit_format *emit_format_find(const char *name)
{
	for (const struct emit_format *f = formats; f; f = f->next)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

const struct emit_format *emit_format_first(void)
{
	return formats;
}

void emit_note(struct emit *e, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (e->nr_notes >= EMIT_MAX_NOTES)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0)
		e->notes[e->nr_notes++] = s;
	va_end(ap);
}

int emit_fail(struct emit *e, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->error, sizeof(e->error), fmt, ap);
	va_end(ap);
	return status;
}

void emit_note_viability(struct emit *e)
{
	const struct pt_inventory *inv = e->inv;

	for (int i = 0; i < inv->nr_groups; i++) {
		const struct pt_inv_group *ig = inv->groups[i];
		const struct pt_group *g = ig->group;

		if (!g || g->viable || !ig->nr)
			continue;
		emit_note(e, "IOMMU group %d is not viable yet (%s%s): run `passthru "
			  "assign %s` before starting the guest%s", g->id,
			  g->not_viable.v[0], g->not_viable.n > 1 ? ", ..." : "",
			  inv->fn[ig->first]->dev->bdf,
			  g->blocked_by.n ? " (it is blocked: it needs --force)" : "");
	}
}

void emit_note_memory(struct emit *e, const char *vmm)
{
	const struct pt_check *ml = pt_inventory_check(e->inv, PT_CHECK_MEMLOCK);
	const struct pt_check *hp = pt_inventory_check(e->inv, PT_CHECK_HUGEPAGES);

	if (ml)
		emit_note(e, "locked memory (%s pins all guest RAM): %s%s%s", vmm,
			  ml->detail, ml->status == PT_CHECK_PASS ? "" : "; fix: ",
			  ml->status == PT_CHECK_PASS ? "" : ml->fix);
	if (hp && hp->status == PT_CHECK_PASS)
		emit_note(e, "hugepages: %s: back guest RAM with them (fewer IOMMU "
			  "mappings, faster pinning)", hp->detail);
	else if (hp)
		emit_note(e, "hugepages: %s", hp->detail);
}

static bool starts_slot(const struct pt_inv_function *f)
{
	return f->slot_nr > 1 && f->slot_pos == 0;
}

static bool slot_has_fn0(const struct pt_inventory *inv,
			 const struct pt_inv_function *f)
{
	for (int i = 0; i < inv->nr_fn; i++) {
		const struct pt_device *d = inv->fn[i]->dev;

		if (inv->fn[i]->slot_nr > 1 && d->domain == f->dev->domain &&
		    d->bus == f->dev->bus && d->dev == f->dev->dev && d->func == 0)
			return true;
	}
	return false;
}

int emit_guest_slot(const struct emit *e, const struct pt_inv_function *f)
{
	const struct pt_inventory *inv = e->inv;
	int n = 0;

	if (f->slot_nr < 2)
		return -1;
	for (int i = 0; i < inv->nr_fn; i++) {
		const struct pt_inv_function *g = inv->fn[i];

		if (!starts_slot(g))
			continue;
		if (g->dev->domain == f->dev->domain && g->dev->bus == f->dev->bus &&
		    g->dev->dev == f->dev->dev)
			return (int)e->o->slot + n;
		n++;
	}
	return -1;
}

unsigned int emit_guest_fn(const struct emit *e, const struct pt_inv_function *f)
{
	return slot_has_fn0(e->inv, f) ? f->dev->func : (unsigned int)f->slot_pos;
}

int emit_nr_guest_slots(const struct pt_inventory *inv)
{
	int n = 0;

	for (int i = 0; i < inv->nr_fn; i++)
		n += starts_slot(inv->fn[i]);
	return n;
}

bool emit_has_rom(const struct pt_inv_function *f)
{
	for (int i = 0; i < f->dev->nr_bars; i++)
		if (f->dev->bars[i].index == 6 && f->dev->bars[i].size)
			return true;
	return false;
}

const char *emit_ids(const struct pt_device *d, char sep, char *buf, size_t n)
{
	snprintf(buf, n, "%04x%c%04x", d->vendor_id, sep, d->device_id);
	return buf;
}

void emit_opts_init(struct emit_opts *o)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;

	memset(o, 0, sizeof(*o));
	o->check = (struct pt_check_opts)PT_CHECK_OPTS_INIT;
	o->slot = 0x10;
	o->now = time(NULL);
	/* reproducible output (tests, packaged examples): the convention of
	 * reproducible-builds.org */
	if (sde && *sde) {
		long long v = strtoll(sde, &end, 10);

		if (!*end && v >= 0)
			o->now = (time_t)v;
	}
}

/* ---- the run ---------------------------------------------------------- */

static void print_json(const struct emit_request *rq, const struct emit *e,
		       const char *doc, int status)
{
	struct json j;

	cli_json_start(&j);
	json_obj_begin(&j, NULL);
	json_str(&j, "command", "emit");
	json_str(&j, "format", rq->format);
	json_str(&j, "status", status == CLI_EXIT_OK ? "ok" :
		 status == CLI_EXIT_USAGE ? "bad-input" : "failed");
	json_str(&j, "output", status == CLI_EXIT_OK ? doc : NULL);
	json_arr_begin(&j, "notes");
	for (int i = 0; e && i < e->nr_notes; i++)
		json_str(&j, NULL, e->notes[i]);
	json_arr_end(&j);
	json_str(&j, "error", status == CLI_EXIT_OK ? NULL : e ? e->error : pt_last_error());
	json_obj_end(&j);
	json_finish(&j);
}

/* Temporary file in the same directory (NFD ignores dot files), then
 * rename(2): a reader never sees half a document. */
static int write_atomic(const char *path, const char *doc, size_t len,
			char *err, size_t n)
{
	char tmp[4096];
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp", dirlen, path,
		     slash ? slash + 1 : path) >= (int)sizeof(tmp)) {
		snprintf(err, n, "cannot write %s: path too long", path);
		return -ENAMETOOLONG;
	}
	f = fopen(tmp, "w");
	if (!f || fwrite(doc, 1, len, f) != len || fflush(f) || fsync(fileno(f))) {
		int e = errno;

		if (f)
			fclose(f);
		unlink(tmp);
		snprintf(err, n, "cannot write %.512s: %s", tmp, strerror(e));
		return -e;
	}
	if (fclose(f) || rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		snprintf(err, n, "cannot write %.512s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

/* Each DEVICE's devices (a slot: all its functions; ids and classes: all
 * with --all), each once, into sel (room for every device of the scan). */
static int resolve(struct pt_ctx *ctx, const struct emit_request *rq,
		   const struct pt_device **sel, int room, int *nsel, struct emit *e)
{
	*nsel = 0;
	for (int i = 0; i < rq->nr_devices; i++) {
		int base = *nsel;
		int n = pt_resolve_devices(ctx, rq->devices[i], rq->all ?
					   PT_RESOLVE_ALL : 0, sel + base,
					   room - base);

		if (n < 0) {
			cli_error_device(rq->devices[i]);
			return emit_fail(e, CLI_EXIT_USAGE, "%s", pt_last_error());
		}
		/* the new ones are at base..base+n: keep those not seen */
		for (int k = 0; k < n; k++) {
			const struct pt_device *d = sel[base + k];
			bool dup = false;

			for (int j = 0; j < base; j++)
				dup |= sel[j] == d;
			if (!dup)
				sel[(*nsel)++] = d;
		}
	}
	return 0;
}

static int check_groups(struct emit *e, const struct emit_format *fmt)
{
	const struct pt_inventory *inv = e->inv;

	if (!(fmt->flags & EMIT_NEEDS_GROUP))
		return 0;
	for (int i = 0; i < inv->nr_fn; i++) {
		const struct pt_inv_function *f = inv->fn[i];

		if (f->group)
			continue;
		return emit_fail(e, CLI_EXIT_FAIL, "cannot emit %s for %s: it is in no "
				 "IOMMU group (%s), so VFIO cannot assign it; see "
				 "`passthru check`", fmt->name, f->dev->bdf,
				 inv->host->iommu ? "the IOMMU does not translate it"
				 : "this machine has no IOMMU enabled");
	}
	if (!inv->nr_fn)
		return emit_fail(e, CLI_EXIT_FAIL, "cannot emit %s: the selected "
				 "IOMMU groups hold only bridges, which stay on the "
				 "host", fmt->name);
	return 0;
}

/* Renders into memory; 0 or the exit status (e->error says why). */
static int render(const struct cli *cli, const struct emit_request *rq,
		  const struct emit_format *fmt, struct emit *e,
		  char **doc, size_t *len)
{
	const struct pt_device **sel;
	const struct pt_system *sys;
	struct pt_inventory *inv = NULL;
	int nsel, room, ret;

	ret = cli_open(cli, &e->ctx, &sys);
	if (ret)
		return emit_fail(e, ret, "%s", pt_last_error());
	room = sys->nr_devices + 1;
	sel = calloc((size_t)room, sizeof(*sel));
	if (!sel)
		return emit_fail(e, CLI_EXIT_FAIL, "out of memory");
	ret = resolve(e->ctx, rq, sel, room, &nsel, e);
	if (!ret && pt_inventory_build(e->ctx, sel, nsel, &rq->opts.check, &inv) < 0)
		ret = emit_fail(e, CLI_EXIT_USAGE, "%s", pt_last_error());
	free(sel);
	if (ret)
		return ret;
	e->inv = inv;
	ret = check_groups(e, fmt);
	if (!ret) {
		e->out = open_memstream(doc, len);
		ret = e->out ? fmt->render(e) : emit_fail(e, CLI_EXIT_FAIL, "out of memory");
		if (e->out && fclose(e->out) && !ret)
			ret = emit_fail(e, CLI_EXIT_FAIL, "out of memory");
	}
	pt_inventory_free(inv);
	e->inv = NULL;
	return ret;
}

int emit_run(const struct cli *cli, const struct emit_request *rq)
{
	const struct emit_format *fmt = emit_format_find(rq->format);
	struct emit e = { .o = &rq->opts };
	char *doc = NULL;
	size_t len = 0;
	int ret;

	if (!fmt) {
		char names[256] = "";

		for (const struct emit_format *f = formats; f; f = f->next)
			snprintf(names + strlen(names), sizeof(names) - strlen(names),
				 "%s%s", *names ? ", " : "", f->name);
		ret = emit_fail(&e, CLI_EXIT_USAGE, "unknown format '%s' (formats: %s)",
				rq->format, names);
	} else if ((fmt->flags & EMIT_NEEDS_DEVICE) && !rq->nr_devices) {
		ret = emit_fail(&e, CLI_EXIT_USAGE, "the %s format needs at least one "
				"DEVICE", fmt->name);
	} else {
		ret = render(cli, rq, fmt, &e, &doc, &len);
	}
	if (!ret && rq->output && strcmp(rq->output, "-") &&
	    write_atomic(rq->output, doc ? doc : "", len, e.error, sizeof(e.error)) < 0)
		ret = CLI_EXIT_FAIL;
	if (rq->json) {
		print_json(rq, &e, doc ? doc : "", ret);
		if (ret)
			cli_err("%s", e.error);
	} else {
		if (!ret && (!rq->output || !strcmp(rq->output, "-")))
			fwrite(doc ? doc : "", 1, len, stdout);
		for (int i = 0; i < e.nr_notes; i++)
			fprintf(stderr, "passthru: note: %s\n", e.notes[i]);
		if (ret)
			cli_err("%s", e.error);
	}
	for (int i = 0; i < e.nr_notes; i++)
		free(e.notes[i]);
	free(doc);
	pt_ctx_free(e.ctx);
	return ret;
}
