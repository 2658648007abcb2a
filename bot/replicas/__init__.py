"""The multi-replica mode on one machine: Redis, PostgreSQL, HAProxy, two Rasa replicas with
their action servers, and the web front, all on loopback (`make replicas`, docs/replicas.md)."""
