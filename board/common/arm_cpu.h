/*
 * arm_cpu.h - CPU modes, CP15 system control bits and mode stack sizes shared by start-up (assembly) and C.
 *
 * Only plain #defines: start.S and vectors.S include this file too.
 */
#ifndef BOARD_COMMON_ARM_CPU_H
#define BOARD_COMMON_ARM_CPU_H

/* CPSR mode field and interrupt masks. */
#define ARM_MODE_MASK 0x1F
#define ARM_MODE_USR  0x10
#define ARM_MODE_FIQ  0x11
#define ARM_MODE_IRQ  0x12
#define ARM_MODE_SVC  0x13
#define ARM_MODE_ABT  0x17
#define ARM_MODE_HYP  0x1A
#define ARM_MODE_UND  0x1B
#define ARM_MODE_SYS  0x1F
#define ARM_PSR_F     (1 << 6)
#define ARM_PSR_I     (1 << 7)
#define ARM_PSR_A     (1 << 8)

/* SCTLR (CP15 c1, c0, 0) bits used by this firmware. */
#define ARM_SCTLR_M  (1 << 0)  /* MMU on */
#define ARM_SCTLR_A  (1 << 1)  /* alignment faults: off, compilers for ARMv6+ emit unaligned accesses */
#define ARM_SCTLR_C  (1 << 2)  /* data cache */
#define ARM_SCTLR_Z  (1 << 11) /* branch prediction */
#define ARM_SCTLR_I  (1 << 12) /* instruction cache */
#define ARM_SCTLR_V  (1 << 13) /* high vectors: off, VBAR is used */
#define ARM_SCTLR_U  (1 << 22) /* ARMv6: unaligned access support (RAO on ARMv7) */
#define ARM_SCTLR_XP (1 << 23) /* ARMv6: extended page tables with XN and APX (RAO on ARMv7) */

/* ACTLR.SMP on Cortex-A7/A53: must be set before caches are enabled, or cacheable accesses are not coherent. */
#define ARM_ACTLR_SMP (1 << 6)

/* CPACR: full access to the VFP/NEON coprocessors cp10 and cp11. */
#define ARM_CPACR_CP10_CP11_FULL (0xF << 20)
/* FPEXC.EN: VFP enabled. */
#define ARM_FPEXC_EN (1 << 30)

/* Where the GPU firmware loads kernel.img/kernel7.img and where the image is linked to run. */
#define ARM_IMAGE_LINK_ADDR 0x8000

#endif /* BOARD_COMMON_ARM_CPU_H */
