// SPDX-License-Identifier: MIT
/* table.c — see table.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tools/table.h"

void table_init(struct table *t, int ncols, const char *const *head)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols > TABLE_MAX_COLS ? TABLE_MAX_COLS : ncols;
	for (int i = 0; i < t->ncols; i++)
		t->head[i] = head[i];
	t->indent = "";
}

static int cur;	/* cells written in the current row */

void table_row(struct table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = realloc(t->cells, sizeof(*t->cells) *
				   (size_t)(t->cap * t->ncols));
		if (!t->cells)
			abort();
	}
	memset(&t->cells[t->nrows * t->ncols], 0,
	       sizeof(*t->cells) * (size_t)t->ncols);
	t->nrows++;
	cur = 0;
}

void table_cell(struct table *t, const char *color, const char *fmt, ...)
{
	struct table_cell *c;
	va_list ap;

	if (!t->nrows || cur >= t->ncols)
		return;
	c = &t->cells[(t->nrows - 1) * t->ncols + cur++];
	va_start(ap, fmt);
	if (vasprintf(&c->text, fmt, ap) < 0)
		c->text = NULL;
	va_end(ap);
	c->color = color;
}

/* Display width: count UTF-8 lead bytes, not continuation bytes. */
static int width(const char *s)
{
	int w = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void table_print(struct table *t, const struct cli *cli, FILE *out)
{
	int w[TABLE_MAX_COLS] = { 0 };

	for (int i = 0; i < t->ncols; i++)
		w[i] = width(t->head[i]);
	for (int r = 0; r < t->nrows; r++)
		for (int i = 0; i < t->ncols; i++) {
			int cw = width(t->cells[r * t->ncols + i].text);

			if (cw > w[i])
				w[i] = cw;
		}
	fprintf(out, "%s%s", t->indent, cli_color(cli, "bold"));
	for (int i = 0; i < t->ncols; i++) {
		if (i + 1 < t->ncols)
			fprintf(out, "%-*s  ", w[i], t->head[i]);
		else
			fputs(t->head[i], out);
	}
	fprintf(out, "%s\n", cli_color(cli, "reset"));
	for (int r = 0; r < t->nrows; r++) {
		fputs(t->indent, out);
		for (int i = 0; i < t->ncols; i++) {
			struct table_cell *c = &t->cells[r * t->ncols + i];
			const char *s = c->text ? c->text : "";
			bool last = i + 1 == t->ncols;

			if (c->color)
				fputs(cli_color(cli, c->color), out);
			fputs(s, out);
			if (c->color)
				fputs(cli_color(cli, "reset"), out);
			if (!last)
				fprintf(out, "%*s", w[i] - width(s) + 2, "");
		}
		fputc('\n', out);
	}
}

void table_free(struct table *t)
{
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}
