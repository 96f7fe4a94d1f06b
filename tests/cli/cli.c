// SPDX-License-Identifier: MIT
/* cli.c — see cli.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

#define MAX_ARGS 64

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

const char *pt_bin(void)
{
	return env_or("PT_BIN", "build/passthru");
}

const char *fixture(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", env_or("PT_FIXTURES", "build/fixtures"),
		 name);
	return buf;
}

void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

static int append(char **buf, size_t *len, size_t *cap, int fd)
{
	char tmp[65536];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n <= 0)
		return n < 0 && errno == EINTR ? 1 : (int)n;
	if (*len + (size_t)n + 1 > *cap) {
		size_t ncap = (*len + (size_t)n + 1) * 2;
		char *nb = realloc(*buf, ncap);

		if (!nb)
			return -1;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, tmp, (size_t)n);
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return 1;
}

int __run(struct run *r, char *const argv[])
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, exe[2] = { -1, -1 };
	size_t ocap = 1, ecap = 1;
	int ret = 0, status, open_fds = 2, child_errno = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	r->out = calloc(1, 1);
	r->err = calloc(1, 1);
	if (!r->out || !r->err)
		return -ENOMEM;
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(exe, O_CLOEXEC)) {
		ret = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		setenv("LC_ALL", "C", 1);
		setenv("NO_COLOR", "1", 1);
		execvp(argv[0], argv);
		child_errno = errno;
		if (write(exe[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	close(exe[1]);
	out[1] = err[1] = exe[1] = -1;
	while (open_fds) {
		struct pollfd pf[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		for (int i = 0; i < 2; i++) {
			int k;

			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			k = i == 0 ? append(&r->out, &r->out_len, &ocap, out[0])
				   : append(&r->err, &r->err_len, &ecap, err[0]);
			if (k < 0 && !ret)
				ret = -ENOMEM;
			if (k <= 0) {
				close(i == 0 ? out[0] : err[0]);
				if (i == 0)
					out[0] = -1;
				else
					err[0] = -1;
				open_fds--;
			}
		}
	}
	if (waitpid(pid, &status, 0) < 0 && !ret)
		ret = -errno;
	if (read(exe[0], &child_errno, sizeof(child_errno)) == sizeof(child_errno))
		ret = -child_errno;
	else if (WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->status = 128 + WTERMSIG(status);
out:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
		if (exe[i] >= 0)
			close(exe[i]);
	}
	return ret;
}

void run(struct run *r, char *const argv[])
{
	int ret = __run(r, argv);

	cr_assert_eq(ret, 0, "cannot run %s: %s", argv[0], strerror(-ret));
}

static int pt_vrun(struct run *r, const char *root, va_list ap)
{
	char *argv[MAX_ARGS];
	int n = 0;
	const char *a;

	argv[n++] = (char *)pt_bin();
	if (root) {
		argv[n++] = "--root";
		argv[n++] = (char *)(root[0] == '/' || root[0] == '.' ? root : fixture(root));
		/* fixture() uses a static buffer: copy before the next call */
		argv[n - 1] = strdup(argv[n - 1]);
	}
	while ((a = va_arg(ap, const char *)) && n < MAX_ARGS - 1)
		argv[n++] = (char *)a;
	argv[n] = NULL;
	n = __run(r, argv);
	if (root)
		free(argv[2]);
	return n;
}

int __pt_run(struct run *r, const char *root, ...)
{
	va_list ap;
	int ret;

	va_start(ap, root);
	ret = pt_vrun(r, root, ap);
	va_end(ap);
	return ret;
}

void pt_run(struct run *r, const char *root, ...)
{
	va_list ap;
	int ret;

	va_start(ap, root);
	ret = pt_vrun(r, root, ap);
	va_end(ap);
	cr_assert_eq(ret, 0, "cannot run %s: %s", pt_bin(), strerror(-ret));
	cr_assert_lt(r->status, 128, "passthru was killed by signal %d; stderr: %s",
		     r->status - 128, r->err);
}

struct jv *pt_json_run(const char *root, ...)
{
	struct run r;
	char err[128];
	struct jv *v;
	va_list ap;
	int ret;

	va_start(ap, root);
	ret = pt_vrun(&r, root, ap);
	va_end(ap);
	cr_assert_eq(ret, 0, "cannot run %s: %s", pt_bin(), strerror(-ret));
	cr_assert_eq(r.status, 0, "passthru exited %d; stderr: %s", r.status, r.err);
	cr_assert_str_empty(r.err, "unexpected stderr: %s", r.err);
	v = jv_parse(r.out, err, sizeof(err));
	cr_assert_not_null(v, "output is not JSON (%s): %.400s", err, r.out);
	run_free(&r);
	return v;
}

char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	cr_assert_not_null(f, "cannot open %s: %s", path, strerror(errno));
	do {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

struct jv *fixture_expected(const char *name)
{
	char path[4200], err[128], *text;
	struct jv *v;

	snprintf(path, sizeof(path), "%s.expected.json", fixture(name));
	text = slurp(path);
	v = jv_parse(text, err, sizeof(err));
	cr_assert_not_null(v, "%s: %s", path, err);
	free(text);
	return v;
}

const char *tmp_dir(const char *tag)
{
	static char buf[4096];
	const char *base = env_or("PT_TMP", "build/tmp");
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", base);
	cr_assert_eq(system(cmd), 0);
	snprintf(buf, sizeof(buf), "%s/%s-XXXXXX", base, tag);
	cr_assert_not_null(mkdtemp(buf), "mkdtemp %s: %s", buf, strerror(errno));
	if (buf[0] != '/') {
		char *abs = realpath(buf, NULL);

		cr_assert_not_null(abs, "realpath %s: %s", buf, strerror(errno));
		cr_assert_lt(strlen(abs), sizeof(buf));
		strcpy(buf, abs);
		free(abs);
	}
	return buf;
}

const char *fixture_copy(const char *name)
{
	static char dst[4200];
	char cmd[9000];

	snprintf(dst, sizeof(dst), "%s/%s", tmp_dir(name), name);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", fixture(name), dst);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
	return dst;
}

int line_count(const char *text)
{
	int n = 0;

	for (const char *p = text; *p; p++)
		if (*p == '\n')
			n++;
	return n;
}

const char *line_at(const char *text, int n)
{
	static char buf[4096];
	const char *p = text, *e;

	while (n-- > 0 && p) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p)
		return "";
	e = strchr(p, '\n');
	snprintf(buf, sizeof(buf), "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
	return buf;
}

void assert_strv(const struct jv *arr, const char *what, ...)
{
	char want[4096] = "";
	char *got = jv_strv_join(arr);
	const char *s;
	va_list ap;
	size_t n = 0;

	va_start(ap, what);
	while ((s = va_arg(ap, const char *)))
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%s", n ? "," : "", s);
	va_end(ap);
	cr_expect_str_eq(got, want, "%s: got [%s], want [%s]", what, got, want);
	free(got);
}
