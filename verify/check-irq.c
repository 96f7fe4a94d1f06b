// SPDX-License-Identifier: MIT
/*
 * check-irq.c — irq.msi of `passthru verify`: an MSI the device raises
 * arrives on the eventfd VFIO was given for that vector, and only there.
 *
 * Every vector the driver can raise gets its own eventfd (MSI-X when the
 * device has enough vectors, else MSI); each is raised in turn and must be
 * counted exactly once on its own eventfd and on no other.  Then vector 0
 * is moved to a fresh eventfd and raised again: the new eventfd must see
 * it and the old one must not — so even a one-vector device (edu) shows
 * that the interrupt goes where VFIO routed it and nowhere else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "verify/dma.h"

#define IRQ_WAIT_MS	2000	/* TCG in the lab is slow */
#define IRQ_QUIET_MS	100	/* how long others must stay silent */

static void drain(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			pt_eventfd_wait(fds[i], 0, NULL);
}

/* Raises vector v; 0 when exactly efd[v] fired once, else fills why. */
static int raise_one(struct vfy_dma *s, int *fds, int n, int v, char *why,
		     size_t len)
{
	uint64_t c = 0;
	int ret;

	drain(fds, n);
	ret = s->ops->send_msi(&s->t.drv, v);
	if (ret) {
		snprintf(why, len, "the driver could not raise vector %d: %s", v,
			 strerror(-ret));
		return -EIO;
	}
	ret = pt_eventfd_wait(fds[v], IRQ_WAIT_MS, &c);
	if (s->ops->irq_ack)
		s->ops->irq_ack(&s->t.drv);
	if (ret <= 0) {
		snprintf(why, len, "vector %d was raised but its eventfd saw "
			 "nothing within %d ms", v, IRQ_WAIT_MS);
		return -ETIMEDOUT;
	}
	if (c != 1) {
		snprintf(why, len, "vector %d was counted %llu times for one raise",
			 v, (unsigned long long)c);
		return -EBADMSG;
	}
	usleep(IRQ_QUIET_MS * 1000);
	for (int i = 0; i < n; i++) {
		uint64_t o = 0;

		if (i == v || fds[i] < 0)
			continue;
		if (pt_eventfd_wait(fds[i], 0, &o) > 0) {
			snprintf(why, len, "raising vector %d also signalled the "
				 "eventfd of vector %d (count %llu)", v, i,
				 (unsigned long long)o);
			return -EBADMSG;
		}
	}
	if (pt_eventfd_wait(fds[v], 0, &c) > 0) {
		snprintf(why, len, "vector %d fired more than once for one raise", v);
		return -EBADMSG;
	}
	return 0;
}

void vfy_irq_msi(struct vfy_dma *s)
{
	struct vfy_result *r = vfy_dma_begin(s, "irq.msi");
	const char *exp = "each raised vector counted once on its own eventfd "
			  "and on no other";
	int *fds = s->t.efds, n = s->t.nr_efds, old, moved, ret;
	uint32_t index = s->t.irq_index;
	const char *kind = pt_dmat_irq_name(&s->t);
	char why[256];

	if (!r)
		return;
	if (index != VFIO_PCI_MSI_IRQ_INDEX && index != VFIO_PCI_MSIX_IRQ_INDEX) {
		vfy_skip(r, "the device offers neither MSI nor MSI-X through VFIO "
			 "(the harness fell back to %s)", kind);
		return;
	}
	if (n <= 0) {
		vfy_skip(r, "the %s driver cannot make the device raise an "
			 "interrupt", s->ops->name);
		return;
	}
	for (int v = 0; v < n; v++) {
		if (raise_one(s, fds, n, v, why, sizeof(why)) < 0) {
			vfy_fail(r, exp, "check dmesg for interrupt remapping "
				 "faults (DMAR-IR); see host.interrupt-remapping",
				 "%s %d vector%s: %s", kind, n, n > 1 ? "s" : "", why);
			return;
		}
	}
	/* re-route vector 0 to a new eventfd: only the new one may fire */
	moved = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (moved < 0 || (!vfy_inject("msi-no-move") &&
			  pt_vfio_irq_set_vector(s->t.dev, index, 0, moved) < 0)) {
		vfy_fail(r, exp, NULL, "moving vector 0 to a new eventfd failed: %s",
			 moved < 0 ? strerror(errno) : pt_last_error());
		if (moved >= 0)
			close(moved);
		return;
	}
	old = fds[0];
	fds[0] = moved;
	ret = raise_one(s, fds, n, 0, why, sizeof(why));
	fds[0] = old;
	if (!ret && pt_eventfd_wait(old, 0, NULL) > 0) {
		snprintf(why, sizeof(why), "after vector 0 was moved to a new "
			 "eventfd, raising it still signalled the old one");
		ret = -EBADMSG;
	}
	/* give vector 0 back to the harness's eventfd */
	if (pt_vfio_irq_set_vector(s->t.dev, index, 0, old) < 0 && !ret) {
		snprintf(why, sizeof(why), "moving vector 0 back failed: %s",
			 pt_last_error());
		ret = -EIO;
	}
	close(moved);
	if (ret < 0)
		vfy_fail(r, exp, NULL, "%s", why);
	else
		vfy_pass(r, "%s, %d vector%s: each raised vector (driver send_msi) "
			 "was counted exactly once on its own eventfd, and no other "
			 "eventfd fired within %d ms; vector 0, moved to a new "
			 "eventfd, fired there and not on the old one", kind, n,
			 n > 1 ? "s" : "", IRQ_QUIET_MS);
}
