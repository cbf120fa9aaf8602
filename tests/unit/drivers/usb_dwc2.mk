# DWC2 USB host controller driver against a register-level model of the core: init, the root port, control and
# bulk transfers (test_usb_dwc2); NAKs, errors, split transactions and the asynchronous API (test_usb_dwc2_errors);
# both over tests/unit/drivers/dwc2_harness.c. -no-pie keeps the driver's static DMA buffers below 1 GiB, where the
# 32-bit bus addresses it gives the core can reach them, as on the Pi.
DWC2_TEST_SRCS := tests/unit/drivers/dwc2_harness.c drivers/usb/dwc2.c tests/unit/fakes/fake_dwc2.c $(FAKE_HW_SRCS) \
	tests/unit/fakes/fake_dma.c
UNIT_TESTS += test_usb_dwc2
test_usb_dwc2_SRCS := tests/unit/drivers/test_usb_dwc2.c $(DWC2_TEST_SRCS)
test_usb_dwc2_CFLAGS := -fno-pie -no-pie
UNIT_TESTS += test_usb_dwc2_errors
test_usb_dwc2_errors_SRCS := tests/unit/drivers/test_usb_dwc2_errors.c $(DWC2_TEST_SRCS)
test_usb_dwc2_errors_CFLAGS := -fno-pie -no-pie
