// SPDX-License-Identifier: MIT
/*
 * lock.c — one lock per IOMMU group, so two runs on the same group cannot
 * interleave their sysfs writes.
 *
 * flock(2) on ROOT/run/passthru/group-N.lock: the kernel drops it when the
 * holder exits or crashes, so a dead run never leaves the group locked (its
 * journal says what to undo).  The lock file is never deleted: unlinking a
 * lock file lets a third process lock a fresh inode while the second still
 * holds the old one.  Callers lock groups in ascending order (no deadlock
 * between runs that touch several groups) and re-read the group's state
 * after locking.
 *
 * Who may hold it: only root.  The directory is 0700 and the files 0600
 * (both tightened when an older run left them 0755/0644), and both are
 * opened without following a symlink, so an unprivileged user can neither
 * open a lock file to flock it nor point one somewhere else.  A holder
 * that opened a lock file before its mode was tightened, or a stuck root
 * process, still cannot stall a run forever: the wait is bounded, and the
 * refusal names the holder as the kernel records it in /proc/locks (the
 * PID that took the lock, its command and uid).  A PID written into the
 * file would only ever name passthru runs — never the process that holds
 * the lock without having written anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "lib/bind-priv.h"

/* The longest pause between two tries while waiting for a lock. */
#define LOCK_POLL_MAX_MS 100

/* Makes an fd's file owned by us and not open to group or others. */
static int tighten(int fd, mode_t want, const char *path)
{
	struct stat st;

	if (fstat(fd, &st))
		return pt_set_error(errno, "%s: %s", path, strerror(errno));
	if (st.st_uid != geteuid())
		return pt_set_error(EPERM, "%s is owned by uid %u, not by this "
				    "process (uid %u); fix: remove it", path,
				    (unsigned int)st.st_uid, (unsigned int)geteuid());
	if ((st.st_mode & 07777) != want && fchmod(fd, want))
		return pt_set_error(errno, "cannot make %s private (%04o): %s",
				    path, (unsigned int)want, strerror(errno));
	return 0;
}

int ptb_run_dir(struct pt_binder *b)
{
	char path[PATH_MAX];
	int fd, ret;

	ret = pt_sysfs_path(&b->fs, path, sizeof(path), "run/passthru");
	if (ret)
		return ret;
	if (mkdir(path, 0700) && errno != EEXIST)
		return pt_set_error(errno, "cannot create %s: %s; fix: run as root "
				    "with /run writable", path, strerror(errno));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return pt_set_error(errno, "cannot open %s: %s%s", path,
				    strerror(errno), errno == ENOTDIR || errno == ELOOP ?
				    " (it must be a directory, not a symlink); fix: "
				    "remove it" : "; fix: run as root");
	ret = tighten(fd, 0700, path);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);	/* a signal only ends this pause early */
}

/*
 * The PID holding a flock on the file (dev, ino), from /proc/locks:
 *	"1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"
 * (waiters are "1: -> FLOCK ..." and are skipped).  0 when the kernel shows
 * none we can see (a holder in another PID namespace shows as 0 too).
 */
static int lock_holder(dev_t dev, ino_t ino)
{
	char line[256], type[16], dir[8];
	unsigned int maj, min;
	unsigned long long i;
	int pid, found = 0;
	FILE *f = fopen("/proc/locks", "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *p = strchr(line, ':');

		if (!p || strstr(line, "->"))
			continue;
		if (sscanf(p + 1, " %15s %*s %7s %d %x:%x:%llu", type, dir, &pid, &maj,
			   &min, &i) != 6 || strcmp(type, "FLOCK"))
			continue;
		if (i == (unsigned long long)ino && maj == major(dev) && min == minor(dev))
			found = pid;
	}
	fclose(f);
	return found > 0 ? found : 0;
}

/* "PID 1234 (sleep, uid 1000)" or "a process this one cannot see". */
static void describe_holder(int pid, char *buf, size_t n)
{
	char path[64], comm[64] = "", line[128];
	unsigned int uid = ~0u;
	FILE *f;

	if (!pid) {
		snprintf(buf, n, "a process this one cannot see (another PID "
			 "namespace?)");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((f = fopen(path, "re"))) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Uid: %u", &uid) == 1)
				break;
		fclose(f);
	}
	if (uid == ~0u)
		snprintf(buf, n, "PID %d (%.40s)", pid, *comm ? comm : "?");
	else
		snprintf(buf, n, "PID %d (%.40s, uid %u)", pid, *comm ? comm : "?", uid);
}

static int lock_busy(struct pt_binder *b, int group, int fd, const char *path,
		     int timeout_ms)
{
	char who[128];
	struct stat st;

	describe_holder(fstat(fd, &st) ? 0 : lock_holder(st.st_dev, st.st_ino),
			who, sizeof(who));
	return pt_set_error(EWOULDBLOCK, "group %d is locked by %s: its lock %s "
			    "was still held after %d ms; fix: wait for that run "
			    "to finish, or stop it (`kill PID`)", group, who,
			    path, timeout_ms);
}

/* Tries until the deadline, each pause twice the last up to 100 ms: a
 * blocking flock could not be given up on, and no event says "unlocked". */
static int lock_wait(struct pt_binder *b, int group, int fd, const char *path,
		     int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int pause = 1;
	bool told = false;

	for (;;) {
		long long left;

		if (!flock(fd, LOCK_EX | LOCK_NB))
			return 0;
		if (b->cancel && *b->cancel)
			return pt_set_error(ECANCELED, "group %d: interrupted while "
					    "waiting for its lock; nothing was changed",
					    group);
		if (errno != EWOULDBLOCK && errno != EINTR)
			return pt_set_error(errno, "group %d: flock %s: %s", group,
					    path, strerror(errno));
		left = deadline - now_ms();
		if (left <= 0)
			return lock_busy(b, group, fd, path, timeout_ms);
		if (!told) {
			ptb_notice(b, "waiting for group %d: another passthru run "
				   "holds its lock (at most %d ms)", group, timeout_ms);
			told = true;
		}
		sleep_ms(pause < left ? pause : (int)left);
		pause = pause * 2 > LOCK_POLL_MAX_MS ? LOCK_POLL_MAX_MS : pause * 2;
	}
}

int ptb_lock_group(struct pt_binder *b, int group, int timeout_ms)
{
	char name[32], path[PATH_MAX];
	int dfd, fd, ret;

	dfd = ptb_run_dir(b);
	if (dfd < 0)
		return dfd;
	snprintf(name, sizeof(name), "group-%d.lock", group);
	pt_sysfs_path(&b->fs, path, sizeof(path), "run/passthru/%s", name);
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	ret = fd < 0 ? -errno : 0;
	close(dfd);
	if (ret)
		return pt_set_error(-ret, "group %d: cannot open its lock %s: %s%s",
				    group, path, strerror(-ret), ret == -ELOOP ?
				    " (a symlink, never followed); fix: remove it" :
				    "; fix: run as root");
	ret = tighten(fd, 0600, path);
	if (!ret)
		ret = lock_wait(b, group, fd, path, timeout_ms > 0 ? timeout_ms : 0);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

void ptb_unlock_group(int fd)
{
	if (fd >= 0)
		close(fd);	/* closing the only fd drops the flock */
}
