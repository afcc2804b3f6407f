"""``python naive_local.py CONTEXTS.json TEMPLATE.docx OUT_DIR``: the naive local loop the benchmark races.

What a person would write with docxtpl alone, given each meeting's template variables: open the template,
render, save — once per meeting. No validation, no bookkeeping, no links written back; autoescape on, as
any script that puts cell text into XML must.
"""

import json
import sys
from pathlib import Path

from docxtpl import DocxTemplate

contexts = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
template, out = sys.argv[2], Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
for number, context in enumerate(contexts):
    document = DocxTemplate(template)
    document.render(context, autoescape=True)
    document.save(out / f"{number:05d}.docx")
