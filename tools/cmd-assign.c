// SPDX-License-Identifier: MIT
/*
 * cmd-assign.c — `passthru assign`: move whole IOMMU groups to vfio-pci,
 * safely (blockers refuse), transactionally (journal + rollback), and
 * optionally for good (--persist, --from-config at boot).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/sysfs.h"
#include "tools/bindcli.h"
#include "tools/emit.h"

static const struct cli_command *self(void)
{
	return cli_command_find("assign");
}

static int parse_owner(const char *user, const char *group, uid_t *uid, gid_t *gid)
{
	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (user && *user) {
		struct passwd *pw = getpwnam(user);

		if (!pw)
			return cli_usage_error(self(), "unknown user '%s'", user);
		*uid = pw->pw_uid;
	}
	if (group && *group) {
		struct group *gr = getgrnam(group);

		if (!gr)
			return cli_usage_error(self(), "unknown group '%s'", group);
		*gid = gr->gr_gid;
	}
	return CLI_EXIT_OK;
}

/* Adds LINE to FILE unless it is there (for the modprobe.d softdeps). */
static int ensure_line(const char *path, const char *line)
{
	char buf[512];
	FILE *f = fopen(path, "r");

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
	f = fopen(path, "a");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", line);
	return fclose(f) ? -errno : 0;
}

static int persist(struct bc_run *r, struct bc_group *bg)
{
	char conf[4096], mp[4096], opts[80] = "", line[160];

	bc_etc_path(r, conf, sizeof(conf), "etc/passthru.conf");
	bc_etc_path(r, mp, sizeof(mp), "etc/modprobe.d/passthru.conf");
	if (r->user)
		snprintf(opts, sizeof(opts), "user=%s", r->user);
	if (r->group)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%sgroup=%s",
			 *opts ? " " : "", r->group);
	for (int k = 0; k < bg->plan.nr; k++) {
		const struct pt_bind_member *m = &bg->plan.m[k];

		if (m->action == PT_BIND_BRIDGE)
			continue;
		if (r->dry_run) {
			bc_note(r, "--persist would add %s to %s", m->bdf, conf);
			continue;
		}
		if (pt_conf_add(conf, m->bdf, opts)) {
			cli_err("%s", pt_last_error());
			return -1;
		}
		bc_note(r, "%s persisted in %s", m->bdf, conf);
		/* load vfio-pci before the native driver, so that the override
		 * udev set on "add" finds vfio-pci ready to bind */
		if (*bg->now[k] && !pt_driver_is_vfio(bg->now[k])) {
			snprintf(line, sizeof(line), "softdep %s pre: vfio-pci", bg->now[k]);
			if (ensure_line(mp, line))
				bc_note(r, "could not add '%s' to %s: %s", line, mp,
					strerror(errno));
		}
	}
	return 0;
}

/* `assign --udev-match BDF`: called by the udev rule on every PCI "add";
 * exit 0 when passthru.conf lists the device (udev then writes
 * driver_override), 1 otherwise.  Reads two sysfs files, never scans. */
static int udev_match(struct cli *cli, const char *conf_path, const char *bdf)
{
	char rel[64], v[16] = "", d[16] = "", etc[4096];
	struct pt_conf c;
	const char *root = cli->root && strcmp(cli->root, "/") ? cli->root : "";
	struct pt_sysfs fs;
	int ret;

	/* udev passes the kernel's name; anything else is bad input */
	if (strlen(bdf) != 12 || strspn(bdf, "0123456789abcdef:.") != 12 ||
	    bdf[4] != ':' || bdf[7] != ':' || bdf[10] != '.') {
		cli_err("--udev-match wants a full PCI address (0000:01:00.0), not '%s'", bdf);
		return CLI_EXIT_USAGE;
	}
	snprintf(etc, sizeof(etc), "%s/etc/passthru.conf", root);
	ret = pt_conf_load(conf_path ? conf_path : etc, &c);
	if (ret == -ENOENT)
		return CLI_EXIT_FAIL;
	if (ret) {
		cli_err("%s", pt_last_error());
		return CLI_EXIT_USAGE;
	}
	if (pt_sysfs_init(&fs, root)) {
		cli_err("%s", pt_last_error());
		return CLI_EXIT_USAGE;
	}
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/vendor", bdf);
	pt_sysfs_read_str(&fs, rel, v, sizeof(v));
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/device", bdf);
	pt_sysfs_read_str(&fs, rel, d, sizeof(d));
	pt_sysfs_fini(&fs);
	return pt_conf_match(&c, bdf, (unsigned int)strtoul(v, NULL, 16),
			     (unsigned int)strtoul(d, NULL, 16)) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

struct owner {
	int group;
	const struct pt_conf_entry *e;
};

static int add_from_config(struct bc_run *r, const char *conf_path,
			   struct pt_conf *c, struct owner *own, int *nown)
{
	char etc[4096];
	int ret;

	bc_etc_path(r, etc, sizeof(etc), "etc/passthru.conf");
	ret = pt_conf_load(conf_path ? conf_path : etc, c);
	if (ret == -ENOENT) {
		bc_note(r, "%s does not exist: nothing to assign",
			conf_path ? conf_path : etc);
		return CLI_EXIT_OK;
	}
	if (ret) {
		cli_err("%s", pt_last_error());
		return CLI_EXIT_USAGE;
	}
	for (int i = 0; i < c->nr; i++) {
		bool found = false;

		for (int k = 0; k < r->sys->nr_devices; k++) {
			const struct pt_device *d = &r->sys->devices[k];

			if (pt_conf_match(c, d->bdf, d->vendor_id, d->device_id) != &c->e[i])
				continue;
			found = true;
			if (!d->group) {
				bc_note(r, "passthru.conf line %d: %s has no IOMMU group; "
					"skipped", c->e[i].line, d->bdf);
				continue;
			}
			bc_add_group(r, d->group->id);
			if (*nown < BC_MAX_GROUPS)
				own[(*nown)++] = (struct owner){ d->group->id, &c->e[i] };
			if (c->e[i].force)
				r->force = true;	/* the admin said so, per device */
		}
		if (!found)
			bc_note(r, "passthru.conf line %d: no such device (%s%s); skipped",
				c->e[i].line, c->e[i].bdf, *c->e[i].bdf ? "" : "ids");
	}
	return CLI_EXIT_OK;
}

/* --emit FORMAT: the assigned groups for the consumer, from a fresh scan
 * (one member BDF stands for its whole group). */
static int emit_assigned(struct bc_run *r, const char *format)
{
	char *bdfs[BC_MAX_GROUPS];
	struct emit_request rq = { .format = format, .devices = bdfs };

	emit_opts_init(&rq.opts);
	for (int i = 0; i < r->nr; i++)
		for (int k = 0; k < r->g[i].plan.nr; k++)
			if (r->g[i].plan.m[k].action != PT_BIND_BRIDGE) {
				bdfs[rq.nr_devices++] = r->g[i].plan.m[k].bdf;
				break;
			}
	return emit_run(r->cli, &rq);
}

/* With --emit, stdout carries only the emitted text: the table goes to
 * stderr. */
static void report_to_stderr(struct bc_run *r)
{
	int fd;

	fflush(stdout);
	fd = dup(STDOUT_FILENO);
	dup2(STDERR_FILENO, STDOUT_FILENO);
	bc_report(r);
	fflush(stdout);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
}

/* Undo the groups this run already assigned (a later group failed). */
static void undo_earlier(struct bc_run *r, int upto)
{
	for (int i = upto - 1; i >= 0; i--) {
		struct bc_group *bg = &r->g[i];
		struct pt_bind_plan j;
		enum pt_journal_state st;

		if (!pt_bind_plan_count(&bg->plan, PT_BIND_REBIND))
			continue;
		if (pt_journal_read(r->binder, bg->plan.group, &j, &st) ||
		    pt_bind_release(r->binder, &j)) {
			bc_note(r, "group %d: undoing it failed: %s", bg->plan.group,
				pt_last_error());
			r->status = "failed";
			continue;
		}
		for (int k = 0; k < bg->plan.nr; k++)
			if (bg->plan.m[k].result == PT_BIND_DONE)
				bg->plan.m[k].result = PT_BIND_ROLLED_BACK;
	}
}

static int cmd_assign_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "persist", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "user", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "from-config", no_argument, NULL, 'C' },
		{ "config", required_argument, NULL, 'c' },
		{ "udev-match", required_argument, NULL, 'U' },
		{ "emit", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bc_run *r;
	struct pt_conf *conf = NULL;
	struct owner own[BC_MAX_GROUPS];
	const char *conf_path = NULL, *match = NULL, *emit = NULL;
	bool from_config = false;
	int c, ret, nown = 0;
	uid_t uid;
	gid_t gid;

	r = calloc(1, sizeof(*r));
	if (!r)
		return CLI_EXIT_FAIL;
	r->cmd = "assign";
	r->cli = cli;
	while ((c = getopt_long(argc, argv, "nfjh", opts, NULL)) != -1) {
		switch (c) {
		case 'u': r->user = optarg; break;
		case 'g': r->group = optarg; break;
		case 'C': from_config = true; break;
		case 'c': conf_path = optarg; break;
		case 'U': match = optarg; break;
		case 'E': emit = optarg; break;
		default:
			ret = bc_option(r, self(), c, optarg);
			if (ret != BC_OPT_NEXT) {
				free(r);
				return ret;
			}
		}
	}
	argc -= optind;
	argv += optind;
	ret = CLI_EXIT_USAGE;
	if (match) {
		ret = udev_match(cli, conf_path, match);
		goto out_free;
	}
	if (from_config == (argc > 0)) {
		cli_usage_error(self(), from_config ? "--from-config takes no DEVICE" :
			       "no DEVICE given");
		goto out_free;
	}
	if (emit && !emit_format_find(emit)) {
		cli_usage_error(self(), "--emit: unknown format '%s' (see `passthru "
				"help emit`)", emit);
		goto out_free;
	}
	if (emit && r->json) {
		cli_usage_error(self(), "--emit and --json exclude each other");
		goto out_free;
	}
	if (bc_check_root(r, self()))
		goto out_free;
	if (parse_owner(r->user, r->group, &uid, &gid))
		goto out_free;

	ret = bc_open(r);
	if (ret)
		goto out;
	bc_recover_interrupted(r, false, false);
	if (from_config) {
		conf = calloc(1, sizeof(*conf));
		ret = conf ? add_from_config(r, conf_path, conf, own, &nown) : CLI_EXIT_FAIL;
	} else {
		ret = bc_add_devices(r, self(), argv, argc);
	}
	if (!ret)
		ret = bc_lock_and_plan(r);
	if (ret)
		goto out;

	ret = bc_refuse_blocked(r, "blocked", "stop using it (unmount, swapoff, "
				"`ip link set IFACE down`, move the console) or "
				"pass --force");
	if (ret)
		goto print;
	for (int i = 0; i < r->nr; i++) {
		struct bc_group *bg = &r->g[i];

		int e = pt_bind_assign(r->binder, &bg->plan);

		if (e) {
			snprintf(r->error, sizeof(r->error), "%s", pt_last_error());
			r->status = e == -ENOTRECOVERABLE ? "failed" : "rolled-back";
			undo_earlier(r, i);
			ret = CLI_EXIT_FAIL;
			goto print;
		}
	}
	for (int i = 0; i < r->nr; i++) {
		struct bc_group *bg = &r->g[i];
		uid_t u = uid;
		gid_t g = gid;

		for (int k = 0; k < nown; k++) {
			struct passwd *pw;
			struct group *gr;

			if (own[k].group != bg->plan.group)
				continue;
			if (*own[k].e->user && (pw = getpwnam(own[k].e->user)))
				u = pw->pw_uid;
			if (*own[k].e->group && (gr = getgrnam(own[k].e->group)))
				g = gr->gr_gid;
		}
		if ((u != (uid_t)-1 || g != (gid_t)-1) &&
		    pt_bind_chown(r->binder, &bg->plan, u, g))
			bc_note(r, "%s", pt_last_error());
		if (r->persist && persist(r, bg)) {
			ret = CLI_EXIT_FAIL;
			goto print;
		}
	}
	ret = CLI_EXIT_OK;
print:
	if (emit)
		report_to_stderr(r);
	else
		bc_report(r);
	if (emit && ret == CLI_EXIT_OK)
		ret = emit_assigned(r, emit);
out:
	bc_close(r);
out_free:
	free(conf);
	free(r);
	return ret;
}

CLI_COMMAND(assign, cmd_assign_main,
	   "move devices' IOMMU groups to vfio-pci (planned, journaled, reversible)",
	   "assign DEVICE... [--dry-run] [--force] [--persist] [--json]\n"
	   "                       [--user NAME] [--group NAME] [--timeout MS] [--emit FORMAT]\n"
	   "       passthru assign --from-config [--config FILE] [--dry-run] [--json]\n"
	   "       passthru assign --udev-match BDF [--config FILE]\n"
	   "DEVICE: 0000:01:00.0, 01:00.0, vendor:device (8086:10d3) or an interface name.\n"
	   "Every endpoint of the device's IOMMU group moves to vfio-pci; bridges stay.\n"
	   "A group whose member holds a mounted filesystem, swap, an address or the\n"
	   "default route, or the console is refused unless --force.\n"
	   "--emit FORMAT: then print the groups for QEMU, libvirt, ... (`passthru help\n"
	   "emit`); the table goes to stderr.\n"
	   "Exit: 0 done, 1 refused or failed (and rolled back), 2 bad input.")
