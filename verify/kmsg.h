/* SPDX-License-Identifier: MIT */
/*
 * kmsg.h — IOMMU fault evidence from the kernel log (/dev/kmsg).
 *
 * Extra evidence only: the kernel rate-limits DMAR fault messages and may
 * drop all but the first, so a check's verdict never depends on them (the
 * verdict is the memory being untouched).  vfy_kmsg_open() positions after
 * the last record; vfy_kmsg_collect() returns the fault lines logged since.
 */
#ifndef PASSTHRU_VERIFY_KMSG_H
#define PASSTHRU_VERIFY_KMSG_H

#include <stdbool.h>
#include <stddef.h>

struct vfy_kmsg {
	int fd;			/* -1 when /dev/kmsg cannot be read */
	int err;		/* errno of the open, for the evidence text */
};

void vfy_kmsg_open(struct vfy_kmsg *k);
void vfy_kmsg_close(struct vfy_kmsg *k);
/*
 * Appends to out (n bytes, NUL-terminated) the IOMMU fault messages logged
 * since open (or the last collect), one per line, at most max_lines; returns
 * how many fault lines were seen (also those not appended), or -errno when
 * the log cannot be read.
 */
int vfy_kmsg_collect(struct vfy_kmsg *k, char *out, size_t n, int max_lines);

/* Parsing, exposed for the unit tests. */
/* "PRI,SEQ,TS,FLAGS;MESSAGE\n KEY=VAL..." -> the MESSAGE (copied into msg,
 * NUL-terminated, continuation lines dropped); -EINVAL when malformed. */
int vfy_kmsg_parse(const char *rec, size_t len, char *msg, size_t n);
/* Is msg an IOMMU (VT-d / AMD-Vi / SMMU) DMA fault report? */
bool vfy_kmsg_is_fault(const char *msg);

#endif
