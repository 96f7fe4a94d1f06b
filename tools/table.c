// SPDX-License-Identifier: MIT
/* table.c — see table.h. */
#include <langinfo.h>
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

void table_flex(struct table *t, int col, int min)
{
	if (col >= 0 && col < t->ncols)
		t->flex_min[col] = min > 1 ? min : 1;
}

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
	t->cur = 0;
}

void table_cell(struct table *t, const char *color, const char *fmt, ...)
{
	struct table_cell *c;
	va_list ap;

	if (!t->nrows || t->cur >= t->ncols)
		return;
	c = &t->cells[(t->nrows - 1) * t->ncols + t->cur++];
	va_start(ap, fmt);
	if (vasprintf(&c->text, fmt, ap) < 0)
		c->text = NULL;
	va_end(ap);
	c->color = color;
}

/* Display width: count UTF-8 lead bytes, not continuation bytes. */
int table_text_width(const char *s)
{
	int w = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Bytes of s that make up its first cols display columns. */
static size_t prefix_bytes(const char *s, int cols)
{
	size_t i = 0;

	for (int w = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && w++ == cols)
			break;
	}
	return i;
}

static const char *ellipsis(void)
{
	return !strcmp(nl_langinfo(CODESET), "UTF-8") ? "\xe2\x80\xa6" : "...";
}

/* Cuts the flexible columns, widest first, until the table fits width. */
static void fit(const struct table *t, int *w, int width)
{
	int total = table_text_width(t->indent);

	for (int i = 0; i < t->ncols; i++)
		total += w[i] + (i + 1 < t->ncols ? 2 : 0);
	while (width > 0 && total > width) {
		int widest = -1;

		for (int i = 0; i < t->ncols; i++) {
			int min = t->flex_min[i];

			if (!min || w[i] <= min || w[i] <= table_text_width(t->head[i]))
				continue;
			if (widest < 0 || w[i] > w[widest])
				widest = i;
		}
		if (widest < 0)
			return;		/* nothing left to give: wider than asked */
		w[widest]--;
		total--;
	}
}

/* Prints s in at most cols columns: cut with the ellipsis when longer
 * ("Intel Corporation..." rather than "Intel Corporation ..."); returns
 * the columns printed. */
static int put_cut(FILE *out, const char *s, int cols)
{
	const char *ell = ellipsis();
	int ew = table_text_width(ell), sw = table_text_width(s);
	size_t n;

	if (sw <= cols) {
		fputs(s, out);
		return sw;
	}
	if (cols <= ew) {
		n = prefix_bytes(s, cols);
		fprintf(out, "%.*s", (int)n, s);
		return cols;
	}
	n = prefix_bytes(s, cols - ew);
	while (n && s[n - 1] == ' ')
		n--;
	fprintf(out, "%.*s%s", (int)n, s, ell);
	return (cols - ew) - (int)(prefix_bytes(s, cols - ew) - n) + ew;
}

/* One line; line_color (the header's bold) spans the whole of it. */
static void print_row(const struct table *t, const struct cli *cli, FILE *out,
		      const struct table_cell *cells, const int *w,
		      const char *line_color)
{
	int last = -1;

	for (int i = 0; i < t->ncols; i++)
		if (cells[i].text && *cells[i].text)
			last = i;
	if (last < 0) {
		fputc('\n', out);
		return;
	}
	fputs(t->indent, out);
	if (line_color)
		fputs(cli_color(cli, line_color), out);
	for (int i = 0; i <= last; i++) {
		const char *s = cells[i].text ? cells[i].text : "";
		int used;

		if (cells[i].color)
			fputs(cli_color(cli, cells[i].color), out);
		used = put_cut(out, s, w[i]);
		if (cells[i].color)
			fputs(cli_color(cli, "reset"), out);
		if (i < last)
			fprintf(out, "%*s", w[i] - used + 2, "");
	}
	if (line_color)
		fputs(cli_color(cli, "reset"), out);
	fputc('\n', out);
}

void table_print(struct table *t, const struct cli *cli, FILE *out)
{
	struct table_cell head[TABLE_MAX_COLS] = { { 0 } };
	int w[TABLE_MAX_COLS] = { 0 };

	for (int i = 0; i < t->ncols; i++) {
		w[i] = table_text_width(t->head[i]);
		head[i].text = (char *)t->head[i];
	}
	for (int r = 0; r < t->nrows; r++)
		for (int i = 0; i < t->ncols; i++) {
			int cw = table_text_width(t->cells[r * t->ncols + i].text);

			if (cw > w[i])
				w[i] = cw;
		}
	fit(t, w, cli->width);
	print_row(t, cli, out, head, w, "bold");
	for (int r = 0; r < t->nrows; r++)
		print_row(t, cli, out, &t->cells[r * t->ncols], w, NULL);
}

void table_free(struct table *t)
{
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}
