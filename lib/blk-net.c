// SPDX-License-Identifier: MIT
/*
 * blk-net.c — network interfaces, followed through the kernel's stacking
 * links to whatever carries the host's traffic.
 *
 * An interface of a PCI device is used when any interface stacked with it
 * carries an address, a route (any table, any family; not the ones the
 * kernel derives from addresses, proto kernel) or is named by a policy
 * rule, or is the way to a server a mount or an iSCSI disk uses.  Stacked
 * with = reachable through sys/class/net/IF/{master,upper_*,lower_*}
 * links, in either direction: a bridge and its ports, a bond or team and
 * its slaves, a VLAN or macvlan and its lower device, an OVS datapath
 * (ovs-system) and every port of it, the internal port carrying the
 * address included.  The reason names the path:
 * "eno1 → bond0 → br0 carries the default route (IPv4)".
 * The facts come from rtnetlink (netfacts.c); routes whose interface the
 * kernel did not describe fail closed on every network device.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "lib/blk-priv.h"

#define IF_MAX	4096	/* interfaces one search visits */

struct ifnode {
	char name[IF_NAMESIZE];
	int prev;		/* the next hop towards the carrier, -1 */
};

/* The interfaces stacked with name: master, upper_*, lower_* links. */
static int neighbours(struct pt_ctx *ctx, const char *name, struct pt_strv *out)
{
	char rel[96], target[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	snprintf(rel, sizeof(rel), "sys/class/net/%s", name);
	dir = pt_sysfs_opendir(&ctx->fs, AT_FDCWD, rel);
	if (!dir)
		return 0;
	while (ret == 0 && (de = readdir(dir))) {
		const char *base;

		if (strcmp(de->d_name, "master") &&
		    strncmp(de->d_name, "upper_", 6) && strncmp(de->d_name, "lower_", 6))
			continue;
		if (pt_sysfs_readlink_at(&ctx->fs, dirfd(dir), de->d_name, target,
					 sizeof(target)) <= 0)
			continue;
		base = strrchr(target, '/');
		base = base ? base + 1 : target;
		if (*base && strlen(base) < IF_NAMESIZE && !ptd_strv_has(out, base))
			ret = ptd_strv_add(out, base);
	}
	closedir(dir);
	ptd_strv_sort(out);	/* readdir's order is no order: name order */
	return ret;
}

static int find(const struct ifnode *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return i;
	return -1;
}

/* "eno1 → bond0 → br0" from node i back to the carrier. */
static void path_text(const struct ifnode *v, int i, char *buf, size_t n)
{
	size_t l = (size_t)snprintf(buf, n, "%s", v[i].name);

	for (i = v[i].prev; i >= 0 && l < n; i = v[i].prev)
		l += (size_t)snprintf(buf + l, n - l, " → %s", v[i].name);
}

/*
 * Every PCI device with an interface stacked with carrier gets
 * "PATH SUFFIX" (breadth first: the shortest path is the one named).
 */
static int attribute(struct pt_ctx *ctx, struct pt_system *sys,
		     const char *carrier, const char *id, const char *suffix)
{
	struct ifnode *v;
	int n = 1, ret = 0;
	char path[512];

	if (!*carrier)
		return 0;
	v = calloc(IF_MAX, sizeof(*v));
	if (!v)
		return pt_set_error(ENOMEM, "out of memory");
	snprintf(v[0].name, sizeof(v[0].name), "%s", carrier);
	v[0].prev = -1;
	for (int i = 0; i < n && ret == 0; i++) {
		struct pt_strv nb = { 0 };
		struct pt_device *d = ptd_owner_of_if(sys, v[i].name);

		if (d) {
			path_text(v, i, path, sizeof(path));
			ret = ptd_blk_add(d, id, false, v[i].name, "%s %s", path, suffix);
		}
		if (ret == 0)
			ret = neighbours(ctx, v[i].name, &nb);
		for (int k = 0; k < nb.n && n < IF_MAX; k++) {
			if (find(v, n, nb.v[k]) >= 0)
				continue;
			snprintf(v[n].name, sizeof(v[n].name), "%s", nb.v[k]);
			v[n++].prev = i;
		}
		ptd_strv_free(&nb);
	}
	free(v);
	return ret < 0 ? pt_set_error(-ret, "out of memory") : 0;
}

static bool is_default(const struct ptd_route *r)
{
	return r->plen == 0;
}

static int routes(struct pt_ctx *ctx, struct pt_system *sys,
		  const struct ptd_netfacts *nf)
{
	char suffix[160], table[32];
	int ret = 0;

	for (int i = 0; i < nf->nr_routes && ret == 0; i++) {
		const struct ptd_route *r = &nf->routes[i];
		const char *v = r->family == AF_INET6 ? "IPv6" : "IPv4";

		/* the kernel's own routes follow from an address (which blocks
		 * by itself) or from a link-local one (which every up
		 * interface has) */
		if (r->proto == RTPROT_KERNEL || r->type != RTN_UNICAST)
			continue;
		table[0] = '\0';
		if (r->table != RT_TABLE_MAIN)
			snprintf(table, sizeof(table), "table %u", r->table);
		if (is_default(r))
			snprintf(suffix, sizeof(suffix), "carries the default route (%s%s%s)",
				 v, *table ? ", " : "", table);
		else
			snprintf(suffix, sizeof(suffix), "carries the route to %s/%d%s%s%s",
				 r->dst, r->plen, *table ? " (" : "", table,
				 *table ? ")" : "");
		ret = attribute(ctx, sys, r->dev, PT_BLK_ROUTE, suffix);
	}
	for (int i = 0; i < nf->untraced.n && ret == 0; i++)
		ret = ptd_blk_untraced(sys, PTD_COULD_BE_NET, nf->untraced.v[i],
				       "a route through a nexthop object the kernel "
				       "did not describe");
	return ret;
}

static int rules(struct pt_ctx *ctx, struct pt_system *sys,
		 const struct ptd_netfacts *nf)
{
	char suffix[128];
	int ret = 0;

	for (int i = 0; i < nf->nr_rules && ret == 0; i++) {
		const struct ptd_rule *r = &nf->rules[i];

		snprintf(suffix, sizeof(suffix), "is named in policy rule %u (%s, "
			 "lookup %u)", r->pref, r->family == AF_INET6 ? "IPv6" : "IPv4",
			 r->table);
		if (*r->iif)
			ret = attribute(ctx, sys, r->iif, PT_BLK_RULE, suffix);
		if (ret == 0 && *r->oif && strcmp(r->oif, r->iif))
			ret = attribute(ctx, sys, r->oif, PT_BLK_RULE, suffix);
	}
	return ret;
}

/* IPv4 first, then IPv6; IPv6 link-local and host addresses do not block
 * (every interface that is up has one). */
static int addresses(struct pt_ctx *ctx, struct pt_system *sys,
		     const struct ptd_netfacts *nf)
{
	static const int order[] = { AF_INET, AF_INET6 };
	char suffix[96];
	int ret = 0;

	for (int f = 0; f < 2; f++)
		for (int i = 0; i < nf->nr_addrs && ret == 0; i++) {
			const struct ptd_addr *a = &nf->addrs[i];

			if (a->family != order[f] || a->link_or_host)
				continue;
			snprintf(suffix, sizeof(suffix), "has address %s/%d", a->addr,
				 a->plen);
			ret = attribute(ctx, sys, a->dev, PT_BLK_ADDRESS, suffix);
		}
	return ret;
}

int ptd_blk_net_peer(struct pt_ctx *ctx, struct pt_system *sys,
		     const char *id, const char *peer, const char *what)
{
	char dev[IF_NAMESIZE], suffix[1200];
	int ret = ptd_route_get(ctx, peer, dev, sizeof(dev));

	if (ret < 0)
		return ptd_blk_untraced(sys, PTD_COULD_BE_NET, what,
					"the route to its server cannot be told");
	snprintf(suffix, sizeof(suffix), "reaches %s for %s", peer, what);
	return attribute(ctx, sys, dev, id, suffix);
}

int ptd_blk_net(struct pt_ctx *ctx, struct pt_system *sys)
{
	struct ptd_netfacts nf;
	int ret = ptd_netfacts_load(ctx, &nf);

	if (ret < 0)
		return ret;
	if ((ret = routes(ctx, sys, &nf)) == 0 &&
	    (ret = rules(ctx, sys, &nf)) == 0)
		ret = addresses(ctx, sys, &nf);
	ptd_netfacts_free(&nf);
	return ret;
}
