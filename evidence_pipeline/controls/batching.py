"""A rule turned into the query of many `as_of` instants at once, for the backfill.

A rule is written for one instant: it reads the helper relations and binds `$as_of`
(docs/controls.md, section 3). For a backfill, the same text runs once for every day as a
LATERAL subquery of the days (`backfill_days AS __days`): `$as_of` becomes the column
`__days.as_of`, and each helper relation the rule names becomes a common table expression
that reads that day's rows from the backfill's helper tables (`sql/backfill/`). SQL gives a
correlated LATERAL subquery the meaning of running it once per outer row, so the rows are
those of evaluating the rule day by day; DuckDB unnests the correlation into joins.

Only what is certain is rewritten: anything unusual (a `WITH RECURSIVE`, a helper's name that
is not a plain identifier) gives None, and the engine evaluates that rule day by day instead.

Where DuckDB would unnest a rule into a join too large (a rule that looks for the latest event
of each endpoint among all the events before as_of, once per day), `sql/backfill/rules/` holds a
query written for all the days at once. Its first line names the rule file and the SHA-256 of
its text: it stands in for that rule only while the rule's text is exactly that one (a rule
replaced through EVIDENCE_MAPPINGS, or edited, is rewritten as above).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

import duckdb

BACKFILL_SQL_DIR = Path(__file__).resolve().parent / "sql" / "backfill"
RELATIONS_DIR = BACKFILL_SQL_DIR / "relations"
RULES_DIR = BACKFILL_SQL_DIR / "rules"
_BATCHES = re.compile(r"^-- batches \S+ sha256:([0-9a-f]{64})\s*$")
DAYS_ALIAS = "__days"
AS_OF_COLUMN = "__as_of"
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COMMENT_OR_STRING = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)


@cache
def helper_relations() -> dict[str, str]:
    """Helper relation name -> the SELECT giving its rows at `__days.as_of`."""
    return {
        path.stem: " ".join(path.read_text(encoding="utf-8").split())
        for path in sorted(RELATIONS_DIR.glob("*.sql"))
    }


@cache
def written_for_all_days() -> dict[str, tuple[str, str]]:
    """Rule id -> (SHA-256 of the rule text it stands in for, the query for all the days)."""
    queries = {}
    for path in sorted(RULES_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        header = _BATCHES.match(text.splitlines()[0]) if text else None
        if header:
            queries[path.stem] = (header.group(1), text)
    return queries


def rule_text_hash(sql: str) -> str:
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


def batched_query(rule_id: str, rule_sql: str) -> str | None:
    """The query of the rule for every day of `backfill_days`, its rows preceded by the day's
    instant as `__as_of`: the one written for all days when it stands in for exactly this
    text, else the rule rewritten (`batched_rule_sql`); None when neither can be had."""
    written = written_for_all_days().get(rule_id)
    if written is not None and written[0] == rule_text_hash(rule_sql):
        return written[1]
    return batched_rule_sql(rule_sql)


def _tokens(sql: str) -> list[tuple[int, int, duckdb.token_type]]:
    """(start, end of its leading word or character, type) of each token."""
    raw = duckdb.tokenize(sql)
    tokens = []
    for index, (start, kind) in enumerate(raw):
        limit = raw[index + 1][0] if index + 1 < len(raw) else len(sql)
        word = _WORD.match(sql, start, limit)
        end = word.end() if word and kind != duckdb.token_type.string_const else start + 1
        tokens.append((start, end, kind))
    return tokens


def _keep_strings(match: re.Match[str]) -> str:
    return match.group(0) if match.group(0).startswith("'") else " "


def batched_rule_sql(rule_sql: str) -> str | None:
    """The rule as one query over `backfill_days AS __days`, its rows preceded by the day's
    instant as `__as_of`; None when the rule cannot be rewritten with certainty."""
    sql = rule_sql.strip().rstrip(";").strip()
    try:
        tokens = _tokens(sql)
    except duckdb.Error:
        return None
    if not tokens:
        return None
    relations = helper_relations()
    identifier = duckdb.token_type.identifier
    keyword = duckdb.token_type.keyword
    used: list[str] = []
    edits: list[tuple[int, int, str]] = []
    for index, (start, end, kind) in enumerate(tokens):
        text = sql[start:end]
        if kind in (identifier, keyword) and text.lower() in relations:
            if text.lower() not in used:
                used.append(text.lower())
        elif text == "$" and index + 1 < len(tokens):
            n_start, n_end, _ = tokens[index + 1]
            if n_start == end and sql[n_start:n_end].lower() == "as_of":
                edits.append((start, n_end, f"{DAYS_ALIAS}.as_of"))
    # A helper named other than as a plain identifier (quoted, in a string) is not rewritten.
    lowered = _COMMENT_OR_STRING.sub(_keep_strings, sql).lower()
    for name in relations:
        if name in lowered and name not in used:
            return None
    first_start, first_end, _ = tokens[0]
    first = sql[first_start:first_end].lower()
    if used:
        ctes = ", ".join(f"{name} AS ({relations[name]})" for name in used)
        if first == "with":
            if len(tokens) > 1:
                second = sql[tokens[1][0] : tokens[1][1]].lower()
                if second == "recursive":
                    return None
            edits.append((first_end, first_end, f" {ctes},"))
        else:
            edits.append((first_start, first_start, f"WITH {ctes} "))
    body = sql
    for start, end, text in sorted(edits, reverse=True):
        body = body[:start] + text + body[end:]
    return (
        f"SELECT {DAYS_ALIAS}.as_of AS {AS_OF_COLUMN}, __rule.* "
        f"FROM backfill_days AS {DAYS_ALIAS}, LATERAL (\n{body}\n) AS __rule"
    )
