# net/smtp_client: the TLS files it reads from the card, and the words the user gets when one cannot be read. The
# network below is stubs in the test; malloc is wrapped so that the client's allocation for a file can fail.
UNIT_TESTS += test_smtp_client_files
test_smtp_client_files_SRCS := tests/unit/net/test_smtp_client_files.c net/smtp_client.c net/net_strerror.c \
	firmware/net_settings.c $(SMTP_SRCS) $(CONFIG_PARSER_SRCS) $(FAKE_BOARD_SRCS) $(LWIP_DIR)/core/def.c
test_smtp_client_files_CFLAGS := $(NET_INCLUDES)
test_smtp_client_files_LIBS := -Wl,--wrap=malloc
