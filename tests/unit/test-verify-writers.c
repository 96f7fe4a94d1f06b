// SPDX-License-Identifier: MIT
/*
 * test-verify-writers.c — the four report writers of `passthru verify`
 * produce exactly the expected bytes for a fixed report (a pass, a failure
 * whose evidence holds every character a format must escape, a skip and a
 * note).  The schema side (TAP 14 grammar, JUnit counts) is checked by
 * tests/verify/validate.py; these tests pin the layout.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/verify.h"

static void fixture(struct vfy_report *rep)
{
	struct vfy_result *r;

	vfy_report_init(rep);
	r = vfy_begin(rep, "0000:00:03.0", NULL, "host.iommu-enabled");
	vfy_pass(r, "dmar0 is active");
	r = vfy_begin(rep, "0000:00:03.0", NULL, "host.group-translated");
	vfy_fail(r, "type DMA", "boot without iommu=pt",
		 "group 3 is \"identity\" <&> # \\\nline 2");
	r = vfy_begin(rep, "0000:00:04.0", "type1", "dma.mapped");
	vfy_skip(r, "no driver # x");
	vfy_note(rep, "0000:00:04.0: NOT proven");
	for (int i = 0; i < rep->nr; i++)
		rep->r[i]->seconds = 0.5 * i;
}

static const char expect_text[] =
	"RESULT  DEVICE        IOMMU  CHECK                  EVIDENCE\n"
	"PASS    0000:00:03.0  host   host.iommu-enabled     dmar0 is active\n"
	"FAIL    0000:00:03.0  host   host.group-translated  group 3 is \"identity\" <&> # \\\n"
	"        line 2\n"
	"        expected: type DMA\n"
	"        fix: boot without iommu=pt\n"
	"SKIP    0000:00:04.0  type1  dma.mapped             no driver # x\n"
	"\n"
	"verify: 1 passed, 1 failed, 1 skipped\n"
	"note: 0000:00:04.0: NOT proven\n"
	;
static const char expect_json[] =
	"{\n"
	"  \"format\": \"passthru-verify\",\n"
	"  \"version\": 1,\n"
	"  \"ok\": false,\n"
	"  \"summary\": {\n"
	"    \"total\": 3,\n"
	"    \"passed\": 1,\n"
	"    \"failed\": 1,\n"
	"    \"skipped\": 1\n"
	"  },\n"
	"  \"results\": [\n"
	"    {\n"
	"      \"check\": \"host.iommu-enabled\",\n"
	"      \"device\": \"0000:00:03.0\",\n"
	"      \"iommu\": null,\n"
	"      \"status\": \"pass\",\n"
	"      \"evidence\": \"dmar0 is active\",\n"
	"      \"expected\": null,\n"
	"      \"fix\": null,\n"
	"      \"reason\": null,\n"
	"      \"seconds\": 0\n"
	"    },\n"
	"    {\n"
	"      \"check\": \"host.group-translated\",\n"
	"      \"device\": \"0000:00:03.0\",\n"
	"      \"iommu\": null,\n"
	"      \"status\": \"fail\",\n"
	"      \"evidence\": \"group 3 is \\\"identity\\\" <&> # \\\\\\nline 2\",\n"
	"      \"expected\": \"type DMA\",\n"
	"      \"fix\": \"boot without iommu=pt\",\n"
	"      \"reason\": null,\n"
	"      \"seconds\": 0.5\n"
	"    },\n"
	"    {\n"
	"      \"check\": \"dma.mapped\",\n"
	"      \"device\": \"0000:00:04.0\",\n"
	"      \"iommu\": \"type1\",\n"
	"      \"status\": \"skip\",\n"
	"      \"evidence\": null,\n"
	"      \"expected\": null,\n"
	"      \"fix\": null,\n"
	"      \"reason\": \"no driver # x\",\n"
	"      \"seconds\": 1\n"
	"    }\n"
	"  ],\n"
	"  \"notes\": [\n"
	"    \"0000:00:04.0: NOT proven\"\n"
	"  ]\n"
	"}\n"
	;
static const char expect_tap[] =
	"TAP version 14\n"
	"1..3\n"
	"ok 1 - host.iommu-enabled 0000:00:03.0 host\n"
	"  ---\n"
	"  check: \"host.iommu-enabled\"\n"
	"  device: \"0000:00:03.0\"\n"
	"  iommu: \"host\"\n"
	"  status: \"pass\"\n"
	"  seen: \"dmar0 is active\"\n"
	"  seconds: 0.000\n"
	"  ...\n"
	"not ok 2 - host.group-translated 0000:00:03.0 host\n"
	"  ---\n"
	"  check: \"host.group-translated\"\n"
	"  device: \"0000:00:03.0\"\n"
	"  iommu: \"host\"\n"
	"  status: \"fail\"\n"
	"  seen: \"group 3 is \\\"identity\\\" <&> # \\\\\\nline 2\"\n"
	"  expected: \"type DMA\"\n"
	"  fix: \"boot without iommu=pt\"\n"
	"  seconds: 0.500\n"
	"  ...\n"
	"ok 3 - dma.mapped 0000:00:04.0 type1 # SKIP no driver # x\n"
	"  ---\n"
	"  check: \"dma.mapped\"\n"
	"  device: \"0000:00:04.0\"\n"
	"  iommu: \"type1\"\n"
	"  status: \"skip\"\n"
	"  reason: \"no driver # x\"\n"
	"  seconds: 1.000\n"
	"  ...\n"
	"# verify: 1 passed, 1 failed, 1 skipped\n"
	"# note: 0000:00:04.0: NOT proven\n"
	;
static const char expect_junit[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<testsuites name=\"passthru verify\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"1.500\">\n"
	"  <testsuite name=\"0000:00:03.0 host\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"0.500\">\n"
	"    <testcase name=\"host.iommu-enabled\" classname=\"passthru.verify.0000_00_03_0.host\" time=\"0.000\">\n"
	"      <system-out>dmar0 is active</system-out>\n"
	"    </testcase>\n"
	"    <testcase name=\"host.group-translated\" classname=\"passthru.verify.0000_00_03_0.host\" time=\"0.500\">\n"
	"      <failure message=\"group 3 is &quot;identity&quot; &lt;&amp;&gt; # \\&#10;line 2\" type=\"host.group-translated\">expected: type DMA\n"
	"seen: group 3 is &quot;identity&quot; &lt;&amp;&gt; # \\\n"
	"line 2\n"
	"fix: boot without iommu=pt</failure>\n"
	"      <system-out>group 3 is &quot;identity&quot; &lt;&amp;&gt; # \\\n"
	"line 2</system-out>\n"
	"    </testcase>\n"
	"  </testsuite>\n"
	"  <testsuite name=\"0000:00:04.0 type1\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\" time=\"1.000\">\n"
	"    <testcase name=\"dma.mapped\" classname=\"passthru.verify.0000_00_04_0.type1\" time=\"1.000\">\n"
	"      <skipped message=\"no driver # x\"/>\n"
	"    </testcase>\n"
	"  </testsuite>\n"
	"  <!-- notes:\n"
	"       0000:00:04.0: NOT proven -->\n"
	"</testsuites>\n"
	;

static char *render(enum vfy_format fmt)
{
	struct vfy_report rep;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	fixture(&rep);
	cr_assert_eq(vfy_write(&rep, fmt, f), 0);
	fclose(f);
	vfy_report_free(&rep);
	return buf;
}

static void expect_format(enum vfy_format fmt, const char *want)
{
	char *got = render(fmt);

	cr_assert_str_eq(got, want);
	free(got);
}

Test(writers, text_table)
{
	expect_format(VFY_FMT_TEXT, expect_text);
}

Test(writers, json)
{
	expect_format(VFY_FMT_JSON, expect_json);
}

Test(writers, tap14)
{
	expect_format(VFY_FMT_TAP, expect_tap);
}

Test(writers, junit)
{
	expect_format(VFY_FMT_JUNIT, expect_junit);
}

Test(writers, format_names)
{
	enum vfy_format f;

	cr_assert_eq(vfy_format_parse("text", &f), 0);
	cr_assert_eq(f, VFY_FMT_TEXT);
	cr_assert_eq(vfy_format_parse("junit", &f), 0);
	cr_assert_eq(f, VFY_FMT_JUNIT);
	cr_assert_eq(vfy_format_parse("tap", &f), 0);
	cr_assert_eq(f, VFY_FMT_TAP);
	cr_assert_eq(vfy_format_parse("json", &f), 0);
	cr_assert_eq(f, VFY_FMT_JSON);
	cr_assert_eq(vfy_format_parse("xml", &f), -EINVAL);
	cr_assert_eq(vfy_format_parse("TAP", &f), -EINVAL);
	cr_assert_eq(vfy_format_parse(NULL, &f), -EINVAL);
}

/* An empty report is still a valid document in every format (and not ok). */
Test(writers, empty_report)
{
	struct vfy_report rep;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	vfy_report_init(&rep);
	f = open_memstream(&buf, &len);
	cr_assert_eq(vfy_write_tap(&rep, f), 0);
	fclose(f);
	cr_assert_str_eq(buf, "TAP version 14\n1..0\n"
			 "# verify: 0 passed, 0 failed, 0 skipped\n");
	free(buf);
	f = open_memstream(&buf, &len);
	cr_assert_eq(vfy_write_junit(&rep, f), 0);
	fclose(f);
	cr_assert_str_eq(buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<testsuites name=\"passthru verify\" tests=\"0\" "
			 "failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0.000\">\n"
			 "</testsuites>\n");
	free(buf);
}

/* The JUnit notes comment may never contain "--" nor end in "-". */
Test(writers, junit_comment_dashes)
{
	struct vfy_report rep;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	vfy_report_init(&rep);
	vfy_note(&rep, "a -- b ---");
	f = open_memstream(&buf, &len);
	cr_assert_eq(vfy_write_junit(&rep, f), 0);
	fclose(f);
	cr_assert_not_null(strstr(buf, "  <!-- notes:\n       a =- b === -->\n"));
	vfy_report_free(&rep);
	free(buf);
}

/* Audit item 8: C0 controls are not XML 1.0 (not even as &#1;), and bytes
 * that are not UTF-8 break a document that says it is UTF-8.  The result
 * model replaces them as it records text; the writer must hold on its own
 * (a field set another way, a model that keeps UTF-8 one day). */
Test(writers, junit_controls_and_bad_utf8)
{
	struct vfy_report rep;
	struct vfy_result *r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	vfy_report_init(&rep);
	r = vfy_begin(&rep, "0000:00:03.0", NULL, "host.iommu-enabled");
	vfy_fail(r, "x", "y", "z");
	free(r->expected);
	free(r->fix);
	free(r->evidence);
	r->expected = strdup("a\x01" "b");
	r->fix = strdup("fix\x1b[31m");
	r->evidence = strdup("seen \x07\x08\x0c\x7f \xff\xfe \xc3\xa9 \xef\xbf\xbe "
			     "\xed\xa0\x80 \tend");
	f = open_memstream(&buf, &len);
	cr_assert_eq(vfy_write_junit(&rep, f), 0);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		cr_assert((unsigned char)buf[i] >= 0x20 || buf[i] == '\n' ||
			  buf[i] == '\t' || buf[i] == '\r', "byte %zu is 0x%02x", i,
			  (unsigned char)buf[i]);
	cr_assert_not_null(strstr(buf, "message=\"seen \\x07\\x08\\x0c\\x7f "
				  "\xef\xbf\xbd\xef\xbf\xbd \xc3\xa9 \xef\xbf\xbd "
				  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \tend\""), "%s", buf);
	cr_assert_not_null(strstr(buf, ">expected: a\\x01b\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "fix: fix\\x1b[31m</failure>"), "%s", buf);
	vfy_report_free(&rep);
	free(buf);
}
