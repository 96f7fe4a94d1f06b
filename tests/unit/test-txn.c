// SPDX-License-Identifier: MIT
/*
 * test-txn.c — the transaction (struct pt_txn) on a small captured tree,
 * its steps run against the simulated PCI core of bind-sim.h: refusal of
 * a blocked group without force, force per group and per config entry,
 * recovery of the named groups only and only when nothing holds them open
 * (audit item 3), release --recover, and release refused while a process
 * holds the group.
 *
 * The machine: group 1 is a boot-VGA GPU (blocked: console), group 2 a
 * NIC, group 3 an edu device without a driver, group 4 another NIC.
 */
#include <criterion/criterion.h>

#include "lib/txn-priv.h"
#include "tests/unit/bind-sim.h"
#include "tests/unit/disc-tree.h"

#define GPU	"0000:00:02.0"
#define NIC	"0000:00:19.0"
#define EDU	"0000:00:04.0"
#define NIC2	"0000:00:05.0"
#define LPC	"0000:00:1f.0"

static struct tt T;

static void machine(void)
{
	uint8_t cfg[4096];

	tt_init(&T);
	tt_mkdir(&T, "run");
	tt_cfg(cfg, 0x8086, 0x3e92, 0x030000, 0);
	tt_dev(&T, "pci0000:00/" GPU, cfg, 256, "i915", 1);
	tt_printf(&T, "sys/devices/pci0000:00/" GPU "/boot_vga", "1\n");
	tt_cfg(cfg, 0x8086, 0x10d3, 0x020000, 0);
	tt_dev(&T, "pci0000:00/" NIC, cfg, 256, "e1000e", 2);
	tt_cfg(cfg, 0x1234, 0x11e8, 0x00ff00, 0);
	tt_dev(&T, "pci0000:00/" EDU, cfg, 256, NULL, 3);
	tt_cfg(cfg, 0x8086, 0x10d3, 0x020000, 0);
	tt_dev(&T, "pci0000:00/" NIC2, cfg, 256, "e1000e", 4);
	tt_cfg(cfg, 0x8086, 0xa305, 0x060100, 0x80);	/* ISA/LPC bridge */
	tt_dev(&T, "pci0000:00/" LPC, cfg, 256, NULL, 5);
}

static void setup(void)
{
	memset(&S, 0, sizeof(S));
	machine();
	strcpy(S.loaded[S.nloaded++], "vfio-pci");
	strcpy(S.loaded[S.nloaded++], "e1000e");
	strcpy(S.loaded[S.nloaded++], "i915");
	add_dev(GPU, "i915", "i915");
	add_dev(NIC, "e1000e", "e1000e");
	add_dev(EDU, "", "");
	add_dev(NIC2, "e1000e", "e1000e");
	add_dev(LPC, "", "");
}

static void teardown(void)
{
	tt_fini(&T);
}

TestSuite(txn, .init = setup, .fini = teardown, .timeout = 30);

/* A live (non-dry) transaction on the tree, its steps simulated. */
static struct pt_txn *txn(enum pt_txn_op op, unsigned int flags)
{
	struct pt_txn *t;

	cr_assert_eq(pt_txn_new(&t, op, T.root, flags), 0, "%s", pt_last_error());
	ptt_set_ops(t, &sim_ops, NULL);
	return t;
}

static const char *driver_of(const char *bdf)
{
	return sim_find(bdf)->driver;
}

static bool journal_exists(int group)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/run/passthru/group-%d.journal", T.root, group);
	return access(path, F_OK) == 0;
}

static const struct pt_txn_note *find_note(struct pt_txn *t,
					   enum pt_txn_note_kind kind, int group)
{
	for (int i = 0; i < pt_txn_nr_notes(t); i++)
		if (pt_txn_note(t, i)->kind == kind && pt_txn_note(t, i)->group == group)
			return pt_txn_note(t, i);
	return NULL;
}

/* PID 4242 (qemu) holds /dev/vfio/GROUP open, as a VM would. */
static void hold_open(int group)
{
	char node[32];

	snprintf(node, sizeof(node), "/dev/vfio/%d", group);
	tt_link(&T, "proc/4242/fd/7", node);
	tt_printf(&T, "proc/4242/comm", "qemu\n");
}

static const char GPU_BLOCKED[] = GPU ": boot VGA device (firmware and early "
				  "console output)";

Test(txn, blocked_group_is_refused_without_force)
{
	struct pt_txn *t = txn(PT_TXN_ASSIGN, 0);
	const struct pt_txn_group *g;
	char want[512];

	cr_assert_eq(pt_txn_add_device(t, GPU, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), -EBUSY);
	snprintf(want, sizeof(want), "group 1 is blocked (%s); nothing was changed; "
		 "fix: stop using it (unmount, swapoff, `ip link set IFACE down`, "
		 "move the console) or pass --force", GPU_BLOCKED);
	cr_assert_str_eq(pt_last_error(), want);
	cr_assert_str_eq(pt_txn_error(t), want);
	cr_assert_eq(pt_txn_status(t), PT_TXN_REFUSED);
	g = pt_txn_group(t, 0);
	cr_assert_eq(g->id, 1);
	cr_assert(g->refused);
	cr_assert_eq(g->blocked_by.n, 1);
	cr_assert_str_eq(g->blocked_by.v[0], GPU_BLOCKED);
	cr_assert_eq(g->members[0]->move, PT_MOVE_TO_VFIO);
	/* nothing touched the kernel, nothing was journaled */
	cr_assert_eq(S.writes, 0);
	cr_assert_str_eq(driver_of(GPU), "i915");
	cr_assert_not(journal_exists(1));
	/* and a second try on the same transaction stays refused */
	cr_assert_eq(pt_txn_apply(t), -EBUSY);
	cr_assert_eq(S.writes, 0);
	pt_txn_free(t);
}

/* lib/ABI.md rule 3: struct pt_txn_opts is read by its size. */
Test(txn, opts_are_read_by_their_size)
{
	struct {
		struct pt_txn_opts o;
		uint64_t newer_field;	/* what a newer caller would append */
	} big = { .o = PT_TXN_OPTS_INIT };
	struct pt_txn_opts bad = { .force = true };	/* no size */
	struct pt_txn *t = txn(PT_TXN_ASSIGN, 0);

	cr_assert_eq(pt_txn_add_device(t, GPU, &bad), -EINVAL);
	cr_assert_str_eq(pt_last_error(), "pt_txn_add_device: struct pt_txn_opts: "
			 ".size is 0; fix: start from PT_TXN_OPTS_INIT");
	big.o.size = sizeof(big);
	big.o.force = true;
	big.newer_field = 7;
	cr_assert_eq(pt_txn_add_device(t, GPU, &big.o), -E2BIG);
	cr_assert_eq(pt_txn_nr_groups(t), 0, "a refused call adds no group");
	big.newer_field = 0;
	cr_assert_eq(pt_txn_add_device(t, GPU, &big.o), 0, "%s", pt_last_error());
	cr_assert(pt_txn_group(t, 0)->force, "the known fields were read");
	pt_txn_free(t);
}

Test(txn, force_moves_exactly_the_forced_group)
{
	struct pt_txn_opts force = { .size = sizeof(force), .force = true };
	struct pt_txn *t = txn(PT_TXN_ASSIGN, 0);

	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_add_device(t, GPU, &force), 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	cr_assert_str_eq(driver_of(GPU), "vfio-pci");
	cr_assert_str_eq(driver_of(NIC), "vfio-pci");
	cr_assert(pt_txn_group(t, 0)->force);		/* group 1 */
	cr_assert_not(pt_txn_group(t, 0)->refused);
	cr_assert_not(pt_txn_group(t, 1)->force);	/* group 2 */
	cr_assert_eq(pt_txn_group(t, 0)->members[0]->result, PT_BIND_DONE);
	cr_assert_eq(pt_txn_status(t), PT_TXN_OK);
	cr_assert(journal_exists(1) && journal_exists(2));
	pt_txn_free(t);
}

/* A platform device the host cannot run without: refused, forced or not. */
Test(txn, a_platform_device_is_refused_even_forced)
{
	struct pt_txn_opts force = { .size = sizeof(force), .force = true };
	struct pt_txn *t = txn(PT_TXN_ASSIGN, PT_TXN_FORCE);

	cr_assert_eq(pt_txn_add_device(t, LPC, &force), 0);
	cr_assert_eq(pt_txn_apply(t), -EBUSY);
	cr_assert_str_eq(pt_last_error(), "group 5 holds a platform device (" LPC
			 ": platform device (ISA/LPC bridge): the host cannot run "
			 "without it); nothing was changed: it is never assigned, not "
			 "even with --force");
	cr_assert(pt_txn_group(t, 0)->refused);
	cr_assert_eq(S.writes, 0);
	pt_txn_free(t);
}

/* Forcing one group does not force another of the same run. */
Test(txn, force_of_one_group_leaves_the_other_refused)
{
	struct pt_txn_opts force = { .size = sizeof(force), .force = true };
	struct pt_txn *t = txn(PT_TXN_ASSIGN, 0);

	cr_assert_eq(pt_txn_add_device(t, NIC, &force), 0);
	cr_assert_eq(pt_txn_add_device(t, GPU, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), -EBUSY);
	cr_assert(strstr(pt_last_error(), "group 1 is blocked"), "%s", pt_last_error());
	cr_assert(pt_txn_group(t, 0)->refused);
	cr_assert_not(pt_txn_group(t, 1)->refused);
	cr_assert_eq(S.writes, 0);
	pt_txn_free(t);
}

/* passthru.conf: force is the entry's, for that entry's groups. */
Test(txn, config_force_is_per_entry)
{
	static const char conf[] = "8086:3e92 force\n8086:10d3\n";
	struct pt_conf *c;
	struct pt_txn *t = txn(PT_TXN_ASSIGN, PT_TXN_DRY_RUN);

	cr_assert_eq(pt_conf_from_text(conf, strlen(conf), &c), 0);
	cr_assert_eq(pt_txn_add_config(t, c), 0, "%s", pt_last_error());
	pt_conf_free(c);
	cr_assert_eq(pt_txn_plan(t), 0, "%s", pt_last_error());
	cr_assert_eq(pt_txn_nr_groups(t), 3);
	cr_assert(pt_txn_group(t, 0)->force);	/* the GPU's */
	cr_assert_not(pt_txn_group(t, 1)->force);	/* the NICs' */
	cr_assert_not(pt_txn_group(t, 2)->force);
	pt_txn_free(t);
	/* and the other way round: the forced entry does not carry over */
	t = txn(PT_TXN_ASSIGN, PT_TXN_DRY_RUN);
	static const char conf2[] = "8086:3e92\n8086:10d3 force\n";
	cr_assert_eq(pt_conf_from_text(conf2, strlen(conf2), &c), 0);
	cr_assert_eq(pt_txn_add_config(t, c), 0);
	pt_conf_free(c);
	cr_assert_eq(pt_txn_plan(t), -EBUSY);
	cr_assert(pt_txn_group(t, 0)->refused);
	pt_txn_free(t);
}

/* A run that died after moving bdf but before its journal said
 * "applied" (SIGKILL between the last verify and the final write). */
static void crash_in(int group, const char *bdf)
{
	struct pt_txn *t = txn(PT_TXN_ASSIGN, 0);

	cr_assert_eq(pt_txn_add_device(t, bdf, NULL), 0);
	t->b->crash_step = 0;
	t->b->fail_step = 0;
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	pt_txn_free(t);
	{
		struct pt_binder *b;
		struct pt_bind_plan p;
		enum pt_journal_state st;

		cr_assert_eq(ptb_binder_new(&b, T.root, 0), 0);
		cr_assert_eq(ptb_journal_read(b, group, &p, &st), 0);
		cr_assert_eq(ptb_journal_write(b, &p, PT_JOURNAL_APPLYING), 0);
		ptb_binder_free(b);
	}
	cr_assert_str_eq(sim_find(bdf)->driver, "vfio-pci");
}

Test(txn, only_the_named_group_is_recovered)
{
	struct pt_txn *t;

	crash_in(2, NIC);
	crash_in(4, NIC2);
	t = txn(PT_TXN_RELEASE, 0);
	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	cr_assert_not_null(find_note(t, PT_NOTE_RECOVERED, 2));
	cr_assert_str_eq(find_note(t, PT_NOTE_RECOVERED, 2)->text, "group 2: recovered "
			 "from an interrupted assign (journal state applying): every "
			 "member is back on its original driver");
	cr_assert_str_eq(driver_of(NIC), "e1000e");
	cr_assert_not(journal_exists(2));
	/* group 4 is not this run's: said, untouched */
	cr_assert_not_null(find_note(t, PT_NOTE_INTERRUPTED, 4));
	cr_assert_str_eq(find_note(t, PT_NOTE_INTERRUPTED, 4)->text, "group 4 has an "
			 "interrupted assign (journal state applying); left alone: run "
			 "`passthru release --recover`");
	cr_assert_null(find_note(t, PT_NOTE_RECOVERED, 4));
	cr_assert_str_eq(driver_of(NIC2), "vfio-pci");
	cr_assert(journal_exists(4));
	pt_txn_free(t);
}

/* A process holds the interrupted group's node: not recovered (the
 * unbind would block), and the group refused; forced, it is. */
Test(txn, interrupted_group_in_use_is_not_recovered)
{
	struct pt_txn_opts force = { .size = sizeof(force), .force = true };
	struct pt_txn *t;

	crash_in(2, NIC);
	hold_open(2);
	t = txn(PT_TXN_ASSIGN, 0);
	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), -EBUSY);
	cr_assert_str_eq(pt_last_error(), "group 2 is blocked (an interrupted assign "
			 "is not undone: /dev/vfio/2 is open by PID 4242 (qemu)); "
			 "nothing was changed; fix: stop using it (unmount, swapoff, "
			 "`ip link set IFACE down`, move the console) or pass --force");
	cr_assert_str_eq(find_note(t, PT_NOTE_RECOVERY_IN_USE, 2)->text, "group 2: an "
			 "interrupted assign (journal state applying) is not undone: "
			 "/dev/vfio/2 is open by PID 4242 (qemu); fix: stop that process, "
			 "then run `passthru release --recover`");
	cr_assert_str_eq(driver_of(NIC), "vfio-pci");
	cr_assert(journal_exists(2));
	pt_txn_free(t);

	t = txn(PT_TXN_ASSIGN, 0);
	cr_assert_eq(pt_txn_add_device(t, NIC, &force), 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	cr_assert_not_null(find_note(t, PT_NOTE_RECOVERED, 2));
	cr_assert_str_eq(driver_of(NIC), "vfio-pci");
	pt_txn_free(t);
}

/* release --recover: every interrupted group, each with the in-use check;
 * the outcome decides the return value, never a note's text. */
Test(txn, recover_all_skips_what_is_in_use)
{
	struct pt_txn *t;

	crash_in(2, NIC);
	crash_in(4, NIC2);
	hold_open(4);
	t = txn(PT_TXN_RECOVER, 0);
	cr_assert_eq(pt_txn_apply(t), -EIO);
	cr_assert_str_eq(pt_last_error(), "1 interrupted run could not be recovered "
			 "(see the notes)");
	cr_assert_eq(pt_txn_status(t), PT_TXN_FAILED);
	cr_assert_not_null(find_note(t, PT_NOTE_RECOVERED, 2));
	cr_assert_not_null(find_note(t, PT_NOTE_RECOVERY_IN_USE, 4));
	cr_assert_str_eq(driver_of(NIC), "e1000e");
	cr_assert_str_eq(driver_of(NIC2), "vfio-pci");
	pt_txn_free(t);
	/* nothing left but the one in use; forced, it goes too */
	t = txn(PT_TXN_RECOVER, PT_TXN_FORCE);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	cr_assert_not_null(find_note(t, PT_NOTE_RECOVERED, 4));
	cr_assert_str_eq(driver_of(NIC2), "e1000e");
	pt_txn_free(t);
	t = txn(PT_TXN_RECOVER, 0);
	cr_assert_eq(pt_txn_apply(t), 0);
	cr_assert_eq(pt_txn_nr_notes(t), 1);
	cr_assert_eq(pt_txn_note(t, 0)->kind, PT_NOTE_NOTHING_TO_RECOVER);
	pt_txn_free(t);
}

/* More journals than the old cap of 64: all of them recovered. */
Test(txn, recover_all_sees_every_journal)
{
	struct pt_binder *b;
	struct pt_bind_plan p;
	struct pt_txn *t;
	int n = 0;

	cr_assert_eq(ptb_binder_new(&b, T.root, 0), 0);
	for (int g = 100; g < 180; g++) {
		ptb_plan_init(&p, g);
		cr_assert_eq(ptb_plan_add(&p, EDU, "", "", false), 0);
		cr_assert_eq(ptb_journal_write(b, &p, PT_JOURNAL_APPLYING), 0);
	}
	ptb_binder_free(b);
	t = txn(PT_TXN_RECOVER, 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	for (int i = 0; i < pt_txn_nr_notes(t); i++)
		n += pt_txn_note(t, i)->kind == PT_NOTE_RECOVERED;
	cr_assert_eq(n, 80);
	pt_txn_free(t);
}

/* release: a process holding the group refuses it, naming the process. */
Test(txn, release_refused_while_open)
{
	struct pt_txn *t = txn(PT_TXN_ASSIGN, 0);

	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	pt_txn_free(t);
	tt_link(&T, "sys/devices/pci0000:00/" NIC "/driver",
		"../../../bus/pci/drivers/vfio-pci");
	tt_mkdir(&T, "sys/bus/pci/drivers/vfio-pci");
	hold_open(2);
	t = txn(PT_TXN_RELEASE, 0);
	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), -EBUSY);
	cr_assert_str_eq(pt_last_error(), "group 2 is in use (/dev/vfio/2 is open by "
			 "PID 4242 (qemu)); nothing was changed; fix: stop that process "
			 "(the VM) first, or pass --force (the kernel then waits until "
			 "it lets go)");
	cr_assert_str_eq(driver_of(NIC), "vfio-pci");
	pt_txn_free(t);
	t = txn(PT_TXN_RELEASE, PT_TXN_FORCE);
	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	cr_assert_eq(pt_txn_group(t, 0)->members[0]->move, PT_MOVE_TO_DRIVER);
	cr_assert_str_eq(pt_txn_group(t, 0)->members[0]->target, "e1000e");
	cr_assert_str_eq(driver_of(NIC), "e1000e");
	pt_txn_free(t);
}

/* A failure in the second group undoes the first: all or nothing. */
Test(txn, a_failure_undoes_every_group)
{
	struct pt_txn *t = txn(PT_TXN_ASSIGN, 0);

	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_add_device(t, EDU, NULL), 0);
	/* group 2 (NIC) 4 steps, then group 3 (edu): its 2nd fails */
	t->b->fail_step = 6;
	cr_assert_eq(pt_txn_apply(t), -EIO);
	cr_assert_eq(pt_txn_status(t), PT_TXN_ROLLED_BACK);
	cr_assert(strstr(pt_last_error(), EDU " (group 3): step drivers_probe failed"),
		  "%s", pt_last_error());
	cr_assert_str_eq(driver_of(NIC), "e1000e");
	cr_assert_str_eq(driver_of(EDU), "");
	cr_assert_eq(pt_txn_group(t, 0)->members[0]->result, PT_BIND_ROLLED_BACK);
	cr_assert_eq(pt_txn_group(t, 1)->members[0]->result, PT_BIND_ROLLED_BACK);
	cr_assert_not(journal_exists(2));
	cr_assert_not(journal_exists(3));
	pt_txn_free(t);
}

/* A signal (run --assign's Ctrl-C) stops the run between groups, and what
 * it changed is undone. */
static volatile sig_atomic_t cancel;

static int sim_wait_node_then_cancel(struct pt_binder *b, const char *bdf,
				     int group, int timeout_ms)
{
	cancel = 1;	/* arrives while the first group is being verified */
	return sim_wait_node(b, bdf, group, timeout_ms);
}

Test(txn, cancel_between_groups_undoes_the_run)
{
	struct pt_sysfs_ops ops = sim_ops;
	struct pt_txn *t = txn(PT_TXN_ASSIGN, 0);

	ops.wait_vfio_node = sim_wait_node_then_cancel;
	ptt_set_ops(t, &ops, NULL);
	cancel = 0;
	pt_txn_set_cancel(t, &cancel);
	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_add_device(t, EDU, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), -ECANCELED);
	cr_assert_str_eq(pt_last_error(), "interrupted before group 3; every group "
			 "this run changed was restored");
	cr_assert_eq(pt_txn_status(t), PT_TXN_ROLLED_BACK);
	cr_assert_str_eq(driver_of(NIC), "e1000e");
	cr_assert_str_eq(driver_of(EDU), "");
	cr_assert_eq(pt_txn_group(t, 0)->members[0]->result, PT_BIND_ROLLED_BACK);
	cr_assert_not(journal_exists(2));
	pt_txn_free(t);
}

/* A tree is never changed for real by the live kernel operations. */
Test(txn, a_tree_is_only_planned)
{
	struct pt_txn *t;

	cr_assert_eq(pt_txn_new(&t, PT_TXN_ASSIGN, T.root, 0), 0);
	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), -EINVAL);
	cr_assert(strstr(pt_last_error(), "is a captured tree: only a dry run can plan "
			 "against it"), "%s", pt_last_error());
	pt_txn_free(t);
}

static char *slurp_rel(const char *rel)
{
	static char buf[4096];
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", T.root, rel);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void on_vfio(const char *bdf)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/driver", bdf);
	tt_link(&T, rel, "../../../bus/pci/drivers/vfio-pci");
	tt_mkdir(&T, "sys/bus/pci/drivers/vfio-pci");
}

static const char *note_text(struct pt_txn *t, int i)
{
	return i < pt_txn_nr_notes(t) ? pt_txn_note(t, i)->text : "(none)";
}

#define CONF_HEAD "# passthru.conf \xe2\x80\x94 devices assigned to vfio-pci at boot.\n" \
	"# Edited by `passthru assign/release --persist`; see passthru(1).\n"

/* --persist: passthru.conf and the softdep (with the devices it is for);
 * release --persist takes the softdep away with the last device needing
 * it, and a dry run names every file and line it would change. */
Test(txn, persist_and_release_undo_the_softdep)
{
	char mp[PATH_MAX], conf[PATH_MAX], want[PATH_MAX + 200];
	struct pt_txn *t;

	tt_mkdir(&T, "etc/modprobe.d");
	tt_printf(&T, "etc/modprobe.d/passthru.conf", "# mine\nsoftdep i915 pre: vfio-pci\n");
	snprintf(mp, sizeof(mp), "%s/etc/modprobe.d/passthru.conf", T.root);
	snprintf(conf, sizeof(conf), "%s/etc/passthru.conf", T.root);

	t = txn(PT_TXN_ASSIGN, PT_TXN_PERSIST | PT_TXN_DRY_RUN);
	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	cr_assert_eq(pt_txn_nr_notes(t), 3);
	snprintf(want, sizeof(want), "--persist would add " NIC " to %s", conf);
	cr_assert_str_eq(note_text(t, 0), want);
	snprintf(want, sizeof(want), "--persist would add 'softdep e1000e pre: vfio-pci' "
		 "to %s", mp);
	cr_assert_str_eq(note_text(t, 1), want);
	snprintf(want, sizeof(want), "--persist would create %s/etc/passthru.d/pci-" NIC
		 " (the udev rule's test)", T.root);
	cr_assert_str_eq(note_text(t, 2), want);
	pt_txn_free(t);
	cr_assert_null(slurp_rel("etc/passthru.conf"));
	cr_assert_null(slurp_rel("etc/passthru.d/pci-" NIC));

	t = txn(PT_TXN_ASSIGN, PT_TXN_PERSIST);
	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_add_device(t, NIC2, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	pt_txn_free(t);
	cr_assert_str_eq(slurp_rel("etc/passthru.conf"), CONF_HEAD NIC "\n" NIC2 "\n");
	cr_assert_str_eq(slurp_rel("etc/modprobe.d/passthru.conf"),
			 "# mine\nsoftdep i915 pre: vfio-pci\nsoftdep e1000e pre: vfio-pci\n"
			 "# passthru: e1000e for " NIC2 "\n# passthru: e1000e for " NIC "\n");
	/* the udev rule's tests: one empty file per entry */
	cr_assert_str_eq(slurp_rel("etc/passthru.d/pci-" NIC), "");
	cr_assert_str_eq(slurp_rel("etc/passthru.d/pci-" NIC2), "");
	on_vfio(NIC);
	on_vfio(NIC2);

	/* NIC2 still needs the softdep */
	t = txn(PT_TXN_RELEASE, PT_TXN_PERSIST);
	cr_assert_eq(pt_txn_add_device(t, NIC, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	pt_txn_free(t);
	cr_assert_str_eq(slurp_rel("etc/passthru.conf"), CONF_HEAD NIC2 "\n");
	cr_assert_null(slurp_rel("etc/passthru.d/pci-" NIC));
	cr_assert_str_eq(slurp_rel("etc/passthru.d/pci-" NIC2), "");
	cr_assert_str_eq(slurp_rel("etc/modprobe.d/passthru.conf"),
			 "# mine\nsoftdep i915 pre: vfio-pci\nsoftdep e1000e pre: vfio-pci\n"
			 "# passthru: e1000e for " NIC2 "\n");

	t = txn(PT_TXN_RELEASE, PT_TXN_PERSIST | PT_TXN_DRY_RUN);
	cr_assert_eq(pt_txn_add_device(t, NIC2, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	cr_assert_eq(pt_txn_nr_notes(t), 3);
	snprintf(want, sizeof(want), "--persist would remove 'softdep e1000e pre: "
		 "vfio-pci' from %s (no persisted device needs it)", mp);
	cr_assert_str_eq(note_text(t, 0), want);
	snprintf(want, sizeof(want), "--persist would remove " NIC2 " from %s", conf);
	cr_assert_str_eq(note_text(t, 1), want);
	snprintf(want, sizeof(want), "--persist would remove %s/etc/passthru.d/pci-" NIC2,
		 T.root);
	cr_assert_str_eq(note_text(t, 2), want);
	pt_txn_free(t);

	t = txn(PT_TXN_RELEASE, PT_TXN_PERSIST);
	cr_assert_eq(pt_txn_add_device(t, NIC2, NULL), 0);
	cr_assert_eq(pt_txn_apply(t), 0, "%s", pt_last_error());
	snprintf(want, sizeof(want), "removed 'softdep e1000e pre: vfio-pci' from %s "
		 "(no persisted device needs it)", mp);
	cr_assert_str_eq(note_text(t, 0), want);
	pt_txn_free(t);
	cr_assert_str_eq(slurp_rel("etc/passthru.conf"), CONF_HEAD);
	cr_assert_null(slurp_rel("etc/passthru.d/pci-" NIC2));
	/* the softdep written by hand, without passthru's comments, stays */
	cr_assert_str_eq(slurp_rel("etc/modprobe.d/passthru.conf"),
			 "# mine\nsoftdep i915 pre: vfio-pci\n");
}

/* assign --from-config (the boot service, or after a hand edit) makes the
 * udev rule's tests mirror the file: ids entries as udev spells $attr{}. */
Test(txn, from_config_mirrors_the_file_for_udev)
{
	static const char text[] = "8086:10d3 force\n" EDU "\n";
	struct pt_conf *c;
	struct pt_txn *t;

	tt_write(&T, "etc/passthru.d/pci-" NIC, "", 0);	/* no longer listed */
	cr_assert_eq(pt_conf_from_text(text, sizeof(text) - 1, &c), 0, "%s", pt_last_error());
	t = txn(PT_TXN_ASSIGN, PT_TXN_DRY_RUN);
	cr_assert_eq(pt_txn_add_config(t, c), 0, "%s", pt_last_error());
	pt_txn_free(t);
	cr_assert_null(slurp_rel("etc/passthru.d/pci-" EDU), "a dry run writes nothing");
	t = txn(PT_TXN_ASSIGN, 0);
	cr_assert_eq(pt_txn_add_config(t, c), 0, "%s", pt_last_error());
	pt_txn_free(t);
	cr_assert_str_eq(slurp_rel("etc/passthru.d/ids-0x8086:0x10d3"), "");
	cr_assert_str_eq(slurp_rel("etc/passthru.d/pci-" EDU), "");
	cr_assert_null(slurp_rel("etc/passthru.d/pci-" NIC));
	pt_conf_free(c);
}
