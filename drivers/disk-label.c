// SPDX-License-Identifier: MIT
/*
 * disk-label.c — partition tables and on-disk signatures, found in the
 * few blocks where every known format keeps its header (see disk-label.h).
 * Written from the formats' public descriptions (MBR, UEFI GPT, the ext2
 * superblock, ...); only magic numbers and, for partition tables, the
 * extents are read.  Freestanding: see driver.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/disk-label.h"

#define KIB		1024ull
#define HEAD_END	(64 * KIB)	/* the first area */
#define TAIL_LEN	(128 * KIB)	/* the last area */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool same(const uint8_t *p, const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)s[i])
			return false;
	return true;
}

void pt_disk_label_init(struct pt_disk_label *l, uint64_t size, uint32_t lba_size)
{
	uint8_t *b = (uint8_t *)l;

	for (size_t i = 0; i < sizeof(*l); i++)
		b[i] = 0;
	l->size = size / PT_DISK_AREA * PT_DISK_AREA;
	l->lba_size = lba_size;
	l->kind = PT_DISK_BLANK;
}

bool pt_disk_label_area(const struct pt_disk_label *l, unsigned int n, uint64_t *off)
{
	uint64_t blocks = l->size / PT_DISK_AREA, head = HEAD_END / PT_DISK_AREA;
	uint64_t tail = TAIL_LEN / PT_DISK_AREA;

	if (l->size < 2 * (HEAD_END + TAIL_LEN)) {	/* small: all of it */
		*off = (uint64_t)n * PT_DISK_AREA;
		return n < blocks;
	}
	if (n < head) {
		*off = (uint64_t)n * PT_DISK_AREA;
		return true;
	}
	if (n == head) {
		*off = 64 * KIB;			/* btrfs */
		return true;
	}
	if (n == head + 1) {
		*off = 128 * KIB;			/* ZFS uberblocks */
		return true;
	}
	n -= (unsigned int)head + 2;
	if (n >= tail)
		return false;
	*off = l->size - TAIL_LEN + (uint64_t)n * PT_DISK_AREA;
	return true;
}

/* Something in use from here on: the strongest verdict wins. */
static void found(struct pt_disk_label *l, enum pt_disk_kind kind, const char *what,
		  uint64_t at)
{
	if (kind <= l->kind)
		return;
	l->kind = kind;
	l->what = what;
	l->at = at;
}

static void add_extent(struct pt_disk_label *l, uint64_t start, uint64_t end)
{
	if (end > l->size)
		end = l->size;
	if (start >= end)
		return;
	if (l->nr_parts >= PT_DISK_MAX_PARTS) {
		l->parts_overflow = true;
		return;
	}
	l->parts[l->nr_parts].start = start;
	l->parts[l->nr_parts].end = end;
	l->nr_parts++;
}

/* A FAT boot sector also ends in 55 AA: tell it from an MBR first. */
static bool is_fat(const uint8_t *s)
{
	return (s[0] == 0xeb || s[0] == 0xe9) &&
	       (same(s + 54, "FAT", 3) || same(s + 82, "FAT32", 5));
}

static void scan_mbr(struct pt_disk_label *l, const uint8_t *s)
{
	const uint8_t *e = s + 446;
	bool any = false;

	if (s[510] != 0x55 || s[511] != 0xaa || is_fat(s))
		return;
	for (int i = 0; i < 4; i++, e += 16) {
		uint32_t first = le32(e + 8), count = le32(e + 12);

		if (e[0] != 0x00 && e[0] != 0x80)
			return;		/* not a partition table after all */
		if (!e[4] || !count)
			continue;
		any = true;
		if (e[4] == 0xee) {	/* protective MBR: the GPT says more */
			found(l, PT_DISK_PARTITIONED, "a GPT partition table", l->lba_size);
			continue;
		}
		add_extent(l, (uint64_t)first * l->lba_size,
			   ((uint64_t)first + count) * l->lba_size);
	}
	if (any) {
		add_extent(l, 0, l->lba_size);	/* the MBR itself */
		found(l, PT_DISK_PARTITIONED, "an MBR partition table", 510);
	}
}

static void scan_gpt_header(struct pt_disk_label *l, uint64_t at, const uint8_t *h,
			    bool primary)
{
	uint64_t first_usable, last_usable, entries;
	uint32_t n, size;

	if (!same(h, "EFI PART", 8))
		return;
	first_usable = le64(h + 40);
	last_usable = le64(h + 48);
	entries = le64(h + 72);
	n = le32(h + 80);
	size = le32(h + 84);
	found(l, PT_DISK_PARTITIONED, "a GPT partition table", at);
	/* everything outside the usable LBAs belongs to the GPT */
	if (first_usable > l->size / l->lba_size || last_usable < first_usable)
		first_usable = last_usable = 0;
	add_extent(l, 0, first_usable ? first_usable * l->lba_size : l->size);
	if (last_usable)
		add_extent(l, (last_usable + 1) * l->lba_size, l->size);
	if (!primary) {
		/* the backup's entries mirror the primary's; without a
		 * readable primary the partitions are unknown */
		if (!l->gpt_entry_size)
			l->parts_overflow = true;
		return;
	}
	if (size >= 128 && size <= 4096 && !(size & (size - 1)) && n && n <= 1024 &&
	    entries < l->size / l->lba_size) {
		l->gpt_entries_at = entries * l->lba_size;
		l->gpt_nr_entries = n;
		l->gpt_entry_size = size;
	}
	/* entries the scan does not read could hide a partition */
	if (!l->gpt_entry_size ||
	    l->gpt_entries_at + (uint64_t)l->gpt_nr_entries * l->gpt_entry_size > HEAD_END)
		l->parts_overflow = true;
}

/* GPT entries inside this block: a non-zero type GUID is a partition. */
static void scan_gpt_entries(struct pt_disk_label *l, uint64_t off, const uint8_t *buf,
			     uint32_t len)
{
	uint64_t base = l->gpt_entries_at;

	if (!l->gpt_entry_size)
		return;
	for (uint32_t i = 0; i < l->gpt_nr_entries; i++) {
		uint64_t at = base + (uint64_t)i * l->gpt_entry_size;
		const uint8_t *e;
		bool used = false;

		if (at < off || at + 56 > off + len)
			continue;
		e = buf + (at - off);
		for (int k = 0; k < 16; k++)
			used |= e[k] != 0;
		if (used && le64(e + 40) >= le64(e + 32))
			add_extent(l, le64(e + 32) * l->lba_size,
				   (le64(e + 40) + 1) * l->lba_size);
	}
}

struct sig {
	uint32_t at;		/* byte offset on the disk (head area) */
	const char *magic;
	uint8_t len;
	const char *what;
};

/* Whole-disk formats, by the magic at a fixed offset from the start. */
static const struct sig head_sigs[] = {
	{ 1080, "\x53\xef", 2, "an ext2/3/4 filesystem" },
	{ 0, "XFSB", 4, "an XFS filesystem" },
	{ 3, "NTFS    ", 8, "an NTFS filesystem" },
	{ 3, "EXFAT   ", 8, "an exFAT filesystem" },
	{ 0, "LUKS\xba\xbe", 6, "a LUKS encrypted volume" },
	{ 4086, "SWAPSPACE2", 10, "Linux swap" },
	{ 4086, "SWAP-SPACE", 10, "Linux swap" },
	{ 1024, "\x10\x20\xf5\xf2", 4, "an F2FS filesystem" },
	{ 0, "hsqs", 4, "a squashfs filesystem" },
	{ 0, "\xfc\x4e\x2b\xa9", 4, "an md RAID member (1.1)" },
	{ 4096, "\xfc\x4e\x2b\xa9", 4, "an md RAID member (1.2)" },
	{ 32769, "CD001", 5, "an ISO 9660 filesystem" },
	{ 65600, "_BHRfS_M", 8, "a btrfs filesystem" },
	{ 131072, "\x0c\xb1\xba\x00\x00\x00\x00\x00", 8, "a ZFS pool member" },
	{ 131072, "\x00\x00\x00\x00\x00\xba\xb1\x0c", 8, "a ZFS pool member" },
};

static void scan_head(struct pt_disk_label *l, uint64_t off, const uint8_t *buf,
		      uint32_t len)
{
	for (size_t i = 0; i < sizeof(head_sigs) / sizeof(head_sigs[0]); i++) {
		const struct sig *s = &head_sigs[i];

		if (s->at >= off && s->at + s->len <= off + len &&
		    same(buf + (s->at - off), s->magic, s->len))
			found(l, PT_DISK_FORMATTED, s->what, s->at);
	}
	if (off == 0 && is_fat(buf) && buf[510] == 0x55 && buf[511] == 0xaa)
		found(l, PT_DISK_FORMATTED, "a FAT filesystem", 0);
	if (off == 0)
		scan_mbr(l, buf);
	/* the GPT header is LBA 1 (byte 512 or 4096 on 4Kn disks) */
	if (l->lba_size >= off && l->lba_size + 92 <= off + len)
		scan_gpt_header(l, l->lba_size, buf + (l->lba_size - off), true);
	/* LVM's label may be in any of the first four 512-byte sectors */
	for (uint64_t s = 0; s < 2048; s += 512)
		if (s >= off && s + 32 <= off + len && same(buf + (s - off), "LABELONE", 8))
			found(l, PT_DISK_FORMATTED, "an LVM physical volume", s);
}

/* md 0.90 and 1.0 superblocks live near the end. */
static void scan_tail(struct pt_disk_label *l, uint64_t off, const uint8_t *buf,
		      uint32_t len)
{
	uint64_t md090 = (l->size & ~(64 * KIB - 1)) - 64 * KIB;
	uint64_t md10 = (l->size - 8 * KIB) & ~(4 * KIB - 1);
	uint64_t at[2] = { md090, md10 };

	for (int i = 0; i < 2; i++)
		if (at[i] >= off && at[i] + 4 <= off + len &&
		    same(buf + (at[i] - off), "\xfc\x4e\x2b\xa9", 4))
			found(l, PT_DISK_FORMATTED, "an md RAID member (0.90/1.0)", at[i]);
	/* the backup GPT header is the last LBA */
	if (l->size >= l->lba_size && l->size - l->lba_size >= off &&
	    l->size - l->lba_size + 92 <= off + len)
		scan_gpt_header(l, l->size - l->lba_size,
				buf + (l->size - l->lba_size - off), false);
}

void pt_disk_label_scan(struct pt_disk_label *l, uint64_t off, const uint8_t *buf,
			uint32_t len)
{
	if (!len || off >= l->size)
		return;
	if (len > l->size - off)
		len = (uint32_t)(l->size - off);
	scan_head(l, off, buf, len);
	if (off + len > l->size - TAIL_LEN || l->size <= TAIL_LEN)
		scan_tail(l, off, buf, len);
	scan_gpt_entries(l, off, buf, len);
	if (l->kind == PT_DISK_BLANK)
		for (uint32_t i = 0; i < len; i++)
			if (buf[i]) {
				found(l, PT_DISK_DATA, "data of no known format", off + i);
				break;
			}
}

const char *pt_disk_label_may_write(const struct pt_disk_label *l, uint64_t start,
				    uint64_t end, bool declared)
{
	if (start >= end || end > l->size)
		return "the range is empty or runs past the end of the namespace";
	switch (l->kind) {
	case PT_DISK_BLANK:
		return NULL;
	case PT_DISK_DATA:
		return declared ? NULL : "the namespace holds data of no known format "
		       "(non-zero bytes where partition tables and filesystems keep "
		       "their headers)";
	case PT_DISK_FORMATTED:
		return "the whole namespace is in use (a filesystem, swap, RAID or "
		       "volume-manager signature at its start)";
	case PT_DISK_PARTITIONED:
		if (!declared)
			return "the namespace holds a partition table";
		if (l->parts_overflow)
			return "the partition table has more entries than the driver "
			       "checks: it cannot prove the range is free";
		for (int i = 0; i < l->nr_parts; i++)
			if (start < l->parts[i].end && end > l->parts[i].start)
				return "the range overlaps a partition or the partition "
				       "table itself";
		return NULL;
	}
	return "unknown disk state";
}
