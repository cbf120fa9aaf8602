# Which network drivers each Pi model gets (board/common/pi_nic.c), on the model table and the real drivers.
UNIT_TESTS += test_pi_nic
test_pi_nic_SRCS := tests/unit/board/test_pi_nic.c $(LIB_SRCS) board/common/pi_nic.c board/common/pi_models.c \
	drivers/usb/usb_hub.c drivers/usb/cdc_ecm.c drivers/usb/smsc95xx.c drivers/usb/lan78xx.c $(MCHP_USB_SRCS) \
	$(USB_ETH_SRCS) tests/unit/fakes/fake_usb.c tests/unit/fakes/fake_systimer.c
