# firmware/alert_mail: alert, boot and heartbeat mail texts, with templates expanded by the config parser
# (config_template_expand).
UNIT_TESTS += test_alert_mail
test_alert_mail_SRCS := tests/unit/firmware/test_alert_mail.c firmware/alert_mail.c $(MAIL_SRCS) $(CONFIG_PARSER_SRCS) \
	$(LIB_SRCS)
