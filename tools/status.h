/* SPDX-License-Identifier: MIT */
/*
 * status.h — the facts `passthru status` shows, gathered read-only under
 * the context's root (the live system or a captured tree): what is on
 * vfio-pci and which processes hold its /dev/vfio nodes, what
 * /etc/passthru.conf persists, the journals in /run/passthru, and the
 * boot-time pieces (modprobe softdeps, udev rule, systemd unit and whether
 * it is enabled — read from the file system, never from systemctl).
 */
#ifndef PASSTHRU_TOOLS_STATUS_H
#define PASSTHRU_TOOLS_STATUS_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/passthru.h"

/* A process with a VFIO node open (proc/PID/fd/N -> /dev/vfio/...). */
struct st_holder {
	pid_t pid;
	char comm[32];		/* proc/PID/comm */
	char node[64];		/* "/dev/vfio/5", "/dev/vfio/devices/vfio0" */
};

struct st_device {
	const struct pt_device *dev;
	bool bound;		/* on vfio-pci (or a variant); else only its
				 * driver_override says vfio-pci */
	char group_node[32];	/* "/dev/vfio/5", "" when absent */
	char cdev_node[48];	/* "/dev/vfio/devices/vfio0", "" */
	int holders[8];		/* indexes into st->holders */
	int nr_holders;
	const struct pt_conf_entry *persisted;	/* NULL: not in passthru.conf */
};

struct st_journal {
	int group;
	char state[16];		/* "applying", "applied", "releasing", "corrupt" */
	char members[256];	/* "0000:01:00.0 (was e1000e) ..." */
};

/* A file of the boot-time set-up: where it is (the first place its reader
 * looks that has it), or "" when it is nowhere. */
struct st_file {
	char path[128];		/* "/etc/udev/rules.d/70-passthru-vfio.rules" */
	bool masked;		/* a symlink to /dev/null */
};

struct status {
	struct st_device *devs;
	int nr_devs;
	struct st_holder *holders;
	int nr_holders;
	int uninspected;	/* processes whose fds could not be read */

	bool conf_exists;
	char conf_error[512];	/* "" when it parsed */
	struct pt_conf *conf;		/* NULL: absent or unreadable */
	char (*conf_matches)[160];	/* per entry: the present devices */

	struct st_journal journals[32];
	int nr_journals;

	bool softdep_exists;
	char softdeps[256];	/* "e1000e nouveau": drivers vfio-pci precedes */
	struct st_file udev_rule, unit;
	char enabled_by[256];	/* "sysinit.target" ...; "" not enabled */
};

/* 0, or the exit status of a failure already reported (bad tree). */
int status_gather(struct pt_ctx *ctx, const struct pt_system *sys,
		  struct status *st);
void status_free(struct status *st);

#endif
