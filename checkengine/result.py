"""A check's :class:`Result` (part of the check-type API, imported from :mod:`checkengine.checks`).

Its explanation may be deferred: a zero-argument callable made into the text only when a reader
asks for it (the outcome's entry), so that counting or summarising outcomes never formats text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from checkengine.checks import Outcome


class Result:
    """What a check found. ``observed`` and ``expected`` go into the explanation and the form.

    *explanation* is a str, or a zero-argument callable returning one (``functools.partial(
    "{} seen".format, n)``, :class:`checkengine.i18n.Message`): it is called when the explanation
    is first read (``result.explanation`` is always the str), so a check whose text costs
    formatting can leave it to the readers that want it.
    """

    __slots__ = ("outcome", "observed", "expected", "_text", "details")

    def __init__(self, outcome: Outcome, observed: Any = None, expected: Any = None,
                 explanation: str | Callable[[], str] = "", details: dict[str, Any] | None = None) -> None:
        self.outcome = outcome
        self.observed = observed
        self.expected = expected
        self._text = explanation
        self.details = {} if details is None else details

    @property
    def explanation(self) -> str:
        """The explanation's text (a deferred one is made now, once)."""
        text = self._text
        if type(text) is not str:
            text = self._text = rendered(text)
        return text

    @explanation.setter
    def explanation(self, value: str | Callable[[], str]) -> None:
        self._text = value

    @property
    def deferred(self) -> bool:
        """Whether the explanation is still to be made."""
        return type(self._text) is not str

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return (self.outcome, self.observed, self.expected, self.explanation, self.details) == (
            other.outcome, other.observed, other.expected, other.explanation, other.details)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Result(outcome={self.outcome!r}, observed={self.observed!r}, expected={self.expected!r}, "
                f"explanation={self.explanation!r}, details={self.details!r})")


def rendered(text: Any) -> str:
    """The str of an explanation given as a str or a zero-argument callable (None: no text)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return str(text)
    if callable(text):
        made = text()
        if not isinstance(made, str):
            raise TypeError(f"a deferred explanation gave {type(made).__name__}, not str")
        return made
    raise TypeError(f"an explanation is a str or a zero-argument callable, not {type(text).__name__}")
