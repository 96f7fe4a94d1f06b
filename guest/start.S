/* SPDX-License-Identifier: MIT */
/*
 * start.S — guest entry and interrupt stubs.
 *
 * The VMM enters _start in 64-bit mode with rdi = &boot_info and a stack.
 * _start clears .bss, calls guest_start(boot_info) and writes its return
 * value to the debug-exit port.  Each of the 256 IDT vectors gets a stub
 * that pushes a dummy error code when the CPU does not, then the vector,
 * saves the caller-saved registers and calls guest_trap(vector, frame).
 */
#define VMM_PORT_EXIT 0x500

	.section .text.start, "ax"
	.globl _start
_start:
	cld
	mov	%rdi, %r12
	lea	__bss_start(%rip), %rdi
	lea	_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb
	mov	%r12, %rdi
	call	guest_start
	mov	$VMM_PORT_EXIT, %dx
	out	%al, %dx
1:	cli
	hlt
	jmp	1b

	.text
	.altmacro
	.globl guest_trap_stub0		/* stub n is at guest_trap_stub0 + 16 * n */
.macro STUB n
	.align 16
	.if \n == 0
guest_trap_stub0:
	.endif
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	push	$0
	.endif
	push	$\n
	jmp	trap_common
.endm
	.set i, 0
	.rept 256
	STUB %i
	.set i, i + 1
	.endr

trap_common:
	push	%rbx
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	80(%rsp), %rdi		/* vector */
	lea	80(%rsp), %rsi		/* &vector, error code, rip, cs, rflags... */
	mov	%rsp, %rbx
	and	$-16, %rsp
	call	guest_trap
	mov	%rbx, %rsp
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	pop	%rbx
	add	$16, %rsp
	iretq

