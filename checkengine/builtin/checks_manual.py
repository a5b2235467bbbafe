"""The auditor's own judgement of an item (``answers`` in the record), with evidence on failure."""

from __future__ import annotations

from functools import lru_cache

from typing import Any, Callable, Mapping

from checkengine import hookimpl
from checkengine.checks import CheckType, CompiledCheck, Compiler, Env, Outcome, Result
from checkengine.i18n import message

_RESULTS: dict[str, Outcome] = {"pass": "pass", "fail": "fail", "n.a.": "not_applicable",
                                 "na": "not_applicable", "not_applicable": "not_applicable"}


class Manual(CheckType):
    name = "manual"
    summary = (
        "The auditor's answer in record.answers[<item>] (pass / fail / n.a.); a failure without "
        "the evidence the rule requires (comment, photo) needs review; no answer needs review."
    )
    options = {
        "item": {"type": "string", "minLength": 1, "description": "Answer key; defaults to the rule id."},
        "prompt": {"description": "The question shown on the checklist (text or translations)."},
    }

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        item = spec.get("item", compiler.rule.id)
        need_comment = bool(compiler.rule.evidence.get("comment"))
        need_photo = bool(compiler.rule.evidence.get("photo"))

        class _Manual(CompiledCheck):
            reads_answers = True

            def run(self, record: Mapping[str, Any], env: Env) -> Result:
                answer = (record.get("answers") or {}).get(item)
                if not answer:
                    return Result("needs_review", None, "pass", _fixed("manual_missing", env.lang))
                outcome = _RESULTS[answer["result"]]
                comment = answer.get("comment")
                evidence = list(answer.get("evidence") or [])
                details = {"comment": comment, "evidence": evidence}
                if outcome == "not_applicable":
                    return Result(outcome, "n.a.", "pass", _fixed("manual_na", env.lang), details)
                if outcome == "pass":
                    return Result(outcome, "pass", "pass", _fixed("manual_pass", env.lang), details)
                missing = []
                if need_comment and not comment:
                    missing.append(_fixed("comment", env.lang))
                if need_photo and not evidence:
                    missing.append(_fixed("photo", env.lang))
                text = _fixed("manual_fail", env.lang)
                if missing:
                    # A finding without the evidence the standard asks for cannot stand as it is.
                    text += "; " + message("evidence_missing", env.lang, what=missing)
                    details["evidence_missing"] = True
                    return Result("needs_review", "fail", "pass", text, details)
                return Result("fail", "fail", "pass", text, details)

        return _Manual()


@lru_cache(maxsize=256)
def _fixed(key: str, lang: str) -> str:
    """A message without values (the same text for every record: made once per language)."""
    return message(key, lang)


@hookimpl(trylast=True)
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    register(Manual())
