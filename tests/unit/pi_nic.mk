# Which network drivers each Pi model gets (board/common/pi_nic.c), on the model table and the real drivers.
UNIT_TESTS += test_pi_nic
test_pi_nic_SRCS := tests/unit/test_pi_nic.c board/common/pi_nic.c board/common/pi_models.c drivers/usb/usb_hub.c \
	drivers/usb/cdc_ecm.c drivers/usb/smsc95xx.c drivers/usb/lan78xx.c drivers/usb/mchp_usb.c drivers/usb/usb_eth.c \
	drivers/usb/usb_desc.c drivers/netdev.c drivers/mii.c tests/unit/fake_usb.c tests/unit/fake_systimer.c
