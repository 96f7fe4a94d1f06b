// SPDX-License-Identifier: MIT
/* json.c — see json.h. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "tools/json.h"

void json_init(struct json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

static void json_escape(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const unsigned char *run = p;

		/* copy runs that need no escaping in one call (a 2,000-device
		 * `list --json` spent a fifth of its time in per-byte fputc) */
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), out);
		if (!*p)
			break;
		switch (*p) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void json_indent(struct json *j)
{
	static const char spaces[2 * JSON_MAX_DEPTH] = {
		[0 ... 2 * JSON_MAX_DEPTH - 1] = ' ',
	};

	fwrite(spaces, 1, (size_t)(2 * j->depth), j->out);
}

/* Separator, newline, indentation and key before any value. */
static void json_lead(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->out);
		fputc('\n', j->out);
		json_indent(j);
	}
	j->first[j->depth] = false;
	if (key) {
		json_escape(j->out, key);
		fputs(": ", j->out);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_lead(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty) {
		fputc('\n', j->out);
		json_indent(j);
	}
	fputc(c, j->out);
}

void json_obj_begin(struct json *j, const char *key) { json_open(j, key, '{'); }
void json_obj_end(struct json *j) { json_close(j, '}'); }
void json_arr_begin(struct json *j, const char *key) { json_open(j, key, '['); }
void json_arr_end(struct json *j) { json_close(j, ']'); }

void json_str(struct json *j, const char *key, const char *val)
{
	json_lead(j, key);
	if (val)
		json_escape(j->out, val);
	else
		fputs("null", j->out);
}

void json_strf(struct json *j, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_str(j, key, buf);
}

void json_int(struct json *j, const char *key, long long val)
{
	json_lead(j, key);
	fprintf(j->out, "%lld", val);
}

void json_uint(struct json *j, const char *key, unsigned long long val)
{
	json_lead(j, key);
	fprintf(j->out, "%llu", val);
}

void json_double(struct json *j, const char *key, double val)
{
	json_lead(j, key);
	if (isfinite(val))
		fprintf(j->out, "%.6g", val);
	else
		fputs("null", j->out);
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_lead(j, key);
	fputs(val ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	json_lead(j, key);
	fputs("null", j->out);
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}
