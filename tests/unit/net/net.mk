# net/net.c: the interface from its settings (DHCP request contents, static settings, DNS and NTP server order,
# a replaced device), on the firmware's lwIP sources (LWIP_SRCS from net/net.mk) over a fake network device.
UNIT_TESTS += test_net
test_net_SRCS := tests/unit/net/test_net.c $(NET_IF_SRCS) $(NET_SYS_SRCS) $(NET_CLOCK_SRCS) $(NETDEV_SRCS) \
	$(FAKE_BOARD_SRCS) $(LWIP_SRCS)
test_net_CFLAGS := $(NET_INCLUDES)
