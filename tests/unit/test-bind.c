// SPDX-License-Identifier: MIT
/*
 * test-bind.c — the assign/release step machine and its rollback, driven
 * against a simulated PCI core (struct sim below) through pt_sysfs_ops.
 *
 * The simulator follows the kernel's rules that matter here
 * (drivers/pci/pci-driver.c, drivers/base/bus.c): driver_override limits
 * matching to the named driver, a lone "\n" clears it, drivers_probe binds
 * an unbound device to the override (if loaded) or its native driver,
 * drivers/X/bind fails with ENODEV when the override names another driver
 * and EBUSY when bound.  It proves the ORDER and the ROLLBACK logic; the
 * lab (tests/lab/cases/assign-*.sh) proves the same code on a real kernel.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bind-priv.h"

#define SIM_DEVS 8

struct sim_dev {
	char bdf[16];
	char driver[64];
	char override[64];
	char native[64];	/* driver that binds on probe without override */
	bool vfio_probe_fails;	/* vfio-pci's probe returns an error */
	bool native_refuses;	/* native driver's probe fails (rollback fails) */
};

struct sim {
	struct sim_dev d[SIM_DEVS];
	int nr;
	char loaded[8][64];
	int nloaded;
	bool modprobe_works;
	int writes;
	char log[4096];
};

static struct sim S;
static char root[64];
static struct pt_binder *B;

static struct sim_dev *sim_find(const char *bdf)
{
	for (int i = 0; i < S.nr; i++)
		if (!strcmp(S.d[i].bdf, bdf))
			return &S.d[i];
	return NULL;
}

static bool sim_loaded(struct pt_binder *b, const char *name)
{
	for (int i = 0; i < S.nloaded; i++)
		if (!strcmp(S.loaded[i], name))
			return true;
	return false;
}

static void sim_probe(struct sim_dev *d)
{
	const char *want = *d->override ? d->override : d->native;

	if (*d->driver || !*want || !sim_loaded(NULL, want))
		return;
	if (!strcmp(want, "vfio-pci") && d->vfio_probe_fails)
		return;
	if (strcmp(want, "vfio-pci") && d->native_refuses)
		return;
	strcpy(d->driver, want);
}

static int sim_write(struct pt_binder *b, const char *path, const char *val)
{
	char bdf[32], attr[64], drv[64];
	struct sim_dev *d;

	S.writes++;
	snprintf(S.log + strlen(S.log), sizeof(S.log) - strlen(S.log),
		 "%s<-%s;", path, strcmp(val, "\n") ? val : "NL");
	if (!strcmp(path, "sys/bus/pci/drivers_probe")) {
		d = sim_find(val);
		if (!d)
			return -ENODEV;
		sim_probe(d);
		return 0;
	}
	if (sscanf(path, "sys/bus/pci/drivers/%63[^/]/%63s", drv, attr) == 2) {
		d = sim_find(val);
		if (!d || strcmp(attr, "bind") || !sim_loaded(b, drv))
			return -ENODEV;
		if (*d->driver)
			return -EBUSY;
		if (*d->override && strcmp(d->override, drv))
			return -ENODEV;
		if (d->native_refuses)
			return -ENXIO;
		strcpy(d->driver, drv);
		return 0;
	}
	if (sscanf(path, "sys/bus/pci/devices/%31[^/]/%63[^\n]", bdf, attr) != 2)
		return -ENOENT;
	d = sim_find(bdf);
	if (!d)
		return -ENOENT;
	if (!strcmp(attr, "driver_override")) {
		snprintf(d->override, sizeof(d->override), "%s",
			 strcmp(val, "\n") ? val : "");
		return 0;
	}
	if (!strcmp(attr, "driver/unbind")) {
		if (!*d->driver)
			return -ENOENT;
		d->driver[0] = '\0';
		return 0;
	}
	return -EACCES;
}

static int sim_driver(struct pt_binder *b, const char *bdf, char *buf, size_t n)
{
	struct sim_dev *d = sim_find(bdf);

	if (!d)
		return -ENOENT;
	snprintf(buf, n, "%s", d->driver);
	return 0;
}

static int sim_modprobe(struct pt_binder *b, const char *module)
{
	if (!S.modprobe_works || strcmp(module, "vfio-pci"))
		return -ENOENT;
	strcpy(S.loaded[S.nloaded++], "vfio-pci");
	return 0;
}

static int sim_wait_driver(struct pt_binder *b, const char *bdf, const char *want,
			   int timeout_ms)
{
	struct sim_dev *d = sim_find(bdf);

	return d && !strcmp(d->driver, want) ? 0 : -ETIMEDOUT;
}

static int sim_wait_node(struct pt_binder *b, const char *bdf, int group,
			 int timeout_ms)
{
	return sim_wait_driver(b, bdf, "vfio-pci", timeout_ms);
}

static const struct pt_sysfs_ops sim_ops = {
	.write = sim_write,
	.driver = sim_driver,
	.driver_loaded = sim_loaded,
	.modprobe = sim_modprobe,
	.wait_driver = sim_wait_driver,
	.wait_vfio_node = sim_wait_node,
};

static void add_dev(const char *bdf, const char *drv, const char *native)
{
	struct sim_dev *d = &S.d[S.nr++];

	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	snprintf(d->driver, sizeof(d->driver), "%s", drv);
	snprintf(d->native, sizeof(d->native), "%s", native);
}

static void setup(void)
{
	char run[96];

	memset(&S, 0, sizeof(S));
	strcpy(root, "/tmp/pt-test-bind-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	snprintf(run, sizeof(run), "%s/run", root);
	cr_assert_eq(mkdir(run, 0755), 0);
	cr_assert_eq(pt_binder_new(&B, root, 0), 0);
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
	char cmd[128];

	pt_binder_free(B);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	cr_assert_eq(system(cmd), 0);
}

static void plan_from_sim(struct pt_bind_plan *p, int group)
{
	pt_bind_plan_init(p, group);
	for (int i = 0; i < S.nr; i++)
		cr_assert_eq(pt_bind_plan_add(p, S.d[i].bdf, S.d[i].driver,
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
	cr_assert_eq(pt_bind_plan_count(&p, PT_BIND_REBIND), 3);
	cr_assert(pt_driver_is_vfio("vfio-pci"));
	cr_assert(pt_driver_is_vfio("mlx5_vfio_pci"));
	cr_assert_not(pt_driver_is_vfio("pci-stub"));
	cr_assert_not(pt_driver_is_vfio(""));
	cr_assert_eq(pt_bind_plan_add(&p, "0000:02:00.0 x", "", "", false), -EINVAL);
}

Test(bind, assign_moves_every_endpoint_and_journals)
{
	struct pt_bind_plan p, j;
	enum pt_journal_state st;

	plan_from_sim(&p, 5);
	cr_assert_eq(pt_bind_assign(B, &p), 0, "%s", pt_last_error());
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
	cr_assert_eq(pt_journal_read(B, 5, &j, &st), 0);
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
		ret = pt_bind_assign(B, &p);
		cr_assert_eq(ret, -EIO, "step %d: ret %d", k, ret);
		cr_assert_str_eq(p.failed_step, names[k - 1], "step %d", k);
		cr_assert_str_eq(p.failed_bdf, bdfs[k - 1], "step %d", k);
		snprintf(want, sizeof(want), "%s (group 5): step %s failed: "
			 "Input/output error (injected by PASSTHRU_TEST_FAIL_STEP)",
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
	cr_assert_eq(pt_bind_assign(B, &p), -ETIMEDOUT);
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
	cr_assert_eq(pt_bind_assign(B, &p), -ENOTRECOVERABLE);
	cr_assert(strstr(pt_last_error(), "and the rollback failed too: "
			 "0000:01:00.0: restoring e1000e failed at step bind"),
		  "%s", pt_last_error());
	cr_assert_eq(p.m[1].result, PT_BIND_FAILED);
	cr_assert(journal_exists(5));
	cr_assert_eq(pt_journal_read(B, 5, &j, &st), 0);
	cr_assert_eq(st, PT_JOURNAL_APPLYING);
	cr_assert_str_eq(j.m[1].driver, "e1000e");
}

Test(bind, release_restores_from_journal)
{
	struct pt_bind_plan p, j;
	enum pt_journal_state st;

	plan_from_sim(&p, 5);
	cr_assert_eq(pt_bind_assign(B, &p), 0);
	cr_assert_eq(pt_journal_read(B, 5, &j, &st), 0);
	cr_assert_eq(pt_bind_release(B, &j), 0, "%s", pt_last_error());
	assert_original();	/* .2 had no driver: it stays without one */
	cr_assert_not(journal_exists(5));
	cr_assert_eq(j.m[1].result, PT_BIND_DONE);
	cr_assert_eq(j.m[0].result, PT_BIND_UNCHANGED);
}

Test(bind, release_without_journal_gives_default_driver)
{
	struct pt_bind_plan p;

	plan_from_sim(&p, 5);
	cr_assert_eq(pt_bind_assign(B, &p), 0);
	pt_journal_remove(B, 5);
	strcpy(S.loaded[S.nloaded++], "igb");
	plan_from_sim(&p, 5);	/* current state: on vfio-pci, nothing known */
	cr_assert_eq(pt_bind_release(B, &p), 0, "%s", pt_last_error());
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
	cr_assert_eq(pt_bind_assign(B, &p), 0);
	writes = S.writes;
	plan_from_sim(&p, 5);
	cr_assert_eq(pt_bind_plan_count(&p, PT_BIND_REBIND), 0);
	cr_assert_eq(pt_bind_assign(B, &p), 0);
	cr_assert_eq(S.writes, writes, "second assign wrote to sysfs");
	cr_assert_eq(pt_journal_read(B, 5, &j, &st), 0);	/* still there */
	cr_assert_eq(pt_bind_release(B, &j), 0);
	writes = S.writes;
	plan_from_sim(&p, 5);
	cr_assert_eq(pt_bind_release(B, &p), 0);
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
	cr_assert_eq(pt_bind_assign(B, &p), -ENOENT);
	cr_assert_str_eq(p.failed_step, "modprobe");
	cr_assert(strstr(pt_last_error(), "group 5: step modprobe failed: the "
			 "vfio-pci driver is not loaded"), "%s", pt_last_error());
	cr_assert_eq(S.writes, 0);
	cr_assert_not(journal_exists(5));
	S.modprobe_works = true;
	cr_assert_eq(pt_bind_assign(B, &p), 0, "%s", pt_last_error());
	assert_dev("0000:01:00.0", "vfio-pci", "vfio-pci");
}

Test(bind, dry_run_changes_nothing)
{
	struct pt_bind_plan p;

	B->flags |= PT_BINDER_DRY_RUN;
	plan_from_sim(&p, 5);
	cr_assert_eq(pt_bind_assign(B, &p), 0);
	cr_assert_eq(S.writes, 0);
	cr_assert_eq(p.m[1].result, PT_BIND_PLANNED);
	cr_assert_not(journal_exists(5));
	assert_original();
}

Test(bind, no_iommu_group_is_refused)
{
	struct pt_bind_plan p;

	plan_from_sim(&p, -1);
	cr_assert_eq(pt_bind_assign(B, &p), -ENODEV);
	cr_assert(strstr(pt_last_error(), "0000:00:1c.0 has no IOMMU group"));
	cr_assert_eq(S.writes, 0);
}

Test(bind, lock_excludes_a_second_holder)
{
	int a, b2;

	a = pt_bind_lock_group(B, 5, false);
	cr_assert_geq(a, 0, "%s", pt_last_error());
	cr_assert_eq(pt_bind_lock_group(B, 5, false), -EWOULDBLOCK);
	{
		char want[160];

		snprintf(want, sizeof(want), "group 5 is locked by another "
			 "passthru run (%s/run/passthru/group-5.lock)", root);
		cr_assert_str_eq(pt_last_error(), want);
	}
	b2 = pt_bind_lock_group(B, 6, false);	/* other groups are free */
	cr_assert_geq(b2, 0);
	pt_bind_unlock_group(a);
	a = pt_bind_lock_group(B, 5, false);
	cr_assert_geq(a, 0);
	pt_bind_unlock_group(a);
	pt_bind_unlock_group(b2);
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
	cr_assert_eq(pt_bind_assign(B, &p), 0, "%s", pt_last_error());
	cr_assert_eq(pt_journal_read(B, 5, &j, &st), 0);
	cr_assert_str_eq(j.m[1].driver, "");
	cr_assert_str_eq(j.m[1].override, "vfio-pci");
	cr_assert_eq(pt_bind_release(B, &j), 0, "%s", pt_last_error());
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
	cr_assert_eq(pt_bind_assign(B, &p), 0);
	cr_assert_eq(pt_journal_read(B, 5, &j, &st), 0);
	cr_assert_eq(pt_journal_write(B, &j, PT_JOURNAL_RELEASING), 0);
	d = sim_find("0000:01:00.0");	/* the dead run got this far */
	d->override[0] = '\0';
	strcpy(d->driver, "e1000e");
	cr_assert_eq(pt_journal_read(B, 5, &j, &st), 0);
	cr_assert_eq(st, PT_JOURNAL_RELEASING);
	cr_assert_eq(pt_bind_release(B, &j), 0, "%s", pt_last_error());
	assert_original();
	cr_assert_eq(j.m[1].result, PT_BIND_UNCHANGED);	/* already back */
	cr_assert_eq(j.m[2].result, PT_BIND_DONE);
	cr_assert_not(journal_exists(5));
}
