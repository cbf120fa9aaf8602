# Received frames through net/netif_glue.c into lwIP (the firmware's LWIP_SRCS under net/lwipopts.h), with
# net/net.c's DHCP, SNTP and DNS clients listening. Seeds: tests/fuzz/gen_net_rx_seeds.py.
FUZZ_TARGETS += fuzz_net_rx
fuzz_net_rx_SRCS := tests/fuzz/fuzz_net_rx.c net/net.c net/net_strerror.c net/netif_glue.c net/sys_arch.c net/clock.c drivers/netdev.c \
	tests/unit/fakes/fake_board.c board/board_names.c $(LWIP_SRCS)
fuzz_net_rx_CFLAGS := -Itests/unit/fakes $(NET_INCLUDES)
