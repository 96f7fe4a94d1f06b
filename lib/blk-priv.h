/* SPDX-License-Identifier: MIT */
/*
 * blk-priv.h — internals shared by the blocker files: blockers.c (children,
 * reasons, groups), blk-storage.c (mounts, swaps, storage stacks),
 * blk-net.c (interface stacks, addresses, routes, rules, network peers),
 * blk-console.c (consoles, displays, keyboards), blk-platform.c (platform
 * devices, watchdogs) and netfacts.c (rtnetlink / .passthru/ facts).
 * Not installed.
 */
#ifndef PASSTHRU_BLK_PRIV_H
#define PASSTHRU_BLK_PRIV_H

#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "lib/disc-priv.h"

/* The stable ids of blocker reasons (pt_blocker.id). */
#define PT_BLK_MOUNT		"storage.mount"
#define PT_BLK_SWAP		"storage.swap"
#define PT_BLK_POOL		"storage.pool"
#define PT_BLK_STORAGE_UNKNOWN	"storage.untraced"
#define PT_BLK_ADDRESS		"net.address"
#define PT_BLK_ROUTE		"net.route"
#define PT_BLK_RULE		"net.rule"
#define PT_BLK_NETFS		"net.netfs"
#define PT_BLK_ISCSI		"net.iscsi"
#define PT_BLK_NET_UNKNOWN	"net.untraced"
#define PT_BLK_BOOT_VGA		"console.boot-vga"
#define PT_BLK_FRAMEBUFFER	"console.framebuffer"
#define PT_BLK_SERIAL		"console.serial"
#define PT_BLK_DRM		"display.drm-client"
#define PT_BLK_KEYBOARD		"input.keyboard"

/* Adds a reason (text built from fmt) to d, once: in_use and blockers. */
int ptd_blk_add(struct pt_device *d, const char *id, bool hard,
		const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The PCI device owning a block device / an interface (by name). */
struct pt_device *ptd_owner_of_block(struct pt_system *sys, const char *name);
struct pt_device *ptd_owner_of_if(struct pt_system *sys, const char *name);

/*
 * Fail closed: "cannot tell what uses WHAT (WHY)" on every device that
 * could hold it — storage devices (a disk below them, or class mass
 * storage) and/or network devices (an interface below them).
 */
enum { PTD_COULD_BE_STORAGE = 1, PTD_COULD_BE_NET = 2 };
int ptd_blk_untraced(struct pt_system *sys, int where, const char *what,
		     const char *why);

/* Reads a blocker source whole; a missing optional one is -ENOENT without
 * a message, anything else unreadable is an error naming the file. */
int ptd_blk_source(struct pt_ctx *ctx, const char *rel, bool optional,
		   char **buf);
/* proc files escape blanks as \040 etc.: decodes in place. */
void ptd_unescape_octal(char *s);

/* ---- network facts (netfacts.c): rtnetlink live, .passthru/ in a tree */

struct ptd_route {
	int family;			/* AF_INET, AF_INET6 */
	unsigned int table, proto, type;	/* RT_TABLE_*, RTPROT_*, RTN_* */
	char dst[INET6_ADDRSTRLEN];	/* "0.0.0.0", "::" for a default */
	int plen;
	char dev[IF_NAMESIZE];		/* one line per nexthop */
	char via[INET6_ADDRSTRLEN];	/* "" without a gateway */
};

struct ptd_rule {
	int family;
	unsigned int pref, table;
	char iif[IF_NAMESIZE], oif[IF_NAMESIZE];	/* "" when not given */
};

struct ptd_addr {
	int family;
	char dev[IF_NAMESIZE];
	char addr[INET6_ADDRSTRLEN];
	int plen;
	bool link_or_host;		/* IPv6 link-local or host scope */
};

struct ptd_netfacts {
	struct ptd_route *routes;
	int nr_routes;
	struct ptd_rule *rules;
	int nr_rules;
	struct ptd_addr *addrs;
	int nr_addrs;
	/* routes whose interface could not be told (a nexthop object the
	 * kernel did not describe): "10.1.0.0/16 table 100" */
	struct pt_strv untraced;
};

int ptd_netfacts_load(struct pt_ctx *ctx, struct ptd_netfacts *nf);
void ptd_netfacts_free(struct ptd_netfacts *nf);
/* The interface the kernel would send to addr through ("" for none);
 * live: an RTM_GETROUTE query; a tree: .passthru/route-get.  -ENOENT when
 * the tree does not know. */
int ptd_route_get(struct pt_ctx *ctx, const char *addr, char *dev, size_t n);
/* Snapshot: writes .passthru/routes, rules, ifaddrs and route-get (for
 * peers) under dir from the live kernel. */
int ptd_netfacts_write(struct pt_ctx *ctx, const char *dir,
		       const struct pt_strv *peers);

/* ---- the scan stages of the blockers, in reason order */
int ptd_blk_storage(struct pt_ctx *ctx, struct pt_system *sys);
int ptd_blk_net(struct pt_ctx *ctx, struct pt_system *sys);
/* A network peer (NFS server, iSCSI target) used by WHAT: the interface
 * the route to it leaves by, up to the NICs below it, is in use. */
int ptd_blk_net_peer(struct pt_ctx *ctx, struct pt_system *sys,
		     const char *id, const char *peer, const char *what);
int ptd_blk_console(struct pt_ctx *ctx, struct pt_system *sys);
int ptd_blk_platform(struct pt_ctx *ctx, struct pt_system *sys);

/* The network peers the storage uses (NFS/CIFS servers, iSCSI targets),
 * for snapshot's .passthru/route-get. */
int ptd_blk_storage_peers(struct pt_ctx *ctx, struct pt_strv *peers);

/* /proc/PID/fd links to a device node: "PID (comm)" of the processes
 * that have a node starting with prefix open; a tree holds the captured
 * proc/PID/fd links and proc/PID/comm. */
struct ptd_opener {
	char node[64];		/* "/dev/dri/card0" */
	char who[96];		/* "PID 1234 (Xorg)" */
};
int ptd_proc_openers(struct pt_ctx *ctx, const char *const prefixes[],
		     struct ptd_opener **out, int *n);

#endif
