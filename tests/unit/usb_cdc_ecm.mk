# CDC-ECM class driver against a model of QEMU's usb-net.
UNIT_TESTS += test_usb_cdc_ecm
test_usb_cdc_ecm_SRCS := tests/unit/test_usb_cdc_ecm.c lib/wake.c drivers/usb/cdc_ecm.c drivers/usb/usb_eth.c \
	drivers/usb/usb_desc.c drivers/netdev.c tests/unit/fake_usb.c tests/unit/fake_systimer.c
