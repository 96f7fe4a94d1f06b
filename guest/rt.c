// SPDX-License-Identifier: MIT
/*
 * guest/rt.c — serial printf, string functions, clock, allocator, exit.
 */
#include "guest/rt.h"

struct vmm_boot_info *boot_info;
extern char _end[];
static uint64_t heap_next, heap_end;

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *dp = d;

	while (n--)
		*dp++ = c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (uint8_t)*a - (uint8_t)*b;
}

unsigned long strtoul_simple(const char *s)
{
	unsigned long v = 0, base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	for (;; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return v;
		v = v * base + d;
	}
}

void putc(char c)
{
	outb(VMM_PORT_SERIAL, c);
}

static void put_num(unsigned long long v, int base, int width, char pad, bool neg)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (width-- > n)
		putc(pad);
	while (n)
		putc(buf[--n]);
}

int vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';

		if (*fmt != '%') {
			putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		while (*fmt == 'l')
			lng++, fmt++;
		if (*fmt == 'z')
			lng = 1, fmt++;
		switch (*fmt) {
		case 'd': {
			long long v = lng ? va_arg(ap, long) : va_arg(ap, int);

			put_num(v < 0 ? -(unsigned long long)v : (unsigned long long)v,
				10, width, pad, v < 0);
			break;
		}
		case 'u':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int),
				10, width, pad, false);
			break;
		case 'x':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int),
				16, width, pad, false);
			break;
		case 'p':
			putc('0'), putc('x');
			put_num((uintptr_t)va_arg(ap, void *), 16, width, pad, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = strlen(s ? s : "(null)");

			while (width-- > len)
				putc(' ');
			for (s = s ? s : "(null)"; *s; s++)
				putc(*s);
			break;
		}
		case 'c':
			putc(va_arg(ap, int));
			break;
		case '%':
			putc('%');
			break;
		default:
			putc('?');
			break;
		}
	}
	return 0;
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	return 0;
}

uint32_t clock_us(void)
{
	return inl(VMM_PORT_CLOCK);
}

void delay_us(uint32_t us)
{
	uint32_t t0 = clock_us();

	while (clock_us() - t0 < us)
		;
}

void mark(uint32_t i)
{
	outl(VMM_PORT_MARK, i);
}

void guest_exit(int status)
{
	for (;;)
		outb(VMM_PORT_EXIT, status);
}

void *guest_alloc(size_t size, size_t align)
{
	uint64_t p;

	if (!align)
		align = 16;
	p = (heap_next + align - 1) & ~(uint64_t)(align - 1);
	if (p + size > heap_end || p + size < p) {
		printf("guest: out of memory (%lu bytes asked, %lu free)\n",
		       (unsigned long)size, (unsigned long)(heap_end - heap_next));
		guest_exit(3);
	}
	heap_next = p + size;
	return (void *)p;
}

int guest_start(struct vmm_boot_info *bi);
int guest_start(struct vmm_boot_info *bi)
{
	boot_info = bi;
	if (bi->magic != VMM_BOOT_MAGIC) {
		printf("guest: bad boot info magic\n");
		return 4;
	}
	heap_next = (uint64_t)_end;
	heap_end = bi->mem_size;
	irq_init();
	return guest_main(bi);
}
