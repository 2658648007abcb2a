"""The floor: stock Rasa serving a minimal bot with our NLU pipeline, via the stock REST channel.

It answers every message with a fixed response and calls no action server, so its latency is
what Rasa itself costs per message with this pipeline (HTTP, NLU, policies, tracker). Our
latency divided by the floor's is the overhead our channel, actions and directory add.

The project files are generated here and the model is trained into bench/.out/floor once:
its name carries a hash of everything it is trained from, so reruns skip training.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import yaml

from bench.common import LOGS, OUT, ROOT, base_env, stop_process, wait_for_url
from bench.load import Target
from bot.replicas.processes import free_port

FLOOR = OUT / "floor"

DOMAIN = """\
version: "3.1"
intents:
  - greet
  - describe_situation
  - immediate_danger
entities:
  - location
responses:
  utter_greet:
    - text: "Hello. I'm an automated assistant, not a person. What has been happening?"
  utter_signpost:
    - text: "That sounds really hard, and it is not your fault. National Domestic Abuse \
Helpline: 0808 2000 247, free, 24 hours."
  utter_emergency:
    - text: "If you are in danger now, call 999. From a mobile, if you can't speak, press 55."
  utter_default:
    - text: "Sorry, I didn't understand. National Domestic Abuse Helpline: 0808 2000 247."
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: true
"""

NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hi
    - hello
    - hey there
    - good evening
    - hi, is anyone there
    - thanks
- intent: describe_situation
  examples: |
    - my partner checks my phone and won't let me see friends
    - he takes all my money
    - he hit me last night
    - my ex keeps following me home
    - where can i get help
    - i live in lewisham
- intent: immediate_danger
  examples: |
    - he's outside with a knife
    - he is trying to get in right now
    - i'm scared he'll kill me tonight
    - help he's hurting me now
    - he's got a weapon
    - i'm in danger right now
"""

RULES = """\
version: "3.1"
rules:
- rule: greet
  steps:
  - intent: greet
  - action: utter_greet
- rule: situation
  steps:
  - intent: describe_situation
  - action: utter_signpost
- rule: danger
  steps:
  - intent: immediate_danger
  - action: utter_emergency
"""

CREDENTIALS = "rest: {}\n"


def floor_config() -> str:
    """The project's config.yml with only what a bot without our actions cannot have changed.

    The NLU pipeline is copied unchanged (the spaCy path made absolute, since the floor trains
    in its own folder); the policies too, except that the core fallback is Rasa's own action.
    """
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component.get("name") == "SpacyNLP" and not Path(component["model"]).is_absolute():
            component["model"] = str(ROOT / component["model"])
    for policy in config.get("policies", []):
        if "core_fallback_action_name" in policy:
            policy["core_fallback_action_name"] = "action_default_fallback"
    return yaml.safe_dump(config, sort_keys=False)


def _files() -> dict[str, str]:
    return {"config.yml": floor_config(), "domain.yml": DOMAIN, "data/nlu.yml": NLU,
            "data/rules.yml": RULES, "credentials.yml": CREDENTIALS}


def floor_hash() -> str:
    """Everything the floor model depends on, so a changed pipeline or Rasa retrains it."""
    digest = hashlib.sha256(version("rasa").encode())
    for name, text in sorted(_files().items()):
        digest.update(name.encode() + text.encode())
    for path in (ROOT / "bot" / "nlu" / "danger_backstop.py", ROOT / "bot" / "safety" / "danger.py",
                 ROOT / "var" / "spacy" / "en_signpost" / "meta.json"):
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_floor_model() -> tuple[Path, float | None]:
    """The floor model's path, and the training seconds when it had to be trained now."""
    project = FLOOR / "project"
    for name, text in _files().items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    name = f"floor-{floor_hash()}"
    model = FLOOR / "models" / f"{name}.tar.gz"
    if model.exists():
        return model, None
    LOGS.mkdir(parents=True, exist_ok=True)
    env = base_env()
    env["RASA_CACHE_DIRECTORY"] = str(FLOOR / "cache")
    started = time.monotonic()
    with (LOGS / "floor-train.log").open("wb") as log:
        subprocess.run(
            [sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain",
             "domain.yml", "--data", "data", "--out", str(model.parent), "--fixed-model-name",
             name, "--quiet"],
            cwd=project, env=env, check=True, stdout=log, stderr=subprocess.STDOUT, timeout=900)
    return model, time.monotonic() - started


@dataclass
class FloorServer:
    model: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    def target(self) -> Target:
        return Target("stock Rasa REST channel, minimal model (floor)",
                      f"http://127.0.0.1:{self.port}/webhooks/rest/webhook", {})

    def start(self, timeout: float = 180) -> float:
        LOGS.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with (LOGS / "floor-rasa.log").open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "rasa", "run", "--model", str(self.model), "--port",
                 str(self.port), "--interface", "127.0.0.1", "--credentials", "credentials.yml"],
                cwd=FLOOR / "project", env=base_env(), stdout=log, stderr=subprocess.STDOUT)
        if not wait_for_url(f"http://127.0.0.1:{self.port}/webhooks/rest/", [self.proc], timeout):
            self.stop()
            raise RuntimeError(f"the floor Rasa server did not start; see {LOGS}")
        return time.monotonic() - started

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
