"""Package marker: ships these admin files in a wheel (see pyproject package-data)."""
