# Hot plug end to end: a CDC-ECM adapter on the register-level DWC2 model, unplugged and plugged back, up to the
# network stack's DHCP (net/net.c on the firmware's lwIP sources, LWIP_SRCS from net/net.mk). -no-pie for the DWC2
# driver's 32-bit DMA addresses, as test_usb_host.
UNIT_TESTS += test_usb_hotplug
test_usb_hotplug_SRCS := tests/unit/drivers/test_usb_hotplug.c $(LIB_SRCS) drivers/usb/usb_host.c drivers/usb/usb_core.c \
	drivers/usb/usb_hub.c drivers/usb/dwc2.c drivers/usb/cdc_ecm.c $(USB_ETH_SRCS) tests/unit/fakes/fake_dwc2.c \
	$(FAKE_HW_SRCS) tests/unit/fakes/fake_dma.c $(NET_IF_SRCS) $(NET_SYS_SRCS) $(NET_CLOCK_SRCS) \
	$(FAKE_BOARD_SRCS) $(LWIP_SRCS)
test_usb_hotplug_CFLAGS := -fno-pie -no-pie $(NET_INCLUDES)
