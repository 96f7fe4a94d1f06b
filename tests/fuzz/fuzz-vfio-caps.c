// SPDX-License-Identifier: MIT
/*
 * fuzz-vfio-caps.c — the VFIO capability-chain walker (region info and
 * type1 IOMMU info).  The kernel is trusted more than a guest, but a
 * buggy or hostile vfio variant driver builds these chains, and a walker
 * that loops or reads past the buffer would hang or leak.  First byte
 * selects the parser; the rest is the ioctl answer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/passthru.h"
#include "iommu/iommu-priv.h"
#include "vfio/vfio-priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;

	if (!size)
		return 0;
	/* an exact-size copy so ASan sees any read past the end */
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	if (data[0] & 1) {
		struct pt_iommu_kinfo k;

		memset(&k, 0, sizeof(k));
		/* no cap on the ranges: as many as the bytes can hold (16 each,
		 * ASan sees the reads); none kept on failure */
		if (!pt_iommu_parse_type1_info(buf, size - 1, &k)) {
			if (k.nr_ranges < 0 || (size_t)k.nr_ranges > (size - 1) / 16 ||
			    (!k.ranges) != (!k.nr_ranges))
				__builtin_trap();
			for (int i = 0; i < k.nr_ranges; i++)
				if (k.ranges[i].last < k.ranges[i].start)
					__builtin_trap();
		} else if (k.ranges || k.nr_ranges) {
			__builtin_trap();
		}
		pt_iommu_kinfo_release(&k);
	} else {
		struct pt_vfio_region r;
		struct pt_vfio_area *areas;

		if (!pt_vfio_parse_region_info(buf, size - 1, &r, &areas)) {
			/* every area the bytes hold, each inside the region */
			if (r.nr_sparse < 0 || (size_t)r.nr_sparse > size / 16 ||
			    r.sparse != areas || (r.nr_sparse && !areas))
				__builtin_trap();
			for (int i = 0; i < r.nr_sparse; i++)
				if (r.sparse[i].offset > r.region_size ||
				    r.sparse[i].size > r.region_size - r.sparse[i].offset)
					__builtin_trap();
			free(areas);
		} else if (areas) {
			__builtin_trap();	/* a failed parse hands nothing out */
		}
	}
	free(buf);
	return 0;
}
