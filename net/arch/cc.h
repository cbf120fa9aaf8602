/*
 * arch/cc.h - lwIP's compiler and platform port for baremail (arm-none-eabi GCC with newlib, little-endian).
 *
 * lwIP includes this through lwip/arch.h; net/net.mk puts net/ on the include path for it. Kept to what lwIP
 * cannot work out from <stdint.h> and friends: diagnostics, assertions and the random number source.
 */
#ifndef NET_ARCH_CC_H
#define NET_ARCH_CC_H

#include <stdio.h>

#include "net/entropy.h"
#include "net/sys_arch.h"

/* Diagnostics (only with LWIP_DEBUG) go to the serial console through newlib's printf. */
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        printf x;             \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) net_sys_arch_assert((x), __FILE__, __LINE__)

/* TCP initial sequence numbers, DNS ids and source ports, DHCP transaction ids: from the hardware RNG. */
#define LWIP_RAND() ((u32_t)net_entropy_rand32())

#endif /* NET_ARCH_CC_H */
