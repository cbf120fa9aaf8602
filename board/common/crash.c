#include "board/common/crash.h"

#include <stdbool.h>
#include <stddef.h>

#include "board/common/arm_cpu.h"
#include "board/common/board_pi.h"
#include "board/common/crash_kinds.h"

/* Fault status register: FS[3:0] and, on ARMv6+, FS[4] in bit 10; bit 11 (DFSR) tells a write. */
#define FSR_FS_LOW_MASK 0xFu
#define FSR_FS_HIGH_BIT 10
#define FSR_WNR         (1u << 11)

static volatile bool crashing;

static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case CRASH_UNDEFINED: return "undefined instruction";
    case CRASH_SWI: return "unexpected software interrupt";
    case CRASH_PREFETCH_ABORT: return "prefetch abort";
    case CRASH_DATA_ABORT: return "data abort";
    case CRASH_FIQ: return "unexpected FIQ";
    case CRASH_RESET_VECTOR: return "jump to address 0";
    default: return "unknown exception";
    }
}

/* Short-descriptor fault status codes (ARM ARM B3.13.3) that a firmware bug produces. */
static const char *fault_status_name(uint32_t fsr)
{
    uint32_t fs = (fsr & FSR_FS_LOW_MASK) | (((fsr >> FSR_FS_HIGH_BIT) & 1u) << 4);
    switch (fs) {
    case 0x01: return "alignment fault";
    case 0x02: return "debug event";
    case 0x05: return "translation fault (section)";
    case 0x07: return "translation fault (page)";
    case 0x08: return "synchronous external abort";
    case 0x09: return "domain fault (section)";
    case 0x0B: return "domain fault (page)";
    case 0x0D: return "permission fault (section)";
    case 0x0F: return "permission fault (page)";
    case 0x16: return "asynchronous external abort";
    default: return "other fault";
    }
}

/* "0x" and eight hex digits: no stdio here, it may be what broke. */
static void format_hex(char buf[11], uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 8; i++) {
        buf[2 + i] = digits[(v >> (28 - 4 * i)) & 0xFu];
    }
    buf[10] = '\0';
}

static void put_hex(const char *label, uint32_t v)
{
    char buf[11];
    format_hex(buf, v);
    board_pi_emergency_write(label);
    board_pi_emergency_write(buf);
}

/* Builds the reset record's detail ("data abort at pc 0x...") in a fixed buffer. */
static void append(char *dst, size_t size, size_t *len, const char *s)
{
    while (*s && *len + 1 < size) {
        dst[(*len)++] = *s++;
    }
    dst[*len] = '\0';
}

static void append_hex(char *dst, size_t size, size_t *len, uint32_t v)
{
    char buf[11];
    format_hex(buf, v);
    append(dst, size, len, buf);
}

/* Banked sp and lr of the mode that faulted (user mode's are read through system mode, which shares them). */
static void banked_sp_lr(uint32_t mode, uint32_t *sp, uint32_t *lr)
{
    uint32_t target = (mode == ARM_MODE_USR) ? ARM_MODE_SYS : mode;
    uint32_t saved, tmp;
    __asm__ volatile("mrs %[saved], cpsr\n\t"
                     "bic %[tmp], %[saved], %[mask]\n\t"
                     "orr %[tmp], %[tmp], %[target]\n\t"
                     "msr cpsr_c, %[tmp]\n\t"
                     "mov %[sp], sp\n\t"
                     "mov %[lr], lr\n\t"
                     "msr cpsr_c, %[saved]\n\t"
                     : [saved] "=&r"(saved), [tmp] "=&r"(tmp), [sp] "=&r"(*sp), [lr] "=&r"(*lr)
                     : [mask] "I"(ARM_MODE_MASK), [target] "r"(target)
                     : "memory");
}

void crash_report(uint32_t kind, const struct crash_frame *frame, uint32_t spsr)
{
    if (crashing) {
        /* A fault while reporting a fault: say nothing more, just reset. */
        board_pi_reset(BOARD_RESET_CRASH, "fault inside the crash reporter");
    }
    crashing = true;

    uint32_t dfsr, dfar, ifsr, ifar, sp, lr;
    __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(dfsr));
    __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(dfar));
    __asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(ifsr));
    __asm__ volatile("mrc p15, 0, %0, c6, c0, 2" : "=r"(ifar));
    banked_sp_lr(spsr & ARM_MODE_MASK, &sp, &lr);

    board_pi_emergency_write("\r\n\r\n*** CRASH: ");
    board_pi_emergency_write(kind_name(kind));
    board_pi_emergency_write(" ***\r\n");
    put_hex("pc  ", frame->pc);
    put_hex("  lr  ", lr);
    put_hex("  sp  ", sp);
    put_hex("  psr ", spsr);
    board_pi_emergency_write("\r\n");
    if (kind == CRASH_DATA_ABORT) {
        put_hex("fault address ", dfar);
        put_hex("  status ", dfsr);
        board_pi_emergency_write(" (");
        board_pi_emergency_write(fault_status_name(dfsr));
        board_pi_emergency_write((dfsr & FSR_WNR) ? ", write)\r\n" : ", read)\r\n");
    } else if (kind == CRASH_PREFETCH_ABORT) {
        put_hex("fault address ", ifar);
        put_hex("  status ", ifsr);
        board_pi_emergency_write(" (");
        board_pi_emergency_write(fault_status_name(ifsr));
        board_pi_emergency_write(")\r\n");
    }
    static const char *const names[13] = { "r0  ", "r1  ", "r2  ", "r3  ", "r4  ", "r5  ", "r6  ",
                                           "r7  ", "r8  ", "r9  ", "r10 ", "r11 ", "r12 " };
    for (int i = 0; i < 13; i++) {
        put_hex(names[i], frame->r[i]);
        board_pi_emergency_write((i % 4 == 3 || i == 12) ? "\r\n" : "  ");
    }
    board_pi_emergency_write("rebooting through the watchdog\r\n");

    char detail[96];
    size_t len = 0;
    detail[0] = '\0';
    append(detail, sizeof detail, &len, kind_name(kind));
    append(detail, sizeof detail, &len, " at pc ");
    append_hex(detail, sizeof detail, &len, frame->pc);
    if (kind == CRASH_DATA_ABORT || kind == CRASH_PREFETCH_ABORT) {
        append(detail, sizeof detail, &len, ", address ");
        append_hex(detail, sizeof detail, &len, kind == CRASH_DATA_ABORT ? dfar : ifar);
    }
    board_pi_reset(BOARD_RESET_CRASH, detail);
}
