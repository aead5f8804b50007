"""A small structural check of the receiver's HTML pages (stdlib only).

Checks what matters here: a doctype, <html lang="fr">, balanced tags, one <h1>,
unique ids, a <title>, and no inline script or style of any kind.
"""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.counts: dict[str, int] = {}
        self.ids: set[str] = set()
        self.doctype = False
        self.lang = None
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_decl(self, decl):
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag in {"script", "style"}:
            self.problems.append(f"élément <{tag}>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"attribut {name} sur <{tag}>")
            if name == "id":
                if value in self.ids:
                    self.problems.append(f"id en double : {value}")
                self.ids.add(value)
        if tag == "a":
            self.links.append(attributes.get("href"))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problems.append(f"</{tag}> sur un élément vide")
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> ne ferme pas <{self.stack[-1] if self.stack else '-'}>")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_page(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.doctype, "pas de <!DOCTYPE html>"
    assert checker.lang == "fr"
    assert checker.counts.get("h1") == 1, "il faut un seul <h1>"
    assert checker.counts.get("title") == 1 and checker.counts.get("main") == 1
    assert not checker.stack, f"éléments non fermés : {checker.stack}"
    assert not checker.problems, checker.problems
    return checker
