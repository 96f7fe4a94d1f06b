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
};

const struct pt_driver *pt_driver_find(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (drivers[i]->probe(vendor, device) == 0)
			return drivers[i];
	return NULL;
}

int pt_drv_init(struct pt_drv *drv, const struct pt_driver *ops,
		struct pt_drv_env *env, uint16_t vendor, uint16_t device)
{
	size_t i;

	if (!ops || !env || !env->delay_us)
		return PT_DRV_EINVAL;
	if (ops->probe(vendor, device) != 0)
		return PT_DRV_ENODEV;
	if (ops->scratch_size_min && env->scratch_size < ops->scratch_size_min)
		return PT_DRV_EINVAL;
	drv->ops = ops;
	drv->env = env;
	drv->vendor = vendor;
	drv->device = device;
	for (i = 0; i < sizeof(drv->priv) / sizeof(drv->priv[0]); i++)
		drv->priv[i] = 0;
	for (i = 0; i < 4; i++)
		drv->diag[i] = 0;
	return ops->init(drv);
}
