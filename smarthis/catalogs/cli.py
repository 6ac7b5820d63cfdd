"""`smarthis catalog ...`: look things up in the packaged reference catalogues."""

from __future__ import annotations

import json

import typer

catalog_app = typer.Typer(
    help="Reference catalogues (ICD-10, services, drugs)", no_args_is_help=True
)
icd10_app = typer.Typer(help="ICD-10 (Decision 4469/QĐ-BYT)", no_args_is_help=True)
catalog_app.add_typer(icd10_app, name="icd10")


@icd10_app.command("search")
def icd10_search(
    text: str = typer.Argument(
        ..., help="a code (C50, c50.9, C509) or words, with or without accents"
    ),
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="at most this many codes"),
) -> None:
    """Print matching codes as JSON lines (code, name_vi, name_en), best first."""
    from smarthis.catalogs.icd10_search import search_icd10

    if not text.strip():
        typer.echo("icd_search_empty: nhập mã hoặc từ khóa cần tìm (empty search text)", err=True)
        raise typer.Exit(2)
    for hit in search_icd10(text, limit=limit):
        line = {"code": hit.code, "name_vi": hit.name_vi, "name_en": hit.name_en}
        typer.echo(json.dumps(line, ensure_ascii=False))
