// SPDX-License-Identifier: MIT
/*
 * size.c — memory sizes as users write them (--mem 2G) and as we print
 * them.  Units are binary: K = KiB = 1024.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/disc-priv.h"

int pt_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t whole = 0, frac = 0, fdiv = 1, mult = 1;
	const char *p = s;
	int shift = 0;

	*bytes = 0;
	if (!s || !isdigit((unsigned char)*p))
		return pt_set_error(EINVAL, "malformed size '%s': expected a "
				    "number with an optional unit (K, M, G, T), "
				    "e.g. 2G", s ? s : "");
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return pt_set_error(ERANGE, "size '%s' is too large", s);
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return pt_set_error(EINVAL, "malformed size '%s': digits "
					    "expected after '.'", s);
		for (; isdigit((unsigned char)*p); p++)
			if (fdiv < 1000000000ull) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				fdiv *= 10;
			}
	}
	switch (toupper((unsigned char)*p)) {
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	case '\0': break;
	case 'B': break;
	default:
		return pt_set_error(EINVAL, "malformed size '%s': unknown unit "
				    "'%s' (use K, M, G or T)", s, p);
	}
	if (shift) {
		p++;
		if ((p[0] == 'i' || p[0] == 'I') && (p[1] == 'B' || p[1] == 'b'))
			p += 2;
		else if (p[0] == 'B' || p[0] == 'b')
			p++;
	} else if (toupper((unsigned char)*p) == 'B') {
		p++;
	}
	if (*p)
		return pt_set_error(EINVAL, "malformed size '%s': trailing '%s'",
				    s, p);
	if (!shift && frac)
		return pt_set_error(EINVAL, "malformed size '%s': a byte count "
				    "has no fraction", s);
	mult = 1ull << shift;
	if (whole > UINT64_MAX >> shift)
		return pt_set_error(ERANGE, "size '%s' is too large", s);
	*bytes = whole * mult + frac * mult / fdiv;
	return 0;
}

const char *pt_format_size(uint64_t bytes, char *buf, size_t n)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	int u = 0;

	while (u < 6 && bytes >> (10 * (u + 1)))
		u++;
	if (!u || !(bytes & ((1ull << (10 * u)) - 1)))
		snprintf(buf, n, "%llu %s", (unsigned long long)(bytes >> (10 * u)),
			 units[u]);
	else
		snprintf(buf, n, "%.1f %s", (double)bytes / (double)(1ull << (10 * u)),
			 units[u]);
	return buf;
}
