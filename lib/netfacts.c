// SPDX-License-Identifier: MIT
/*
 * netfacts.c — the network facts the blockers read, in one form whether
 * they come from the kernel or from a captured tree:
 *   - live: rtnetlink through libmnl — dumps of every route of every table
 *     and family (RTM_GETROUTE), the nexthop objects routes may point at
 *     (RTM_GETNEXTHOP), the policy rules (RTM_GETRULE) and the addresses
 *     (RTM_GETADDR); a route query (RTM_GETROUTE for one address) says
 *     which interface the kernel would reach a server through;
 *   - a tree: .passthru/routes, .passthru/rules, .passthru/route-get,
 *     .passthru/ifaddrs (IPv4) and proc/net/if_inet6 (IPv6), written by
 *     ptd_netfacts_write() (`passthru snapshot`) from the same dumps.
 * The formats are in tests/fixtures/TREE.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "lib/blk-priv.h"

void ptd_netfacts_free(struct ptd_netfacts *nf)
{
	free(nf->routes);
	free(nf->rules);
	free(nf->addrs);
	ptd_strv_free(&nf->untraced);
	memset(nf, 0, sizeof(*nf));
}

static void *grow(void *v, int n, size_t size)
{
	return realloc(v, size * (size_t)(n + 1));
}

/* Appends the item of size bytes to the array *v of *n items. */
static int append(void *v, int *n, size_t size, const void *item)
{
	void **vp = v;
	char *nv = grow(*vp, *n, size);

	if (!nv)
		return -ENOMEM;
	memcpy(nv + size * (size_t)*n, item, size);
	*vp = nv;
	(*n)++;
	return 0;
}

#define route_add(nf, r)	append(&(nf)->routes, &(nf)->nr_routes, sizeof(*(r)), r)
#define rule_add(nf, r)		append(&(nf)->rules, &(nf)->nr_rules, sizeof(*(r)), r)
#define addr_add(nf, a)		append(&(nf)->addrs, &(nf)->nr_addrs, sizeof(*(a)), a)

/* ---- live: rtnetlink ---- */

struct nh {
	unsigned int id, oif;
	unsigned int group[32];
	int nr_group;
};

struct dump {
	struct ptd_netfacts *nf;
	struct nh *nhs;
	int nr_nhs;
	int err;
};

static void ifname(unsigned int index, char *buf)
{
	if (!index || !if_indextoname(index, buf))
		buf[0] = '\0';
}

static void addr_text(int family, const void *raw, char *buf, size_t n)
{
	if (!raw || !inet_ntop(family, raw, buf, (socklen_t)n))
		snprintf(buf, n, "%s", family == AF_INET6 ? "::" : "0.0.0.0");
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, 256) > 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static const struct nh *nh_find(const struct dump *d, unsigned int id)
{
	for (int i = 0; i < d->nr_nhs; i++)
		if (d->nhs[i].id == id)
			return &d->nhs[i];
	return NULL;
}

/* A route through a nexthop object: one line per interface it can use. */
static int route_nh(struct dump *d, struct ptd_route *r, unsigned int id)
{
	const struct nh *nh = nh_find(d, id);
	int ret = 0;

	if (nh && nh->oif) {
		ifname(nh->oif, r->dev);
		return route_add(d->nf, r);
	}
	for (int i = 0; nh && i < nh->nr_group && ret == 0; i++) {
		const struct nh *m = nh_find(d, nh->group[i]);

		if (!m || !m->oif) {
			nh = NULL;
			break;
		}
		ifname(m->oif, r->dev);
		ret = route_add(d->nf, r);
	}
	if (!nh)
		ret = ptd_strv_addf(&d->nf->untraced, "%s/%d (table %u)", r->dst,
				    r->plen, r->table);
	return ret;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[256] = { 0 };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct dump *d = data;
	struct ptd_route r = { 0 };

	if (rtm->rtm_type != RTN_UNICAST ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	r.family = rtm->rtm_family;
	r.table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r.proto = rtm->rtm_protocol;
	r.type = rtm->rtm_type;
	r.plen = rtm->rtm_dst_len;
	addr_text(r.family, tb[RTA_DST] ? mnl_attr_get_payload(tb[RTA_DST]) : NULL,
		  r.dst, sizeof(r.dst));
	if (tb[RTA_GATEWAY])
		addr_text(r.family, mnl_attr_get_payload(tb[RTA_GATEWAY]), r.via,
			  sizeof(r.via));
	if (tb[RTA_NH_ID]) {
		d->err = route_nh(d, &r, mnl_attr_get_u32(tb[RTA_NH_ID]));
	} else if (tb[RTA_MULTIPATH]) {
		const struct rtnexthop *nh = mnl_attr_get_payload(tb[RTA_MULTIPATH]);
		int len = (int)mnl_attr_get_payload_len(tb[RTA_MULTIPATH]);

		while (d->err == 0 && RTNH_OK(nh, len)) {
			ifname((unsigned int)nh->rtnh_ifindex, r.dev);
			d->err = route_add(d->nf, &r);
			len -= NLMSG_ALIGN(nh->rtnh_len);
			nh = RTNH_NEXT(nh);
		}
	} else {
		ifname(tb[RTA_OIF] ? mnl_attr_get_u32(tb[RTA_OIF]) : 0, r.dev);
		d->err = route_add(d->nf, &r);
	}
	return d->err ? MNL_CB_ERROR : MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[256] = { 0 };
	const struct fib_rule_hdr *h = mnl_nlmsg_get_payload(nlh);
	struct dump *d = data;
	struct ptd_rule r = { 0 };

	mnl_attr_parse(nlh, sizeof(*h), attr_cb, tb);
	r.family = h->family;
	r.table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : h->table;
	r.pref = tb[FRA_PRIORITY] ? mnl_attr_get_u32(tb[FRA_PRIORITY]) : 0;
	if (tb[FRA_IIFNAME])
		snprintf(r.iif, sizeof(r.iif), "%s", mnl_attr_get_str(tb[FRA_IIFNAME]));
	if (tb[FRA_OIFNAME])
		snprintf(r.oif, sizeof(r.oif), "%s", mnl_attr_get_str(tb[FRA_OIFNAME]));
	d->err = rule_add(d->nf, &r);
	return d->err ? MNL_CB_ERROR : MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[256] = { 0 };
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *at;
	struct dump *d = data;
	struct ptd_addr a = { 0 };

	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, tb);
	/* IFA_LOCAL is the address itself (IFA_ADDRESS is the peer's on a
	 * point-to-point link); IPv6 has only IFA_ADDRESS */
	at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!at)
		return MNL_CB_OK;
	a.family = ifa->ifa_family;
	a.plen = ifa->ifa_prefixlen;
	a.link_or_host = ifa->ifa_scope >= RT_SCOPE_LINK;
	ifname(ifa->ifa_index, a.dev);
	addr_text(a.family, mnl_attr_get_payload(at), a.addr, sizeof(a.addr));
	d->err = addr_add(d->nf, &a);
	return d->err ? MNL_CB_ERROR : MNL_CB_OK;
}

static int nh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[256] = { 0 };
	struct dump *d = data;
	struct nh *nv, *nh;

	mnl_attr_parse(nlh, sizeof(struct nhmsg), attr_cb, tb);
	if (!tb[NHA_ID])
		return MNL_CB_OK;
	nv = grow(d->nhs, d->nr_nhs, sizeof(*nv));
	if (!nv) {
		d->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	d->nhs = nv;
	nh = &nv[d->nr_nhs++];
	memset(nh, 0, sizeof(*nh));
	nh->id = mnl_attr_get_u32(tb[NHA_ID]);
	nh->oif = tb[NHA_OIF] ? mnl_attr_get_u32(tb[NHA_OIF]) : 0;
	if (tb[NHA_GROUP]) {
		const struct nexthop_grp *g = mnl_attr_get_payload(tb[NHA_GROUP]);
		int n = (int)(mnl_attr_get_payload_len(tb[NHA_GROUP]) / sizeof(*g));

		for (int i = 0; i < n && nh->nr_group < 32; i++)
			nh->group[nh->nr_group++] = g[i].id;
	}
	return MNL_CB_OK;
}

/* One request over a new socket; cb sees every answer.  A dump the kernel
 * does not know (nexthops before 5.3) is -EOPNOTSUPP/-EINVAL. */
static int rtnl_talk(int type, int flags, int family, const void *extra,
		     size_t elen, const char *dst, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int seq = (unsigned int)time(NULL), portid;
	void *hdr;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	nlh->nlmsg_seq = seq;
	hdr = mnl_nlmsg_put_extra_header(nlh, elen);
	memcpy(hdr, extra, elen);
	if (dst) {
		unsigned char raw[16];

		if (inet_pton(family, dst, raw) != 1) {
			ret = -EINVAL;
			goto out;
		}
		mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, raw);
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0) {
			ret = ret < 0 ? -errno : -EIO;
			break;
		}
		ret = mnl_cb_run(buf, (size_t)ret, seq, portid, cb, data);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		ret = -errno ? -errno : -EIO;
out:
	mnl_socket_close(nl);
	return ret < 0 ? ret : 0;
}

static int live_load(struct ptd_netfacts *nf)
{
	struct dump d = { .nf = nf };
	struct rtmsg rtm = { .rtm_family = AF_UNSPEC };
	struct fib_rule_hdr frh = { .family = AF_UNSPEC };
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
	struct nhmsg nhm = { .nh_family = AF_UNSPEC };
	int ret;

	/* no nexthop objects on kernels before 5.3: routes name their oif */
	ret = rtnl_talk(RTM_GETNEXTHOP, NLM_F_DUMP, AF_UNSPEC, &nhm, sizeof(nhm),
			NULL, nh_cb, &d);
	if (ret < 0 && d.err == 0)
		ret = 0;
	if (ret == 0)
		ret = rtnl_talk(RTM_GETROUTE, NLM_F_DUMP, AF_UNSPEC, &rtm,
				sizeof(rtm), NULL, route_cb, &d);
	if (ret == 0)
		ret = rtnl_talk(RTM_GETRULE, NLM_F_DUMP, AF_UNSPEC, &frh,
				sizeof(frh), NULL, rule_cb, &d);
	if (ret == 0)
		ret = rtnl_talk(RTM_GETADDR, NLM_F_DUMP, AF_UNSPEC, &ifa,
				sizeof(ifa), NULL, addr_cb, &d);
	free(d.nhs);
	if (d.err)
		ret = d.err;
	if (ret < 0)
		return pt_set_error(-ret, "cannot dump the routes, rules and addresses "
				    "(rtnetlink): %s; without them a device carrying "
				    "a route could look free, so discovery stops here",
				    strerror(-ret));
	return 0;
}

struct get {
	char *dev;
	size_t n;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[256] = { 0 };
	struct get *g = data;
	char name[IF_NAMESIZE];

	mnl_attr_parse(nlh, sizeof(struct rtmsg), attr_cb, tb);
	ifname(tb[RTA_OIF] ? mnl_attr_get_u32(tb[RTA_OIF]) : 0, name);
	snprintf(g->dev, g->n, "%s", name);
	return MNL_CB_STOP;
}

/* ---- a tree: .passthru/ files ---- */

/* "key=value" of a line of key=value words ("-" or absent: ""). */
static void kv(const char *line, const char *key, char *buf, size_t n)
{
	size_t kl = strlen(key);
	const char *p = line;

	buf[0] = '\0';
	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[kl] == '=') {
			size_t l = strcspn(p + kl + 1, " \t\n");

			snprintf(buf, n, "%.*s", (int)l, p + kl + 1);
			if (!strcmp(buf, "-"))
				buf[0] = '\0';
			return;
		}
		p += kl;
	}
}

static int kv_uint(const char *line, const char *key)
{
	char buf[32];

	kv(line, key, buf, sizeof(buf));
	return atoi(buf);
}

static int family_of(const char *line)
{
	return !strncmp(line, "inet6 ", 6) ? AF_INET6 :
	       !strncmp(line, "inet ", 5) ? AF_INET : 0;
}

static int tree_routes(struct pt_ctx *ctx, struct ptd_netfacts *nf)
{
	char *buf, *line, *save, dst[64];
	int ret = ptd_blk_source(ctx, ".passthru/routes", false, &buf);

	for (line = ret ? NULL : strtok_r(buf, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		struct ptd_route r = { .family = family_of(line) };
		char *slash;

		if (!r.family)
			continue;
		r.table = (unsigned int)kv_uint(line, "table");
		r.proto = (unsigned int)kv_uint(line, "proto");
		r.type = (unsigned int)kv_uint(line, "type");
		kv(line, "dst", dst, sizeof(dst));
		slash = strchr(dst, '/');
		r.plen = slash ? atoi(slash + 1) : 0;
		if (slash)
			*slash = '\0';
		snprintf(r.dst, sizeof(r.dst), "%.45s", dst);
		kv(line, "dev", r.dev, sizeof(r.dev));
		kv(line, "via", r.via, sizeof(r.via));
		if (r.type == RTN_UNICAST)
			ret = route_add(nf, &r);
	}
	free(buf);
	return ret;
}

static int tree_rules(struct pt_ctx *ctx, struct ptd_netfacts *nf)
{
	char *buf, *line, *save;
	int ret = ptd_blk_source(ctx, ".passthru/rules", false, &buf);

	for (line = ret ? NULL : strtok_r(buf, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		struct ptd_rule r = { .family = family_of(line) };

		if (!r.family)
			continue;
		r.pref = (unsigned int)kv_uint(line, "pref");
		r.table = (unsigned int)kv_uint(line, "table");
		kv(line, "iif", r.iif, sizeof(r.iif));
		kv(line, "oif", r.oif, sizeof(r.oif));
		ret = rule_add(nf, &r);
	}
	free(buf);
	return ret;
}

/* .passthru/ifaddrs: "IFNAME inet ADDRESS/PREFIX" (getifaddrs's view). */
static int tree_addr4(struct pt_ctx *ctx, struct ptd_netfacts *nf)
{
	char *buf, *line, *save;
	int ret = ptd_blk_source(ctx, ".passthru/ifaddrs", false, &buf);

	for (line = ret ? NULL : strtok_r(buf, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		struct ptd_addr a = { .family = AF_INET };
		char fam[16], addr[64], *slash;

		if (sscanf(line, "%15s %15s %63s", a.dev, fam, addr) != 3 ||
		    strcmp(fam, "inet"))
			continue;
		slash = strchr(addr, '/');
		a.plen = slash ? atoi(slash + 1) : 32;
		if (slash)
			*slash = '\0';
		snprintf(a.addr, sizeof(a.addr), "%.45s", addr);
		ret = addr_add(nf, &a);
	}
	free(buf);
	return ret;
}

/* proc/net/if_inet6: the kernel's own text of the IPv6 addresses. */
static int tree_addr6(struct pt_ctx *ctx, struct ptd_netfacts *nf)
{
	char *buf, *line, *save;
	int ret = ptd_blk_source(ctx, "proc/net/if_inet6", true, &buf);

	if (ret == -ENOENT)
		return 0;	/* IPv6 off */
	for (line = ret ? NULL : strtok_r(buf, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		struct ptd_addr a = { .family = AF_INET6 };
		unsigned int idx, plen, scope, flags;
		unsigned char raw[16];
		char hex[40];

		if (sscanf(line, "%39s %x %x %x %x %15s", hex, &idx, &plen, &scope,
			   &flags, a.dev) != 6 || strlen(hex) != 32)
			continue;
		for (int k = 0; k < 16; k++) {
			unsigned int byte;

			if (sscanf(hex + 2 * k, "%2x", &byte) != 1)
				byte = 0;
			raw[k] = (unsigned char)byte;
		}
		inet_ntop(AF_INET6, raw, a.addr, sizeof(a.addr));
		a.plen = (int)plen;
		/* IPV6_ADDR_LINKLOCAL 0x20, IPV6_ADDR_LOOPBACK 0x10 */
		a.link_or_host = scope & 0x30;
		ret = addr_add(nf, &a);
	}
	free(buf);
	return ret;
}

int ptd_netfacts_load(struct pt_ctx *ctx, struct ptd_netfacts *nf)
{
	int ret;

	memset(nf, 0, sizeof(*nf));
	if (pt_ctx_is_live(ctx))
		ret = live_load(nf);
	else if ((ret = tree_routes(ctx, nf)) == 0 &&
		 (ret = tree_rules(ctx, nf)) == 0 &&
		 (ret = tree_addr4(ctx, nf)) == 0)
		ret = tree_addr6(ctx, nf);
	if (ret == -ENOMEM)
		ret = pt_set_error(ENOMEM, "out of memory");
	if (ret < 0)
		ptd_netfacts_free(nf);
	return ret;
}

int ptd_route_get(struct pt_ctx *ctx, const char *addr, char *dev, size_t n)
{
	char *buf, *line, *save;
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	int ret;

	dev[0] = '\0';
	if (pt_ctx_is_live(ctx)) {
		struct rtmsg rtm = { .rtm_family = (unsigned char)family,
				     .rtm_dst_len = family == AF_INET ? 32 : 128 };
		struct get g = { dev, n };

		return rtnl_talk(RTM_GETROUTE, 0, family, &rtm, sizeof(rtm), addr,
				 get_cb, &g);
	}
	ret = pt_sysfs_slurp(&ctx->fs, ".passthru/route-get", &buf, NULL);
	if (ret < 0)
		return ret;
	ret = -ENOENT;
	for (line = strtok_r(buf, "\n", &save); line && ret < 0;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t l = strcspn(line, " ");

		if (l == strlen(addr) && !strncmp(line, addr, l)) {
			kv(line, "dev", dev, n);
			ret = 0;
		}
	}
	free(buf);
	return ret;
}

/* ---- snapshot ---- */

static int write_lines(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/.passthru", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/.passthru/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return pt_set_error(errno, "snapshot: cannot write %s: %s", path,
				    strerror(errno));
	if (fputs(text, f) < 0)
		ret = -EIO;
	if (fclose(f) < 0 || ret)
		return pt_set_error(EIO, "snapshot: cannot write %s", path);
	return 0;
}

static const char *fam(int family)
{
	return family == AF_INET6 ? "inet6" : "inet";
}

int ptd_netfacts_write(struct pt_ctx *ctx, const char *dir,
		       const struct pt_strv *peers)
{
	struct ptd_netfacts nf;
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int ret;

	ret = ptd_netfacts_load(ctx, &nf);
	if (ret < 0)
		return ret;
	if (nf.untraced.n) {
		ret = pt_set_error(EOPNOTSUPP, "snapshot: route %s uses a nexthop "
				   "object the kernel did not describe", nf.untraced.v[0]);
		goto out;
	}
	m = open_memstream(&text, &len);
	for (int i = 0; m && i < nf.nr_routes; i++) {
		const struct ptd_route *r = &nf.routes[i];

		fprintf(m, "%s table=%u proto=%u type=%u dst=%s/%d dev=%s via=%s\n",
			fam(r->family), r->table, r->proto, r->type, r->dst, r->plen,
			*r->dev ? r->dev : "-", *r->via ? r->via : "-");
	}
	if (!m || fclose(m)) {
		ret = pt_set_error(ENOMEM, "out of memory");
		goto out;
	}
	ret = write_lines(dir, "routes", text);
	free(text);
	text = NULL;
	m = open_memstream(&text, &len);
	for (int i = 0; m && i < nf.nr_rules; i++) {
		const struct ptd_rule *r = &nf.rules[i];

		fprintf(m, "%s pref=%u table=%u iif=%s oif=%s\n", fam(r->family),
			r->pref, r->table, *r->iif ? r->iif : "-",
			*r->oif ? r->oif : "-");
	}
	if (!m || fclose(m)) {
		ret = pt_set_error(ENOMEM, "out of memory");
		goto out;
	}
	if (ret == 0)
		ret = write_lines(dir, "rules", text);
	free(text);
	text = NULL;
	m = open_memstream(&text, &len);
	for (int i = 0; m && i < nf.nr_addrs; i++)
		if (nf.addrs[i].family == AF_INET)
			fprintf(m, "%s inet %s/%d\n", nf.addrs[i].dev, nf.addrs[i].addr,
				nf.addrs[i].plen);
	if (!m || fclose(m)) {
		ret = pt_set_error(ENOMEM, "out of memory");
		goto out;
	}
	if (ret == 0)
		ret = write_lines(dir, "ifaddrs", text);
	free(text);
	text = NULL;
	m = open_memstream(&text, &len);
	for (int i = 0; m && peers && i < peers->n; i++) {
		char dev[IF_NAMESIZE];

		if (ptd_route_get(ctx, peers->v[i], dev, sizeof(dev)) == 0)
			fprintf(m, "%s dev=%s\n", peers->v[i], *dev ? dev : "-");
	}
	if (!m || fclose(m)) {
		ret = pt_set_error(ENOMEM, "out of memory");
		goto out;
	}
	if (ret == 0)
		ret = write_lines(dir, "route-get", text);
out:
	free(text);
	ptd_netfacts_free(&nf);
	return ret;
}
