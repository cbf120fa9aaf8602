# The console's `test` and `sendmail` (firmware/mail_cmd) over the real mail modules, console and main loop pass,
# with the network, clock and SMTP transport faked in the test.
UNIT_TESTS += test_mail_cmd
test_mail_cmd_SRCS := tests/unit/firmware/test_mail_cmd.c tests/unit/fakes/fake_deadlines.c firmware/mail_cmd.c firmware/net_settings.c $(MAIN_LOOP_SRCS) $(CONSOLE_SRCS) \
	$(MAIL_SRCS) $(CONFIG_PARSER_SRCS) $(LIB_SRCS) $(SMTP_SRCS) tests/unit/fakes/hmac_md5_ref.c \
	$(LWIP_DIR)/core/ipv4/ip4_addr.c $(LWIP_DIR)/core/def.c $(NET_SYS_SRCS) $(FAKE_BOARD_SRCS) \
	tests/unit/fakes/fake_version.c tests/unit/fakes/stdout_capture.c
test_mail_cmd_CFLAGS := $(NET_INCLUDES)
