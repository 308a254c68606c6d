"""What a clause speaks under: the heading of its section.

Experts write structured answers. Under a heading "Boosting", the bullet
"base learners are small, so the main effect is lower bias" says that
boosting lowers bias. Each clause is given, as context, the words of the
heading it stands under. A key point's rule may take its subject from that
context, but never its whole claim: at least one group of an `all` rule, and
a plain phrase entirely, must stand in the clause itself (see
`bot.grading.claims.Words.within`). A pronoun's antecedent ("It", "They" at
the start of a sentence) was tried as context too and measured no better on
the evaluation set: it lent wrong and off-topic answers as much as right ones.

A heading is the first line of a paragraph that is a Markdown heading, a bold
line, or a few words (six at most) with no verb or ending in a colon; it holds
until the next heading. A paragraph whose first sentence is one to four words
with no verb ("PCA. It looks for ...") is headed by that sentence.
"""

from __future__ import annotations

import re

from bot.grading.clauses import BULLET_MARKS, Clause, clauses, scan

__all__ = ["clauses_in_context"]

_PARAGRAPH = re.compile(r"\n\s*\n")
_MARKS = " \t-*_#>•:()[]"
_LEAD = re.compile(r"^\s*(?:\(?[a-z0-9]{1,2}[.)]\s+)?", re.IGNORECASE)  # "(b) ", "2. "
_HEADING_WORDS = 6
_INLINE_HEADING_WORDS = 4
_INLINE = re.compile(r"^([^.!?:\n]{1,60})\.\s+(?=\S)")


def _heading(line: str) -> str | None:
    """Return the words of a heading line, or None if the line is not one."""
    text = line.strip()
    explicit = text.startswith("#") or (text.startswith("**") and text.endswith("**"))
    bare = _LEAD.sub("", text).strip(_MARKS)
    if not bare or (text.startswith(("-", "*", "•")) and not explicit):
        return None
    words = bare.split()
    if explicit:
        return bare if len(words) <= 2 * _HEADING_WORDS else None
    if len(words) > _HEADING_WORDS:
        return None
    return bare if text.endswith(":") or not scan(bare).verbs else None


def _inline_heading(paragraph: str) -> tuple[str, str] | None:
    """Return a paragraph's short opening sentence and the rest ("PCA. It looks ...")."""
    found = _INLINE.match(paragraph.strip())
    if not found:
        return None
    head = found.group(1).strip(_MARKS)
    words = head.split()
    if not words or len(words) > _INLINE_HEADING_WORDS or scan(head).verbs:
        return None
    return head, paragraph.strip()[found.end() :]


def clauses_in_context(text: str) -> list[Clause]:
    """Return an answer's clauses, each with the heading it speaks under."""
    out: list[Clause] = []
    heading = ""
    for paragraph in _PARAGRAPH.split(text):
        first, _, rest = paragraph.strip().partition("\n")
        found = _heading(first)
        if found is not None:
            heading = found
            out.append(Clause.of(first.strip(BULLET_MARKS)))
            paragraph = rest
        local = _inline_heading(paragraph)
        if local is not None:
            head, paragraph = local
            out.append(Clause.of(head))
            out.extend(clauses(paragraph, (" ".join(filter(None, (heading, head))),)))
        else:
            out.extend(clauses(paragraph, (heading,) if heading else ()))
    return out
