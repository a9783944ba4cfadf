"""
Checking web addresses over HTTP: no database here, only addresses in and findings out.

aiohttp does the HTTP. Its own limits (TCPConnector's limit and limit_per_host) would let
queued requests time out while they wait for a connection, so each request first takes a
per-host slot, then one of the run's slots, and only then starts its timeout. Redirects are
followed here rather than by aiohttp so that every hop is checked against the allowed networks,
loops are named as such, and we know whether every hop was permanent.
"""

import asyncio
import dataclasses
import ipaddress
import socket
from collections import defaultdict

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver
from yarl import URL

from .models import Link

Outcome = Link.Outcome
Problem = Link.Problem

REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}
# Sites that refuse robots (bot walls, rate limits) answer these; they say nothing about the
# page, so they neither break nor clear a link.
REFUSALS = {401, 403, 429}


@dataclasses.dataclass
class Result:
    url: str
    outcome: str
    status: int | None = None
    problem: str = ""
    detail: str = ""
    final_url: str = ""
    permanent_redirect: bool = False


@dataclasses.dataclass
class Options:
    user_agent: str
    concurrency: int = 8
    per_host: int = 2
    timeout: float = 15.0  # seconds per request
    max_time: float = 900.0  # seconds for the whole run
    max_redirects: int = 10
    # Networks the checker may connect to; empty: public addresses only, so that an address
    # in an article cannot make the server probe its own private network.
    networks: tuple = ()

    def allows(self, address):
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if self.networks:
            return any(ip in ipaddress.ip_network(network) for network in self.networks)
        return ip.is_global


class AddressNotAllowed(Exception):
    pass


class GuardedResolver(AbstractResolver):
    """The system's resolver, keeping only the addresses the options allow."""

    def __init__(self, options):
        self.options = options
        self.resolver = DefaultResolver()

    async def resolve(self, host, port=0, family=socket.AF_INET):
        found = await self.resolver.resolve(host, port, family)
        allowed = [entry for entry in found if self.options.allows(entry["host"])]
        if not allowed:
            raise AddressNotAllowed(host)
        return allowed

    async def close(self):
        await self.resolver.close()


class Checker:
    def __init__(self, session, options):
        self.session = session
        self.options = options
        self.run_slots = asyncio.Semaphore(options.concurrency)
        self.host_slots = defaultdict(lambda: asyncio.Semaphore(options.per_host))

    async def request(self, method, url):
        """(status, Location header) of one request, within the limits."""
        async with self.host_slots[(url.host, url.port)], self.run_slots:
            async with self.session.request(method, url, allow_redirects=False) as response:
                return response.status, response.headers.get("Location")

    async def follow(self, method, url):
        seen = []
        permanent = True
        current = URL(url)
        while len(seen) <= self.options.max_redirects:
            if current.scheme not in ("http", "https") or not current.host:
                return Result(url, Outcome.FAILED, problem=Problem.INVALID, detail=str(current))
            if self.is_disallowed_literal(current.host):
                return Result(url, Outcome.SKIPPED, problem=Problem.NOT_ALLOWED)
            try:
                status, location = await self.request(method, current)
            except AddressNotAllowed:
                return Result(url, Outcome.SKIPPED, problem=Problem.NOT_ALLOWED)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                return failure(url, error, self.options.timeout)
            seen.append(str(current))
            if status in REDIRECTS and location:
                permanent = permanent and status in PERMANENT
                try:
                    current = current.join(URL(location))
                except ValueError as error:
                    return failure(url, error, self.options.timeout)
                if str(current) in seen:
                    return Result(url, Outcome.FAILED, status, Problem.REDIRECT_LOOP, str(current))
                continue
            if status in REFUSALS:
                outcome, problem = Outcome.REFUSED, ""
            elif status >= 400:
                outcome, problem = Outcome.FAILED, Problem.HTTP_ERROR
            else:
                outcome, problem = Outcome.OK, ""
            moved = len(seen) > 1
            return Result(
                url,
                outcome,
                status,
                problem,
                final_url=str(current) if moved else "",
                permanent_redirect=moved and permanent,
            )
        return Result(url, Outcome.FAILED, status, Problem.TOO_MANY_REDIRECTS, seen[-1])

    def is_disallowed_literal(self, host):
        # The resolver never sees an address written as such.
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return not self.options.allows(host)

    async def check(self, url):
        """HEAD first; GET when HEAD gets an error status, which some servers give for HEAD."""
        result = await self.follow("HEAD", url)
        if result.status is not None and result.status >= 400:
            result = await self.follow("GET", url)
        return result


def failure(url, error, timeout):
    if isinstance(error, asyncio.TimeoutError):
        return Result(url, Outcome.FAILED, problem=Problem.TIMEOUT, detail=f"{timeout:g} s")
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        problem = Problem.DNS
    elif isinstance(error, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        problem = Problem.CERTIFICATE
    elif isinstance(error, aiohttp.ClientConnectorError):
        problem = Problem.CONNECTION
    elif isinstance(error, aiohttp.InvalidURL | ValueError):
        problem = Problem.INVALID
    else:
        problem = Problem.OTHER
    return Result(url, Outcome.FAILED, problem=problem, detail=str(error)[:300])


async def check_all(urls, options, progress=None):
    """
    {url: Result} for `urls`. Addresses still unchecked when the run's time is up come back as
    UNCHECKED, so that the caller leaves what it knew of them alone.
    """
    results = {}
    connector = aiohttp.TCPConnector(limit=0, resolver=GuardedResolver(options))
    async with aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=options.timeout),
        headers={"User-Agent": options.user_agent},
        # Only what we configure: no proxies or .netrc from the environment.
        trust_env=False,
    ) as session:
        checker = Checker(session, options)

        async def one(url):
            results[url] = await checker.check(url)
            if progress:
                progress(results[url], len(results), len(urls))

        tasks = [asyncio.create_task(one(url)) for url in urls]
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=options.max_time)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
    for url in urls:
        results.setdefault(url, Result(url, Outcome.UNCHECKED))
    return results


def check(urls, options, progress=None):
    return asyncio.run(check_all(list(dict.fromkeys(urls)), options, progress))
