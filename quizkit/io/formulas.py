"""LaTeX formulas in deck text (between \\( \\) or $ $) made readable in files: Unicode for
Markdown (pylatexenc), MathML for HTML (latex2mathml), which Chromium and Firefox render natively.

Deck text is untrusted, and so is the MathML made from it: latex2mathml passes some LaTeX
through as attributes (\\href becomes href="..."), so its output is parsed and rebuilt from an
allowlist of MathML elements and attributes, every text and value escaped. Anything else is
escaped as text, and a formula that cannot be converted is shown as written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from quizkit.core.text import formula_parts, has_formula, readable
from quizkit.errors import Problem, Severity
from quizkit.model import Deck

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element


@cache
def _to_text() -> Callable[[str], str]:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text").latex_to_text  # type: ignore[no-any-return]


def unicode_text(text: str) -> str:
    """Deck text with its formulas as Unicode (for Markdown; escape the result as usual)."""
    return readable(text, _to_text()) if has_formula(text) else text


# MathML Core's presentation elements, and the attributes that only change how they look.
_ELEMENTS = frozenset(
    "math mrow mi mn mo ms mtext mspace mfrac msqrt mroot msub msup msubsup munder mover "
    "munderover mtable mtr mtd mstyle mpadded mphantom menclose merror semantics annotation "
    "mmultiscripts mprescripts none".split()
)
_ATTRIBUTES = frozenset(
    "display mathvariant mathsize mathcolor mathbackground displaystyle scriptlevel fence "
    "separator stretchy symmetric largeop movablelimits accent accentunder lspace rspace width "
    "height depth linethickness columnalign rowalign columnspacing rowspacing columnlines "
    "rowlines frame notation minsize maxsize form".split()
)
_SAFE_VALUE = re.compile(r"[\w .,%#+\-]*")
_MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"


def mathml(latex: str) -> str | None:
    """One formula as inline MathML, or None when it cannot be converted (then show its source)."""
    from xml.etree.ElementTree import fromstring

    from latex2mathml.converter import convert

    try:
        tree = fromstring(convert(latex))
    except Exception:  # the converter's errors on untrusted text have no common base
        return None
    return _rebuild(tree)


def _rebuild(element: Element) -> str | None:
    name = element.tag.removeprefix(_MATHML_NS)
    if name not in _ELEMENTS:
        return None
    text = element.text or ""
    if name in ("mi", "mo", "mtext") and text.startswith("\\"):
        return None  # a command latex2mathml does not know, passed through as its name
    attributes = "".join(
        f' {key}="{html.escape(value, quote=True)}"'
        for key, value in sorted(element.attrib.items())
        if key in _ATTRIBUTES and _SAFE_VALUE.fullmatch(value)
    )
    inner = [html.escape(text, quote=False)]
    for child in element:
        built = _rebuild(child)
        if built is None:
            return None
        inner += [built, html.escape(child.tail or "", quote=False)]
    return f"<{name}{attributes}>{''.join(inner)}</{name}>"


def html_text(text: str, escape: Callable[[str], str]) -> str:
    """Deck text for HTML: formulas as MathML, everything else through `escape`; a formula that
    cannot be converted is escaped as written."""
    if not has_formula(text):
        return escape(text)
    out = []
    for part in formula_parts(text):
        made = mathml(part.text) if part.formula else None
        out.append(made if made is not None else escape(part.source or part.text))
    return "".join(out)


def unconvertible(text: str) -> list[str]:
    """The formulas in deck text that cannot be converted to MathML, as written (for validate)."""
    if not has_formula(text):
        return []
    return [part.source for part in formula_parts(text) if part.formula and mathml(part.text) is None]


def formula_problems(deck: Deck) -> list[Problem]:
    """validate's warnings: each formula in a card that cannot be converted (it is shown as written)."""
    found: dict[tuple[str, str], Problem] = {}
    for card in deck.cards:
        note = card.note_id or card.id
        for text in (card.prompt, card.answer, *card.choices, card.explain):
            for source in unconvertible(text):
                found.setdefault(
                    (note, source),
                    Problem(
                        deck.path,
                        card.line or None,
                        note,
                        f"the formula {source} cannot be converted; it is shown as written",
                        "check its LaTeX: braces that close, commands that exist",
                        Severity.WARNING,
                    ),
                )
    return list(found.values())
