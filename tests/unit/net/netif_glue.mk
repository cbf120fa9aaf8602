# net/netif_glue.c: lwIP over a fake network device (the firmware's own lwIP sources, LWIP_SRCS from net/net.mk,
# under net/lwipopts.h), with lwIP's pool and heap counters as the leak check.
UNIT_TESTS += test_netif_glue
test_netif_glue_SRCS := tests/unit/net/test_netif_glue.c net/netif_glue.c $(NET_SYS_SRCS) $(NET_CLOCK_SRCS) \
	$(NETDEV_SRCS) $(FAKE_BOARD_SRCS) $(LWIP_SRCS)
# MEM_STATS: lwIP counts its heap (malloc'd PBUF_RAM pbufs) only when asked; the firmware does not need it.
test_netif_glue_CFLAGS := $(NET_INCLUDES) -DMEM_STATS=1
