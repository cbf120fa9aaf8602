# USB host bring-up and recovery: the whole USB stack with the SMSC driver, on the register-level DWC2 model with
# a scripted LAN9512 on the root port or behind its hub (fake_usb_dev, fake_usb_hub). -no-pie for the DMA buffers'
# 32-bit bus addresses, as test_usb_dwc2.
UNIT_TESTS += test_usb_host
test_usb_host_SRCS := tests/unit/drivers/test_usb_host.c $(LIB_SRCS) drivers/usb/usb_host.c drivers/usb/usb_core.c \
	drivers/usb/usb_hub.c drivers/usb/dwc2.c drivers/usb/smsc95xx.c $(MCHP_USB_SRCS) $(USB_ETH_SRCS) \
	tests/unit/fakes/fake_dwc2.c tests/unit/fakes/fake_usb_dev.c tests/unit/fakes/fake_usb_hub.c \
	tests/unit/fakes/fake_mchp_chip.c $(FAKE_HW_SRCS) tests/unit/fakes/fake_dma.c
test_usb_host_CFLAGS := -fno-pie -no-pie
