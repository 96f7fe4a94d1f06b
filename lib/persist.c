// SPDX-License-Identifier: MIT
/*
 * persist.c — PT_TXN_PERSIST: what an assign or release also records for
 * the next boot, like driverctl's persisted overrides.
 *
 * assign: a line per endpoint in passthru.conf (with the run's user= and
 * group=), and for each native driver a modprobe.d softdep that loads
 * vfio-pci first, so the override udev sets on "add" finds vfio-pci ready;
 * release: the lines go (an ids line that would bring a device back at the
 * next boot is pointed out).
 *
 * The names are checked before anything changes (ptt_persist_check): a
 * name passthru.conf cannot hold would make the file unreadable, and with
 * it every `--udev-match` and passthru.service at boot.
 */
#include <errno.h>
#include <stdio.h>
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
					    bad, PT_CONF_NAME_LEN);
	}
	return 0;
}

/* Adds line to the file at path unless it is there (the softdeps). */
static int ensure_line(const char *path, const char *line)
{
	char buf[512];
	FILE *f = fopen(path, "re");

	if (f) {
		while (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = '\0';
			if (!strcmp(buf, line)) {
				fclose(f);
				return 0;
			}
		}
		fclose(f);
	}
	f = fopen(path, "ae");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", line);
	return fclose(f) ? -errno : 0;
}

static int persist_group(struct pt_txn *t, struct ptt_group *g, const char *conf)
{
	char mp[PATH_MAX], opts[2 * PT_CONF_NAME_LEN + 16] = "", line[160];
	int ret;

	etc_path(t, mp, sizeof(mp), "etc/modprobe.d/passthru.conf");
	if (g->user)
		snprintf(opts, sizeof(opts), "user=%s", g->user);
	if (g->group)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%sgroup=%s",
			 *opts ? " " : "", g->group);
	for (int k = 0; k < g->pub.nr_members; k++) {
		const struct pt_txn_member *m = &g->mem[k];

		if (m->move == PT_MOVE_STAYS_BRIDGE)
			continue;
		if (ptt_dry(t)) {
			ptt_note(t, PT_NOTE_PERSIST, g->pub.id, "--persist would add %s "
				 "to %s", m->bdf, conf);
			continue;
		}
		ret = pt_conf_add(conf, m->bdf, opts);
		if (ret)
			return ret;
		ptt_note(t, PT_NOTE_PERSIST, g->pub.id, "%s persisted in %s", m->bdf, conf);
		if (!*m->driver || pt_driver_is_vfio(m->driver))
			continue;
		snprintf(line, sizeof(line), "softdep %s pre: vfio-pci", m->driver);
		ret = ensure_line(mp, line);
		if (ret)
			ptt_note(t, PT_NOTE_PERSIST_FAILED, g->pub.id, "could not add '%s' "
				 "to %s: %s", line, mp, strerror(-ret));
	}
	return 0;
}

static void unpersist_group(struct pt_txn *t, struct ptt_group *g, const char *conf)
{
	struct pt_conf *c = malloc(sizeof(*c));

	for (int k = 0; k < g->pub.nr_members; k++) {
		const char *bdf = g->mem[k].bdf;
		const struct pt_device *d;
		int n;

		if (g->mem[k].move == PT_MOVE_STAYS_BRIDGE)
			continue;
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
		/* an ids line would bring it back at the next boot: say so */
		d = pt_find_device(t->sys, bdf);
		if (c && d && !pt_conf_load(conf, c)) {
			const struct pt_conf_entry *e =
				pt_conf_match(c, bdf, d->vendor_id, d->device_id);

			if (e)
				ptt_note(t, PT_NOTE_PERSIST, g->pub.id, "%s is still listed "
					 "by ids on line %d of %s; edit that line to "
					 "stop assigning it at boot", bdf, e->line, conf);
		}
	}
	free(c);
	pt_clear_error();
}

int ptt_persist(struct pt_txn *t)
{
	char buf[PATH_MAX];
	const char *conf = conf_path(t, buf, sizeof(buf));
	int ret;

	if (!(t->flags & PT_TXN_PERSIST))
		return 0;
	for (int i = 0; i < t->nr; i++) {
		struct ptt_group *g = &t->g[i];

		if (t->op == PT_TXN_RELEASE) {
			unpersist_group(t, g, conf);
			continue;
		}
		ret = persist_group(t, g, conf);
		if (ret)
			return ptt_fail(t, PT_TXN_FAILED, ret);
	}
	return 0;
}
