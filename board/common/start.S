/*
 * start.S - first instructions of the firmware on every Pi board.
 *
 * Entered with the MMU off from either loader:
 *  - the Pi's GPU firmware: image at 0x8000, r1 = machine type, r2 = ATAGs or device tree; Pi 2/3 enter in HYP;
 *  - QEMU -kernel: image at 0x10000, r2 = ATAGs at 0x100 or a DTB; QEMU -bios: image at 0x8000, all cores run it.
 * The image is linked at 0x8000 and copies itself there when loaded elsewhere, so all later code runs at its link
 * address. Only PC-relative code runs before that copy.
 */
#include "board/common/arm_cpu.h"

    .syntax unified
    .arm

/* Makes freshly copied code safe to run: no stale instruction cache lines or branch predictions. */
.macro sync_copied_code scratch
    mov     \scratch, #0
    mcr     p15, 0, \scratch, c7, c5, 0   @ invalidate the instruction cache
    mcr     p15, 0, \scratch, c7, c5, 6   @ invalidate branch predictors
#if __ARM_ARCH >= 7
    dsb
    isb
#else
    mcr     p15, 0, \scratch, c7, c10, 4  @ data synchronization barrier
    mcr     p15, 0, \scratch, c7, c5, 4   @ flush prefetch buffer
#endif
.endm

    .section .text.boot, "ax"
    .global _start
_start:
    mov     r10, r1                 @ machine type and boot blob pointer live in r10/r11 until C takes them
    mov     r11, r2

#if __ARM_ARCH >= 7
    /* Cores other than 0 (QEMU -bios starts all four here) wait forever; the firmware never uses them. */
    mrc     p15, 0, r3, c0, c0, 5   @ MPIDR
    ands    r3, r3, #3
    bne     park_core

    /* The Pi 2/3 firmware enters in HYP mode: drop to SVC with interrupts masked. */
    mrs     r3, cpsr
    and     r4, r3, #ARM_MODE_MASK
    cmp     r4, #ARM_MODE_HYP
    bne     in_svc
    bic     r3, r3, #ARM_MODE_MASK
    orr     r3, r3, #(ARM_MODE_SVC | ARM_PSR_I | ARM_PSR_F)
    orr     r3, r3, #ARM_PSR_A
    msr     spsr_hyp, r3
    adr     r4, in_svc
    msr     elr_hyp, r4
    eret
#endif
in_svc:
    cpsid   aif, #ARM_MODE_SVC

    /* Relocate to the link address when loaded above it (QEMU -kernel: 0x10000). The source and destination
     * overlap and this code runs inside the source, so first copy just this start-up section (it lies below the
     * overlap), continue from the copy at the link address, and copy the rest from there. No loader puts the
     * image below its link address; if one did, there is nothing safe to do but stop. */
    adr     r3, _start              @ where we run
    ldr     r4, =_start             @ where we are linked
    cmp     r3, r4
    beq     relocated
    blo     park_core
    ldr     r5, =__boot_end
    sub     r5, r5, r4              @ bytes of start-up code (a multiple of 4, at most 32 KiB: linker/pi.ld)
    mov     r6, r4
copy_boot:
    ldr     r7, [r3], #4
    str     r7, [r6], #4
    subs    r5, r5, #4
    bne     copy_boot
    sync_copied_code r7
    ldr     pc, =copy_rest          @ continue in the copy; r3 and r6 point past the start-up code
copy_rest:
    ldr     r5, =__image_end
    subs    r5, r5, r6              @ bytes still to copy (a multiple of 4)
    beq     copied
copy_rest_loop:
    ldr     r7, [r3], #4
    str     r7, [r6], #4
    subs    r5, r5, #4
    bne     copy_rest_loop
copied:
    sync_copied_code r7
    ldr     pc, =relocated

relocated:
    /* One stack per exception mode; all interrupts stay masked until the board enables them. */
    cps     #ARM_MODE_IRQ
    ldr     sp, =__stack_irq_top
    cps     #ARM_MODE_ABT
    ldr     sp, =__stack_abt_top
    cps     #ARM_MODE_UND
    ldr     sp, =__stack_abt_top    @ undefined instructions are fatal like aborts: share the crash stack
    cps     #ARM_MODE_FIQ
    ldr     sp, =__stack_abt_top
    cps     #ARM_MODE_SVC
    ldr     sp, =__stack_svc_top

    /* Unaligned accesses are legal on ARMv6+ and the compiler emits them: no alignment faults (U on ARMv6). */
    mrc     p15, 0, r3, c1, c0, 0
    bic     r3, r3, #ARM_SCTLR_A
    orr     r3, r3, #ARM_SCTLR_U
    mcr     p15, 0, r3, c1, c0, 0

    /* VFP/NEON on before any C code: the hard-float ABI and newlib use VFP registers. */
    mrc     p15, 0, r3, c1, c0, 2
    orr     r3, r3, #ARM_CPACR_CP10_CP11_FULL
    mcr     p15, 0, r3, c1, c0, 2
#if __ARM_ARCH >= 7
    isb
#else
    mov     r3, #0
    mcr     p15, 0, r3, c7, c5, 4
#endif
    mov     r3, #ARM_FPEXC_EN
    vmsr    fpexc, r3

    /* Clear .bss (word aligned by the linker script). */
    ldr     r3, =__bss_start
    ldr     r4, =__bss_end
    mov     r5, #0
clear_bss:
    cmp     r3, r4
    strlo   r5, [r3], #4
    blo     clear_bss

    mov     r0, r10
    mov     r1, r11
    bl      boot_start              @ never returns
    b       park_core

park_core:
    wfe
    b       park_core
