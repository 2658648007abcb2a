"""The test suite is a package, so helpers are imported as `tests.support...` without ambiguity."""
