#!/usr/bin/env python3
"""Runs a command with its standard output on a pseudo-terminal of a given width, the way a
person's terminal would be, and copies every byte the command wrote there to this script's
standard output unchanged (no newline translation: output post-processing is off on the
terminal). The command's standard error stays this script's. Exits with the command's status.

    pty-run.py COLUMNS COMMAND [ARGUMENT...]
"""
import fcntl, os, struct, subprocess, sys, termios

columns = int(sys.argv[1])
command = sys.argv[2:]
leader, follower = os.openpty()
# The size and modes are set before the command starts, so its first look sees them.
fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
modes = termios.tcgetattr(follower)
modes[1] &= ~termios.OPOST
termios.tcsetattr(follower, termios.TCSANOW, modes)
child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=follower, stderr=sys.stderr, close_fds=True)
os.close(follower)
captured = bytearray()
while True:
    try:
        chunk = os.read(leader, 65536)
    except OSError:  # EIO: every writer has closed the terminal
        break
    if not chunk:
        break
    captured += chunk
status = child.wait()
sys.stdout.buffer.write(bytes(captured))
sys.stdout.flush()
sys.exit(status if status >= 0 else 128 - status)
