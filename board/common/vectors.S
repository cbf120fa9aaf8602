/*
 * vectors.S - exception vector table and entry code.
 *
 * IRQ: saves what the AAPCS lets a C function clobber (core and VFP caller-saved registers) and calls
 * intc_dispatch() on the IRQ stack. Everything else is a fault in this firmware: the entry saves r0-r12 and the
 * return address on the abort stack and calls crash_report(), which prints the report and reboots.
 */
#include "board/common/arm_cpu.h"
#include "board/common/crash_kinds.h"

    .syntax unified
    .arm
    .section .text.vectors, "ax"
    .balign 32
    .global exception_vectors
exception_vectors:
    ldr     pc, =crash_reset_entry
    ldr     pc, =undef_entry
    ldr     pc, =swi_entry
    ldr     pc, =prefetch_abort_entry
    ldr     pc, =data_abort_entry
    ldr     pc, =crash_reset_entry
    ldr     pc, =irq_entry
    ldr     pc, =fiq_entry
    .ltorg

    .text
irq_entry:
    sub     lr, lr, #4
    push    {r0-r3, r12, lr}
    vmrs    r0, fpscr
    push    {r0, r1}                @ r1 pads to keep the stack 8-byte aligned for C
    vpush   {d0-d7}
#if __ARM_NEON
    vpush   {d16-d31}
#endif
    bl      intc_dispatch
#if __ARM_NEON
    vpop    {d16-d31}
#endif
    vpop    {d0-d7}
    pop     {r0, r1}
    vmsr    fpscr, r0
    ldm     sp!, {r0-r3, r12, pc}^

/* Each fault entry: lr becomes the address of the faulting instruction, then the common path. */
undef_entry:
    sub     lr, lr, #4
    push    {r0-r12, lr}
    mov     r0, #CRASH_UNDEFINED
    b       crash_common
swi_entry:
    sub     lr, lr, #4
    push    {r0-r12, lr}
    mov     r0, #CRASH_SWI
    b       crash_common
prefetch_abort_entry:
    sub     lr, lr, #4
    push    {r0-r12, lr}
    mov     r0, #CRASH_PREFETCH_ABORT
    b       crash_common
data_abort_entry:
    sub     lr, lr, #8
    push    {r0-r12, lr}
    mov     r0, #CRASH_DATA_ABORT
    b       crash_common
fiq_entry:
    sub     lr, lr, #4
    push    {r0-r12, lr}
    mov     r0, #CRASH_FIQ
    b       crash_common
crash_reset_entry:
    mov     lr, #0
    push    {r0-r12, lr}
    mov     r0, #CRASH_RESET_VECTOR
crash_common:
    /* A fault in SVC mode may come from a broken stack: the crash reporter runs on the abort-mode stack it was
     * entered with (UND and FIQ share it), so it never touches the faulting context's stack. */
    mov     r1, sp                  @ struct crash_frame: r0-r12, pc
    mrs     r2, spsr
    bl      crash_report            @ never returns
1:  wfe
    b       1b
