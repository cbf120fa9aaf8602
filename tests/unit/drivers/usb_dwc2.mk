# DWC2 USB host controller driver against a register-level model of the core. -no-pie keeps the driver's static
# DMA buffers below 1 GiB, where the 32-bit bus addresses it gives the core can reach them, as on the Pi.
UNIT_TESTS += test_usb_dwc2
test_usb_dwc2_SRCS := tests/unit/drivers/test_usb_dwc2.c drivers/usb/dwc2.c tests/unit/fakes/fake_dwc2.c \
	$(FAKE_HW_SRCS) tests/unit/fakes/fake_dma.c
test_usb_dwc2_CFLAGS := -fno-pie -no-pie
