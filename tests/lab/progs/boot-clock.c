// SPDX-License-Identifier: MIT
/*
 * boot-clock — times a VMM booting a guest, from the command's start.
 *
 *	boot-clock [--log FILE] [--limit S] MARK... -- COMMAND [ARGS...]
 *
 * Runs COMMAND with stdin /dev/null and its stdout and stderr on a pipe,
 * and notes when each MARK (a substring) first appears in a line of that
 * output.  Prints one line when COMMAND has exited:
 *
 *	mark1_ms=T ... exit_ms=T status=S maxrss_kb=K
 *
 * (T: milliseconds since just before the fork, -1 for a mark never seen;
 * S: the exit status, or 128+N for signal N; K: the command's peak resident
 * set, from wait4).  --log keeps the output; --limit kills COMMAND
 * (SIGKILL, status 137) after S seconds.  For bench/bench-linux-boot.sh,
 * which runs it inside the lab against passthru and QEMU alike.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define MAX_MARKS	16

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static pid_t killer;

static void kill_child(int sig)
{
	(void)sig;
	kill(killer, SIGKILL);
}

static pid_t spawn(char **argv, int *out)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

int main(int argc, char **argv)
{
	const char *marks[MAX_MARKS];
	double seen[MAX_MARKS], t0;
	int nmarks = 0, fd, i = 1, status, limit = 0;
	char line[4096], buf[4096];
	size_t llen = 0;
	struct rusage ru;
	FILE *log = NULL;
	ssize_t n;
	pid_t pid;

	for (;;) {
		if (i + 1 < argc && !strcmp(argv[i], "--log"))
			log = fopen(argv[i + 1], "w");
		else if (i + 1 < argc && !strcmp(argv[i], "--limit"))
			limit = atoi(argv[i + 1]);
		else
			break;
		i += 2;
	}
	for (; i < argc && strcmp(argv[i], "--"); i++)
		if (nmarks < MAX_MARKS)
			marks[nmarks++] = argv[i];
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: boot-clock [--log FILE] [--limit S] MARK... -- COMMAND...\n");
		return 2;
	}
	for (int m = 0; m < nmarks; m++)
		seen[m] = -1;
	t0 = now_ms();
	pid = spawn(argv + i + 1, &fd);
	if (pid < 0)
		return 1;
	if (limit > 0) {
		killer = pid;
		signal(SIGALRM, kill_child);
		alarm(limit);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		double t = now_ms() - t0;

		if (log)
			fwrite(buf, 1, n, log);
		for (ssize_t k = 0; k < n; k++) {
			if (buf[k] != '\n' && llen < sizeof(line) - 1) {
				line[llen++] = buf[k];
				continue;
			}
			line[llen] = 0;
			for (int m = 0; m < nmarks; m++)
				if (seen[m] < 0 && strstr(line, marks[m]))
					seen[m] = t;
			llen = 0;
		}
	}
	wait4(pid, &status, 0, &ru);
	for (int m = 0; m < nmarks; m++)
		printf("mark%d_ms=%.1f ", m + 1, seen[m]);
	printf("exit_ms=%.1f status=%d maxrss_kb=%ld\n", now_ms() - t0,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       ru.ru_maxrss);
	if (log)
		fclose(log);
	return 0;
}
