// SPDX-License-Identifier: MIT
/*
 * test-disk-label.c — what drivers/disk-label.c makes of a disk's first and
 * last blocks: blank, data, MBR and GPT partition tables (with the extents
 * in use), whole-disk filesystems and volume headers, 512-byte and 4 KiB
 * LBAs, small disks; and which byte ranges it then lets a driver write.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/disk-label.h"

#define MIB (1024ull * 1024)

static uint8_t *disk;
static uint64_t disk_size;

static void mkdisk(uint64_t size)
{
	free(disk);
	disk = calloc(1, size);
	cr_assert(disk);
	disk_size = size;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Scans the disk the way nvme.c does: only the areas the label asks for. */
static void scan(struct pt_disk_label *l, uint32_t lba)
{
	uint64_t off;

	pt_disk_label_init(l, disk_size, lba);
	for (unsigned int n = 0; pt_disk_label_area(l, n, &off); n++) {
		cr_assert_eq(off % PT_DISK_AREA, 0);
		cr_assert_leq(off + PT_DISK_AREA, disk_size);
		pt_disk_label_scan(l, off, disk + off, PT_DISK_AREA);
	}
}

static void mbr_entry(int i, uint8_t type, uint32_t first, uint32_t count)
{
	uint8_t *e = disk + 446 + 16 * i;

	e[0] = 0x00;
	e[4] = type;
	put32(e + 8, first);
	put32(e + 12, count);
	disk[510] = 0x55;
	disk[511] = 0xaa;
}

static const char *may(const struct pt_disk_label *l, uint64_t a, uint64_t b, bool d)
{
	return pt_disk_label_may_write(l, a, b, d);
}

Test(disk_label, blank_disk_is_writable_anywhere)
{
	struct pt_disk_label l;

	mkdisk(64 * MIB);
	scan(&l, 512);
	cr_assert_eq(l.kind, PT_DISK_BLANK);
	cr_assert_null(may(&l, MIB, 5 * MIB, false));
	cr_assert_not_null(may(&l, 63 * MIB, 65 * MIB, true), "past the end");
	cr_assert_not_null(may(&l, MIB, MIB, true), "empty range");
}

Test(disk_label, unknown_data_needs_a_declaration)
{
	struct pt_disk_label l;

	mkdisk(64 * MIB);
	disk[64 * MIB - 100] = 0x42;		/* in the last 128 KiB */
	scan(&l, 512);
	cr_assert_eq(l.kind, PT_DISK_DATA);
	cr_assert_eq(l.at, 64 * MIB - 100);
	cr_assert_not_null(may(&l, MIB, 2 * MIB, false));
	cr_assert_null(may(&l, MIB, 2 * MIB, true));
}

Test(disk_label, data_outside_the_areas_is_not_seen)
{
	struct pt_disk_label l;

	mkdisk(64 * MIB);
	disk[10 * MIB] = 0x42;		/* nothing keeps a header there */
	scan(&l, 512);
	cr_assert_eq(l.kind, PT_DISK_BLANK);
}

Test(disk_label, mbr_partitions_are_in_use)
{
	struct pt_disk_label l;

	mkdisk(64 * MIB);
	mbr_entry(0, 0x83, 2048, 32768);	/* 1 MiB .. 17 MiB */
	scan(&l, 512);
	cr_assert_eq(l.kind, PT_DISK_PARTITIONED);
	cr_assert_str_eq(l.what, "an MBR partition table");
	cr_assert_not_null(may(&l, 32 * MIB, 36 * MIB, false), "not declared");
	cr_assert_null(may(&l, 32 * MIB, 36 * MIB, true), "free space");
	cr_assert_not_null(may(&l, 16 * MIB, 18 * MIB, true), "overlaps the partition");
	cr_assert_not_null(may(&l, 0, 512, true), "the MBR itself");
	cr_assert_null(may(&l, 512, MIB, true), "the gap before the partition");
	cr_assert_null(may(&l, 17 * MIB, 18 * MIB, true), "right after the partition");
}

Test(disk_label, fat_boot_sector_is_a_filesystem_not_an_mbr)
{
	struct pt_disk_label l;

	mkdisk(64 * MIB);
	disk[0] = 0xeb;
	memcpy(disk + 82, "FAT32   ", 8);
	disk[510] = 0x55;
	disk[511] = 0xaa;
	scan(&l, 512);
	cr_assert_eq(l.kind, PT_DISK_FORMATTED);
	cr_assert_str_eq(l.what, "a FAT filesystem");
	cr_assert_not_null(may(&l, 32 * MIB, 36 * MIB, true));
}

static void gpt(uint32_t lba, uint64_t entries_lba, uint32_t n, uint64_t first, uint64_t last)
{
	uint8_t *h = disk + lba;

	mbr_entry(0, 0xee, 1, 0xffffffff);
	memcpy(h, "EFI PART", 8);
	put64(h + 40, 34);			/* first usable */
	put64(h + 48, disk_size / lba - 34);	/* last usable */
	put64(h + 72, entries_lba);
	put32(h + 80, n);
	put32(h + 84, 128);
	/* entry 0: a type GUID and the LBAs */
	h = disk + entries_lba * lba;
	memset(h, 0x11, 16);
	put64(h + 32, first);
	put64(h + 40, last);
}

Test(disk_label, gpt_partitions_and_headers_are_in_use)
{
	struct pt_disk_label l;

	mkdisk(64 * MIB);
	gpt(512, 2, 128, 2048, 34815);		/* 1 MiB .. 17 MiB */
	scan(&l, 512);
	cr_assert_eq(l.kind, PT_DISK_PARTITIONED);
	cr_assert_str_eq(l.what, "a GPT partition table");
	cr_assert_eq(l.parts_overflow, false);
	cr_assert_null(may(&l, 32 * MIB, 36 * MIB, true));
	cr_assert_not_null(may(&l, 2 * MIB, 3 * MIB, true), "inside partition 1");
	cr_assert_not_null(may(&l, 4096, 8192, true), "the GPT's own LBAs");
	cr_assert_not_null(may(&l, 64 * MIB - 4096, 64 * MIB, true), "the backup GPT");
}

Test(disk_label, gpt_on_4k_lbas)
{
	struct pt_disk_label l;

	mkdisk(64 * MIB);
	gpt(4096, 2, 128, 256, 4351);		/* 1 MiB .. 17 MiB in 4 KiB LBAs */
	scan(&l, 4096);
	cr_assert_eq(l.kind, PT_DISK_PARTITIONED);
	cr_assert_eq(l.at, 4096);
	cr_assert_not_null(may(&l, 2 * MIB, 3 * MIB, true));
	cr_assert_null(may(&l, 32 * MIB, 36 * MIB, true));
}

Test(disk_label, gpt_entries_the_scan_cannot_read_forbid_every_range)
{
	struct pt_disk_label l;

	mkdisk(64 * MIB);
	gpt(512, 20000, 128, 2048, 34815);	/* entries at ~10 MiB */
	scan(&l, 512);
	cr_assert_eq(l.kind, PT_DISK_PARTITIONED);
	cr_assert(l.parts_overflow);
	cr_assert_not_null(may(&l, 32 * MIB, 36 * MIB, true));
}

Test(disk_label, backup_gpt_alone_forbids_every_range)
{
	struct pt_disk_label l;

	mkdisk(64 * MIB);
	memcpy(disk + disk_size - 512, "EFI PART", 8);
	scan(&l, 512);
	cr_assert_eq(l.kind, PT_DISK_PARTITIONED);
	cr_assert(l.parts_overflow);
	cr_assert_not_null(may(&l, 32 * MIB, 36 * MIB, true));
}

struct sigcase {
	uint64_t at;
	const char *magic;
	size_t len;
	const char *what;
};

Test(disk_label, whole_disk_formats_forbid_every_range)
{
	static const struct sigcase c[] = {
		{ 1080, "\x53\xef", 2, "an ext2/3/4 filesystem" },
		{ 0, "XFSB", 4, "an XFS filesystem" },
		{ 4086, "SWAPSPACE2", 10, "Linux swap" },
		{ 1536, "LABELONE", 8, "an LVM physical volume" },
		{ 65600, "_BHRfS_M", 8, "a btrfs filesystem" },
		{ 32769, "CD001", 5, "an ISO 9660 filesystem" },
		{ 0, "LUKS\xba\xbe", 6, "a LUKS encrypted volume" },
		{ 4096, "\xfc\x4e\x2b\xa9", 4, "an md RAID member (1.2)" },
		{ 131072, "\x0c\xb1\xba\x00\x00\x00\x00\x00", 8, "a ZFS pool member" },
		/* md 0.90: 64 KiB from the end, rounded down to 64 KiB */
		{ 64 * MIB - 65536, "\xfc\x4e\x2b\xa9", 4, "an md RAID member (0.90/1.0)" },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct pt_disk_label l;

		mkdisk(64 * MIB);
		memcpy(disk + c[i].at, c[i].magic, c[i].len);
		scan(&l, 512);
		cr_assert_eq(l.kind, PT_DISK_FORMATTED, "%s", c[i].what);
		cr_assert_str_eq(l.what, c[i].what);
		cr_assert_eq(l.at, c[i].at, "%s at %llu", c[i].what,
			     (unsigned long long)l.at);
		cr_assert_not_null(may(&l, 32 * MIB, 36 * MIB, true), "%s", c[i].what);
	}
}

Test(disk_label, a_small_disk_is_read_whole)
{
	struct pt_disk_label l;
	uint64_t off;
	unsigned int n;

	mkdisk(256 * 1024);
	pt_disk_label_init(&l, disk_size, 512);
	for (n = 0; pt_disk_label_area(&l, n, &off); n++)
		cr_assert_eq(off, n * (uint64_t)PT_DISK_AREA);
	cr_assert_eq(n, 64);
	disk[200 * 1024] = 1;
	scan(&l, 512);
	cr_assert_eq(l.kind, PT_DISK_DATA);
}

Test(disk_label, a_big_disk_reads_its_head_and_tail_only)
{
	struct pt_disk_label l;
	uint64_t off, total = 0;

	pt_disk_label_init(&l, 1ull << 40, 512);
	for (unsigned int n = 0; pt_disk_label_area(&l, n, &off); n++) {
		cr_assert(off < 132 * 1024 || off >= (1ull << 40) - 128 * 1024);
		total += PT_DISK_AREA;
	}
	cr_assert_eq(total, 64 * 1024 + 8192 + 128 * 1024);
}
