# firmware/alerts (board inputs into the alert engine) and the `alerts` console command, on the fake board's
# inputs.
UNIT_TESTS += test_alerts
test_alerts_SRCS := tests/unit/firmware/test_alerts.c firmware/alerts.c firmware/alerts_cmd.c firmware/alert_engine.c \
	firmware/alert_mail.c $(MAIL_SRCS) $(CONFIG_PARSER_SRCS) $(LIB_SRCS) $(CONSOLE_SRCS) $(FAKE_BOARD_SRCS) \
	tests/unit/fakes/stdout_capture.c
