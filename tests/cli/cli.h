/* SPDX-License-Identifier: MIT */
/*
 * cli.h — helpers for the CLI tests: run a program (normally build/passthru)
 * and capture its stdout, stderr and exit status; find the generated fixture
 * trees and their expected.json.  __foo() returns -errno, foo() asserts.
 *
 * Environment (set by tests/cli/module.mk):
 *   PT_BIN       the passthru binary        (default build/passthru)
 *   PT_FIXTURES  the generated trees        (default build/fixtures)
 *   PT_TMP       scratch space for copies   (default build/tmp)
 */
#ifndef PASSTHRU_TESTS_CLI_H
#define PASSTHRU_TESTS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "tests/cli/jsonr.h"

struct run {
	int status;		/* exit status; 128+N when killed by signal N */
	char *out, *err;	/* NUL-terminated captured output */
	size_t out_len, err_len;
};

/* Runs argv (argv[0] looked up in PATH when it has no '/'), stdin from
 * /dev/null, with LC_ALL=C and NO_COLOR=1.  0, or -errno when it could not
 * be started (then r->status is -1). */
int __run(struct run *r, char *const argv[]);
void run(struct run *r, char *const argv[]);
void run_free(struct run *r);

/* passthru [--root ROOT] ARGS...: ROOT is a fixture name ("server"), an
 * absolute path, or NULL for this machine. */
int __pt_run(struct run *r, const char *root, ...);
void pt_run(struct run *r, const char *root, ...);
#define __pt(r, root, ...) __pt_run(r, root, __VA_ARGS__, (char *)NULL)
#define pt(r, root, ...) pt_run(r, root, __VA_ARGS__, (char *)NULL)

/* Runs passthru, asserts exit 0 and empty stderr, parses stdout as JSON. */
struct jv *pt_json_run(const char *root, ...);
#define pt_json(root, ...) pt_json_run(root, __VA_ARGS__, (char *)NULL)

const char *pt_bin(void);
/* PT_FIXTURES/NAME in a static buffer. */
const char *fixture(const char *name);
/* Parsed PT_FIXTURES/NAME.expected.json (asserts). */
struct jv *fixture_expected(const char *name);
/* A fresh empty directory under PT_TMP (asserts); static buffer. */
const char *tmp_dir(const char *tag);
/* Copies fixture NAME into a fresh directory and returns its path. */
const char *fixture_copy(const char *name);
/* Reads a whole file (asserts); malloc'd, NUL-terminated. */
char *slurp(const char *path);
/* Line N (0-based) of text into a static buffer, "" past the end. */
const char *line_at(const char *text, int n);
int line_count(const char *text);

/* Asserts that the JSON string array equals the NULL-terminated list. */
void assert_strv(const struct jv *arr, const char *what, ...);
#define expect_strv(arr, what, ...) assert_strv(arr, what, __VA_ARGS__, (char *)NULL)

#endif
