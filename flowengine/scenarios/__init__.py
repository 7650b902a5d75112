"""Scenario files: scripted callers, what they must hear, and transition coverage."""
