"""The `evidence-pipeline` command line (being built)."""

import click


@click.group()
def main() -> None:
    """Evidence for ISO/IEC 42001 Annex A controls."""
