#!/usr/bin/python3
"""Boots the firmware images in QEMU the way users and the Pi's firmware load them, and drives the console."""
import re
import subprocess
import os
import tempfile

from qemu_console import BOOT_TIMEOUT, PROMPT, QemuConsole, case, idle_wakeups, run_cases

RPI2 = "build/rpi2/kernel7.img"
RPI1 = "build/rpi1/kernel.img"


def boot(console, model, cause="power-on"):
    """Reads a banner and the first prompt; checks the model and the reset cause it names."""
    banner_start = console.expect(r"baremail \S+", BOOT_TIMEOUT).start()
    console.expect(re.escape(PROMPT), BOOT_TIMEOUT)
    banner = console.output[banner_start:console.mark]
    assert model in banner, f"banner does not name {model!r}:\n{banner}"
    assert re.search(r"reset: +" + re.escape(cause), banner), f"reset cause is not {cause!r}:\n{banner}"
    return banner


def check_commands(console, model):
    text = console.command("help")
    for name in ("help", "version", "status", "reboot"):
        assert re.search(r"^\s*" + name + r"\b", text, re.M), f"help does not list {name}:\n{text}"
    text = console.command("version")
    assert model in text, f"version does not name {model!r}:\n{text}"
    assert "lwIP 2.2.1" in text and "Mbed TLS 3.6" in text, f"version lacks the library versions:\n{text}"
    text = console.command("status")
    assert re.search(r"uptime", text) and re.search(r"heap", text), f"status output incomplete:\n{text}"
    # No NIC here: `net` says what DHCP and NTP wait for, not a DHCP state "off" beside "waiting for NTP".
    text = console.command("net")
    assert re.search(r"^config: +DHCP, starts when a network device appears\r?$", text, re.M), text
    assert re.search(r"^time: +not set \(NTP starts once the network is up\)\r?$", text, re.M), text
    assert "DHCP, off" not in text and "waiting for NTP" not in text, text
    # A reason, never an empty one.
    text = console.command("resolve smtp.gmail.com")
    assert re.search(r"^resolve: the network is not up \(see `net`\)\r?$", text, re.M), text
    text = console.command("help")
    assert re.search(r"^ *poweroff +halt the board \(a Pi stops until power is cycled; QEMU and the native board "
                     r"exit\)\r?$", text, re.M), text
    text = console.command("no-such-command")
    assert text.strip().count("\n") == 0 and "unknown command" in text, f"unknown command output:\n{text}"


def reboot_and_poweroff(console, model):
    console.send("reboot\r")
    boot(console, model, cause="console reboot")
    console.send("poweroff\r")
    assert console.wait_exit() == 0, "QEMU did not exit cleanly after poweroff"


@case
def rpi2_kernel_on_raspi2b():
    with QemuConsole("raspi2b", RPI2) as c:
        boot(c, "Raspberry Pi 2 Model B")
        check_commands(c, "Raspberry Pi 2 Model B")
        reboot_and_poweroff(c, "Raspberry Pi 2 Model B")


@case
def rpi2_bios_on_raspi2b():
    """-bios loads the image at 0x8000 and starts all four cores there, like the GPU firmware."""
    with QemuConsole("raspi2b", RPI2, load="bios") as c:
        boot(c, "Raspberry Pi 2 Model B")
        check_commands(c, "Raspberry Pi 2 Model B")
        reboot_and_poweroff(c, "Raspberry Pi 2 Model B")


@case
def rpi1_kernel_on_raspi0():
    with QemuConsole("raspi0", RPI1) as c:
        boot(c, "Raspberry Pi Zero")
        check_commands(c, "Raspberry Pi Zero")
        reboot_and_poweroff(c, "Raspberry Pi Zero")


@case
def idle_sleeps_until_its_deadlines():
    """Left alone (no NIC, no card), the board sleeps in WFI between deadlines instead of waking every millisecond
    (1000 passes a second before issue 13), and a system timer compare still ends its sleeps on time: the LED
    pattern, lwIP's timers and the root port's watch wake it several times a second with nothing else to."""
    for machine, image in (("raspi2b", RPI2), ("raspi0", RPI1)):
        with QemuConsole(machine, image) as c:
            c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
            passes, sleeps, seconds = idle_wakeups(c, 5)
            assert seconds >= 5, f"{machine}: only {seconds} s of guest time passed"
            assert 1 <= sleeps and passes <= 100, f"{machine}: {passes:.1f} passes/s, {sleeps:.1f} sleeps/s"


@case
def paste_4k_loses_nothing():
    """A 4 KB paste: every line answered once, an over-long line refused, the console still works."""
    lines = [f"paste-{i:03d} " + "x" * 40 for i in range(80)]
    long_line = "y" * 300
    text = "\r".join(lines[:40] + [long_line] + lines[40:]) + "\r"
    assert len(text) >= 4096
    with QemuConsole("raspi2b", RPI2) as c:
        boot(c, "Raspberry Pi 2 Model B")
        c.send(text)
        for i in range(80):
            c.expect(rf"unknown command 'paste-{i:03d}'")
            if i == 39:
                c.expect(r"line too long")
        c.expect(re.escape(PROMPT))
        after = c.output[c.mark:]
        assert "unknown command" not in after, "more answers than lines"
        assert "Raspberry Pi 2 Model B" in c.command("version")


@case
def crash_report_and_reboot():
    """A NULL pointer write is caught by the MMU, reported, and the board reboots naming the crash."""
    for machine, image, model in (("raspi2b", RPI2, "Raspberry Pi 2 Model B"), ("raspi0", RPI1, "Raspberry Pi Zero")):
        with QemuConsole(machine, image) as c:
            boot(c, model)
            c.send("crash\r")
            c.expect(r"\*\*\* CRASH: data abort \*\*\*")
            c.expect(r"fault address 0x00000000 +status 0x[0-9a-f]+ \(translation fault \(page\), write\)")
            c.expect(r"r12 ")
            banner = boot(c, model, cause="crash")
            assert re.search(r"data abort at pc 0x[0-9a-f]{8}, address 0x00000000", banner), banner


@case
def command_line_from_atags_and_dtb():
    """The loader's command line reaches the firmware through ATAGs (-kernel) and a device tree (-dtb)."""
    with QemuConsole("raspi2b", RPI2, extra_args=["-append", "baremail.test=atags"]) as c:
        banner = boot(c, "Raspberry Pi 2 Model B")
        assert "baremail.test=atags" in banner, banner
        assert re.search(r"boot: +ATAGs", banner), banner
    with tempfile.TemporaryDirectory() as tmp:
        dtb = os.path.join(tmp, "min.dtb")
        dts = "/dts-v1/; / { #address-cells = <1>; #size-cells = <1>; chosen { }; memory@0 { device_type = \"memory\"; reg = <0 0x10000000>; }; };"
        subprocess.run(["dtc", "-I", "dts", "-O", "dtb", "-o", dtb, "-"], input=dts.encode(), check=True)
        with QemuConsole("raspi2b", RPI2, extra_args=["-dtb", dtb, "-append", "baremail.test=dtb"]) as c:
            banner = boot(c, "Raspberry Pi 2 Model B")
            assert "baremail.test=dtb" in banner, banner
            assert re.search(r"boot: +device tree", banner), banner


if __name__ == "__main__":
    run_cases()
