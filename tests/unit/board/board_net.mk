# The Pi boards' network bring-up (board/common/board_net.c) over the real USB host stack on the register-level DWC2
# model: when the DWC2 core's interrupt may wake the idle. The rpi2 board_config.h puts the USB block where the model
# sits. -no-pie for the DMA buffers' 32-bit bus addresses, as test_usb_dwc2.
UNIT_TESTS += test_board_net
test_board_net_SRCS := tests/unit/board/test_board_net.c $(LIB_SRCS) board/common/board_net.c board/common/pi_nic.c \
	board/common/pi_models.c drivers/usb/usb_host.c drivers/usb/usb_core.c drivers/usb/usb_hub.c drivers/usb/dwc2.c \
	drivers/usb/cdc_ecm.c drivers/usb/smsc95xx.c drivers/usb/lan78xx.c $(MCHP_USB_SRCS) $(USB_ETH_SRCS) \
	tests/unit/fakes/fake_dwc2.c tests/unit/fakes/fake_usb_dev.c $(FAKE_HW_SRCS) tests/unit/fakes/fake_dma.c
test_board_net_CFLAGS := -fno-pie -no-pie -Iboard/rpi2
