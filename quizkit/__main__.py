"""The quizkit process: `quizkit` and `python -m quizkit` both start here, in `run`.

Two habits of short-lived command-line tools (mypy has both) make the process itself cheaper,
and neither changes what a command does:

- The collector runs rarely while the program starts. Importing and defining classes allocates
  tens of thousands of objects and none of them is garbage, yet at Python's default threshold
  the collector walks them dozens of times (~6 ms before the first card). The thresholds stay
  raised for the rest of the run, where cycles are few; the memory benchmark watches it.
- The process ends without tearing its heap down object by object (~13 ms, more with a large
  deck loaded). Every file quizkit writes is written and closed before its command returns
  (atomically, see io/disk.py), and every answer is committed to SQLite when it is given, so
  nothing depends on finalisers; the two standard streams are flushed here, then os._exit.

`cli.main` stays an ordinary function that raises SystemExit: the tests call it in-process.
"""

import gc
import os
import sys

GC_THRESHOLDS = (50_000, 20, 20)
"""Python's default is (700, 10, 10): a young collection every 700 net container allocations."""


def run() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    from quizkit.cli import main

    try:
        main()
        code = 0
    except SystemExit as stop:
        code = _exit_code(stop.code)
    os._exit(_flushed(code))


def _exit_code(code: object) -> int:
    """As the interpreter reads SystemExit's code: None is 0, a number itself, anything else is
    printed to stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except (OSError, ValueError):
        pass
    return 1


def _flushed(code: int) -> int:
    """Flush stdout and stderr. A stream that cannot be flushed (its reader has gone away) makes
    an exit of 0 into 120, as the interpreter's own exit does; any other code is kept."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            code = code or 120
    return code


if __name__ == "__main__":
    run()
