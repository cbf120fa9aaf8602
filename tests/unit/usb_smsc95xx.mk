# SMSC LAN951x USB Ethernet driver against a scripted model of the chip.
UNIT_TESTS += test_usb_smsc95xx
test_usb_smsc95xx_SRCS := tests/unit/test_usb_smsc95xx.c lib/wake.c drivers/usb/smsc95xx.c drivers/usb/mchp_usb.c \
	drivers/usb/usb_eth.c drivers/usb/usb_desc.c drivers/netdev.c drivers/mii.c tests/unit/fake_usb.c \
	tests/unit/fake_mchp_chip.c tests/unit/fake_systimer.c
