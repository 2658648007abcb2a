"""Three adjustments to Rasa, installed once when our channels start.

1. Rasa 3.6 checks every action-server reply with `jsonschema.validate`, which re-checks the
   schema itself each time: about 19 ms per call on a 2-core machine, paid on most replies.
   The same schema, compiled once, gives the same verdict in well under a millisecond.
2. When the action server is down or fails, Rasa logs the error and carries on, and the person
   would get no service list and no helpline. Failures are recorded per conversation, so the
   channel can add the fallback (helpline and 999) without reading the tracker again.
3. Rasa answers `GET /` with "Hello from Rasa: <version>", telling anyone who reaches it which
   known vulnerabilities to try. Our channels replace that route with a plain status before
   the app is built (Rasa builds the input channels first).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

_failed: OrderedDict[str, None] = OrderedDict()
_MAX_REMEMBERED = 10_000
_installed = False


def install() -> None:
    """Patch RemoteAction once per process; safe to call from every channel."""
    global _installed
    if _installed:
        return
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    original_run = RemoteAction.run

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        errors = sorted(validator.iter_errors(result), key=lambda e: list(e.path))
        if errors:
            raise ValidationError(f"{errors[0].message}. Failed to validate Action server response.")
        return True

    async def run_recording_failure(self: RemoteAction, output_channel: Any, nlg: Any,
                                    tracker: Any, domain: Any) -> Any:
        try:
            return await original_run(self, output_channel, nlg, tracker, domain)
        except Exception:
            record_failure(tracker.sender_id)
            raise

    RemoteAction._validate_action_result = validate_action_result
    RemoteAction.run = run_recording_failure
    _hide_version()
    _installed = True


def _hide_version() -> None:
    from rasa import server
    from sanic import response

    def add_root_route(app: Any) -> None:
        async def status(_: Any) -> Any:
            return response.json({"status": "ok"})

        app.add_route(status, "/", methods=["GET"], name="status")

    server.add_root_route = add_root_route


def record_failure(sender_id: str) -> None:
    _failed[sender_id] = None
    _failed.move_to_end(sender_id)
    while len(_failed) > _MAX_REMEMBERED:
        _failed.popitem(last=False)


def clear_failure(sender_id: str) -> None:
    _failed.pop(sender_id, None)


def took_failure(sender_id: str) -> bool:
    """True once if a custom action failed for this conversation since the last check."""
    if sender_id in _failed:
        del _failed[sender_id]
        return True
    return False
