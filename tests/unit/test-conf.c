// SPDX-License-Identifier: MIT
/* test-conf.c — /etc/passthru.conf parsing and --persist editing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/passthru.h"

static struct pt_conf *C;
#define E(i) pt_conf_entry(C, i)

static void free_conf(void)
{
	pt_conf_free(C);
	C = NULL;
}

TestSuite(conf, .fini = free_conf);

static int parse_n(const char *s, size_t n)
{
	free_conf();
	return pt_conf_from_text(s, n, &C);
}

static int __parse(const char *s)
{
	return parse_n(s, strlen(s));
}

static int load(const char *path)
{
	free_conf();
	return pt_conf_open(path, &C);
}

static void parse(const char *s)
{
	cr_assert_eq(__parse(s), 0, "%s", pt_last_error());
}

Test(conf, entries_and_options)
{
	parse("# header\n\n  0000:01:00.0   user=alice # gpu\n"
	      "10de:1B80 group=kvm force\n03:00.1\r\n");
	cr_assert_eq(pt_conf_count(C), 3);
	cr_assert_str_eq(E(0)->bdf, "0000:01:00.0");
	cr_assert_str_eq(E(0)->user, "alice");
	cr_assert_eq(E(0)->line, 3);
	cr_assert_str_eq(E(1)->bdf, "");
	cr_assert_eq(E(1)->vendor, 0x10de);
	cr_assert_eq(E(1)->device, 0x1b80);
	cr_assert_str_eq(E(1)->group, "kvm");
	cr_assert(E(1)->force);
	cr_assert_str_eq(E(2)->bdf, "0000:03:00.1");	/* short form */
	cr_assert_not(E(2)->force);
}

Test(conf, errors_name_the_line)
{
	cr_assert_eq(__parse("0000:01:00.0\n0000:01:20.0\n"), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "passthru.conf line 2: '0000:01:20.0' is "
			 "neither a PCI address (0000:01:00.0) nor vendor:device "
			 "ids (10de:1b80)");
	cr_assert_eq(__parse("0000:01:00.0 user=\n"), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "passthru.conf line 1: unknown or "
			 "malformed option 'user=' (known: user=NAME, group=NAME, "
			 "force)");
	cr_assert_eq(__parse("01:00.0\n# x\n0000:01:00.0 force\n"), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "passthru.conf line 3: the device is "
			 "already listed on line 1");
	cr_assert_eq(__parse("0000:01:00.8\n"), -EINVAL);
	cr_assert_eq(__parse("user=bob\n"), -EINVAL);
	cr_assert_eq(__parse("0000:01:00.0 user=../../x\n"), -EINVAL);
	cr_assert_eq(__parse("0000:01:00.0 user=-rf\n"), -EINVAL);
	cr_assert_eq(__parse("10de:1b8\n"), -EINVAL);
	cr_assert_eq(parse_n("0000:01:00.0\0x\n", 15), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "passthru.conf line 1 contains a NUL byte");
}

/* No count is in the ABI: a machine with thousands of VFs can list them. */
Test(conf, long_line_and_many_devices)
{
	char big[1100];
	char *many;
	size_t o = 0;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(__parse(big), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "passthru.conf line 1 is longer than 1023 bytes");
	many = malloc(20 * 3000);
	for (int i = 0; i < 3000; i++)
		o += sprintf(many + o, "0000:%02x:%02x.%x\n", i / 256, (i / 8) % 32, i % 8);
	cr_assert_eq(__parse(many), 0, "%s", pt_last_error());
	cr_assert_eq(pt_conf_count(C), 3000);
	cr_assert_str_eq(E(2999)->bdf, "0000:0b:16.7");
	cr_assert_eq(E(2999)->line, 3000);
	cr_assert_null(E(3000));
	free(many);
}

Test(conf, match)
{
	parse("0000:01:00.0\n8086:10d3 user=bob\n");
	cr_assert_not_null(pt_conf_match(C, "0000:01:00.0", 0x1234, 0x11e8));
	cr_assert_not_null(pt_conf_match(C, "01:00.0", 0, 0));
	cr_assert_str_eq(pt_conf_match(C, "0000:00:03.0", 0x8086, 0x10d3)->user, "bob");
	cr_assert_null(pt_conf_match(C, "0000:00:04.0", 0x1234, 0x11e8));
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

Test(conf, persist_edits_keep_other_lines)
{
	char path[] = "/tmp/pt-test-conf-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "# mine\n8086:10d3   # nic\n", 25), 25);
	close(fd);
	cr_assert_eq(pt_conf_add(path, "01:00.0", "user=alice"), 0);
	cr_assert_eq(pt_conf_add(path, "0000:01:00.1", ""), 0);
	cr_assert_str_eq(slurp(path), "# mine\n8086:10d3   # nic\n"
			 "0000:01:00.0 user=alice\n0000:01:00.1\n");
	/* adding again replaces, never duplicates */
	cr_assert_eq(pt_conf_add(path, "0000:01:00.0", ""), 0);
	cr_assert_str_eq(slurp(path), "# mine\n8086:10d3   # nic\n"
			 "0000:01:00.1\n0000:01:00.0\n");
	cr_assert_eq(pt_conf_remove(path, "0000:01:00.1"), 1);
	cr_assert_eq(pt_conf_remove(path, "0000:01:00.1"), 0);
	cr_assert_str_eq(slurp(path), "# mine\n8086:10d3   # nic\n0000:01:00.0\n");
	cr_assert_eq(load(path), 0);
	cr_assert_eq(pt_conf_count(C), 2);
	unlink(path);
	/* a new file gets a header */
	cr_assert_eq(pt_conf_add(path, "0000:02:00.0", NULL), 0);
	cr_assert_eq(load(path), 0);
	cr_assert_eq(pt_conf_count(C), 1);
	cr_assert(strstr(slurp(path), "# passthru.conf"));
	unlink(path);
	cr_assert_eq(load(path), -ENOENT);
}

Test(conf, broken_file_is_not_edited)
{
	char path[] = "/tmp/pt-test-conf-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_eq(write(fd, "bogus\n", 6), 6);
	close(fd);
	cr_assert_eq(pt_conf_add(path, "0000:01:00.0", ""), -EINVAL);
	cr_assert(strstr(pt_last_error(), "not editing it"), "%s", pt_last_error());
	cr_assert_str_eq(slurp(path), "bogus\n");
	unlink(path);
}

/* Audit item 4: names getpwnam(3) resolves through SSSD or winbind are
 * names the file holds; what it cannot hold is refused by name. */
Test(conf, account_names)
{
	static const char *const good[] = {
		"alice", "bob@corp.example", "CORP\\bob", "svc$", "j.doe-2",
		"\xc3\xa9lise", "a_b",
	};
	static const char *const bad[] = {
		"", "-rf", "a b", "a\tb", "a#b", "a:b", "a/b", "a,b", "a\x1b[31m",
		"a\x7f",
	};
	char longest[PT_CONF_NAME_MAX + 1];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert(pt_conf_name_ok(good[i]), "'%s'", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(pt_conf_name_ok(bad[i]), "'%s'", bad[i]);
	memset(longest, 'a', sizeof(longest));
	longest[PT_CONF_NAME_MAX - 1] = '\0';
	cr_assert(pt_conf_name_ok(longest));
	longest[PT_CONF_NAME_MAX - 1] = 'a';
	longest[PT_CONF_NAME_MAX] = '\0';
	cr_assert_not(pt_conf_name_ok(longest));
	parse("0000:01:00.0 user=bob@corp.example group=CORP\\vm-users\n");
	cr_assert_str_eq(E(0)->user, "bob@corp.example");
	cr_assert_str_eq(E(0)->group, "CORP\\vm-users");
}

/* Audit item 4: --persist wrote what the parser then rejected (and every
 * --udev-match and passthru.service with it).  Options are checked before
 * the file is touched, and the file that results is parsed before it
 * replaces the old one. */
Test(conf, persist_never_writes_what_it_cannot_read)
{
	char path[] = "/tmp/pt-test-conf-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_eq(write(fd, "0000:01:00.1\n", 13), 13);
	close(fd);
	cr_assert_eq(pt_conf_add(path, "0000:01:00.0", "user=bob@corp.example"), 0);
	cr_assert_str_eq(slurp(path), "0000:01:00.1\n0000:01:00.0 user=bob@corp.example\n");
	cr_assert_eq(load(path), 0, "%s", pt_last_error());
	static const char *const bad[] = {
		"user=a b", "user=x#y", "user=-x", "bogus", "user=a\nuser=b",
		"user=a:b", "user=x force user=", "user=a\rb",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(pt_conf_add(path, "0000:02:00.0", bad[i]), -EINVAL,
			     "'%s'", bad[i]);
		cr_assert(strstr(pt_last_error(), "are not what passthru.conf can "
				 "hold"), "%s", pt_last_error());
		cr_assert_str_eq(slurp(path), "0000:01:00.1\n"
				 "0000:01:00.0 user=bob@corp.example\n", "'%s'", bad[i]);
	}
	unlink(path);
}

/* Audit item 4: a file without a trailing newline gains one byte per
 * kept line; the buffer did not count it, and a long option line then
 * wrote past its end (ASan in the sanitizer pass sees it). */
Test(conf, no_trailing_newline_with_a_long_line)
{
	char path[] = "/tmp/pt-test-conf-XXXXXX";
	char opts[160], want[256];
	int fd = mkstemp(path);

	cr_assert_eq(write(fd, "0000:01:00.1", 12), 12);	/* no '\n' */
	close(fd);
	/* 12 + 1 + 114 bytes + '\n' + NUL: 129 bytes from the old end + 1 */
	memset(opts, 'u', sizeof(opts));
	memcpy(opts, "user=", 5);
	opts[114] = '\0';
	cr_assert_eq(pt_conf_add(path, "0000:01:00.0", opts), 0, "%s", pt_last_error());
	snprintf(want, sizeof(want), "0000:01:00.1\n0000:01:00.0 %s\n", opts);
	cr_assert_str_eq(slurp(path), want);
	unlink(path);
}

/* The form that can grow (lib/ABI.md step 1): allocated by the library,
 * entries reached by index. */
Test(conf, library_owned_object_and_accessors)
{
	static const char text[] = "# c\n0000:01:00.0 user=alice\n8086:10d3 force\n";
	struct pt_conf *c = (void *)1;
	const struct pt_conf_entry *e;

	cr_assert_eq(pt_conf_from_text(text, sizeof(text) - 1, &c), 0, "%s", pt_last_error());
	cr_assert_eq(pt_conf_count(c), 2);
	e = pt_conf_entry(c, 0);
	cr_assert_str_eq(e->bdf, "0000:01:00.0");
	cr_assert_str_eq(e->user, "alice");
	cr_assert_eq(e->line, 2);
	e = pt_conf_entry(c, 1);
	cr_assert_str_eq(e->bdf, "");
	cr_assert_eq(e->vendor, 0x8086);
	cr_assert_eq(e->device, 0x10d3);
	cr_assert(e->force);
	cr_assert_null(pt_conf_entry(c, 2));
	cr_assert_null(pt_conf_entry(c, -1));
	pt_conf_free(c);
	cr_assert_eq(pt_conf_count(NULL), 0);

	cr_assert_eq(pt_conf_from_text("bogus\n", 6, &c), -EINVAL);
	cr_assert_null(c);
	cr_assert_eq(pt_conf_open("/nonexistent/passthru.conf", &c), -ENOENT);
	cr_assert_null(c);
}
