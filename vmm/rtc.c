// SPDX-License-Identifier: MIT
/*
 * vmm/rtc.c — the PC's CMOS real-time clock (MC146818) at ports 0x70/0x71.
 *
 * Linux registers its rtc_cmos driver on every PC without asking firmware;
 * against ports that read 0xff it waits for "update in progress" to clear
 * and gives up after seconds (6.7 s measured in the nested lab).  So an OS
 * guest gets the clock kvmtool and QEMU give it: the host's UTC time in
 * the format register B asks for (BCD or binary, 24 or 12 hours), no update
 * ever in progress, the rest of the 128 bytes as plain CMOS RAM.  No
 * interrupts: alarms and periodic ticks never fire (Linux does not need
 * them with kvm-clock).
 */
#include <string.h>
#include <time.h>

#include "vmm/vmm.h"

#define RTC_INDEX	0x70
#define RTC_DATA	0x71

#define REG_SECONDS	0x00
#define REG_MINUTES	0x02
#define REG_HOURS	0x04
#define REG_WEEKDAY	0x06
#define REG_MDAY	0x07
#define REG_MONTH	0x08
#define REG_YEAR	0x09
#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define REG_CENTURY	0x32

#define A_DIVIDER_32K	0x26	/* 32.768 kHz time base, 1024 Hz rate; UIP clear */
#define B_24H		0x02
#define B_BINARY	0x04
#define D_VRT		0x80	/* valid RAM and time */
#define HOUR_PM		0x80

static uint8_t rtc_enc(const struct vmm *vm, int v)
{
	return (vm->rtc_cmos[REG_B] & B_BINARY) ? v : (v / 10) << 4 | v % 10;
}

static uint8_t rtc_hour(const struct vmm *vm, int h)
{
	bool pm = h >= 12;

	if (vm->rtc_cmos[REG_B] & B_24H)
		return rtc_enc(vm, h);
	h %= 12;
	return rtc_enc(vm, h ? h : 12) | (pm ? HOUR_PM : 0);
}

static uint8_t rtc_read(struct vmm *vm, uint8_t reg)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (reg) {
	case REG_SECONDS: return rtc_enc(vm, tm.tm_sec);
	case REG_MINUTES: return rtc_enc(vm, tm.tm_min);
	case REG_HOURS: return rtc_hour(vm, tm.tm_hour);
	case REG_WEEKDAY: return rtc_enc(vm, tm.tm_wday + 1);
	case REG_MDAY: return rtc_enc(vm, tm.tm_mday);
	case REG_MONTH: return rtc_enc(vm, tm.tm_mon + 1);
	case REG_YEAR: return rtc_enc(vm, tm.tm_year % 100);
	case REG_CENTURY: return rtc_enc(vm, (tm.tm_year + 1900) / 100);
	case REG_A: return A_DIVIDER_32K;
	case REG_C: return 0;			/* no interrupt flags, ever */
	case REG_D: return D_VRT;
	default: return vm->rtc_cmos[reg];
	}
}

static int vmm_rtc_io(struct vmm *vm, void *opaque, uint64_t off,
		      uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque;
	if (off == 0) {			/* index; bit 7 is the NMI mask */
		if (is_write)
			vm->rtc_index = data[0] & 0x7f;
		else
			memset(data, 0xff, len);
		return 0;
	}
	if (!is_write) {
		memset(data, 0, len);
		data[0] = rtc_read(vm, vm->rtc_index);
	} else if (vm->rtc_index == REG_B || vm->rtc_index > REG_D) {
		vm->rtc_cmos[vm->rtc_index] = data[0];	/* time writes are ignored */
	}
	return 0;
}

int vmm_rtc_init(struct vmm *vm)
{
	memset(vm->rtc_cmos, 0, sizeof(vm->rtc_cmos));
	vm->rtc_cmos[REG_B] = B_24H;
	return vmm_io_register(&vm->pio, RTC_INDEX, 2, vmm_rtc_io, NULL, "rtc");
}
