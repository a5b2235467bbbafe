"""Load on ``checkengine serve``: simulated auditors submitting inspections with two photos each.

The real server (``checkengine serve`` in its own process, uvicorn, one worker) listens on
127.0.0.1 and a free port, on a SQLite store and then on a throw-away PostgreSQL cluster
(tests/pgcluster.py, fsync off). The store is seeded first: the demo sites and rulebooks, and
``--auditors`` auditors of the call centre, each with ``--each`` floor inspections assigned. Then
every auditor, at the same time (asyncio + httpx, one client and so one session and CSRF token
each), signs in through the login form and submits its inspections one after another as the
page's script does (multipart, the token in the X-CSRFToken header, a device-made submission
id): a failed item with a note and two photos (JPEGs of 1280 x 960, different in every
submission). Then every auditor sends its first submission again with the same id (what a
tablet does when the answer was lost on the way back): it must give back the first one.

Figures: p50 / p95 latency of a submission (request sent -> the server's 303), submissions per
second over the submitting phase, and the resends' latency. Checked in the store afterwards:
exactly one submission per inspection (zero lost, zero duplicated, the resends included), each
with its archived run and its two photos linked. Bounded: a fixed number of submissions, each
request with a timeout, and the whole load with one (``--timeout``).

    .venv/bin/python benchmarks/bench_serve.py                 # 50 auditors x 4 inspections
    .venv/bin/python benchmarks/bench_serve.py --quick                 # 4 auditors x 1, both stores
    .venv/bin/python benchmarks/bench_serve.py --auditors 5 --each 1 --only sqlite

Not a test: nothing about time is asserted; a lost or duplicated submission stops it (exit 1).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from html.parser import HTMLParser
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

from measure import OutsideCpu, cpu_of  # noqa: E402
CHECKENGINE = Path(sys.executable).with_name("checkengine")
EXAMPLES = ROOT / "examples" / "month-2026-11"
VISIT = EXAMPLES / "inspections" / "FI-2026-11-03-001.yaml"  # a compliant floor round of cc-taipei
FAILED = "WKS-03-desk-tidy"  # its evidence: a failing answer needs a note and a photo
PREFIX = "bench.auditor."


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    resends: list[float] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0  # of the server (and the database's processes) while the submissions were made
    logins: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    expected: int = 0
    signed_in: int = 0
    auditors: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    submitted: asyncio.Event = field(default_factory=asyncio.Event)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def photo(base: Any, n: int) -> bytes:
    """A camera-sized JPEG, different for every *n* (a numbered patch on a noisy picture)."""
    from PIL import ImageDraw

    image = base.copy()
    draw = ImageDraw.Draw(image)
    rng = random.Random(n)
    draw.rectangle((40, 40, 360, 200), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw.text((60, 100), f"photo {n}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def base_picture() -> Any:
    from PIL import Image

    noise = Image.effect_noise((1280, 960), 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize((1280, 960)).convert("RGB")
    return Image.blend(noise, gradient, 0.6)


def answers() -> dict[str, str]:
    """The checklist's fields that say what the example round says, with one item failed."""
    from checkengine.yamlio import load_file

    data = load_file(VISIT).data
    fields = {f"obs:{k}": ("yes" if v else "no") if isinstance(v, bool) else str(v)
              for k, v in data["observations"].items()}
    fields.update({f"answer:{rule}": a["result"] for rule, a in data["answers"].items()})
    fields[f"answer:{FAILED}"] = "fail"
    fields[f"comment:{FAILED}"] = "customer papers left on the desk"
    return fields


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.radios: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "radio" and found.get("name"):
            self.radios.setdefault(str(found["name"]), []).append(str(found.get("value")))


def complete(fields: dict[str, str], page: str) -> dict[str, str]:
    """*fields*, with "no" for every yes/no question of the checklist *page* they leave open (the
    follow-up questions), as the browser tests' auditor does."""
    inputs = _Inputs()
    inputs.feed(page)
    extra = {name: "no" for name, values in inputs.radios.items() if name not in fields and "no" in values}
    return {**fields, **extra}


def seed(location: str, auditors: int, each: int) -> tuple[str, list[tuple[str, list[int]]]]:
    """The demo's sites and users, and the benchmark's auditors with their inspections; (the
    auditors' password, [(username, inspection ids)])."""
    from checkengine.archive.store import open_archive
    from checkengine.web.auth import hash_password
    from checkengine.web.demo import seed as demo_seed
    from checkengine.web.evaluation import Library
    from checkengine.yamlio import load_file

    library = Library.load(ROOT / "rulebooks")
    visit = load_file(VISIT).data
    book = next(s.book.id for s in library.books.values() if visit["kind"] in s.kinds)
    password = secrets.token_urlsafe(16)
    hashed = hash_password(password)
    plan: list[tuple[str, list[int]]] = []
    with open_archive(location, write=True) as store:
        demo_seed(store, EXAMPLES, library)
        admin = store.user_named("admin")
        assert admin is not None
        with store.writing():
            for a in range(auditors):
                name = f"{PREFIX}{a:02d}"
                uid = store.add_user(username=name, name=f"Auditor {a:02d}", role="auditor", password_hash=hashed,
                                     sites=[visit["site"]["id"]])
                ids = [store.add_inspection(site=visit["site"]["id"], rulebook=book, kind=visit["kind"],
                                            subject=visit["subject"], due="2026-11-03", assigned_to=uid,
                                            created_by=admin.id) for _ in range(each)]
                plan.append((name, ids))
    return password, plan


def start(location: str, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    log = log_path.open("w+b")
    process = subprocess.Popen(
        [str(CHECKENGINE), "serve", "--store", location, "--rulebooks", str(ROOT / "rulebooks"), "--host",
         "127.0.0.1", "--port", str(port), "--logins-per-minute", "1000"],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, "CI": "true"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"checkengine serve stopped (exit {process.returncode}):\n{log.read().decode()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.kill()
    raise SystemExit("checkengine serve did not listen within 60 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


async def auditor(url: str, username: str, password: str, inspections: list[int], photos: list[tuple[bytes, bytes]],
                  fields: dict[str, str], figures: Figures, sent: dict[int, str], start_line: asyncio.Event,
                  resend_line: asyncio.Event) -> None:
    import httpx

    # Idle connections are dropped by the client before uvicorn's 5 s keep-alive ends them: a request
    # sent on a connection the server is closing would fail on the way (not the server's doing).
    limits = httpx.Limits(keepalive_expiry=3)
    async with httpx.AsyncClient(base_url=url, timeout=120, follow_redirects=False, limits=limits) as client:
        await client.get("/login")
        token = client.cookies["csrftoken"]
        signed = await client.post("/login", data={"csrftoken": token, "username": username, "password": password})
        if signed.status_code != 303 or signed.headers.get("location") != "/inspections":
            raise SystemExit(f"{username} could not sign in: {signed.status_code}\n{signed.text[:500]}")
        page = await client.get(f"/inspections/{inspections[0]}?lang=en")
        fields = complete(fields, page.text)
        figures.signed_in += 1
        if figures.signed_in == figures.auditors:
            figures.ready.set()
        await start_line.wait()
        for iid, (one, two) in zip(inspections, photos):
            device_id = uuid.uuid4().hex
            sent[iid] = device_id
            started = time.perf_counter()
            done = await client.post(f"/inspections/{iid}", headers={"X-CSRFToken": token},
                                     data={**fields, "submission_id": device_id, "lang": "en"},
                                     files=[(f"photo:{FAILED}", ("IMG_0001.jpg", one, "image/jpeg")),
                                            (f"photo:{FAILED}", ("IMG_0002.jpg", two, "image/jpeg"))])
            figures.latencies.append(time.perf_counter() - started)
            if len(figures.latencies) == figures.expected:
                figures.submitted.set()
            figures.statuses[done.status_code] = figures.statuses.get(done.status_code, 0) + 1
            if done.status_code != 303:
                said = re.findall(r'<p class="error"[^>]*>(.*?)</p>', done.text, re.S)
                raise SystemExit(f"{username}: inspection {iid} refused ({done.status_code}): "
                                 + " / ".join(said or [re.sub(r"\s+", " ", done.text)[:500]]))
        await resend_line.wait()
        # The first submission again, with its device id: a tablet that never saw the answer.
        iid = inspections[0]
        one, two = photos[0]
        started = time.perf_counter()
        again = await client.post(f"/inspections/{iid}", headers={"X-CSRFToken": token},
                                  data={**fields, "submission_id": sent[iid], "lang": "en"},
                                  files=[(f"photo:{FAILED}", ("IMG_0001.jpg", one, "image/jpeg")),
                                         (f"photo:{FAILED}", ("IMG_0002.jpg", two, "image/jpeg"))])
        figures.resends.append(time.perf_counter() - started)
        if again.status_code != 303 or again.headers.get("location") != f"/inspections/{iid}/result":
            raise SystemExit(f"{username}: the resend of inspection {iid} gave {again.status_code}")


async def load(url: str, password: str, plan: list[tuple[str, list[int]]], photos: dict[str, list[tuple[bytes, bytes]]],
               fields: dict[str, str], timeout: float, cpu: Callable[[], float]) -> tuple[Figures, dict[int, str]]:
    figures = Figures(expected=sum(len(ids) for _, ids in plan), auditors=len(plan))
    sent: dict[int, str] = {}
    start_line, resend_line = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(auditor(url, name, password, ids, photos[name], fields, figures, sent, start_line,
                                         resend_line)) for name, ids in plan]

    async def conduct() -> None:
        started = time.perf_counter()
        await figures.ready.wait()  # every auditor signed in before the clock starts
        figures.logins = time.perf_counter() - started
        started = time.perf_counter()
        before = cpu()
        start_line.set()
        await figures.submitted.wait()
        figures.wall = time.perf_counter() - started
        figures.cpu = cpu() - before
        resend_line.set()

    conductor = asyncio.create_task(conduct())
    try:
        await asyncio.wait_for(asyncio.gather(*tasks, conductor), timeout)
    except asyncio.TimeoutError:
        raise SystemExit(f"the load did not finish within --timeout {timeout:.0f} s") from None
    return figures, sent


def check(location: str, plan: list[tuple[str, list[int]]], sent: dict[int, str]) -> str:
    """Zero lost, zero duplicated: one submission per inspection, the device's id, its run, its photos."""
    from checkengine.archive.store import open_archive

    problems: list[str] = []
    expected = sum(len(ids) for _, ids in plan)
    with open_archive(location, write=False) as store:
        for _, ids in plan:
            for iid in ids:
                found = store.submissions_of(iid)
                if len(found) != 1:
                    problems.append(f"inspection {iid}: {len(found)} submissions")
                    continue
                if found[0].device_id != sent[iid] or found[0].run is None:
                    problems.append(f"inspection {iid}: kept with id {found[0].device_id}, run {found[0].run}")
                if len(store.photos_of(iid).get(FAILED, [])) < 2:
                    problems.append(f"inspection {iid}: {store.photos_of(iid)} photos")
        total = store.rows("SELECT COUNT(*) AS n FROM submissions s JOIN inspections i ON i.id = s.inspection "
                           "JOIN users u ON u.id = i.assigned_to WHERE u.username LIKE ?", (PREFIX + "%",))[0]["n"]
        ids = store.rows("SELECT COUNT(DISTINCT device_id) AS n FROM submissions")[0]["n"]
        runs = store.rows("SELECT COUNT(*) AS n FROM submissions WHERE run IS NOT NULL")[0]["n"]
    if int(total) != expected:
        problems.append(f"{total} submissions in the store, {expected} sent")
    if problems:
        raise SystemExit("lost or duplicated submissions:\n  " + "\n  ".join(problems[:20]))
    return f"{total} submissions kept for {expected} sent (+{len(plan)} resends), {ids} device ids, {runs} runs"


def measure(name: str, location: str, opts: argparse.Namespace, base: Any, fields: dict[str, str],
            database: int | None = None) -> None:
    """*database*: the PostgreSQL server's process (its CPU and its backends' are counted too)."""
    password, plan = seed(location, opts.auditors, opts.each)
    counter = iter(range(10**9))
    photos = {user: [(photo(base, next(counter)), photo(base, next(counter))) for _ in ids] for user, ids in plan}
    size = statistics.mean(len(p) for pairs in photos.values() for pair in pairs for p in pair)
    port = free_port()
    log = opts.folder / f"server-{name}.log"
    server = start(location, port, log)
    outside = OutsideCpu(database) if database is not None else None
    if outside is not None:
        outside.start()

    def cpu() -> float:
        """CPU seconds so far: the server's, plus the database's since it started (a difference of two
        readings is what was spent between them)."""
        return (cpu_of(server.pid) or 0.0) + (outside.stop() if outside is not None else 0.0)

    try:
        figures, sent = asyncio.run(load(f"http://127.0.0.1:{port}", password, plan, photos, fields, opts.timeout,
                                         cpu))
    except (SystemExit, Exception) as stopped:
        stop(server)
        raise SystemExit(f"{stopped!r}\nthe server said:\n{log.read_text(errors='replace')[-6000:]}") from None
    finally:
        stop(server)
    verdict = check(location, plan, sent)
    lat = sorted(figures.latencies)
    cuts = statistics.quantiles(lat, n=20, method="inclusive") if len(lat) > 1 else [lat[0]] * 19
    print(f"{name}: {opts.auditors} auditors x {opts.each} submissions, 2 photos each ({size / 1024:.0f} KiB a "
          f"photo); signing in {figures.logins:.1f} s")
    print(f"  submission latency p50 {statistics.median(lat) * 1000:7.0f} ms   p95 {cuts[18] * 1000:7.0f} ms   "
          f"max {lat[-1] * 1000:7.0f} ms")
    print(f"  throughput {len(lat) / figures.wall:6.1f} submissions/s ({len(lat)} in {figures.wall:.1f} s)")
    print(f"  CPU per submission {figures.cpu / len(lat) * 1000:6.0f} ms (the server process"
          f"{' and PostgreSQL' if database is not None else ''}; steadier than the wall clock on a shared machine)")
    print(f"  resends (same device id) p50 {statistics.median(figures.resends) * 1000:5.0f} ms: the first one stands")
    print(f"  {verdict}: zero lost, zero duplicated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--auditors", type=int, default=50)
    parser.add_argument("--each", type=int, default=4, help="inspections each auditor submits")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one store only")
    parser.add_argument("--timeout", type=float, default=900, help="seconds the load of one store may take")
    parser.add_argument("--quick", action="store_true", help="4 auditors x 1 submission (a smoke run, as run.py --quick)")
    opts, _ = parser.parse_known_args(argv)
    if opts.quick:
        opts.auditors, opts.each = 4, 1
    from checkengine.archive.store import now  # noqa: F401  (imports first: the server's start is timed alone)

    base = base_picture()
    fields = answers()
    print(f"bench_serve: checkengine serve on 127.0.0.1, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}")
    folder = opts.folder = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    if opts.only in (None, "sqlite"):
        measure("sqlite", str(folder / "store.sqlite"), opts, base, fields)
    if opts.only in (None, "postgresql"):
        from pgcluster import Cluster

        cluster = Cluster()
        cluster.start()
        try:
            postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
            measure("postgresql", cluster.new_database(), opts, base, fields, database=postmaster)
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
