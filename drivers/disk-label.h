/* SPDX-License-Identifier: MIT */
/*
 * disk-label.h — what a disk's first and last bytes say it holds, so a
 * storage DMA-test driver (nvme.c) never writes over someone's data
 * (freestanding, see driver.h).
 *
 * The caller reads the areas pt_disk_label_area() lists (every known
 * partition table, filesystem, RAID, volume-manager and swap header lives
 * in them) and feeds each to pt_disk_label_scan().  The verdict:
 *	BLANK		every byte read is zero (a new or discarded disk)
 *	PARTITIONED	an MBR or GPT partition table; parts[] holds the byte
 *			ranges in use (partitions, GPT headers and entries)
 *	FORMATTED	a filesystem, swap, LVM, md RAID, LUKS, ZFS ... directly
 *			on the disk: all of it is in use
 *	DATA		non-zero bytes of no known format: in use by someone
 * The scan trusts nothing it reads: every field is bounds-checked
 * (tests/fuzz/fuzz-disk-label.c feeds it garbage).
 */
#ifndef PASSTHRU_DRIVERS_DISK_LABEL_H
#define PASSTHRU_DRIVERS_DISK_LABEL_H

#include <stdbool.h>
#include <stdint.h>

enum pt_disk_kind {
	PT_DISK_BLANK,
	PT_DISK_DATA,
	PT_DISK_PARTITIONED,
	PT_DISK_FORMATTED,
};

#define PT_DISK_MAX_PARTS	16
#define PT_DISK_AREA	4096u	/* every area is read in blocks of this size */

struct pt_disk_extent {
	uint64_t start, end;	/* bytes, end exclusive */
};

struct pt_disk_label {
	uint64_t size;		/* disk size in bytes */
	uint32_t lba_size;
	enum pt_disk_kind kind;
	const char *what;	/* "an ext2/3/4 filesystem", ... (constant) */
	uint64_t at;		/* byte offset of what was found */
	int nr_parts;
	struct pt_disk_extent parts[PT_DISK_MAX_PARTS];
	bool parts_overflow;	/* more in use than parts[] holds */
	/* the GPT header seen in the first area, for its entries */
	uint64_t gpt_entries_at;	/* byte offset, 0 = no GPT */
	uint32_t gpt_nr_entries, gpt_entry_size;
};

/* Starts a scan of a disk of size bytes with lba_size-byte blocks.
 * lba_size must be a power of two from 512 to PT_DISK_AREA. */
void pt_disk_label_init(struct pt_disk_label *l, uint64_t size, uint32_t lba_size);
/*
 * The n-th PT_DISK_AREA-byte block to read (byte offset in *off), or false
 * after the last.  The blocks: the first 64 KiB, 64 KiB + 4 KiB (btrfs),
 * 128 KiB + 4 KiB (ZFS uberblocks) and the last 128 KiB; on a disk smaller
 * than 256 KiB simply every block.
 */
bool pt_disk_label_area(const struct pt_disk_label *l, unsigned int n, uint64_t *off);
/* Examines one block read at byte offset off (a multiple of
 * PT_DISK_AREA); len is PT_DISK_AREA. */
void pt_disk_label_scan(struct pt_disk_label *l, uint64_t off, const uint8_t *buf,
			uint32_t len);
/*
 * May bytes [start, end) be written?  BLANK: yes.  DATA: only when the
 * caller declared the range scratch.  PARTITIONED: when declared and it
 * overlaps no extent in use.  FORMATTED: never (the whole disk is the
 * filesystem's).  Returns NULL when allowed, else why not (constant).
 */
const char *pt_disk_label_may_write(const struct pt_disk_label *l, uint64_t start,
				    uint64_t end, bool declared);

#endif
