// SPDX-License-Identifier: MIT
/*
 * conf.c — /etc/passthru.conf: the devices assigned to vfio-pci at boot
 * (documented example: configs/passthru.conf).
 *
 *	# comment
 *	0000:01:00.0 user=alice
 *	10de:1b80            # every device with these ids
 *	0000:03:00.0 force group=kvm
 *
 * One device per line: a full PCI address (a short "01:00.0" means domain
 * 0000) or vendor:device ids, then options: user=NAME, group=NAME, force.
 * The parser is strict (an unknown option or a malformed address is an
 * error naming the line) and bounds-checked: it runs at boot from udev and
 * systemd, and tests/fuzz/fuzz-conf.c feeds it garbage.
 *
 * pt_conf_add/remove edit the file the way driverctl edits its overrides:
 * one line per device, every other line (comments included) kept, written
 * to a temporary file, fsynced and renamed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/passthru.h"

#define CONF_LINE_MAX	1024
#define CONF_FILE_MAX	(256 * 1024)

/* Entries are allocated one by one and reached through pointers, their
 * names strdup()ed: no size of them is in the ABI (lib/ABI.md rule 2). */
struct pt_conf {
	int nr, cap;
	struct pt_conf_entry **e;
};

static bool hexn(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "DDDD:BB:DD.F" or "BB:DD.F" -> canonical lower-case "dddd:bb:dd.f". */
static int parse_bdf(const char *s, char *out, size_t n)
{
	unsigned int dom = 0, bus, dev, fn;
	size_t l = strlen(s);

	if (l == 12 && hexn(s, 4) && s[4] == ':' && hexn(s + 5, 2) && s[7] == ':' &&
	    hexn(s + 8, 2) && s[10] == '.' && s[11] >= '0' && s[11] <= '7') {
		sscanf(s, "%4x:%2x:%2x.%1x", &dom, &bus, &dev, &fn);
	} else if (l == 7 && hexn(s, 2) && s[2] == ':' && hexn(s + 3, 2) &&
		   s[5] == '.' && s[6] >= '0' && s[6] <= '7') {
		sscanf(s, "%2x:%2x.%1x", &bus, &dev, &fn);
	} else {
		return -EINVAL;
	}
	if (dev > 0x1f)
		return -EINVAL;
	snprintf(out, n, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

static int parse_ids(const char *s, unsigned int *v, unsigned int *d)
{
	if (strlen(s) != 9 || !hexn(s, 4) || s[4] != ':' || !hexn(s + 5, 4))
		return -EINVAL;
	sscanf(s, "%4x:%4x", v, d);
	return 0;
}

bool pt_conf_name_ok(const char *s)
{
	size_t l = strlen(s);

	/* getpwnam(3) resolves any string NSS knows (SSSD: bob@corp.example,
	 * CORP\\bob); what the file cannot hold is a blank (the separator),
	 * '#' (a comment), and what no account name has: ':' (passwd(5)'s
	 * separator), '/', control bytes, a leading '-' (an option) */
	if (!l || l >= PT_CONF_NAME_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < l; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f || strchr("#:/,", c))
			return false;
	}
	return true;
}

static void entry_free(struct pt_conf_entry *e)
{
	if (!e)
		return;
	free((char *)e->bdf);
	free((char *)e->user);
	free((char *)e->group);
	free(e);
}

static int set_name(const char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return pt_set_error(ENOMEM, "passthru.conf: out of memory");
	free((char *)*field);
	*field = copy;
	return 0;
}

/* One line into a new entry *out (names never NULL, "" when absent). */
static int parse_line(char *line, int lineno, struct pt_conf_entry **out)
{
	char *save = NULL, *tok, bdf[PT_BDF_LEN] = "";
	struct pt_conf_entry *e = calloc(1, sizeof(*e));
	int ret;

	*out = e;
	if (!e || set_name(&e->bdf, "") || set_name(&e->user, "") ||
	    set_name(&e->group, ""))
		return pt_set_error(ENOMEM, "passthru.conf: out of memory");
	e->line = lineno;
	tok = strtok_r(line, " \t", &save);
	if (!parse_bdf(tok, bdf, sizeof(bdf))) {
		if ((ret = set_name(&e->bdf, bdf)))
			return ret;
	} else if (parse_ids(tok, &e->vendor, &e->device)) {
		return pt_set_error(EINVAL, "passthru.conf line %d: '%s' is neither "
				    "a PCI address (0000:01:00.0) nor vendor:device "
				    "ids (10de:1b80)", lineno, tok);
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (!strcmp(tok, "force")) {
			e->force = true;
		} else if (!strncmp(tok, "user=", 5) && pt_conf_name_ok(tok + 5)) {
			if ((ret = set_name(&e->user, tok + 5)))
				return ret;
		} else if (!strncmp(tok, "group=", 6) && pt_conf_name_ok(tok + 6)) {
			if ((ret = set_name(&e->group, tok + 6)))
				return ret;
		} else {
			return pt_set_error(EINVAL, "passthru.conf line %d: unknown or "
					    "malformed option '%.40s' (known: "
					    "user=NAME, group=NAME, force)", lineno, tok);
		}
	}
	return 0;
}

static bool same_device(const struct pt_conf_entry *a, const struct pt_conf_entry *b)
{
	if (*a->bdf || *b->bdf)
		return !strcmp(a->bdf, b->bdf);
	return a->vendor == b->vendor && a->device == b->device;
}

void pt_conf_free(struct pt_conf *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nr; i++)
		entry_free(c->e[i]);
	free(c->e);
	free(c);
}

static int conf_push(struct pt_conf *c, struct pt_conf_entry *e)
{
	if (c->nr == c->cap) {
		int cap = c->cap ? c->cap * 2 : 16;
		struct pt_conf_entry **ne = realloc(c->e, sizeof(*ne) * (size_t)cap);

		if (!ne)
			return pt_set_error(ENOMEM, "passthru.conf: out of memory");
		c->e = ne;
		c->cap = cap;
	}
	c->e[c->nr++] = e;
	return 0;
}

static int conf_parse(const char *buf, size_t len, struct pt_conf *c)
{
	char line[CONF_LINE_MAX];
	struct pt_conf_entry *e;
	size_t pos = 0;
	int lineno = 0, ret;

	while (pos < len) {
		size_t l = 0;
		char *hash, *p;

		while (pos + l < len && buf[pos + l] != '\n')
			l++;
		lineno++;
		if (l >= sizeof(line))
			return pt_set_error(EINVAL, "passthru.conf line %d is longer "
					    "than %d bytes", lineno, CONF_LINE_MAX - 1);
		if (memchr(buf + pos, '\0', l))
			return pt_set_error(EINVAL, "passthru.conf line %d contains "
					    "a NUL byte", lineno);
		memcpy(line, buf + pos, l);
		line[l] = '\0';
		pos += l + 1;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		for (p = line; *p == ' ' || *p == '\t' || *p == '\r'; p++)
			;
		for (size_t e = strlen(p); e && strchr(" \t\r", p[e - 1]); e--)
			p[e - 1] = '\0';
		if (!*p)
			continue;
		ret = parse_line(p, lineno, &e);
		for (int i = 0; !ret && i < c->nr; i++)
			if (same_device(c->e[i], e))
				ret = pt_set_error(EINVAL, "passthru.conf line %d: "
						   "the device is already listed "
						   "on line %d", lineno, c->e[i]->line);
		if (!ret)
			ret = conf_push(c, e);
		if (ret) {
			entry_free(e);
			return ret;
		}
	}
	return 0;
}

static int read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	ssize_t r;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size > CONF_FILE_MAX) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	r = read(fd, buf, st.st_size);
	close(fd);
	if (r < 0) {
		free(buf);
		return -errno;
	}
	buf[r] = '\0';
	*out = buf;
	*len = (size_t)r;
	return 0;
}

static int conf_load(const char *path, struct pt_conf *c)
{
	char *buf;
	size_t len;
	int ret;

	ret = read_file(path, &buf, &len);
	if (ret == -ENOENT)
		return ret;
	if (ret)
		return pt_set_error(ret, "cannot read %s: %s", path, strerror(-ret));
	ret = conf_parse(buf, len, c);
	free(buf);
	if (ret) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", pt_last_error());
		return pt_set_error(-ret, "%s: %s; fix: correct the file (see "
				    "configs/passthru.conf)", path, msg);
	}
	return 0;
}

/* norm: a normalised BDF, "" when the caller's was not one. */
static bool entry_matches(const struct pt_conf_entry *e, const char *norm,
			  unsigned int vendor, unsigned int device)
{
	return *e->bdf ? !strcmp(e->bdf, norm) :
	       e->vendor == vendor && e->device == device;
}

const struct pt_conf_entry *pt_conf_match(const struct pt_conf *c, const char *bdf,
					  unsigned int vendor, unsigned int device)
{
	char norm[PT_BDF_LEN] = "";

	if (bdf && parse_bdf(bdf, norm, sizeof(norm)))
		norm[0] = '\0';
	for (int i = 0; c && i < c->nr; i++)
		if (entry_matches(c->e[i], norm, vendor, device))
			return c->e[i];
	return NULL;
}

bool pt_conf_entry_matches(const struct pt_conf_entry *e, const char *bdf,
			   unsigned int vendor, unsigned int device)
{
	char norm[PT_BDF_LEN] = "";

	if (bdf && parse_bdf(bdf, norm, sizeof(norm)))
		norm[0] = '\0';
	return e && entry_matches(e, norm, vendor, device);
}

static int write_file(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd))
		ret = errno ? -errno : -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

/* Is this (raw) line the entry for bdf?  Compares the first token. */
static bool line_is(const char *line, size_t l, const char *bdf)
{
	char tok[32], norm[PT_BDF_LEN];
	size_t i = 0, t = 0;

	while (i < l && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (i < l && !strchr(" \t#\r", line[i]) && t < sizeof(tok) - 1)
		tok[t++] = line[i++];
	tok[t] = '\0';
	return !parse_bdf(tok, norm, sizeof(norm)) && !strcmp(norm, bdf);
}

/* The line for norm with opts ("...\n"), checked as the parser reads it. */
static int new_line(const char *norm, const char *opts, char **out)
{
	struct pt_conf_entry *e = NULL;
	char *line, *scratch;
	int bad;

	if (asprintf(&line, "%s%s%s\n", norm, *opts ? " " : "", opts) < 0)
		return -ENOMEM;
	scratch = strndup(line, strlen(line) - 1);
	if (!scratch) {
		free(line);
		return -ENOMEM;
	}
	bad = strpbrk(scratch, "#\n\r") || parse_line(scratch, 1, &e);
	entry_free(e);
	free(scratch);
	if (bad) {
		free(line);
		return pt_set_error(EINVAL, "options '%s' are not what passthru.conf "
				    "can hold (user=NAME group=NAME force; names "
				    "without blanks, '#', ':', ',' or '/'); nothing "
				    "was written", opts);
	}
	*out = line;
	return 0;
}

static int parses(const char *buf, size_t len)
{
	struct pt_conf *c;
	int ret = pt_conf_from_text(buf, len, &c);

	pt_conf_free(c);
	return ret;
}

static int edit(const char *path, const char *bdf, const char *add_opts)
{
	char norm[PT_BDF_LEN], msg[512], *buf = NULL, *out = NULL, *line = NULL;
	size_t len = 0, o = 0, pos = 0;
	int ret, removed = 0;

	if (parse_bdf(bdf, norm, sizeof(norm)))
		return pt_set_error(EINVAL, "'%s' is not a PCI address", bdf);
	if (add_opts) {
		ret = new_line(norm, add_opts, &line);
		if (ret)
			return ret;
	}
	ret = read_file(path, &buf, &len);
	if (ret && ret != -ENOENT) {
		ret = pt_set_error(ret, "cannot read %s: %s", path, strerror(-ret));
		goto out;
	}
	if (ret == -ENOENT) {
		static const char head[] =
			"# passthru.conf — devices assigned to vfio-pci at boot.\n"
			"# Edited by `passthru assign/release --persist`; see passthru(1).\n";

		buf = strdup(head);
		if (!buf) {
			ret = -ENOMEM;
			goto out;
		}
		len = strlen(buf);
	}
	/* refuse to edit a file we could not read back afterwards */
	ret = parses(buf, len);
	if (ret) {
		snprintf(msg, sizeof(msg), "%s", pt_last_error());
		ret = pt_set_error(EINVAL, "%s: %s; not editing it", path, msg);
		goto out;
	}
	/* each kept line may gain a newline (the last one may lack it) */
	out = malloc(len + 1 + (line ? strlen(line) : 0) + 1);
	if (!out) {
		ret = -ENOMEM;
		goto out;
	}
	while (pos < len) {
		size_t l = 0;

		while (pos + l < len && buf[pos + l] != '\n')
			l++;
		if (line_is(buf + pos, l, norm)) {
			removed++;
		} else {
			memcpy(out + o, buf + pos, l);
			o += l;
			out[o++] = '\n';
		}
		pos += l + 1;
	}
	if (line) {
		memcpy(out + o, line, strlen(line));
		o += strlen(line);
	}
	/* what boot will read: parse it before it replaces the old file */
	ret = parses(out, o);
	if (ret) {
		snprintf(msg, sizeof(msg), "%s", pt_last_error());
		ret = pt_set_error(EINVAL, "%s: the edited file would not parse (%s); "
				   "nothing was written", path, msg);
		goto out;
	}
	ret = write_file(path, out, o);
	if (ret)
		ret = pt_set_error(ret, "cannot write %s: %s; fix: run as root",
				   path, strerror(-ret));
out:
	free(buf);
	free(out);
	free(line);
	return ret ? ret : removed;
}

int pt_conf_add(const char *path, const char *bdf, const char *opts)
{
	int ret = edit(path, bdf, opts ? opts : "");

	return ret < 0 ? ret : 0;
}

int pt_conf_remove(const char *path, const char *bdf)
{
	return edit(path, bdf, NULL);
}

int pt_conf_from_text(const char *buf, size_t len, struct pt_conf **out)
{
	struct pt_conf *c = calloc(1, sizeof(*c));
	int ret;

	*out = NULL;
	if (!c)
		return pt_set_error(ENOMEM, "passthru.conf: out of memory");
	ret = conf_parse(buf, len, c);
	if (ret) {
		pt_conf_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

int pt_conf_open(const char *path, struct pt_conf **out)
{
	struct pt_conf *c = calloc(1, sizeof(*c));
	int ret;

	*out = NULL;
	if (!c)
		return pt_set_error(ENOMEM, "%s: out of memory", path);
	ret = conf_load(path, c);
	if (ret) {
		pt_conf_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

int pt_conf_count(const struct pt_conf *c)
{
	return c ? c->nr : 0;
}

const struct pt_conf_entry *pt_conf_entry(const struct pt_conf *c, int i)
{
	return c && i >= 0 && i < c->nr ? c->e[i] : NULL;
}
