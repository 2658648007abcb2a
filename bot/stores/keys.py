"""Every Redis key the assistant uses, in one place, so exit can delete them all at once.

Per-conversation keys end with the conversation key, which is already a keyed hash
(`sms-3f9a...`): no phone number, chat id or tab id is ever part of a key or a value.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str

    def conversation(self, sender: str) -> str:
        """A hash: `t` the tracker (JSON), `g` its generation (bumped on every save)."""
        return f"{self.prefix}:conv:{sender}"

    def gone(self, sender: str) -> str:
        """Counts deletes of this conversation, kept for a session's length after one: a
        message that started before the delete can no longer write anything back."""
        return f"{self.prefix}:gone:{sender}"

    def lock(self, sender: str) -> str:
        return f"{self.prefix}:lock:{sender}"

    def offered(self, sender: str) -> str:
        return f"{self.prefix}:offered:{sender}"

    def sms_choices(self, sender: str) -> str:
        return f"{self.prefix}:sms-choices:{sender}"

    def long_payloads(self, sender: str) -> str:
        return f"{self.prefix}:tg-payloads:{sender}"

    def rate(self, sender: str) -> str:
        return f"{self.prefix}:rate:conversation:{sender}"

    def overall_rate(self, scope: str) -> str:
        return f"{self.prefix}:rate:overall:{scope}"

    def delivered(self, sender: str) -> str:
        """A hash of the provider delivery ids (keyed hashes) this conversation was sent."""
        return f"{self.prefix}:seen:{sender}"

    def conversation_pattern(self) -> str:
        return f"{self.prefix}:conv:*"

    def everything_of(self, sender: str) -> list[str]:
        """What exit deletes, besides bumping `gone`. The lock is left to its holder."""
        return [self.conversation(sender), self.offered(sender), self.sms_choices(sender),
                self.long_payloads(sender), self.rate(sender), self.delivered(sender)]
