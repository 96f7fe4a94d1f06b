// SPDX-License-Identifier: MIT
/*
 * bind.c — the sysfs rebind step machine behind `passthru assign/release`.
 *
 * Assign, per member that must move (PT_BIND_REBIND), in group order:
 *   1 driver_override  write "vfio-pci" so no other driver can grab it
 *   2 unbind           write the BDF to .../driver/unbind (if bound)
 *   3 drivers_probe    write the BDF to /sys/bus/pci/drivers_probe
 *   4 verify           the driver link is vfio-pci and /dev/vfio/GROUP (and
 *                      the device's cdev, when the kernel has them) exist —
 *                      waited for with a libudev monitor, never by sleeping
 * Each member's progress through them is an enum pt_bind_progress.  The
 * journal (journal.c) is fsynced before step 1 of the first member.  If
 * any step fails, every member that was touched is restored, in reverse
 * order, to the driver and driver_override it had (restore_member()).
 *
 * Test hooks (documented in README): PASSTHRU_TEST_FAIL_STEP=K makes the
 * K-th kernel-changing step of a run fail with EIO before it touches sysfs,
 * so that the lab can prove the rollback at every point of the sequence;
 * PASSTHRU_TEST_CRASH_STEP=K kills the process with SIGKILL there instead,
 * leaving a half-done group and its journal, as a crash or `kill -9` would.
 * Steps are numbered in the -v log ("step K: BDF: NAME").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libudev.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/bind-priv.h"
#include "lib/disc-priv.h"

#define DEFAULT_TIMEOUT_MS 5000

/* ---- small helpers ----------------------------------------------------- */

void ptb_log(struct pt_binder *b, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!b->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->log(b->log_priv, msg);
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* ---- live kernel operations -------------------------------------------- */

static int live_write(struct pt_binder *b, const char *rel, const char *val)
{
	return pt_sysfs_write(&b->fs, rel, val);
}

static int live_driver(struct pt_binder *b, const char *bdf, char *buf, size_t n)
{
	char rel[128];
	int ret;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", bdf);
	ret = pt_sysfs_readlink_base(&b->fs, rel, buf, n);
	if (ret == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return ret;
}

static bool live_driver_loaded(struct pt_binder *b, const char *name)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s", name);
	return pt_sysfs_exists(&b->fs, rel);
}

static int live_modprobe(struct pt_binder *b, const char *module)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execlp("modprobe", "modprobe", "-q", module, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status))
		return -EINTR;
	if (WEXITSTATUS(status) == 127)
		return -ENOEXEC;
	return WEXITSTATUS(status) ? -ENOENT : 0;
}

struct drv_cond {
	const char *bdf;
	const char *want;
};

static bool cond_driver(struct pt_binder *b, const void *arg)
{
	const struct drv_cond *c = arg;
	char cur[PT_NAME_LEN];

	if (live_driver(b, c->bdf, cur, sizeof(cur)))
		return false;
	return !strcmp(cur, c->want);
}

static int live_wait_driver(struct pt_binder *b, const char *bdf,
			    const char *want, int timeout_ms)
{
	struct drv_cond c = { bdf, want };

	return ptb_wait(b, cond_driver, &c, timeout_ms);
}

struct node_cond {
	const char *bdf;
	int group;
};

static bool cond_node(struct pt_binder *b, const void *arg)
{
	const struct node_cond *c = arg;
	char cdev[64], rel[192];

	snprintf(rel, sizeof(rel), "dev/vfio/%d", c->group);
	if (!pt_sysfs_exists(&b->fs, rel))
		return false;
	if (pt_sysfs_vfio_cdev(&b->fs, c->bdf, cdev, sizeof(cdev)))
		return true;	/* kernel without VFIO cdevs: group node is it */
	/* before Linux 6.6 vfio-dev/vfioN is a sysfs-only device: a char
	 * device comes only with a "dev" attribute */
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/vfio-dev/%s/dev",
		 c->bdf, cdev);
	if (!pt_sysfs_exists(&b->fs, rel))
		return true;
	snprintf(rel, sizeof(rel), "dev/vfio/devices/%s", cdev);
	return pt_sysfs_exists(&b->fs, rel);
}

static int live_wait_vfio_node(struct pt_binder *b, const char *bdf, int group,
			       int timeout_ms)
{
	struct node_cond c = { bdf, group };

	return ptb_wait(b, cond_node, &c, timeout_ms);
}

const struct pt_sysfs_ops ptb_live_ops = {
	.write = live_write,
	.driver = live_driver,
	.driver_loaded = live_driver_loaded,
	.modprobe = live_modprobe,
	.wait_driver = live_wait_driver,
	.wait_vfio_node = live_wait_vfio_node,
};

/* ---- binder ------------------------------------------------------------ */

int pt_binder_new(struct pt_binder **out, const char *root, unsigned int flags)
{
	struct pt_binder *b;
	const char *env;

	int ret;

	b = calloc(1, sizeof(*b));
	if (!b)
		return pt_set_error(ENOMEM, "binder: out of memory");
	ret = pt_sysfs_init(&b->fs, root);
	if (ret < 0) {
		free(b);
		return ret;
	}
	b->ops = &ptb_live_ops;
	b->flags = flags;
	b->timeout_ms = DEFAULT_TIMEOUT_MS;
	env = getenv("PASSTHRU_TEST_FAIL_STEP");
	if (env && *env)
		b->fail_step = atoi(env);
	env = getenv("PASSTHRU_TEST_CRASH_STEP");
	if (env && *env)
		b->crash_step = atoi(env);
	*out = b;
	return 0;
}

void pt_binder_free(struct pt_binder *b)
{
	if (!b)
		return;
	ptb_monitor_close(b);
	pt_sysfs_fini(&b->fs);
	free(b);
}

void pt_binder_set_log(struct pt_binder *b, pt_bind_log_fn fn, void *priv)
{
	b->log = fn;
	b->log_priv = priv;
}

void pt_binder_set_timeout(struct pt_binder *b, int timeout_ms)
{
	b->timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
}

/* ---- plan -------------------------------------------------------------- */

const char *pt_bind_action_name(enum pt_bind_action a)
{
	switch (a) {
	case PT_BIND_KEEP: return "keep";
	case PT_BIND_REBIND: return "rebind";
	case PT_BIND_BRIDGE: return "bridge";
	}
	return "?";
}

const char *pt_bind_result_name(enum pt_bind_result r)
{
	switch (r) {
	case PT_BIND_PLANNED: return "planned";
	case PT_BIND_DONE: return "done";
	case PT_BIND_UNCHANGED: return "unchanged";
	case PT_BIND_ROLLED_BACK: return "rolled-back";
	case PT_BIND_FAILED: return "failed";
	}
	return "?";
}

void pt_bind_plan_init(struct pt_bind_plan *p, int group)
{
	memset(p, 0, sizeof(*p));
	p->group = group;
}

static enum pt_bind_action action_for(const char *driver, bool is_bridge)
{
	if (is_bridge)
		return PT_BIND_BRIDGE;
	return pt_driver_is_vfio(driver) ? PT_BIND_KEEP : PT_BIND_REBIND;
}

static bool valid_name(const char *s, size_t max)
{
	size_t l = strlen(s);

	if (l >= max)
		return false;
	for (size_t i = 0; i < l; i++)
		if (s[i] <= ' ' || s[i] == '/' || s[i] == '=' || s[i] > '~')
			return false;
	return true;
}

int pt_bind_plan_add(struct pt_bind_plan *p, const char *bdf, const char *driver,
		     const char *override, bool is_bridge)
{
	struct pt_bind_member *m;

	if (!driver)
		driver = "";
	if (!override || !strcmp(override, "(null)"))
		override = "";
	if (!bdf || !*bdf || !valid_name(bdf, PT_BDF_LEN) ||
	    !valid_name(driver, PT_NAME_LEN) ||
	    !valid_name(override, PT_NAME_LEN))
		return pt_set_error(EINVAL, "group %d: member '%s' has a malformed "
				    "BDF, driver or driver_override", p->group,
				    bdf ? bdf : "(null)");
	if (p->nr >= PT_BIND_MAX)
		return pt_set_error(E2BIG, "group %d has more than %d members; "
				    "passthru handles at most %d", p->group,
				    PT_BIND_MAX, PT_BIND_MAX);
	m = &p->m[p->nr++];
	memset(m, 0, sizeof(*m));
	copy_str(m->bdf, sizeof(m->bdf), bdf);
	copy_str(m->driver, sizeof(m->driver), driver);
	copy_str(m->override, sizeof(m->override), override);
	m->action = action_for(driver, is_bridge);
	m->result = PT_BIND_PLANNED;
	return 0;
}

int pt_bind_plan_count(const struct pt_bind_plan *p, enum pt_bind_action a)
{
	int n = 0;

	for (int i = 0; i < p->nr; i++)
		n += p->m[i].action == a;
	return n;
}

static int read_override(struct pt_binder *b, const char *bdf, char *buf, size_t n)
{
	char rel[128];
	int ret;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver_override", bdf);
	ret = pt_sysfs_read_str(&b->fs, rel, buf, n);
	if (ret == -ENOENT) {	/* kernels before 3.16 */
		buf[0] = '\0';
		return 0;
	}
	if (!ret && !strcmp(buf, "(null)"))
		buf[0] = '\0';
	return ret;
}

int pt_bind_plan_refresh(struct pt_binder *b, struct pt_bind_plan *p)
{
	char rel[128], val[32];
	int ret;

	for (int i = 0; i < p->nr; i++) {
		struct pt_bind_member *m = &p->m[i];

		ret = b->ops->driver(b, m->bdf, m->driver, sizeof(m->driver));
		if (ret)
			return pt_set_error(ret, "%s: cannot read its driver link: %s; "
					    "is sysfs mounted?", m->bdf, strerror(-ret));
		if (b->ops == &ptb_live_ops) {
			ret = read_override(b, m->bdf, m->override, sizeof(m->override));
			if (ret)
				return pt_set_error(ret, "%s: cannot read driver_override: %s",
						    m->bdf, strerror(-ret));
			snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/sriov_numvfs", m->bdf);
			m->numvfs = pt_sysfs_read_str(&b->fs, rel, val, sizeof(val)) ? 0 :
				    (unsigned int)strtoul(val, NULL, 10);
		}
		if (m->action != PT_BIND_BRIDGE)
			m->action = action_for(m->driver, false);
		m->result = PT_BIND_PLANNED;
		m->progress = PT_BIND_STEP_NONE;
	}
	return 0;
}

/* ---- steps ------------------------------------------------------------- */

/* Every kernel-changing step goes through here: numbering + test hook. */
static int step_begin(struct pt_binder *b, const struct pt_bind_member *m,
		      const char *name, const char *detail)
{
	b->step++;
	ptb_log(b, "step %d: %s: %s%s%s", b->step, m->bdf, name,
		detail ? " " : "", detail ? detail : "");
	if (b->fail_step && b->step == b->fail_step)
		return -EIO;
	if (b->crash_step && b->step == b->crash_step)
		kill(getpid(), SIGKILL);	/* test hook: die like `kill -9` */
	return 0;
}

static const char *step_fix(const char *step, int err)
{
	if (err == EACCES || err == EPERM || err == EROFS)
		return "run passthru as root, with /sys mounted read-write";
	if (!strcmp(step, "modprobe"))
		return "install and load the vfio-pci module (modprobe vfio-pci), "
		       "or use a kernel with CONFIG_VFIO_PCI";
	if (!strcmp(step, "unbind"))
		return "stop what uses the device (its driver refused to let go), "
		       "then run assign again";
	if (!strcmp(step, "verify") || !strcmp(step, "drivers_probe"))
		return "see `dmesg | grep vfio` — usually the IOMMU is off "
		       "(boot with intel_iommu=on or amd_iommu=on) or the device "
		       "is on vfio-pci's deny list";
	return "check `dmesg` for the kernel's reason, then run assign again";
}

/* Applies one member's steps; m->progress says how far it got. */
static int assign_member(struct pt_binder *b, struct pt_bind_plan *p,
			 struct pt_bind_member *m, char *err, size_t errlen)
{
	const char *step = NULL;
	char rel[160], cur[PT_NAME_LEN];
	int ret;

	step = "driver_override";
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver_override", m->bdf);
	ret = step_begin(b, m, step, "= " PT_BIND_TARGET);
	if (!ret)
		ret = b->ops->write(b, rel, PT_BIND_TARGET);
	if (ret)
		goto fail;
	m->progress = PT_BIND_STEP_OVERRIDE;

	step = "unbind";
	ret = b->ops->driver(b, m->bdf, cur, sizeof(cur));
	if (ret)
		goto fail;
	if (!strcmp(cur, PT_BIND_TARGET)) {
		/* vfio-pci took it already (e.g. loaded with the override set
		 * at boot by the udev rule): nothing to unbind or probe */
		m->progress = PT_BIND_STEP_PROBED;
		goto verify;
	}
	if (*cur) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver/unbind", m->bdf);
		ret = step_begin(b, m, step, cur);
		if (!ret)
			ret = b->ops->write(b, rel, m->bdf);
		if (!ret)
			ret = b->ops->wait_driver(b, m->bdf, "", b->timeout_ms);
		if (ret)
			goto fail;
	}
	m->progress = PT_BIND_STEP_UNBOUND;

	step = "drivers_probe";
	ret = step_begin(b, m, step, NULL);
	if (!ret)
		ret = b->ops->write(b, "sys/bus/pci/drivers_probe", m->bdf);
	/* drivers_probe reports the probe's own error: keep going to verify,
	 * which says what the device ended up with */
	if (ret == -EIO || ret == -EACCES || ret == -EROFS || ret == -EPERM ||
	    ret == -ENOENT)
		goto fail;
	m->progress = PT_BIND_STEP_PROBED;

verify:
	step = "verify";
	ret = step_begin(b, m, step, "driver link + /dev/vfio node");
	if (ret)
		goto fail;
	ret = b->ops->wait_driver(b, m->bdf, PT_BIND_TARGET, b->timeout_ms);
	if (ret) {
		if (b->ops->driver(b, m->bdf, cur, sizeof(cur)))
			strcpy(cur, "?");
		snprintf(err, errlen, "%s (group %d): step verify failed: the device "
			 "is bound to %s, not %s, after %d ms (%s); fix: %s",
			 m->bdf, p->group, *cur ? cur : "no driver", PT_BIND_TARGET,
			 b->timeout_ms, strerror(-ret), step_fix(step, -ret));
		p->failed_step = "verify";
		copy_str(p->failed_bdf, sizeof(p->failed_bdf), m->bdf);
		return ret;
	}
	ret = b->ops->wait_vfio_node(b, m->bdf, p->group, b->timeout_ms);
	if (ret) {
		snprintf(err, errlen, "%s (group %d): step verify failed: %s is bound "
			 "but /dev/vfio/%d (or its cdev) did not appear within %d ms "
			 "(%s); fix: check that devtmpfs is mounted on /dev and that "
			 "udev is running", m->bdf, p->group, PT_BIND_TARGET, p->group,
			 b->timeout_ms, strerror(-ret));
		p->failed_step = "verify";
		copy_str(p->failed_bdf, sizeof(p->failed_bdf), m->bdf);
		return ret;
	}
	m->progress = PT_BIND_STEP_VERIFIED;
	return 0;
fail:
	snprintf(err, errlen, "%s (group %d): step %s failed: %s%s; fix: %s",
		 m->bdf, p->group, step, strerror(-ret),
		 b->fail_step == b->step ? " (injected by PASSTHRU_TEST_FAIL_STEP)" : "",
		 step_fix(step, -ret));
	p->failed_step = step;
	copy_str(p->failed_bdf, sizeof(p->failed_bdf), m->bdf);
	return ret;
}

/*
 * Brings m back to driver `drv` ("" = no driver; NULL = the kernel's
 * choice) with driver_override `ovr`.  Idempotent: safe to run on a member
 * in any state, which is what makes crash recovery simple.
 */
static int restore_member(struct pt_binder *b, const struct pt_bind_member *m,
			  const char *drv, const char *ovr, char *err, size_t errlen)
{
	char rel[160], cur[PT_NAME_LEN];
	const char *step;
	int ret;

	step = "driver_override";
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver_override", m->bdf);
	/* a lone newline clears the override */
	ret = b->ops->write(b, rel, *ovr ? ovr : "\n");
	if (ret)
		goto fail;

	step = "unbind";
	ret = b->ops->driver(b, m->bdf, cur, sizeof(cur));
	if (ret)
		goto fail;
	if (drv && !strcmp(cur, drv))
		return 0;
	if (*cur) {
		ptb_log(b, "restore: %s: unbind from %s", m->bdf, cur);
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver/unbind", m->bdf);
		ret = b->ops->write(b, rel, m->bdf);
		if (!ret)
			ret = b->ops->wait_driver(b, m->bdf, "", b->timeout_ms);
		if (ret)
			goto fail;
	}
	if (drv && !*drv)
		return 0;	/* it had no driver: leave it without one */

	if (!drv) {
		step = "drivers_probe";
		char alias[256];

		/* what udev does on "add": load the module the modalias names */
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/modalias", m->bdf);
		if (!pt_sysfs_read_str(&b->fs, rel, alias, sizeof(alias)) && *alias)
			b->ops->modprobe(b, alias);
		ptb_log(b, "restore: %s: drivers_probe (kernel's default driver)", m->bdf);
		ret = b->ops->write(b, "sys/bus/pci/drivers_probe", m->bdf);
		/* -ENODEV etc.: no driver wants it, which is a valid outcome */
		if (ret == -EACCES || ret == -EROFS || ret == -EPERM)
			goto fail;
		return 0;
	}

	step = "modprobe";
	if (!b->ops->driver_loaded(b, drv)) {
		ptb_log(b, "restore: %s: modprobe %s", m->bdf, drv);
		ret = b->ops->modprobe(b, drv);
		if (ret || !b->ops->driver_loaded(b, drv)) {
			ret = ret ? ret : -ENOENT;
			goto fail;
		}
	}
	step = "bind";
	ptb_log(b, "restore: %s: bind to %s", m->bdf, drv);
	snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s/bind", drv);
	ret = b->ops->write(b, rel, m->bdf);
	if (!ret || ret == -EBUSY || ret == -ENODEV)
		ret = b->ops->wait_driver(b, m->bdf, drv, b->timeout_ms);
	if (ret)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: restoring %s failed at step %s: %s; fix: "
		 "`echo %s > /sys/bus/pci/drivers/%s/bind` by hand, or run "
		 "`passthru release --recover`", m->bdf,
		 drv ? (*drv ? drv : "no driver") : "the default driver",
		 step, strerror(-ret), m->bdf, drv && *drv ? drv : "DRIVER");
	return ret;
}

static int ensure_vfio_pci(struct pt_binder *b, struct pt_bind_plan *p)
{
	struct pt_bind_member fake = { 0 };
	int ret;

	if (b->ops->driver_loaded(b, PT_BIND_TARGET))
		return 0;
	copy_str(fake.bdf, sizeof(fake.bdf), "vfio-pci");
	ret = step_begin(b, &fake, "modprobe", "vfio-pci");
	if (!ret)
		ret = b->ops->modprobe(b, "vfio-pci");
	if (!ret && !b->ops->driver_loaded(b, PT_BIND_TARGET))
		ret = -ENOENT;
	if (ret) {
		p->failed_step = "modprobe";
		return pt_set_error(ret, "group %d: step modprobe failed: the vfio-pci "
				    "driver is not loaded and `modprobe vfio-pci` "
				    "failed (%s); nothing was changed; fix: %s",
				    p->group, strerror(-ret), step_fix("modprobe", -ret));
	}
	return 0;
}

static int rollback(struct pt_binder *b, struct pt_bind_plan *p, int upto,
		    char *err, size_t errlen)
{
	int failed = 0;

	for (int i = p->nr - 1; i >= 0; i--) {
		struct pt_bind_member *m = &p->m[i];
		char one[512];

		if (i > upto || m->action != PT_BIND_REBIND ||
		    m->progress == PT_BIND_STEP_NONE) {
			if (m->action == PT_BIND_REBIND)
				m->result = PT_BIND_UNCHANGED;
			continue;
		}
		if (restore_member(b, m, m->driver, m->override, one, sizeof(one))) {
			m->result = PT_BIND_FAILED;
			if (!failed++)
				snprintf(err, errlen, "%s", one);
		} else {
			m->result = PT_BIND_ROLLED_BACK;
		}
	}
	return failed;
}

int pt_bind_assign(struct pt_binder *b, struct pt_bind_plan *p)
{
	char first[768] = "", rb[512] = "";
	int ret, i, failed;

	p->failed_bdf[0] = '\0';
	p->failed_step = NULL;
	for (i = 0; i < p->nr; i++) {
		p->m[i].progress = PT_BIND_STEP_NONE;
		p->m[i].result = p->m[i].action == PT_BIND_REBIND ?
				 PT_BIND_PLANNED : PT_BIND_UNCHANGED;
	}
	if (!pt_bind_plan_count(p, PT_BIND_REBIND) || (b->flags & PT_BINDER_DRY_RUN))
		return 0;
	if (p->group < 0)
		return pt_set_error(ENODEV, "%s has no IOMMU group: VFIO needs an "
				    "IOMMU; fix: enable VT-d/AMD-Vi in the firmware "
				    "and boot with intel_iommu=on or amd_iommu=on",
				    p->nr ? p->m[0].bdf : "the device");
	ret = ensure_vfio_pci(b, p);
	if (ret)
		return ret;
	/* the monitor must exist before the first change, or events are lost */
	ret = ptb_monitor_open(b);
	if (ret)
		return ret;
	ret = pt_journal_write(b, p, PT_JOURNAL_APPLYING);
	if (ret)
		return ret;

	for (i = 0; i < p->nr; i++) {
		struct pt_bind_member *m = &p->m[i];

		if (m->action != PT_BIND_REBIND)
			continue;
		ret = assign_member(b, p, m, first, sizeof(first));
		if (ret)
			break;
		m->result = PT_BIND_DONE;
	}
	if (!ret) {
		ret = pt_journal_write(b, p, PT_JOURNAL_APPLIED);
		if (ret)	/* the change is done; only the record is missing */
			return ret;
		return 0;
	}

	failed = rollback(b, p, i, rb, sizeof(rb));
	if (failed) {
		pt_set_error(ENOTRECOVERABLE, "%s — and the rollback failed too: %s; "
			     "the journal %s/run/passthru/group-%d.journal is kept",
			     first, rb, b->fs.root, p->group);
		return -ENOTRECOVERABLE;
	}
	pt_journal_remove(b, p->group);
	return pt_set_error(-ret, "%s; every member of group %d was restored to "
			    "its original driver", first, p->group);
}

int pt_bind_release(struct pt_binder *b, struct pt_bind_plan *p)
{
	char err[768] = "", cur[PT_NAME_LEN];
	int ret = 0, failed = 0;

	p->failed_bdf[0] = '\0';
	p->failed_step = NULL;
	if (b->flags & PT_BINDER_DRY_RUN) {
		for (int i = 0; i < p->nr; i++)
			p->m[i].result = PT_BIND_PLANNED;
		return 0;
	}
	ret = ptb_monitor_open(b);
	if (ret)
		return ret;
	if (p->journaled) {
		ret = pt_journal_write(b, p, PT_JOURNAL_RELEASING);
		if (ret)
			return ret;
	}
	for (int i = 0; i < p->nr; i++) {
		struct pt_bind_member *m = &p->m[i];
		char ovr[PT_NAME_LEN] = "";
		const char *drv;

		m->result = PT_BIND_UNCHANGED;
		if (m->action == PT_BIND_BRIDGE)
			continue;
		if (b->ops->driver(b, m->bdf, cur, sizeof(cur)))
			cur[0] = '\0';
		if (b->ops == &ptb_live_ops)
			read_override(b, m->bdf, ovr, sizeof(ovr));
		/* only members that are on vfio-pci (or held for it) move */
		if (!pt_driver_is_vfio(cur) && !pt_driver_is_vfio(ovr))
			continue;
		drv = p->journaled ? m->driver : NULL;
		if (drv && pt_driver_is_vfio(drv))
			continue;	/* it was on vfio-pci before assign */
		/* held for vfio-pci but unbound when assign ran (the udev rule
		 * at boot, driverctl): its own driver is unknown, so the
		 * kernel's default it is — and the hold itself is released */
		if (drv && !*drv && pt_driver_is_vfio(m->override))
			drv = NULL;
		ret = restore_member(b, m, drv,
				     p->journaled && !pt_driver_is_vfio(m->override) ?
				     m->override : "", err, sizeof(err));
		if (ret) {
			m->result = PT_BIND_FAILED;
			if (!failed++) {
				p->failed_step = "release";
				copy_str(p->failed_bdf, sizeof(p->failed_bdf), m->bdf);
				pt_set_error(-ret, "group %d: %s", p->group, err);
			}
			continue;
		}
		m->result = PT_BIND_DONE;
	}
	if (failed)
		return -EIO;
	if (p->journaled || p->group >= 0)
		pt_journal_remove(b, p->group);
	return 0;
}

/* ---- non-root use and SR-IOV ------------------------------------------- */

int pt_bind_chown(struct pt_binder *b, const struct pt_bind_plan *p,
		  uid_t uid, gid_t gid)
{
	char path[PATH_MAX], cdev[64];
	int ret;

	if (b->flags & PT_BINDER_DRY_RUN)
		return 0;
	ret = pt_sysfs_path(&b->fs, path, sizeof(path), "dev/vfio/%d", p->group);
	if (!ret && chown(path, uid, gid))
		return pt_set_error(errno, "chown %s failed: %s; fix: run as root",
				    path, strerror(errno));
	for (int i = 0; i < p->nr; i++) {
		if (p->m[i].action == PT_BIND_BRIDGE ||
		    pt_sysfs_vfio_cdev(&b->fs, p->m[i].bdf, cdev, sizeof(cdev)))
			continue;
		if (pt_sysfs_path(&b->fs, path, sizeof(path), "dev/vfio/devices/%s", cdev))
			continue;
		if (chown(path, uid, gid) && errno != ENOENT)
			return pt_set_error(errno, "chown %s failed: %s; fix: run as root",
					    path, strerror(errno));
	}
	return 0;
}

int pt_bind_set_numvfs(struct pt_binder *b, const char *bdf, unsigned int n)
{
	char rel[160], val[32];
	unsigned long total, cur;
	int ret;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/sriov_totalvfs", bdf);
	ret = pt_sysfs_read_str(&b->fs, rel, val, sizeof(val));
	if (ret)
		return pt_set_error(ret == -ENOENT ? ENODEV : -ret,
				    "%s is not an SR-IOV physical function (no "
				    "sriov_totalvfs: %s); fix: pick the PF, see "
				    "`passthru list`", bdf, strerror(-ret));
	total = strtoul(val, NULL, 10);
	if (n > total)
		return pt_set_error(EINVAL, "%s supports at most %lu VFs, not %u",
				    bdf, total, n);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/sriov_numvfs", bdf);
	ret = pt_sysfs_read_str(&b->fs, rel, val, sizeof(val));
	if (ret)
		return pt_set_error(ret, "%s: cannot read sriov_numvfs: %s", bdf,
				    strerror(-ret));
	cur = strtoul(val, NULL, 10);
	if (cur == n || (b->flags & PT_BINDER_DRY_RUN))
		return 0;
	/* the kernel only changes a non-zero count through 0 */
	if (cur && n) {
		ret = b->ops->write(b, rel, "0");
		if (ret)
			goto fail;
	}
	snprintf(val, sizeof(val), "%u", n);
	ret = b->ops->write(b, rel, val);
	if (ret)
		goto fail;
	return 0;
fail:
	return pt_set_error(ret, "%s: writing %s to sriov_numvfs failed: %s; fix: "
			    "the PF must be bound to a driver that supports "
			    "SR-IOV (not vfio-pci unless enable_sriov=1), and "
			    "its VFs must not be in use", bdf, val, strerror(-ret));
}
