"""One outcome, compact until read: an :class:`Outcome` is a dict that holds a rule's verdict and the
rule's fixed keys, with what the rest of its entry is made from (the check's result, the
parameters it read, the waiver) beside it, and renders the entry only when a reader asks for a key
that needs it.

Most readers want the verdict: a count, the summary table, the record's score, a replay's
comparison. Those read ``outcome`` and the rule's fixed keys (``rule``, ``section``, ``title``,
``severity``, ``weight``, ``critical``, ``source``, ``corrective_action``), which cost a lookup.
Any other key (the explanation joined from its parts, the parameters in effect, the sources, the
details made JSON-safe), iterating, comparing, copying (``dict(o)``) or pickling renders the whole
entry once (:meth:`Outcome.entry`), the same dict, key for key, that the engine built eagerly
before (``tests/test_verdicts_stable.py`` compares it with the golden file). It is a dict, not a
mapping beside one, so that reading the verdict and the rule's keys (what scoring reads) is a
dict lookup, not a Python call.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from checkengine.i18n import message, pick, show

if TYPE_CHECKING:
    from checkengine.checks import Result
    from checkengine.compiled import CompiledRule
    from checkengine.outcomes import Outcomes, _RuleText


class Renderer(Protocol):
    """What renders an unrendered :class:`Outcome`'s entry: the :class:`~checkengine.outcomes.Outcomes`
    that made it from a check's result, or a record's verdict lane (:mod:`checkengine.lanes`), which
    kept only the verdict and renders through the same path when asked."""

    def render(self, o: Outcome) -> dict[str, Any]: ...  # pragma: no cover - a protocol

    def rule_of(self, o: Outcome) -> CompiledRule | None:
        """The rule whose verdict lane decided *o* (None: no lane did)."""
        ...  # pragma: no cover - a protocol

    def template_of(self, o: Outcome) -> Mapping[str, Any]:
        """*o*'s rule's entry template (its keys are the keys *o* answers ``in`` for, unrendered)."""
        ...  # pragma: no cover - a protocol


class Outcome(dict[str, Any]):
    """A rule's outcome for one record (or group): a dict that holds the verdict and the rule's
    fixed keys, and fills in the rest of the entry the first time anything else is read.

    Every way of reading the whole (iterating, ``items()``, ``len``, ``==``, ``dict(o)``, ``{**o}``,
    the standard library's JSON encoder, ``copy``, pickling) and every change renders it first, so
    no reader can see a part of it; orjson refuses it (as ``jsonout`` asks it to refuse dict
    subclasses), and ``jsonout`` then encodes it with the standard library's encoder.
    """

    # An outcome is made per rule of every record: the fewer slots set, the cheaper (a verdict
    # lane's outcome sets one, ``maker``: its rule's texts, whether it is rendered and which lane
    # decided it are read from that).
    __slots__ = ("result", "used", "waiver", "text", "maker")

    result: Result
    #: the parameters the check read, name -> dated value (None: none)
    used: Mapping[str, Any] | None
    waiver: dict[str, Any] | None
    #: the rule's texts (an outcome a check's result made; a lane's gets them from its maker)
    text: _RuleText
    #: what renders the entry; None once it is rendered (the entry is all in)
    maker: Renderer | None

    @property
    def done(self) -> bool:
        """Whether the whole entry is in (rendered)."""
        return self.maker is None

    @property
    def lane(self) -> CompiledRule | None:
        """The rule, for an unrendered outcome whose verdict a verdict lane decided (None otherwise)."""
        maker = self.maker
        return maker.rule_of(self) if maker is not None else None

    # -- reading a key: the verdict and the rule's keys are in; any other renders the entry ----------
    def __missing__(self, key: str) -> Any:
        if self.maker is None:
            raise KeyError(key)
        self.entry()
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        maker = self.maker
        if maker is None:
            return dict.get(self, key, default)
        return self[key] if key in maker.template_of(self) else default

    def __contains__(self, key: object) -> bool:
        maker = self.maker
        return key in maker.template_of(self) if maker is not None else dict.__contains__(self, key)

    # -- reading the whole ----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[str]:
        return dict.__iter__(self.entry())

    def __len__(self) -> int:
        return dict.__len__(self.entry())

    def keys(self) -> Any:
        return dict.keys(self.entry())

    def values(self) -> Any:
        return dict.values(self.entry())

    def items(self) -> Any:
        return dict.items(self.entry())

    def __eq__(self, other: object) -> bool:
        return dict.__eq__(self.entry(), other)

    def __ne__(self, other: object) -> bool:
        return dict.__ne__(self.entry(), other)

    __hash__ = None

    def __repr__(self) -> str:
        return dict.__repr__(self.entry())

    def copy(self) -> dict[str, Any]:
        return dict(self.entry())

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self.entry()),))  # another process (or a deep copy) gets the plain entry

    # -- changing it (a group's entry gains its group; a reader may add a key) --------------------------
    def __setitem__(self, key: str, value: Any) -> None:
        dict.__setitem__(self.entry(), key, value)

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self.entry(), key)

    def pop(self, key: str, *default: Any) -> Any:
        return dict.pop(self.entry(), key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return dict.setdefault(self.entry(), key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        dict.update(self.entry(), *args, **kwargs)

    def entry(self) -> Outcome:
        """This outcome with the whole entry in, in the result's key order (rendered once)."""
        if self.maker is not None:
            full = render(self)
            dict.clear(self)
            dict.update(self, full)
            self.maker = None  # rendered: what made it is no longer needed
        return self


def made(outcome: str, result: Result, used: Mapping[str, Any] | None, waiver: dict[str, Any] | None,
         text: _RuleText, maker: Outcomes) -> Outcome:
    """A new, unrendered :class:`Outcome`."""
    o = Outcome(text.fixed)
    dict.__setitem__(o, "outcome", outcome)
    o.result = result
    o.used = used
    o.waiver = waiver
    o.text = text
    o.maker = maker
    return o


def render(o: Outcome) -> dict[str, Any]:
    """The outcome entry of *o*, in the result's key order, exactly as the engine always wrote it."""
    maker = o.maker
    assert maker is not None, "an outcome is rendered once"
    return maker.render(o)


def entry(maker: Outcomes, fixed: _RuleText, result: Result, outcome: str, waiver_info: dict[str, Any] | None,
          used: Mapping[str, Any] | None) -> dict[str, Any]:
    """The outcome entry made from its parts (what :func:`render` and an eager engine call)."""
    explanation = result._text
    if type(explanation) is not str:
        explanation = result.explanation  # a deferred text, made now
    if waiver_info is None:  # the common case, joined as below without a list
        if used:
            for name, pv in used.items():
                text = maker.param_text(name, pv)
                explanation = f"{explanation}; {text}" if explanation and text else text or explanation
        clause = fixed.clause
        if clause is not None:
            explanation = f"{explanation}; {clause}" if explanation and clause else clause or explanation
    else:
        lang = maker.lang
        parts = [explanation] if explanation else []
        if outcome == "waived" and waiver_info is not None:
            parts.append(message("waived", lang, expires=waiver_info["expires"],
                                 reason=pick(waiver_info["reason"], lang, maker.book.source_language),
                                 approved_by=waiver_info["approved_by"]))
        elif waiver_info is not None and waiver_info["status"] == "expired":
            parts.append(message("waiver_expired", lang, expires=waiver_info["expires"]))
        if used:
            for name, pv in used.items():
                parts.append(maker.param_text(name, pv))
        if fixed.clause is not None:
            parts.append(fixed.clause)
        explanation = parts[0] if len(parts) == 1 else "; ".join([p for p in parts if p])
    details = result.details
    observed, expected = result.observed, result.expected
    if observed is not None and type(observed) not in _SCALARS:
        observed = jsonable(observed)
    if expected is not None and type(expected) not in _SCALARS:
        expected = jsonable(expected)
    entry = fixed.template.copy()  # the rule's fixed keys, in the entry's order
    entry["outcome"] = outcome
    entry["explanation"] = explanation
    entry["observed"] = observed
    entry["expected"] = expected
    entry["parameters"] = {n: pv.as_dict() for n, pv in used.items()} if used else {}
    entry["sources"] = list(fixed.sources)  # the clause dicts are shared by the rule's outcomes: read-only data
    entry["waiver"] = waiver_info
    if details:
        entry["comment"] = details.get("comment")
        entry["evidence"] = details.get("evidence", [])
        entry["details"] = {k: v if type(v) in _LEAVES else jsonable(v) for k, v in details.items()
                            if k != "comment" and k != "evidence"} if len(details) > 2 or (
            "comment" not in details or "evidence" not in details) else {}
    else:
        entry["evidence"] = []
        entry["details"] = {}
    return entry


def entry_of(o: Mapping[str, Any]) -> dict[str, Any]:
    """*o* as a plain dict: an :class:`Outcome` rendered into one, a dict (a verdict) as it is."""
    if type(o) is Outcome:
        return render(o) if o.maker is not None else dict(dict.items(o))
    return o if type(o) is dict else dict(o)


_SCALARS = frozenset({bool, int, float, str})


_LEAVES = frozenset({bool, int, float, str, type(None)})


def jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _LEAVES:
        return value
    # plain lists and dicts: their plain leaves are taken as they are, without a call each
    if kind is list or kind is tuple:
        return [v if type(v) in _LEAVES else jsonable(v) for v in value]
    if kind is dict:
        return {k if type(k) is str else str(k): v if type(v) in _LEAVES else jsonable(v) for k, v in value.items()}
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return show(value)
