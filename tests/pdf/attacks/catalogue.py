"""The attacks: each turns an honest form (bytes) into a forged one that ``verify`` must refuse.

Classes, after the published research on PDF signatures:

* byte changes and truncation;
* incremental saving attacks (ISA): an update appended after signing changes what a reader shows;
* universal signature forgery (USF): a signature dictionary that cannot be checked at all;
* signature wrapping (SWA) and replay: signed bytes moved, or a signature re-declared elsewhere;
* certificates: keys bearing the real names but not trusted, expired, not yet valid, or not
  allowed to sign; roles swapped or signed twice by one person;
* shadow attacks (hide, replace, hide-and-replace): the content is prepared before the honest
  signer signs, so that the signed form shows one thing now and another later, or another thing
  than the signed result says;
* certification attacks: changes that a certified form's permissions might let through (evil
  annotations, sneaky signatures).

Each attack lists the words that the verdict must contain, so that a person reading it learns
what is wrong.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string

import forge


@dataclass(frozen=True)
class Attack:
    name: str
    kind: str
    build: Callable[[Any], bytes]
    says: tuple[str, ...]
    # which certificates the verifier trusts: --trust for any role, or per role
    trust: tuple[str, ...] = ("inspector", "manager")
    roles: dict[str, str] = field(default_factory=dict)


ATTACKS: list[Attack] = []


def attack(kind: str, *says: str, trust: tuple[str, ...] = ("inspector", "manager"),
           roles: dict[str, str] | None = None) -> Callable[[Callable[[Any], bytes]], Callable[[Any], bytes]]:
    def register(build: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
        ATTACKS.append(Attack(build.__name__, kind, build, says, trust, roles or {}))
        return build
    return register


def signature_of(data: bytes, name: str) -> Any:
    return next(s for s in forge.reader(data).embedded_signatures if s.field_name == name)


def field_of(writer: Any, name: str) -> Any:
    for ref in writer.root["/AcroForm"]["/Fields"]:
        obj = ref.get_object()
        if obj.get("/T") == name:
            return obj
    raise AssertionError(name)


def fail_box(forms: Any, pdf: bytes | None = None) -> tuple[int, tuple[float, float, float, float]]:
    """The Result cell of the checklist's first failed row: the cover names each failed item first."""
    failed = sum(1 for o in forms.result["records"][0]["outcomes"] if o["outcome"] == "fail")
    return forge.word_box(pdf or forms.unsigned, "FAIL", occurrence=failed)


def signed_by_both_raw(forms: Any, pdf: bytes) -> bytes:
    """The prepared *pdf* signed by the honest inspector and manager with a tool that checks nothing."""
    pdf = forge.sign_raw(pdf, forms.keys["inspector"], "inspector", certify=True)
    return forge.sign_raw(pdf, forms.keys["manager"], "manager")


def doctored_result(forms: Any) -> dict[str, Any]:
    result = copy.deepcopy(forms.result)
    for outcome in result["records"][0]["outcomes"]:
        if outcome["outcome"] == "fail":
            outcome["outcome"] = "pass"
    result["records"][0]["score"].update({"score": 100, "grade": "A", "passed": True})
    return result



def swap_attachment(data: bytes, new: bytes, name: str = "result.json") -> bytes:
    def change(w: Any) -> None:
        names = w.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names), 2):
            if names[i] == name:
                spec = names[i + 1].get_object()
                spec["/EF"][pdf_name("/F")] = w.add_object(generic.StreamObject(stream_data=new))
                w.update_container(spec)
    return forge.update(data, change)


def add_attachment(w: Any, name: str, content: bytes) -> None:
    stream = w.add_object(generic.StreamObject({pdf_name("/Type"): pdf_name("/EmbeddedFile")}, stream_data=content))
    spec = w.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Filespec"), pdf_name("/F"): pdf_string(name), pdf_name("/UF"): pdf_string(name),
        pdf_name("/EF"): generic.DictionaryObject({pdf_name("/F"): stream}),
    }))
    tree = w.root["/Names"]["/EmbeddedFiles"]
    tree["/Names"].extend([pdf_string(name), spec])
    holder = tree if getattr(tree, "container_ref", None) is not None else w.root["/Names"]
    if getattr(holder, "container_ref", None) is not None:
        w.update_container(holder)
    w.update_root()


# the attacks register themselves when their modules are imported
import attacks_updates  # noqa: E402,F401
import attacks_signatures  # noqa: E402,F401
import attacks_shadow  # noqa: E402,F401
