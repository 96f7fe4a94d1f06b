// SPDX-License-Identifier: MIT
/*
 * fuzz-disk-label.c — drivers/disk-label.c on arbitrary disk contents (the
 * bytes an NVMe namespace returns are untrusted).  The input is the disk's
 * first blocks and, reused, its last ones; the first byte picks the LBA size
 * and the disk size.  ASan catches any read outside a block; the
 * invariants below catch an extent outside the disk or a verdict that lets
 * a write through where it must not.
 */
#include <stdlib.h>
#include <string.h>

#include "drivers/disk-label.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sizes[] = { 256 * 1024, 1 << 20, 64 << 20, 1ull << 40 };
	struct pt_disk_label l;
	uint8_t *block;
	uint64_t disk, off;
	uint32_t lba;

	if (size < 1)
		return 0;
	lba = (data[0] & 1) ? 4096 : 512;
	disk = sizes[(data[0] >> 1) & 3];
	data++;
	size--;
	block = malloc(PT_DISK_AREA);	/* exact size: ASan sees overruns */
	pt_disk_label_init(&l, disk, lba);
	for (unsigned int n = 0; pt_disk_label_area(&l, n, &off); n++) {
		/* block n of the input, zeros past its end */
		size_t at = (size_t)n * PT_DISK_AREA;

		memset(block, 0, PT_DISK_AREA);
		if (at < size)
			memcpy(block, data + at, size - at < PT_DISK_AREA ? size - at : PT_DISK_AREA);
		pt_disk_label_scan(&l, off, block, PT_DISK_AREA);
	}
	free(block);
	if (l.nr_parts < 0 || l.nr_parts > PT_DISK_MAX_PARTS)
		__builtin_trap();
	for (int i = 0; i < l.nr_parts; i++)
		if (l.parts[i].start >= l.parts[i].end || l.parts[i].end > l.size)
			__builtin_trap();
	if (l.kind != PT_DISK_BLANK && !l.what)
		__builtin_trap();
	/* nothing may be written undeclared unless the disk read blank, and
	 * never on a whole-disk format */
	if (l.kind != PT_DISK_BLANK && !pt_disk_label_may_write(&l, 1 << 20, 2 << 20, false))
		__builtin_trap();
	if (l.kind == PT_DISK_FORMATTED && !pt_disk_label_may_write(&l, 1 << 20, 2 << 20, true))
		__builtin_trap();
	return 0;
}
