// SPDX-License-Identifier: MIT
/* jsonr.c — see jsonr.h.  Recursive descent, depth-limited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cli/jsonr.h"

#define JV_MAX_DEPTH 64

struct parser {
	const char *s, *p;
	char *err;
	size_t errlen;
	int depth;
};

static struct jv *fail(struct parser *ps, const char *what)
{
	if (ps->err && !ps->err[0])
		snprintf(ps->err, ps->errlen, "offset %td: %s", ps->p - ps->s, what);
	return NULL;
}

static void ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static struct jv *node(enum jv_type t)
{
	struct jv *v = calloc(1, sizeof(*v));

	if (v)
		v->type = t;
	return v;
}

static int push(struct jv *v, char *key, struct jv *item)
{
	struct jv **ni = realloc(v->items, sizeof(*ni) * (size_t)(v->n + 1));

	if (!ni)
		return -1;
	v->items = ni;
	if (v->type == JV_OBJ) {
		char **nk = realloc(v->keys, sizeof(*nk) * (size_t)(v->n + 1));

		if (!nk)
			return -1;
		v->keys = nk;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return 0;
}

static char *parse_string(struct parser *ps)
{
	size_t cap = 16, n = 0;
	char *out = malloc(cap);

	if (!out || *ps->p != '"')
		goto bad;
	ps->p++;
	while (*ps->p != '"') {
		char c = *ps->p;

		if (!c || (unsigned char)c < 0x20)
			goto bad;
		if (c == '\\') {
			ps->p++;
			switch (*ps->p) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				unsigned int u;

				if (sscanf(ps->p + 1, "%4x", &u) != 1)
					goto bad;
				c = u < 0x80 ? (char)u : '?';
				ps->p += 4;
				break;
			}
			default:
				goto bad;
			}
		}
		if (n + 2 > cap) {
			char *no = realloc(out, cap *= 2);

			if (!no)
				goto bad;
			out = no;
		}
		out[n++] = c;
		ps->p++;
	}
	ps->p++;
	out[n] = '\0';
	return out;
bad:
	free(out);
	fail(ps, "bad string");
	return NULL;
}

static struct jv *parse_value(struct parser *ps);

static struct jv *parse_container(struct parser *ps, bool obj)
{
	struct jv *v = node(obj ? JV_OBJ : JV_ARR);
	char close = obj ? '}' : ']';

	if (!v)
		return fail(ps, "out of memory");
	if (++ps->depth > JV_MAX_DEPTH)
		goto bad;
	ps->p++;
	ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct jv *item;

		ws(ps);
		if (obj) {
			key = parse_string(ps);
			if (!key)
				goto bad;
			ws(ps);
			if (*ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				goto bad;
			}
			ps->p++;
		}
		item = parse_value(ps);
		if (!item || push(v, key, item) < 0) {
			free(key);
			jv_free(item);
			goto bad;
		}
		ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			break;
		}
		fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		goto bad;
	}
	ps->depth--;
	return v;
bad:
	fail(ps, "bad container");
	jv_free(v);
	return NULL;
}

static struct jv *parse_value(struct parser *ps)
{
	struct jv *v;

	ws(ps);
	switch (*ps->p) {
	case '{':
		return parse_container(ps, true);
	case '[':
		return parse_container(ps, false);
	case '"':
		v = node(JV_STR);
		if (v && !(v->str = parse_string(ps))) {
			free(v);
			return NULL;
		}
		return v;
	case 't':
	case 'f':
	case 'n': {
		static const char *const words[] = { "true", "false", "null" };

		for (int i = 0; i < 3; i++) {
			size_t l = strlen(words[i]);

			if (!strncmp(ps->p, words[i], l)) {
				v = node(i == 2 ? JV_NULL : JV_BOOL);
				if (v)
					v->b = i == 0;
				ps->p += l;
				return v;
			}
		}
		return fail(ps, "bad literal");
	}
	default: {
		char *end;
		double d = strtod(ps->p, &end);

		if (end == ps->p || !(*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')))
			return fail(ps, "unexpected character");
		v = node(JV_NUM);
		if (!v)
			return fail(ps, "out of memory");
		v->num = d;
		v->str = strndup(ps->p, (size_t)(end - ps->p));
		ps->p = end;
		return v;
	}
	}
}

struct jv *jv_parse(const char *text, char *err, size_t errlen)
{
	struct parser ps = { .s = text, .p = text, .err = err, .errlen = errlen };
	struct jv *v;

	if (err && errlen)
		err[0] = '\0';
	if (!text)
		return fail(&ps, "no text");
	v = parse_value(&ps);
	if (!v)
		return NULL;
	ws(&ps);
	if (*ps.p) {
		jv_free(v);
		return fail(&ps, "trailing text after the value");
	}
	return v;
}

void jv_free(struct jv *v)
{
	if (!v)
		return;
	for (int i = 0; i < v->n; i++) {
		jv_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
	if (!obj || obj->type != JV_OBJ)
		return NULL;
	for (int i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}

const struct jv *jv_at(const struct jv *arr, int i)
{
	if (!arr || arr->type != JV_ARR || i < 0 || i >= arr->n)
		return NULL;
	return arr->items[i];
}

int jv_len(const struct jv *v)
{
	return v && (v->type == JV_ARR || v->type == JV_OBJ) ? v->n : -1;
}

const char *jv_str(const struct jv *v)
{
	return v && v->type == JV_STR ? v->str : NULL;
}

bool jv_is_null(const struct jv *v)
{
	return v && v->type == JV_NULL;
}

bool jv_equal(const struct jv *a, const struct jv *b)
{
	if (!a || !b || a->type != b->type)
		return a == b;
	switch (a->type) {
	case JV_NULL: return true;
	case JV_BOOL: return a->b == b->b;
	case JV_NUM: return a->num == b->num;
	case JV_STR: return !strcmp(a->str, b->str);
	case JV_ARR:
		if (a->n != b->n)
			return false;
		for (int i = 0; i < a->n; i++)
			if (!jv_equal(a->items[i], b->items[i]))
				return false;
		return true;
	case JV_OBJ:
		if (a->n != b->n)
			return false;
		for (int i = 0; i < a->n; i++)
			if (!jv_equal(a->items[i], jv_get(b, a->keys[i])))
				return false;
		return true;
	}
	return false;
}

struct buf {
	char *s;
	size_t n, cap;
};

static void bput(struct buf *b, const char *s)
{
	size_t l = strlen(s);

	if (b->n + l + 1 > b->cap) {
		size_t cap = (b->n + l + 1) * 2;
		char *ns = realloc(b->s, cap);

		if (!ns)
			return;
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, l + 1);
	b->n += l;
}

static void dump(struct buf *b, const struct jv *v)
{
	if (!v) {
		bput(b, "<absent>");
		return;
	}
	switch (v->type) {
	case JV_NULL: bput(b, "null"); break;
	case JV_BOOL: bput(b, v->b ? "true" : "false"); break;
	case JV_NUM: bput(b, v->str); break;
	case JV_STR: bput(b, "\""); bput(b, v->str); bput(b, "\""); break;
	case JV_ARR:
	case JV_OBJ:
		bput(b, v->type == JV_ARR ? "[" : "{");
		for (int i = 0; i < v->n; i++) {
			if (i)
				bput(b, ",");
			if (v->type == JV_OBJ) {
				bput(b, "\"");
				bput(b, v->keys[i]);
				bput(b, "\":");
			}
			dump(b, v->items[i]);
		}
		bput(b, v->type == JV_ARR ? "]" : "}");
		break;
	}
}

char *jv_dump(const struct jv *v)
{
	struct buf b = { 0 };

	bput(&b, "");
	dump(&b, v);
	return b.s;
}

char *jv_strv_join(const struct jv *arr)
{
	struct buf b = { 0 };

	bput(&b, "");
	if (!arr || arr->type != JV_ARR) {
		bput(&b, "<not an array>");
		return b.s;
	}
	for (int i = 0; i < arr->n; i++) {
		if (i)
			bput(&b, ",");
		bput(&b, arr->items[i]->type == JV_STR ? arr->items[i]->str : "<non-string>");
	}
	return b.s;
}

const struct jv *jv_find(const struct jv *arr, const char *key, const char *val)
{
	for (int i = 0; i < jv_len(arr); i++) {
		const char *s = jv_str(jv_get(jv_at(arr, i), key));

		if (s && !strcmp(s, val))
			return jv_at(arr, i);
	}
	return NULL;
}
