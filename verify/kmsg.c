// SPDX-License-Identifier: MIT
/*
 * kmsg.c — IOMMU fault lines from /dev/kmsg (see kmsg.h).  Each read() of
 * /dev/kmsg returns one record; EPIPE means records were overwritten before
 * we read them (we carry on from the next one).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "verify/kmsg.h"

void vfy_kmsg_open(struct vfy_kmsg *k)
{
	k->err = 0;
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		k->err = errno;
		return;
	}
	if (lseek(k->fd, 0, SEEK_END) < 0) {
		k->err = errno;
		close(k->fd);
		k->fd = -1;
	}
}

void vfy_kmsg_close(struct vfy_kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

int vfy_kmsg_parse(const char *rec, size_t len, char *msg, size_t n)
{
	const char *semi = memchr(rec, ';', len), *end;
	int fields = 0;
	size_t l;

	if (!semi || !n)
		return -EINVAL;
	for (const char *p = rec; p < semi; p++) {
		if (*p == ',')
			fields++;
		else if (!*p || !strchr("0123456789-+c", *p))
			return -EINVAL;
	}
	if (fields < 3)
		return -EINVAL;
	semi++;
	end = memchr(semi, '\n', len - (semi - rec));
	l = (end ? end : rec + len) - semi;
	if (l >= n)
		l = n - 1;
	memcpy(msg, semi, l);
	msg[l] = '\0';
	return 0;
}

bool vfy_kmsg_is_fault(const char *msg)
{
	/* VT-d: "DMAR: [DMA Write NO_PASID] Request device [00:04.0] fault
	 * addr 0x6000000 [fault reason 0x05] PTE Write access is not set";
	 * AMD-Vi: "AMD-Vi: Event logged [IO_PAGE_FAULT device=...";
	 * SMMUv3: "arm-smmu-v3 ...: event 0x10 received" */
	return (strstr(msg, "DMAR") && strstr(msg, "fault addr")) ||
	       strstr(msg, "IO_PAGE_FAULT") ||
	       (strstr(msg, "smmu") && strstr(msg, "event 0x1"));
}

int vfy_kmsg_collect(struct vfy_kmsg *k, char *out, size_t n, int max_lines)
{
	char rec[8192], msg[1024];
	int seen = 0, lines = 0;
	size_t o = strlen(out);

	if (k->fd < 0)
		return -(k->err ? k->err : EBADF);
	for (;;) {
		ssize_t r = read(k->fd, rec, sizeof(rec) - 1);

		if (r < 0 && errno == EPIPE)
			continue;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (vfy_kmsg_parse(rec, r, msg, sizeof(msg)) < 0 ||
		    !vfy_kmsg_is_fault(msg))
			continue;
		seen++;
		if (lines >= max_lines || o + 1 >= n)
			continue;
		o += snprintf(out + o, n - o, "%s%s", o ? "\n" : "", msg);
		if (o >= n)
			o = n - 1;
		lines++;
	}
	return seen;
}
