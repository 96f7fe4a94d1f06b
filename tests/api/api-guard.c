// SPDX-License-Identifier: MIT
/*
 * api-guard.c — a program that uses libpassthru the way another project
 * would: the installed <passthru.h> and the shared library, nothing else
 * (tests/api/module.mk builds it against a copy of the installed headers
 * only).  It tries to move DEVICE's group to vfio-pci, and then tries the
 * ways around a refusal the public API leaves open: applying again,
 * planning again, and writing force into the plan it was shown.
 *
 *	api-guard [--root DIR] [--dry-run] [--force] [--release] DEVICE
 *
 * Prints "status S", "error E", one "group ..." line per group and one
 * "member ..." line per member, and "retry: ..." for each way around.
 * Exit: 0 applied, 1 refused (and every retry refused too), 2 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <passthru.h>

static const char *const moves[] = {
	"stays-bridge", "stays-vfio", "stays-was-vfio", "stays-not-vfio",
	"to-vfio", "to-driver", "to-no-driver", "to-default",
};

static void show(struct pt_txn *t)
{
	printf("status %s\n", pt_txn_status_name(pt_txn_status(t)));
	printf("error %s\n", pt_txn_error(t));
	for (int i = 0; i < pt_txn_nr_groups(t); i++) {
		const struct pt_txn_group *g = pt_txn_group(t, i);

		printf("group %d refused %d force %d blocked %d\n", g->id, g->refused,
		       g->force, g->blocked_by.n);
		for (int k = 0; k < g->nr_members; k++)
			printf("member %s %s %s %s\n", g->members[k]->bdf,
			       *g->members[k]->driver ? g->members[k]->driver : "-",
			       moves[g->members[k]->move],
			       pt_bind_result_name(g->members[k]->result));
	}
}

/* Every way around a refusal this header offers; 0 when all stay refused. */
static int retry(struct pt_txn *t)
{
	struct pt_txn_group *g;
	int bad = 0, ret;

	ret = pt_txn_apply(t);
	printf("retry: apply again: %d\n", ret);
	bad += ret != -EBUSY;
	ret = pt_txn_plan(t);
	printf("retry: plan again: %d\n", ret);
	bad += ret != -EBUSY;
	/* the plan is shown const; a program may still write to it */
	for (int i = 0; i < pt_txn_nr_groups(t); i++) {
		g = (struct pt_txn_group *)pt_txn_group(t, i);
		g->refused = false;
		g->force = true;
	}
	ret = pt_txn_apply(t);
	printf("retry: apply with force written into the plan: %d\n", ret);
	bad += ret != -EBUSY;
	ret = pt_txn_add_device(t, "0000:00:00.0",
				&(struct pt_txn_opts){ .size = sizeof(struct pt_txn_opts),
						       .force = true });
	printf("retry: add a forced device after the plan: %d\n", ret);
	bad += ret != -EINVAL;
	return bad;
}

int main(int argc, char **argv)
{
	const char *root = NULL, *dev = NULL;
	unsigned int flags = 0;
	struct pt_txn_opts o = PT_TXN_OPTS_INIT;
	enum pt_txn_op op = PT_TXN_ASSIGN;
	struct pt_txn *t;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--root") && i + 1 < argc)
			root = argv[++i];
		else if (!strcmp(argv[i], "--dry-run"))
			flags |= PT_TXN_DRY_RUN;
		else if (!strcmp(argv[i], "--force"))
			o.force = true;
		else if (!strcmp(argv[i], "--release"))
			op = PT_TXN_RELEASE;
		else
			dev = argv[i];
	}
	if (!dev) {
		fprintf(stderr, "usage: api-guard [--root DIR] [--dry-run] [--force] "
			"[--release] DEVICE\n");
		return 2;
	}
	if (pt_txn_new(&t, op, root, flags) || pt_txn_add_device(t, dev, &o)) {
		fprintf(stderr, "api-guard: %s\n", pt_last_error());
		return 2;
	}
	ret = pt_txn_apply(t);
	show(t);
	if (ret == -EBUSY)
		ret = retry(t) ? 2 : 1;
	else
		ret = ret ? 2 : 0;
	pt_txn_free(t);
	return ret;
}
