# SMSC LAN951x USB Ethernet driver against a scripted model of the chip.
UNIT_TESTS += test_usb_smsc95xx
test_usb_smsc95xx_SRCS := tests/unit/drivers/test_usb_smsc95xx.c $(LIB_SRCS) drivers/usb/smsc95xx.c $(MCHP_USB_SRCS) \
	$(USB_ETH_SRCS) tests/unit/fakes/fake_usb.c tests/unit/fakes/fake_mchp_chip.c tests/unit/fakes/fake_systimer.c
