// SPDX-License-Identifier: MIT
/*
 * lab-verify — helper of the verify-* lab cases (tests/lab/cases/), built
 * into $(BUILD)/lab-bin/ so it is on the lab's PATH.
 *
 *   lab-verify run FORMAT [EXPECT-ARGS...] -- VERIFY-ARGS...
 *	runs `passthru verify VERIFY-ARGS --format FORMAT -o /tmp/verify.FORMAT`
 *	with its stdout/stderr in /tmp/verify.txt, shows that text (indented),
 *	then prints the report between LAB-VERIFY-REPORT-BEGIN/END markers after
 *	a LAB-VERIFY-EXPECT line carrying EXPECT-ARGS (validate.py options) for
 *	the host side, tests/verify/lab-report.sh.  Exits with verify's status.
 *   lab-verify failed|passed|skipped FILE.tap
 *	prints the checks with that result in a TAP report, sorted, unique,
 *	space-separated on one line.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: lab-verify run FORMAT [EXPECT...] -- ARGS...\n"
		"       lab-verify failed|passed|skipped FILE.tap\n");
	return 2;
}

static void cat(const char *path, const char *prefix)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("%s%s", prefix, line);
	fclose(f);
}

static int run(int argc, char **argv)
{
	char out[64], **av;
	int i, sep = -1, n = 0, status;
	pid_t pid;

	for (i = 3; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			sep = i;
			break;
		}
	if (sep < 0)
		return usage();
	snprintf(out, sizeof(out), "/tmp/verify.%s", argv[2]);
	av = calloc(argc + 8, sizeof(*av));
	if (!av)
		return 2;
	av[n++] = "passthru";
	av[n++] = "verify";
	for (i = sep + 1; i < argc; i++)
		av[n++] = argv[i];
	av[n++] = "--format";
	av[n++] = argv[2];
	av[n++] = "-o";
	av[n++] = out;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fd = open("/tmp/verify.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(av[0], av);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 2;
	cat("/tmp/verify.txt", "    | ");
	printf("LAB-VERIFY-EXPECT");
	for (i = 3; i < sep; i++)
		printf(" %s", argv[i]);
	printf("\nLAB-VERIFY-REPORT-BEGIN %s\n", argv[2]);
	cat(out, "");
	printf("LAB-VERIFY-REPORT-END\n");
	free(av);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "ok 3 - CHECK DEVICE IOMMU[ # SKIP ...]" / "not ok 3 - CHECK ..." */
static int list(const char *want, const char *path)
{
	char line[4096], *names[4096];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return 2;
	}
	while (fgets(line, sizeof(line), f) && n < 4096) {
		int notok = !strncmp(line, "not ok ", 7);
		int skip = strstr(line, " # SKIP ") != NULL;
		char *p, *name;
		const char *st;

		if (!notok && strncmp(line, "ok ", 3))
			continue;
		st = notok ? "failed" : skip ? "skipped" : "passed";
		p = strstr(line, " - ");
		if (!p || strcmp(st, want))
			continue;
		name = p + 3;
		name[strcspn(name, " \n")] = '\0';
		names[n++] = strdup(name);
	}
	fclose(f);
	qsort(names, n, sizeof(*names), cmp);
	for (int i = 0, first = 1; i < n; i++) {
		if (i && !strcmp(names[i], names[i - 1]))
			continue;
		printf("%s%s", first ? "" : " ", names[i]);
		first = 0;
	}
	printf("\n");
	for (int i = 0; i < n; i++)
		free(names[i]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "run"))
		return run(argc, argv);
	if (argc == 3 && (!strcmp(argv[1], "failed") || !strcmp(argv[1], "passed") ||
			  !strcmp(argv[1], "skipped")))
		return list(argv[1], argv[2]);
	return usage();
}
