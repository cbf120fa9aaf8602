# CDC-ECM class driver against a model of QEMU's usb-net.
UNIT_TESTS += test_usb_cdc_ecm
test_usb_cdc_ecm_SRCS := tests/unit/drivers/test_usb_cdc_ecm.c $(LIB_SRCS) drivers/usb/cdc_ecm.c $(USB_ETH_SRCS) \
	tests/unit/fakes/fake_usb.c tests/unit/fakes/fake_systimer.c
