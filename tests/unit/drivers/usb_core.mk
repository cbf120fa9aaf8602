# USB core (enumeration, configuration, driver binding, the device tree) against devices on the register-level
# DWC2 model. -no-pie for the DMA buffers' 32-bit bus addresses, as test_usb_dwc2.
UNIT_TESTS += test_usb_core
test_usb_core_SRCS := tests/unit/drivers/test_usb_core.c $(LIB_SRCS) drivers/usb/usb_core.c drivers/usb/usb_desc.c drivers/usb/dwc2.c \
	tests/unit/fakes/fake_usb_dev.c tests/unit/fakes/fake_usb_widget.c tests/unit/fakes/fake_dwc2.c $(FAKE_HW_SRCS) \
	tests/unit/fakes/fake_dma.c tests/unit/fakes/stdout_capture.c
test_usb_core_CFLAGS := -fno-pie -no-pie
