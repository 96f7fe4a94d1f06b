/* SPDX-License-Identifier: MIT */
/*
 * table.h — lsblk-like column output: collect rows of cells, then print
 * them with each column as wide as its widest cell.  A cell may carry a
 * colour (cli_color() name); colour codes never count toward the width.
 *
 * Fitted to the terminal (cli->width, 0 = no limit): when the table is
 * wider, the columns marked with table_flex() give up room, the widest
 * first, down to their minimum, and their cells are cut with an ellipsis
 * ("…" in a UTF-8 locale, "..." otherwise).  Piped output and --wide are
 * never cut.  No line ends in a blank: a row stops after its last
 * non-empty cell.
 */
#ifndef PASSTHRU_TOOLS_TABLE_H
#define PASSTHRU_TOOLS_TABLE_H

#include <stdbool.h>
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
	int flex_min[TABLE_MAX_COLS];	/* 0: never cut; else the narrowest */
	struct table_cell *cells;	/* nrows * ncols */
	int nrows, cap;
	int cur;			/* cells written in the current row */
	const char *indent;
};

void table_init(struct table *t, int ncols, const char *const *head);
/* Column col may be cut down to min display columns (at least its
 * header's width) to fit the terminal. */
void table_flex(struct table *t, int col, int min);
/* Starts a row; then table_cell() ncols times. */
void table_row(struct table *t);
void table_cell(struct table *t, const char *color, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void table_print(struct table *t, const struct cli *cli, FILE *out);
void table_free(struct table *t);

/* Display width of UTF-8 text (one column per character). */
int table_text_width(const char *s);

#endif
