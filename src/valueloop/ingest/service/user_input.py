"""Run a use case whose lower layers report bad arguments with builtin errors, as an :class:`InputError`.

Some analyses (agent indicators, course ids, grouping columns, degenerate texts) raise
``ValueError`` / ``KeyError`` / ``ArithmeticError`` naming what was wrong; a web caller
must get that as a 400 with the message, not a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from valueloop.errors import InputError, ValueloopError

T = TypeVar("T")


def as_input_error(call: Callable[[], T]) -> T:
    try:
        return call()
    except ValueloopError:
        raise
    except KeyError as err:
        raise InputError(f"unknown name {err.args[0] if err.args else ''!r}") from err
    except (ValueError, ArithmeticError) as err:
        raise InputError(str(err)) from err
