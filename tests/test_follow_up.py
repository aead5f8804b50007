"""A session's follow-up (a later session of the same question), found through an index by question.

Checked against the rule as written in words, on a few hundred entries made by the
build benchmark's generator (questions shared by many sessions, cancelled ones, ties).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import shutil
import sys

from offer.availability import State
from offer.catalogue import build_catalogue
from offer.validation import load_content
from offer_pelican.views import OfferView
from tests.conftest import ROOT

TODAY = dt.date(2026, 11, 30)


def bench_generator():
    spec = importlib.util.spec_from_file_location("bench_build", ROOT / "bench" / "bench_build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module.generate_entry


def by_the_rule(items, item):
    """The earliest later session of the same question that is not cancelled (the first one on a tie)."""
    if not item.workshop.question:
        return None
    later = [
        i
        for i in items
        if i is not item
        and i.workshop.question == item.workshop.question
        and i.workshop.first_date > item.workshop.first_date
        and i.availability.state is not State.CANCELLED
    ]
    return min(later, key=lambda i: i.workshop.first_date, default=None)


def test_the_indexed_follow_up_is_the_rules(tmp_path):
    generate = bench_generator()
    rng = random.Random(44)
    content = tmp_path / "content"
    (content / "ateliers").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "tarifs.yaml", content / "tarifs.yaml")
    for index in range(1, 301):
        name, text, _ = generate(index, rng)
        (content / "ateliers" / name).write_text(text, encoding="utf-8")
    loaded = load_content(content)
    assert not loaded.errors, loaded.errors[:3]
    items = build_catalogue(loaded.entries, loaded.rates, TODAY)
    view = OfferView(items=items, today=TODAY, rates=list(loaded.rates.tarifs), catalogue_url="programme/")

    found = {item.slug: view.follow_up(item) for item in items}
    expected = {item.slug: by_the_rule(items, item) for item in items}
    assert found == expected
    # The sample is a real test: follow-ups, last sessions and cancelled sessions are all there.
    assert sum(1 for f in found.values() if f is not None) > 100
    assert any(f is None and i.workshop.question for i, f in zip(items, found.values(), strict=True))
    assert any(i.availability.state is State.CANCELLED for i in items)
