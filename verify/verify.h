/* SPDX-License-Identifier: MIT */
/*
 * verify.h — `passthru verify`: the check battery that proves the IOMMU
 * isolation of assigned devices, its result model and its report writers.
 *
 * Model.  A report is a list of results; each result is one named check
 * ("host.iommu-enabled", "dma.unmapped-never-mapped", ...) run for one
 * device, either on the host ("iommu" NULL) or through one IOMMU backend
 * ("type1", "iommufd").  A result is PASS with its evidence, FAIL with what
 * was expected, what was seen and the fix, or SKIP with the reason it could
 * not run.  A result that was begun but never given a verdict reads as FAIL
 * ("the check reported no result"): nothing in this model defaults to pass.
 *
 * Writers: human table, JSON, TAP version 14, JUnit XML (out-*.c).  They
 * print exactly the report (no clock, no hostname), so their output is
 * reproducible and tests compare it byte for byte.
 */
#ifndef PASSTHRU_VERIFY_H
#define PASSTHRU_VERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum vfy_status { VFY_PASS, VFY_FAIL, VFY_SKIP };

struct vfy_result {
	char *check;		/* "host.iommu-enabled" */
	char *device;		/* "0000:00:03.0" */
	char *iommu;		/* "type1", "iommufd"; NULL for host checks */
	enum vfy_status status;
	bool decided;		/* a vfy_pass/fail/skip was recorded */
	char *evidence;		/* what was seen (pass and fail) */
	char *expected;		/* fail: what should have been seen */
	char *fix;		/* fail: what to do */
	char *reason;		/* skip: why the check did not run */
	double seconds;		/* run time of the check */
	double t_start;		/* monotonic clock at vfy_begin */
};

struct vfy_report {
	struct vfy_result **r;
	int nr, cap;
	char **notes;		/* summary remarks ("... NOT proven: ...") */
	int nr_notes;
};

void vfy_report_init(struct vfy_report *rep);
void vfy_report_free(struct vfy_report *rep);

/*
 * Starts a check and returns its result (owned by the report; NULL only
 * when out of memory).  Until a verdict is set it counts as FAIL.
 */
struct vfy_result *vfy_begin(struct vfy_report *rep, const char *device,
			     const char *iommu, const char *check);
/* Verdicts.  Text is sanitised to printable ASCII plus '\n'. */
void vfy_pass(struct vfy_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* expected and fix are plain strings; fmt is what was seen.  fix NULL gets
 * a generic "the evidence names the step..." so no failure lacks one. */
void vfy_fail(struct vfy_result *r, const char *expected, const char *fix,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void vfy_skip(struct vfy_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Adds a line to the evidence already recorded (or starts it). */
void vfy_evidence_add(struct vfy_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vfy_note(struct vfy_report *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int vfy_count(const struct vfy_report *rep, enum vfy_status st);
/* true when every check passed (no fail; skips count as not passed unless
 * allow_skip) and at least one check ran. */
bool vfy_all_passed(const struct vfy_report *rep, bool allow_skip);
const char *vfy_status_name(enum vfy_status st);	/* "pass" ... */
/* vfy_begin's result status as it will be reported. */
static inline enum vfy_status vfy_result_status(const struct vfy_result *r)
{
	return r->decided ? r->status : VFY_FAIL;
}
/* What the writers print; an undecided result reads as a failure whose
 * evidence is "the check reported no result". */
const char *vfy_seen(const struct vfy_result *r);	/* NULL for skips */
const char *vfy_expected(const struct vfy_result *r);	/* NULL unless fail */
const char *vfy_fix(const struct vfy_result *r);	/* NULL unless fail */
const char *vfy_reason(const struct vfy_result *r);	/* NULL unless skip */
/* Replaces non-printable bytes (and non-ASCII) by '?', keeps '\n'. */
char *vfy_sanitize(char *s);

/* ---- writers (verify/out-*.c) ---- */
enum vfy_format { VFY_FMT_TEXT, VFY_FMT_JSON, VFY_FMT_TAP, VFY_FMT_JUNIT };
int vfy_format_parse(const char *s, enum vfy_format *out);	/* -EINVAL */
int vfy_write(const struct vfy_report *rep, enum vfy_format fmt, FILE *out);
int vfy_write_text(const struct vfy_report *rep, FILE *out);
/* The table with the result word coloured (for a terminal). */
int vfy_write_text_color(const struct vfy_report *rep, FILE *out, bool color);
int vfy_write_json(const struct vfy_report *rep, FILE *out);
int vfy_write_tap(const struct vfy_report *rep, FILE *out);
int vfy_write_junit(const struct vfy_report *rep, FILE *out);
/* "verify: 12 passed, 1 failed, 3 skipped" into buf. */
const char *vfy_summary_line(const struct vfy_report *rep, char *buf, size_t n);

#endif
