# net/smtp_client, the SMTP transport, over tests/unit/fakes/fake_transport (altcp connections, TLS layer and DNS
# faked at their interfaces; lwIP's altcp.c dispatches to them and its pbufs carry the server's bytes) and
# fake_board's clock; the submissions' settings come from configurations through firmware/net_settings.
UNIT_TESTS += test_smtp_client
test_smtp_client_SRCS := tests/unit/net/test_smtp_client.c tests/unit/fakes/fake_transport.c net/smtp_client.c \
	net/net_strerror.c firmware/net_settings.c $(SMTP_SRCS) $(CONFIG_PARSER_SRCS) $(NET_SYS_SRCS) \
	$(FAKE_BOARD_SRCS) $(addprefix $(LWIP_DIR)/core/,altcp.c pbuf.c mem.c memp.c def.c stats.c ipv4/ip4_addr.c)
test_smtp_client_CFLAGS := $(NET_INCLUDES)
