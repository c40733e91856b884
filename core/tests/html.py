"""A small HTML tree for tests that check markup as a browser reads it (the standard library's parser)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Any] = field(default_factory=list)  # Element or str

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self) -> Any:
        for c in self.children:
            if isinstance(c, Element):
                yield c
                yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements by tag and attributes; class_="x" matches one of the classes."""
        out = []
        for e in self.iter():
            if tag and e.tag != tag:
                continue
            if all(
                (v in e.classes) if k == "class_" else e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()
            ):
                out.append(e)
        return out

    def one(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one {tag} {attrs}, found {len(found)}"
        return found[0]

    def by_id(self, id_: str) -> Element:
        return self.one(id=id_)

    def label_for(self, id_: str) -> str:
        return self.one("label", **{"for": id_}).text

    def ancestors(self) -> list[Element]:
        out, e = [], self.parent
        while e is not None:
            out.append(e)
            e = e.parent
        return out


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        e = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(e)
        if tag not in VOID:
            self.current = e

    def handle_endtag(self, tag: str) -> None:
        e: Element | None = self.current
        while e is not None and e.tag != tag:
            e = e.parent
        assert e is not None and e.parent is not None, f"unexpected </{tag}>"
        self.current = e.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    b = _Builder()
    b.feed(html)
    b.close()
    assert b.current is b.root, f"unclosed <{b.current.tag}>"
    return b.root
