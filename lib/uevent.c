// SPDX-License-Identifier: MIT
/*
 * uevent.c — waiting for the kernel to finish a bind/unbind, with a libudev
 * monitor instead of sleeping.
 *
 * The monitor is opened before the first change (pt_bind_assign), so no
 * event can be missed; ptb_wait() then re-checks its condition against
 * sysfs after each event on the pci, vfio or vfio-dev subsystems, until it
 * holds or the timeout passes.  Events are only wake-ups: the truth is what
 * sysfs and /dev say, so a dropped or foreign event cannot fool it.
 *
 * Source: "udev" when udevd runs (then /dev/vfio/N has its rules applied —
 * owner, mode — by the time we see the event), else "kernel" (an initramfs,
 * the lab, a container): devtmpfs has made the node before the uevent.
 * Limit: on a --root tree there is no kernel to wait for; the condition is
 * checked once.
 */
#include <errno.h>
#include <libudev.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/bind-priv.h"

static const char *const subsystems[] = { "pci", "vfio", "vfio-dev" };

int ptb_monitor_open(struct pt_binder *b)
{
	struct stat st;
	const char *src;

	if (b->mon || !pt_sysfs_is_live(&b->fs) || b->ops != &ptb_live_ops)
		return 0;
	src = stat("/run/udev/control", &st) == 0 ? "udev" : "kernel";
	b->udev = udev_new();
	if (!b->udev)
		return pt_set_error(ENOMEM, "libudev: udev_new failed: out of memory");
	b->mon = udev_monitor_new_from_netlink(b->udev, src);
	if (!b->mon)
		goto fail;
	for (size_t i = 0; i < sizeof(subsystems) / sizeof(subsystems[0]); i++)
		if (udev_monitor_filter_add_match_subsystem_devtype(b->mon,
							subsystems[i], NULL) < 0)
			goto fail;
	if (udev_monitor_enable_receiving(b->mon) < 0)
		goto fail;
	ptb_log(b, "waiting for uevents from %s (libudev monitor)", src);
	return 0;
fail:
	ptb_monitor_close(b);
	return pt_set_error(EPROTO, "libudev: cannot listen to %s uevents "
			    "(netlink); fix: run as root on a host (not in a "
			    "network namespace without uevents)", src);
}

void ptb_monitor_close(struct pt_binder *b)
{
	if (b->mon)
		udev_monitor_unref(b->mon);
	if (b->udev)
		udev_unref(b->udev);
	b->mon = NULL;
	b->udev = NULL;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ptb_wait(struct pt_binder *b, bool (*cond)(struct pt_binder *, const void *),
	     const void *arg, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct pollfd pfd;

	for (;;) {
		long long left;
		int r;

		if (cond(b, arg))
			return 0;
		left = deadline - now_ms();
		if (!b->mon || left <= 0)
			return -ETIMEDOUT;
		pfd.fd = udev_monitor_get_fd(b->mon);
		pfd.events = POLLIN;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0) {
			struct udev_device *d;

			/* drain: the socket is non-blocking */
			while ((d = udev_monitor_receive_device(b->mon))) {
				ptb_log(b, "uevent: %s %s %s",
					udev_device_get_action(d) ?: "?",
					udev_device_get_subsystem(d) ?: "?",
					udev_device_get_sysname(d) ?: "?");
				udev_device_unref(d);
			}
		}
	}
}
