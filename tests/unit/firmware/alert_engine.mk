# firmware/alert_engine: debounce, edges, rate limits and summaries with a fake clock, on configurations parsed
# from smtp.conf text.
UNIT_TESTS += test_alert_engine
test_alert_engine_SRCS := tests/unit/firmware/test_alert_engine.c firmware/alert_engine.c $(CONFIG_PARSER_SRCS)
