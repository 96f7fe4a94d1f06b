/* SPDX-License-Identifier: MIT */
/*
 * passthru.h — the public API of libpassthru.
 *
 * Conventions: functions return 0 or a negative errno and never print or
 * exit; objects are created by pt_*_new()/pt_*_open() and freed by the
 * matching pt_*_free()/pt_*_close().
 */
#ifndef PASSTHRU_H
#define PASSTHRU_H

#ifdef __cplusplus
extern "C" {
#endif

#define PASSTHRU_LIB_VERSION "0.1.0"

#include <stdarg.h>

const char *pt_version(void);

/*
 * Errors.  Every failing function returns a negative errno AND leaves a
 * full sentence for the user in a thread-local buffer: which device, which
 * step, the errno text and the fix, e.g.
 *   "group 7 is not viable: 0000:02:00.1 is bound to igb; run
 *    `passthru assign 02:00.1` or unbind it"
 * pt_last_error() returns that sentence ("" when none was set).  The library
 * never prints it itself; the caller decides where it goes.
 */
const char *pt_last_error(void);
void pt_clear_error(void);
/* Library-internal, but public so that out-of-tree backends can use it:
 * records the message and returns -err (err is a positive errno). */
int pt_set_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pt_set_errorv(int err, const char *fmt, va_list ap);

#ifdef __cplusplus
}
#endif
#endif
