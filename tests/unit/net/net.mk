# net/net.c: the interface from the configuration (DHCP request contents, static settings, DNS and NTP server order,
# a replaced device), on the firmware's lwIP sources (LWIP_SRCS from net/net.mk) over a fake network device.
UNIT_TESTS += test_net
test_net_SRCS := tests/unit/net/test_net.c net/net.c net/net_strerror.c net/netif_glue.c net/sys_arch.c net/clock.c drivers/netdev.c \
	tests/unit/fakes/fake_board.c board/board_names.c $(LWIP_SRCS)
test_net_CFLAGS := $(NET_INCLUDES)
