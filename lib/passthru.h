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

const char *pt_version(void);

#ifdef __cplusplus
}
#endif
#endif
