"""The load generator of the 订单生成 (ordering) benchmark: asyncio + httpx against a
server on 127.0.0.1, every request and every phase bounded in time.

``flash_sale`` opens one connection per client, then releases every client at once to
POST one order of 1 unit of the same SKU. ``sustained`` runs ``clients`` closed-loop
clients for ``seconds``, each placing 5-line orders for the merchants in turn.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

LOCKED = "database is locked"


@dataclass(frozen=True)
class Sample:
    status: int  # 0: no HTTP response (connection error or client timeout)
    code: str  # the error code of a 4xx/5xx JSON body, or the exception's name
    ms: float
    locked: bool  # "database is locked" reached the client


@dataclass
class Outcome:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0  # wall time from the release to the last response

    @property
    def by_status(self) -> Counter[str]:
        return Counter(
            str(s.status) + (f" {s.code}" if s.code else "") for s in self.samples
        )

    def count(self, status: int, code: str | None = None) -> int:
        return sum(
            1
            for s in self.samples
            if s.status == status and (code is None or s.code == code)
        )

    @property
    def server_errors(self) -> int:
        return sum(1 for s in self.samples if s.status >= 500 or s.status == 0)

    @property
    def locked(self) -> int:
        return sum(1 for s in self.samples if s.locked)

    @property
    def created_per_second(self) -> float:
        return self.count(201) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float, status: int | None = 201) -> float:
        values = sorted(
            s.ms for s in self.samples if status is None or s.status == status
        )
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _limits(connections: int) -> httpx.Limits:
    return httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections
    )


async def _post_order(
    client: httpx.AsyncClient, token: str, body: dict, key: str
) -> Sample:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    started = time.perf_counter()
    try:
        response = await client.post("/api/v1/orders", json=body, headers=headers)
    except httpx.HTTPError as error:
        return Sample(
            0, type(error).__name__, (time.perf_counter() - started) * 1000, False
        )
    ms = (time.perf_counter() - started) * 1000
    code = ""
    if response.status_code != 201:
        try:
            code = str(response.json()["error"]["code"])
        except Exception:  # noqa: BLE001 - an HTML page or a bare body: no code
            code = "(not the error shape)"
    return Sample(response.status_code, code, ms, LOCKED in response.text)


async def _flash_sale(
    base: str, tokens: tuple[str, ...], sku: str, timeout: float
) -> Outcome:
    outcome = Outcome()
    release = asyncio.Event()
    async with httpx.AsyncClient(
        base_url=base, limits=_limits(len(tokens)), timeout=timeout
    ) as client:

        ready = 0

        async def one(token: str) -> Sample:
            nonlocal ready
            try:
                await client.get("/healthz")  # warm the pool before the release
            except httpx.HTTPError:
                pass
            ready += 1
            await release.wait()
            return await _post_order(
                client, token, {"lines": [{"sku": sku, "qty": 1}]}, str(uuid.uuid4())
            )

        tasks = [asyncio.create_task(one(token)) for token in tokens]
        while ready < len(tokens):
            await asyncio.sleep(0.02)
        began = time.perf_counter()
        release.set()
        outcome.samples = list(await asyncio.gather(*tasks))
        outcome.seconds = time.perf_counter() - began
    return outcome


def flash_sale(
    base: str, tokens: tuple[str, ...], sku: str, *, timeout: float = 60.0
) -> Outcome:
    """Every token orders 1 unit of ``sku`` at the same moment (bounded by ``timeout``
    per request and by ``2 × timeout`` overall)."""
    return asyncio.run(
        asyncio.wait_for(_flash_sale(base, tokens, sku, timeout), timeout * 2)
    )


async def _sustained(
    base: str,
    tokens: tuple[str, ...],
    skus: tuple[str, ...],
    clients: int,
    seconds: float,
    lines: int,
    timeout: float,
    seed: int,
) -> Outcome:
    outcome = Outcome()
    turn = iter(range(10**9))  # shared: merchants take turns across all clients
    async with httpx.AsyncClient(
        base_url=base, limits=_limits(clients), timeout=timeout
    ) as client:
        await asyncio.gather(*(client.get("/healthz") for _ in range(clients)))
        began = time.perf_counter()
        deadline = began + seconds

        async def one(index: int) -> None:
            rng = random.Random(seed * 1000 + index)
            while time.perf_counter() < deadline:
                token = tokens[next(turn) % len(tokens)]
                body = {
                    "lines": [
                        {"sku": sku, "qty": rng.randint(1, 3)}
                        for sku in rng.sample(skus, lines)
                    ]
                }
                outcome.samples.append(
                    await _post_order(client, token, body, str(uuid.uuid4()))
                )

        await asyncio.gather(*(one(i) for i in range(clients)))
        outcome.seconds = time.perf_counter() - began
    return outcome


def sustained(
    base: str,
    tokens: tuple[str, ...],
    skus: tuple[str, ...],
    *,
    clients: int,
    seconds: float,
    lines: int = 5,
    timeout: float = 30.0,
    seed: int = 1,
) -> Outcome:
    """``clients`` closed-loop clients place ``lines``-line orders for ``seconds``
    (no new request starts after that; the ones in flight finish, bounded by
    ``timeout``)."""
    return asyncio.run(
        asyncio.wait_for(
            _sustained(base, tokens, skus, clients, seconds, lines, timeout, seed),
            seconds + timeout + 30,
        )
    )
