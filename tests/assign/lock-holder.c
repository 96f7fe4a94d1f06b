// SPDX-License-Identifier: MIT
/*
 * lock-holder UID PATH [--try] — for the lab case assign-lock: an
 * unprivileged process (uid and gid UID) that opens PATH read-only and
 * holds an exclusive flock on it until killed, printing "locked PID" once
 * it does.  With --try it only opens PATH and exits 0, or 1 naming why it
 * could not.  What an ordinary user could do to a passthru lock file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: lock-holder UID PATH [--try]\n");
		return 2;
	}
	uid = (uid_t)strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid) || !getuid()) {
		fprintf(stderr, "lock-holder: cannot become uid %u: %s\n", uid,
			strerror(errno));
		return 2;
	}
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("cannot open %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (argc > 3 && !strcmp(argv[3], "--try"))
		return 0;
	if (flock(fd, LOCK_EX)) {
		printf("cannot lock %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	printf("locked %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
