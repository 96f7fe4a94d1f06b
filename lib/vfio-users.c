// SPDX-License-Identifier: MIT
/*
 * vfio-users.c — which processes hold a group's VFIO nodes open: its
 * /dev/vfio/N and its members' /dev/vfio/devices/vfioM (a running VM, a
 * test).  Unbinding a member then waits until they let go — the kernel
 * asks the user to release the device and blocks uninterruptibly — and
 * destroying a VF pulls it from under its user; release, recovery and vfs
 * refuse instead (unless forced).
 *
 * Found like fuser(1): the fd links of every ROOT/proc/PID/fd, read as
 * text, never followed (a tree's links point nowhere real).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/disc-priv.h"
#include "lib/txn-priv.h"

#define NODE_LEN 64

/* Does process pid hold one of nodes open?  Its index, or -1. */
static int holds(struct pt_sysfs *fs, const char *pid, char (*nodes)[NODE_LEN],
		 int nn)
{
	char rel[64], link[PATH_MAX];
	struct dirent *f;
	int hit = -1;
	DIR *fds;

	snprintf(rel, sizeof(rel), "proc/%.32s/fd", pid);
	fds = pt_sysfs_opendir(fs, AT_FDCWD, rel);
	if (!fds)
		return -1;	/* gone, or not ours to look at */
	while (hit < 0 && (f = readdir(fds))) {
		if (pt_sysfs_readlink_at(fs, dirfd(fds), f->d_name, link,
					 sizeof(link)) <= 0)
			continue;
		for (int i = 0; i < nn && hit < 0; i++)
			if (!strcmp(link, nodes[i]))
				hit = i;
	}
	closedir(fds);
	return hit;
}

int ptt_vfio_users(struct pt_txn *t, int group, const char *const *bdfs,
		   int nr, struct pt_strv *why)
{
	struct pt_sysfs *fs = pt_ctx_sysfs(t->ctx);
	char nodes[PT_BIND_MAX + 1][NODE_LEN], rel[64], comm[64], cdev[32];
	struct dirent *p;
	int nn = 0, ret = 0;
	DIR *proc;

	snprintf(nodes[nn++], NODE_LEN, "/dev/vfio/%d", group);
	for (int k = 0; k < nr && nn <= PT_BIND_MAX; k++)
		if (!pt_sysfs_vfio_cdev(fs, bdfs[k], cdev, sizeof(cdev)))
			snprintf(nodes[nn++], NODE_LEN, "/dev/vfio/devices/%s", cdev);
	proc = pt_sysfs_opendir(fs, AT_FDCWD, "proc");
	if (!proc)
		return 0;	/* no procfs (a tree without one): nobody to see */
	while (!ret && (p = readdir(proc))) {
		int i;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		i = holds(fs, p->d_name, nodes, nn);
		if (i < 0)
			continue;
		snprintf(rel, sizeof(rel), "proc/%.32s/comm", p->d_name);
		if (pt_sysfs_read_str(fs, rel, comm, sizeof(comm)) < 0)
			comm[0] = '\0';
		if (ptd_strv_addf(why, "%s is open by PID %.20s (%.40s)", nodes[i],
				  p->d_name, *comm ? comm : "?"))
			ret = pt_set_error(ENOMEM, "out of memory");
	}
	closedir(proc);
	return ret;
}
