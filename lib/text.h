/* SPDX-License-Identifier: MIT */
/*
 * text.h — bytes from the machine (interface and process names, sysfs
 * attributes, a captured tree from a stranger, a guest's serial output)
 * made safe for where they are written: well-formed UTF-8 for JSON and
 * XML, and no control sequences for a terminal.  Not installed.
 */
#ifndef PASSTHRU_TEXT_H
#define PASSTHRU_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * form, no surrogate, nothing past U+10FFFF; a NUL ends it), 0 when p does
 * not start one. */
int pt_utf8_len(const unsigned char *p);

/*
 * A terminal filter, one per output stream: what would move the cursor,
 * change the title, the clipboard or the character set — C0 and C1
 * controls, DEL, escape sequences, bytes that are not UTF-8 — is written
 * as visible text ("\x1b"); printable text, UTF-8, newlines and tabs pass.
 * It keeps state between calls, so a sequence split across two writes is
 * judged whole.
 */
#define PT_TERM_KEEP_SGR (1u << 0)	/* pass ESC [ digits/';' m (colours) */
#define PT_TERM_KEEP_CR	 (1u << 1)	/* pass '\r' (a guest's CR LF) */
struct pt_term_filter {
	unsigned int flags;
	unsigned char pend[16];		/* a sequence not yet complete */
	size_t npend;
	size_t need;			/* UTF-8: its length; 0: an ESC sequence */
};
/* Room out must have for n bytes in. */
#define PT_TERM_OUT_MAX(n) (4 * ((n) + 16))
void pt_term_init(struct pt_term_filter *f, unsigned int flags);
/* Filters n bytes into out (PT_TERM_OUT_MAX(n) bytes); the bytes written. */
size_t pt_term_filter(struct pt_term_filter *f, const char *in, size_t n,
		      char *out);
/* What is still held back, escaped (at the end of the output). */
size_t pt_term_flush(struct pt_term_filter *f, char *out);

#endif
