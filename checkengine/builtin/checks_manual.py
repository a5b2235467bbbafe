"""The auditor's own judgement of an item (``answers`` in the record), with evidence on failure."""

from __future__ import annotations

from functools import lru_cache

from typing import Any, Callable, Mapping, Sequence

from checkengine import hookimpl
from checkengine.checks import CheckType, CompiledCheck, Compiler, Env, FastVerdict, Outcome, Result
from checkengine.i18n import message

_RESULTS: dict[str, Outcome] = {"pass": "pass", "fail": "fail", "n.a.": "not_applicable",
                                 "na": "not_applicable", "not_applicable": "not_applicable"}


#: the results whose verdict an answer of that result alone settles (a failure needs its evidence looked at)
_SETTLED = {k: v for k, v in _RESULTS.items() if v != "fail"}


class Manual(CheckType):
    name = "manual"
    answered_on_visit = True
    summary = (
        "The auditor's answer in record.answers[<item>] (pass / fail / n.a.); a failure without "
        "the evidence the rule requires (comment, photo, corrective action with owner and due date, "
        "answers to its follow-up questions) needs review; no answer needs review."
    )
    options = {
        "item": {"type": "string", "minLength": 1, "description": "Answer key; defaults to the rule id."},
        "prompt": {"description": "The question shown on the checklist (text or translations)."},
    }

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        item = spec.get("item", compiler.rule.id)
        need_comment = bool(compiler.rule.evidence.get("comment"))
        need_photo = bool(compiler.rule.evidence.get("photo"))
        need_action = bool(compiler.rule.evidence.get("corrective_action"))
        follow_up = list(compiler.rule.raw.get("follow_up_questions") or {})
        rule_id = compiler.rule.id

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
                if need_action and not _has_action(record, rule_id):
                    missing.append(_fixed("corrective_action_owned", env.lang))
                observations = record.get("observations") or {}
                for name in follow_up:
                    if observations.get(name) is None:
                        missing.append(message("follow_up_answer", env.lang, name=name))
                text = _fixed("manual_fail", env.lang)
                if missing:
                    # A finding without the evidence the standard asks for cannot stand as it is.
                    text += "; " + message("evidence_missing", env.lang, what=missing)
                    details["evidence_missing"] = True
                    return Result("needs_review", "fail", "pass", text, details)
                return Result("fail", "fail", "pass", text, details)

            def fast_verdict(self) -> FastVerdict | None:
                return verdict

            def fast_batch(self) -> tuple[Callable[..., Any], Any]:
                return manual_batch, (item, verdict)  # the kind's manual rules, decided in one call

        def verdict(record: Mapping[str, Any], env: Env) -> str | None:
            """run's outcome, on answers that are plain JSON (None where run could raise)."""
            answers = record.get("answers")
            if not answers:
                return "needs_review"
            if type(answers) is not dict:
                return None
            answer = answers.get(item)
            if not answer:
                return "needs_review"
            if type(answer) is not dict:
                return None
            outcome = _RESULTS.get(answer.get("result"))  # type: ignore[arg-type]  # any value: None when unknown
            evidence = answer.get("evidence")
            if outcome is None or (evidence is not None and type(evidence) is not list):
                return None  # run raises (an unknown result) or reads evidence of another shape
            if outcome != "fail":
                return outcome
            # Every part run reads, in its order (one that raises there raises here).
            missing = need_comment and not answer.get("comment") or need_photo and not evidence
            if need_action and not _has_action(record, rule_id):
                missing = True
            if follow_up:
                observations = record.get("observations") or {}
                if type(observations) is not dict:
                    return None
                if any(observations.get(name) is None for name in follow_up):
                    missing = True
            return "needs_review" if missing else "fail"

        return _Manual()


def manual_batch(specs: Sequence[tuple[str, FastVerdict]]) -> Callable[[Mapping[str, Any], Env], list[str | None]]:
    """The verdicts of several manual rules of a record kind in one call (the verdict lanes'
    ``fast_batch``): an answer that holds only its result, a pass or not applicable, is decided
    here, anything else by the rule's own verdict function, so each verdict is the one that
    function gives."""
    count = len(specs)

    def verdicts(record: Mapping[str, Any], env: Env) -> list[str | None]:
        answers = record.get("answers")
        if type(answers) is not dict:
            return ["needs_review" if not answers else None] * count
        out: list[str | None] = []
        add = out.append
        for item, verdict in specs:
            answer = answers.get(item)
            if type(answer) is dict and len(answer) == 1:  # {"result": "pass"}: nothing else to read
                outcome = _SETTLED.get(answer.get("result"))  # type: ignore[arg-type]  # None: the rest
                if outcome is not None:
                    add(outcome)
                    continue
            add(verdict(record, env))
        return out

    return verdicts


@lru_cache(maxsize=256)
def _fixed(key: str, lang: str) -> str:
    """A message without values (the same text for every record: made once per language)."""
    return message(key, lang)


def _has_action(record: Mapping[str, Any], rule_id: str) -> bool:
    """Whether the record holds a corrective action for *rule_id* with an owner and a due date."""
    return any(isinstance(a, Mapping) and a.get("rule") == rule_id and a.get("owner") and a.get("due")
               for a in record.get("corrective_actions") or [])


@hookimpl(trylast=True)
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    register(Manual())
