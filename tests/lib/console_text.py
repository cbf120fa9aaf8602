"""What the tests read from a firmware console, whatever carries it (QEMU's serial socket, the native board's
pipe): everything received so far, a mark, and expect()/command() on top of a subclass's _receive() and send().

Subclasses set self.proc (the process behind the console) and implement:
    _receive(timeout) -> bool   reads what arrives within timeout into self.output; False once the stream has
                                ended (nothing more can come)
    send(text)                  writes to the console
and may set NEWLINE (what Enter sends) and COMMAND_TIMEOUT.
"""
import re
import time

PROMPT = "baremail> "


class ConsoleTimeout(AssertionError):
    pass


class ConsoleText:
    NEWLINE = "\r"
    COMMAND_TIMEOUT = 15.0

    def __init__(self):
        self.output = ""   # everything received so far
        self.mark = 0      # expect() searches from here
        self.proc = None

    def expect(self, pattern, timeout=None):
        """Waits for a regular expression after the mark; moves the mark past it and returns the match."""
        timeout = self.COMMAND_TIMEOUT if timeout is None else timeout
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.output, self.mark)
            if m:
                self.mark = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not self._receive(min(left, 0.2)) and self.proc.poll() is not None:
                tail = self.output[self.mark:][-2000:]
                raise ConsoleTimeout(f"no {pattern!r} within {timeout} s; last output:\n{tail}")

    def command(self, line, timeout=None):
        """Types a command and returns what it printed before the next prompt."""
        self.send(line + self.NEWLINE)
        start = self.expect(re.escape(line) + r"\r?\n", timeout).end()
        end = self.expect(re.escape(PROMPT), timeout).start()
        return self.output[start:end]
