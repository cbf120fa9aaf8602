# net/smtp_client, the SMTP transport, over tests/unit/fake_transport (altcp connections, TLS layer and DNS faked at
# their interfaces; lwIP's altcp.c dispatches to them and its pbufs carry the server's bytes) and fake_board's clock.
UNIT_TESTS += test_smtp_client
test_smtp_client_SRCS := tests/unit/test_smtp_client.c tests/unit/fake_transport.c net/smtp_client.c \
	net/net_strerror.c $(SMTP_ENGINE_SRCS) $(CONFIG_PARSER_SRCS) net/sys_arch.c tests/unit/fake_board.c \
	board/board_names.c $(addprefix $(LWIP_DIR)/core/,altcp.c pbuf.c mem.c memp.c def.c stats.c ipv4/ip4_addr.c)
test_smtp_client_CFLAGS := $(NET_INCLUDES)
