// SPDX-License-Identifier: MIT
/*
 * test-verify-kmsg.c — parsing /dev/kmsg records and recognising IOMMU
 * fault messages (the extra evidence of verify's unmapped-DMA checks).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "verify/kmsg.h"

static const char vtd_fault[] =
	"3,1234,5678901,-;DMAR: [DMA Write NO_PASID] Request device [00:04.0] "
	"fault addr 0x6000000 [fault reason 0x05] PTE Write access is not set\n"
	" SUBSYSTEM=pci\n DEVICE=+pci:0000:00:04.0\n";

Test(kmsg, parse_record_drops_dictionary)
{
	char msg[256];

	cr_assert_eq(vfy_kmsg_parse(vtd_fault, strlen(vtd_fault), msg, sizeof(msg)), 0);
	cr_assert_str_eq(msg, "DMAR: [DMA Write NO_PASID] Request device [00:04.0] "
			 "fault addr 0x6000000 [fault reason 0x05] PTE Write access is not set");
}

Test(kmsg, parse_continuation_flag_and_truncation)
{
	const char rec[] = "6,7,8,c;abcdefgh";
	char msg[5];

	cr_assert_eq(vfy_kmsg_parse(rec, strlen(rec), msg, sizeof(msg)), 0);
	cr_assert_str_eq(msg, "abcd");
}

Test(kmsg, parse_malformed)
{
	char msg[64];

	cr_assert_eq(vfy_kmsg_parse("no semicolon", 12, msg, sizeof(msg)), -EINVAL);
	cr_assert_eq(vfy_kmsg_parse("1,2;x", 5, msg, sizeof(msg)), -EINVAL,
		     "fewer than four prefix fields");
	cr_assert_eq(vfy_kmsg_parse("1,a,3,-;x", 9, msg, sizeof(msg)), -EINVAL);
	cr_assert_eq(vfy_kmsg_parse("1,2,3,-;x", 9, msg, 0), -EINVAL);
	/* the record is not NUL-terminated: nothing past len is read */
	cr_assert_eq(vfy_kmsg_parse("1,2,3,-;xyz", 9, msg, sizeof(msg)), 0);
	cr_assert_str_eq(msg, "x");
}

Test(kmsg, fault_recognition)
{
	cr_assert(vfy_kmsg_is_fault("DMAR: [DMA Read NO_PASID] Request device [00:05.0] "
				    "fault addr 0xfff0000 [fault reason 0x06] PTE Read access is not set"));
	cr_assert(vfy_kmsg_is_fault("AMD-Vi: Event logged [IO_PAGE_FAULT device=0000:03:00.0 "
				    "domain=0x000b address=0x6000000 flags=0x0020]"));
	cr_assert_not(vfy_kmsg_is_fault("DMAR: DRHD: handling fault status reg 2"));
	cr_assert_not(vfy_kmsg_is_fault("DMAR: IOMMU enabled"));
	cr_assert_not(vfy_kmsg_is_fault("e1000e 0000:00:05.0: page fault"));
}
