// SPDX-License-Identifier: MIT
/*
 * result.c — the result model of `passthru verify` (see verify.h).
 *
 * Out of memory while recording text keeps the verdict and drops the text
 * (a FAIL stays a FAIL); out of memory in vfy_begin returns NULL and the
 * battery counts that as a failure of the whole run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verify/verify.h"

static double vfy_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

char *vfy_sanitize(char *s)
{
	for (unsigned char *p = (unsigned char *)s; p && *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p >= 0x7f)
			*p = '?';
	return s;
}

static char *vfy_vasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (!fmt || vasprintf(&s, fmt, ap) < 0)
		return NULL;
	/* trailing newlines carry nothing and upset table layouts */
	for (size_t n = strlen(s); n && s[n - 1] == '\n'; n--)
		s[n - 1] = '\0';
	return vfy_sanitize(s);
}

static char *vfy_strdup(const char *s)
{
	return s ? vfy_sanitize(strdup(s)) : NULL;
}

void vfy_report_init(struct vfy_report *rep)
{
	memset(rep, 0, sizeof(*rep));
}

static void vfy_result_free(struct vfy_result *r)
{
	free(r->check);
	free(r->device);
	free(r->iommu);
	free(r->evidence);
	free(r->expected);
	free(r->fix);
	free(r->reason);
	free(r);
}

void vfy_report_free(struct vfy_report *rep)
{
	for (int i = 0; i < rep->nr; i++)
		vfy_result_free(rep->r[i]);
	for (int i = 0; i < rep->nr_notes; i++)
		free(rep->notes[i]);
	free(rep->r);
	free(rep->notes);
	memset(rep, 0, sizeof(*rep));
}

struct vfy_result *vfy_begin(struct vfy_report *rep, const char *device,
			     const char *iommu, const char *check)
{
	struct vfy_result *r;

	if (rep->nr == rep->cap) {
		int cap = rep->cap ? rep->cap * 2 : 32;
		struct vfy_result **v = realloc(rep->r, cap * sizeof(*v));

		if (!v)
			return NULL;
		rep->r = v;
		rep->cap = cap;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->check = vfy_strdup(check);
	r->device = vfy_strdup(device ? device : "");
	r->iommu = vfy_strdup(iommu);
	if (!r->check || !r->device || (iommu && !r->iommu)) {
		vfy_result_free(r);
		return NULL;
	}
	r->status = VFY_FAIL;
	r->t_start = vfy_now();
	rep->r[rep->nr++] = r;
	return r;
}

static void vfy_decide(struct vfy_result *r, enum vfy_status st)
{
	r->status = st;
	r->decided = true;
	r->seconds = vfy_now() - r->t_start;
	if (r->seconds < 0)
		r->seconds = 0;
}

/* Replaces the text in *slot (evidence or reason) with the formatted one. */
static void vfy_set_text(char **slot, const char *fmt, va_list ap)
{
	free(*slot);
	*slot = vfy_vasprintf(fmt, ap);
}

void vfy_pass(struct vfy_result *r, const char *fmt, ...)
{
	va_list ap;

	if (!r)
		return;
	va_start(ap, fmt);
	vfy_set_text(&r->evidence, fmt, ap);
	va_end(ap);
	vfy_decide(r, VFY_PASS);
}

void vfy_fail(struct vfy_result *r, const char *expected, const char *fix,
	      const char *fmt, ...)
{
	va_list ap;

	if (!r)
		return;
	va_start(ap, fmt);
	vfy_set_text(&r->evidence, fmt, ap);
	va_end(ap);
	free(r->expected);
	free(r->fix);
	r->expected = vfy_strdup(expected);
	/* every failure tells the user what to do, even a plain one */
	r->fix = vfy_strdup(fix ? fix : "the evidence names the step that "
			    "failed and, where the library knows it, the fix; "
			    "otherwise report it with this output");
	vfy_decide(r, VFY_FAIL);
}

void vfy_skip(struct vfy_result *r, const char *fmt, ...)
{
	va_list ap;

	if (!r)
		return;
	va_start(ap, fmt);
	vfy_set_text(&r->reason, fmt, ap);
	va_end(ap);
	vfy_decide(r, VFY_SKIP);
}

void vfy_evidence_add(struct vfy_result *r, const char *fmt, ...)
{
	va_list ap;
	char *line, *joined;

	if (!r)
		return;
	va_start(ap, fmt);
	line = vfy_vasprintf(fmt, ap);
	va_end(ap);
	if (!line)
		return;
	if (!r->evidence) {
		r->evidence = line;
		return;
	}
	if (asprintf(&joined, "%s\n%s", r->evidence, line) >= 0) {
		free(r->evidence);
		r->evidence = joined;
	}
	free(line);
}

void vfy_note(struct vfy_report *rep, const char *fmt, ...)
{
	va_list ap;
	char *s, **v;

	va_start(ap, fmt);
	s = vfy_vasprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return;
	v = realloc(rep->notes, (rep->nr_notes + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return;
	}
	rep->notes = v;
	rep->notes[rep->nr_notes++] = s;
}

int vfy_count(const struct vfy_report *rep, enum vfy_status st)
{
	int n = 0;

	for (int i = 0; i < rep->nr; i++)
		n += vfy_result_status(rep->r[i]) == st;
	return n;
}

bool vfy_all_passed(const struct vfy_report *rep, bool allow_skip)
{
	if (!rep->nr || vfy_count(rep, VFY_FAIL))
		return false;
	return allow_skip ? vfy_count(rep, VFY_PASS) > 0 :
			    vfy_count(rep, VFY_SKIP) == 0;
}

const char *vfy_status_name(enum vfy_status st)
{
	switch (st) {
	case VFY_PASS: return "pass";
	case VFY_FAIL: return "fail";
	case VFY_SKIP: return "skip";
	}
	return "fail";
}

const char *vfy_summary_line(const struct vfy_report *rep, char *buf, size_t n)
{
	snprintf(buf, n, "verify: %d passed, %d failed, %d skipped",
		 vfy_count(rep, VFY_PASS), vfy_count(rep, VFY_FAIL),
		 vfy_count(rep, VFY_SKIP));
	return buf;
}

#define VFY_NO_RESULT "the check reported no result"

const char *vfy_seen(const struct vfy_result *r)
{
	if (!r->decided)
		return VFY_NO_RESULT;
	return r->status == VFY_SKIP ? NULL : r->evidence;
}

const char *vfy_expected(const struct vfy_result *r)
{
	if (!r->decided)
		return "every check to end with pass, fail or skip";
	return r->status == VFY_FAIL ? r->expected : NULL;
}

const char *vfy_fix(const struct vfy_result *r)
{
	if (!r->decided)
		return "this is a bug in passthru verify: please report it with this output";
	return r->status == VFY_FAIL ? r->fix : NULL;
}

const char *vfy_reason(const struct vfy_result *r)
{
	if (!r->decided || r->status != VFY_SKIP)
		return NULL;
	return r->reason ? r->reason : "no reason given";
}

int vfy_format_parse(const char *s, enum vfy_format *out)
{
	static const char *names[] = { "text", "json", "tap", "junit" };

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (s && !strcmp(s, names[i])) {
			*out = (enum vfy_format)i;
			return 0;
		}
	return -EINVAL;
}

int vfy_write(const struct vfy_report *rep, enum vfy_format fmt, FILE *out)
{
	switch (fmt) {
	case VFY_FMT_TEXT: return vfy_write_text(rep, out);
	case VFY_FMT_JSON: return vfy_write_json(rep, out);
	case VFY_FMT_TAP: return vfy_write_tap(rep, out);
	case VFY_FMT_JUNIT: return vfy_write_junit(rep, out);
	}
	return -EINVAL;
}
