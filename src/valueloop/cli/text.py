"""``valueloop text …``: sentiment, tags, keywords, taxonomy evaluation, training, hot spots, lifecycle."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr

if TYPE_CHECKING:
    from valueloop.store.workspace import Workspace
    from valueloop.voice.service.results import LifecycleRow

text_app = typer.Typer(
    help="Text analytics: sentiment, key issues, taxonomy, hot spots, lifecycle.", no_args_is_help=True
)
FileArg = Annotated[Path, typer.Argument(help="CSV, JSON Lines, JSON or XLSX file.")]
ColumnOpt = Annotated[str, typer.Option("--column", "-c", help="Column holding the text.")]
ByOpt = Annotated[str, typer.Option("--by", help="Period: week or month.")]
TaxonomyOpt = Annotated[
    Path | None,
    typer.Option(
        "--taxonomy",
        help="Taxonomy YAML, or a shipped one: ecommerce, hotel "
        "(default: the workspace's taxonomy.yaml when it has one, else ecommerce).",
    ),
]


def _ws(workspace: Path | None) -> Workspace | None:
    """The workspace when one was named (option or VALUELOOP_WORKSPACE), else None: files need none."""
    if workspace is None:
        return None
    from valueloop.store.workspace import open_workspace

    return open_workspace(workspace)


def _period(by: str) -> Literal["week", "month"]:
    if by not in ("week", "month"):
        raise typer.BadParameter("--by must be week or month")
    return "week" if by == "week" else "month"


def sentiment(
    file: FileArg, column: ColumnOpt = "text", workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table
) -> None:
    """Score every row: label (negative / neutral / positive), score in [-1, 1], reason for odd rows."""
    from valueloop.voice.service.text import sentiment_file

    emit(sentiment_file(file, column, _ws(workspace)), fmt, columns=["row", "label", "score", "reason"])


def tags(
    file: FileArg,
    column: ColumnOpt = "text",
    taxonomy: TaxonomyOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.json,
) -> None:
    """Per row: sentiment, issue categories and negative aspects, each with its evidence span."""
    from valueloop.voice.service.text import tag_file

    emit(tag_file(file, column, _ws(workspace), taxonomy), fmt)


def keywords(
    file: FileArg,
    column: ColumnOpt = "text",
    group: Annotated[str | None, typer.Option("--group", "-g", help="Column to group by.")] = None,
    top: Annotated[int, typer.Option("--top", "-n")] = 10,
    method: Annotated[
        str, typer.Option("--method", "-m", help="logodds (negative vs positive), tfidf or textrank.")
    ] = "logodds",
    per_text: Annotated[bool, typer.Option("--per-text", help="Keywords of every row (tfidf, textrank).")] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Keywords and key phrases per group or per text, each with evidence spans.

    logodds (default): terms typical of negative texts against positive ones (Monroe et al. 2008);
    tfidf: TF-IDF against the file's own texts as background corpus; textrank: TextRank key phrases.
    """
    from valueloop.voice.service.text import keywords_file

    if method not in ("logodds", "tfidf", "textrank"):
        raise typer.BadParameter("--method must be logodds, tfidf or textrank")
    rows = keywords_file(file, column, group, top, _ws(workspace), method, per_text)  # type: ignore[arg-type]
    cols = ["group", "term", "z", "negative", "positive", "evidence"] if method == "logodds" else None
    cols = cols or ["group", "term", "score", "texts", "evidence"]
    emit(rows, fmt, columns=None if fmt is Format.json else cols)


LabelOpt = Annotated[str, typer.Option("--label", "-l", help="Column of category ids, ';' or '|'-separated.")]


def evaluate(
    file: Annotated[
        Path | None,
        typer.Argument(help="Labelled sample: a text column and a category column (default: the shipped sample)."),
    ] = None,
    column: ColumnOpt = "text",
    label: LabelOpt = "category",
    taxonomy: TaxonomyOpt = None,
    classifier: Annotated[
        bool,
        typer.Option("--classifier", help="Also score the workspace's trained classifier and the two combined."),
    ] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Precision and recall of the taxonomy per category on a labelled sample, with macro and micro averages.

    Without a file: the shipped sample (400 synthetic texts composed from the demo's phrase
    templates, labelled by theme; see scripts/make_taxonomy_sample.py) — an in-distribution check.
    With --classifier: one row per method (keyword, classifier, combined) and category.
    """
    from valueloop.store.workspace import open_workspace
    from valueloop.voice.service.text import compare_methods, evaluate_taxonomy

    if not classifier:
        emit(evaluate_taxonomy(file, column, label, taxonomy), fmt)
        return
    report = compare_methods(file, column, label, open_workspace(workspace), taxonomy)
    emit(report if fmt is Format.json else report.rows, fmt)
    if report.held_out_only:
        stderr.print(f"the classifier was trained on this file: scored on its {report.texts} held-out rows only")
    stderr.print(_used(report.used))


def _used(used: list[str]) -> str:
    if not used:
        return "the classifier beat the keyword rules on no category: the keyword rules decide every category"
    return f"the classifier decides {', '.join(used)}; the keyword rules decide every other category"


def train_taxonomy(
    file: Annotated[Path, typer.Argument(help="Labelled texts: a text column and a category column.")],
    column: ColumnOpt = "text",
    label: LabelOpt = "category",
    taxonomy: TaxonomyOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Train a workspace topic classifier, compare it with the keyword taxonomy on held-out rows, and save it.

    The labels are categories of the taxonomy in force (the workspace's own taxonomy.yaml when
    it has one). Each category is then decided by the method with the better held-out F1
    (the keyword rules on a tie).
    """
    from valueloop.store.workspace import open_workspace
    from valueloop.voice.service.text import train_taxonomy as run

    report = run(open_workspace(workspace), file, column, label, taxonomy)
    if fmt is Format.json:
        emit(report, fmt)
    else:
        title = f"{report.test_rows} held-out of {report.rows} labelled texts"
        emit(report.categories, fmt, title=title)
        emit(report.summary, fmt, title="macro and micro averages")
    stderr.print(f"saved {report.path}: {_used(report.used)}")


def train(
    file: Annotated[
        Path | None, typer.Argument(help="Labelled texts: a text column and a label column (binary or 1-5 ratings).")
    ] = None,
    column: ColumnOpt = "text",
    label_column: Annotated[
        str,
        typer.Option(
            "--label-column",
            "--label",
            help="Column of labels: 1/0, pos/neg, positive/negative, 好评/差评, or 1-5 ratings (3 dropped).",
        ),
    ] = "label",
    from_ratings: Annotated[
        bool,
        typer.Option(
            "--from-ratings",
            help="Without FILE: learn from the workspace's feedback with a CSAT. With FILE: "
            "read the label column as 1-5 ratings.",
        ),
    ] = False,
    test: Annotated[
        Path | None,
        typer.Option("--test", help="Labelled file to measure on (same columns) instead of holding out 20 %."),
    ] = None,
    from_labels: Annotated[
        str | None,
        typer.Option("--from-labels", help="Without FILE: learn from an own feedback field of labels."),
    ] = None,
    positive: Annotated[
        list[str] | None,
        typer.Option(
            "--positive",
            help="A label value that means positive (repeat for several); every other value is negative "
            "unless --negative is given. For labels of any kind: happy/angry, promoter/detractor, 9/10.",
        ),
    ] = None,
    negative: Annotated[
        list[str] | None,
        typer.Option(
            "--negative",
            help="With --positive: a value that means negative (repeat); rows with other values are left out.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Save even when the default model is as good.")] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Train a workspace sentiment model; it is saved (and used) only when it beats the default on held-out rows."""
    from valueloop.store.workspace import open_workspace
    from valueloop.voice.service.sentiment_training import train_from_file, train_from_labels, train_from_ratings

    if file is None and not from_ratings and from_labels is None:
        raise typer.BadParameter("say where to learn from: a labelled FILE, --from-ratings or --from-labels FIELD")
    if (positive or negative) and file is None and from_labels is None:
        raise typer.BadParameter("--positive/--negative read a label column: give a labelled FILE or --from-labels")
    pos, neg = tuple(positive or ()), tuple(negative or ())
    ws = open_workspace(workspace)
    if file is None and from_labels is not None:
        report = train_from_labels(
            ws, from_labels, force=force, test=test, text_column=column, positive=pos, negative=neg
        )
    elif file is None:
        report = train_from_ratings(ws, force=force, test=test, text_column=column, label_column=label_column)
    else:
        report = train_from_file(
            ws, file, column, label_column, kind="rating" if from_ratings else "auto", test=test, force=force,
            positive=pos, negative=neg,
        )  # fmt: skip
    emit(report, fmt)
    stderr.print(
        f"held-out accuracy ({report.test_set}, {report.test_rows} rows): {report.accuracy:.4f},"
        f" default model {report.default_accuracy:.4f}"
    )
    if not report.saved:
        stderr.print("the default model was as good on held-out rows; nothing saved (use --force to save anyway)")


def hotspots(
    by: ByOpt = "month",
    top: Annotated[int, typer.Option("--top", "-n", help="Items shown per kind.")] = 20,
    taxonomy: TaxonomyOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Category and term × period counts, shares and significant growth, with heat-map data (JSON)."""
    from valueloop.store.workspace import open_workspace
    from valueloop.voice.service.text import hotspots as run

    data = run(open_workspace(workspace), _period(by), top, taxonomy)
    if data.status != "ok":
        stderr.print(
            f"{data.status}: none of the {data.undated} feedback texts has a date (a hot spot compares periods)"
        )
    elif data.undated:
        stderr.print(f"{data.undated} feedback texts have no date: left out (a hot spot compares periods)")
    if fmt is Format.json:
        emit(data, fmt)
        return
    for kind, table in (("category", data.category), ("term", data.term)):
        last = table.heatmap.periods[-1:] or [""]
        rows = [r for r in table.table if r.period == last[0]]
        emit(
            rows,
            fmt,
            title=f"{kind} hot spots, {last[0]}",
            columns=["item", "count", "share", "prev_count", "growth", "q_value", "hot"],
        )


def lifecycle(
    by: ByOpt = "month",
    history: Annotated[
        bool, typer.Option("--history", help="Each topic's stage per period and its transitions (emerging → growing).")
    ] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Each issue topic's stage: emerging, growing, mature or declining (with --history: per period).

    A stage needs at least 5 periods of dated feedback; with fewer it is insufficient_history.
    """
    from valueloop.store.workspace import open_workspace
    from valueloop.voice.lifecycle import MIN_PERIODS
    from valueloop.voice.service.text import lifecycle as run
    from valueloop.voice.service.text import time_status, undated

    ws = open_workspace(workspace)
    rows = run(ws, _period(by), history)
    if any(r.stage == "insufficient_history" for r in rows):
        stderr.print(f"insufficient history: a lifecycle stage needs at least {MIN_PERIODS} {by}s of dated feedback")
    if status := time_status(ws):
        stderr.print(f"{status}: no feedback text has a date, so no topic has a stage")
    elif n := undated(ws):
        stderr.print(f"{n} feedback texts have no date: left out")
    if history and fmt is not Format.json:
        emit([r.model_dump(exclude={"history", "transitions"}) | {"transitions": _changes(r)} for r in rows], fmt)
        return
    emit(rows, fmt)


def _changes(row: LifecycleRow) -> str:
    """A lifecycle row's transitions on one line: ``2026-04: · → emerging; …``."""
    changes = row.transitions if isinstance(row.transitions, list) else []
    return "; ".join(f"{t.period}: {t.from_ or '·'} → {t.to}" for t in changes)


def analyze(
    everything: Annotated[
        bool, typer.Option("--all", help="Re-analyse every feedback text, not only the ones not analysed yet.")
    ] = False,
    taxonomy: TaxonomyOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Analyse feedback texts into the feedback_text dataset (sentiment, categories, aspects) for evaluation models."""
    from valueloop.store.workspace import open_workspace
    from valueloop.voice.service.text import analyze_feedback

    report = analyze_feedback(open_workspace(workspace), everything=everything, taxonomy=taxonomy)
    if fmt is Format.json:
        emit(report, fmt)
    else:
        emit(report.model_dump(mode="json", exclude={"topic_polarity"}), fmt)
        if polarity := report.topic_polarity:
            rows = [{"topic": topic} | counts for topic, counts in polarity.items()]
            emit(rows, fmt, title="texts per topic by the polarity of the clause that names it")
    if report.analysed == 0:
        stderr.print("nothing new to analyse (use --all to re-analyse every text)")


def qualitative(
    kind: Annotated[
        list[str] | None, typer.Option("--kind", "-k", help="Feedback kinds to code (default: interview, focus_group).")
    ] = None,
    quotes: Annotated[int, typer.Option("--quotes", "-q", help="Quotes per topic.", min=0)] = 3,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Interview and focus-group notes: statements coded with the taxonomy, counted per topic, with quotes."""
    from valueloop.store.workspace import open_workspace
    from valueloop.voice.service.text import QUALITATIVE_KINDS
    from valueloop.voice.service.text import qualitative as run

    data = run(open_workspace(workspace), tuple(kind or QUALITATIVE_KINDS), quotes)
    if fmt is Format.json:
        emit(data, fmt)
        return
    rows = [
        {k: getattr(t, k) for k in ("topic", "topic_id", "statements", "notes", "negative_statements")}
        | {"quote": t.quotes[0].text if t.quotes else ""}
        for t in data.topics
    ]
    title = f"{data.notes} notes, {data.statements} statements ({data.uncoded_statements} uncoded)"
    emit(rows, fmt, title=title)


def discover(
    file: Annotated[
        Path | None, typer.Argument(help="CSV, JSON Lines, JSON or XLSX file (default: the workspace's feedback).")
    ] = None,
    column: ColumnOpt = "text",
    k: Annotated[
        int | None, typer.Option("--k", "-k", min=1, help="Topics to propose (default: about √(texts/10)).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the draft taxonomy YAML here.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Propose topics from the texts themselves (aspect terms, NMF) with size, sentiment and quotes: a taxonomy draft.

    Edit the draft, check it with `valueloop text taxonomy validate FILE`, then copy it to the
    workspace as taxonomy.yaml. Without --out the draft goes to stdout after the table (json: in "draft").
    """
    from valueloop.voice.service.taxonomies import discover_file

    report = discover_file(file, column, _ws(workspace), k, out)
    if fmt is Format.json:
        emit(report, fmt)
        return
    emit(report.topics, fmt, title=f"{len(report.topics)} topics proposed from {report.texts} texts")
    if out is None:
        typer.echo(report.draft)
    else:
        stderr.print(f"draft taxonomy written to {out}: edit it, then valueloop text taxonomy validate {out}")


taxonomy_app = typer.Typer(
    help="Taxonomies: list the starters, show one, validate a file, adopt one for the workspace.",
    no_args_is_help=True,
)
NameOrFile = Annotated[
    str | None,
    typer.Argument(
        help="Starter name (ecommerce, hotel, banking, repair, healthcare) or a YAML file; default: the one in force."
    ),
]


@taxonomy_app.command("list")
def taxonomy_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """The shipped starter taxonomies and the workspace's own; in_use marks the one every command uses."""
    from valueloop.voice.service.taxonomies import list_taxonomies

    emit(list_taxonomies(_ws(workspace)), fmt)


@taxonomy_app.command("show")
def taxonomy_show(name: NameOrFile = None, workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Every category: id, parent, bilingual names, keywords, negative cues, number of patterns and examples."""
    from valueloop.voice.service.taxonomies import show_taxonomy

    emit(show_taxonomy(_ws(workspace), name), fmt)


@taxonomy_app.command("validate")
def taxonomy_validate(name: NameOrFile = None, workspace: WorkspaceOpt = None) -> None:
    """Check a taxonomy: every structural problem and every example not tagged with its category, as file:line."""
    from valueloop.voice.service.taxonomies import validate_taxonomy

    file, problems = validate_taxonomy(_ws(workspace), name)
    for p in problems:
        stderr.print(p, markup=False, highlight=False)
    if problems:
        stderr.print(f"{len(problems)} problem(s) in {file}", markup=False)
        raise typer.Exit(2)
    typer.echo(f"{file}: valid")


@taxonomy_app.command("use")
def taxonomy_use(
    name: Annotated[str, typer.Argument(help="Starter: ecommerce, hotel (hospitality), banking, repair, healthcare.")],
    force: Annotated[bool, typer.Option("--force", help="Replace the workspace's existing taxonomy.yaml.")] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Copy a starter taxonomy into the workspace as taxonomy.yaml, to edit; every text command then uses it."""
    from valueloop.store.workspace import open_workspace
    from valueloop.voice.service.taxonomies import use_taxonomy

    emit(use_taxonomy(open_workspace(workspace), name, force=force), fmt)


def register(app: typer.Typer) -> None:
    for name, fn in (
        ("sentiment", sentiment),
        ("tags", tags),
        ("keywords", keywords),
        ("evaluate", evaluate),
        ("train", train),
        ("train-taxonomy", train_taxonomy),
        ("hotspots", hotspots),
        ("lifecycle", lifecycle),
        ("analyze", analyze),
        ("qualitative", qualitative),
        ("discover", discover),
    ):
        text_app.command(name)(fn)
    text_app.add_typer(taxonomy_app, name="taxonomy")
    app.add_typer(text_app, name="text")
