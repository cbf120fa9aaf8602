# USB hub driver against a hub model with devices on its ports, on the register-level DWC2 model. -no-pie for the
# DMA buffers' 32-bit bus addresses, as test_usb_dwc2.
UNIT_TESTS += test_usb_hub
test_usb_hub_SRCS := tests/unit/drivers/test_usb_hub.c $(LIB_SRCS) drivers/usb/usb_hub.c drivers/usb/usb_core.c drivers/usb/usb_desc.c \
	drivers/usb/dwc2.c tests/unit/fakes/fake_usb_hub.c tests/unit/fakes/fake_usb_dev.c tests/unit/fakes/fake_usb_widget.c \
	tests/unit/fakes/fake_dwc2.c $(FAKE_HW_SRCS) tests/unit/fakes/fake_dma.c
test_usb_hub_CFLAGS := -fno-pie -no-pie
