"""Checks of the console's `pin` command shared by the QEMU and native-board tests: both boards simulate their
inputs, read them back and refuse the same pins with the same reasons. `console` is a ConsoleText (QemuConsole or
the native board's Firmware)."""
import re


def pin_line(gpio, header_pin, level, simulated=False):
    """The start of `pin`'s answer, as a regular expression."""
    suffix = r" \(simulated\)" if simulated else ""
    return rf"^GPIO {gpio} \(header pin {header_pin}\): {level}{suffix};"


def expect_pin(console, line, pattern):
    text = console.command(line)
    assert re.search(pattern, text, re.M), f"`{line}`:\n{text}"
    return text


def check_simulated_levels(console, gpio=17, header_pin=11):
    """`pin N low|high` sets the level and `pin N` reads it back."""
    for level in ("low", "high", "low"):
        expect_pin(console, f"pin {gpio} {level}", pin_line(gpio, header_pin, level, simulated=True))
        expect_pin(console, f"pin {gpio}", pin_line(gpio, header_pin, level))


def check_refused_pins(console):
    """The console's pins and pins off the 40-pin header are refused with the reason; bad syntax gets the usage."""
    for line, reason in (
        ("pin 14 low", "pin: GPIO 14 cannot be watched: it carries the serial console's TXD (header pin 8)"),
        ("pin 15", "pin: GPIO 15 cannot be watched: it carries the serial console's RXD (header pin 10)"),
        ("pin 28 high", "pin: GPIO 28 cannot be watched: it is not on the 40-pin header (GPIO 0-27 are)"),
    ):
        text = console.command(line)
        assert reason in text, f"`{line}`:\n{text}"
    for line in ("pin", "pin x", "pin -1", "pin 17 sideways", "pin 17 low extra"):
        text = console.command(line)
        assert "usage: pin N [low|high]" in text, f"`{line}`:\n{text}"
