// SPDX-License-Identifier: MIT
/* test-size.c — --mem SIZE parsing and size formatting, exact values. */
#include <criterion/criterion.h>
#include <errno.h>

#include "lib/passthru.h"

static uint64_t ok(const char *s)
{
	uint64_t v;

	cr_assert_eq(pt_parse_size(s, &v), 0, "'%s': %s", s, pt_last_error());
	return v;
}

Test(size, units)
{
	cr_assert_eq(ok("4096"), 4096);
	cr_assert_eq(ok("0"), 0);
	cr_assert_eq(ok("17B"), 17);
	cr_assert_eq(ok("1K"), 1024);
	cr_assert_eq(ok("512M"), 512ull << 20);
	cr_assert_eq(ok("2G"), 2ull << 30);
	cr_assert_eq(ok("2GiB"), 2ull << 30);
	cr_assert_eq(ok("2gb"), 2ull << 30);
	cr_assert_eq(ok("1T"), 1ull << 40);
	cr_assert_eq(ok("1.5G"), 3ull << 29);
	cr_assert_eq(ok("0.25M"), 256ull << 10);
}

Test(size, malformed)
{
	uint64_t v;

	cr_assert_eq(pt_parse_size("", &v), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "malformed size '': expected a number "
			 "with an optional unit (K, M, G, T), e.g. 2G");
	cr_assert_eq(pt_parse_size("2X", &v), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "malformed size '2X': unknown unit 'X' "
			 "(use K, M, G or T)");
	cr_assert_eq(pt_parse_size("2GX", &v), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "malformed size '2GX': trailing 'X'");
	cr_assert_eq(pt_parse_size("-1G", &v), -EINVAL);
	cr_assert_eq(pt_parse_size("1.", &v), -EINVAL);
	cr_assert_eq(pt_parse_size("1.5", &v), -EINVAL);
	cr_assert_eq(pt_parse_size(" 1G", &v), -EINVAL);
}

Test(size, overflow)
{
	uint64_t v;

	cr_assert_eq(ok("16777215T"), 16777215ull << 40);
	cr_assert_eq(pt_parse_size("16777216T", &v), -ERANGE);
	cr_assert_eq(pt_parse_size("99999999999999999999", &v), -ERANGE);
	cr_assert_eq(ok("18446744073709551615"), UINT64_MAX);
}

Test(size, format)
{
	char b[32];

	cr_assert_str_eq(pt_format_size(0, b, sizeof(b)), "0 B");
	cr_assert_str_eq(pt_format_size(1023, b, sizeof(b)), "1023 B");
	cr_assert_str_eq(pt_format_size(1024, b, sizeof(b)), "1 KiB");
	cr_assert_str_eq(pt_format_size(512 << 10, b, sizeof(b)), "512 KiB");
	cr_assert_str_eq(pt_format_size(8 << 20, b, sizeof(b)), "8 MiB");
	cr_assert_str_eq(pt_format_size(3ull << 29, b, sizeof(b)), "1.5 GiB");
	cr_assert_str_eq(pt_format_size(1ull << 40, b, sizeof(b)), "1 TiB");
}
