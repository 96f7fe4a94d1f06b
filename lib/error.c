// SPDX-License-Identifier: MIT
/*
 * error.c — the library's last-error sentence (see passthru.h).
 * Thread-local so that two threads opening devices do not mix messages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/passthru.h"

static __thread char last_error[1024];

const char *pt_last_error(void)
{
	return last_error;
}

void pt_clear_error(void)
{
	last_error[0] = '\0';
}

int pt_set_errorv(int err, const char *fmt, va_list ap)
{
	if (err < 0)
		err = -err;
	if (!err)
		err = EIO;
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	return -err;
}

int pt_set_error(int err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = pt_set_errorv(err, fmt, ap);
	va_end(ap);
	return ret;
}
