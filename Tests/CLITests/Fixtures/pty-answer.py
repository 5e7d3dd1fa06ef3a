#!/usr/bin/env python3
"""Runs a command with its standard input, output and error all on one pseudo-terminal, as from a
person's terminal (echo on), and types the answers: each time the terminal shows PROMPT again,
once the command has turned echo off (a password prompt), the next ANSWER and Enter. Copies
every byte the terminal showed to this script's standard output and exits with the command's
status. Answers typed while echo is still on would be shown, so this waits for echo to go off.

    pty-answer.py PROMPT ANSWER... -- COMMAND [ARGUMENT...]
"""
import os, pty, sys, termios, time

arguments = sys.argv[1:]
split = arguments.index("--")
prompt, answers, command = arguments[0].encode(), arguments[1:split], arguments[split + 1:]
pid, leader = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
shown = bytearray()
answered = 0
while True:
    try:
        chunk = os.read(leader, 65536)
    except OSError:  # EIO: the command has closed the terminal
        break
    if not chunk:
        break
    shown += chunk
    while answers and shown.count(prompt) > answered:
        # The leader shares the follower's modes on Linux: wait until the command turned echo off.
        deadline = time.monotonic() + 10
        while termios.tcgetattr(leader)[3] & termios.ECHO and time.monotonic() < deadline:
            time.sleep(0.01)
        os.write(leader, (answers.pop(0) + "\n").encode())
        answered += 1
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(bytes(shown))
sys.stdout.flush()
sys.exit(os.waitstatus_to_exitcode(status) if os.waitstatus_to_exitcode(status) >= 0 else 128 - os.waitstatus_to_exitcode(status))
