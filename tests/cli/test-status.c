// SPDX-License-Identifier: MIT
/*
 * test-status.c — `passthru status` (text and --json) and `list
 * --assigned` on the fixture machines, and on a copy of the server given
 * passthru's state and set-up: /etc/passthru.conf (a BDF on vfio-pci and
 * ids of a device still on pci-stub), a modprobe softdep, the udev rule and
 * the unit (enabled), a journal, and a QEMU process holding /dev/vfio/5 —
 * every line exactly; then the same state replayed from a snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

static void put(const char *root, const char *rel, const char *text)
{
	char path[4096], cmd[4200];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s/%s')\"", root, rel);
	cr_assert_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* A symlink with exactly this text, as /proc and systemctl make them. */
static void put_link(const char *root, const char *rel, const char *text)
{
	char path[4096], cmd[4200];

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s/%s')\"", root, rel);
	cr_assert_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert_eq(symlink(text, path), 0, "%s", path);
}

/* The server with passthru's state and set-up. */
static const char *server_in_use(void)
{
	const char *root = fixture_copy("server");

	put(root, "etc/passthru.conf", "# server\n0000:03:02.0 user=libvirt-qemu\n"
	    "8086:10d3 group=kvm  # the 82574L\n");
	put(root, "etc/modprobe.d/passthru.conf", "# passthru\nsoftdep iavf pre: vfio-pci\n");
	put(root, "etc/udev/rules.d/70-passthru-vfio.rules", "# passthru\n");
	put(root, "etc/systemd/system/passthru.service", "[Unit]\n");
	put_link(root, "etc/systemd/system/sysinit.target.wants/passthru.service",
		 "/etc/systemd/system/passthru.service");
	put(root, "run/passthru/group-5.journal", "passthru-journal 1\ngroup 5\nstate applied\n"
	    "member 0000:03:02.0 driver=iavf override= action=rebind\n");
	put(root, "proc/4242/comm", "qemu-system-x86\n");
	put_link(root, "proc/4242/fd/0", "/dev/null");
	put_link(root, "proc/4242/fd/17", "/dev/vfio/vfio");
	put_link(root, "proc/4242/fd/18", "/dev/vfio/5");
	put_link(root, "proc/4242/fd/19", "/dev/vfio/5");
	put_link(root, "proc/4242/fd/20", "/dev/vfio/devices/vfio0");
	put(root, "proc/1/comm", "systemd\n");
	put_link(root, "proc/1/fd/3", "socket:[12345]");
	return root;
}

static const char server_text[] =
	"On vfio-pci\n"
	"  BDF           IDS        DRIVER    GROUP  NODE         HELD BY" "                         "
	"PERSISTED  DEVICE\n"
	"  0000:03:02.0  8086:154c  vfio-pci  5      /dev/vfio/5  4242 qemu-system-x86 (+1 more)  "
	"yes        Intel Corporation Ethernet Virtual Function 700 Series\n"
	"\n"
	"Persisted (/etc/passthru.conf)\n"
	"  line 2: 0000:03:02.0 user=libvirt-qemu -> 0000:03:02.0 (vfio-pci)\n"
	"  line 3: 8086:10d3 group=kvm -> 0000:06:00.0 (pci-stub)\n"
	"\n"
	"Journals (/run/passthru)\n"
	"  group 5: applied: 0000:03:02.0 (was iavf)\n"
	"\n"
	"At boot\n"
	"  modprobe softdep  /etc/modprobe.d/passthru.conf: vfio-pci before iavf\n"
	"  udev rule         /etc/udev/rules.d/70-passthru-vfio.rules\n"
	"  systemd unit      /etc/systemd/system/passthru.service, enabled (wanted by sysinit.target)\n";

static void expect_server_json(const char *root)
{
	struct jv *j = pt_json(root, "status", "--json");
	const struct jv *a = jv_get(j, "assigned"), *h, *e;

	cr_expect_eq((int)jv_get(j, "version")->num, 1);
	cr_assert_eq(jv_len(a), 1);
	cr_expect_str_eq(jv_str(jv_get(jv_at(a, 0), "bdf")), "0000:03:02.0");
	cr_expect_str_eq(jv_str(jv_get(jv_at(a, 0), "driver")), "vfio-pci");
	cr_expect(jv_get(jv_at(a, 0), "bound")->b);
	cr_expect_eq((int)jv_get(jv_at(a, 0), "iommu_group")->num, 5);
	cr_expect_str_eq(jv_str(jv_get(jv_at(a, 0), "group_node")), "/dev/vfio/5");
	cr_expect_str_eq(jv_str(jv_get(jv_at(a, 0), "cdev_node")), "/dev/vfio/devices/vfio0");
	cr_expect_eq((int)jv_get(jv_at(a, 0), "persisted_line")->num, 2);
	/* the group node once (fds 18 and 19), and the cdev; not /dev/vfio/vfio */
	h = jv_get(jv_at(a, 0), "held_by");
	cr_assert_eq(jv_len(h), 2);
	cr_expect_eq((int)jv_get(jv_at(h, 0), "pid")->num, 4242);
	cr_expect_str_eq(jv_str(jv_get(jv_at(h, 0), "command")), "qemu-system-x86");
	cr_expect_str_eq(jv_str(jv_get(jv_at(h, 0), "node")), "/dev/vfio/5");
	cr_expect_str_eq(jv_str(jv_get(jv_at(h, 1), "node")), "/dev/vfio/devices/vfio0");
	cr_expect_eq((int)jv_get(j, "uninspected_processes")->num, 0);
	e = jv_get(jv_get(j, "persisted"), "entries");
	cr_assert_eq(jv_len(e), 2);
	cr_expect_str_eq(jv_str(jv_get(jv_at(e, 1), "device")), "8086:10d3");
	cr_expect_str_eq(jv_str(jv_get(jv_at(e, 1), "group")), "kvm");
	cr_expect(jv_is_null(jv_get(jv_at(e, 1), "user")));
	expect_strv(jv_get(jv_at(e, 1), "matches"), "8086:10d3 matches", "0000:06:00.0");
	cr_expect_str_eq(jv_str(jv_get(jv_at(jv_get(j, "journals"), 0), "state")), "applied");
	expect_strv(jv_get(jv_get(j, "softdeps"), "before"), "softdeps", "iavf");
	cr_expect_str_eq(jv_str(jv_get(jv_get(j, "udev_rule"), "path")),
			 "/etc/udev/rules.d/70-passthru-vfio.rules");
	cr_expect_str_eq(jv_str(jv_get(jv_get(j, "service"), "path")),
			 "/etc/systemd/system/passthru.service");
	expect_strv(jv_get(j, "service_wanted_by"), "wanted by", "sysinit.target");
	jv_free(j);
}

Test(status, server_in_use)
{
	const char *root = server_in_use();
	struct run r;

	pt(&r, root, "status");
	cr_expect_eq(r.status, 0);
	cr_expect_str_empty(r.err);
	cr_expect_str_eq(r.out, server_text);
	run_free(&r);
	expect_server_json(root);
}

/* A snapshot carries that state: the replay shows the same. */
Test(status, replayed_from_a_snapshot)
{
	const char *root = server_in_use();
	char tar[4096], dir[4096], cmd[16384];
	struct run r;

	snprintf(tar, sizeof(tar), "%s/../snap.tar", root);
	pt(&r, root, "snapshot", "-o", tar);
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_free(&r);
	snprintf(dir, sizeof(dir), "%s", tmp_dir("replay"));
	snprintf(cmd, sizeof(cmd), "tar -xf '%s' -C '%s'", tar, dir);
	cr_assert_eq(system(cmd), 0);
	pt(&r, dir, "status");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, server_text);
	run_free(&r);
	/* of the processes, only what holds /dev/vfio: not PID 1 */
	snprintf(cmd, sizeof(cmd), "test ! -e '%s/proc/1' && test -L '%s/proc/4242/fd/18' && "
		 "test ! -e '%s/proc/4242/fd/0'", dir, dir, dir);
	cr_expect_eq(system(cmd), 0, "snapshot took more of /proc than the vfio holders");
}

Test(status, nothing_set_up)
{
	struct run r;

	pt(&r, "amd", "status");
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(r.out,
		"On vfio-pci\n"
		"  BDF           IDS        DRIVER    GROUP  NODE          HELD BY  PERSISTED  DEVICE\n"
		"  0000:09:00.0  1002:73bf  vfio-pci  12     /dev/vfio/12  -        no         "
		"Advanced Micro Devices, Inc. [AMD/ATI] Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]\n"
		"  0000:09:00.1  1002:ab28  vfio-pci  12     /dev/vfio/12  -        no         "
		"Advanced Micro Devices, Inc. [AMD/ATI] Navi 21/23 HDMI/DP Audio Controller\n"
		"\n"
		"Persisted (/etc/passthru.conf)\n"
		"  nothing: the file does not exist\n"
		"\n"
		"Journals (/run/passthru)\n"
		"  none: no assign or release is half-way\n"
		"\n"
		"At boot\n"
		"  modprobe softdep  none (/etc/modprobe.d/passthru.conf does not exist)\n"
		"  udev rule         not installed (70-passthru-vfio.rules)\n"
		"  systemd unit      not installed (passthru.service)\n");
	run_free(&r);
	pt(&r, "workstation", "status");
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(line_at(r.out, 1), "  nothing: no device is bound to vfio-pci");
	run_free(&r);
}

/* Installed from a package (/lib), not enabled; a malformed config is
 * shown, not a reason to fail; a masked unit says so. */
Test(status, packaged_not_enabled_bad_config)
{
	const char *root = fixture_copy("workstation");
	struct run r;

	put(root, "lib/udev/rules.d/70-passthru-vfio.rules", "# packaged\n");
	put(root, "lib/systemd/system/passthru.service", "[Unit]\n");
	put(root, "etc/passthru.conf", "0000:01:00.0 colour=blue\n");
	pt(&r, root, "status");
	cr_expect_eq(r.status, 0);
	cr_expect_not_null(strstr(r.out, "Persisted (/etc/passthru.conf)\n  error: passthru.conf "
				  "line 1: unknown or malformed option 'colour=blue' (known: "
				  "user=NAME, group=NAME, force)\n"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "  udev rule         /lib/udev/rules.d/70-passthru-vfio.rules\n"
				  "  systemd unit      /lib/systemd/system/passthru.service, not "
				  "enabled: systemctl enable passthru.service\n"), "%s", r.out);
	run_free(&r);
	put_link(root, "etc/systemd/system/passthru.service", "/dev/null");
	pt(&r, root, "status");
	cr_expect_not_null(strstr(r.out, "  systemd unit      /etc/systemd/system/passthru.service, "
				  "masked (a link to /dev/null)\n"), "%s", r.out);
	run_free(&r);
}

/* A tree whose holder's comm is a FIFO is refused, naming it. */
Test(status, hostile_tree)
{
	const char *root = server_in_use();
	char path[4096], cmd[4200];
	struct run r;

	snprintf(path, sizeof(path), "%s/proc/4242/comm", root);
	unlink(path);
	snprintf(cmd, sizeof(cmd), "mkfifo '%s'", path);
	cr_assert_eq(system(cmd), 0);
	pt(&r, root, "status");
	cr_expect_eq(r.status, 2);
	cr_expect_str_empty(r.out);
	cr_expect_not_null(strstr(r.err, "proc/4242/comm is a FIFO"), "%s", r.err);
	run_free(&r);
}

Test(status, list_assigned)
{
	struct run r;
	struct jv *j;

	pt(&r, "amd", "list", "--assigned");
	cr_expect_eq(r.status, 0);
	cr_expect_eq(line_count(r.out), 3, "%s", r.out);
	cr_expect_eq(strncmp(line_at(r.out, 1), "0000:09:00.0  1002:73bf  display  vfio-pci  12  ", 48), 0,
		     "%s", r.out);
	run_free(&r);
	pt(&r, "amd", "list", "--assigned", "--groups");
	cr_expect_eq(r.status, 0);
	cr_expect_eq(strncmp(r.out, "IOMMU group 12  type DMA-FQ  viable\n", 36), 0, "%s", r.out);
	cr_expect_null(strstr(r.out, "IOMMU group 9 "), "%s", r.out);
	run_free(&r);
	j = pt_json("server", "list", "--assigned", "--json");
	cr_expect_eq(jv_len(jv_get(j, "devices")), 1);
	cr_expect_str_eq(jv_str(jv_get(jv_at(jv_get(j, "devices"), 0), "bdf")), "0000:03:02.0");
	cr_expect_eq(jv_len(jv_get(j, "groups")), 1);
	cr_expect_eq((int)jv_get(jv_at(jv_get(j, "groups"), 0), "id")->num, 5);
	jv_free(j);
	pt(&r, "workstation", "list", "--assigned");
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(r.out, "BDF  IDS  CLASS  DRIVER  GROUP  DEVICE  IN USE\n");
	run_free(&r);
}
