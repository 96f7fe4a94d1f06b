/* SPDX-License-Identifier: MIT */
/*
 * bind-sim.h — a simulated PCI core behind struct pt_sysfs_ops, for the
 * unit tests of the step machine (test-bind.c) and of the transaction
 * (test-txn.c).
 *
 * It follows the kernel's rules that matter here (drivers/pci/pci-driver.c,
 * drivers/base/bus.c): driver_override limits matching to the named driver,
 * a lone "\n" clears it, drivers_probe binds an unbound device to the
 * override (if loaded) or its native driver, drivers/X/bind fails with
 * ENODEV when the override names another driver and EBUSY when bound.
 */
#ifndef PASSTHRU_TESTS_BIND_SIM_H
#define PASSTHRU_TESTS_BIND_SIM_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static inline void add_dev(const char *bdf, const char *drv, const char *native)
{
	struct sim_dev *d = &S.d[S.nr++];

	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	snprintf(d->driver, sizeof(d->driver), "%s", drv);
	snprintf(d->native, sizeof(d->native), "%s", native);
}

/* A temporary root with run/ and a binder on it (journals and locks go to
 * ROOT/run/passthru); binder_root_free() removes it all. */
static inline void binder_root(char *root, size_t n, const char *name,
			       struct pt_binder **b)
{
	char run[128];

	snprintf(root, n, "/tmp/pt-test-%s-XXXXXX", name);
	cr_assert_not_null(mkdtemp(root));
	snprintf(run, sizeof(run), "%s/run", root);
	cr_assert_eq(mkdir(run, 0755), 0);
	cr_assert_eq(ptb_binder_new(b, root, 0), 0);
}

static inline void binder_root_free(const char *root, struct pt_binder *b)
{
	char cmd[128];

	ptb_binder_free(b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	cr_assert_eq(system(cmd), 0);
}

#endif
