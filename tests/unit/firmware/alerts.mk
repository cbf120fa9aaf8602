# firmware/alerts (board inputs into the alert engine) and the `alerts` console command, on the fake board's
# inputs.
UNIT_TESTS += test_alerts
test_alerts_SRCS := tests/unit/firmware/test_alerts.c firmware/alerts.c firmware/alerts_cmd.c firmware/alert_engine.c \
	firmware/alert_mail.c mail/mail.c mail/mail_header.c $(CONFIG_PARSER_SRCS) firmware/console.c \
	firmware/console_editor.c tests/unit/fakes/fake_board.c board/board_names.c tests/unit/fakes/stdout_capture.c
