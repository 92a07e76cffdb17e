"""The comparison report: one table of every scenario, the target checks, a chart.

Run from the repository root (``make bench`` does): ``python benchmarks/report.py``.
Each implementation of a scenario is timed with timeit over a loop count calibrated to
about --sample-ms per sample; the implementations take turns sample by sample, in
rotating order, so a noisy neighbour on a shared machine hits all of them alike, and
each time is the median of --repeats samples. A ratio (to stock Django, in the same
process but for the end-to-end workload) is the median of the ratios of samples taken
in the same round, so a slow spell of the machine divides out. Targets are printed as
PASS/FAIL and never change the exit code. Writes benchmarks/RESULTS.md and
benchmarks/send.png unless --no-write.

The clock is time.thread_time_ns by default: this thread's CPU time, which a busy
neighbour does not inflate the way it does the wall clock (on a loaded 2-core machine
wall-clock medians of the same scenario moved by 2x between runs, CPU-time medians by
a few percent). ``--timer perf_counter`` times by time.perf_counter_ns instead. Nothing
timed here runs in another thread: asend is timed with async receivers only. The
end-to-end workload runs in a worker process per implementation, timed there by the
same clock (see e2e/worker.py).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime
import gc
import itertools
import math
import os
import platform
import statistics
import sys
import time
import timeit
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import cases

HERE = Path(__file__).resolve().parent
COUNTS = (0, 1, 3, 10, 100)
KINDS = ("function", "method")


@dataclasses.dataclass
class Timing:
    """How to time one implementation in one scenario: run(loops) -> elapsed ns."""

    run: Callable[[int], float]
    #: Loop count when calibration does not apply (whole batches: one per sample).
    loops: int | None = None
    #: Called around each sample: install() and uninstall() for the installed engines.
    enter: Callable[[], None] = lambda: None
    leave: Callable[[], None] = lambda: None
    #: What must stay alive while timing: the case (weakly connected receivers, senders).
    keep: Any = None


@dataclasses.dataclass
class Scenario:
    """One table row: what is timed for each implementation that has it."""

    name: str
    key: tuple[Any, ...]
    timings: Callable[[], dict[str, Timing]] | None
    unit: str = "ns"
    repeats: int | None = None
    #: For what is not a time: the values themselves, measured once.
    values: Callable[[], dict[str, float]] | None = None
    #: Undoes what timings() set up outside the cases (the end-to-end worker processes).
    teardown: Callable[[], None] = lambda: None


#: The clock every sample reads (--timer).
clock: Callable[[], int] = time.thread_time_ns


def sync_timing(statement: str, names: dict[str, Any], setup: str = "pass", **options: Any) -> Timing:
    timer = timeit.Timer(statement, setup, timer=lambda: clock(), globals=names)
    return Timing(timer.timeit, **options)


def async_timing(operation: Callable[..., Any], case: cases.Case) -> Timing:
    """Awaits ``loops`` sends inside one running event loop; the loop's start is not timed."""
    loop = asyncio.new_event_loop()
    sender, instance = case.sender, case.instance

    async def timed(loops: int) -> int:
        start = clock()
        for _ in itertools.repeat(None, loops):
            await operation(sender, instance=instance, created=False)
        return clock() - start

    return Timing(lambda loops: loop.run_until_complete(timed(loops)), keep=case)


# --- scenarios ---------------------------------------------------------------------


def dispatch_scenarios() -> Iterator[Scenario]:
    """send / send_robust / has_listeners / asend over receiver counts and options."""

    def timings(operation: str, count: int, **options: Any) -> Callable[[], dict[str, Timing]]:
        def make() -> dict[str, Timing]:
            result = {}
            for impl in cases.IMPLEMENTATIONS:
                if impl not in cases.OPERATIONS[operation]:
                    continue
                case = cases.build(impl, count, is_async=operation == "asend", **options)
                if operation == "asend":
                    result[impl] = async_timing(getattr(case.signal, cases.OPERATIONS[operation][impl]), case)
                else:
                    result[impl] = sync_timing(case.statement(operation), case.namespace(), keep=case)
            return result

        return make

    for operation in ("send", "send_robust"):
        for caching in (True, False):
            for kind in KINDS:
                for count in COUNTS:
                    name = f"{operation}: {count} for the sender, {_caching(caching)}, {kind}"
                    key = (operation, count, "sender", caching, kind)
                    yield Scenario(name, key, timings(operation, count, use_caching=caching, kind=kind))
    for caching in (True, False):
        for count in (1, 10, 100):
            name = f"send: {count} for any sender, {_caching(caching)}, function"
            key = ("send", count, "any", caching, "function")
            yield Scenario(name, key, timings("send", count, any_sender=True, use_caching=caching))
    for caching in (True, False):
        for count in (0, 1, 10):
            name = f"has_listeners: {count} for the sender, {_caching(caching)}"
            key = ("has_listeners", count, "sender", caching, "function")
            yield Scenario(name, key, timings("has_listeners", count, use_caching=caching))
    for count in (1, 10):
        name = f"asend: {count} async for the sender, caching, function"
        key = ("asend", count, "sender", True, "function")
        yield Scenario(name, key, timings("asend", count))


def _caching(caching: bool) -> str:
    return "caching" if caching else "no caching"


def connect_scenarios() -> Iterator[Scenario]:
    def timings(operation: str, count: int, kind: str, impls: tuple[str, ...]) -> Callable[[], dict[str, Timing]]:
        def make() -> dict[str, Timing]:
            result = {}
            for impl in impls:
                case = cases.build_connect(impl, count, kind=kind)
                statement = cases.connect_statement(case, operation)
                setup = statement if operation == "connect_same_uid" else "pass"
                result[impl] = sync_timing(statement, cases.connect_namespace(case), setup, keep=case)
            return result

        return make

    signals = ("django", "c", "py", "blinker")
    for count in (0, 10, 100):
        for kind in KINDS:
            name = f"connect+disconnect: {count} connected, {kind}"
            yield Scenario(name, ("connect_disconnect", count, kind), timings("connect_disconnect", count, kind, signals))
    name = "connect by an already connected dispatch_uid (dirtyfields __init__), 100 connected"
    yield Scenario(name, ("connect_same_uid", 100), timings("connect_same_uid", 100, "function", signals))
    name = "connect+disconnect, dispatch_uid per instance, 100 connected"
    yield Scenario(name, ("connect_unique_uid", 100), timings("connect_unique_uid", 100, "function", signals[:3]))


def scale_scenarios(quick: bool) -> Iterator[Scenario]:
    def spread() -> dict[str, Timing]:
        result = {}
        for impl in cases.IMPLEMENTATIONS:
            case = cases.build_spread(impl)
            result[impl] = sync_timing(case.statement("send"), case.namespace(), keep=case)
        return result

    yield Scenario("send: 1,000 receivers over 1,000 senders, for one, no caching", ("spread",), spread)

    batch = 1000 if quick else 10_000

    def connect_batch() -> dict[str, Timing]:
        result = {}
        for impl in ("django", "c", "py", "blinker"):
            names = {"cases": cases, "impl": impl, "count": batch}
            setup = "signal = cases.new_signal(impl, True); receivers, _ = cases.make_receivers(count)"
            statement = "for receiver in receivers: cases.connect(impl, signal, receiver)"
            result[impl] = sync_timing(statement, names, setup, loops=1)
        return result

    yield Scenario(f"connect {batch:,} distinct receivers (ms for the batch)", ("connect_batch", batch),
                   connect_batch, unit="ms", repeats=3 if quick else 5)


def installed_scenarios() -> Iterator[Scenario]:
    """A ModelSignal made as post_save is: stock Django, then under install() with each engine."""
    for count in (0, 1, 3, 10):
        def timings(count: int = count) -> dict[str, Timing]:
            result = {}
            for impl in ("django", "c", "py"):
                case = cases.build_model_signal(impl, count)
                options = installing(impl) if impl != "django" else {}
                result[impl] = sync_timing(case.statement("send"), case.namespace(), keep=case, **options)
            return result

        name = f"ModelSignal (as post_save) after install(): {count} for the sender, function"
        yield Scenario(name, ("post_save", count), timings)


def e2e_scenario(quick: bool) -> Scenario:
    """The e2e workload in transactions of CHUNK instances, one per sample: short samples
    interleave the implementations finely, and the median of many resists a busy neighbour.
    Each implementation runs it in a worker process of its own (see e2e/worker.py).
    Reported per 10,000 instances (the work is linear in the count)."""
    from e2e.worker import Worker

    chunk, total = 1000, 10_000
    workers: dict[str, Worker] = {}

    def timings() -> dict[str, Timing]:
        workers.update((impl, Worker(impl, clock.__name__, warm_up=chunk)) for impl in ("django", "c", "py"))
        for worker in workers.values():
            worker.ready()
        # loops counts transactions of ``chunk``; the per-"loop" time is scaled to ``total``.
        return {impl: Timing(lambda loops, worker=worker: worker.run(chunk) * total / chunk, loops=1)
                for impl, worker in workers.items()}

    def teardown() -> None:
        for worker in workers.values():
            worker.close()
        workers.clear()

    name = f"end to end: create, save, load, save {total:,} model instances (ms)"
    return Scenario(name, ("e2e",), timings, unit="ms", repeats=6 if quick else 3 * total // chunk, teardown=teardown)


def installing(impl: str) -> dict[str, Any]:
    """Timing options that time under fastsignals.install() with the implementation's engine."""
    import fastsignals

    engine = cases.signal_class(impl)
    return {"enter": lambda: fastsignals.swap.install(engine=engine), "leave": fastsignals.uninstall}


# --- measuring -----------------------------------------------------------------------


def calibrate(timing: Timing, sample_ns: float) -> int:
    """A loop count for which one sample takes about ``sample_ns``."""
    if timing.loops is not None:
        return timing.loops
    loops = 1
    while True:
        timing.enter()
        try:
            elapsed = timing.run(loops)
        finally:
            timing.leave()
        if elapsed >= sample_ns / 10 or loops >= 10**8:
            return max(1, round(loops * sample_ns / max(elapsed, 1)))
        loops *= 10


def measure(scenario: Scenario, repeats: int, sample_ns: float) -> dict[str, list[float]]:
    """Samples of the time per operation of each implementation, in rounds: sample i of
    every implementation was taken in round i, within a few tens of milliseconds."""
    if scenario.values is not None:
        return {impl: [value] for impl, value in scenario.values().items()}
    assert scenario.timings is not None
    timings = scenario.timings()
    loops = {impl: calibrate(timing, sample_ns) for impl, timing in timings.items()}
    samples: dict[str, list[float]] = {impl: [] for impl in timings}
    order = list(timings)
    for repeat in range(scenario.repeats or repeats):
        shift = repeat % len(order)
        for impl in order[shift:] + order[:shift]:
            timing = timings[impl]
            timing.enter()
            try:
                samples[impl].append(timing.run(loops[impl]) / loops[impl])
            finally:
                timing.leave()
    del timings
    scenario.teardown()
    gc.collect()
    scale = {"ns": 1, "ms": 1e-6}[scenario.unit]
    return {impl: [value * scale for value in values] for impl, values in samples.items()}


def memory_scenarios() -> Iterator[Scenario]:
    for send in (False, True):
        def values(send: bool = send) -> dict[str, float]:
            return {impl: cases.bytes_per_receiver(impl, send) for impl in ("django", "c", "py", "blinker")}

        after = "after a send for each" if send else "connected only"
        name = f"memory per receiver (bytes; 1,000 over 100 senders, {after})"
        yield Scenario(name, ("memory", send), None, unit="B", values=values)


# --- output --------------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    name: str
    key: tuple[Any, ...]
    samples: dict[str, list[float]]
    unit: str

    @property
    def values(self) -> dict[str, float]:
        """The median of each implementation's samples."""
        return {impl: statistics.median(samples) for impl, samples in self.samples.items()}

    def ratios(self, impl: str, to: str = "django") -> list[float]:
        """The round-by-round ratios of impl's samples to ``to``'s."""
        if impl not in self.samples or to not in self.samples:
            return []
        return [a / b for a, b in zip(self.samples[impl], self.samples[to])]

    def ratio(self, impl: str, to: str = "django") -> float | None:
        """The median of the round-by-round ratios: a slow spell of the machine slows
        both sides of each ratio, where it would move one median and not the other."""
        ratios = self.ratios(impl, to)
        return statistics.median(ratios) if ratios else None

    def interval(self, impl: str, to: str = "django") -> tuple[float, float] | None:
        """A 95% confidence interval for that median, free of any assumption about the
        ratios' distribution: the order statistics outside which Binomial(n, 1/2) puts
        at most 2.5% on each side (for 15 rounds, the 4th and the 12th of 15; 96.5%).
        None when there are too few rounds for one."""
        ratios = sorted(self.ratios(impl, to))
        rounds = len(ratios)
        below = 0  # ratios left out on each side
        tail = 0.0  # P(Binomial(rounds, 1/2) <= below) when tested
        while below < rounds:
            tail += math.comb(rounds, below) / 2**rounds
            if tail > 0.025:
                break
            below += 1
        if below == 0:
            return None
        return ratios[below - 1], ratios[rounds - below]


def format_value(value: float, unit: str) -> str:
    if unit == "ns":
        return f"{value:,.0f} ns" if value < 10_000 else f"{value / 1000:,.1f} µs"
    if unit == "ms":
        return f"{value:,.1f} ms"
    return f"{value:,.0f} B"


def table(rows: list[Row], markdown: bool) -> str:
    header = ["scenario"] + [cases.LABELS[impl] for impl in cases.IMPLEMENTATIONS]
    lines = []
    for row in rows:
        cells = [row.name]
        values = row.values
        for impl in cases.IMPLEMENTATIONS:
            if impl not in values:
                cells.append("–")
                continue
            cell = format_value(values[impl], row.unit)
            ratio = row.ratio(impl)
            if impl != "django" and ratio is not None:
                cell += f" ({ratio:.2f})"
            cells.append(cell)
        lines.append(cells)
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" + "---:|" * len(cases.IMPLEMENTATIONS)]
        out += ["| " + " | ".join(cells) + " |" for cells in lines]
        return "\n".join(out)
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))]
    out.append("  ".join("-" * w for w in widths))
    for cells in lines:
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))))
    return "\n".join(out)


@dataclasses.dataclass
class Check:
    target: str
    measured: str
    passed: bool | None  # None: informational

    def line(self) -> str:
        status = {True: "PASS", False: "FAIL", None: "INFO"}[self.passed]
        return f"{status}  {self.target}: {self.measured}"


def checks(rows: list[Row]) -> list[Check]:
    """The issue's targets, each against the measured ratios."""
    by_key = {row.key: row for row in rows}
    result: list[Check] = []

    def at_most(target: str, row: Row | None, impl: str, limit: float, to: str = "django", what: str = "") -> None:
        if row is None or (ratio := row.ratio(impl, to)) is None:
            return
        interval = row.interval(impl, to)
        spread = f" [95% CI {interval[0]:.3f}-{interval[1]:.3f}]" if interval else ""
        result.append(Check(target, f"{ratio:.3f}{spread} (limit {limit:.2f}){what}", ratio <= limit))

    def near_send(target: str, robust_row: Row | None, send_row: Row | None) -> None:
        # send_robust's ratio may exceed send's by 10% at most.
        plain = send_row.ratio("c") if send_row else None
        if plain is not None:
            at_most(target, robust_row, "c", plain * 1.10, what=f"; send's {plain:.3f}")

    send_limits = {1: 0.35, 3: 0.38, 10: 0.40}
    for caching in (True, False):
        for kind in KINDS:
            options = f"{_caching(caching)}, {kind}"
            for count, limit in send_limits.items():
                key = (count, "sender", caching, kind)
                row = by_key.get(("send", *key))
                if row is not None:
                    at_most(f"send {count} for the sender, {options}: compiled/Django", row, "c", limit)
                near_send(f"send_robust {count} for the sender, {options}: within 10% of send's ratio",
                          by_key.get(("send_robust", *key)), row)
            row = by_key.get(("send", 0, "sender", caching, kind))
            at_most(f"send with no receivers for the sender (others have some), {options}: compiled/Django",
                    row, "c", 0.50 if caching else 0.20)
            near_send(f"send_robust with no receivers for the sender, {options}: within 10% of send's ratio",
                      by_key.get(("send_robust", 0, "sender", caching, kind)), row)
    for row in rows:
        if row.key[0] == "send" and row.key[1] >= 10 and "loop" in row.values:
            at_most(f"{row.name}: compiled/plain loop", row, "c", 0.60, to="loop")
    at_most("send: 1,000 receivers over 1,000 senders, for one, no caching: compiled/Django (≥50× faster)",
            by_key.get(("spread",)), "c", 1 / 50)
    for row in rows:
        if row.key[0] == "connect_batch":
            at_most(f"connect {row.key[1]:,} distinct receivers: compiled/Django (≥20× faster)", row, "c", 1 / 20)
    pure = [(ratio, row) for row in rows if row.unit != "B" and (ratio := row.ratio("py")) is not None]
    failing = sorted((pair for pair in pure if pair[0] > 1.0), key=lambda pair: pair[0], reverse=True)
    for _, row in failing:
        at_most(f"pure/Django ≤ 1.0: {row.name}", row, "py", 1.0)
    if pure and not failing:
        worst, worst_row = max(pure, key=lambda pair: pair[0])
        result.append(Check("pure/Django ≤ 1.0 in every scenario", f"worst {worst:.3f} ({worst_row.name})", True))
    for count, limit in ((0, 0.50), *send_limits.items()):
        row = by_key.get(("post_save", count))
        if row is None:
            continue
        signal_row = by_key.get(("send", count, "sender", True, "function"))
        compare = f"; fastsignals.Signal's {signal_row.ratio('c'):.3f}" if signal_row else ""
        at_most(f"ModelSignal (as post_save) {count} for the sender after install(): compiled/stock",
                row, "c", limit, what=compare)
    row = by_key.get(("e2e",))
    if row is not None:
        values = row.values
        for impl in ("c", "py"):
            low, ratio, high = statistics.quantiles(row.ratios(impl), n=4)
            result.append(Check(f"end to end with install() ({cases.LABELS[impl]})",
                                f"{values[impl]:,.0f} ms vs {values['django']:,.0f} ms stock (medians); ratio "
                                f"{ratio:.3f} (quartiles {low:.3f}-{high:.3f}): saves {1 - ratio:.1%}", None))
    for send in (False, True):
        row = by_key.get(("memory", send))
        if row is None:
            continue
        for impl in ("c", "py"):
            at_most(f"{row.name}: {cases.LABELS[impl]}/Django", row, impl, 1.0,
                    what=f"; {row.values[impl]:,.0f} B vs {row.values['django']:,.0f} B")
    return result


def machine() -> str:
    import django

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{model}, {os.cpu_count()} cores; Python {platform.python_version()}; Django {django.get_version()}; "
            f"blinker {version('blinker')}")


def chart(rows: list[Row], path: Path) -> None:
    """send time against receiver count, one line per implementation, caching on and off."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    counts = [count for count in COUNTS if count]
    figure, axes = pyplot.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    by_key = {row.key: row for row in rows}
    for axis, caching in zip(axes, (True, False)):
        for impl in cases.IMPLEMENTATIONS:
            points = [by_key[("send", count, "sender", caching, "function")].values.get(impl) for count in counts]
            values = [value / 1000 for value in points if value is not None]
            if len(values) == len(counts):
                axis.plot(counts, values, marker="o", label=cases.LABELS[impl])
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xticks(counts, [str(count) for count in counts])
        axis.set_xlabel("receivers for the sender")
        axis.set_title(f"Signal.send, use_caching={caching}")
        axis.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("µs per send (lower is better)")
    axes[0].legend()
    figure.suptitle(f"fastsignals vs Django — {machine()}", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


def markdown(rows: list[Row], results: list[Check], seconds: float, how: str) -> str:
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    lines = [
        "# Benchmark results",
        "",
        f"Made by `make bench` (benchmarks/report.py) on {date}: {machine()}.",
        "",
        "Each cell: the median time per operation, then in brackets the ratio to stock Django, timed in the",
        "same process but for the end-to-end workload (lower is better). Implementations take turns sample by",
        "sample; a ratio is the median of the ratios of samples taken in the same round, so it need not equal",
        "the quotient of the two medians.",
        "\"For the sender\": receivers connected to that sender; every signal also has one receiver for each of",
        f"{cases.OTHER_SENDERS} other senders.",
        "The plain loop is the floor: the same receivers called in a Python loop, building the same list.",
        "No two implementations share a signal: the ModelSignal rows give each one a signal of its own, made",
        "as Django makes post_save, and the end-to-end workload runs in a process for each (see",
        "benchmarks/e2e/worker.py: on Python 3.12 a signal the compiled engine has sent slows stock code down).",
        "In the targets, \"95% CI\" is a distribution-free confidence interval of at least 95% for the median",
        "ratio: two order statistics of the round-by-round ratios (of 15 rounds, the 4th and the 12th; none",
        "with fewer than 6). Pass or fail goes by the median alone; an interval that reaches across the limit",
        "says that this run cannot tell the two apart.",
        f"Medians of {how}; the whole report took {seconds:.0f} s.",
        "",
        table(rows, markdown=True),
        "",
        "## Targets",
        "",
        "```",
        *[check.line() for check in results],
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="samples per implementation (median taken)")
    parser.add_argument("--sample-ms", type=float, default=5.0, help="target duration of one sample")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller batches, for a smoke run")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md and send.png alone")
    parser.add_argument("-k", dest="match", default="", help="only scenarios whose name contains this")
    parser.add_argument("--timer", choices=("thread_time", "perf_counter"), default="thread_time",
                        help="this thread's CPU time (default) or the wall clock")
    options = parser.parse_args(argv)
    global clock
    clock = getattr(time, f"{options.timer}_ns")
    if options.quick:
        options.repeats, options.sample_ms = 3, 2.0

    started = time.perf_counter()
    cases.configure_django()
    import fastsignals

    how = f"{options.repeats} samples of about {options.sample_ms:g} ms each, clock time.{options.timer}_ns"
    print(f"fastsignals.IMPLEMENTATION = {fastsignals.IMPLEMENTATION}; {machine()}; {how}", flush=True)
    scenarios = [*dispatch_scenarios(), *connect_scenarios(), *scale_scenarios(options.quick),
                 *installed_scenarios(), e2e_scenario(options.quick), *memory_scenarios()]
    rows = []
    for scenario in scenarios:
        if options.match not in scenario.name:
            continue
        samples = measure(scenario, options.repeats, options.sample_ms * 1e6)
        rows.append(Row(scenario.name, scenario.key, samples, scenario.unit))
        print(f"  measured: {scenario.name}", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    print()
    print(table(rows, markdown=False))
    print()
    results = checks(rows)
    for check in results:
        print(check.line())
    missed = sum(check.passed is False for check in results)
    print(f"\n{missed} of {sum(check.passed is not None for check in results)} targets missed; {seconds:.0f} s")
    if not options.no_write and not options.match:
        (HERE / "RESULTS.md").write_text(markdown(rows, results, seconds, how))
        chart(rows, HERE / "send.png")
        print(f"wrote {HERE / 'RESULTS.md'} and {HERE / 'send.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
