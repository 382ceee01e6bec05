"""Conversation quality assurance (智能质检): score every transcript against a rubric, with evidence.

The package root is pure and deterministic: a rubric (YAML → frozen spec), a conversation
(its turns) and a sentiment function in, item results with the turns and character spans
that decided them out. Reading the lake, storing scores and human reviews live in
:mod:`valueloop.qa.service`.
"""
