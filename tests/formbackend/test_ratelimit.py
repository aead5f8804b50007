"""The per-address rate limit: 429 with Retry-After, nothing stored beyond the limit, addresses forgotten."""

from __future__ import annotations

import json
import logging

import pytest

from formbackend.intake.ratelimit import RateLimiter, retry_after_header

from .conftest import VALID, asgi_client, headers, make_settings, post_form, rows


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_sliding_window_and_retry_after():
    clock = Clock()
    limiter = RateLimiter(3, 600, clock)
    assert [limiter.hit("a") for _ in range(3)] == [0, 0, 0]
    clock.now += 100
    assert limiter.hit("a") == pytest.approx(500)
    assert limiter.hit("b") == 0  # another address has its own budget
    clock.now += 500.5
    assert limiter.hit("a") == 0
    assert retry_after_header(0.2) == "1" and retry_after_header(59.1) == "60"


def test_addresses_are_forgotten_after_the_window():
    clock = Clock()
    limiter = RateLimiter(2, 60, clock)
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        limiter.hit(address)
    assert len(limiter) == 3
    clock.now += 61
    limiter.hit("192.0.2.9")
    assert len(limiter) == 1


@pytest.mark.anyio
async def test_200_posts_from_one_address(make_app, tmp_path, caplog):
    settings = make_settings(tmp_path, rate_limit=20, rate_window_seconds=600)
    app = make_app(settings)
    statuses, retry_after = [], set()
    caplog.set_level(logging.DEBUG)
    async with asgi_client(app, client_ip="203.0.113.7") as client:
        for number in range(200):
            data = {**VALID["contact"], "objet": f"envoi {number}"}
            response = await post_form(client, "/f/contact", data, headers())
            statuses.append(response.status_code)
            if response.status_code == 429:
                retry_after.add(response.headers["retry-after"])
                body = response.json()
                assert body["ok"] is False and body["errors"][0]["code"] == "rate_limited"
                assert "réessayez dans 10 minutes" in body["errors"][0]["message"]
        other = await post_form(client, "/f/contact", VALID["contact"], headers())

    assert statuses == [200] * 20 + [429] * 180
    assert retry_after and all(599 <= int(value) <= 600 for value in retry_after)
    objects = [
        json.loads(row[0])["objet"] for row in rows(settings.db_path, "SELECT data FROM submissions ORDER BY id")
    ]
    assert objects == [f"envoi {number}" for number in range(20)]
    assert other.status_code == 429
    # Addresses are kept in memory only: not in the database, not in the logs.
    assert "203.0.113.7" not in caplog.text
    dump = "\n".join(
        settings.db_path.parent.joinpath(name).read_bytes().decode("latin-1")
        for name in ("formulaires.sqlite3", "formulaires.sqlite3-wal")
        if settings.db_path.parent.joinpath(name).exists()
    )
    assert "203.0.113.7" not in dump


@pytest.mark.anyio
async def test_the_limit_is_per_address(make_app, tmp_path):
    settings = make_settings(tmp_path, rate_limit=2)
    app = make_app(settings)
    async with (
        asgi_client(app, client_ip="198.51.100.1") as first,
        asgi_client(app, client_ip="198.51.100.2") as second,
    ):
        assert [(await post_form(first, "/f/contact", VALID["contact"], headers())).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        assert (await post_form(second, "/f/contact", VALID["contact"], headers())).status_code == 200
    assert len(rows(settings.db_path)) == 3


@pytest.mark.anyio
async def test_browser_gets_a_french_page_with_retry_after(make_app, tmp_path):
    app = make_app(make_settings(tmp_path, rate_limit=1))
    async with asgi_client(app) as client:
        await post_form(client, "/f/contact", VALID["contact"], headers(json=False))
        response = await post_form(client, "/f/contact", VALID["contact"], headers(json=False))
    assert response.status_code == 429
    assert response.headers["retry-after"] in {"599", "600"}
    assert "Trop d&#39;envois" in response.text or "Trop d'envois" in response.text


def test_memory_is_bounded_whatever_the_number_of_addresses():
    clock = Clock()
    limiter = RateLimiter(20, 600, clock, max_keys=1000)
    largest = 0
    for number in range(60_000):  # as many distinct addresses as in the attack, within one window
        limiter.hit(f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}")
        largest = max(largest, len(limiter))
        clock.now += 0.001
    assert largest == 1000


def test_ipv6_is_counted_by_its_64_network():
    limiter = RateLimiter(3, 600, Clock())
    same_network = ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff"]
    assert [limiter.hit(address) for address in same_network] == [0, 0, 0]
    assert limiter.hit("2001:db8:1:2:abcd::9") > 0  # a fourth address of the same /64
    assert limiter.wait("2001:db8:1:2::42") > 0
    assert limiter.hit("2001:db8:1:3::1") == 0  # the next /64 has its own budget
    assert len(limiter) == 2
    # An IPv4 client seen through an IPv6 socket is the IPv4 address.
    assert [limiter.hit("::ffff:192.0.2.1") for _ in range(3)] == [0, 0, 0]
    assert limiter.hit("192.0.2.1") > 0


def test_eviction_keeps_limiting_the_hot_address():
    clock = Clock()
    limiter = RateLimiter(3, 600, clock, max_keys=100)
    for _ in range(3):
        limiter.hit("203.0.113.66")
    assert limiter.hit("203.0.113.66") > 0
    # A flood of new addresses, ten times the table's size, each once.
    for number in range(1000):
        clock.now += 0.01
        limiter.hit(f"2001:db8:{number:x}::1")
        assert len(limiter) <= 100
    assert limiter.hit("203.0.113.66") > 0 and limiter.wait("203.0.113.66") > 0
    # Its window passes: it is allowed again.
    clock.now += 600
    assert limiter.hit("203.0.113.66") == 0


@pytest.mark.anyio
async def test_the_receiver_bounds_its_table_by_the_setting(make_app, tmp_path):
    settings = make_settings(tmp_path, rate_limit=2, rate_max_addresses=5)
    app = make_app(settings)
    limiter = app.state.receiver.limiter
    assert limiter.max_keys == 5
    for number in range(8):
        async with asgi_client(app, client_ip=f"2001:db8:{number:x}::7") as client:
            assert (await post_form(client, "/f/contact", VALID["contact"], headers())).status_code == 200
        assert len(limiter) <= 5
