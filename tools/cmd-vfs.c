// SPDX-License-Identifier: MIT
/*
 * cmd-vfs.c — `passthru vfs DEVICE N`: create N SR-IOV virtual functions on
 * a physical function (sriov_numvfs), so VFs can be assigned one by one.
 *
 * Changing the count destroys every VF the PF has (the kernel goes through
 * 0).  A VF that is in use — on vfio-pci (assigned to a guest or a test),
 * its VFIO group or device node open by a process, or held by the host the
 * way assign's blockers mean (a mounted disk, an address, the default
 * route) — would vanish under its user, so that is refused without
 * --force.  The guard is a few small functions meant to move into lib/
 * with the rest of the assign/release/vfs guard.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/bindcli.h"

#define VF_MAX_REASONS	16
#define VF_REASON_LEN	256

static const struct cli_command *self(void)
{
	return cli_command_find("vfs");
}

/* "PID N (comm)" of the first process with node open, or "" (n bytes). */
static void node_user(struct pt_ctx *ctx, const char *node, char *who, size_t n)
{
	char path[4096], link[4096], comm[64] = "";
	struct dirent *p, *f;
	DIR *proc, *fds;

	who[0] = '\0';
	if (pt_ctx_path(ctx, path, sizeof(path), "proc") < 0 || !(proc = opendir(path)))
		return;
	while (!who[0] && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		if (pt_ctx_path(ctx, path, sizeof(path), "proc/%s/fd", p->d_name) < 0 ||
		    !(fds = opendir(path)))
			continue;
		while (!who[0] && (f = readdir(fds))) {
			ssize_t l;

			if (pt_ctx_path(ctx, path, sizeof(path), "proc/%s/fd/%s", p->d_name,
					f->d_name) < 0)
				continue;
			l = readlink(path, link, sizeof(link) - 1);
			if (l <= 0)
				continue;
			link[l] = '\0';
			if (strcmp(link, node))
				continue;
			if (pt_ctx_path(ctx, path, sizeof(path), "proc/%s/comm", p->d_name) == 0) {
				FILE *c = fopen(path, "r");

				if (c && !fgets(comm, sizeof(comm), c))
					comm[0] = '\0';
				if (c)
					fclose(c);
			}
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(who, n, "PID %.20s (%.40s)", p->d_name, comm[0] ? comm : "?");
		}
		closedir(fds);
	}
	closedir(proc);
}

/* The VF's VFIO nodes a process may hold: its group, its cdev. */
static int vf_nodes(struct pt_ctx *ctx, const struct pt_device *vf, char nodes[][64], int max)
{
	char path[4096];
	struct dirent *f;
	int n = 0;
	DIR *d;

	if (vf->iommu_group >= 0 && n < max)
		snprintf(nodes[n++], 64, "/dev/vfio/%d", vf->iommu_group);
	if (pt_ctx_path(ctx, path, sizeof(path), "sys/bus/pci/devices/%s/vfio-dev",
			vf->bdf) < 0 || !(d = opendir(path)))
		return n;
	while ((f = readdir(d)) && n < max)
		if (!strncmp(f->d_name, "vfio", 4))
			snprintf(nodes[n++], 64, "/dev/vfio/devices/%.40s", f->d_name);
	closedir(d);
	return n;
}

/* Appends to why[] every reason the VF is in use; returns the new count. */
static int vf_in_use(struct pt_ctx *ctx, const struct pt_device *vf,
		     char why[][VF_REASON_LEN], int n)
{
	char nodes[4][64], who[96];
	int nn = vf_nodes(ctx, vf, nodes, 4);

	if (pt_driver_is_vfio(vf->driver) && n < VF_MAX_REASONS)
		snprintf(why[n++], VF_REASON_LEN, "%s is on %s (assigned)", vf->bdf, vf->driver);
	for (int i = 0; i < nn && n < VF_MAX_REASONS; i++) {
		node_user(ctx, nodes[i], who, sizeof(who));
		if (who[0])
			snprintf(why[n++], VF_REASON_LEN, "%s: %s is open by %s", vf->bdf,
				 nodes[i], who);
	}
	for (int i = 0; i < vf->in_use.n && n < VF_MAX_REASONS; i++)
		snprintf(why[n++], VF_REASON_LEN, "%s: %s", vf->bdf, vf->in_use.v[i]);
	return n;
}

/* Every reason destroying pf's VFs would hurt; the count. */
static int vfs_in_use(struct pt_ctx *ctx, const struct pt_system *sys,
		      const struct pt_device *pf, char why[][VF_REASON_LEN])
{
	int n = 0;

	for (int i = 0; i < pf->vfs.n; i++) {
		const struct pt_device *vf = pt_find_device(sys, pf->vfs.v[i]);

		if (vf)
			n = vf_in_use(ctx, vf, why, n);
	}
	return n;
}

static int cmd_vfs_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pt_system *sys;
	const struct pt_device *d;
	char bdf[PT_BDF_LEN];
	struct pt_binder *b = NULL;
	struct pt_ctx *ctx = NULL;
	char why[VF_MAX_REASONS][VF_REASON_LEN];
	bool dry_run = false, force = false;
	unsigned long n;
	int nr_why;
	int c, ret;
	char *end;

	while ((c = getopt_long(argc, argv, "nh", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry_run = true; break;
		case 'f': force = true; break;
		case 'h':
			printf("usage: passthru %s\n", self()->usage);
			return CLI_EXIT_OK;
		default:
			return cli_usage_error(self(), "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(self(), "want DEVICE and a VF count");
	errno = 0;
	n = strtoul(argv[optind + 1], &end, 10);
	if (errno || *end || !*argv[optind + 1] || argv[optind + 1][0] == '-' ||
	    n > 65535)
		return cli_usage_error(self(), "'%s' is not a VF count (0..65535)",
				      argv[optind + 1]);
	if (cli->root && !dry_run)
		return cli_usage_error(self(), "--root %s is a captured tree: only "
				      "--dry-run can run against it", cli->root);
	ret = CLI_EXIT_USAGE;
	if (pt_ctx_new(&ctx, cli->root) || pt_scan(ctx, &sys) ||
	    pt_resolve_device(ctx, argv[optind], &d))
		goto err;
	if (d->sriov_totalvfs < 0) {
		pt_set_error(ENODEV, "%s is not an SR-IOV physical function; fix: "
			     "pick the PF (`passthru list` shows sriov_totalvfs)", d->bdf);
		goto err;
	}
	if (n > (unsigned long)d->sriov_totalvfs) {
		pt_set_error(EINVAL, "%s supports at most %d VFs, not %lu", d->bdf,
			     d->sriov_totalvfs, n);
		goto err;
	}
	/* a new count goes through 0: every current VF is destroyed */
	nr_why = d->sriov_numvfs > 0 && n != (unsigned long)d->sriov_numvfs ?
		 vfs_in_use(ctx, sys, d, why) : 0;
	for (int i = 0; i < nr_why; i++)
		fprintf(stderr, "passthru: %s: VF in use: %s\n", d->bdf, why[i]);
	if (nr_why && !force) {
		ret = CLI_EXIT_FAIL;
		pt_set_error(EBUSY, "%s: changing the VF count from %d destroys every VF, and "
			     "%d reason%s say%s they are in use (%s%s); nothing was changed; "
			     "fix: release the VFs and stop their users (`passthru release "
			     "VF`), or pass --force", d->bdf, d->sriov_numvfs, nr_why,
			     nr_why > 1 ? "s" : "", nr_why > 1 ? "" : "s", why[0],
			     nr_why > 1 ? ", ..." : "");
		goto err;
	}
	if (nr_why)
		fprintf(stderr, "passthru: %s: --force: destroying VFs that are in use\n", d->bdf);
	if (pt_binder_new(&b, cli->root, dry_run ? PT_BINDER_DRY_RUN : 0))
		goto err;
	ret = CLI_EXIT_FAIL;
	if (pt_bind_set_numvfs(b, d->bdf, (unsigned int)n))
		goto err;
	printf("%s: %s%lu VFs (was %d, at most %d)\n", d->bdf,
	       dry_run ? "would set " : "", n, d->sriov_numvfs, d->sriov_totalvfs);
	if (!dry_run && n) {
		const struct pt_system *now;
		const struct pt_device *pf;

		/* list the new VFs so the user can assign them one by one */
		snprintf(bdf, sizeof(bdf), "%s", d->bdf);
		pt_ctx_free(ctx);
		ctx = NULL;
		if (!pt_ctx_new(&ctx, cli->root) && !pt_scan(ctx, &now) &&
		    (pf = pt_find_device(now, bdf)))
			for (int i = 0; i < pf->vfs.n; i++)
				printf("  VF %d: %s\n", i, pf->vfs.v[i]);
	}
	pt_binder_free(b);
	pt_ctx_free(ctx);
	return CLI_EXIT_OK;
err:
	cli_err("%s", pt_last_error());
	pt_binder_free(b);
	pt_ctx_free(ctx);
	return ret;
}

CLI_COMMAND(vfs, cmd_vfs_main, "create N SR-IOV virtual functions on a PF",
	   "vfs DEVICE N [--dry-run] [--force]\n"
	   "Sets sriov_numvfs of the physical function DEVICE to N (through 0 when\n"
	   "it already has VFs); 0 removes them.  The PF must stay on its own driver.\n"
	   "Refused without --force when a VF that would vanish is in use (on\n"
	   "vfio-pci, its VFIO node open, or held by the host).")
