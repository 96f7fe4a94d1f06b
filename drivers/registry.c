// SPDX-License-Identifier: MIT
/*
 * registry.c — the list of DMA-test drivers (freestanding, see driver.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/driver.h"

static const struct pt_driver *const drivers[] = {
	&pt_driver_edu,
	&pt_driver_e1000e,
	&pt_driver_igb,
	&pt_driver_igbvf,
	&pt_driver_nvme,
};

const char pt_driver_list[] = "edu 1234:11e8, e1000e 8086:10d3, igb 8086:10c9/10e6/10e7/"
	"10e8/1526/150a/1518/150d/1521/1522/1523/1524, igbvf 8086:10ca/1520, nvme class 010802";

const struct pt_driver *pt_driver_find(uint16_t vendor, uint16_t device,
				       uint32_t class_code)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (drivers[i]->probe(vendor, device, class_code) == 0)
			return drivers[i];
	return NULL;
}

/* Driver ABI 1's env ends with scratch_lbas: a field appended later is read
 * only when the caller's .size reaches it, so an older env stays usable. */
#define ENV_SIZE_MIN (offsetof(struct pt_drv_env, scratch_lbas) + sizeof(uint64_t))

/* NULL when these drivers can use env, else why not and the fix (the
 * kernel's rule for extensible structs: what they do not know is zero). */
static const char *env_abi_error(const struct pt_drv_env *env)
{
	const uint8_t *bytes = (const uint8_t *)env;

	if (env->size < ENV_SIZE_MIN)
		return "struct pt_drv_env has no valid .size; fix: start from PT_DRV_ENV_INIT";
	if (env->abi != PT_DRV_ABI)
		return "struct pt_drv_env .abi is not these drivers' PT_DRV_ABI (the caller "
		       "was built against another driver.h); fix: rebuild it against this one";
	for (size_t i = sizeof(*env); i < env->size; i++)
		if (bytes[i])
			return "struct pt_drv_env has fields these drivers do not know; "
			       "fix: install a newer libpassthru";
	return NULL;
}

int pt_drv_init(struct pt_drv *drv, const struct pt_driver *ops,
		struct pt_drv_env *env, uint16_t vendor, uint16_t device,
		uint32_t class_code)
{
	size_t i;

	if (!ops || !env)
		return PT_DRV_EINVAL;
	drv->why = env_abi_error(env);	/* why and detail: first in every ABI */
	drv->detail = NULL;
	if (drv->why)
		return PT_DRV_EINVAL;
	if (!env->delay_us)
		return PT_DRV_EINVAL;
	if (ops->probe(vendor, device, class_code) != 0)
		return PT_DRV_ENODEV;
	if (ops->scratch_size_min && env->scratch_size < ops->scratch_size_min)
		return PT_DRV_EINVAL;
	drv->ops = ops;
	drv->env = env;
	drv->vendor = vendor;
	drv->device = device;
	drv->class_code = class_code;
	for (i = 0; i < sizeof(drv->priv) / sizeof(drv->priv[0]); i++)
		drv->priv[i] = 0;
	for (i = 0; i < 4; i++)
		drv->diag[i] = 0;
	for (i = 0; i < 6; i++)
		drv->mac[i] = 0;
	drv->has_mac = false;
	drv->copy_prefix_len = 0;
	drv->why = NULL;
	drv->detail = NULL;
	drv->copy_min = ops->min_memcpy ? ops->min_memcpy : 1;
	drv->copy_max = ops->max_memcpy;
	drv->copy_unit = 1;
	return ops->init(drv);
}

uint64_t pt_drv_copy_len(const struct pt_drv *drv, uint64_t len)
{
	uint64_t unit = drv->copy_unit ? drv->copy_unit : 1;

	if (len < drv->copy_min)
		len = drv->copy_min;
	len = (len + unit - 1) / unit * unit;
	if (drv->copy_max && len > drv->copy_max)
		len = drv->copy_max / unit * unit;
	return len;
}
