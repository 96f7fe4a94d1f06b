// SPDX-License-Identifier: MIT
/* test-journal.c — the assign journal: round trip, corruption, listing. */
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
	binder_root(root, sizeof(root), "journal", &B);
}

static void teardown(void)
{
	binder_root_free(root, B);
}

TestSuite(journal, .init = setup, .fini = teardown);

Test(journal, round_trip_exact_text)
{
	struct pt_bind_plan p, q;
	enum pt_journal_state st;
	char path[128], buf[512];
	FILE *f;
	size_t n;

	ptb_plan_init(&p, 12);
	cr_assert_eq(ptb_plan_add(&p, "0000:00:1c.0", "pcieport", "", true), 0);
	cr_assert_eq(ptb_plan_add(&p, "0000:01:00.0", "e1000e", "", false), 0);
	cr_assert_eq(ptb_plan_add(&p, "0000:01:00.1", "", "(null)", false), 0);
	cr_assert_eq(ptb_plan_add(&p, "0000:01:00.2", "vfio-pci", "vfio-pci", false), 0);
	cr_assert_eq(ptb_journal_write(B, &p, PT_JOURNAL_APPLYING), 0);
	snprintf(path, sizeof(path), "%s/run/passthru/group-12.journal", root);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	cr_assert_str_eq(buf, "passthru-journal 1\ngroup 12\nstate applying\n"
		"member 0000:00:1c.0 driver=pcieport override= action=bridge\n"
		"member 0000:01:00.0 driver=e1000e override= action=rebind\n"
		"member 0000:01:00.1 driver= override= action=rebind\n"
		"member 0000:01:00.2 driver=vfio-pci override=vfio-pci action=keep\n");
	cr_assert_eq(ptb_journal_read(B, 12, &q, &st), 0);
	cr_assert_eq(st, PT_JOURNAL_APPLYING);
	cr_assert(q.journaled);
	cr_assert_eq(q.group, 12);
	cr_assert_eq(q.nr, 4);
	for (int i = 0; i < 4; i++) {
		cr_assert_str_eq(q.m[i].bdf, p.m[i].bdf);
		cr_assert_str_eq(q.m[i].driver, p.m[i].driver);
		cr_assert_str_eq(q.m[i].override, p.m[i].override);
		cr_assert_eq(q.m[i].action, p.m[i].action);
	}
	cr_assert_eq(ptb_journal_write(B, &p, PT_JOURNAL_APPLIED), 0);
	cr_assert_eq(ptb_journal_read(B, 12, &q, &st), 0);
	cr_assert_eq(st, PT_JOURNAL_APPLIED);
}

Test(journal, list_and_remove)
{
	struct pt_bind_plan p;
	int *groups;

	cr_assert_eq(ptb_journal_list(B, &groups), 0);
	free(groups);
	for (int g = 9; g >= 7; g--) {
		ptb_plan_init(&p, g);
		ptb_plan_add(&p, "0000:01:00.0", "x", "", false);
		cr_assert_eq(ptb_journal_write(B, &p, PT_JOURNAL_APPLIED), 0);
	}
	cr_assert_eq(ptb_journal_list(B, &groups), 3);
	cr_assert_eq(groups[0], 7);
	cr_assert_eq(groups[2], 9);
	free(groups);
	cr_assert_eq(ptb_journal_remove(B, 8), 0);
	cr_assert_eq(ptb_journal_remove(B, 8), 0);
	cr_assert_eq(ptb_journal_list(B, &groups), 2);
	cr_assert_eq(groups[1], 9);
	free(groups);
	cr_assert_eq(ptb_journal_read(B, 8, &p, &(enum pt_journal_state){0}), -ENOENT);
}

/* Audit item 7: the list stopped at 64 journals, silently (`release
 * --recover` then never saw the 65th interrupted group). */
Test(journal, every_journal_is_listed_past_64)
{
	struct pt_bind_plan p;
	int *groups, n;

	for (int g = 0; g < 150; g++) {
		ptb_plan_init(&p, 1000 - g);
		ptb_plan_add(&p, "0000:01:00.0", "x", "", false);
		cr_assert_eq(ptb_journal_write(B, &p, PT_JOURNAL_APPLYING), 0);
	}
	n = ptb_journal_list(B, &groups);
	cr_assert_eq(n, 150);
	for (int i = 0; i < n; i++)
		cr_assert_eq(groups[i], 851 + i);
	free(groups);
}

/* Audit item 2: the journal is root's alone, like the locks. */
Test(journal, written_0600_in_a_0700_directory)
{
	struct pt_bind_plan p;
	char path[128];
	struct stat st;

	ptb_plan_init(&p, 4);
	ptb_plan_add(&p, "0000:01:00.0", "x", "", false);
	cr_assert_eq(ptb_journal_write(B, &p, PT_JOURNAL_APPLIED), 0);
	snprintf(path, sizeof(path), "%s/run/passthru", root);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0700, "%o", st.st_mode & 07777);
	snprintf(path, sizeof(path), "%s/run/passthru/group-4.journal", root);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600, "%o", st.st_mode & 07777);
}

static int __parse(const char *s)
{
	struct pt_bind_plan p;
	enum pt_journal_state st;

	return ptb_journal_parse(s, strlen(s), &p, &st);
}

Test(journal, corrupt_is_rejected)
{
	static const char *const bad[] = {
		"",
		"passthru-journal 2\ngroup 1\nstate applied\nmember 0000:01:00.0 driver=a override= action=rebind\n",
		"passthru-journal 1\ngroup -1\nstate applied\nmember 0000:01:00.0 driver=a override= action=rebind\n",
		"passthru-journal 1\ngroup 1x\nstate applied\nmember 0000:01:00.0 driver=a override= action=rebind\n",
		"passthru-journal 1\ngroup 1\nstate done\nmember 0000:01:00.0 driver=a override= action=rebind\n",
		"passthru-journal 1\ngroup 1\nstate applied\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0 driver=a override= action=eat\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0 driver=a/b override= action=rebind\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0 driver=a override=\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0 override= driver=a action=rebind\n",
		/* audit item 9: names that are options to modprobe, or leave
		 * sys/bus/pci/drivers/, or a BDF that leaves its directory */
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0 driver=-C/tmp/x override= action=rebind\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0 driver=--verbose override= action=rebind\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0 driver=.. override= action=rebind\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0 driver=a..b override= action=rebind\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0 driver=a override=-x action=rebind\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0 driver=a override=.. action=rebind\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember 0000:01:00.0/.. driver=a override= action=rebind\n",
		"passthru-journal 1\ngroup 1\nstate applied\nmember ../../../x driver=a override= action=rebind\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(__parse(bad[i]), -EBADMSG, "case %zu", i);
	cr_assert_eq(__parse("passthru-journal 1\ngroup 1\nstate applied\n"
			     "member 0000:01:00.0 driver=a override= action=rebind\n"), 0);
	/* the names real drivers have */
	cr_assert_eq(__parse("passthru-journal 1\ngroup 1\nstate applied\n"
			     "member 0000:01:00.0 driver=snd_hda_intel override= action=rebind\n"
			     "member 0000:01:00.1 driver=ehci-pci override=vfio-pci action=keep\n"
			     "member 0000:01:00.2 driver= override= action=rebind\n"), 0);
}

Test(journal, corrupt_file_error_names_it)
{
	char path[128];
	struct pt_bind_plan p;
	enum pt_journal_state st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/run/passthru", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/run/passthru/group-3.journal", root);
	f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	cr_assert_eq(ptb_journal_read(B, 3, &p, &st), -EBADMSG);
	cr_assert(strstr(pt_last_error(), "group-3.journal is corrupt; fix:"),
		  "%s", pt_last_error());
}
