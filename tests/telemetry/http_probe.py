"""Reading `/healthz` and `/metrics` over real HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def get_health(port: int) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        return response.status, await response.json()


async def scrape(port: int) -> Samples:
    """Return every sample of `/metrics` by (name, sorted labels)."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def sample(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def wait_for_status(port: int, status: int, seconds: float = 10.0) -> dict[str, Any]:
    """Poll /healthz until it answers `status` (connection refusals count as not yet)."""

    async def poll() -> dict[str, Any]:
        while True:
            try:
                got, body = await get_health(port)
            except aiohttp.ClientConnectionError:
                got, body = 0, {}
            if got == status:
                return body
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(poll(), seconds)
