// SPDX-License-Identifier: MIT
/*
 * termsafe.c — what the command writes to a terminal goes through the
 * terminal filter (lib/text.h): stdout and stderr are replaced, when they
 * are terminals, by streams that escape control bytes, escape sequences
 * other than our own colours, and bytes that are not UTF-8.  One place
 * for every printf of every command: interface names, process names, a
 * captured tree's strings and a guest's serial output all reach the
 * terminal through it.  Pipes and files get the bytes as they are (scripts
 * read --json).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/text.h"
#include "tools/cli.h"

struct term_stream {
	int fd;
	struct pt_term_filter f;
};

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static ssize_t term_write(void *cookie, const char *buf, size_t n)
{
	struct term_stream *ts = cookie;
	char out[PT_TERM_OUT_MAX(1024)];
	size_t done = 0;

	while (done < n) {
		size_t chunk = n - done < 1024 ? n - done : 1024;
		size_t m = pt_term_filter(&ts->f, buf + done, chunk, out);

		if (write_all(ts->fd, out, m))
			return done ? (ssize_t)done : -1;
		done += chunk;
	}
	return (ssize_t)n;
}

static struct term_stream streams[2];

/* At exit: what a stream still holds back (a cut sequence) goes out,
 * escaped. */
static void term_flush_all(void)
{
	char out[PT_TERM_OUT_MAX(0)];

	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++)
		if (streams[i].fd > 0)
			write_all(streams[i].fd, out, pt_term_flush(&streams[i].f, out));
}

static FILE *term_open(struct term_stream *ts, int fd, int mode)
{
	static const cookie_io_functions_t io = { .write = term_write };
	FILE *f;

	ts->fd = fd;
	pt_term_init(&ts->f, PT_TERM_KEEP_SGR);
	f = fopencookie(ts, "w", io);
	if (f)
		setvbuf(f, NULL, mode, BUFSIZ);
	return f;
}

void cli_term_safe(void)
{
	FILE *f;

	if (isatty(STDOUT_FILENO) && (f = term_open(&streams[0], STDOUT_FILENO, _IOLBF)))
		stdout = f;
	if (isatty(STDERR_FILENO) && (f = term_open(&streams[1], STDERR_FILENO, _IONBF)))
		stderr = f;
	atexit(term_flush_all);
}
