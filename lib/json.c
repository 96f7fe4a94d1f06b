// SPDX-License-Identifier: MIT
/* json.c — see json.h. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/text.h"

/*
 * Each call stages its whole piece (separator, indentation, key, value) in
 * a small buffer and hands it to stdio in one unlocked fwrite: a
 * 2,000-device `list --json` is ~120,000 values, and one locked stdio call
 * per separator, quote and run cost more than the scan of some files.
 * Nothing stays staged between calls, so output written to the same FILE
 * by other code keeps its order — unless the caller asked for
 * json_buffer(), which keeps one larger buffer until json_finish().  A
 * struct json is used from one thread, like the FILE it writes to.
 */
struct jbuf {
	FILE *out;
	size_t n, cap;
	char *b;
};

#define JSON_STAGE	1024		/* per call */
#define JSON_KEEP	(64 * 1024)	/* json_buffer() */

struct json_buf {
	struct jbuf w;
	char b[JSON_KEEP];
};

static void jb_flush(struct jbuf *w)
{
	if (w->n)
		fwrite_unlocked(w->b, 1, w->n, w->out);
	w->n = 0;
}

static void jb_put(struct jbuf *w, const void *p, size_t len)
{
	if (w->n + len > w->cap) {
		jb_flush(w);
		if (len > w->cap) {
			fwrite_unlocked(p, 1, len, w->out);
			return;
		}
	}
	memcpy(w->b + w->n, p, len);
	w->n += len;
}

static void jb_putc(struct jbuf *w, char c)
{
	if (w->n == w->cap)
		jb_flush(w);
	w->b[w->n++] = c;
}

/* The buffer of one call: the kept one, or stage (JSON_STAGE bytes, not
 * cleared: only b[0..n) is ever read) for this call alone. */
static struct jbuf *jb_begin(struct json *j, struct jbuf *w, char *stage)
{
	if (j->keep)
		return &j->keep->w;
	w->out = j->out;
	w->n = 0;
	w->cap = JSON_STAGE;
	w->b = stage;
	return w;
}

static void jb_end(struct json *j, struct jbuf *w)
{
	if (!j->keep)
		jb_flush(w);
}

void json_buffer(struct json *j)
{
	if (j->keep)
		return;
	j->keep = malloc(sizeof(*j->keep));
	if (!j->keep)
		return;		/* unbuffered is slower, not wrong */
	j->keep->w.out = j->out;
	j->keep->w.n = 0;
	j->keep->w.cap = sizeof(j->keep->b);
	j->keep->w.b = j->keep->b;
}

void json_init(struct json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

/* Any bytes in, valid JSON out: control characters escaped, and a byte
 * that is not part of well-formed UTF-8 replaced by U+FFFD. */
static void json_escape(struct jbuf *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	jb_putc(w, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const unsigned char *run = p;
		int n;

		/* runs that need no escaping are copied whole */
		while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			jb_put(w, run, (size_t)(p - run));
		if (!*p)
			break;
		switch (*p) {
		case '"':  jb_put(w, "\\\"", 2); break;
		case '\\': jb_put(w, "\\\\", 2); break;
		case '\n': jb_put(w, "\\n", 2); break;
		case '\r': jb_put(w, "\\r", 2); break;
		case '\t': jb_put(w, "\\t", 2); break;
		default:
			if (*p >= 0x80) {
				n = pt_utf8_len(p);
				if (n) {
					jb_put(w, p, (size_t)n);
					p += n - 1;
				} else {
					jb_put(w, "\\ufffd", 6);
				}
			} else {
				/* the other control characters: \u00XX */
				char u[6] = { '\\', 'u', '0', '0', hex[*p >> 4],
					      hex[*p & 0xf] };

				jb_put(w, u, sizeof(u));
			}
		}
	}
	jb_putc(w, '"');
}

static void json_indent(struct json *j, struct jbuf *w)
{
	static const char spaces[2 * JSON_MAX_DEPTH] = {
		[0 ... 2 * JSON_MAX_DEPTH - 1] = ' ',
	};

	jb_put(w, spaces, (size_t)(2 * j->depth));
}

/* Separator, newline, indentation and key before any value. */
static void json_lead(struct json *j, struct jbuf *w, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			jb_putc(w, ',');
		jb_putc(w, '\n');
		json_indent(j, w);
	}
	j->first[j->depth] = false;
	if (key) {
		json_escape(w, key);
		jb_put(w, ": ", 2);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	char stage[JSON_STAGE];
	struct jbuf sw, *w = jb_begin(j, &sw, stage);

	json_lead(j, w, key);
	jb_putc(w, c);
	jb_end(j, w);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	bool empty = j->first[j->depth];
	char stage[JSON_STAGE];
	struct jbuf sw, *w = jb_begin(j, &sw, stage);

	if (j->depth > 0)
		j->depth--;
	if (!empty) {
		jb_putc(w, '\n');
		json_indent(j, w);
	}
	jb_putc(w, c);
	jb_end(j, w);
}

void json_version(struct json *j, int version)
{
	j->version = version;
}

void json_obj_begin(struct json *j, const char *key)
{
	bool top = j->depth == 0;

	json_open(j, key, '{');
	/* the schema version leads the document, in this one place */
	if (top && j->version)
		json_int(j, "version", j->version);
}

void json_obj_end(struct json *j) { json_close(j, '}'); }
void json_arr_begin(struct json *j, const char *key) { json_open(j, key, '['); }
void json_arr_end(struct json *j) { json_close(j, ']'); }

/* A key and a value given as text written as is (numbers, literals). */
static void json_raw(struct json *j, const char *key, const char *val,
		     size_t len)
{
	char stage[JSON_STAGE];
	struct jbuf sw, *w = jb_begin(j, &sw, stage);

	json_lead(j, w, key);
	jb_put(w, val, len);
	jb_end(j, w);
}

void json_str(struct json *j, const char *key, const char *val)
{
	char stage[JSON_STAGE];
	struct jbuf sw, *w = jb_begin(j, &sw, stage);

	json_lead(j, w, key);
	if (val)
		json_escape(w, val);
	else
		jb_put(w, "null", 4);
	jb_end(j, w);
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

	/* the magnitude as unsigned: -LLONG_MIN does not fit a long long */
	p = fmt_dec(end, val < 0 ? 0ULL - (unsigned long long)val
				 : (unsigned long long)val);
	if (val < 0)
		*--p = '-';
	json_raw(j, key, p, (size_t)(end - p));
}

void json_uint(struct json *j, const char *key, unsigned long long val)
{
	char buf[24], *end = buf + sizeof(buf), *p;

	p = fmt_dec(end, val);
	json_raw(j, key, p, (size_t)(end - p));
}

void json_hex(struct json *j, const char *key, unsigned long long val,
	      int width)
{
	static const char digits[] = "0123456789abcdef";
	char buf[24], *end = buf + sizeof(buf), *p = end;

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
	json_raw(j, key, p, (size_t)(end - p));
}

void json_double(struct json *j, const char *key, double val)
{
	char buf[64];
	int n;

	if (!isfinite(val)) {
		json_raw(j, key, "null", 4);
		return;
	}
	n = snprintf(buf, sizeof(buf), "%.6g", val);
	json_raw(j, key, buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : 0);
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_raw(j, key, val ? "true" : "false", val ? 4 : 5);
}

void json_null(struct json *j, const char *key)
{
	json_raw(j, key, "null", 4);
}

void json_finish(struct json *j)
{
	if (j->keep) {
		jb_flush(&j->keep->w);
		free(j->keep);
		j->keep = NULL;
	}
	fputc('\n', j->out);
	fflush(j->out);
}
