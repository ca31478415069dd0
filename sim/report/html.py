"""report.html: the Markdown report as one self-contained page, readable offline and handed on as one file.

Figures are embedded as data URIs (PNG, base64); links to the figures' PDF or SVG twins are dropped and other
links to files of the folder become plain text, since the page travels alone.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import markdown

STYLE = """
body { font-family: Georgia, 'DejaVu Serif', serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1a1a1a; }
h1, h2, h3 { font-family: 'DejaVu Sans', Arial, sans-serif; color: #1f4e79; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #eef3f8; }
img { max-width: 100%; height: auto; display: block; margin: 1rem auto; }
code { font-size: 0.9em; background: #f4f4f4; padding: 0 0.2em; }
"""


def page(text: str, folder: Path) -> str:
    """The HTML page of a Markdown report whose figure links are relative to `folder`."""
    body = markdown.markdown(text, extensions=["tables"], output_format="html")
    body = re.sub(r'<img alt="([^"]*)" src="([^"]+)"', lambda m: _image(m[1], folder / m[2]), body)
    body = re.sub(r'\s*\((?:<a href="[^"]*\.(?:pdf|svg)">[A-Z]+</a>(?:, )?)+\)', "", body)  # twins stay in the folder
    body = re.sub(r'<a href="(?!https?:)[^"]*">([^<]*)</a>', r"\1", body)
    title = re.search(r"<h1>(.*?)</h1>", body)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title[1] if title else 'Report'}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def _image(alt: str, path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{alt}" src="data:image/png;base64,{data}"'
