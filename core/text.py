"""Text as GOV.UK writes it: sentence case, with proper nouns and abbreviations kept as written."""

from __future__ import annotations

import re

# Words that keep their capitals in a heading or in the middle of a sentence.
PROPER_NOUNS = frozenset(
    {
        *("Casework", "GOV.UK", "England", "English", "Ofsted", "DfE", "NHS", "UPN", "URN", "SDQ", "CIN", "SSDA903"),
        *("UASC", "API", "CSC", "IRO", "TOTP", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"),
        *("Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September"),
        *("October", "November", "December"),
    }
)


def _keeps_capitals(word: str) -> bool:
    bare = word.strip(".,;:!?()\"'")
    return bare in PROPER_NOUNS or word in PROPER_NOUNS or any(c.isupper() for c in bare[1:]) or bare[:1].isdigit()


def sentence_case(text: str) -> str:
    """'Two-Factor Authentication' -> 'Two-factor authentication'; 'Sign In' -> 'Sign in'; 'NHS Number' -> 'NHS
    number'. The first word of each part after a colon keeps its capital."""
    out = []
    start = True
    for token in text.split(" "):
        parts = token.split("-")
        for i, part in enumerate(parts):
            if not part.strip() or (start and i == 0) or _keeps_capitals(part.strip()):
                continue
            parts[i] = part[:1].lower() + part[1:]
        out.append("-".join(parts))
        if token.strip():
            start = token.strip().endswith(":")
    return " ".join(out)


def not_sentence_case(text: str) -> list[str]:
    """The words of a heading that should not have a capital (empty when the heading is in sentence case)."""
    text = re.sub(r"\s+", " ", text).strip()
    return [w for w, s in zip(text.split(" "), sentence_case(text).split(" "), strict=True) if w != s]
