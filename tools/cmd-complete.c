// SPDX-License-Identifier: MIT
/*
 * passthru __complete WORD... — what the shell completions
 * (tools/completion/passthru.bash, _passthru) ask: WORDs are the command
 * line after `passthru`, the last one the word being completed (empty for
 * a new word).  Prints the candidates that start with it, one a line, and
 * may print directives for what the shell completes itself:
 *
 *	@files  @dirs  @users  @groups
 *
 * Everything comes from the tool, so the lists never drift from it:
 * commands from the registry, a command's options and their values from
 * its usage text (the synopsis `passthru help CMD` shows), devices, ids and
 * interface names from discovery on this machine or on the tree of a
 * --root given on the line, guests and emit formats from their registries.
 * Hidden (not in `passthru help`); always exits 0 and prints no errors.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/embed.h"
#include "tools/discover.h"
#include "tools/emit.h"

#define MAX_OPTS 48

/* One option of a synopsis: "--class" with arg "net|storage|...". */
struct opt_spec {
	char name[32];
	char arg[96];		/* "" when it takes no value */
};

struct comp {
	const char *root;	/* --root DIR on the line, or NULL */
	const char *cur;	/* the word being completed */
	const char *prefix;	/* printed before each candidate ("--opt=") */
	const struct cli_command *cmd;
	struct pt_ctx *ctx;
	const struct pt_system *sys;
	char seen[MAX_OPTS][32];	/* options printed (synopses repeat them) */
	int nseen;
};

static void cand(const struct comp *c, const char *s)
{
	size_t pl = strlen(c->prefix);

	/* cur holds prefix + the value typed so far */
	if (!strncmp(c->cur + pl, s, strlen(c->cur + pl)) && strncmp(c->cur, c->prefix, pl) == 0)
		printf("%s%s\n", c->prefix, s);
}

/* ---- usage text -> options ------------------------------------------------ */

/* A synopsis token without its brackets and "...": "[--timeout" -> "--timeout". */
static void strip(char *t)
{
	char *s = t;

	while (*s == '[')
		s++;
	memmove(t, s, strlen(s) + 1);
	for (size_t l = strlen(t); l && (t[l - 1] == ']' || t[l - 1] == '.'); l--)
		t[l - 1] = '\0';
}

static bool is_option(const char *t)
{
	return t[0] == '-' && t[1] && strcmp(t, "--");
}

/* The options of one synopsis line: an option takes the token after it as
 * its value unless its own bracket closes first ("[--json]") or a new
 * group or option follows ("--from-config [--config FILE]"). */
static int parse_line(const char *line, struct opt_spec *v, int n, int max)
{
	char buf[512], *save = NULL, *tok[64];
	int nt = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok_r(buf, " \t", &save); t && nt < 64; t = strtok_r(NULL, " \t", &save))
		tok[nt++] = t;
	for (int i = 0; i < nt && n < max; i++) {
		char name[64], *eq;
		bool closes = strchr(tok[i], ']') != NULL;

		snprintf(name, sizeof(name), "%s", tok[i]);
		strip(name);
		if (!is_option(name) || !(isalnum((unsigned char)name[strlen(name) - 1])))
			continue;
		eq = strchr(name, '=');
		if (eq)
			*eq = '\0';
		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].name, sizeof(v[n].name), "%.31s", name);
		if (eq)
			snprintf(v[n].arg, sizeof(v[n].arg), "%s", eq + 1);
		else if (!closes && i + 1 < nt && tok[i + 1][0] != '[' && tok[i + 1][0] != '-') {
			snprintf(v[n].arg, sizeof(v[n].arg), "%s", tok[i + 1]);
			strip(v[n].arg);
			i++;
		}
		n++;
	}
	return n;
}

/* Synopsis lines: the first, continuation lines starting with '[' or
 * "passthru ", and option-table lines ("  -o FILE   what it does"), of
 * which only the part before the description counts. */
static int parse_usage(const char *usage, struct opt_spec *v, int max)
{
	char line[512];
	int n = 0, first = 1;

	for (const char *p = usage; *p; ) {
		size_t l = strcspn(p, "\n");
		const char *t;
		char *gap;

		snprintf(line, sizeof(line), "%.*s", (int)(l < 511 ? l : 511), p);
		p += l + (p[l] == '\n');
		for (t = line; *t == ' '; t++)
			;
		if (first || *t == '[' || !strncmp(t, "passthru ", 9)) {
			n = parse_line(t, v, n, max);
		} else if (*t == '-' && (gap = strstr(t, "  "))) {
			*gap = '\0';
			n = parse_line(t, v, n, max);
		}
		first = 0;
	}
	return n;
}

static const struct opt_spec *find_opt(const struct opt_spec *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/* ---- candidates ------------------------------------------------------------ */

static void commands(struct comp *c)
{
	for (const struct cli_command *k = cli_command_first(); k; k = k->next)
		if (k->name[0] != '_')
			cand(c, k->name);
}

static void option(struct comp *c, const char *name)
{
	for (int i = 0; i < c->nseen; i++)
		if (!strcmp(c->seen[i], name))
			return;
	if (c->nseen < MAX_OPTS)
		snprintf(c->seen[c->nseen++], sizeof(c->seen[0]), "%s", name);
	cand(c, name);
}

static bool scan(struct comp *c)
{
	if (!c->sys && (pt_ctx_new(&c->ctx, c->root) < 0 || pt_scan(c->ctx, &c->sys) < 0))
		c->sys = NULL;
	return c->sys != NULL;
}

/* Which devices a command takes: assign moves what is not on vfio-pci yet
 * (never a platform device nor a group holding one: refused even with
 * --force), release gives back what is, vfs wants a PF, the DMA users an
 * endpoint. */
static bool device_fits(const char *cmd, const struct pt_device *d)
{
	bool vfio = pt_driver_is_vfio(d->driver);

	if (!strcmp(cmd, "assign"))
		return !d->is_bridge && !vfio && !d->platform &&
		       !(d->group && d->group->nr_hard);
	if (!strcmp(cmd, "release"))
		return vfio || !strcmp(d->driver_override, PT_BIND_TARGET);
	if (!strcmp(cmd, "vfs"))
		return d->sriov_totalvfs > 0;
	if (!strcmp(cmd, "dma-test") || !strcmp(cmd, "verify") || !strcmp(cmd, "run"))
		return !d->is_bridge;
	return true;
}

/* The other DEVICE forms, offered once their prefix is typed (so the
 * plain lists stay short): virsh's node device names "pci_0000_01_00_0"
 * and "class=KEY" for the classes of the devices the command takes. */
static bool class_seen_before(const struct pt_system *s, const char *cmd, int i)
{
	for (int k = 0; k < i; k++)
		if (device_fits(cmd, s->devices[k]) &&
		    !strcmp(pt_device_class_key(s->devices[k]), pt_device_class_key(s->devices[i])))
			return true;
	return false;
}

static void selector_forms(struct comp *c, const char *cmd)
{
	const struct pt_system *s = c->sys;
	bool virsh = !strncmp(c->cur, "pci_", 4), cls = !strncmp(c->cur, "class=", 6);
	char name[32];

	for (int i = 0; (virsh || cls) && i < s->nr_devices; i++) {
		const struct pt_device *d = s->devices[i];

		if (!device_fits(cmd, d))
			continue;
		if (virsh)
			snprintf(name, sizeof(name), "pci_%04x_%02x_%02x_%x", d->domain,
				 d->bus, d->dev, d->func);
		else if (!class_seen_before(s, cmd, i))
			snprintf(name, sizeof(name), "class=%s", pt_device_class_key(d));
		else
			continue;
		cand(c, name);
	}
}

/* Full addresses, short ones (domain 0, once something is typed),
 * vendor:device ids and interface names of the devices the command takes. */
static void devices(struct comp *c, const char *cmd)
{
	const struct pt_system *s;

	if (!scan(c))
		return;
	s = c->sys;
	for (int i = 0; i < s->nr_devices; i++) {
		const struct pt_device *d = s->devices[i];

		if (!device_fits(cmd, d))
			continue;
		cand(c, d->bdf);
		if (*c->cur && d->domain == 0)
			cand(c, d->bdf + 5);
	}
	/* ids name a device only when no other device has them (DEVICE
	 * arguments: ambiguous ids are refused, listing the candidates) */
	for (int i = 0; i < s->nr_devices; i++) {
		const struct pt_device *d = s->devices[i];
		int same = 0;
		char ids[16];

		if (!device_fits(cmd, d))
			continue;
		for (int k = 0; k < s->nr_devices; k++)
			same += s->devices[k]->vendor_id == d->vendor_id &&
				s->devices[k]->device_id == d->device_id;
		snprintf(ids, sizeof(ids), "%04x:%04x", d->vendor_id, d->device_id);
		if (same == 1)
			cand(c, ids);
	}
	for (int i = 0; i < s->nr_devices; i++)
		for (int k = 0; device_fits(cmd, s->devices[i]) && k < s->devices[i]->net.n; k++)
			cand(c, s->devices[i]->net.v[k]);
	selector_forms(c, cmd);
}

static void formats(struct comp *c)
{
	for (const struct emit_format *f = emit_format_first(); f; f = f->next)
		cand(c, f->name);
}

static void guests(struct comp *c)
{
	for (const struct guest_prog *g = guest_progs; g->name; g++)
		cand(c, g->name);
}

/* A placeholder of a synopsis ("FILE", "DEVICE", "NAME") for option opt. */
static void placeholder(struct comp *c, const char *opt, const char *what)
{
	if (!strncmp(what, "FILE", 4))
		printf("@files\n");
	else if (!strcmp(what, "DIR"))
		printf("@dirs\n");
	else if (!strcmp(what, "DEVICE") || !strcmp(what, "BDF"))
		devices(c, c->cmd ? c->cmd->name : "");
	else if (!strcmp(what, "FORMAT"))
		formats(c);
	else if (!strcmp(what, "NAME") && !strcmp(opt, "--user"))
		printf("@users\n");
	else if (!strcmp(what, "NAME") && !strcmp(opt, "--group"))
		printf("@groups\n");
	else if (!strcmp(what, "NAME") && !strcmp(opt, "--guest"))
		guests(c);
}

/* The value of option opt: its alternatives ("type1|iommufd"), literal
 * ("nfd") or by placeholder (upper case). */
static void value(struct comp *c, const char *opt, const char *arg)
{
	char buf[96], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *a = strtok_r(buf, "|", &save); a; a = strtok_r(NULL, "|", &save)) {
		if (isupper((unsigned char)a[0]))
			placeholder(c, opt, a);
		else
			cand(c, a);
	}
}

/* The n-th word that is not an option or an option's value: what the
 * synopsis names first after the command ("show DEVICE", "assign
 * DEVICE...", "emit FORMAT [DEVICE...]", "vfs DEVICE N"). */
static void positional(struct comp *c, int n)
{
	const char *cmd = c->cmd->name, *after = c->cmd->usage + strlen(cmd);

	if (!strcmp(cmd, "help"))
		commands(c);
	else if (!strncmp(after, " FORMAT [DEVICE...]", 19))
		if (n == 0)
			formats(c);
		else
			devices(c, cmd);
	else if (!strncmp(after, " DEVICE...", 10) || (n == 0 && !strncmp(after, " DEVICE", 7)))
		devices(c, cmd);
}

/* ---- the command line ------------------------------------------------------ */

static void global_options(struct comp *c)
{
	static const char *const g[] = {
		"--root", "--color", "--wide", "-v", "--version", "--help",
	};

	if (!strncmp(c->cur, "--color=", 8)) {
		c->prefix = "--color=";
		value(c, "--color", "auto|always|never");
		return;
	}
	if (!strncmp(c->cur, "--root=", 7)) {
		printf("@dirs\n");
		return;
	}
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		cand(c, g[i]);
}

/* After the command: its options, an option's value, or a positional. */
static void command_words(struct comp *c, char **w, int n)
{
	struct opt_spec spec[MAX_OPTS];
	int nspec = parse_usage(c->cmd->usage, spec, MAX_OPTS), pos = 0;
	const struct opt_spec *o;

	for (int i = 0; i < n - 1; i++) {
		if (!is_option(w[i])) {
			pos++;
			continue;
		}
		o = find_opt(spec, nspec, w[i]);
		if (o && *o->arg && !strchr(w[i], '=')) {
			if (i + 1 == n - 1) {		/* completing its value */
				value(c, o->name, o->arg);
				return;
			}
			i++;
		}
	}
	if (c->cur[0] == '-') {
		const char *eq = strchr(c->cur, '=');
		char name[32];

		if (eq && (size_t)(eq - c->cur) < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)(eq - c->cur), c->cur);
			o = find_opt(spec, nspec, name);
			if (o && *o->arg) {
				char pre[40];

				snprintf(pre, sizeof(pre), "%s=", name);
				c->prefix = pre;
				value(c, o->name, o->arg);
				c->prefix = "";
			}
			return;
		}
		for (int i = 0; i < nspec; i++)
			option(c, spec[i].name);
		option(c, "--help");
		return;
	}
	positional(c, pos);
}

static int cmd_complete_main(struct cli *cli, int argc, char **argv)
{
	struct comp c = { .root = cli->root, .prefix = "" };
	char **w = argv + 1;
	int n = argc - 1, i = 0;

	c.cur = n > 0 ? w[n - 1] : "";
	/* global options before the command */
	for (; i < n - 1; i++) {
		if (!strcmp(w[i], "--root")) {
			if (i + 1 == n - 1) {
				printf("@dirs\n");
				return CLI_EXIT_OK;
			}
			c.root = w[++i];
		} else if (!strncmp(w[i], "--root=", 7)) {
			c.root = w[i] + 7;
		} else if (w[i][0] != '-') {
			break;
		}
	}
	if (i >= n - 1) {
		if (c.cur[0] == '-')
			global_options(&c);
		else
			commands(&c);
	} else {
		c.cmd = cli_command_find(w[i]);
		if (c.cmd)
			command_words(&c, w + i + 1, n - i - 1);
	}
	if (c.ctx)
		pt_ctx_free(c.ctx);
	fflush(stdout);
	return CLI_EXIT_OK;
}
CLI_COMMAND(__complete, cmd_complete_main, "candidates for the shell completions",
	    "__complete WORD...   (the command line after `passthru`, the last word being completed)");
