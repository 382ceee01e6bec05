"""Surveys and the inner loop: collect feedback after service and follow up every unhappy customer.

The package root holds pure logic (the survey spec, invitation tokens, fatigue rules, case
rules, answer checks, invitation messages, SERVQUAL gaps, the non-response bias tests, trend
periods); :mod:`valueloop.surveys.service` holds the use cases that touch the workspace
(invitations, delivery by e-mail or webhook, answers through the normal ingest path, cases,
response analytics). Kept free
of re-exports so importing a spec type loads no storage or web library.
"""
