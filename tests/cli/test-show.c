// SPDX-License-Identifier: MIT
/*
 * test-show.c — `passthru show DEVICE` in every DEVICE form (full BDF,
 * short BDF, vendor:device, interface name), text and --json, against the
 * generated machines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/cli/cli.h"

static const char *bdf_of(const struct jv *show)
{
	const char *s = jv_str(jv_get(jv_get(show, "device"), "bdf"));

	return s ? s : "<none>";
}

/* Every form names the same device, in text and JSON alike. */
static void same_device(const char *machine, const char *want, const char *const forms[])
{
	struct run ref;

	pt(&ref, machine, "show", want);
	cr_assert_eq(ref.status, 0, "show %s: %s", want, ref.err);
	for (int i = 0; forms[i]; i++) {
		struct jv *j = pt_json(machine, "show", forms[i], "--json");
		struct run r;

		cr_expect_str_eq(bdf_of(j), want, "show %s --json", forms[i]);
		jv_free(j);
		pt(&r, machine, "show", forms[i]);
		cr_expect_eq(r.status, 0, "show %s: %s", forms[i], r.err);
		cr_expect_str_eq(r.out, ref.out, "show %s differs from show %s",
				 forms[i], want);
		run_free(&r);
	}
	run_free(&ref);
}

Test(show, device_forms)
{
	static const char *const pf[] = { "0000:03:00.0", "03:00.0", "8086:1572",
					  "ens1f0", NULL };
	static const char *const nic[] = { "0000:05:00.0", "05:00.0", "eno1", NULL };
	static const char *const ws_nic[] = { "03:00.0", "8086:1539", "enp3s0", NULL };
	static const char *const gpu[] = { "01:00.0", "10de:1b80", NULL };
	static const char *const vf[] = { "03:02.3", "ens1f0v3", NULL };
	static const char *const wifi[] = { "00:14.3", "8086:02f0", "wlp0s20f3", NULL };
	static const char *const amd_gpu[] = { "09:00.0", "1002:73bf", NULL };
	static const char *const amd_nic[] = { "04:00.0", "8086:1539", "enp4s0", NULL };

	same_device("server", "0000:03:00.0", pf);
	same_device("server", "0000:05:00.0", nic);
	same_device("server", "0000:03:02.3", vf);
	same_device("workstation", "0000:03:00.0", ws_nic);
	same_device("workstation", "0000:01:00.0", gpu);
	same_device("laptop", "0000:00:14.3", wifi);
	same_device("amd", "0000:09:00.0", amd_gpu);
	same_device("amd", "0000:04:00.0", amd_nic);
}

/* show --json carries the same device and group objects as list --json. */
Test(show, json_agrees_with_list)
{
	static const char *const machines[] = { "workstation", "server", "laptop", "amd" };

	for (int m = 0; m < 4; m++) {
		struct jv *list = pt_json(machines[m], "list", "--json");
		const struct jv *ds = jv_get(list, "devices");

		for (int i = 0; i < jv_len(ds); i++) {
			const struct jv *d = jv_at(ds, i);
			const char *bdf = jv_str(jv_get(d, "bdf"));
			struct jv *show = pt_json(machines[m], "show", bdf, "--json");
			const struct jv *g = jv_get(show, "group");

			cr_expect(jv_equal(jv_get(show, "device"), d),
				  "%s %s: show and list disagree", machines[m], bdf);
			if (jv_is_null(jv_get(d, "iommu_group"))) {
				cr_expect(jv_is_null(g), "%s %s: group", machines[m], bdf);
			} else {
				const struct jv *gs = jv_get(list, "groups"), *lg = NULL;

				for (int k = 0; k < jv_len(gs); k++)
					if (jv_equal(jv_get(jv_at(gs, k), "id"),
						     jv_get(d, "iommu_group")))
						lg = jv_at(gs, k);
				cr_expect_not_null(lg, "%s %s: group not listed", machines[m], bdf);
				cr_expect(jv_equal(g, lg), "%s %s: show and list disagree on "
					  "the group", machines[m], bdf);
			}
			jv_free(show);
		}
		jv_free(list);
	}
}

Test(show, group_peers_and_assign_plan)
{
	struct jv *j = pt_json("workstation", "show", "01:00.1", "--json");
	const struct jv *peers = jv_get(j, "peers"), *a = jv_get(j, "assign");

	cr_assert_eq(jv_len(peers), 2);
	cr_expect_str_eq(jv_str(jv_get(jv_at(peers, 0), "bdf")), "0000:00:01.0");
	cr_expect_str_eq(jv_str(jv_get(jv_at(peers, 1), "bdf")), "0000:01:00.0");
	expect_strv(jv_get(jv_get(j, "group"), "devices"), "group 1",
		    "0000:00:01.0", "0000:01:00.0", "0000:01:00.1");
	cr_expect(jv_get(a, "possible")->b);
	cr_expect(jv_get(a, "blocked")->b);
	expect_strv(jv_get(a, "rebind"), "rebind", "0000:01:00.0", "0000:01:00.1");
	expect_strv(jv_get(a, "blocked_by"), "assign blocked_by",
		    "0000:01:00.0: boot VGA device (firmware and early console output)",
		    "0000:01:00.0: drives framebuffer fb0 (console on tty0)");
	jv_free(j);

	/* the free NVMe on the server: possible, not blocked */
	j = pt_json("server", "show", "04:00.0", "--json");
	a = jv_get(j, "assign");
	cr_expect(jv_get(a, "possible")->b);
	cr_expect_not(jv_get(a, "blocked")->b);
	expect_strv(jv_get(a, "rebind"), "rebind", "0000:04:00.0");
	expect_strv(jv_get(a, "blocked_by"), "nvme blocked_by", NULL);
	jv_free(j);

	/* no IOMMU: nothing can be assigned, and show says why */
	j = pt_json("laptop", "show", "00:02.0", "--json");
	a = jv_get(j, "assign");
	cr_expect(jv_is_null(jv_get(j, "group")));
	cr_expect_eq(jv_len(jv_get(j, "peers")), 0);
	cr_expect_not(jv_get(a, "possible")->b);
	cr_expect_str_eq(jv_str(jv_get(a, "reason")),
			 "no IOMMU: the machine has no IOMMU enabled");
	jv_free(j);
}

Test(show, text)
{
	struct run r;

	pt(&r, "server", "show", "03:02.0");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_empty(r.err);
	cr_expect_str_eq(line_at(r.out, 0),
			 "0000:03:02.0  Intel Corporation Ethernet Virtual Function 700 Series");
	cr_expect_str_eq(line_at(r.out, 1), "  ids              8086:154c (subsystem 8086:0001)");
	cr_expect_str_eq(line_at(r.out, 4), "  driver           vfio-pci");
	cr_expect_str_eq(line_at(r.out, 5), "  driver_override  vfio-pci");
	cr_expect_str_eq(line_at(r.out, 6), "  iommu group      5");
	cr_expect_not_null(strstr(r.out, "\n  SR-IOV PF        0000:03:00.0\n"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "\n  reset methods    flr\n"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "`passthru assign 0000:03:02.0` has nothing to do: "
				  "every endpoint is on vfio-pci\n"), "%s", r.out);
	run_free(&r);

	pt(&r, "server", "show", "eno1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_not_null(strstr(r.out, "`passthru assign 0000:05:00.0` would rebind to "
				  "vfio-pci: 0000:05:00.0, 0000:05:00.1\n"
				  "It would refuse without --force:\n"
				  "  blocked by 0000:05:00.0: eno1 carries the default route (IPv4)\n"
				  "  blocked by 0000:05:00.0: eno1 has address 10.0.0.5/24\n"),
			   "%s", r.out);
	cr_expect_not_null(strstr(r.out, "\n  network          eno1\n"), "%s", r.out);
	run_free(&r);

	pt(&r, "workstation", "show", "02:00.0");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_not_null(strstr(r.out, "\n  reset methods    device_specific, flr, bus\n"),
			   "%s", r.out);
	run_free(&r);
}
