"""The benchmark suite: `python -m bench` measures the real stack and writes docs/performance.md.

Everything runs on loopback against processes this package starts and stops itself, so a run
never touches a deployment and can be repeated on any machine with `make bench`.
"""
