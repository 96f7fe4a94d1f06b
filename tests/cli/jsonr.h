/* SPDX-License-Identifier: MIT */
/*
 * jsonr.h — a minimal JSON reader for the CLI tests only: parses the whole
 * text into a tree so tests can assert exact values of `--json` output and
 * compare it with the generator's expected.json.  Strict enough to reject
 * what is not JSON (unterminated, trailing commas, bare words, trailing
 * text), but numbers go through strtod (a leading zero passes) and \u
 * escapes above U+007F become '?' (the tool and the generator write UTF-8).
 */
#ifndef PASSTHRU_TESTS_JSONR_H
#define PASSTHRU_TESTS_JSONR_H

#include <stdbool.h>
#include <stddef.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type type;
	bool b;
	double num;
	char *str;		/* JV_STR; also the raw text of a JV_NUM */
	struct jv **items;	/* JV_ARR elements / JV_OBJ values */
	char **keys;		/* JV_OBJ keys */
	int n;
};

/* NULL on error, with a message ("offset N: ...") in err. */
struct jv *jv_parse(const char *text, char *err, size_t errlen);
void jv_free(struct jv *v);

/* Lookups return NULL when absent or of the wrong kind. */
const struct jv *jv_get(const struct jv *obj, const char *key);
const struct jv *jv_at(const struct jv *arr, int i);
int jv_len(const struct jv *v);			/* -1 unless array/object */
const char *jv_str(const struct jv *v);		/* NULL unless a string */
bool jv_is_null(const struct jv *v);
/* An array of strings as one "a,b,c" string (malloc'd), "<not an array>"
 * otherwise; handy in assertion messages. */
char *jv_strv_join(const struct jv *arr);
/* Deep equality (object key order does not matter; numbers by value). */
bool jv_equal(const struct jv *a, const struct jv *b);
/* Compact text of v (malloc'd), for messages. */
char *jv_dump(const struct jv *v);
/* The element of array arr whose member key is the string val. */
const struct jv *jv_find(const struct jv *arr, const char *key, const char *val);

#endif
