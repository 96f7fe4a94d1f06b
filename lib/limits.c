// SPDX-License-Identifier: MIT
/*
 * limits.c — the locked-memory limit a user's sessions get from pam_limits
 * (/etc/security/limits.conf, then limits.d/NAME.conf in name order), for
 * `passthru check --user U`: the user who will run the VM, not passthru's
 * own process, is who must be able to pin the guest's memory.
 *
 *	# domain  type  item     value (KiB, or unlimited/infinity/-1)
 *	alice     soft  memlock  unlimited
 *	@kvm      -     memlock  8388608
 *	*         hard  memlock  65536
 *
 * As pam_limits decides: a line for the user by name beats a line for one
 * of their groups (@group), which beats the wildcard (*); among lines of
 * the same kind the last one read wins; group and wildcard lines do not
 * apply to root.  Only the soft limit matters (a process starts with it).
 * Group membership comes from NSS on the live system and from the tree's
 * etc/passwd and etc/group in a captured tree.  Uid/gid ranges and %group
 * (maxlogins) lines are not matched.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/disc-priv.h"
#include "lib/limits-priv.h"


/* Is user in group (by name)?  Live: NSS.  Tree: etc/passwd's primary
 * group and etc/group's member lists. */
static bool tree_member(struct pt_ctx *ctx, const char *user, const char *group)
{
	char *buf = NULL, *save = NULL, gid[16] = "";
	bool found = false;

	if (pt_sysfs_slurp(&ctx->fs, "etc/passwd", &buf, NULL) == 0) {
		for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			size_t n = strlen(user);

			if (!strncmp(l, user, n) && l[n] == ':' &&
			    sscanf(l + n, ":%*[^:]:%*[^:]:%15[^:]", gid) == 1)
				break;
		}
		free(buf);
	}
	buf = NULL;
	if (pt_sysfs_slurp(&ctx->fs, "etc/group", &buf, NULL) < 0)
		return false;
	save = NULL;
	for (char *l = strtok_r(buf, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save)) {
		char name[64], g[16], members[1024] = "", *msave = NULL;

		if (sscanf(l, "%63[^:]:%*[^:]:%15[^:]:%1023s", name, g, members) < 2 ||
		    strcmp(name, group))
			continue;
		found = !strcmp(g, gid);
		for (char *m = strtok_r(members, ",", &msave); m && !found;
		     m = strtok_r(NULL, ",", &msave))
			found = !strcmp(m, user);
	}
	free(buf);
	return found;
}

static bool live_member(const char *user, const char *group)
{
	struct passwd *pw = getpwnam(user);
	struct group *gr = getgrnam(group);
	gid_t groups[256];
	int n = 256;

	if (!pw || !gr)
		return false;
	if (getgrouplist(user, pw->pw_gid, groups, &n) < 0)
		return pw->pw_gid == gr->gr_gid;
	for (int i = 0; i < n; i++)
		if (groups[i] == gr->gr_gid)
			return true;
	return false;
}

static bool is_member(const char *user, const char *group, void *priv)
{
	struct pt_ctx *ctx = priv;

	return pt_ctx_is_live(ctx) ? live_member(user, group) : tree_member(ctx, user, group);
}

static int domain_rank(const char *dom, const char *user,
		       bool (*member)(const char *user, const char *group, void *priv),
		       void *priv)
{
	bool root = !strcmp(user, "root");

	if (!strcmp(dom, user))
		return PTD_RANK_USER;
	if (dom[0] == '@' && !root && member(user, dom + 1, priv))
		return PTD_RANK_GROUP;
	if (!strcmp(dom, "*") && !root)
		return PTD_RANK_WILDCARD;
	return PTD_RANK_NONE;
}

/* "unlimited", "infinity", "-1" or KiB. */
static bool parse_value(const char *v, struct ptd_user_limit *lim)
{
	char *end;
	unsigned long long kib;

	if (!strcmp(v, "unlimited") || !strcmp(v, "infinity") || !strcmp(v, "-1")) {
		lim->unlimited = true;
		lim->bytes = UINT64_MAX;
		return true;
	}
	kib = strtoull(v, &end, 10);
	if (*end || end == v || v[0] == '-' || kib > UINT64_MAX / 1024)
		return false;
	lim->unlimited = false;
	lim->bytes = kib * 1024;
	return true;
}

int ptd_limits_parse(const char *buf, size_t len, const char *name, const char *user,
		     bool (*member)(const char *user, const char *group, void *priv),
		     void *priv, struct ptd_user_limit *lim, int *best)
{
	size_t pos = 0;
	int lineno = 0;

	while (pos < len) {
		char line[512], dom[64], type[8], item[16], val[32];
		size_t l = 0;
		struct ptd_user_limit v;
		int rank;

		while (pos + l < len && buf[pos + l] != '\n')
			l++;
		lineno++;
		/* a longer line is no line pam_limits would apply either */
		snprintf(line, sizeof(line), "%.*s", (int)(l < sizeof(line) ? l : 0), buf + pos);
		pos += l + 1;
		line[strcspn(line, "#")] = '\0';
		if (sscanf(line, "%63s %7s %15s %31s", dom, type, item, val) != 4 ||
		    strcmp(item, "memlock") || !strcmp(type, "hard"))
			continue;
		rank = domain_rank(dom, user, member, priv);
		if (rank == PTD_RANK_NONE || rank < *best || !parse_value(val, &v))
			continue;
		*best = rank;
		lim->unlimited = v.unlimited;
		lim->bytes = v.bytes;
		snprintf(lim->source, sizeof(lim->source), "/%s line %d", name, lineno);
	}
	return *best;
}

static void read_file(struct pt_ctx *ctx, const char *rel, const char *user,
		      struct ptd_user_limit *lim, int *best)
{
	char *buf = NULL;
	size_t len = 0;

	if (pt_sysfs_slurp(&ctx->fs, rel, &buf, &len) < 0)
		return;
	ptd_limits_parse(buf, len, rel, user, is_member, ctx, lim, best);
	free(buf);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ptd_user_memlock(struct pt_ctx *ctx, const char *user, struct ptd_user_limit *lim)
{
	char *names[256], rel[PATH_MAX];
	int n = 0, best = PTD_RANK_NONE;
	struct dirent *de;
	DIR *d;

	memset(lim, 0, sizeof(*lim));
	read_file(ctx, "etc/security/limits.conf", user, lim, &best);
	d = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, "etc/security/limits.d");
	while (d && (de = readdir(d)) && n < 256) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] != '.' && l > 5 && !strcmp(de->d_name + l - 5, ".conf"))
			names[n++] = strdup(de->d_name);
	}
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), name_cmp);
	for (int i = 0; i < n; i++) {
		if (names[i]) {
			snprintf(rel, sizeof(rel), "etc/security/limits.d/%s", names[i]);
			read_file(ctx, rel, user, lim, &best);
		}
		free(names[i]);
	}
	return best == PTD_RANK_NONE ? -ENOENT : 0;
}
