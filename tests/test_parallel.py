"""The worker pool of the build: same results, same order, as a plain map."""

from __future__ import annotations

from pathlib import Path

from offer.validation import load_workshops
from offer_pelican.parallel import ordered_map, worker_count

CORPUS = Path(__file__).resolve().parent / "corpus"


def test_ordered_map_keeps_the_order_across_workers():
    inputs = list(range(203))
    assert list(ordered_map(lambda x: x * x, inputs, workers=2, chunk=7)) == [x * x for x in inputs]
    assert list(ordered_map(lambda x: x, [], workers=2)) == []


def test_loading_in_workers_gives_the_same_entries_and_problems():
    """The broken-content corpus, loaded by two forked workers (results pickled back)."""
    plain = load_workshops(CORPUS, CORPUS.parent, {2020})

    def in_workers(function, paths):
        return ordered_map(function, paths, workers=2, chunk=3)

    parallel = load_workshops(CORPUS, CORPUS.parent, {2020}, map_files=in_workers)
    assert parallel.problems == plain.problems
    assert [(e.slug, e.source, e.workshop) for e in parallel.value] == [
        (e.slug, e.source, e.workshop) for e in plain.value
    ]
    assert plain.problems  # the corpus is broken on purpose


def test_few_inputs_stay_in_the_build_process():
    assert worker_count(0, 10) == 1
    assert worker_count(1, 10_000) == 1
    assert worker_count(2, 10_000) == 2
