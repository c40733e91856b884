"""The pages a bundle adds to its exhibits, laid out by WeasyPrint as PDF/A-2b (fonts embedded, nothing fetched):
the front matter (cover, index, manifest, certificate), the chronology exhibit, and the strips stamped in every
page's bottom margin ("Exhibit A1", "Page N of M"). Templates under templates/bundles/printing/, so a deployment may
override the wording."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.template.loader import render_to_string


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"Bundles fetch nothing: {url}")


def write_pdf(template: str, context: Mapping[str, Any], *, identifier: bytes | None = None) -> bytes:
    """The template (and its stylesheet, the same name ending .css) as PDF/A-2b bytes."""
    from weasyprint import CSS, HTML

    html = render_to_string(template, dict(context))
    css = render_to_string(template.removesuffix(".html") + ".css", dict(context))
    pdf = HTML(string=html, url_fetcher=_refuse_fetch, base_url=None).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=_refuse_fetch)], pdf_variant="pdf/a-2b", pdf_identifier=identifier
    )
    if pdf is None:
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


def strips(labels: Sequence[str], total: int, *, title: str) -> bytes:
    """One strip per page: the bundle's title, the page's label ("Exhibit A1") and "Page N of M"."""
    pages = [{"label": label, "number": i + 1} for i, label in enumerate(labels)]
    return write_pdf("bundles/printing/strips.html", {"pages": pages, "total": total, "title": title})


def chronology(context: Mapping[str, Any]) -> bytes:
    return write_pdf("bundles/printing/chronology.html", context)


def front_matter(context: Mapping[str, Any], *, identifier: bytes | None = None) -> bytes:
    return write_pdf("bundles/printing/front.html", context, identifier=identifier)
