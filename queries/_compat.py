"""Old keyword names of query functions, kept working for a release.

The functions about a company's group all name it ``company`` (issue 21: one way to name the
subject, in the command line and in the Python API). A function that called it something
else (``effective_stakes(graph, root=...)``) takes the old keyword for a release, with a
:class:`DeprecationWarning`, and gives the same answer.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def renamed_keyword(old: str, new: str) -> Callable[[F], F]:
    """Let ``old=`` stand for the keyword ``new`` (a DeprecationWarning names the new one).

    Written here because the libraries at hand deprecate whole functions
    (``typing_extensions.deprecated``), not one keyword of a function that stays.

    >>> @renamed_keyword("root", "company")
    ... def f(graph, company):
    ...     return company
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     f(None, root="acme"), str(w[0].message)
    ('acme', 'f(root=...) is deprecated; use f(company=...)')
    """

    def wrap(f: F) -> F:
        @functools.wraps(f)
        def call(*args: Any, **kwargs: Any) -> Any:
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(f"{f.__name__}() got both {new}= and its deprecated name {old}=")
                warnings.warn(f"{f.__name__}({old}=...) is deprecated; use {f.__name__}({new}=...)",
                              DeprecationWarning, stacklevel=2)
                kwargs[new] = kwargs.pop(old)
            return f(*args, **kwargs)

        return call  # type: ignore[return-value]

    return wrap
