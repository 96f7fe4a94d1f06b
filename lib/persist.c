// SPDX-License-Identifier: MIT
/*
 * persist.c — PT_TXN_PERSIST: what an assign or release also records for
 * the next boot, like driverctl's persisted overrides.
 *
 * assign: a line per endpoint in passthru.conf (with the run's user= and
 * group=), and for each native driver a modprobe.d softdep that loads
 * vfio-pci first, so the override udev sets on "add" finds vfio-pci ready;
 * release: the lines go, and each softdep no persisted device needs any
 * more (an ids line that would bring a device back at the next boot is
 * pointed out).  A dry run names every file and line it would change.
 *
 * The names are checked before anything changes (ptt_persist_check): a
 * name passthru.conf cannot hold would make the file unreadable, and with
 * it every `--udev-match` and passthru.service at boot.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "lib/disc-priv.h"
#include "lib/txn-priv.h"

static void etc_path(const struct pt_txn *t, char *buf, size_t n, const char *rel)
{
	snprintf(buf, n, "%s/%s", t->root ? t->root : "", rel);
}

static const char *conf_path(const struct pt_txn *t, char *buf, size_t n)
{
	if (t->conf_path)
		return t->conf_path;
	etc_path(t, buf, n, "etc/passthru.conf");
	return buf;
}

int ptt_persist_check(struct pt_txn *t)
{
	if (!(t->flags & PT_TXN_PERSIST) || t->op != PT_TXN_ASSIGN)
		return 0;
	for (int i = 0; i < t->nr; i++) {
		const char *bad = t->g[i].user && !pt_conf_name_ok(t->g[i].user) ?
				  t->g[i].user : t->g[i].group &&
				  !pt_conf_name_ok(t->g[i].group) ? t->g[i].group : NULL;

		if (bad)
			return pt_set_error(EINVAL, "--persist: the name '%s' cannot be "
					    "written to passthru.conf (no blanks, '#', "
					    "':', ',' or '/', not starting with '-', "
					    "shorter than %d bytes); nothing was changed",
					    bad, PT_CONF_NAME_MAX);
	}
	return 0;
}

/*
 * The modprobe.d file, edited in memory for the whole run and written once
 * (temporary file + rename).  Each softdep line is followed by one comment
 * per device it is there for,
 *	softdep e1000e pre: vfio-pci
 *	# passthru: e1000e for 0000:00:19.0
 * so release --persist removes a softdep with the last device needing it
 * (a softdep without such comments, written by hand, is never removed).
 */
struct lines {
	char path[PATH_MAX];
	char **v;
	int n;
	bool changed;
};

static int lines_load(struct lines *l)
{
	char buf[512];
	FILE *f = fopen(l->path, "re");

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(buf, sizeof(buf), f)) {
		char **v = realloc(l->v, sizeof(*v) * (size_t)(l->n + 1));

		if (!v || !(v[l->n] = strdup(buf))) {
			if (v)
				l->v = v;
			fclose(f);
			return -ENOMEM;
		}
		l->v = v;
		l->v[l->n][strcspn(l->v[l->n], "\n")] = '\0';
		l->n++;
	}
	fclose(f);
	return 0;
}

static void lines_free(struct lines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int lines_find(const struct lines *l, const char *line)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], line))
			return i;
	return -1;
}

/* Inserts line at position at (l->n: the end) unless it is there. */
static int lines_insert(struct lines *l, int at, const char *line)
{
	char **v;

	if (lines_find(l, line) >= 0)
		return 0;
	v = realloc(l->v, sizeof(*v) * (size_t)(l->n + 1));
	if (!v)
		return -ENOMEM;
	l->v = v;
	memmove(&v[at + 1], &v[at], sizeof(*v) * (size_t)(l->n - at));
	v[at] = strdup(line);
	if (!v[at]) {
		memmove(&v[at], &v[at + 1], sizeof(*v) * (size_t)(l->n - at));
		return -ENOMEM;
	}
	l->n++;
	l->changed = true;
	return 1;
}

static void lines_delete(struct lines *l, int i)
{
	free(l->v[i]);
	memmove(&l->v[i], &l->v[i + 1], sizeof(*l->v) * (size_t)(l->n - i - 1));
	l->n--;
	l->changed = true;
}

static int lines_save(const struct lines *l)
{
	char tmp[PATH_MAX + 8];
	FILE *f;

	if (!l->changed)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.new", l->path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	for (int i = 0; i < l->n; i++)
		fprintf(f, "%s\n", l->v[i]);
	if (fclose(f) || rename(tmp, l->path)) {
		int e = errno;

		unlink(tmp);
		return -e;
	}
	return 0;
}

/* softdep DRIVER for BDF: the line and its comment. */
static int softdep_add(struct pt_txn *t, struct lines *l, int gid,
		       const char *driver, const char *bdf)
{
	char dep[160], why[200];
	int at, ret;

	snprintf(dep, sizeof(dep), "softdep %s pre: vfio-pci", driver);
	snprintf(why, sizeof(why), "# passthru: %s for %s", driver, bdf);
	at = lines_find(l, dep);
	if (at < 0) {
		if (ptt_dry(t))
			ptt_note(t, PT_NOTE_PERSIST, gid, "--persist would add '%s' "
				 "to %s", dep, l->path);
		else
			ptt_note(t, PT_NOTE_PERSIST, gid, "'%s' added to %s", dep,
				 l->path);
		ret = lines_insert(l, l->n, dep);
		at = l->n - 1;
	} else {
		ret = 0;
	}
	if (ret >= 0)
		ret = lines_insert(l, at + 1, why);
	return ret < 0 ? ret : 0;
}

/* Drops BDF's comments; a softdep whose last comment went goes too. */
static void softdep_drop(struct pt_txn *t, struct lines *l, int gid,
			 const char *bdf)
{
	char tail[64], dep[160], drv[PT_NAME_LEN];

	snprintf(tail, sizeof(tail), " for %s", bdf);
	for (int i = 0; i < l->n; i++) {
		const char *s = l->v[i];
		size_t n = strlen(s), tl = strlen(tail);
		bool more = false;
		int at;

		if (strncmp(s, "# passthru: ", 12) || n <= 12 + tl ||
		    strcmp(s + n - tl, tail) || n - 12 - tl >= sizeof(drv))
			continue;
		snprintf(drv, sizeof(drv), "%.*s", (int)(n - 12 - tl), s + 12);
		lines_delete(l, i--);
		snprintf(dep, sizeof(dep), "# passthru: %s for ", drv);
		for (int k = 0; k < l->n; k++)
			more |= !strncmp(l->v[k], dep, strlen(dep));
		snprintf(dep, sizeof(dep), "softdep %s pre: vfio-pci", drv);
		at = lines_find(l, dep);
		if (more || at < 0)
			continue;
		lines_delete(l, at);
		if (at <= i)
			i--;
		ptt_note(t, PT_NOTE_PERSIST, gid, "%s '%s' %s %s (no persisted "
			 "device needs it)", ptt_dry(t) ? "--persist would remove" :
			 "removed", dep, "from", l->path);
	}
}

static int persist_group(struct pt_txn *t, struct ptt_group *g, const char *conf,
			 struct lines *mp)
{
	char opts[2 * PT_CONF_NAME_MAX + 16] = "";
	int ret;

	if (g->user)
		snprintf(opts, sizeof(opts), "user=%s", g->user);
	if (g->group)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%sgroup=%s",
			 *opts ? " " : "", g->group);
	for (int k = 0; k < g->pub.nr_members; k++) {
		const struct ptt_member *m = &g->mem[k];

		if (m->pub.move == PT_MOVE_STAYS_BRIDGE)
			continue;
		if (ptt_dry(t)) {
			ptt_note(t, PT_NOTE_PERSIST, g->pub.id, "--persist would add %s "
				 "to %s", m->bdf, conf);
		} else {
			ret = pt_conf_add(conf, m->bdf, opts);
			if (ret)
				return ret;
			ptt_note(t, PT_NOTE_PERSIST, g->pub.id, "%s persisted in %s",
				 m->bdf, conf);
		}
		if (!*m->driver || pt_driver_is_vfio(m->driver))
			continue;
		ret = softdep_add(t, mp, g->pub.id, m->driver, m->bdf);
		if (ret)
			ptt_note(t, PT_NOTE_PERSIST_FAILED, g->pub.id, "could not add "
				 "the softdep for %s to %s: %s", m->driver, mp->path,
				 strerror(-ret));
	}
	return 0;
}

/* An ids line would bring a released device back at the next boot: say so. */
static void note_ids_line(struct pt_txn *t, struct ptt_group *g, const char *conf,
			  const struct pt_device *d)
{
	const struct pt_conf_entry *e;
	struct pt_conf *c;

	if (pt_conf_open(conf, &c))
		return;
	e = pt_conf_match(c, d->bdf, d->vendor_id, d->device_id);
	if (e)
		ptt_note(t, PT_NOTE_PERSIST, g->pub.id, "%s is still listed by ids "
			 "on line %d of %s; edit that line to stop assigning it "
			 "at boot", d->bdf, e->line, conf);
	pt_conf_free(c);
}

static void unpersist_group(struct pt_txn *t, struct ptt_group *g, const char *conf,
			    struct lines *mp)
{
	for (int k = 0; k < g->pub.nr_members; k++) {
		const char *bdf = g->mem[k].bdf;
		const struct pt_device *d;
		int n;

		if (g->mem[k].pub.move == PT_MOVE_STAYS_BRIDGE)
			continue;
		softdep_drop(t, mp, g->pub.id, bdf);
		if (ptt_dry(t)) {
			ptt_note(t, PT_NOTE_PERSIST, g->pub.id, "--persist would remove "
				 "%s from %s", bdf, conf);
			continue;
		}
		n = pt_conf_remove(conf, bdf);
		if (n < 0 && n != -ENOENT)
			ptt_note(t, PT_NOTE_PERSIST_FAILED, g->pub.id, "%s", pt_last_error());
		else if (n > 0)
			ptt_note(t, PT_NOTE_PERSIST, g->pub.id, "%s removed from %s", bdf,
				 conf);
		d = pt_find_device(t->sys, bdf);
		if (d)
			note_ids_line(t, g, conf, d);
	}
	pt_clear_error();
}

/*
 * The udev rule's test (like driverctl's): ROOT/etc/passthru.d holds an
 * empty file per passthru.conf entry, pci-0000:01:00.0 or ids-0x8086:0x10d3
 * (udev's $attr{vendor}:$attr{device}), so the rule starts passthru only
 * for the devices the file lists.  Made to mirror the file after every
 * --persist edit and by every assign --from-config (the boot service, or
 * the administrator after editing the file by hand).
 */
static int mark_add(struct pt_strv *marks, const struct pt_conf_entry *e)
{
	if (*e->bdf)
		return ptd_strv_addf(marks, "pci-%s", e->bdf);
	return ptd_strv_addf(marks, "ids-0x%04x:0x%04x", e->vendor, e->device);
}

/* The marks of a config's entries into *marks; -ENOMEM. */
int ptt_conf_marks(const struct pt_conf *c, struct pt_strv *marks)
{
	for (int i = 0; i < pt_conf_count(c); i++)
		if (mark_add(marks, pt_conf_entry(c, i)))
			return -ENOMEM;
	return 0;
}

void ptt_sync_marks(struct pt_txn *t, const struct pt_strv *marks)
{
	char dir[PATH_MAX], path[PATH_MAX + 320];
	struct dirent *de;
	DIR *d;
	int fd;

	etc_path(t, dir, sizeof(dir), "etc/passthru.d");
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if ((strncmp(de->d_name, "pci-", 4) && strncmp(de->d_name, "ids-", 4)) ||
		    ptd_strv_has(marks, de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (ptt_dry(t))
			ptt_note(t, PT_NOTE_PERSIST, -1, "--persist would remove %s", path);
		else if (unlink(path) && errno != ENOENT)
			ptt_note(t, PT_NOTE_PERSIST_FAILED, -1, "could not remove %s: %s",
				 path, strerror(errno));
	}
	if (d)
		closedir(d);
	for (int i = 0; i < marks->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, marks->v[i]);
		if (!access(path, F_OK))
			continue;
		if (ptt_dry(t)) {
			ptt_note(t, PT_NOTE_PERSIST, -1, "--persist would create %s "
				 "(the udev rule's test)", path);
			continue;
		}
		mkdir(dir, 0755);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			ptt_note(t, PT_NOTE_PERSIST_FAILED, -1, "could not create %s: %s; "
				 "the udev rule will not hold the device at boot",
				 path, strerror(errno));
		else
			close(fd);
	}
}

/* Was bdf released by this (dry) run? */
static bool released_here(const struct pt_txn *t, const char *bdf)
{
	if (t->op != PT_TXN_RELEASE)
		return false;
	for (int i = 0; i < t->nr; i++)
		for (int k = 0; k < t->g[i].pub.nr_members; k++)
			if (t->g[i].mem[k].pub.move != PT_MOVE_STAYS_BRIDGE &&
			    !strcmp(t->g[i].mem[k].bdf, bdf))
				return true;
	return false;
}

/* The marks of what passthru.conf will hold after this run's edits: the
 * file as it is, and for a dry run what the run would have added or
 * removed.  -ENOMEM. */
static int expected_marks(struct pt_txn *t, const char *conf, struct pt_strv *marks)
{
	struct pt_conf *c = NULL;
	int ret = 0;

	if (pt_conf_open(conf, &c))
		c = NULL;
	pt_clear_error();
	for (int i = 0; !ret && i < pt_conf_count(c); i++) {
		const struct pt_conf_entry *e = pt_conf_entry(c, i);

		if (!(ptt_dry(t) && *e->bdf && released_here(t, e->bdf)))
			ret = mark_add(marks, e);
	}
	pt_conf_free(c);
	if (ret || !ptt_dry(t) || t->op == PT_TXN_RELEASE)
		return ret ? -ENOMEM : 0;
	for (int i = 0; i < t->nr; i++)
		for (int k = 0; k < t->g[i].pub.nr_members; k++) {
			const struct ptt_member *m = &t->g[i].mem[k];

			if (m->pub.move == PT_MOVE_STAYS_BRIDGE)
				continue;
			if (ptd_strv_addf(marks, "pci-%s", m->bdf))
				return -ENOMEM;
		}
	return 0;
}

int ptt_persist(struct pt_txn *t)
{
	char buf[PATH_MAX];
	const char *conf = conf_path(t, buf, sizeof(buf));
	struct lines mp = { .n = 0 };
	int ret;

	if (!(t->flags & PT_TXN_PERSIST))
		return 0;
	etc_path(t, mp.path, sizeof(mp.path), "etc/modprobe.d/passthru.conf");
	ret = lines_load(&mp);
	if (ret)
		ptt_note(t, PT_NOTE_PERSIST_FAILED, -1, "cannot read %s: %s; its "
			 "softdeps are left as they are", mp.path, strerror(-ret));
	for (int i = 0; i < t->nr; i++) {
		struct ptt_group *g = &t->g[i];

		if (t->op == PT_TXN_RELEASE) {
			unpersist_group(t, g, conf, &mp);
			continue;
		}
		ret = persist_group(t, g, conf, &mp);
		if (ret) {
			lines_free(&mp);
			return ptt_fail(t, PT_TXN_FAILED, ret);
		}
	}
	if (!ptt_dry(t) && mp.changed) {
		ret = lines_save(&mp);
		if (ret)
			ptt_note(t, PT_NOTE_PERSIST_FAILED, -1, "could not write %s: %s",
				 mp.path, strerror(-ret));
	}
	lines_free(&mp);
	{
		struct pt_strv marks = { 0 };

		if (!expected_marks(t, conf, &marks))
			ptt_sync_marks(t, &marks);
		ptd_strv_free(&marks);
	}
	return 0;
}
