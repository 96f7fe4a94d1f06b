// SPDX-License-Identifier: MIT
/*
 * test-jsonr.c — the tests' own JSON reader must reject what is not JSON
 * (else a broken `--json` could pass) and compare values exactly.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/cli/jsonr.h"

Test(jsonr, parses_values)
{
	char err[128];
	struct jv *v = jv_parse(" {\"a\": [1, -2.5e1, true, false, null, \"x\\\"y\\u0041\\n\"],"
				"\"b\": {}, \"c\": []} ", err, sizeof(err));

	cr_assert_not_null(v, "%s", err);
	cr_expect_eq(jv_len(v), 3);
	cr_expect_eq(jv_at(jv_get(v, "a"), 0)->num, 1);
	cr_expect_eq(jv_at(jv_get(v, "a"), 1)->num, -25);
	cr_expect(jv_at(jv_get(v, "a"), 2)->b);
	cr_expect_not(jv_at(jv_get(v, "a"), 3)->b);
	cr_expect(jv_is_null(jv_at(jv_get(v, "a"), 4)));
	cr_expect_str_eq(jv_str(jv_at(jv_get(v, "a"), 5)), "x\"yA\n");
	cr_expect_eq(jv_len(jv_get(v, "b")), 0);
	cr_expect_eq(jv_len(jv_get(v, "c")), 0);
	cr_expect_null(jv_get(v, "missing"));
	cr_expect_null(jv_at(jv_get(v, "a"), 6));
	jv_free(v);
}

Test(jsonr, rejects_non_json)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "tru", "nul",
		"\"unterminated", "{} {}", "{'a':1}", "[\"tab\there\"]", "01x",
		"[1]]", "{\"a\":}", "-", NULL,
	};
	char deep[200];

	for (int i = 0; bad[i]; i++) {
		char err[128];
		struct jv *v = jv_parse(bad[i], err, sizeof(err));

		cr_expect_null(v, "accepted '%s'", bad[i]);
		cr_expect_neq(err[0], '\0', "no message for '%s'", bad[i]);
		jv_free(v);
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	cr_expect_null(jv_parse(deep, NULL, 0), "unbounded nesting accepted");
}

Test(jsonr, equality)
{
	struct jv *a = jv_parse("{\"x\": [1, \"s\", null], \"y\": true}", NULL, 0);
	struct jv *b = jv_parse("{\"y\": true, \"x\": [1.0, \"s\", null]}", NULL, 0);
	struct jv *c = jv_parse("{\"y\": true, \"x\": [\"s\", 1, null]}", NULL, 0);
	struct jv *d = jv_parse("{\"y\": true, \"x\": [1, \"s\", null], \"z\": 0}", NULL, 0);
	char *s;

	cr_assert(a && b && c && d);
	cr_expect(jv_equal(a, b), "key order and number spelling do not matter");
	cr_expect_not(jv_equal(a, c), "array order matters");
	cr_expect_not(jv_equal(a, d), "an extra member matters");
	cr_expect_not(jv_equal(d, a));
	s = jv_dump(a);
	cr_expect_str_eq(s, "{\"x\":[1,\"s\",null],\"y\":true}");
	free(s);
	s = jv_strv_join(jv_get(a, "x"));
	cr_expect_str_eq(s, "<non-string>,s,<non-string>");
	free(s);
	jv_free(a);
	jv_free(b);
	jv_free(c);
	jv_free(d);
}
