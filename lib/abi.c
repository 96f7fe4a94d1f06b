// SPDX-License-Identifier: MIT
/*
 * abi.c — the size-first structs callers fill (lib/ABI.md rule 3), read the
 * way Linux reads openat2's and clone3's: what the caller did not know of
 * is zero, what this library does not know of must be zero.
 */
#include <errno.h>
#include <string.h>

#include "lib/abi-priv.h"
#include "lib/passthru.h"

int pt_read_sized(const void *in, void *out, size_t out_size,
		  const char *what, const char *init)
{
	const unsigned char *bytes = in;
	size_t in_size;

	memset(out, 0, out_size);
	if (!in)
		return 0;
	memcpy(&in_size, in, sizeof(in_size));
	if (in_size < sizeof(in_size))
		return pt_set_error(EINVAL, "%s: .size is %zu; fix: start from %s",
				    what, in_size, init);
	for (size_t i = out_size; i < in_size; i++)
		if (bytes[i])
			return pt_set_error(E2BIG, "%s: the caller's struct has "
					    "fields this libpassthru does not know "
					    "(size %zu > %zu); fix: install a newer "
					    "libpassthru", what, in_size, out_size);
	memcpy(out, in, in_size < out_size ? in_size : out_size);
	memcpy(out, &out_size, sizeof(out_size));
	return 0;
}

int pt_write_sized(void *out, const void *in, size_t in_size,
		   const char *what, const char *init)
{
	size_t out_size;

	memcpy(&out_size, out, sizeof(out_size));
	if (out_size < sizeof(out_size))
		return pt_set_error(EINVAL, "%s: .size is %zu; fix: start from %s",
				    what, out_size, init);
	if (out_size > in_size)		/* a newer caller: its tail is zero */
		memset((char *)out + in_size, 0, out_size - in_size);
	memcpy((char *)out + sizeof(out_size), (const char *)in + sizeof(out_size),
	       (out_size < in_size ? out_size : in_size) - sizeof(out_size));
	return 0;
}
