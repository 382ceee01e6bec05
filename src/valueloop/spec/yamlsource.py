"""YAML with line numbers: every problem in a spec file is reported as file:line: path.

``load_yaml`` parses a file and remembers, for every mapping key and sequence item, the
line it starts on, so a validation error at ``dimensions[1].indicators[0].weight`` can
point the user at the exact line of their model file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from valueloop.errors import SpecError

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: PathKey
    message: str


@dataclass
class YamlDoc:
    file: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: PathKey) -> int:
        """The line of ``path`` or of its nearest ancestor present in the file."""
        path = tuple(p for p in path if isinstance(p, int) or not str(p).startswith("function-"))
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def fail(self, problems: list[Problem]) -> None:
        """Raise one SpecError listing every problem, each with file:line and YAML path.

        pydantic prefixes a validator's own words with "Value error, "; a person needs only the words.
        """
        if problems:
            lines = [
                f"{self.file}:{self.line(p.path)}: {format_path(p.path)}: {p.message.removeprefix('Value error, ')}"
                for p in problems
            ]
            raise SpecError(f"{len(problems)} problem(s) in {self.file}:\n" + "\n".join(lines))


def format_path(path: PathKey) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top)"


def load_yaml(file: Path) -> YamlDoc:
    try:
        text = read_text(file)
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except OSError as err:
        raise SpecError(f"{file}: cannot read: {err}") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{file}:{mark.line + 1}" if mark else str(file)
        raise SpecError(f"{where}: invalid YAML: {getattr(err, 'problem', err)}") from err
    doc = YamlDoc(file, data)
    if node is not None:
        _walk(node, (), doc.lines)
    return doc


def read_text(file: Path) -> str:
    """A spec file's text: UTF-8 (a BOM is dropped); anything else is refused with file:line, not guessed."""
    data = file.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        try:
            data.decode("gb18030")
            hint = " (it looks like GBK/GB18030)"
        except UnicodeDecodeError:
            hint = ""
        raise SpecError(f"{file}:{line}: not UTF-8 text at byte {err.start}{hint}; save the file as UTF-8") from None


def _walk(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, str(key.value))
            lines[sub] = key.start_mark.line + 1
            _walk(value, sub, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


MAX_UNTRUSTED_DEPTH = 64
"""Deepest nesting of collections accepted in YAML text sent over the web (a model needs about ten)."""


def untrusted_problem(text: str, name: str) -> str | None:
    """Why YAML text sent over the web is not even parsed, as ``name:line: (top): …``; None when it may be.

    Anchors and aliases are refused (expanding nested ones takes exponential time: a "billion
    laughs" text), and so is nesting deeper than :data:`MAX_UNTRUSTED_DEPTH` (the parser
    recurses). Syntax errors are left to :func:`load_yaml`, which names their line.
    """
    depth = 0
    opening = (yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken, yaml.FlowSequenceStartToken,
               yaml.FlowMappingStartToken)  # fmt: skip
    closing = (yaml.BlockEndToken, yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
    try:
        for token in yaml.scan(text):
            line = token.start_mark.line + 1
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                return f"{name}:{line}: (top): YAML anchors and aliases are not accepted here; write the items out"
            if isinstance(token, opening):
                depth += 1
                if depth > MAX_UNTRUSTED_DEPTH:
                    return f"{name}:{line}: (top): nested deeper than {MAX_UNTRUSTED_DEPTH} levels"
            elif isinstance(token, closing):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None
