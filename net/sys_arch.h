/*
 * sys_arch.h - lwIP's system interface for baremail: NO_SYS mode, time from the board, assertions.
 *
 * lwIP runs in the main loop only (NO_SYS=1, no threads, no lwIP calls from interrupt handlers), so it needs no
 * locks or semaphores, only sys_now() (declared by lwIP in lwip/sys.h) and the assertion handler below.
 */
#ifndef NET_SYS_ARCH_H
#define NET_SYS_ARCH_H

/* LWIP_PLATFORM_ASSERT (net/arch/cc.h): prints the failed condition and where, then reboots the board with the
 * reason recorded. A broken invariant in the stack must not leave an alarm device silently offline. */
void net_sys_arch_assert(const char *message, const char *file, int line) __attribute__((noreturn));

#endif /* NET_SYS_ARCH_H */
