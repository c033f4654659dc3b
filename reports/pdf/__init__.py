"""PDF forms: a Django template rendered by WeasyPrint on A4 after GB/T 9704.

`render_pdf(template, contexts)` renders one template once per context (one
notice, one record …) and binds the pages into ONE PDF: a batch is one
document, fonts embedded once. Each context is its own document for page
numbering: a form of several pages carries "— 1 —", "— 2 —" at its foot and
starts again at 1; a one-page form carries none.

The stylesheet is static/css/print/gbt9704.css (no outside fonts or CDNs;
WeasyPrint may read local files only, see `_fetcher`);
the font families come from settings.KONGCHUO_PDF_BODY_FONTS /
KONGCHUO_PDF_TITLE_FONTS so a deployment can name its licensed faces.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STYLESHEET = "css/print/gbt9704.css"
PDF_CONTENT_TYPE = "application/pdf"


def _families(names):
    return ", ".join(n if n in {"serif", "sans-serif"} else f'"{n}"' for n in names)


def _font_css():
    return (
        f"html, body {{ font-family: {_families(settings.KONGCHUO_PDF_BODY_FONTS)}; }}\n"
        f".doc-title, .issuer {{ font-family: {_families(settings.KONGCHUO_PDF_TITLE_FONTS)}; }}\n"
    )


NUMBERED = '@page { @bottom-center { content: "— " counter(page) " —"; } }'


def _fetcher():
    """No network: a form may only load local files (the stylesheet, images)."""
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols={"file"})


def _stylesheets(font_config, *, numbered):
    from weasyprint import CSS

    path = finders.find(STYLESHEET)
    sheets = [
        CSS(filename=path, font_config=font_config),
        CSS(string=_font_css(), font_config=font_config),
    ]
    if numbered:
        sheets.append(CSS(string=NUMBERED, font_config=font_config))
    return sheets


def render_documents(template, contexts):
    """[weasyprint Document] — one per context, each numbered from 1 when it
    runs over one page."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    numbered_sheets = _stylesheets(font_config, numbered=True)
    plain_sheets = None
    fetcher = _fetcher()
    documents = []
    for context in contexts:
        html = HTML(
            string=render_to_string(template, context),
            base_url=str(settings.BASE_DIR),
            url_fetcher=fetcher,
        )
        document = html.render(stylesheets=numbered_sheets, font_config=font_config)
        if len(document.pages) == 1:  # a one-page form carries no page number
            plain_sheets = plain_sheets or _stylesheets(font_config, numbered=False)
            document = html.render(stylesheets=plain_sheets, font_config=font_config)
        documents.append(document)
    return documents


def render_pdf(template, contexts, *, title=""):
    """The PDF bytes of `template` rendered once per context, as one document."""
    documents = render_documents(template, list(contexts))
    if not documents:
        raise ValueError("nothing to print")
    pages = [page for document in documents for page in document.pages]
    bound = documents[0].copy(pages)
    if title:
        bound.metadata.title = title
    return bound.write_pdf()
