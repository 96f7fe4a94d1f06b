// SPDX-License-Identifier: MIT
/*
 * text.c — well-formed UTF-8, and a terminal filter: see text.h.
 *
 * Why a terminal needs one: an interface name may hold any byte but '/',
 * ':' and blanks (ip link set eth0 name $'\e]0;...\a' works), a process
 * may name itself anything, a captured tree holds what its author wrote,
 * and a guest writes what it likes to its serial port.  Written to a
 * terminal as they are, such bytes retitle the window, rewrite lines
 * already shown, or (OSC 52) reach the clipboard.
 */
#include <stdio.h>
#include <string.h>

#include "lib/text.h"

int pt_utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];
	int n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;	/* a continuation byte, 0xc0/0xc1, or 0xf5.. */
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;	/* includes the NUL that ends the string */
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xf0 && p[1] < 0x90))
		return 0;		/* overlong */
	if ((c == 0xed && p[1] >= 0xa0) || (c == 0xf4 && p[1] >= 0x90))
		return 0;		/* surrogate, or past U+10FFFF */
	return n;
}

void pt_term_init(struct pt_term_filter *f, unsigned int flags)
{
	memset(f, 0, sizeof(*f));
	f->flags = flags;
}

static size_t escape(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[p[i] >> 4];
		out[o++] = hex[p[i] & 0xf];
	}
	return o;
}

/* An ESC sequence held back: the printable part after ESC goes out as
 * text, only the ESC itself is escaped. */
static size_t escape_seq(const unsigned char *p, size_t n, char *out)
{
	size_t o = escape(p, 1, out);

	memcpy(out + o, p + 1, n - 1);
	return o + n - 1;
}

static int utf8_need(unsigned char c)
{
	return c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
	       c >= 0xf0 && c <= 0xf4 ? 4 : 0;
}

/* One byte outside any held-back sequence. */
static size_t plain(struct pt_term_filter *f, unsigned char c, char *out)
{
	if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' ||
	    (c == '\r' && (f->flags & PT_TERM_KEEP_CR))) {
		out[0] = (char)c;
		return 1;
	}
	if ((c == 0x1b && (f->flags & PT_TERM_KEEP_SGR)) || utf8_need(c)) {
		f->pend[0] = c;
		f->npend = 1;
		f->need = c == 0x1b ? 0 : (size_t)utf8_need(c);
		return 0;
	}
	return escape(&c, 1, out);
}

/* The next byte of a held-back UTF-8 sequence; *again when c is not part
 * of it and must be looked at by itself. */
static size_t utf8_byte(struct pt_term_filter *f, unsigned char c, char *out,
			bool *again)
{
	unsigned char seq[5] = { 0 };
	size_t n;

	if ((c & 0xc0) != 0x80) {
		*again = true;
		n = escape(f->pend, f->npend, out);
		f->npend = 0;
		return n;
	}
	f->pend[f->npend++] = c;
	if (f->npend < f->need)
		return 0;
	memcpy(seq, f->pend, f->npend);
	n = f->npend;
	f->npend = 0;
	/* U+0080..U+009F are the C1 controls (0x9b: CSI) in UTF-8 */
	if (pt_utf8_len(seq) != (int)n || (seq[0] == 0xc2 && seq[1] < 0xa0))
		return escape(seq, n, out);
	memcpy(out, seq, n);
	return n;
}

/* The next byte of a held-back ESC sequence: only ESC [ [0-9;]* m (SGR,
 * colours) goes out as it is. */
static size_t esc_byte(struct pt_term_filter *f, unsigned char c, char *out,
		       bool *again)
{
	size_t n;

	if (f->npend == 1 ? c == '[' :
	    ((c >= '0' && c <= '9') || c == ';') && f->npend < sizeof(f->pend) - 1) {
		f->pend[f->npend++] = c;
		return 0;
	}
	if (f->npend > 1 && c == 'm') {
		memcpy(out, f->pend, f->npend);
		out[f->npend] = 'm';
		n = f->npend + 1;
		f->npend = 0;
		return n;
	}
	*again = true;
	n = escape_seq(f->pend, f->npend, out);
	f->npend = 0;
	return n;
}

size_t pt_term_filter(struct pt_term_filter *f, const char *in, size_t n,
		      char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		bool again = false;

		if (!f->npend)
			o += plain(f, c, out + o);
		else if (f->need)
			o += utf8_byte(f, c, out + o, &again);
		else
			o += esc_byte(f, c, out + o, &again);
		if (again)
			o += plain(f, c, out + o);
	}
	return o;
}

size_t pt_term_flush(struct pt_term_filter *f, char *out)
{
	size_t n = !f->npend ? 0 : f->need ? escape(f->pend, f->npend, out) :
		   escape_seq(f->pend, f->npend, out);

	f->npend = 0;
	return n;
}
