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

int pt_drv_init(struct pt_drv *drv, const struct pt_driver *ops,
		struct pt_drv_env *env, uint16_t vendor, uint16_t device,
		uint32_t class_code)
{
	size_t i;

	if (!ops || !env || !env->delay_us)
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
