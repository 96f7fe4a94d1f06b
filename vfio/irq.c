// SPDX-License-Identifier: MIT
/*
 * irq.c — INTx, MSI and MSI-X through eventfds (VFIO_DEVICE_SET_IRQS).
 *
 * The library remembers the trigger fd of every vector it set, so one
 * vector can be switched on or off while the others stay, and so a kernel
 * that cannot grow an enabled MSI-X block (before Linux 6.5's dynamic
 * MSI-X) gets the whole block re-enabled with one more vector.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/abi-priv.h"
#include "lib/passthru.h"
#include "vfio/vfio-priv.h"

static const char *irq_name(uint32_t index)
{
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX: return "INTx";
	case VFIO_PCI_MSI_IRQ_INDEX: return "MSI";
	case VFIO_PCI_MSIX_IRQ_INDEX: return "MSI-X";
	case VFIO_PCI_ERR_IRQ_INDEX: return "ERR";
	case VFIO_PCI_REQ_IRQ_INDEX: return "REQ";
	}
	return "?";
}

int pt_vfio_irq_get_info(struct pt_vfio_device *d, uint32_t index,
			 struct pt_vfio_irq_info *info)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = index };
	struct pt_vfio_irq_info full = PT_VFIO_IRQ_INFO_INIT;

	if (index >= PT_VFIO_IRQ_TYPES || index >= d->info.num_irqs)
		return pt_set_error(EINVAL, "%s: interrupt index %u does not exist", d->bdf, index);
	if (ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) < 0)
		return pt_set_error(errno, "%s: VFIO_DEVICE_GET_IRQ_INFO(%s) failed: %s", d->bdf, irq_name(index),
				    strerror(errno));
	full.index = index;
	full.flags = ii.flags;
	full.count = ii.count;
	full.eventfd = ii.flags & VFIO_IRQ_INFO_EVENTFD;
	full.maskable = ii.flags & VFIO_IRQ_INFO_MASKABLE;
	full.automasked = ii.flags & VFIO_IRQ_INFO_AUTOMASKED;
	full.noresize = ii.flags & VFIO_IRQ_INFO_NORESIZE;
	return pt_write_sized(info, &full, sizeof(full), "pt_vfio_irq_get_info: "
			      "struct pt_vfio_irq_info", "PT_VFIO_IRQ_INFO_INIT");
}

static int set_irqs(struct pt_vfio_device *d, uint32_t flags, uint32_t index,
		    uint32_t start, uint32_t count, const int *fds)
{
	size_t data = (flags & VFIO_IRQ_SET_DATA_EVENTFD) ? count * sizeof(int32_t) : 0;
	struct vfio_irq_set *s;
	uint32_t i;
	int ret = 0;

	s = calloc(1, sizeof(*s) + data);
	if (!s)
		return -ENOMEM;
	s->argsz = sizeof(*s) + data;
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	for (i = 0; data && i < count; i++)
		((int32_t *)s->data)[i] = fds[i];
	if (ioctl(d->fd, VFIO_DEVICE_SET_IRQS, s) < 0)
		ret = -errno;
	free(s);
	return ret;
}

static int remember(struct pt_vfio_device *d, uint32_t index, uint32_t start,
		    uint32_t count, const int *fds)
{
	uint32_t i, need = start + count, have = d->irq_nr[index];

	if (need > have) {
		int *n = realloc(d->irq_fds[index], need * sizeof(int));

		if (!n)
			return -ENOMEM;
		for (i = have; i < need; i++)
			n[i] = -1;
		d->irq_fds[index] = n;
		d->irq_nr[index] = need;
	}
	for (i = 0; i < count; i++)
		d->irq_fds[index][start + i] = fds ? fds[i] : -1;
	return 0;
}

int pt_vfio_irq_enable(struct pt_vfio_device *d, uint32_t index,
		       uint32_t start, uint32_t count, const int *fds)
{
	struct pt_vfio_irq_info info = PT_VFIO_IRQ_INFO_INIT;
	int ret;

	ret = pt_vfio_irq_get_info(d, index, &info);
	if (ret < 0)
		return ret;
	if (!count || start + count > info.count || start + count < start)
		return pt_set_error(EINVAL, "%s: %s vectors %u..%u requested, the device has %u", d->bdf,
				    irq_name(index), start, start + count - 1, info.count);
	ret = set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index, start, count, fds);
	if (ret < 0)
		return pt_set_error(-ret, "%s: enabling %s vectors %u..%u with eventfds failed: %s%s", d->bdf,
				    irq_name(index), start, start + count - 1, strerror(-ret),
				    index == VFIO_PCI_INTX_IRQ_INDEX ? " (INTx may be shared and disabled by the kernel; prefer MSI)" :
				    " (another interrupt type enabled? disable it first)");
	if (remember(d, index, start, count, fds) < 0)
		return pt_set_error(ENOMEM, "%s: out of memory", d->bdf);
	return 0;
}

int pt_vfio_irq_set_vector(struct pt_vfio_device *d, uint32_t index,
			   uint32_t vector, int fd)
{
	int ret;

	if (index >= PT_VFIO_IRQ_TYPES)
		return pt_set_error(EINVAL, "%s: interrupt index %u does not exist", d->bdf, index);
	if (!d->irq_nr[index] || vector < d->irq_nr[index] || index != VFIO_PCI_MSIX_IRQ_INDEX) {
		if (!d->irq_nr[index] && fd < 0)
			return 0;	/* off and staying off */
		return pt_vfio_irq_enable(d, index, vector, 1, &fd);
	}
	/* Growing an enabled MSI-X block: dynamic MSI-X (Linux 6.5+) takes
	 * it directly; older kernels need the block re-enabled. */
	ret = set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index, vector, 1, &fd);
	if (ret == -EINVAL) {
		uint32_t n = vector + 1;
		int *all = calloc(n, sizeof(int));

		if (!all)
			return pt_set_error(ENOMEM, "%s: out of memory", d->bdf);
		memcpy(all, d->irq_fds[index], d->irq_nr[index] * sizeof(int));
		for (uint32_t i = d->irq_nr[index]; i < n; i++)
			all[i] = -1;
		all[vector] = fd;
		set_irqs(d, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 0, NULL);
		ret = set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, n, all);
		free(all);
	}
	if (ret < 0)
		return pt_set_error(-ret, "%s: setting %s vector %u failed: %s", d->bdf, irq_name(index), vector,
				    strerror(-ret));
	return remember(d, index, vector, 1, &fd) < 0 ? pt_set_error(ENOMEM, "%s: out of memory", d->bdf) : 0;
}

int pt_vfio_irq_disable(struct pt_vfio_device *d, uint32_t index)
{
	int ret;

	if (index >= PT_VFIO_IRQ_TYPES)
		return pt_set_error(EINVAL, "%s: interrupt index %u does not exist", d->bdf, index);
	ret = set_irqs(d, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 0, NULL);
	if (ret < 0)
		return pt_set_error(-ret, "%s: disabling %s failed: %s", d->bdf, irq_name(index), strerror(-ret));
	free(d->irq_fds[index]);
	d->irq_fds[index] = NULL;
	d->irq_nr[index] = 0;
	return 0;
}

int pt_vfio_irq_unmask(struct pt_vfio_device *d, uint32_t index,
		       uint32_t vector)
{
	int ret = set_irqs(d, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, index, vector, 1, NULL);

	if (ret < 0)
		return pt_set_error(-ret, "%s: unmasking %s vector %u failed: %s", d->bdf, irq_name(index), vector,
				    strerror(-ret));
	return 0;
}

int pt_vfio_irq_set_unmask_fd(struct pt_vfio_device *d, uint32_t index,
			      int fd)
{
	int ret = set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK, index, 0, 1, &fd);

	if (ret < 0)
		return pt_set_error(-ret, "%s: %s the %s unmask eventfd failed: %s", d->bdf,
				    fd < 0 ? "removing" : "setting", irq_name(index), strerror(-ret));
	return 0;
}

int pt_eventfd_wait(int fd, int timeout_ms, uint64_t *count)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v = 0;
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return pt_set_error(errno, "waiting for eventfd %d failed: %s", fd, strerror(errno));
	if (!n)
		return 0;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return pt_set_error(errno ? errno : EIO, "reading eventfd %d failed: %s", fd, strerror(errno ? errno : EIO));
	if (count)
		*count = v;
	return v > 0x7fffffff ? 0x7fffffff : (int)v;
}
