// SPDX-License-Identifier: MIT
/* status.c — see status.h.  Every file is read through the root's
 * confined reader (lib/sysfs.h), so a captured tree is shown as the
 * machine it came from; a missing file is a fact ("not installed"), not an
 * error. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bind-priv.h"
#include "lib/sysfs.h"
#include "tools/status.h"

/* ---- processes holding VFIO nodes --------------------------------------- */

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static int add_holder(struct status *st, pid_t pid, const char *comm,
		      const char *node)
{
	struct st_holder *h;

	h = realloc(st->holders, sizeof(*h) * (size_t)(st->nr_holders + 1));
	if (!h)
		return -ENOMEM;
	st->holders = h;
	h = &st->holders[st->nr_holders++];
	h->pid = pid;
	snprintf(h->comm, sizeof(h->comm), "%.31s", comm);
	snprintf(h->node, sizeof(h->node), "%.63s", node);
	return 0;
}

/* proc/PID/fd/N -> "/dev/vfio/..." for one process; each node once. */
static int scan_process(struct pt_sysfs *fs, struct status *st, const char *pid)
{
	char rel[320], link[PATH_MAX], comm[32] = "?", seen[16][64];
	int nseen = 0, ret = 0;
	struct dirent *de;
	DIR *d;

	snprintf(rel, sizeof(rel), "proc/%s/fd", pid);
	d = pt_sysfs_opendir(fs, AT_FDCWD, rel);
	if (!d) {
		/* another user's process (not root), or it just exited */
		if (errno == EACCES || errno == EPERM)
			st->uninspected++;
		return 0;
	}
	while ((de = readdir(d)) && !ret) {
		bool dup = false;

		if (!all_digits(de->d_name))
			continue;
		snprintf(rel, sizeof(rel), "proc/%s/fd/%s", pid, de->d_name);
		if (pt_sysfs_readlink(fs, rel, link, sizeof(link)) < 0 ||
		    strncmp(link, "/dev/vfio/", 10) || !strcmp(link, "/dev/vfio/vfio"))
			continue;
		for (int i = 0; i < nseen; i++)
			dup |= !strcmp(seen[i], link);
		if (dup || nseen == 16)
			continue;
		snprintf(seen[nseen++], sizeof(seen[0]), "%.63s", link);
		if (!strcmp(comm, "?")) {
			snprintf(rel, sizeof(rel), "proc/%s/comm", pid);
			if (pt_sysfs_read_str(fs, rel, comm, sizeof(comm)) < 0)
				strcpy(comm, "?");
		}
		ret = add_holder(st, (pid_t)atol(pid), comm, link);
	}
	closedir(d);
	return ret;
}

static int scan_holders(struct pt_sysfs *fs, struct status *st)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = pt_sysfs_opendir(fs, AT_FDCWD, "proc");
	if (!d)
		return 0;
	while ((de = readdir(d)) && !ret)
		if (all_digits(de->d_name))
			ret = scan_process(fs, st, de->d_name);
	closedir(d);
	return ret;
}

/* ---- devices on vfio-pci ------------------------------------------------ */

static void link_holders(struct status *st, struct st_device *sd)
{
	for (int i = 0; i < st->nr_holders; i++) {
		const char *n = st->holders[i].node;

		if ((!strcmp(n, sd->group_node) || !strcmp(n, sd->cdev_node)) &&
		    sd->nr_holders < (int)(sizeof(sd->holders) / sizeof(sd->holders[0])))
			sd->holders[sd->nr_holders++] = i;
	}
}

static void fill_device(struct pt_sysfs *fs, struct status *st,
			struct st_device *sd, const struct pt_device *d)
{
	char rel[32], cdev[24];

	sd->dev = d;
	sd->bound = pt_driver_is_vfio(d->driver);
	if (d->iommu_group >= 0) {
		snprintf(rel, sizeof(rel), "dev/vfio/%d", d->iommu_group);
		if (pt_sysfs_exists(fs, rel))
			snprintf(sd->group_node, sizeof(sd->group_node), "/%.30s", rel);
	}
	if (pt_sysfs_vfio_cdev(fs, d->bdf, cdev, sizeof(cdev)) == 0) {
		char node[48];

		snprintf(node, sizeof(node), "dev/vfio/devices/%.23s", cdev);
		if (pt_sysfs_exists(fs, node))
			snprintf(sd->cdev_node, sizeof(sd->cdev_node), "/%.46s", node);
	}
	link_holders(st, sd);
	sd->persisted = pt_conf_match(st->conf, d->bdf, d->vendor_id, d->device_id);
}

static int scan_devices(struct pt_sysfs *fs, const struct pt_system *sys,
			struct status *st)
{
	st->devs = calloc((size_t)sys->nr_devices + 1, sizeof(*st->devs));
	if (!st->devs)
		return -ENOMEM;
	for (int i = 0; i < sys->nr_devices; i++) {
		const struct pt_device *d = sys->devices[i];

		/* on a vfio driver, or reserved for vfio-pci by its override
		 * (the udev rule's work, before passthru.service binds it) */
		if (pt_driver_is_vfio(d->driver) ||
		    !strcmp(d->driver_override, PT_BIND_TARGET))
			fill_device(fs, st, &st->devs[st->nr_devs++], d);
	}
	return 0;
}

/* ---- /etc/passthru.conf ------------------------------------------------- */

static void conf_matches(const struct pt_system *sys, struct status *st)
{
	int nr = pt_conf_count(st->conf);

	if (!nr)
		return;
	st->conf_matches = calloc((size_t)nr, sizeof(*st->conf_matches));
	if (!st->conf_matches) {	/* no entry without its matches */
		pt_conf_free(st->conf);
		st->conf = NULL;
		snprintf(st->conf_error, sizeof(st->conf_error), "out of memory");
		return;
	}
	for (int e = 0; e < nr; e++) {
		const struct pt_conf_entry *ce = pt_conf_entry(st->conf, e);
		char *out = st->conf_matches[e];
		size_t n = sizeof(st->conf_matches[e]), l = 0;
		int more = 0;

		out[0] = '\0';
		for (int i = 0; i < sys->nr_devices; i++) {
			const struct pt_device *d = sys->devices[i];
			if (!pt_conf_entry_matches(ce, d->bdf, d->vendor_id, d->device_id))
				continue;
			if (l + strlen(d->bdf) + 2 < n - 16)
				l += (size_t)snprintf(out + l, n - l, "%s%s", l ? " " : "", d->bdf);
			else
				more++;
		}
		if (more)
			snprintf(out + l, n - l, " (+%d more)", more);
	}
}

static void read_conf(struct pt_sysfs *fs, struct status *st)
{
	char *buf = NULL;
	size_t len = 0;

	if (pt_sysfs_slurp(fs, "etc/passthru.conf", &buf, &len) < 0)
		return;
	st->conf_exists = true;
	if (pt_conf_from_text(buf, len, &st->conf) < 0)
		snprintf(st->conf_error, sizeof(st->conf_error), "%s", pt_last_error());
	free(buf);
}

/* ---- journals ----------------------------------------------------------- */

static void read_journal(struct pt_sysfs *fs, struct st_journal *j, const char *name)
{
	enum pt_journal_state state;
	struct pt_bind_plan *p;
	char rel[PATH_MAX], *buf = NULL;
	size_t len = 0, l = 0;

	snprintf(j->state, sizeof(j->state), "corrupt");
	snprintf(rel, sizeof(rel), "run/passthru/%s", name);
	p = calloc(1, sizeof(*p));
	if (!p || pt_sysfs_slurp(fs, rel, &buf, &len) < 0 ||
	    ptb_journal_parse(buf, len, p, &state) < 0)
		goto out;
	snprintf(j->state, sizeof(j->state), "%s", ptb_journal_state_name(state));
	for (int i = 0; i < p->nr && l < sizeof(j->members) - 1; i++)
		l += (size_t)snprintf(j->members + l, sizeof(j->members) - l, "%s%s%s%s%s",
				      l ? " " : "", p->m[i].bdf,
				      *p->m[i].driver ? " (was " : "", p->m[i].driver,
				      *p->m[i].driver ? ")" : "");
out:
	free(buf);
	free(p);
}

static void read_journals(struct pt_sysfs *fs, struct status *st)
{
	struct dirent *de;
	DIR *d;
	int g;
	char tail;

	d = pt_sysfs_opendir(fs, AT_FDCWD, "run/passthru");
	if (!d)
		return;
	while ((de = readdir(d)) && st->nr_journals < 32) {
		struct st_journal *j;

		if (sscanf(de->d_name, "group-%d.journa%c", &g, &tail) != 2 ||
		    tail != 'l' || g < 0)
			continue;
		j = &st->journals[st->nr_journals++];
		j->group = g;
		read_journal(fs, j, de->d_name);
	}
	closedir(d);
	/* readdir order is the file system's: show them by group */
	for (int i = 1; i < st->nr_journals; i++)
		for (int k = i; k > 0 && st->journals[k - 1].group > st->journals[k].group; k--) {
			struct st_journal t = st->journals[k];

			st->journals[k] = st->journals[k - 1];
			st->journals[k - 1] = t;
		}
}

/* ---- boot-time pieces --------------------------------------------------- */

static void read_softdeps(struct pt_sysfs *fs, struct status *st)
{
	char *buf = NULL, *save = NULL, drv[64];
	size_t l = 0;

	if (pt_sysfs_slurp(fs, "etc/modprobe.d/passthru.conf", &buf, NULL) < 0)
		return;
	st->softdep_exists = true;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char pre[8], mod[64];

		if (sscanf(line, " softdep %63s %7s %63s", drv, pre, mod) == 3 &&
		    !strcmp(pre, "pre:") && !strcmp(mod, "vfio-pci") &&
		    l + strlen(drv) + 2 < sizeof(st->softdeps))
			l += (size_t)snprintf(st->softdeps + l, sizeof(st->softdeps) - l,
					      "%s%s", l ? " " : "", drv);
	}
	free(buf);
}

/* The first of dirs (in the reader's order of precedence) that has name. */
static void find_file(struct pt_sysfs *fs, const char *const *dirs,
		      const char *name, struct st_file *f)
{
	char rel[sizeof(f->path) - 1], link[64];

	for (; *dirs; dirs++) {
		if ((size_t)snprintf(rel, sizeof(rel), "%s/%s", *dirs, name) >= sizeof(rel))
			continue;
		if (pt_sysfs_readlink(fs, rel, link, sizeof(link)) >= 0 &&
		    !strcmp(link, "/dev/null")) {
			f->path[0] = '/';
			strcpy(f->path + 1, rel);
			f->masked = true;
			return;
		}
		if (pt_sysfs_exists(fs, rel)) {
			f->path[0] = '/';
			strcpy(f->path + 1, rel);
			return;
		}
	}
}

/* etc/systemd/system/TARGET.wants/passthru.service: what enables it. */
static void read_enablement(struct pt_sysfs *fs, struct status *st)
{
	char rel[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	size_t l = 0;
	DIR *d;

	d = pt_sysfs_opendir(fs, AT_FDCWD, "etc/systemd/system");
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 6, ".wants"))
			continue;
		snprintf(rel, sizeof(rel), "etc/systemd/system/%s/passthru.service",
			 de->d_name);
		if (pt_sysfs_readlink(fs, rel, target, sizeof(target)) < 0 &&
		    !pt_sysfs_exists(fs, rel))
			continue;
		if (l + n + 2 < sizeof(st->enabled_by))
			l += (size_t)snprintf(st->enabled_by + l, sizeof(st->enabled_by) - l,
					      "%s%.*s", l ? " " : "", (int)(n - 6),
					      de->d_name);
	}
	closedir(d);
}

static void read_boot(struct pt_sysfs *fs, struct status *st)
{
	/* udev: /etc overrides /run overrides the package's /lib, /usr/lib */
	static const char *const rules[] = {
		"etc/udev/rules.d", "run/udev/rules.d", "usr/local/lib/udev/rules.d",
		"usr/lib/udev/rules.d", "lib/udev/rules.d", NULL,
	};
	/* systemd's unit search path, in its order */
	static const char *const units[] = {
		"etc/systemd/system", "run/systemd/system", "usr/local/lib/systemd/system",
		"usr/lib/systemd/system", "lib/systemd/system", NULL,
	};

	read_softdeps(fs, st);
	find_file(fs, rules, "70-passthru-vfio.rules", &st->udev_rule);
	find_file(fs, units, "passthru.service", &st->unit);
	read_enablement(fs, st);
}

int status_gather(struct pt_ctx *ctx, const struct pt_system *sys,
		  struct status *st)
{
	struct pt_sysfs *fs = pt_ctx_sysfs(ctx);
	int ret;

	memset(st, 0, sizeof(*st));
	read_conf(fs, st);
	conf_matches(sys, st);
	ret = scan_holders(fs, st);
	if (!ret)
		ret = scan_devices(fs, sys, st);
	if (ret) {
		errno = -ret;
		return pt_set_error(-ret, "status: %s", strerror(-ret));
	}
	read_journals(fs, st);
	read_boot(fs, st);
	return 0;
}

void status_free(struct status *st)
{
	free(st->devs);
	free(st->holders);
	free(st->conf_matches);
	pt_conf_free(st->conf);
	st->devs = NULL;
	st->holders = NULL;
	st->conf_matches = NULL;
	st->conf = NULL;
}
