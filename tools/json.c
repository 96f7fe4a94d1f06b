// SPDX-License-Identifier: MIT
/* json.c — see json.h. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "tools/json.h"

/*
 * The writer makes a few hundred thousand stdio calls for a 2,000-device
 * `list --json`; the locking versions took a lock on each.  A struct json
 * is used from one thread, like the FILE it writes to.
 */
#define putc_j(c, f)		fputc_unlocked((c), (f))
#define puts_j(s, f)		fputs_unlocked((s), (f))
#define write_j(p, n, f)	fwrite_unlocked((p), 1, (n), (f))

void json_init(struct json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

static void json_escape(FILE *out, const char *s)
{
	putc_j('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const unsigned char *run = p;

		/* copy runs that need no escaping in one call (a 2,000-device
		 * `list --json` spent a fifth of its time in per-byte fputc) */
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			write_j(run, (size_t)(p - run), out);
		if (!*p)
			break;
		switch (*p) {
		case '"':  puts_j("\\\"", out); break;
		case '\\': puts_j("\\\\", out); break;
		case '\n': puts_j("\\n", out); break;
		case '\r': puts_j("\\r", out); break;
		case '\t': puts_j("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				putc_j(*p, out);
		}
	}
	putc_j('"', out);
}

static void json_indent(struct json *j)
{
	static const char spaces[2 * JSON_MAX_DEPTH] = {
		[0 ... 2 * JSON_MAX_DEPTH - 1] = ' ',
	};

	write_j(spaces, (size_t)(2 * j->depth), j->out);
}

/* Separator, newline, indentation and key before any value. */
static void json_lead(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			putc_j(',', j->out);
		putc_j('\n', j->out);
		json_indent(j);
	}
	j->first[j->depth] = false;
	if (key) {
		json_escape(j->out, key);
		puts_j(": ", j->out);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_lead(j, key);
	putc_j(c, j->out);
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
		putc_j('\n', j->out);
		json_indent(j);
	}
	putc_j(c, j->out);
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
		puts_j("null", j->out);
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

/* Decimal digits of v, written backwards from end; returns the start. */
static char *fmt_dec(char *end, unsigned long long v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void json_int(struct json *j, const char *key, long long val)
{
	char buf[24], *end = buf + sizeof(buf), *p;

	json_lead(j, key);
	/* the magnitude as unsigned: -LLONG_MIN does not fit a long long */
	p = fmt_dec(end, val < 0 ? 0ULL - (unsigned long long)val
				 : (unsigned long long)val);
	if (val < 0)
		*--p = '-';
	write_j(p, (size_t)(end - p), j->out);
}

void json_uint(struct json *j, const char *key, unsigned long long val)
{
	char buf[24], *end = buf + sizeof(buf), *p;

	json_lead(j, key);
	p = fmt_dec(end, val);
	write_j(p, (size_t)(end - p), j->out);
}

void json_hex(struct json *j, const char *key, unsigned long long val,
	      int width)
{
	static const char digits[] = "0123456789abcdef";
	char buf[24], *end = buf + sizeof(buf), *p = end;

	json_lead(j, key);
	*--p = '"';
	do {
		*--p = digits[val & 0xf];
		val >>= 4;
		width--;
	} while (val);
	while (width-- > 0 && p > buf + 3)
		*--p = '0';
	*--p = 'x';
	*--p = '0';
	*--p = '"';
	write_j(p, (size_t)(end - p), j->out);
}

void json_double(struct json *j, const char *key, double val)
{
	json_lead(j, key);
	if (isfinite(val))
		fprintf(j->out, "%.6g", val);
	else
		puts_j("null", j->out);
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_lead(j, key);
	puts_j(val ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	json_lead(j, key);
	puts_j("null", j->out);
}

void json_finish(struct json *j)
{
	putc_j('\n', j->out);
	fflush(j->out);
}
