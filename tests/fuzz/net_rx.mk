# Received frames through net/netif_glue.c into lwIP (the firmware's LWIP_SRCS under net/lwipopts.h), with
# net/net.c's DHCP, SNTP and DNS clients listening. Seeds: tests/fuzz/gen_net_rx_seeds.py.
FUZZ_TARGETS += fuzz_net_rx
fuzz_net_rx_SRCS := tests/fuzz/fuzz_net_rx.c $(NET_IF_SRCS) $(NET_SYS_SRCS) $(NET_CLOCK_SRCS) $(NETDEV_SRCS) \
	$(FAKE_BOARD_SRCS) $(LWIP_SRCS)
fuzz_net_rx_CFLAGS := -Itests/unit/fakes $(NET_INCLUDES)
