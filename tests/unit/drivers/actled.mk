# ACT LED driver, over the real GPIO driver and a mailbox faked inside the test.
UNIT_TESTS += test_actled
test_actled_SRCS := tests/unit/drivers/test_actled.c drivers/actled.c drivers/gpio.c $(FAKE_HW_SRCS)
