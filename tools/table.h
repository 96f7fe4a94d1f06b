/* SPDX-License-Identifier: MIT */
/*
 * table.h — lsblk-like column output: collect rows of cells, then print
 * them with each column as wide as its widest cell.  A cell may carry a
 * colour (cli_color() name); colour codes never count toward the width.
 */
#ifndef PASSTHRU_TOOLS_TABLE_H
#define PASSTHRU_TOOLS_TABLE_H

#include <stdio.h>

#include "tools/cli.h"

#define TABLE_MAX_COLS 10

struct table_cell {
	char *text;
	const char *color;	/* NULL = none */
};

struct table {
	int ncols;
	const char *head[TABLE_MAX_COLS];
	struct table_cell *cells;	/* nrows * ncols */
	int nrows, cap;
	const char *indent;
};

void table_init(struct table *t, int ncols, const char *const *head);
/* Starts a row; then table_cell() ncols times. */
void table_row(struct table *t);
void table_cell(struct table *t, const char *color, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void table_print(struct table *t, const struct cli *cli, FILE *out);
void table_free(struct table *t);

#endif
