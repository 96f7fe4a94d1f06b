/* SPDX-License-Identifier: MIT */
/*
 * json.h — a small streaming JSON writer for `--json` output.
 *
 *	struct json j;
 *	json_init(&j, stdout);
 *	json_obj_begin(&j, NULL);
 *	json_str(&j, "bdf", "0000:00:02.0");
 *	json_int(&j, "iommu_group", 3);
 *	json_arr_begin(&j, "net");  json_str(&j, NULL, "eth0");  json_arr_end(&j);
 *	json_obj_end(&j);
 *	json_finish(&j);	// newline
 *
 * A key is given inside objects and NULL inside arrays.  Output is indented
 * two spaces per level; strings are escaped per RFC 8259.
 */
#ifndef PASSTHRU_LIB_JSON_H
#define PASSTHRU_LIB_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_buf;

struct json {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH];	/* no element written yet at this level */
	struct json_buf *keep;		/* json_buffer(), else NULL */
	int version;			/* json_version(), else 0 */
};

void json_init(struct json *j, FILE *out);
/* Hold the output in one 64 KiB buffer, written when full and by
 * json_finish() (which must then be called): for a document nothing else
 * writes into meanwhile.  Without it each call writes its piece at once. */
void json_buffer(struct json *j);
/* The document's schema version: its top-level object then starts with
 * "version": version. */
void json_version(struct json *j, int version);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);	/* NULL -> null */
void json_strf(struct json *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void json_int(struct json *j, const char *key, long long val);
void json_uint(struct json *j, const char *key, unsigned long long val);
/* "0x" and val in lower-case hex, zero-padded to width digits (at most
 * 16): the string "0x%0*llx" gives, without printf's cost */
void json_hex(struct json *j, const char *key, unsigned long long val,
	      int width);
void json_double(struct json *j, const char *key, double val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
void json_finish(struct json *j);

#endif
