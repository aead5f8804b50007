"""A tiny HTML tree for the build tests, on the standard library's parser.

Enough to ask "which headings, in which order", "which links", "which ids"
of the pages we generate, without adding a dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# Closed implicitly by the next sibling of the same kind (HTML's optional end tags).
IMPLIED_END = {"p", "li", "dt", "dd", "tr", "td", "th", "option"}
SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")


def normalise(text: str) -> str:
    """Collapse every kind of space (incl. no-break ones) and unify apostrophes."""
    return SPACES.sub(" ", text.replace("\u2019", "'")).strip()


@dataclass
class Element:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)
    parent: Element | None = None
    line: int = 0

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    def iter(self):
        """This element and every descendant element, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, *tags: str, **attrs) -> list[Element]:
        found = []
        for el in self.iter():
            if tags and el.tag not in tags:
                continue
            if all(_matches(el, name, value) for name, value in attrs.items()):
                found.append(el)
        return found

    def find(self, *tags: str, **attrs) -> Element | None:
        found = self.find_all(*tags, **attrs)
        return found[0] if found else None

    def raw_text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child.raw_text() if isinstance(child, Element) else child)
        return "".join(parts)

    def text(self) -> str:
        return normalise(self.raw_text())

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


def _matches(el: Element, name: str, value) -> bool:
    if name == "class_":
        return el.has_class(value)
    name = name.replace("_", "-")
    if value is True:
        return name in el.attrs
    return el.attrs.get(name) == value


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        if tag in IMPLIED_END and self.stack[-1].tag == tag:
            self.stack.pop()
        el = Element(
            tag, {k: (v if v is not None else "") for k, v in attrs}, parent=self.stack[-1], line=self.getpos()[0]
        )
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


_cache: dict[Path, Element] = {}


def parse_file(path: Path) -> Element:
    """Parse a built page once per test session."""
    path = Path(path)
    if path not in _cache:
        _cache[path] = parse(path.read_text(encoding="utf-8"))
    return _cache[path]


def page_text(path: Path) -> str:
    """The visible text of <body> (scripts excluded), whitespace normalised."""
    body = parse_file(path).find("body")
    parts = []

    def walk(node):
        for child in node.children:
            if isinstance(child, Element):
                if child.tag not in ("script", "style", "template"):
                    walk(child)
            else:
                parts.append(child)

    walk(body)
    return normalise("".join(parts))
