/* SPDX-License-Identifier: MIT */
/*
 * abi-priv.h — reading the structs callers fill and size themselves
 * (lib/ABI.md rule 3), in one place for every such struct.  Not installed.
 */
#ifndef PASSTHRU_ABI_PRIV_H
#define PASSTHRU_ABI_PRIV_H

#include <stddef.h>

/*
 * Copies the caller's struct `in` (NULL: every field zero), whose first
 * member is its size_t size, into the library's `out` of out_size bytes:
 * fields the caller did not know of are zero; fields this library does not
 * know of must be zero (-E2BIG otherwise: a newer program asking for what
 * this library cannot do); a size too small to hold the size is -EINVAL.
 * `what` names the struct in the error ("pt_host_check: struct
 * pt_check_opts"), init its _INIT macro.
 */
int pt_read_sized(const void *in, void *out, size_t out_size,
		  const char *what, const char *init);

/*
 * The other way: the library's result `in` (in_size bytes, its first
 * member the size_t size) into the caller's `out`, as much of it as the
 * caller's .size says it knows of; the caller's .size stays as it was.
 * A size too small to hold the size is -EINVAL naming `init`.
 */
int pt_write_sized(void *out, const void *in, size_t in_size,
		   const char *what, const char *init);

#endif
