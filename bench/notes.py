"""Notes written by a person after reading a run's figures; the report prints them as they are.

Met or missed is always computed from the figures (bench/report.py). What a figure means, why a
goal was missed and what would close it needs judgement, so it is written here after reviewing
a full run, with the date of that run. A goal's note is shown only while that goal is missed,
and the report says so when the notes were written for an earlier run than the one it shows.
"""

from __future__ import annotations

REVIEWED_RUN = "2026-11-22 17:03 UTC"

_RATIO = (
    "At 1 conversation our reply is 19.6 ms straight to Rasa and 24.0 ms through the web front, "
    "against 10.6 ms for stock Rasa answering the same words with one fixed message. Section 2 "
    "by message kind: greetings, thanks and danger (no custom action) are 1.3-1.6x the floor "
    "directly, describing abuse about 2x (one custom action, action_find_services, which asks "
    "where), giving a place about 3x (two custom actions and a directory search). Since the "
    "previous run Rasa's per-call JSON-schema check is compiled once and the second tracker read "
    "per message is gone (bot/rasa_runtime.py), which took throughput from 29 to 54 msg/s and p99 "
    "at 10 conversations from 918 to 372 ms (direct). What is left per custom action is the HTTP "
    "round trip to the action server, serialising the whole tracker into the request (Rasa sends "
    "every event each call) and replaying its events, plus about 3 ms of our larger NLU model. "
    "The web front adds about 4 ms (Flask, waitress, a second HTTP hop). To close it: answer the "
    "place question and list services in one custom action instead of two, run the directory "
    "search in-process for the web channel, and send the action server only the slots it needs "
    "(Rasa 3.6 cannot trim the tracker it sends, so that needs a custom action executor)."
)

WHEN_MISSED: dict[str, str] = {
    "ratio_web": _RATIO,
    "ratio_direct": "As above, without the web front's ~4 ms: 1.84x.",
    "p99_web": "Directly, Rasa's p99 at 10 conversations is 372 ms; through the web front it is "
               "755 ms. This run already used 16 waitress threads, so it is not a queue in front of "
               "Rasa: the web front's own work per message (Flask, JSON both ways, a second HTTP "
               "hop to Rasa) runs on the same 2 cores as Rasa and the action server, and at 10 "
               "virtual people with no think time the three compete for CPU. To close it: let the "
               "reverse proxy send /api/chat straight to Rasa's web channel (the web front then "
               "serves only the page, admin and API), or make the proxy path async; then measure.",
    "lowest_f1": "See docs/nlu-evaluation.md for the confusions.",
    "danger_recall": "The deterministic backstop always runs, so a person still gets 999 first; "
                     "see docs/nlu-evaluation.md for the message the classifier missed.",
}

OBSERVATIONS: list[str] = [
    "Noise: this run had the machine to itself for the reply levels, the floor and NLU "
    "(0% other CPU); the directory section saw 20% (its PostgreSQL server counts as other).",
    "Throughput: Rasa handles messages in one asyncio process, so messages per second is about "
    "1 / the mean CPU per message: 54-59 msg/s for us at 10-50 conversations (goal 40), 93-98 for "
    "the floor. More concurrency only adds queueing: p50 at 50 conversations is 656 ms direct.",
    "At 50 conversations with no think time no reply was a fallback on either path (p99 1.3 s "
    "through the web front, 1.8 s direct). Real people pause for tens of seconds between "
    "messages, so 50 virtual users stand for many more real conversations.",
    "Cold start 29.4 s, within the goal by 0.6 s: most of it is Rasa loading the model "
    "(TensorFlow tracing the DIET graphs). Expect to miss 30 s on a busier or slower host.",
    "Memory: Rasa is 1.27 GB of the 1.40 GB; stock Rasa with the same pipeline and a minimal "
    "model is 0.80 GB, so our model and code add about 0.5 GB. Load adds about 10 MB; the margin "
    "to 1.5 GB is about 100 MB.",
    "The 100,000-character message is refused by the web front in 1.5 ms (HTTP 413) and by "
    "Rasa's channel in about 15 ms, with no change in either process's RSS.",
    "Directory search: SQLite p99 1.45 ms at 100k services, PostgreSQL 5.86 ms (PostgreSQL "
    "re-plans the combined query each call; prepared statements would help). The goal is for SQLite.",
]
