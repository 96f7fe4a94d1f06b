// SPDX-License-Identifier: MIT
#include "lib/passthru.h"

const char *pt_version(void)
{
	return PASSTHRU_LIB_VERSION;
}
