/* SPDX-License-Identifier: MIT */
/* tiny — the benchmark guest: its first instruction writes '!' to the
 * serial port, then a newline, then exits 0.  No runtime. */
	.section .text.start, "ax"
	.globl _start
_start:
	mov	$0x3f8, %dx
	mov	$'!', %al
	out	%al, %dx
	mov	$'\n', %al
	out	%al, %dx
	mov	$0x500, %dx
	xor	%eax, %eax
	out	%al, %dx
1:	hlt
	jmp	1b
