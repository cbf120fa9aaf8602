# USB descriptors and received NIC transfers under libFuzzer (tests/unit fakes stand in for the bus).
FUZZ_TARGETS += fuzz_usb_desc
fuzz_usb_desc_SRCS := tests/fuzz/fuzz_usb_desc.c lib/wake.c drivers/usb/usb_desc.c drivers/usb/smsc95xx.c \
	drivers/usb/lan78xx.c drivers/usb/mchp_usb.c drivers/usb/usb_eth.c drivers/netdev.c drivers/mii.c \
	tests/unit/fake_usb.c tests/unit/fake_mchp_chip.c tests/unit/fake_systimer.c
fuzz_usb_desc_CFLAGS := -Itests/unit
