// SPDX-License-Identifier: MIT
/*
 * txn-vfs.c — PT_TXN_SET_VFS: change a PF's SR-IOV VF count under the same
 * guard as assign and release.
 *
 * A new count goes through 0, so every VF the PF has now is destroyed.  A
 * VF that is in use — on vfio-pci (assigned to a guest or a test), its VFIO
 * group or cdev open by a process, or held by the host the way assign's
 * blockers mean (a mounted disk, an address, the default route) — would
 * vanish under its user, so that is refused unless forced.  The PF's group
 * and every VF's group are locked (ascending) and the system re-read
 * before the VFs are judged, so no assign or release of a VF runs beside
 * the change.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/abi-priv.h"
#include "lib/disc-priv.h"
#include "lib/txn-priv.h"

int pt_txn_set_vfs(struct pt_txn *t, const char *pf, unsigned int n,
		   const struct pt_txn_opts *opts)
{
	const struct pt_device *d;
	struct pt_txn_opts o;
	int ret;

	if (t->op != PT_TXN_SET_VFS || t->planned)
		return pt_set_error(EINVAL, "transaction: a VF count is set by a vfs "
				    "transaction, before its plan");
	ret = pt_read_sized(opts, &o, sizeof(o), "pt_txn_set_vfs: struct pt_txn_opts",
			    "PT_TXN_OPTS_INIT");
	if (ret)
		return ret;
	ret = pt_resolve_device(t->ctx, pf, &d);
	if (ret)
		return ret;
	if (d->sriov_totalvfs < 0)
		return pt_set_error(ENODEV, "%s is not an SR-IOV physical function; "
				    "fix: pick the PF (`passthru list` shows "
				    "sriov_totalvfs)", d->bdf);
	if (n > (unsigned int)d->sriov_totalvfs)
		return pt_set_error(EINVAL, "%s supports at most %d VFs, not %u",
				    d->bdf, d->sriov_totalvfs, n);
	snprintf(t->vfs.pf, sizeof(t->vfs.pf), "%s", d->bdf);
	t->vfs.pub.pf = t->vfs.pf;
	t->vfs.n = n;
	t->vfs.force = o.force || (t->flags & PT_TXN_FORCE);
	t->vfs.set = true;
	/* the locks: the PF's group and every VF's */
	if (d->group && !ptt_add_group(t, d->group->id))
		return -ENOMEM;
	for (int i = 0; i < d->vfs.n; i++) {
		const struct pt_device *vf = pt_find_device(t->sys, d->vfs.v[i]);

		if (vf && vf->group && !ptt_add_group(t, vf->group->id))
			return pt_set_error(ENOMEM, "transaction: out of memory");
	}
	return 0;
}

/* Appends to why every reason vf is in use. */
static int vf_in_use(struct pt_txn *t, const struct pt_device *vf,
		     struct pt_strv *why)
{
	struct pt_strv users = { 0 };
	const char *bdf = vf->bdf;
	int ret = 0;

	if (pt_driver_is_vfio(vf->driver))
		ret = ptd_strv_addf(why, "%s is on %s (assigned)", vf->bdf, vf->driver);
	if (!ret && vf->iommu_group >= 0)
		ret = ptt_vfio_users(t, vf->iommu_group, &bdf, 1, &users);
	for (int i = 0; !ret && i < users.n; i++)
		ret = ptd_strv_addf(why, "%s: %s", vf->bdf, users.v[i]);
	for (int i = 0; !ret && i < vf->in_use.n; i++)
		ret = ptd_strv_addf(why, "%s: %s", vf->bdf, vf->in_use.v[i]);
	ptd_strv_free(&users);
	return ret;
}

static int judge(struct pt_txn *t, const struct pt_device *pf)
{
	struct pt_txn_vfs *v = &t->vfs.pub;
	int ret = 0;

	ptd_strv_free(&v->in_use);
	v->pf = t->vfs.pf;
	v->total = pf->sriov_totalvfs;
	v->before = pf->sriov_numvfs > 0 ? pf->sriov_numvfs : 0;
	v->after = v->before;
	/* the same count changes nothing; a new one destroys every VF */
	if (v->before && t->vfs.n != (unsigned int)v->before)
		for (int i = 0; !ret && i < pf->vfs.n; i++) {
			const struct pt_device *vf = pt_find_device(t->sys, pf->vfs.v[i]);

			if (vf)
				ret = vf_in_use(t, vf, &v->in_use);
		}
	if (ret)
		return pt_set_error(ENOMEM, "out of memory");
	v->refused = v->in_use.n && !t->vfs.force;
	if (!v->refused)
		return 0;
	pt_set_error(EBUSY, "%s: changing the VF count from %d destroys every VF, "
		     "and %d reason%s say%s they are in use (%s%s); nothing was "
		     "changed; fix: release the VFs and stop their users (`passthru "
		     "release VF`), or pass --force", pf->bdf, v->before, v->in_use.n,
		     v->in_use.n > 1 ? "s" : "", v->in_use.n > 1 ? "" : "s",
		     v->in_use.v[0], v->in_use.n > 1 ? ", ..." : "");
	return ptt_fail(t, PT_TXN_REFUSED, -EBUSY);
}

int ptt_vfs_plan(struct pt_txn *t)
{
	const struct pt_device *pf;
	int ret;

	if (!t->vfs.set)
		return pt_set_error(EINVAL, "transaction: no VF count was set");
	if (!ptt_dry(t)) {
		if (!pt_ctx_is_live(t->ctx) && t->b->ops == &ptb_live_ops)
			return pt_set_error(EINVAL, "--root %s is a captured tree: only "
					    "a dry run can change it", t->root);
		ret = ptt_lock_all(t) ?: ptt_rescan(t);
		if (ret)
			return ret;
	}
	pf = pt_find_device(t->sys, t->vfs.pf);
	if (!pf || pf->sriov_totalvfs < 0)
		return pt_set_error(ENODEV, "%s vanished while waiting for its lock; "
				    "run the command again", t->vfs.pf);
	return judge(t, pf);
}

int ptt_vfs_apply(struct pt_txn *t)
{
	struct pt_txn_vfs *v = &t->vfs.pub;
	const struct pt_device *pf;
	int ret;

	ret = ptb_set_numvfs(t->b, t->vfs.pf, t->vfs.n);
	if (ret)
		return ptt_fail(t, PT_TXN_FAILED, ret);
	v->after = t->vfs.n;
	if (ptt_dry(t) || !t->vfs.n)
		return 0;
	/* the new VFs, so the caller can assign them one by one */
	if (ptt_rescan(t) || !(pf = pt_find_device(t->sys, t->vfs.pf))) {
		pt_clear_error();
		return 0;
	}
	for (int i = 0; i < pf->vfs.n; i++)
		if (ptd_strv_add(&v->vfs, pf->vfs.v[i]))
			return pt_set_error(ENOMEM, "out of memory");
	return 0;
}

void ptt_vfs_free(struct pt_txn *t)
{
	ptd_strv_free(&t->vfs.pub.in_use);
	ptd_strv_free(&t->vfs.pub.vfs);
}

const struct pt_txn_vfs *pt_txn_vfs(const struct pt_txn *t)
{
	return t->op == PT_TXN_SET_VFS ? &t->vfs.pub : NULL;
}
