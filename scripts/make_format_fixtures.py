#!/usr/bin/env python3
"""Word files (.docx) and PDFs made from protocols in text form, for the format tests.

Word: each line of the text becomes a paragraph of its own (its spaces kept, as Word
keeps them), a Markdown heading a Heading paragraph, a page marker (`<!-- sida N -->`)
a page break. Written with Python's zipfile.

PDF: each page of the text (between page markers) a PDF page in Helvetica
(WinAnsiEncoding), each line at its own height; a line set in columns (runs of five or
more spaces, as two-column attendance lists are) is written as one text object per
column at the column's horizontal position, as a word processor's PDF has it. Written
by hand (PDF 1.4 objects, no other tool).

The parse of each file must equal the parse of its text.

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


def front_matter_removed(text):
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end >= 0:
            return text[end + 5:]
    return text


PAGE_W, PAGE_H, FONT, LEADING, LEFT, CHAR_W = 595, 842, 9, 11, 40, 4.6


def pdf_string(s):
    data = s.encode("cp1252", errors="replace")
    return "(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").decode("latin-1") + ")"


def pdf(text):
    pages, page = [], []
    for line in front_matter_removed(text).split("\n"):
        if re.match(r"^<!--\s*sida\s+\d+\s*-->$", line.strip()):
            if any(l.strip() for l in page):
                pages.append(page)
            page = []
            continue
        line = re.sub(r"^#{1,6}\s+", "", line)
        page.append(line)
    if any(l.strip() for l in page):
        pages.append(page)
    # A page longer than the sheet continues on the next.
    rows = int((PAGE_H - 80) / LEADING)
    sheets = [p[i:i + rows] for p in pages for i in range(0, max(len(p), 1), rows)]
    objects = []
    def add(body):
        objects.append(body)
        return len(objects)
    font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    page_ids, content_ids = [], []
    pages_id_placeholder = "PAGES"
    for sheet in sheets:
        ops = [f"BT /F1 {FONT} Tf"]
        y = PAGE_H - 50
        for line in sheet:
            if line.strip():
                # Columns: text runs separated by five or more spaces, each at its place.
                for m in re.finditer(r"\S+(?: {1,4}\S+)*", line):
                    x = LEFT + m.start() * CHAR_W
                    ops.append(f"1 0 0 1 {x:.1f} {y:.1f} Tm {pdf_string(m.group(0))} Tj")
            y -= LEADING
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        cid = add(f"<< /Length {len(stream)} >>\nstream\n" + stream.decode("latin-1") + "\nendstream")
        pid = add(f"<< /Type /Page /Parent {pages_id_placeholder} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                  f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {cid} 0 R >>")
        page_ids.append(pid)
    pages_id = add("<< /Type /Pages /Kids [" + " ".join(f"{p} 0 R" for p in page_ids) + f"] /Count {len(page_ids)} >>")
    catalog = add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        body = body.replace(f"{pages_id_placeholder} 0 R", f"{pages_id} 0 R")
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body.encode("latin-1") + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for o in offsets:
        out += f"{o:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


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
        pdf_target = out / (src.stem + ".pdf")
        pdf_target.write_bytes(pdf(src.read_text(encoding="utf-8")))
        print(pdf_target)


if __name__ == "__main__":
    main()
