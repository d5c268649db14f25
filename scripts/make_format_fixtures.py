#!/usr/bin/env python3
"""Word files (.docx) made from protocols in text form, for the format tests.

Each line of the text becomes a paragraph of its own (its spaces kept, as Word keeps
them), a Markdown heading a Heading paragraph, a page marker (`<!-- sida N -->`) a page
break, so that the Word file holds what the text holds, laid out as Word lays it out.
Written with Python's zipfile (no other tool): the parse of each .docx must equal the
parse of its text.

  python3 scripts/make_format_fixtures.py tests/fixtures/real/corpus/X.md ... --out tests/fixtures/formats
"""
import argparse
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def paragraph(text, style=None):
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def document(text):
    body = []
    in_front = text.startswith("---\n")
    for line in text.split("\n"):
        if in_front:
            # Front matter (the converter's metadata) is not part of a Word file.
            if line == "---" and body:
                in_front = False
            body.append("") if line == "---" else None
            continue
        if re.match(r"^<!--\s*sida\s+\d+\s*-->$", line.strip()):
            body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
            continue
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            body.append(paragraph(m.group(2), f"Heading{len(m.group(1))}"))
        else:
            body.append(paragraph(line))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}"><w:body>'
            + "".join(b for b in body if b) + "</w:body></w:document>")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("texts", nargs="+")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for t in a.texts:
        src = Path(t)
        target = out / (src.stem + ".docx")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            # Fixed timestamps: the same text makes the same bytes.
            for name, data in [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
                               ("word/document.xml", document(src.read_text(encoding="utf-8")))]:
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
        print(target)


if __name__ == "__main__":
    main()
