// SPDX-License-Identifier: MIT
/*
 * lock.c — one lock per IOMMU group, so two `passthru assign/release` runs
 * on the same group cannot interleave their sysfs writes.
 *
 * flock(2) on ROOT/run/passthru/group-N.lock: the kernel drops it when the
 * holder exits or crashes, so a dead run never leaves the group locked (its
 * journal says what to undo).  The lock file is never deleted: unlinking a
 * lock file lets a third process lock a fresh inode while the second still
 * holds the old one.  Callers lock groups in ascending order (no deadlock
 * between runs that touch several groups) and re-read the group's state
 * after locking.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bind-priv.h"

int pt_bind_lock_group(struct pt_binder *b, int group, bool wait)
{
	char path[PATH_MAX];
	int fd, ret;

	ret = pt_sysfs_path(&b->fs, path, sizeof(path), "run/passthru");
	if (ret)
		return ret;
	if (mkdir(path, 0755) && errno != EEXIST)
		return pt_set_error(errno, "cannot create %s: %s; fix: run as root",
				    path, strerror(errno));
	ret = pt_sysfs_path(&b->fs, path, sizeof(path), "run/passthru/group-%d.lock", group);
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return pt_set_error(errno, "group %d: cannot open its lock %s: %s; "
				    "fix: run as root", group, path, strerror(errno));
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB))) {
		ret = -errno;
		if (ret == -EINTR)
			continue;
		close(fd);
		if (ret == -EWOULDBLOCK)
			return pt_set_error(EWOULDBLOCK, "group %d is locked by another "
					    "passthru run (%s)", group, path);
		return pt_set_error(-ret, "group %d: flock %s: %s", group, path,
				    strerror(-ret));
	}
	return fd;
}

void pt_bind_unlock_group(int fd)
{
	if (fd >= 0)
		close(fd);	/* closing the only fd drops the flock */
}
