// SPDX-License-Identifier: MIT
/*
 * test-text.c — audit item 8: bytes from the machine, written out.
 *  - JSON: a string with bytes that are not UTF-8 (an interface name, a
 *    captured tree's text) comes out as valid JSON, each bad byte U+FFFD,
 *    and Python's json reads it back;
 *  - the terminal filter: control bytes, escape sequences other than
 *    colours, C1 controls and bad UTF-8 come out as visible text, also
 *    when a sequence is cut between two writes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/text.h"

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	struct json j;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "name", s);
	json_obj_end(&j);
	json_finish(&j);
	fclose(f);
	return buf;
}

Test(text, utf8_lengths)
{
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\xc3\xa9"), 2);
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\xe2\x82\xac"), 3);
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\xf0\x9f\x98\x80"), 4);
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\xf4\x8f\xbf\xbf"), 4);
	cr_assert_eq(pt_utf8_len((const unsigned char *)"a"), 0);
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\x80"), 0);
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\xc0\x80"), 0);	/* overlong NUL */
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\xe0\x80\xaf"), 0);
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\xed\xa0\x80"), 0);	/* surrogate */
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\xf4\x90\x80\x80"), 0);
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\xf5\x80\x80\x80"), 0);
	cr_assert_eq(pt_utf8_len((const unsigned char *)"\xe2\x82"), 0);	/* cut by NUL */
}

Test(text, json_strings_are_valid_utf8)
{
	char *out = json_of("en\xffp\xc3\xa9\x01s\xed\xa0\x80\xc0\xaf\xe2\x82");

	cr_assert_str_eq(out, "{\n  \"name\": \"en\\ufffdp\xc3\xa9\\u0001s"
			 "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"\n}\n");
	free(out);
}

/* What the audit saw fail: Python's json on the bytes. */
Test(text, python_json_reads_it)
{
	char cmd[512], *out = json_of("eth\xff\xfe\x1b]0;x\x07");
	char path[] = "/tmp/pt-test-text-XXXXXX";	/* the sanitized run may run beside */
	int fd = mkstemp(path);
	FILE *p;
	char got[128] = "";

	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys; "
		 "print(ascii(json.loads(sys.stdin.buffer.read())[\"name\"]))' "
		 ">%s", path);
	p = popen(cmd, "w");
	cr_assert_not_null(p);
	fputs(out, p);
	cr_assert_eq(pclose(p), 0, "python3 rejected: %s", out);
	p = fopen(path, "r");
	cr_assert_not_null(p);
	cr_assert_not_null(fgets(got, sizeof(got), p));
	fclose(p);
	unlink(path);
	cr_assert_str_eq(got, "'eth\\ufffd\\ufffd\\x1b]0;x\\x07'\n");
	free(out);
}

static char *filter(unsigned int flags, const char *const *pieces)
{
	static char out[4096];
	struct pt_term_filter f;
	size_t o = 0;

	pt_term_init(&f, flags);
	for (int i = 0; pieces[i]; i++)
		o += pt_term_filter(&f, pieces[i], strlen(pieces[i]), out + o);
	o += pt_term_flush(&f, out + o);
	out[o] = '\0';
	return out;
}

Test(text, terminal_filter)
{
	/* a title change (OSC), a clipboard write (OSC 52), a cursor move,
	 * a bell, a CR that would overwrite the line, DEL, C1 CSI in UTF-8 */
	cr_assert_str_eq(filter(PT_TERM_KEEP_SGR, (const char *const[]){
		"eth\x1b]0;pwned\x07 \x1b]52;c;aGk=\x07 \x1b[2J\x1b[1;1H\r\x7f \xc2\x9b" "6n",
		NULL }),
		"eth\\x1b]0;pwned\\x07 \\x1b]52;c;aGk=\\x07 \\x1b[2J\\x1b[1;1H\\x0d\\x7f "
		"\\xc2\\x9b" "6n");
	/* colours pass; text, UTF-8, newlines and tabs pass */
	cr_assert_str_eq(filter(PT_TERM_KEEP_SGR, (const char *const[]){
		"\x1b[1mbold\x1b[0m \x1b[33;1mx\x1b[m caf\xc3\xa9\t\n", NULL }),
		"\x1b[1mbold\x1b[0m \x1b[33;1mx\x1b[m caf\xc3\xa9\t\n");
	/* ... but not without KEEP_SGR */
	cr_assert_str_eq(filter(0, (const char *const[]){ "\x1b[1mb", NULL }),
			 "\\x1b[1mb");
	/* bad UTF-8 */
	cr_assert_str_eq(filter(0, (const char *const[]){ "a\xff\xc3(\xed\xa0\x80", NULL }),
			 "a\\xff\\xc3(\\xed\\xa0\\x80");
	/* a CR LF from a guest, when asked for */
	cr_assert_str_eq(filter(PT_TERM_KEEP_CR, (const char *const[]){ "ok\r\n", NULL }),
			 "ok\r\n");
}

/* stdio cuts its buffer anywhere: a sequence split between two writes is
 * judged whole, and one left cut at the end is escaped. */
Test(text, terminal_filter_across_writes)
{
	cr_assert_str_eq(filter(PT_TERM_KEEP_SGR, (const char *const[]){
		"a\x1b", "[3", "1mb\xc3", "\xa9 \x1b", "]0;x", "\x07", NULL }),
		"a\x1b[31mb\xc3\xa9 \\x1b]0;x\\x07");
	cr_assert_str_eq(filter(PT_TERM_KEEP_SGR, (const char *const[]){ "x\x1b[3", NULL }),
			 "x\\x1b[3");
	cr_assert_str_eq(filter(0, (const char *const[]){ "x\xe2\x82", NULL }),
			 "x\\xe2\\x82");
}
