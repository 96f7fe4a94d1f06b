// SPDX-License-Identifier: MIT
/*
 * test-manpage.c — passthru(1) (tools/passthru.1) against the command
 * itself: every option a command's --help shows appears in that command's
 * section of the page (its .SS, examples between .nf and .fi left out),
 * and every option the section names is one --help shows; the page has
 * every command, the exit statuses (124 and 125 included), the environment
 * variables the tool reads and its files.  Run from the top of the tree.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

#define MAX_TOKENS 128

struct tokens {
	int n;
	char v[MAX_TOKENS][40];
};

static void add(struct tokens *t, const char *s, size_t len)
{
	char tok[40];

	snprintf(tok, sizeof(tok), "%.*s", (int)len, s);
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], tok))
			return;
	cr_assert_lt(t->n, MAX_TOKENS);
	strcpy(t->v[t->n++], tok);
}

/* The options a text names: --long-name, and -x standing alone. */
static void options_of(const char *text, struct tokens *t)
{
	for (const char *p = text; *p; p++) {
		const char *s = p;
		size_t n;

		if (*p != '-' || (p > text && !strchr(" \t\n[(|`\"", p[-1])))
			continue;
		if (p[1] == '-' && isalpha((unsigned char)p[2])) {
			for (n = 2; isalnum((unsigned char)s[n]) || s[n] == '-'; n++)
				;
			while (s[n - 1] == '-')
				n--;
			add(t, s, n);
			p += n - 1;
		} else if (isalpha((unsigned char)p[1]) &&
			   (!p[2] || strchr(" \t\n]),.", p[2]))) {
			add(t, s, 2);
			p++;
		}
	}
}

static bool has(const struct tokens *t, const char *tok)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], tok))
			return true;
	return false;
}

static char *page(void)
{
	char *text = slurp("tools/passthru.1");
	char *w = text;

	cr_assert_not_null(text, "tools/passthru.1 (run from the top of the tree)");
	/* roff's \- is a dash; font changes (\fB, \fR) are dropped.  Another
	 * tool's option is written with \& between its dashes, so that it is
	 * not taken for passthru's. */
	for (const char *r = text; *r; r++) {
		if (r[0] == '\\' && r[1] == 'f' && r[2]) {
			r += 2;
			continue;
		}
		if (r[0] == '\\' && r[1] == '-')
			r++;
		*w++ = *r;
	}
	*w = '\0';
	return text;
}

/* The lines of the section that starts ".SS name " (or ".SH NAME"), up to
 * the next .SS or .SH, without the .nf/.fi examples. */
static char *section(const char *text, const char *head)
{
	size_t hl = strlen(head), cap = strlen(text) + 1, used = 0;
	char *out = calloc(1, cap);
	const char *p = text;
	bool in = false, example = false;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (!strncmp(p, ".SS ", 4) || !strncmp(p, ".SH ", 4)) {
			in = len >= hl && !strncmp(p, head, hl) &&
			     (len == hl || p[hl] == ' ');
			example = false;
		} else if (!strncmp(p, ".nf", 3)) {
			example = true;
		} else if (!strncmp(p, ".fi", 3)) {
			example = false;
		}
		if (in && !example && strncmp(p, ".\\\"", 3)) {
			memcpy(out + used, p, len);
			used += len;
			out[used++] = '\n';
		}
		p += len + (eol ? 1 : 0);
	}
	return out;
}

static int commands(char names[][32], int max)
{
	struct run r;
	const char *p;
	int n = 0;

	pt(&r, NULL, "help");
	p = strstr(r.out, "\nCommands:\n");
	cr_assert_not_null(p, "%s", r.out);
	for (p += 11; *p == ' ' && n < max; p = strchr(p, '\n') + 1) {
		sscanf(p, " %31s", names[n++]);
		if (!strchr(p, '\n'))
			break;
	}
	run_free(&r);
	return n;
}

Test(manpage, options_match_each_commands_help)
{
	char names[32][32], head[64];
	char *text = page();
	int n = commands(names, 32);

	cr_assert_geq(n, 13, "%d commands", n);
	for (int i = 0; i < n; i++) {
		struct tokens h = { 0 }, m = { 0 };
		struct run r;
		char *sec;

		pt(&r, NULL, names[i], "--help");
		cr_expect_eq(r.status, 0, "%s --help: %s", names[i], r.err);
		options_of(r.out, &h);
		snprintf(head, sizeof(head), ".SS %.31s", names[i]);
		sec = section(text, head);
		cr_expect(*sec, "passthru(1) has no section \"%s\"", head);
		options_of(sec, &m);
		for (int k = 0; k < h.n; k++)
			cr_expect(has(&m, h.v[k]), "passthru %s --help shows %s; passthru(1) "
				  "does not", names[i], h.v[k]);
		for (int k = 0; k < m.n; k++)
			cr_expect(has(&h, m.v[k]), "passthru(1) names %s under %s; its --help "
				  "does not", m.v[k], names[i]);
		free(sec);
		run_free(&r);
	}
	free(text);
}

Test(manpage, exit_statuses_environment_files)
{
	static const char *const exits[] = { "0", "1", "2", "124", "125" };
	static const char *const env[] = {
		"NO_COLOR", "COLUMNS", "SUDO_USER", "PASSTHRU_IOMMU", "SOURCE_DATE_EPOCH",
	};
	static const char *const files[] = {
		"/etc/passthru.conf", "/etc/modprobe.d/passthru.conf", "/etc/passthru.d/",
		"70-passthru-vfio.rules", "passthru.service", "/run/passthru/",
		"/dev/vfio/",
	};
	char *text = page();
	char *ex = section(text, ".SH EXIT STATUS");
	char *en = section(text, ".SH ENVIRONMENT");
	char *fi = section(text, ".SH FILES");
	char want[64];

	for (size_t i = 0; i < sizeof(exits) / sizeof(exits[0]); i++) {
		snprintf(want, sizeof(want), ".B %s\n", exits[i]);
		cr_expect(strstr(ex, want), "EXIT STATUS has no %s", exits[i]);
	}
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
		snprintf(want, sizeof(want), ".B %s\n", env[i]);
		cr_expect(strstr(en, want), "ENVIRONMENT has no %s", env[i]);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		cr_expect(strstr(fi, files[i]), "FILES has no %s", files[i]);
	/* the global options, in their section */
	{
		struct tokens g = { 0 };
		char *sec = section(text, ".SH GLOBAL OPTIONS");

		options_of(sec, &g);
		for (const char *const *o = (const char *const[]){ "--root", "--json",
		     "--color", "--wide", "-v", "--verbose", "--version", "-h", "--help",
		     NULL }; *o; o++)
			cr_expect(has(&g, *o), "GLOBAL OPTIONS has no %s", *o);
		free(sec);
	}
	free(ex);
	free(en);
	free(fi);
	free(text);
}
