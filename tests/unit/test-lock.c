// SPDX-License-Identifier: MIT
/*
 * test-lock.c — the per-group locks (audit item 2): root's alone (0700
 * directory, 0600 files, tightened when an older run left them open, never
 * reached through a symlink), and a wait that ends after its bound with a
 * refusal naming the holder's PID as /proc/locks records it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/bind-priv.h"
#include "tests/unit/bind-sim.h"

static char root[64];
static struct pt_binder *B;

static void setup(void)
{
	binder_root(root, sizeof(root), "lock", &B);
}

static void teardown(void)
{
	binder_root_free(root, B);
}

TestSuite(lock, .init = setup, .fini = teardown, .timeout = 20);

static mode_t mode_of(const char *rel)
{
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert_eq(lstat(path, &st), 0, "%s: %s", path, strerror(errno));
	return st.st_mode & 07777;
}

Test(lock, a_second_holder_is_excluded)
{
	char want[256];
	int a, b2;

	a = ptb_lock_group(B, 5, 0);
	cr_assert_geq(a, 0, "%s", pt_last_error());
	cr_assert_eq(ptb_lock_group(B, 5, 0), -EWOULDBLOCK);
	/* this process holds it: /proc/locks names us */
	snprintf(want, sizeof(want), "group 5 is locked by PID %d (", getpid());
	cr_assert(!strncmp(pt_last_error(), want, strlen(want)), "%s", pt_last_error());
	b2 = ptb_lock_group(B, 6, 0);	/* other groups are free */
	cr_assert_geq(b2, 0);
	ptb_unlock_group(a);
	a = ptb_lock_group(B, 5, 0);
	cr_assert_geq(a, 0);
	ptb_unlock_group(a);
	ptb_unlock_group(b2);
}

Test(lock, files_are_private)
{
	int fd = ptb_lock_group(B, 7, 0);

	cr_assert_geq(fd, 0, "%s", pt_last_error());
	cr_assert_eq(mode_of("run/passthru"), 0700, "%o", mode_of("run/passthru"));
	cr_assert_eq(mode_of("run/passthru/group-7.lock"), 0600, "%o",
		     mode_of("run/passthru/group-7.lock"));
	ptb_unlock_group(fd);
}

/* What an older run left (0755 directory, 0644 lock) is tightened. */
Test(lock, lax_modes_left_behind_are_tightened)
{
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/run/passthru", root);
	cr_assert_eq(mkdir(path, 0755), 0);
	chmod(path, 0755);
	snprintf(path, sizeof(path), "%s/run/passthru/group-7.lock", root);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	fchmod(fd, 0644);
	close(fd);
	fd = ptb_lock_group(B, 7, 0);
	cr_assert_geq(fd, 0, "%s", pt_last_error());
	cr_assert_eq(mode_of("run/passthru"), 0700);
	cr_assert_eq(mode_of("run/passthru/group-7.lock"), 0600);
	ptb_unlock_group(fd);
}

/* A lock file that is a symlink is never followed (its target untouched). */
Test(lock, symlinked_lock_is_refused)
{
	char path[160], target[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/run/passthru", root);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(target, sizeof(target), "%s/elsewhere", root);
	snprintf(path, sizeof(path), "%s/run/passthru/group-7.lock", root);
	cr_assert_eq(symlink(target, path), 0);
	cr_assert_eq(ptb_lock_group(B, 7, 0), -ELOOP);
	cr_assert(strstr(pt_last_error(), "group 7: cannot open its lock "),
		  "%s", pt_last_error());
	cr_assert(strstr(pt_last_error(), "(a symlink, never followed); fix: remove it"),
		  "%s", pt_last_error());
	cr_assert_eq(stat(target, &st), -1, "the symlink's target was created");
}

/* The run directory itself may not be a symlink either. */
Test(lock, symlinked_run_directory_is_refused)
{
	char path[160], target[160];

	snprintf(target, sizeof(target), "%s/elsewhere", root);
	cr_assert_eq(mkdir(target, 0777), 0);
	cr_assert_eq(chmod(target, 0777), 0);
	snprintf(path, sizeof(path), "%s/run/passthru", root);
	cr_assert_eq(symlink(target, path), 0);
	cr_assert(ptb_lock_group(B, 7, 0) < 0);
	cr_assert(strstr(pt_last_error(), "(it must be a directory, not a symlink)"),
		  "%s", pt_last_error());
	cr_assert_eq(mode_of("elsewhere"), 0777, "the symlink's target was changed");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Another process holds the lock and never lets go: the wait ends after
 * its bound and names that process. */
Test(lock, bounded_wait_names_the_holder)
{
	char path[160], want[256], c;
	long long t0, waited;
	int p[2], fd;
	pid_t pid;

	fd = ptb_lock_group(B, 9, 0);	/* creates it (0600) */
	cr_assert_geq(fd, 0);
	ptb_unlock_group(fd);
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlives the test */
		snprintf(path, sizeof(path), "%s/run/passthru/group-9.lock", root);
		fd = open(path, O_RDONLY);
		if (fd < 0 || flock(fd, LOCK_EX))
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &c, 1), 1, "the holder did not lock");
	t0 = now_ms();
	cr_assert_eq(ptb_lock_group(B, 9, 300), -EWOULDBLOCK);
	waited = now_ms() - t0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	snprintf(want, sizeof(want), "group 9 is locked by PID %d (test-lock, "
		 "uid %u): its lock %s/run/passthru/group-9.lock was still held "
		 "after 300 ms; fix: wait for that run to finish, or stop it "
		 "(`kill PID`)", (int)pid, (unsigned int)getuid(), root);
	cr_assert_str_eq(pt_last_error(), want);
	cr_assert_geq(waited, 300);
	/* and the holder gone, the lock is free at once */
	fd = ptb_lock_group(B, 9, 300);
	cr_assert_geq(fd, 0, "%s", pt_last_error());
	ptb_unlock_group(fd);
}
