# USB descriptors and received NIC transfers under libFuzzer (tests/unit fakes stand in for the bus).
FUZZ_TARGETS += fuzz_usb_desc
fuzz_usb_desc_SRCS := tests/fuzz/fuzz_usb_desc.c $(LIB_SRCS) drivers/usb/smsc95xx.c drivers/usb/lan78xx.c $(MCHP_USB_SRCS) \
	$(USB_ETH_SRCS) tests/unit/fakes/fake_usb.c tests/unit/fakes/fake_mchp_chip.c tests/unit/fakes/fake_systimer.c
fuzz_usb_desc_CFLAGS := -Itests/unit/fakes
