"""``phrases``: required and forbidden phrases in one speaker's turns of a transcript.

A phrase set maps a language to its phrases (``{zh-Hant: [你好, 您好], en: [Hello]}``), inline or
as a parameter's value. The transcript's ``data.language`` picks the phrases: the lists of every
variant of that language (for Chinese: zh, zh-Hant, zh-Hans, zh-TW ... together), because folding
makes the script irrelevant. Text and phrases are folded with :func:`checkengine.textnorm.phrase_key`
(width, Traditional/Simplified, case, and the punctuation and spaces of a speaker's pause) before a
substring match.

Positions: ``opening`` is the speaker's first turn, ``closing`` the last, ``anywhere`` any turn;
``first`` is the speaker's first turn when it is the first turn of the conversation: the speaker
spoke before anyone else ("主動打招呼", greets first: 001 Ⅸ 一).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Literal

from checkengine import hookimpl
from checkengine.checks import (
    MISSING, CheckFailure, CheckSpecError, CheckType, CompiledCheck, Compiler, Env, Result, is_param_ref,
    param_schema,
)
from checkengine.i18n import message, show
from checkengine.textnorm import fold, phrase_key, said

Position = Literal["first", "opening", "closing", "anywhere"]

_PHRASE_MAP = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"},
    "additionalProperties": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
    "description": "Language -> phrases, e.g. {zh-Hant: [你好, 您好], en: [Hello]}",
}
_SET_NAME = {"type": "string", "minLength": 1}
_REQUIRE_ITEM = {
    "type": "object",
    "required": ["name", "phrases"],
    "additionalProperties": False,
    "properties": {
        "name": _SET_NAME,
        "position": {"enum": ["first", "opening", "closing", "anywhere"]},
        "phrases": param_schema(_PHRASE_MAP),
    },
}
_FORBID_ITEM = {
    "type": "object",
    "required": ["name", "phrases"],
    "additionalProperties": False,
    "properties": {"name": _SET_NAME, "phrases": param_schema(_PHRASE_MAP)},
}


@dataclass(frozen=True)
class PhraseSet:
    name: str
    position: Position
    phrases: Any  # an inline mapping, or a {param: NAME} reference


def primary(language: str) -> str:
    """The primary subtag: ``zh`` for zh-Hant, zh-TW and zh; ``en`` for en-GB."""
    return language.split("-", 1)[0].lower()


def phrases_for(mapping: Mapping[str, list[str]], language: str) -> list[str]:
    """Every phrase listed for a variant of *language* (all Chinese lists for any Chinese variant)."""
    want = primary(language)
    out: list[str] = []
    for lang, phrases in mapping.items():
        if primary(lang) == want:
            out.extend(p for p in phrases if p not in out)
    return out


def _check_mapping(value: Any, where: str) -> dict[str, list[str]]:
    if isinstance(value, Mapping) and value and all(
        isinstance(k, str) and isinstance(v, list) and v and all(isinstance(p, str) and p for p in v)
        for k, v in value.items()
    ):
        return {str(k): list(v) for k, v in value.items()}
    raise CheckFailure(f"{where} must map languages to lists of phrases (e.g. {{en: [Hello], zh-Hant: [你好]}})")


class _Phrases(CompiledCheck):
    def __init__(self, field: str, speaker: str, language: str, require: list[PhraseSet],
                 forbid: list[PhraseSet]) -> None:
        self.field = field
        self.speaker = speaker
        self.language = language
        self.require = require
        self.forbid = forbid
        # (id of a phrases mapping, language) -> (that mapping, its phrases): parameter values are
        # the same objects for every record, so they are checked and selected once.
        self._selected: dict[tuple[int, str], tuple[Any, list[str]]] = {}
        # language -> the text of a pass (it names the rule's sets only)
        self._passed: dict[str, str] = {}
        # (language, the problems found) -> the text of a failure: the same few recur record after record
        self._failed: dict[tuple[str, tuple[tuple[str, str, Any, Any], ...]], str] = {}

    def _phrases(self, item: PhraseSet, language: str, env: Env) -> list[str]:
        raw = env.value(item.phrases)
        known = self._selected.get((id(raw), language))
        if known is not None and known[0] is raw:
            return known[1]
        where = f"param '{item.phrases['param']}'" if is_param_ref(item.phrases) else f"phrase set '{item.name}'"
        mapping = _check_mapping(raw, where)
        found = phrases_for(mapping, language)
        if found:
            self._selected[(id(raw), language)] = (raw, found)
        else:
            # A rule that cannot be judged in this language must say so, never pass silently.
            raise CheckFailure(message("phrases_no_language", env.lang, name=item.name, language=language,
                                       have=sorted(mapping)))
        return found

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        turns = env.get(self.field)
        if turns is MISSING or turns is None:
            return Result("needs_review", None, None, message("not_observed", env.lang, field=self.field))
        if not isinstance(turns, list):
            raise CheckFailure(f"{self.field} must be a list of turns ({{speaker, text}}), not {type(turns).__name__}")
        language = env.get(self.language)
        if not isinstance(language, str) or not language:
            language = env.book.source_language
        # (1-based number in the whole transcript, folded text) of the speaker's turns
        mine = [(n, phrase_key(str(t.get("text") or ""))) for n, t in enumerate(turns, start=1)
                if isinstance(t, Mapping) and t.get("speaker") == self.speaker]
        problems: list[tuple[str, str, Any, Any]] = []  # what the explanation names, in its order
        matched: dict[str, Any] = {}
        missing: list[str] = []
        for item in self.require:
            phrases = self._phrases(item, language, env)
            searched = mine
            if item.position == "first" and mine and mine[0][0] != 1:
                # Greeting first is speaking before the customer, not only greeting in one's first turn.
                first = turns[0].get("speaker") if isinstance(turns[0], Mapping) else None
                missing.append(item.name)
                other = first or "?"
                problems.append(("not_first", item.name, other if type(other) is str else show(other, env.lang),
                                 mine[0][0]))
                continue
            if item.position in ("first", "opening"):
                searched = mine[:1]
            elif item.position == "closing":
                searched = mine[-1:]
            hit = _first_hit(phrases, searched)
            if hit is None:
                missing.append(item.name)
                problems.append(("missing", item.name, item.position, tuple(phrases)))
            else:
                matched[item.name] = {"phrase": hit[0], "turn": hit[1]}
        forbidden: list[dict[str, Any]] = []
        for item in self.forbid:
            for phrase in self._phrases(item, language, env):
                hit = _first_hit([phrase], mine)
                if hit is not None:
                    forbidden.append({"set": item.name, "phrase": phrase, "turn": hit[1]})
                    problems.append(("forbidden", item.name, phrase, hit[1]))
        observed = {"matched": matched, "missing": missing, "forbidden": forbidden}
        expected = {"require": [i.name for i in self.require], "forbid": [i.name for i in self.forbid]}
        if problems:
            key = (env.lang, tuple(problems))
            failed = self._failed.get(key)
            if failed is None:
                if len(self._failed) >= 4096:
                    self._failed.clear()
                failed = self._failed[key] = _problems_text(env.lang, self.speaker, problems)
            return Result("fail", observed, expected, failed)
        text = self._passed.get(env.lang)
        if text is None:
            text = self._passed[env.lang] = message("phrases_pass", env.lang, speaker=self.speaker,
                                                    found=[i.name for i in self.require] or "—")
        return Result("pass", observed, expected, text)


def _problems_text(lang: str, speaker: str, problems: list[tuple[str, str, Any, Any]]) -> str:
    parts = []
    for kind, name, one, other in problems:
        if kind == "not_first":
            parts.append(message("phrases_not_first", lang, name=name, speaker=speaker, other=one, turn=other))
        elif kind == "missing":
            where = message(f"phrases_where_{one}", lang, speaker=speaker)
            parts.append(message("phrases_missing", lang, name=name, phrases=list(other), where=where))
        else:
            parts.append(message("phrases_forbidden", lang, name=name, phrase=one, turn=other))
    return "; ".join(parts)


def _first_hit(phrases: list[str], turns: list[tuple[int, str]]) -> tuple[str, int] | None:
    """The first (phrase, turn number) such that the folded phrase occurs in that folded turn."""
    for number, text in turns:
        for phrase in phrases:
            if said(phrase_key(phrase) or fold(phrase), text):  # a phrase of punctuation alone stays itself
                return phrase, number
    return None


class Phrases(CheckType):
    name = "phrases"
    summary = ("Required phrase sets (in the first turn of the conversation, the speaker's opening or "
               "closing turn, or any turn) and forbidden phrases in one speaker's transcript turns; "
               "insensitive to width, script, case, punctuation and the spaces of a pause.")
    options = {
        "field": {"type": "string", "minLength": 1, "description": "The turns; default data.turns"},
        "speaker": {"type": "string", "minLength": 1, "description": "Whose turns; default agent"},
        "language": {"type": "string", "minLength": 1,
                     "description": "Where the transcript's language is; default data.language"},
        "require": {"type": "array", "items": _REQUIRE_ITEM},
        "forbid": {"type": "array", "items": _FORBID_ITEM},
    }

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        if not spec.get("require") and not spec.get("forbid"):
            raise CheckSpecError("phrases needs require, forbid or both (e.g. require: [{name: greeting, "
                                 "position: opening, phrases: {param: greeting_phrases}}])")
        sets: dict[str, list[PhraseSet]] = {"require": [], "forbid": []}
        for key in ("require", "forbid"):
            for i, raw in enumerate(spec.get(key) or []):
                phrases = compiler.param(raw["phrases"], (key, i, "phrases"))
                if is_param_ref(phrases):
                    _check_parameter(compiler, phrases["param"], (key, i, "phrases", "param"))
                sets[key].append(PhraseSet(raw["name"], raw.get("position", "anywhere"), phrases))
        return _Phrases(spec.get("field", "data.turns"), spec.get("speaker", "agent"),
                        spec.get("language", "data.language"), sets["require"], sets["forbid"])


def _check_parameter(compiler: Compiler, name: str, subpath: tuple[str | int, ...]) -> None:
    """Every dated value of a phrases parameter must be a language -> phrases mapping (a lint error)."""
    for since, entry in compiler.book.parameters[name].values.items():
        try:
            _check_mapping(entry.get("value"), f"parameter '{name}' (value since {since})")
        except CheckFailure as exc:
            raise CheckSpecError(str(exc), subpath) from None


@hookimpl(trylast=True)
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    register(Phrases())
