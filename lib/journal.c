// SPDX-License-Identifier: MIT
/*
 * journal.c — what `passthru assign` changed, so that `release` restores
 * exactly that and a crash half-way can be undone.
 *
 * One file per group, ROOT/run/passthru/group-N.journal (tmpfs: a journal
 * does not outlive the boot, and neither do the sysfs changes it records):
 *
 *	passthru-journal 1
 *	group 7
 *	state applying|applied|releasing
 *	member 0000:01:00.0 driver=e1000e override= action=rebind
 *
 * It is written to a temporary file, fsynced and renamed over the old one
 * (then the directory is fsynced), before the first change of an assign and
 * of a release, so a reader sees either the old or the new record, never a
 * torn one.  The parser is strict and bounds-checked (fuzzed by
 * tests/fuzz/fuzz-journal.c): a journal is input like any other.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bind-priv.h"
#include "lib/disc-priv.h"

#define JOURNAL_MAX_BYTES (64 * 1024)

const char *pt_journal_state_name(enum pt_journal_state st)
{
	switch (st) {
	case PT_JOURNAL_APPLYING: return "applying";
	case PT_JOURNAL_APPLIED: return "applied";
	case PT_JOURNAL_RELEASING: return "releasing";
	}
	return "?";
}

static int run_dir(struct pt_binder *b, char *buf, size_t n)
{
	char tmp[PATH_MAX];
	int ret;

	/* ROOT/run exists on any system; create ROOT/run/passthru */
	ret = pt_sysfs_path(&b->fs, tmp, sizeof(tmp), "run/passthru");
	if (ret)
		return ret;
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return pt_set_error(errno, "cannot create %s: %s; fix: run as root "
				    "with /run writable", tmp, strerror(errno));
	if (strlen(tmp) >= n)
		return -ENAMETOOLONG;
	strcpy(buf, tmp);
	return 0;
}

int pt_journal_write(struct pt_binder *b, const struct pt_bind_plan *p,
		     enum pt_journal_state st)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	FILE *f;
	int fd, ret, dfd;

	if (b->flags & PT_BINDER_DRY_RUN)
		return 0;
	ret = run_dir(b, dir, sizeof(dir));
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/group-%d.journal", dir, p->group);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return pt_set_error(errno, "journal %s: %s; fix: run as root", tmp,
				    strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return pt_set_error(errno, "journal %s: %s", tmp, strerror(errno));
	}
	fprintf(f, "passthru-journal 1\ngroup %d\nstate %s\n", p->group,
		pt_journal_state_name(st));
	for (int i = 0; i < p->nr; i++)
		fprintf(f, "member %s driver=%s override=%s action=%s\n",
			p->m[i].bdf, p->m[i].driver, p->m[i].override,
			pt_bind_action_name(p->m[i].action));
	ret = fflush(f) || fsync(fd) ? -errno : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return pt_set_error(ret, "journal %s: writing failed: %s; nothing "
				    "was changed; fix: make /run writable",
				    path, strerror(-ret));
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int parse_kv(const char *tok, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);

	if (strncmp(tok, key, kl) || tok[kl] != '=')
		return -EBADMSG;
	if (strlen(tok + kl + 1) >= n)
		return -EBADMSG;
	strcpy(out, tok + kl + 1);
	return 0;
}

static int parse_member(char *line, struct pt_bind_plan *p)
{
	char bdf[PT_BDF_LEN], drv[PT_NAME_LEN], ovr[PT_NAME_LEN];
	char act[16], *tok[5], *save = NULL;
	int n = 0;

	for (char *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == 5)
			return -EBADMSG;
		tok[n++] = t;
	}
	if (n != 5 || strcmp(tok[0], "member") || strlen(tok[1]) >= sizeof(bdf))
		return -EBADMSG;
	strcpy(bdf, tok[1]);
	if (parse_kv(tok[2], "driver", drv, sizeof(drv)) ||
	    parse_kv(tok[3], "override", ovr, sizeof(ovr)) ||
	    parse_kv(tok[4], "action", act, sizeof(act)))
		return -EBADMSG;
	if (pt_bind_plan_add(p, bdf, drv, ovr, !strcmp(act, "bridge")))
		return -EBADMSG;
	if (!strcmp(act, "keep"))
		p->m[p->nr - 1].action = PT_BIND_KEEP;
	else if (!strcmp(act, "rebind"))
		p->m[p->nr - 1].action = PT_BIND_REBIND;
	else if (strcmp(act, "bridge"))
		return -EBADMSG;
	return 0;
}

int pt_journal_parse(const char *buf, size_t len, struct pt_bind_plan *p,
		     enum pt_journal_state *st)
{
	char line[256];
	size_t pos = 0;
	int lineno = 0, group = -1, have_state = 0;
	char *end;
	long v;

	pt_bind_plan_init(p, -1);
	while (pos < len) {
		size_t l = 0;

		while (pos + l < len && buf[pos + l] != '\n')
			l++;
		if (l >= sizeof(line) || memchr(buf + pos, '\0', l))
			goto bad;
		memcpy(line, buf + pos, l);
		line[l] = '\0';
		pos += l + 1;
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, "passthru-journal 1"))
				goto bad;
		} else if (lineno == 2) {
			if (strncmp(line, "group ", 6))
				goto bad;
			errno = 0;
			v = strtol(line + 6, &end, 10);
			if (errno || *end || end == line + 6 || v < 0 || v > 1000000)
				goto bad;
			group = (int)v;
			p->group = group;
		} else if (lineno == 3) {
			if (!strcmp(line, "state applying"))
				*st = PT_JOURNAL_APPLYING;
			else if (!strcmp(line, "state applied"))
				*st = PT_JOURNAL_APPLIED;
			else if (!strcmp(line, "state releasing"))
				*st = PT_JOURNAL_RELEASING;
			else
				goto bad;
			have_state = 1;
		} else if (parse_member(line, p)) {
			goto bad;
		}
	}
	if (group < 0 || !have_state || !p->nr)
		goto bad;
	p->journaled = true;
	return 0;
bad:
	pt_clear_error();
	return pt_set_error(EBADMSG, "journal: line %d is corrupt", lineno);
}

int pt_journal_read(struct pt_binder *b, int group, struct pt_bind_plan *p,
		    enum pt_journal_state *st)
{
	char rel[64], path[PATH_MAX], *buf;
	int ret;

	snprintf(rel, sizeof(rel), "run/passthru/group-%d.journal", group);
	ret = pt_sysfs_path(&b->fs, path, sizeof(path), "%s", rel);
	if (ret)
		return ret;
	buf = malloc(JOURNAL_MAX_BYTES + 1);	/* + the NUL the read adds */
	if (!buf)
		return -ENOMEM;
	ret = pt_sysfs_read(&b->fs, rel, buf, JOURNAL_MAX_BYTES + 1);
	if (ret >= 0)
		ret = pt_journal_parse(buf, (size_t)ret, p, st);
	free(buf);
	if (ret == -ENOENT)
		return ret;	/* no journal: not an error to report */
	if (ret < 0 && ret != -EBADMSG)
		return pt_set_error(-ret, "journal %s cannot be read: %s; fix: check "
				    "the group by hand (`passthru show`), then "
				    "delete the file", path, strerror(-ret));
	if (ret == -EBADMSG)
		return pt_set_error(EBADMSG, "journal %s is corrupt; fix: check the "
				    "group by hand (`passthru show`), then delete "
				    "the file", path);
	if (!ret && p->group != group)
		return pt_set_error(EBADMSG, "journal %s names group %d; fix: delete "
				    "the file", path, p->group);
	return ret;
}

int pt_journal_remove(struct pt_binder *b, int group)
{
	char path[PATH_MAX];
	int ret;

	if (b->flags & PT_BINDER_DRY_RUN)
		return 0;
	ret = pt_sysfs_path(&b->fs, path, sizeof(path), "run/passthru/group-%d.journal", group);
	if (ret)
		return ret;
	if (unlink(path) && errno != ENOENT)
		return pt_set_error(errno, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int pt_journal_list(struct pt_binder *b, int *groups, int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = pt_sysfs_opendir(&b->fs, AT_FDCWD, "run/passthru");
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && n < max) {
		char tail[16];
		int g;

		if (sscanf(de->d_name, "group-%d.%15s", &g, tail) == 2 &&
		    g >= 0 && !strcmp(tail, "journal"))
			groups[n++] = g;
	}
	closedir(d);
	qsort(groups, n, sizeof(int), cmp_int);
	return n;
}
