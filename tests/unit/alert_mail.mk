# firmware/alert_mail: alert, boot and heartbeat mail texts, with templates expanded by config/config.c.
UNIT_TESTS += test_alert_mail
test_alert_mail_SRCS := tests/unit/test_alert_mail.c firmware/alert_mail.c firmware/mail.c firmware/mail_header.c \
	config/config.c
