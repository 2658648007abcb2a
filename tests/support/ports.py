"""Free loopback ports: the same choice as the multi-replica mode's (below the kernel's range for
outgoing connections, so no client connection takes one before its server binds it)."""

from __future__ import annotations

from bot.replicas.processes import free_port

__all__ = ["free_port"]
