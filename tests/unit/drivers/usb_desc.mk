# USB descriptor parser: valid, truncated and hostile descriptor sets.
UNIT_TESTS += test_usb_desc
test_usb_desc_SRCS := tests/unit/drivers/test_usb_desc.c drivers/usb/usb_desc.c
