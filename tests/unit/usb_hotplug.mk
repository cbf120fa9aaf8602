# Hot plug end to end: a CDC-ECM adapter on the register-level DWC2 model, unplugged and plugged back, up to the
# network stack's DHCP (net/net.c on the firmware's lwIP sources, LWIP_SRCS from net/net.mk). -no-pie for the DWC2
# driver's 32-bit DMA addresses, as test_usb_host.
UNIT_TESTS += test_usb_hotplug
test_usb_hotplug_SRCS := tests/unit/test_usb_hotplug.c drivers/usb/usb_host.c drivers/usb/usb_core.c \
	drivers/usb/usb_hub.c drivers/usb/usb_desc.c drivers/usb/dwc2.c drivers/usb/cdc_ecm.c drivers/usb/usb_eth.c \
	drivers/netdev.c tests/unit/fake_dwc2.c tests/unit/fake_mmio.c tests/unit/fake_systimer.c tests/unit/fake_dma.c \
	net/net.c net/net_strerror.c net/netif_glue.c net/sys_arch.c net/clock.c tests/unit/fake_board.c \
	board/board_names.c $(LWIP_SRCS)
test_usb_hotplug_CFLAGS := -fno-pie -no-pie $(NET_INCLUDES)
