"""Functional tests of the jobs pages, API and commands."""
