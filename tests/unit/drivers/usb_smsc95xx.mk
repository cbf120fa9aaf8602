# SMSC LAN951x USB Ethernet driver against a scripted model of the chip.
UNIT_TESTS += test_usb_smsc95xx
test_usb_smsc95xx_SRCS := tests/unit/drivers/test_usb_smsc95xx.c drivers/usb/smsc95xx.c drivers/usb/mchp_usb.c \
	drivers/usb/usb_eth.c drivers/usb/usb_desc.c drivers/netdev.c drivers/mii.c tests/unit/fakes/fake_usb.c \
	tests/unit/fakes/fake_mchp_chip.c tests/unit/fakes/fake_systimer.c
