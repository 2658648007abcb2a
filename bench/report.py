"""Turns a run's results into docs/performance.md.

Every "met / missed" is computed here from the measured figures, never written by hand, so a
rerun on a slower machine or a regression shows up as "missed" without anyone editing text.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench import notes
from bench.common import percentile
from bench.conversations import CONVERSATIONS, KINDS, kind_of

if TYPE_CHECKING:
    from bench.load import LevelResult
    from bench.run import Refusal, Results

MB = 1_000_000
NOISY_SHARE = 0.10  # others using over a tenth of the machine visibly moves latency figures
FLAT_BYTES = 10 * MB  # a 100 kB message may cost a few buffers, never a model's worth
GOAL_RATIO = 1.5
GOAL_DIRECTORY_P99_MS = 5.0
GOAL_TRAINING_SECONDS = 300.0
GOAL_MACRO_F1 = 0.90
GOAL_LOWEST_F1 = 0.75
GOAL_DANGER_RECALL_MODEL = 0.98
GOAL_COLD_START_SECONDS = 30.0
GOAL_TOTAL_RSS = 1.5e9
GOAL_P99_AT_10_MS = 500.0
GOAL_THROUGHPUT = 40.0


def _ms(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _mb(value: int | float) -> str:
    return f"{value / MB:,.0f} MB"


def _pct(value: float) -> str:
    return f"{value:.0%}"


# ---------------------------------------------------------------- figures the goals read


def _level(levels: list[LevelResult], prefix: str, concurrency: int) -> LevelResult | None:
    return next((r for r in levels if r.target.startswith(prefix)
                 and r.concurrency == concurrency), None)


def _ours(results: Results, path: str, concurrency: int) -> LevelResult | None:
    if results.stack is None:
        return None
    return _level(results.stack.levels, path, concurrency)


def _floor(results: Results, concurrency: int) -> LevelResult | None:
    if results.floor is None:
        return None
    return _level(results.floor.levels, "", concurrency)


def directory_p99(table: str, backend: str = "SQLite", size: str = "100,000") -> float | None:
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[0] == backend and cells[1] == size:
            return float(cells[5])
    return None


def evaluation_row(evaluation: str, measure: str) -> list[str] | None:
    """The cells of one row of bot.evaluation's summary table: measure, model + backstop,
    model alone, keyword baseline, goal."""
    for line in evaluation.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == measure:
            return cells
    return None


def _number(cell: str) -> float:
    return float(cell.split()[0])


def macro_f1(evaluation: str) -> tuple[float, float] | None:
    """(model + backstop, keyword baseline) from bot.evaluation's summary table."""
    cells = evaluation_row(evaluation, "macro-F1")
    return (_number(cells[1]), _number(cells[3])) if cells else None


def evaluation_summary(evaluation: str) -> list[str]:
    lines = evaluation.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("| measure")), None)
    if start is None:
        return []
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return lines[start:end]


def refusal_growth(refusal: Refusal) -> int:
    return max(refusal.rss_peak[name] - refusal.rss_before[name] for name in refusal.rss_before)


# ---------------------------------------------------------------- goals


@dataclass(frozen=True)
class Goal:
    id: str
    text: str
    measure: Callable[[Results], tuple[str, bool] | None]


def _ratio_goal(path: str) -> Callable[[Results], tuple[str, bool] | None]:
    def measure(results: Results) -> tuple[str, bool] | None:
        ours, floor = _ours(results, path, 1), _floor(results, 1)
        if ours is None or floor is None or not ours.count or not floor.count:
            return None
        ratio = ours.p50_ms / floor.p50_ms
        return (f"{_ms(ours.p50_ms)} ms / {_ms(floor.p50_ms)} ms = {ratio:.2f}x",
                ratio <= GOAL_RATIO)
    return measure


def _p99_goal(path: str) -> Callable[[Results], tuple[str, bool] | None]:
    def measure(results: Results) -> tuple[str, bool] | None:
        level = _ours(results, path, 10)
        if level is None or not level.count:
            return None
        return f"{_ms(level.p99_ms)} ms", level.p99_ms < GOAL_P99_AT_10_MS
    return measure


def _throughput_goal(path: str) -> Callable[[Results], tuple[str, bool] | None]:
    def measure(results: Results) -> tuple[str, bool] | None:
        levels = [_ours(results, path, n) for n in (10, 50)]
        best = max((lv.throughput for lv in levels if lv is not None and lv.count), default=None)
        if best is None:
            return None
        return f"{best:.1f} msg/s (best of 10 and 50 conversations)", best >= GOAL_THROUGHPUT
    return measure


def _directory(results: Results) -> tuple[str, bool] | None:
    if results.directory is None:
        return None
    p99 = directory_p99(results.directory.table)
    return None if p99 is None else (f"{p99:.2f} ms", p99 < GOAL_DIRECTORY_P99_MS)


def _training(results: Results) -> tuple[str, bool] | None:
    if results.training is None:
        return None
    seconds = results.training.seconds
    return f"{seconds / 60:.1f} min ({seconds:.0f} s)", seconds < GOAL_TRAINING_SECONDS


def _f1(results: Results) -> tuple[str, bool] | None:
    scores = macro_f1(results.probe.evaluation) if results.probe else None
    if scores is None:
        return None
    return f"{scores[0]:.3f} (keyword baseline {scores[1]:.3f})", scores[0] >= GOAL_MACRO_F1


def _lowest_f1(results: Results) -> tuple[str, bool] | None:
    cells = evaluation_row(results.probe.evaluation, "lowest intent F1") if results.probe else None
    if cells is None:
        return None
    return cells[1], _number(cells[1]) >= GOAL_LOWEST_F1


def _danger_recall(results: Results) -> tuple[str, bool] | None:
    cells = (evaluation_row(results.probe.evaluation, "immediate_danger recall")
             if results.probe else None)
    if cells is None:
        return None
    return (f"{cells[1]} with the backstop ({cells[2]} model alone)",
            _number(cells[1]) >= 1.0 and _number(cells[2]) >= GOAL_DANGER_RECALL_MODEL)


def _cold(results: Results) -> tuple[str, bool] | None:
    if results.stack is None:
        return None
    return f"{results.stack.cold_start:.1f} s", results.stack.cold_start < GOAL_COLD_START_SECONDS


def _memory(results: Results) -> tuple[str, bool] | None:
    if results.stack is None:
        return None
    total = results.stack.rss_load_total_peak
    return f"{_mb(total)} (peak, 10 conversations)", total < GOAL_TOTAL_RSS


def _flat(results: Results) -> tuple[str, bool] | None:
    if results.stack is None or not results.stack.refusals:
        return None
    growth = max(refusal_growth(r) for r in results.stack.refusals)
    refused = all(r.refused for r in results.stack.refusals)
    text = f"largest RSS rise {growth / MB:+.1f} MB; " + (
        "refused with the too-long reply" if refused else "NOT refused with the too-long reply")
    return text, growth < FLAT_BYTES and refused


GOALS: tuple[Goal, ...] = (
    Goal("ratio_web", f"Reply p50 at 1 conversation, web front path, within {GOAL_RATIO}x the "
         "floor", _ratio_goal("web front")),
    Goal("ratio_direct", f"Reply p50 at 1 conversation, Rasa web channel directly, within "
         f"{GOAL_RATIO}x the floor", _ratio_goal("Rasa web channel")),
    Goal("p99_web", "Reply p99 < 500 ms at 10 conversations, web front path", _p99_goal("web front")),
    Goal("p99_direct", "Reply p99 < 500 ms at 10 conversations, Rasa web channel directly",
         _p99_goal("Rasa web channel")),
    Goal("throughput_web", "At least 40 messages per second on 2 cores, web front path",
         _throughput_goal("web front")),
    Goal("directory_p99", "Directory search p99 < 5 ms at 100k services (SQLite)", _directory),
    Goal("nlu_training", "Full NLU training < 5 min", _training),
    Goal("macro_f1", "Held-out macro-F1 >= 0.90 (docs/nlu-evaluation.md)", _f1),
    Goal("lowest_f1", "Held-out lowest intent F1 >= 0.75 (docs/nlu-evaluation.md)", _lowest_f1),
    Goal("danger_recall", "immediate_danger recall 1.0 with the backstop, >= 0.98 model alone "
         "(docs/nlu-evaluation.md)", _danger_recall),
    Goal("cold_start", "Cold start to first answer through the web front < 30 s", _cold),
    Goal("memory", "All three processes together < 1.5 GB RSS under load", _memory),
    Goal("refusal_flat", "100,000-character message refused, memory flat (rise < 10 MB)", _flat),
)


def goals_table(results: Results) -> list[str]:
    rows = ["| goal | measured | result | why missed, and what would close it |",
            "|---|---|---|---|"]
    for goal in GOALS:
        outcome = goal.measure(results)
        if outcome is None:
            rows.append(f"| {goal.text} | not measured in this run | - | |")
            continue
        figure, met = outcome
        note = "" if met else notes.WHEN_MISSED.get(goal.id, "not yet reviewed")
        if note and results.started != notes.REVIEWED_RUN:
            note = f"(reviewed for the run of {notes.REVIEWED_RUN}) {note}"
        rows.append(f"| {goal.text} | {figure} | {'met' if met else '**missed**'} | {note} |")
    return rows


# ---------------------------------------------------------------- sections


def _noisy(results: Results) -> list[str]:
    worst = max(results.noise, key=lambda n: n.foreign_share, default=None)
    if worst is None:
        return []
    total_wall = sum(n.wall for n in results.noise)
    overall = sum(n.foreign_share * n.wall for n in results.noise) / total_wall
    if worst.foreign_share > NOISY_SHARE:
        return [f"**The machine was noisy during this run**: other processes (other engineers' "
                f"tests) used {_pct(overall)} of the CPU overall and {_pct(worst.foreign_share)} "
                f"during \"{worst.section}\". Figures that need both cores (latency and "
                "throughput at 10 and 50 conversations, training time) are pessimistic; see "
                "[Noise](#noise)."]
    return [f"The machine was quiet: other processes used {_pct(overall)} of the CPU overall "
            f"(at most {_pct(worst.foreign_share)}, during \"{worst.section}\")."]


def _latency_rows(levels: list[LevelResult]) -> list[str]:
    rows = []
    for r in levels:
        other = _pct(r.noise.foreign_share) if r.noise else "n/a"
        client = _pct(r.noise.client_share) if r.noise else "n/a"
        rows.append(f"| {r.target} | {r.concurrency} | {r.count:,} | {_ms(r.p50_ms)} | "
                    f"{_ms(r.p99_ms)} | {_ms(r.max_ms)} | {r.throughput:.1f} | {r.fallbacks} | "
                    f"{getattr(r, 'limited', 0)} | {r.errors + r.empty} | {client} | {other} |")
    return rows


def section_latency(results: Results, level_seconds: float, warmup_seconds: float) -> list[str]:
    lines = ["## 1. Reply latency through the real HTTP path", ""]
    if results.stack is None:
        return [*lines, "Not measured: the stack did not start (see the failures below).", ""]
    names = "; ".join(f"*{c.name}*" for c in CONVERSATIONS)
    lines += [
        f"{len(CONVERSATIONS)} scripted conversations ({names}; bench/conversations.py) are "
        "replayed by N virtual people at once. Each person starts every conversation with a new "
        "sender id, as a new browser tab does, and sends the next message as soon as the reply "
        "arrives (no reading or typing time, so N virtual people load the server far more than "
        f"N real ones). Each level runs {level_seconds:.0f} s after a {warmup_seconds:.0f} s "
        "warm-up of every conversation; messages in flight at the end are waited for. Every "
        "limit a load test from one address trips is off (0 turns each off): the channels' "
        "per-conversation and overall rates (RATE_LIMIT_PER_MINUTE=0, "
        "OVERALL_RATE_LIMIT_PER_MINUTE=0) and the web front's per-address rate and in-flight "
        "limits (ADDRESS_RATE_LIMIT_PER_MINUTE=0, ADDRESS_MAX_IN_FLIGHT=0, MAX_IN_FLIGHT=0). A "
        "message a limit still refused (HTTP 429 or the \"please wait\" reply) is counted under "
        "*refused by a limit* and left out of the latencies. The load generator (aiohttp, this "
        "process) shares the 2 cores with the servers; its share is shown.",
        "",
        "- (a) web front: `POST /api/chat` straight to the web front's own loopback port "
        "(waitress, Flask) -> our Rasa web channel -> action server -> SQLite directory (a "
        "fresh `directory init`).",
        "- (b) direct: `POST /webhooks/web/webhook` on our Rasa web channel, same Rasa, same "
        "action server.",
        "",
        "The three processes are started by the bench itself with the commands `make run` "
        "gives supervisord (bot.supervision.commands). Neither path includes the HAProxy edge "
        "that `make run` puts in front of the web front when HAProxy is installed (one more "
        "loopback hop for a browser; SMS and Telegram webhooks also come through it): (a) is "
        "`make run` with WEBFRONT_PROXY=none. The section on several replicas below measures "
        "paths through HAProxy.",
        "",
        "A *fallback* is a reply that is the \"I'm having trouble\" message: Rasa took longer "
        "than REPLY_TIMEOUT_SECONDS (1.8 s) and the channel answered with the helpline instead, "
        "or the web front gave up on Rasa. The person still gets the helpline and 999, but not "
        "the bot's answer.",
        "",
        "| path | conversations | messages | p50 (ms) | p99 (ms) | max (ms) | msg/s | "
        "fallback replies | refused by a limit | errors | load generator CPU | "
        "other processes' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *_latency_rows(results.stack.levels),
        "",
    ]
    return lines


def section_floor(results: Results) -> list[str]:
    lines = ["## 2. Against a floor: stock Rasa with the same NLU pipeline", ""]
    floor = results.floor
    if floor is None:
        return [*lines, "Not measured: the floor did not start (see the failures below).", ""]
    trained = (f"trained in this run in {floor.trained_seconds:.0f} s" if floor.trained_seconds
               else "cached from an earlier run (same content hash)")
    lines += [
        f"Stock Rasa {results.machine['rasa']} (`rasa run`, stock REST channel from `rest:` in "
        "its credentials file, in-memory tracker store, no action server) serving "
        f"`{floor.model.name}` ({trained}): the project's config.yml with the NLU pipeline "
        "unchanged and the policies' core fallback set to Rasa's own action, a domain with 3 "
        "intents, the location entity and 4 utter responses, 18 NLU examples and 3 rules "
        "(bench/floor.py). The same harness replays the same conversations against it; every "
        "message gets one fixed response. It shows what Rasa alone costs per message with this "
        "pipeline: our ratio to it is what our channel, dialogue, actions and directory add.",
        "",
        "| path | conversations | messages | p50 (ms) | p99 (ms) | max (ms) | msg/s | "
        "fallback replies | refused by a limit | errors | load generator CPU | "
        "other processes' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *_latency_rows(floor.levels),
        "",
        "| conversations | (a) web front p50 | (b) direct p50 | floor p50 | (a) / floor | "
        "(b) / floor | (a) p99 / floor p99 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for concurrency in sorted({r.concurrency for r in floor.levels}):
        web, direct = _ours(results, "web front", concurrency), _ours(
            results, "Rasa web channel", concurrency)
        base = _floor(results, concurrency)
        if web is None or direct is None or base is None:
            continue
        lines.append(
            f"| {concurrency} | {_ms(web.p50_ms)} ms | {_ms(direct.p50_ms)} ms | "
            f"{_ms(base.p50_ms)} ms | {web.p50_ms / base.p50_ms:.2f}x | "
            f"{direct.p50_ms / base.p50_ms:.2f}x | {web.p99_ms / base.p99_ms:.2f}x |")
    return [*lines, "", *breakdown(results)]


def breakdown(results: Results) -> list[str]:
    """Where the time goes at 1 conversation, by what the message asks the bot to do."""
    web, direct = _ours(results, "web front", 1), _ours(results, "Rasa web channel", 1)
    base = _floor(results, 1)
    if web is None or direct is None or base is None:
        return []
    paths = (web, direct, base)

    def p50(level: LevelResult, texts: list[str]) -> float:
        values = [v for t in texts for v in level.by_message.get(t, [])]
        return percentile(values, 50) * 1000 if values else float("nan")

    texts = list(dict.fromkeys(m for c in CONVERSATIONS for m in c.messages))
    rows = []
    for kind in KINDS:
        group = [t for t in texts if kind_of(t) == kind]
        ours_web, ours_direct, floor = (p50(level, group) for level in paths)
        rows.append(f"| {kind} | {len(group)} | {_ms(ours_web)} ms | {_ms(ours_direct)} ms | "
                    f"{_ms(floor)} ms | {ours_web / floor:.1f}x |")
    return [
        "Where the time goes at 1 conversation: p50 by what the message asks for. The floor "
        "answers the same words with one fixed message.",
        "",
        "| message kind | distinct messages | (a) web front | (b) direct | floor | (a) / floor |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "<details><summary>p50 per message at 1 conversation</summary>",
        "",
        "| message | bot messages in reply | (a) web front | (b) direct | floor |",
        "|---|---:|---:|---:|---:|",
        *[f"| {t} | {web.reply_sizes.get(t, 0)} | "
          f"{' | '.join(_ms(p50(level, [t])) + ' ms' for level in paths)} |" for t in texts],
        "",
        "</details>",
        "",
    ]


def section_directory(results: Results) -> list[str]:
    lines = ["## 3. Directory search", ""]
    run = results.directory
    if run is None:
        return [*lines, "Not measured (see the failures below).", ""]
    lines += [
        f"`{run.command}` (bench/bench_directory.py, run as it is; {run.seconds:.0f} s). "
        "Synthetic services are added in bulk to the bundled data and `find_services` is timed "
        "over a mix of boroughs, neighbourhoods, postcodes, outward codes, topics and audiences, "
        "in one process, no HTTP. PostgreSQL is a throwaway local server.",
        "",
        run.table or "(no table: the script failed)",
        "",
    ]
    if run.returncode != 0:
        lines += [f"The script exited with {run.returncode}:", "", "```", run.stderr_tail, "```",
                  ""]
    return lines


def section_nlu(results: Results) -> list[str]:
    lines = ["## 4. NLU", ""]
    model_bytes = results.model.stat().st_size if results.model.exists() else 0
    if results.training is not None:
        t = results.training
        lines += [
            f"- Training: a full `rasa train nlu` of config.yml and data/nlu in a temporary "
            f"folder with an empty cache (RASA_CACHE_DIRECTORY) took **{t.seconds:.0f} s "
            f"({t.seconds / 60:.1f} min)**; the NLU-only model is {t.model_bytes:,} bytes "
            f"({_mb(t.model_bytes)}) as tar.gz.",
        ]
    else:
        lines += ["- Training: not timed in this run (`--quick`)."]
    lines += [f"- The served model `{results.model.name}` (NLU and dialogue) is "
              f"{model_bytes:,} bytes ({_mb(model_bytes)}) as tar.gz."]
    probe = results.probe
    if probe is None:
        return [*lines, "- Parse latency and evaluation: not measured (see the failures).", ""]
    lines += [
        f"- Parse latency (`Agent.load` then `parse_message`, one at a time, on the "
        f"{len(probe.parse_ms)} held-out texts after 20 warm-up parses): p50 "
        f"**{probe.p50_ms:.1f} ms**, p99 **{probe.p99_ms:.1f} ms**, max "
        f"{max(probe.parse_ms):.1f} ms. Loading the model took {probe.load_seconds:.1f} s.",
        *_floor_parse(results),
        f"- Held-out evaluation: `bot.evaluation.evaluate(model)` in the same run "
        f"({probe.evaluation_seconds:.0f} s); its summary (the full report with per-intent "
        "scores is docs/nlu-evaluation.md, written by `make eval`):",
        "",
        *evaluation_summary(probe.evaluation),
        "",
    ]
    return lines


def _floor_parse(results: Results) -> list[str]:
    """How much of the gap to the floor is the NLU model's size rather than our code."""
    probe = results.probe
    if probe is None or not probe.floor_parse_ms:
        return []
    ours, floor = percentile(probe.parse_ms, 50), percentile(probe.floor_parse_ms, 50)
    line = (f"- The floor's model (same pipeline, trained on 18 examples of 3 intents) parses the "
            f"same texts in p50 {floor:.1f} ms, p99 {percentile(probe.floor_parse_ms, 99):.1f} "
            f"ms, {ours - floor:+.1f} ms from ours at p50")
    direct, base = _ours(results, "Rasa web channel", 1), _floor(results, 1)
    if direct is not None and base is not None and direct.p50_ms > base.p50_ms:
        share = (ours - floor) / (direct.p50_ms - base.p50_ms)
        line += (f": {share:.0%} of the p50 gap between (b) and the floor at 1 conversation "
                 f"({direct.p50_ms - base.p50_ms:.1f} ms) is the NLU model's size alone")
    return [line + "."]


def section_memory(results: Results) -> list[str]:
    lines = ["## 5. Cold start and memory", ""]
    stack = results.stack
    if stack is None:
        return [*lines, "Not measured (see the failures below).", ""]
    lines += [
        f"Cold start: the action server, Rasa and the web front are launched together by the "
        f"bench (the commands supervisord runs for `make run`, without supervisord or HAProxy; "
        f"model already trained, directory already initialised) and a message "
        f"needing all three (\"where can i get help in lewisham\", which searches the "
        f"directory) is sent to the web front every 0.25 s: the first real answer (not the "
        f"fallback) came after **{stack.cold_start:.1f} s**. Files were in the page cache; a "
        "first boot from a cold disk is slower.",
        "",
        "Resident memory (VmRSS from /proc/<pid>/status, each process with its children), "
        "idle 3 s after the cold start and the peak sampled every 0.5 s during the 10-"
        "conversation level through the web front:",
        "",
        "| process | idle | peak under 10 conversations |",
        "|---|---:|---:|",
    ]
    names = {"actions": "action server", "rasa": "Rasa (our channels, model)",
             "web": "web front"}
    for key, label in names.items():
        lines.append(f"| {label} | {_mb(stack.rss_idle.get(key, 0))} | "
                     f"{_mb(stack.rss_load_peak.get(key, 0))} |")
    lines.append(f"| **all three** | {_mb(sum(stack.rss_idle.values()))} | "
                 f"{_mb(stack.rss_load_total_peak)} |")
    if results.floor is not None:
        lines.append(f"| (floor: stock Rasa, minimal model) | {_mb(results.floor.rss_idle)} | "
                     f"{_mb(results.floor.rss_load_peak)} |")
    lines += ["", "RSS counts shared libraries in each process, so the total slightly "
              "overstates what the three need together. Under `make run` supervisord (a Python "
              "process) and, when installed, HAProxy run as well; they are not started here, "
              "so they are not in this total.", ""]
    return lines


def _refusal_row(r: Refusal) -> str:
    times = [s * 1000 for s in r.seconds]
    cells = [f"{_mb(r.rss_before[k])} / {_mb(r.rss_peak[k])} / {_mb(r.rss_after[k])} "
             f"({(r.rss_peak[k] - r.rss_before[k]) / MB:+.1f})" for k in ("rasa", "web")]
    return (f"| {r.target.split(' (')[0]} | {r.status} | {'yes' if r.refused else 'no'} | "
            f"{_ms(percentile(times, 50))} / {_ms(max(times))} | {cells[0]} | {cells[1]} |")


def section_refusal(results: Results) -> list[str]:
    lines = ["## 6. Refusing a 100,000-character message", ""]
    stack = results.stack
    if stack is None or not stack.refusals:
        return [*lines, "Not measured (see the failures below).", ""]
    repeats = len(stack.refusals[0].seconds)
    lines += [
        f"A 100,000-character message sent {repeats} times in a row on each path. The web front "
        "refuses bodies over 16 KB before reading them (HTTP 413 with the kind \"too long\" "
        "reply); sent straight to Rasa's web channel, the input guard refuses it before the NLU "
        "and Rasa answers with the same reply. RSS is sampled every 50 ms "
        "(before / peak / after, and the rise to the peak, in MB).",
        "",
        "| path | HTTP status | answered with the too-long reply | reply p50 / max (ms) | "
        "Rasa RSS | web front RSS |",
        "|---|---:|---|---:|---:|---:|",
        *[_refusal_row(r) for r in stack.refusals],
        "",
    ]
    return lines


def section_noise(results: Results) -> list[str]:
    lines = [
        "## Noise",
        "",
        "CPU used by processes this suite did not start (other engineers' tests, on the same 2 "
        "cores), from /proc/stat minus the CPU of this process and its children. The "
        "directory benchmark's PostgreSQL server detaches, so it counts as \"other\" there.",
        "",
        "| section | wall (s) | other processes' CPU | load average before -> after |",
        "|---|---:|---:|---|",
    ]
    for n in results.noise:
        lines.append(f"| {n.section} | {n.wall:.0f} | {_pct(n.foreign_share)} | "
                     f"{n.load_before:.2f} -> {n.load_after:.2f} |")
    return [*lines, ""]


def _training_note(results: Results) -> str:
    seconds = getattr(results, "model_trained_seconds", None)
    if not seconds:
        return ""
    return (f", of which {seconds / 60:.1f} min trained the project's model first because the "
            "data had changed (`make bench` trains it in its set-up step instead)")


def render(results: Results) -> str:
    from bench.run import Plan

    plan = Plan.make(results.quick)
    m = results.machine
    lines = [
        "# Performance",
        "",
        f"Made by `{results.command}` (`make bench`) on {results.started}; the whole run took "
        f"{results.total_seconds / 60:.1f} min{_training_note(results)}. To rerun: "
        "`make bench`, or "
        "`.venv/bin/python -m bench` once `make setup` has run (`--quick` for a short smoke run "
        "that writes bench/.out/performance-quick.md instead of this file).",
        "",
    ]
    if results.quick:
        lines += ["**This is a `--quick` smoke run: levels of a few seconds, no NLU training, "
                  "SQLite at 1k only. Do not quote these figures.**", ""]
    lines += [
        "| machine | |",
        "|---|---|",
        f"| CPU | {m['cpu']} |",
        f"| cores | {m['cores']} (os.cpu_count: {os.cpu_count()}) |",
        f"| memory | {m['memory']} |",
        f"| Python | {m['python']} |",
        f"| Rasa | {m['rasa']} |",
        f"| kernel | {m['kernel']} |",
        f"| model | `{results.model.name}` |",
        "",
        *_noisy(results),
        "",
        "## Goals",
        "",
        *goals_table(results),
        "",
    ]
    if notes.OBSERVATIONS:
        reviewed = ("notes from reviewing this run" if results.started == notes.REVIEWED_RUN
                    else f"notes written for the run of {notes.REVIEWED_RUN}, not this one: "
                    "check them against the figures below")
        lines += [f"### Reading the figures ({reviewed})", "",
                  *[f"- {o}" for o in notes.OBSERVATIONS], ""]
    lines += [
        *section_latency(results, plan.level_seconds, plan.warmup_seconds),
        *section_floor(results),
        *section_directory(results),
        *section_nlu(results),
        *section_memory(results),
        *section_refusal(results),
        *section_noise(results),
    ]
    if results.failures:
        lines += ["## Failures", "", *[f"- {f}" for f in results.failures], ""]
    lines += ["Logs of every process started are in bench/.out/logs/ (not committed).", ""]
    return "\n".join(lines)
