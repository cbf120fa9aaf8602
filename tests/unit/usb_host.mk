# USB host bring-up and recovery: the whole USB stack with the SMSC driver, on the register-level DWC2 model with
# a scripted LAN9512 behind the root port. -no-pie for the DMA buffers' 32-bit bus addresses, as test_usb_dwc2.
UNIT_TESTS += test_usb_host
test_usb_host_SRCS := tests/unit/test_usb_host.c lib/wake.c drivers/usb/usb_host.c drivers/usb/usb_core.c \
	drivers/usb/usb_hub.c drivers/usb/usb_desc.c \
	drivers/usb/dwc2.c drivers/usb/smsc95xx.c drivers/usb/mchp_usb.c drivers/usb/usb_eth.c drivers/netdev.c \
	drivers/mii.c tests/unit/fake_dwc2.c tests/unit/fake_mchp_chip.c tests/unit/fake_mmio.c \
	tests/unit/fake_systimer.c tests/unit/fake_dma.c
test_usb_host_CFLAGS := -fno-pie -no-pie
