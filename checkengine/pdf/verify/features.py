"""What checkengine's renderer never puts in a form, and so a form must not hold.

A signature covers bytes, not what a reader shows. Whatever can make a reader show something
other than the signed text is refused, by ``sign`` before signing and by ``verify``: extra
annotations (stamps, notes, drawings, links), optional content (layers that a reader may hide
or reveal), hidden, no-view or print-only flags, JavaScript and other actions, attachments that
are not the form's own or that share a name, pages whose content is split into more than one
stream, fonts that are not embedded or of a kind the renderer does not emit (Type 3 fonts draw
any shape for any character), and form fields other than the two signature fields.

The checks read the document as a reader does (its latest revision); the caller runs them on
the revision it needs.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

SIGNATURE_FIELDS = ("inspector", "manager")
ATTACHMENTS = ("record.json", "result.json", "rulebook.json", "waivers.json")
# Annotation flags: 1 invisible, 2 hidden, 32 no view (shown only when printed), 256 toggle no view.
HIDING_FLAGS = {1: "invisible", 2: "hidden", 32: "no-view (print-only)", 256: "toggle-no-view"}
PRINT_FLAG = 4
CATALOG_REFUSED = {
    "/OCProperties": "optional content (layers that a reader can hide or show)",
    "/OpenAction": "an action that runs when the file is opened",
    "/AA": "actions that run on opening, closing or printing the file",
    "/Collection": "a portfolio view that shows an attachment instead of the form",
    "/NeedsRendering": "a dynamic (XFA) form",
}
# A marked-content sequence tied to optional content: "/OC /name BDC" (content a reader may hide).
OPTIONAL_CONTENT = re.compile(rb"/OC\s*/[^\s/<>\[\]()]+\s*BDC")
# Text render modes 3 (invisible) and 7 (clip only): text that extraction reads but nobody sees.
INVISIBLE_TEXT = re.compile(rb"(?<![\d.])[37]\s+Tr\b")
MAX_DEPTH = 8


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """``obj[key]`` resolved, or *default*."""
    try:
        value = obj.get(key, default) if hasattr(obj, "get") else default
    except Exception:  # noqa: BLE001 - a broken reference reads as absent
        return default
    return value.get_object() if hasattr(value, "get_object") else value


def _pages(reader: Any) -> Iterator[tuple[int, Any]]:
    count = int(_get(_get(reader.root, "/Pages"), "/Count", 0))
    for index in range(count):
        yield index, reader.find_page_for_modification(index)[0].get_object()


def renderer_problems(reader: Any) -> list[str]:
    """Sentences naming everything in the document of *reader* (a pyHanko PdfFileReader) that
    checkengine's renderer never produces; empty when there is nothing."""
    problems: list[str] = []
    root = reader.root
    for key, what in CATALOG_REFUSED.items():
        if key in root:
            problems.append(f"the form carries {what} ({key[1:]}), which checkengine never makes")
    names = _get(root, "/Names") or {}
    if "/JavaScript" in names:
        problems.append("the form carries JavaScript, which checkengine never makes")
    acro = _get(root, "/AcroForm") or {}
    if "/XFA" in acro:
        problems.append("the form carries an XFA form, which checkengine never makes")
    problems.extend(_attachment_problems(names))
    problems.extend(_field_problems(acro))
    for index, page in _pages(reader):
        problems.extend(_page_problems(index, page))
    return problems


def _attachment_problems(names: Any) -> list[str]:
    tree = _get(names, "/EmbeddedFiles")
    if tree is None:
        return []
    seen: dict[str, int] = {}
    nodes, depth = [tree], 0
    while nodes and depth < 64:
        node = nodes.pop()
        depth += 1
        pairs = _get(node, "/Names") or []
        for i in range(0, len(pairs) - 1, 2):
            seen[str(pairs[i])] = seen.get(str(pairs[i]), 0) + 1
        nodes.extend(kid.get_object() for kid in _get(node, "/Kids") or [])
    problems = []
    for name, count in seen.items():
        if count > 1:
            problems.append(f"the form has {count} attachments named '{name}': a reader and checkengine may "
                            "each read a different one")
        if name not in ATTACHMENTS:
            problems.append(f"the form carries an attachment '{name}' that checkengine never makes")
    return problems


def _field_problems(acro: Any) -> list[str]:
    problems = []
    for ref in _get(acro, "/Fields") or []:
        field = ref.get_object()
        name = str(_get(field, "/T", ""))
        kind = _get(field, "/FT")
        if kind != "/Sig":
            problems.append(f"the form has a form field '{name}' ({str(kind or 'no type')[1:]}) that "
                            "checkengine never makes; only the two signature fields belong on a form")
        elif name not in SIGNATURE_FIELDS:
            problems.append(f"the form has an extra signature field '{name}'; checkengine makes only "
                            f"{' and '.join(SIGNATURE_FIELDS)}")
        if "/AA" in field or "/A" in field:
            problems.append(f"the form field '{name}' runs an action, which checkengine never makes")
    return problems


def _page_problems(index: int, page: Any) -> list[str]:
    where = f"page {index + 1}"
    problems = []
    if "/AA" in page:
        problems.append(f"{where} runs an action when it is opened or closed, which checkengine never makes")
    contents = page.get("/Contents")
    resolved = contents.get_object() if hasattr(contents, "get_object") else contents
    streams = list(resolved) if isinstance(resolved, list) else [resolved]
    if len(streams) != 1:
        problems.append(f"{where} draws from {len(streams)} content streams; checkengine's renderer makes one, "
                        "so something was drawn over the page")
    for stream in streams:
        stream = stream.get_object() if hasattr(stream, "get_object") else stream
        data = getattr(stream, "data", b"") or b""
        if OPTIONAL_CONTENT.search(data):
            problems.append(f"{where} has optional content (a layer that a reader can hide or show)")
        if INVISIBLE_TEXT.search(data):
            problems.append(f"{where} has invisible text: text extraction reads it, but nobody sees it")
    problems.extend(_resource_problems(where, _get(page, "/Resources"), 0, set()))
    for ref in _get(page, "/Annots") or []:
        problems.extend(_annotation_problems(where, ref.get_object()))
    return problems


def _resource_problems(where: str, resources: Any, depth: int, seen: set[int]) -> list[str]:
    if not resources or depth > MAX_DEPTH:
        return []
    problems = []
    for name, ref in (_get(resources, "/Font") or {}).items():
        key = id(ref.get_object()) if hasattr(ref, "get_object") else id(ref)
        if key in seen:
            continue
        seen.add(key)
        problem = _font_problem(ref.get_object())
        if problem:
            problems.append(f"{where}: the font {name[1:]} {problem}")
    if "/Properties" in resources:
        for value in (_get(resources, "/Properties") or {}).values():
            if _get(value.get_object(), "/Type") in ("/OCG", "/OCMD"):
                problems.append(f"{where} has optional content (a layer that a reader can hide or show)")
                break
    for name, ref in (_get(resources, "/XObject") or {}).items():
        xobject = ref.get_object()
        key = id(xobject)
        if key in seen:
            continue
        seen.add(key)
        if "/OC" in xobject:
            problems.append(f"{where}: the picture or drawing {name[1:]} is optional content (a layer that a "
                            "reader can hide or show)")
        if _get(xobject, "/Subtype") == "/Form":
            data = getattr(xobject, "data", b"") or b""
            if OPTIONAL_CONTENT.search(data):
                problems.append(f"{where}: the drawing {name[1:]} has optional content (a layer that a reader "
                                "can hide or show)")
            if INVISIBLE_TEXT.search(data):
                problems.append(f"{where}: the drawing {name[1:]} has invisible text: text extraction reads it, "
                                "but nobody sees it")
            problems.extend(_resource_problems(where, _get(xobject, "/Resources"), depth + 1, seen))
    return problems


def _font_problem(font: Any) -> str | None:
    subtype = _get(font, "/Subtype")
    if subtype == "/Type0":
        descendants = _get(font, "/DescendantFonts") or []
        if len(descendants) != 1:
            return "is malformed (a composite font without one descendant)"
        inner = descendants[0].get_object()
        kind = _get(inner, "/Subtype")
        descriptor = _get(inner, "/FontDescriptor") or {}
        if kind == "/CIDFontType2" and "/FontFile2" in descriptor:
            return None
        if kind == "/CIDFontType0" and "/FontFile3" in descriptor:
            return None
        return "is not embedded, or of a kind checkengine's renderer never uses; a reader would draw it its own way"
    if subtype == "/TrueType" and "/FontFile2" in (_get(font, "/FontDescriptor") or {}):
        return None
    if subtype == "/Type3":
        return "is a Type 3 font, which can draw any shape for any character; checkengine never uses one"
    return "is not embedded, or of a kind checkengine's renderer never uses; a reader would draw it its own way"


def _annotation_problems(where: str, annot: Any) -> list[str]:
    subtype = _get(annot, "/Subtype")
    parent = _get(annot, "/Parent")
    kind = _get(annot, "/FT") or _get(parent, "/FT")
    name = str(_get(annot, "/T") or _get(parent, "/T") or "")
    if subtype != "/Widget" or kind != "/Sig" or name not in SIGNATURE_FIELDS:
        label = f"'{name}' " if name else ""
        return [f"{where} has an annotation {label}({str(subtype or 'no type')[1:]}) that checkengine never makes: "
                "a stamp, note, drawing or field laid over the form"]
    problems = []
    flags = int(_get(annot, "/F", 0) or 0)
    for bit, what in HIDING_FLAGS.items():
        if flags & bit:
            problems.append(f"{where}: the signature field '{name}' is marked {what}, so readers show it differently")
    if not flags & PRINT_FLAG:
        problems.append(f"{where}: the signature field '{name}' is not printed, so a printout hides it")
    if "/OC" in annot:
        problems.append(f"{where}: the signature field '{name}' is optional content (a layer that a reader can hide)")
    if "/A" in annot or "/AA" in annot:
        problems.append(f"{where}: the signature field '{name}' runs an action, which checkengine never makes")
    appearance = _get(annot, "/AP") or {}
    for state in ("/D", "/R"):
        if state in appearance:
            problems.append(f"{where}: the signature field '{name}' looks different when pointed at or pressed, "
                            "which checkengine never makes")
    normal = _get(appearance, "/N")
    if normal is not None:
        if "/OC" in normal:
            problems.append(f"{where}: the signature field '{name}' is optional content (a layer that a reader can hide)")
        problems.extend(_resource_problems(f"{where}, signature field '{name}'", _get(normal, "/Resources"), 1, set()))
    return problems


DRAW = re.compile(rb"/([^\s/<>\[\]()]+)\s+Do\b")
INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s+/")


def picture_count(reader: Any) -> int:
    """How many pictures the pages draw (image XObjects, also inside drawings, and inline images)."""
    total = 0
    for _, page in _pages(reader):
        contents = page.get("/Contents")
        resolved = contents.get_object() if hasattr(contents, "get_object") else contents
        streams = list(resolved) if isinstance(resolved, list) else [resolved]
        for stream in streams:
            stream = stream.get_object() if hasattr(stream, "get_object") else stream
            total += _pictures_in(getattr(stream, "data", b"") or b"", _get(page, "/Resources"), 0)
    return total


def _pictures_in(data: bytes, resources: Any, depth: int) -> int:
    if depth > MAX_DEPTH:
        return 0
    xobjects = _get(resources, "/XObject") or {}
    count = len(INLINE_IMAGE.findall(data))
    for name in DRAW.findall(data):
        xobject = _get(xobjects, "/" + name.decode("latin-1"))
        kind = _get(xobject, "/Subtype")
        if kind == "/Image":
            count += 1
        elif kind == "/Form":
            count += _pictures_in(getattr(xobject, "data", b"") or b"", _get(xobject, "/Resources"), depth + 1)
    return count


def picture_problems(reader: Any, photos: int) -> list[str]:
    """A problem when the pages draw more pictures than the form's *photos* (evidence of failed
    rules): a picture drawn over the printed result reads as nothing to text extraction."""
    shown = picture_count(reader)
    if shown > photos:
        return [f"the pages show {shown} pictures, but the form has {photos} evidence photos: a picture may be "
                "drawn over the printed result"]
    return []
