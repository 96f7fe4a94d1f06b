// SPDX-License-Identifier: MIT
/*
 * test-bind.c — the assign/release step machine and its rollback, driven
 * against a simulated PCI core (tests/unit/bind-sim.h) through
 * pt_sysfs_ops.  It proves the ORDER and the ROLLBACK logic; the lab
 * (tests/lab/cases/assign-*.sh) proves the same code on a real kernel.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bind-priv.h"
#include "tests/unit/bind-sim.h"

static char root[64];
static struct pt_binder *B;

static void setup(void)
{
	memset(&S, 0, sizeof(S));
	binder_root(root, sizeof(root), "bind", &B);
	B->ops = &sim_ops;
	B->fail_step = 0;
	strcpy(S.loaded[S.nloaded++], "vfio-pci");
	strcpy(S.loaded[S.nloaded++], "pcieport");
	strcpy(S.loaded[S.nloaded++], "e1000e");
	strcpy(S.loaded[S.nloaded++], "snd_hda_intel");
	/* group 5: a root port, a NIC, an audio function, an unbound one */
	add_dev("0000:00:1c.0", "pcieport", "pcieport");
	add_dev("0000:01:00.0", "e1000e", "e1000e");
	add_dev("0000:01:00.1", "snd_hda_intel", "snd_hda_intel");
	add_dev("0000:01:00.2", "", "igb");	/* native driver not loaded */
}

static void teardown(void)
{
	binder_root_free(root, B);
}

static void plan_from_sim(struct pt_bind_plan *p, int group)
{
	ptb_plan_init(p, group);
	for (int i = 0; i < S.nr; i++)
		cr_assert_eq(ptb_plan_add(p, S.d[i].bdf, S.d[i].driver,
					      S.d[i].override,
					      !strcmp(S.d[i].bdf, "0000:00:1c.0")), 0);
}

static void assert_dev(const char *bdf, const char *drv, const char *ovr)
{
	struct sim_dev *d = sim_find(bdf);

	cr_assert_not_null(d);
	cr_assert_str_eq(d->driver, drv, "%s: driver %s, want %s", bdf, d->driver, drv);
	cr_assert_str_eq(d->override, ovr, "%s: override '%s', want '%s'", bdf,
			 d->override, ovr);
}

static bool journal_exists(int group)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/run/passthru/group-%d.journal", root, group);
	return access(path, F_OK) == 0;
}

static void assert_original(void)
{
	assert_dev("0000:00:1c.0", "pcieport", "");
	assert_dev("0000:01:00.0", "e1000e", "");
	assert_dev("0000:01:00.1", "snd_hda_intel", "");
	assert_dev("0000:01:00.2", "", "");
}

TestSuite(bind, .init = setup, .fini = teardown);

Test(bind, plan_actions)
{
	struct pt_bind_plan p;

	plan_from_sim(&p, 5);
	cr_assert_eq(p.nr, 4);
	cr_assert_eq(p.m[0].action, PT_BIND_BRIDGE);
	cr_assert_eq(p.m[1].action, PT_BIND_REBIND);
	cr_assert_eq(p.m[2].action, PT_BIND_REBIND);
	cr_assert_eq(p.m[3].action, PT_BIND_REBIND);
	cr_assert_eq(ptb_plan_count(&p, PT_BIND_REBIND), 3);
	cr_assert(pt_driver_is_vfio("vfio-pci"));
	cr_assert(pt_driver_is_vfio("mlx5_vfio_pci"));
	cr_assert_not(pt_driver_is_vfio("pci-stub"));
	cr_assert_not(pt_driver_is_vfio(""));
	cr_assert_eq(ptb_plan_add(&p, "0000:02:00.0 x", "", "", false), -EINVAL);
}

Test(bind, assign_moves_every_endpoint_and_journals)
{
	struct pt_bind_plan p, j;
	enum pt_journal_state st;

	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_assign(B, &p), 0, "%s", pt_last_error());
	assert_dev("0000:00:1c.0", "pcieport", "");
	assert_dev("0000:01:00.0", "vfio-pci", "vfio-pci");
	assert_dev("0000:01:00.1", "vfio-pci", "vfio-pci");
	assert_dev("0000:01:00.2", "vfio-pci", "vfio-pci");
	cr_assert_eq(p.m[0].result, PT_BIND_UNCHANGED);
	cr_assert_eq(p.m[1].result, PT_BIND_DONE);
	/* 4 steps for each bound member, 3 for the unbound one */
	cr_assert_eq(B->step, 4 + 4 + 3);
	/* exact write order for the first member */
	cr_assert_str_eq(S.log,
		"sys/bus/pci/devices/0000:01:00.0/driver_override<-vfio-pci;"
		"sys/bus/pci/devices/0000:01:00.0/driver/unbind<-0000:01:00.0;"
		"sys/bus/pci/drivers_probe<-0000:01:00.0;"
		"sys/bus/pci/devices/0000:01:00.1/driver_override<-vfio-pci;"
		"sys/bus/pci/devices/0000:01:00.1/driver/unbind<-0000:01:00.1;"
		"sys/bus/pci/drivers_probe<-0000:01:00.1;"
		"sys/bus/pci/devices/0000:01:00.2/driver_override<-vfio-pci;"
		"sys/bus/pci/drivers_probe<-0000:01:00.2;");
	cr_assert_eq(ptb_journal_read(B, 5, &j, &st), 0);
	cr_assert_eq(st, PT_JOURNAL_APPLIED);
	cr_assert_eq(j.nr, 4);
	cr_assert_str_eq(j.m[1].driver, "e1000e");
	cr_assert_str_eq(j.m[2].driver, "snd_hda_intel");
	cr_assert_str_eq(j.m[3].driver, "");
	cr_assert_eq(j.m[0].action, PT_BIND_BRIDGE);
}

/* Fail every step in turn: the group must always end as it started. */
Test(bind, failure_at_every_step_rolls_back_everything)
{
	static const char *const names[] = {
		"driver_override", "unbind", "drivers_probe", "verify",
		"driver_override", "unbind", "drivers_probe", "verify",
		"driver_override", "drivers_probe", "verify",
	};
	static const char *const bdfs[] = {
		"0000:01:00.0", "0000:01:00.0", "0000:01:00.0", "0000:01:00.0",
		"0000:01:00.1", "0000:01:00.1", "0000:01:00.1", "0000:01:00.1",
		"0000:01:00.2", "0000:01:00.2", "0000:01:00.2",
	};

	for (int k = 1; k <= 11; k++) {
		struct pt_bind_plan p;
		char want[160];
		int ret;

		B->step = 0;
		B->fail_step = k;
		plan_from_sim(&p, 5);
		ret = ptb_assign(B, &p);
		cr_assert_eq(ret, -EIO, "step %d: ret %d", k, ret);
		cr_assert_str_eq(p.failed_step, names[k - 1], "step %d", k);
		cr_assert_str_eq(p.failed_bdf, bdfs[k - 1], "step %d", k);
		snprintf(want, sizeof(want), "%s (group 5): step %s failed: "
			 "Input/output error (injected by a test hook)",
			 bdfs[k - 1], names[k - 1]);
		cr_assert(!strncmp(pt_last_error(), want, strlen(want)),
			  "step %d: %s", k, pt_last_error());
		cr_assert(strstr(pt_last_error(), "every member of group 5 was "
				 "restored to its original driver"));
		assert_original();
		cr_assert_not(journal_exists(5), "step %d: journal left", k);
		/* a failed driver_override write changed nothing */
		cr_assert_eq(p.m[1].result, k == 1 ? PT_BIND_UNCHANGED :
			     PT_BIND_ROLLED_BACK, "step %d", k);
		cr_assert_eq(p.m[3].result, k <= 9 ? PT_BIND_UNCHANGED :
			     PT_BIND_ROLLED_BACK, "step %d", k);
	}
}

Test(bind, vfio_probe_failure_is_caught_by_verify)
{
	struct pt_bind_plan p;

	sim_find("0000:01:00.1")->vfio_probe_fails = true;
	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_assign(B, &p), -ETIMEDOUT);
	cr_assert_str_eq(p.failed_step, "verify");
	cr_assert_str_eq(p.failed_bdf, "0000:01:00.1");
	cr_assert(strstr(pt_last_error(), "0000:01:00.1 (group 5): step verify "
			 "failed: the device is bound to no driver, not vfio-pci"),
		  "%s", pt_last_error());
	assert_original();
	cr_assert_eq(p.m[1].result, PT_BIND_ROLLED_BACK);
	cr_assert_eq(p.m[2].result, PT_BIND_ROLLED_BACK);
	cr_assert_eq(p.m[3].result, PT_BIND_UNCHANGED);
}

Test(bind, failed_rollback_keeps_the_journal)
{
	struct pt_bind_plan p, j;
	enum pt_journal_state st;

	sim_find("0000:01:00.0")->native_refuses = true;
	B->fail_step = 5;	/* first step of the second member */
	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_assign(B, &p), -ENOTRECOVERABLE);
	cr_assert(strstr(pt_last_error(), "and the rollback failed too: "
			 "0000:01:00.0: restoring e1000e failed at step bind"),
		  "%s", pt_last_error());
	cr_assert_eq(p.m[1].result, PT_BIND_FAILED);
	cr_assert(journal_exists(5));
	cr_assert_eq(ptb_journal_read(B, 5, &j, &st), 0);
	cr_assert_eq(st, PT_JOURNAL_APPLYING);
	cr_assert_str_eq(j.m[1].driver, "e1000e");
}

Test(bind, release_restores_from_journal)
{
	struct pt_bind_plan p, j;
	enum pt_journal_state st;

	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_assign(B, &p), 0);
	cr_assert_eq(ptb_journal_read(B, 5, &j, &st), 0);
	cr_assert_eq(ptb_release(B, &j), 0, "%s", pt_last_error());
	assert_original();	/* .2 had no driver: it stays without one */
	cr_assert_not(journal_exists(5));
	cr_assert_eq(j.m[1].result, PT_BIND_DONE);
	cr_assert_eq(j.m[0].result, PT_BIND_UNCHANGED);
}

Test(bind, release_without_journal_gives_default_driver)
{
	struct pt_bind_plan p;

	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_assign(B, &p), 0);
	ptb_journal_remove(B, 5);
	strcpy(S.loaded[S.nloaded++], "igb");
	plan_from_sim(&p, 5);	/* current state: on vfio-pci, nothing known */
	cr_assert_eq(ptb_release(B, &p), 0, "%s", pt_last_error());
	assert_dev("0000:01:00.0", "e1000e", "");
	assert_dev("0000:01:00.1", "snd_hda_intel", "");
	assert_dev("0000:01:00.2", "igb", "");
}

Test(bind, idempotent_assign_and_release)
{
	struct pt_bind_plan p, j;
	enum pt_journal_state st;
	int writes;

	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_assign(B, &p), 0);
	writes = S.writes;
	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_plan_count(&p, PT_BIND_REBIND), 0);
	cr_assert_eq(ptb_assign(B, &p), 0);
	cr_assert_eq(S.writes, writes, "second assign wrote to sysfs");
	cr_assert_eq(ptb_journal_read(B, 5, &j, &st), 0);	/* still there */
	cr_assert_eq(ptb_release(B, &j), 0);
	writes = S.writes;
	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_release(B, &p), 0);
	cr_assert_eq(S.writes, writes, "second release wrote to sysfs");
	assert_original();
}

Test(bind, vfio_pci_is_loaded_on_demand)
{
	struct pt_bind_plan p;

	S.nloaded = 0;
	strcpy(S.loaded[S.nloaded++], "e1000e");
	strcpy(S.loaded[S.nloaded++], "snd_hda_intel");
	S.modprobe_works = false;
	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_assign(B, &p), -ENOENT);
	cr_assert_str_eq(p.failed_step, "modprobe");
	cr_assert(strstr(pt_last_error(), "group 5: step modprobe failed: the "
			 "vfio-pci driver is not loaded"), "%s", pt_last_error());
	cr_assert_eq(S.writes, 0);
	cr_assert_not(journal_exists(5));
	S.modprobe_works = true;
	cr_assert_eq(ptb_assign(B, &p), 0, "%s", pt_last_error());
	assert_dev("0000:01:00.0", "vfio-pci", "vfio-pci");
}

Test(bind, dry_run_changes_nothing)
{
	struct pt_bind_plan p;

	B->flags |= PTB_DRY_RUN;
	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_assign(B, &p), 0);
	cr_assert_eq(S.writes, 0);
	cr_assert_eq(p.m[1].result, PT_BIND_PLANNED);
	cr_assert_not(journal_exists(5));
	assert_original();
}

Test(bind, no_iommu_group_is_refused)
{
	struct pt_bind_plan p;

	plan_from_sim(&p, -1);
	cr_assert_eq(ptb_assign(B, &p), -ENODEV);
	cr_assert(strstr(pt_last_error(), "0000:00:1c.0 has no IOMMU group"));
	cr_assert_eq(S.writes, 0);
}

/* Held for vfio-pci but unbound when assign ran (udev rule at boot):
 * release must drop the hold and let the kernel pick the driver. */
Test(bind, boot_held_device_is_released_to_the_default_driver)
{
	struct pt_bind_plan p, j;
	enum pt_journal_state st;
	struct sim_dev *d = sim_find("0000:01:00.0");

	d->driver[0] = '\0';
	strcpy(d->override, "vfio-pci");
	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_assign(B, &p), 0, "%s", pt_last_error());
	cr_assert_eq(ptb_journal_read(B, 5, &j, &st), 0);
	cr_assert_str_eq(j.m[1].driver, "");
	cr_assert_str_eq(j.m[1].override, "vfio-pci");
	cr_assert_eq(ptb_release(B, &j), 0, "%s", pt_last_error());
	assert_dev("0000:01:00.0", "e1000e", "");
	assert_dev("0000:01:00.2", "", "");	/* truly had no driver */
}

/* A release that died half-way (journal "releasing", one member back, one
 * still on vfio-pci) is finished by running release again from the journal. */
Test(bind, interrupted_release_is_finished_from_the_journal)
{
	struct pt_bind_plan p, j;
	enum pt_journal_state st;
	struct sim_dev *d;

	plan_from_sim(&p, 5);
	cr_assert_eq(ptb_assign(B, &p), 0);
	cr_assert_eq(ptb_journal_read(B, 5, &j, &st), 0);
	cr_assert_eq(ptb_journal_write(B, &j, PT_JOURNAL_RELEASING), 0);
	d = sim_find("0000:01:00.0");	/* the dead run got this far */
	d->override[0] = '\0';
	strcpy(d->driver, "e1000e");
	cr_assert_eq(ptb_journal_read(B, 5, &j, &st), 0);
	cr_assert_eq(st, PT_JOURNAL_RELEASING);
	cr_assert_eq(ptb_release(B, &j), 0, "%s", pt_last_error());
	assert_original();
	cr_assert_eq(j.m[1].result, PT_BIND_UNCHANGED);	/* already back */
	cr_assert_eq(j.m[2].result, PT_BIND_DONE);
	cr_assert_not(journal_exists(5));
}

/* Audit item 3: when the journal could not record the finished assign,
 * the run said "rolled back" (status) and "nothing was changed" (message)
 * while every member stayed on vfio-pci under a journal saying "applying".
 * Now the group is really rolled back, and the message says why. */
static bool block_journal;

static int sim_write_blocking_journal(struct pt_binder *b, const char *path,
				      const char *val)
{
	char tmp[160];

	if (block_journal) {
		/* the final write's temporary file cannot be created */
		snprintf(tmp, sizeof(tmp), "%s/run/passthru/group-5.journal.tmp", root);
		mkdir(tmp, 0700);
		block_journal = false;
	}
	return sim_write(b, path, val);
}

Test(bind, failed_final_journal_write_rolls_back_and_says_so)
{
	struct pt_sysfs_ops ops = sim_ops;
	struct pt_bind_plan p;
	char tmp[160];
	int ret;

	ops.write = sim_write_blocking_journal;
	B->ops = &ops;
	block_journal = true;
	plan_from_sim(&p, 5);
	ret = ptb_assign(B, &p);
	cr_assert_eq(ret, -EISDIR, "ret %d: %s", ret, pt_last_error());
	cr_assert_str_eq(p.failed_step, "journal");
	cr_assert(strstr(pt_last_error(), "group 5: step journal failed: recording "
			 "the finished assign: journal "), "%s", pt_last_error());
	cr_assert(strstr(pt_last_error(), "group-5.journal: writing failed: Is a "
			 "directory"), "%s", pt_last_error());
	cr_assert(strstr(pt_last_error(), "every member of group 5 was restored to "
			 "its original driver"), "%s", pt_last_error());
	cr_assert_null(strstr(pt_last_error(), "nothing was changed"), "%s",
		       pt_last_error());
	assert_original();
	cr_assert_eq(p.m[1].result, PT_BIND_ROLLED_BACK);
	cr_assert_eq(p.m[3].result, PT_BIND_ROLLED_BACK);
	cr_assert_not(journal_exists(5));
	snprintf(tmp, sizeof(tmp), "%s/run/passthru/group-5.journal.tmp", root);
	rmdir(tmp);
}

/* Audit item 9: modprobe never takes a module name for an option. */
Test(bind, modprobe_gets_a_double_dash)
{
	char dir[128], script[192], log[192], cmd[512], *path = getenv("PATH");
	char saved[4096];
	FILE *f;

	snprintf(saved, sizeof(saved), "%s", path ? path : "");
	snprintf(dir, sizeof(dir), "%s/bin", root);
	cr_assert_eq(mkdir(dir, 0755), 0);
	snprintf(script, sizeof(script), "%s/modprobe", dir);
	snprintf(log, sizeof(log), "%s/argv", root);
	f = fopen(script, "w");
	cr_assert_not_null(f);
	fprintf(f, "#!/bin/sh\nprintf '%%s|' \"$@\" >%s\n", log);
	fclose(f);
	chmod(script, 0755);
	setenv("PATH", dir, 1);
	cr_assert_eq(ptb_live_ops.modprobe(B, "-C/etc/evil"), 0);
	setenv("PATH", saved, 1);
	snprintf(cmd, sizeof(cmd), "%s", log);
	f = fopen(cmd, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(cmd, sizeof(cmd), f));
	fclose(f);
	cr_assert_str_eq(cmd, "-q|--|-C/etc/evil|");
}
