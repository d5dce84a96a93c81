"""Label sheets for the boards: A4, 3 x 8 labels of 70 x 37 mm (the common sheet of 24), each
with a QR code, the device's name, id, site, MAC and board.

The QR code's text is label_payload(record), the one place that decides it (docs/provisioning.md,
"Labels"): `reallabor:<site>/<id>` names a device at a site for any app that scans it; a LoRaWAN
board's code is the LoRa Alliance's TR005 device identification instead
(`LW:D0:<JoinEUI>:<DevEUI>:<ProfileID>:S<id>`), which network servers' apps scan to claim a device.
Every output format follows it. A LoRa board's label also shows its DevEUI.

SVG and PDF are vectors: each QR module is a rectangle (runs of dark modules merged), so the codes
stay sharp at any print size. The PDF is written here (no library): PDF 1.4, the standard fonts
Helvetica and Helvetica-Bold (WinAnsiEncoding, so German names print), one page per 24 labels. SVG
has no pages: a second page is a second file (labels-2.svg). PNG (Pillow) is a raster at 300 dpi."""

import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.fleet.inventory import Record

PAGE_W, PAGE_H = 210.0, 297.0  # mm, A4
COLS, ROWS = 3, 8
LABEL_W, LABEL_H = 70.0, 37.0
MARGIN_X, MARGIN_Y = (PAGE_W - COLS * LABEL_W) / 2, (PAGE_H - ROWS * LABEL_H) / 2
QR_SIDE = 29.0  # mm, quiet zone included
PT = 72 / 25.4  # PDF points per mm
FORMATS = (".svg", ".pdf", ".png")


# TR005 4.2: VendorID and VendorProfileID; zeros: no LoRa Alliance vendor ID
TR005_PROFILE_ID = "00000000"


def label_payload(record: Record) -> str:
    """What a label's QR code says. Documented in docs/provisioning.md; change it only here."""
    if record.dev_eui:  # TR005, with the device id as the serial number extension (S)
        return f"LW:D0:{record.join_eui.upper()}:{record.dev_eui.upper()}:{TR005_PROFILE_ID}:S{record.id}"
    return f"reallabor:{record.site}/{record.id}"


def label_format(path: Path) -> str:
    """".svg", ".pdf" or ".png" for an output path; anything else is bad input."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ReallaborError("labels.bad_suffix", EXIT_BAD_INPUT, path=path, suffix=suffix or "-",
                             formats=", ".join(FORMATS))
    return suffix


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code of text, dark modules True, without a quiet zone (error correction M)."""
    import qrcode

    qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.get_matrix()


def runs(matrix: list[list[bool]]):
    """(row, first column, length) of each horizontal run of dark modules."""
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                yield y, start, x - start
            else:
                x += 1


@dataclass(frozen=True)
class Placed:
    """One label on a page, in mm from the page's top left corner."""

    record: Record
    x: float
    y: float

    def qr(self):
        """(module size, left, top, matrix) of its QR code: 2 modules of quiet zone inside QR_SIDE."""
        matrix = qr_matrix(label_payload(self.record))
        module = QR_SIDE / (len(matrix) + 4)
        return module, self.x + 4 + 2 * module, self.y + (LABEL_H - QR_SIDE) / 2 + 2 * module, matrix

    def lines(self):
        """(text, size in pt, bold, left mm, baseline mm)"""
        r, left = self.record, self.x + 4 + QR_SIDE + 2
        texts = [(r.name, 11, True), (r.id, 8.5, False), (f"{r.site}", 8.5, False), (r.mac, 7, False),
                 (r.board, 7, False)] + ([(f"DevEUI {r.dev_eui}", 7, False)] if r.dev_eui else [])
        out, baseline = [], self.y + 8
        for text, size, bold in texts:
            out.append((_fit(text, size, LABEL_W - (left - self.x) - 2), size, bold, left, baseline))
            baseline += size * 0.3528 * 1.45  # pt -> mm, with line spacing
        return out


def _fit(text: str, size: float, width_mm: float) -> str:
    """Shorten a text that would not fit (about 0.55 em per character in Helvetica)."""
    most = max(int(width_mm / (size * 0.3528 * 0.55)), 4)
    return text if len(text) <= most else text[: most - 1] + "…"


def pages(records: list[Record]) -> list[list[Placed]]:
    per = COLS * ROWS
    return [[Placed(r, MARGIN_X + (i % COLS) * LABEL_W, MARGIN_Y + (i // COLS) * LABEL_H)
             for i, r in enumerate(records[start:start + per])]
            for start in range(0, max(len(records), 1), per)]


def page_files(path: Path, count: int) -> list[Path]:
    """labels.svg, labels-2.svg, ... for formats without pages."""
    return [path if n == 0 else path.with_name(f"{path.stem}-{n + 1}{path.suffix}") for n in range(count)]


def write(records: list[Record], path: Path) -> list[Path]:
    """The label sheet in the format the suffix names -> the files written."""
    suffix = label_format(path)
    sheet = pages(records)
    if suffix == ".pdf":
        path.write_bytes(pdf(sheet))
        return [path]
    targets = page_files(path, len(sheet))
    for page, target in zip(sheet, targets):
        if suffix == ".svg":
            target.write_text(svg(page), encoding="utf-8")
        else:
            png(page, target)
    return targets


# -- SVG ------------------------------------------------------------------------------------------

def svg(page: list[Placed]) -> str:
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W:g}mm" height="{PAGE_H:g}mm" '
           f'viewBox="0 0 {PAGE_W:g} {PAGE_H:g}">',
           f'<rect width="{PAGE_W:g}" height="{PAGE_H:g}" fill="#fff"/>']
    for p in page:
        out.append(f'<g><title>{escape(label_payload(p.record))}</title>')
        out.append(f'<rect x="{p.x + 1:.3f}" y="{p.y + 1:.3f}" width="{LABEL_W - 2:.3f}" height="{LABEL_H - 2:.3f}" '
                   f'rx="2" fill="none" stroke="#bbb" stroke-width="0.2"/>')
        module, left, top, matrix = p.qr()
        d = "".join(f"M{left + x * module:.3f} {top + y * module:.3f}h{n * module:.3f}v{module:.3f}h-{n * module:.3f}z"
                    for y, x, n in runs(matrix))
        out.append(f'<path class="qr" fill="#000" d="{d}"/>')
        for text, size, bold, x, y in p.lines():
            weight = ' font-weight="bold"' if bold else ""
            out.append(f'<text x="{x:.3f}" y="{y:.3f}" font-family="Helvetica, Arial, sans-serif" '
                       f'font-size="{size * 0.3528:.3f}"{weight}>{escape(text)}</text>')
        out.append("</g>")
    out.append("</svg>\n")
    return "\n".join(out)


# -- PDF ------------------------------------------------------------------------------------------

def _pdf_text(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")  # WinAnsiEncoding; what it lacks becomes "?"
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(page: list[Placed]) -> bytes:
    ops = []
    for p in page:
        x, y = p.x + 1, PAGE_H - (p.y + 1) - (LABEL_H - 2)
        ops.append(f"0.73 G 0.57 w {x * PT:.2f} {y * PT:.2f} {(LABEL_W - 2) * PT:.2f} {(LABEL_H - 2) * PT:.2f} re S")
        module, left, top, matrix = p.qr()
        ops.append("0 g")
        for row, col, n in runs(matrix):
            rx, ry = left + col * module, PAGE_H - (top + (row + 1) * module)
            ops.append(f"{rx * PT:.3f} {ry * PT:.3f} {n * module * PT:.3f} {module * PT:.3f} re")
        ops.append("f")
        for text, size, bold, tx, ty in p.lines():
            ops.append(f"BT /{'F2' if bold else 'F1'} {size:g} Tf {tx * PT:.2f} {(PAGE_H - ty) * PT:.2f} Td")
            ops.append(b"(" + _pdf_text(text) + b") Tj ET")
    return b"\n".join(op if isinstance(op, bytes) else op.encode("ascii") for op in ops)


def pdf(sheet: list[list[Placed]]) -> bytes:
    """A PDF 1.4 document, one A4 page per list of labels."""
    font = "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",  # the page tree is filled in below
               font.format("Helvetica").encode(), font.format("Helvetica-Bold").encode()]
    kids = []
    for page in sheet:
        stream = zlib.compress(_content(page))
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(len(objects) + 1)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.3f %.3f] /Resources << /Font << /F1 3 0 R "
                       b"/F2 4 0 R >> >> /Contents %d 0 R >>" % (PAGE_W * PT, PAGE_H * PT, len(objects)))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# -- PNG ------------------------------------------------------------------------------------------

def png(page: list[Placed], target: Path, dpi: int = 300) -> None:
    from PIL import Image, ImageDraw, ImageFont

    px = dpi / 25.4
    image = Image.new("RGB", (round(PAGE_W * px), round(PAGE_H * px)), "white")
    draw = ImageDraw.Draw(image)
    for p in page:
        draw.rounded_rectangle(((p.x + 1) * px, (p.y + 1) * px, (p.x + LABEL_W - 1) * px, (p.y + LABEL_H - 1) * px),
                               radius=2 * px, outline="#bbbbbb")
        module, left, top, matrix = p.qr()
        for row, col, n in runs(matrix):
            x0, y0 = round((left + col * module) * px), round((top + row * module) * px)
            x1, y1 = round((left + (col + n) * module) * px), round((top + (row + 1) * module) * px)
            draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill="black")
        for text, size, bold, tx, ty in p.lines():
            font = ImageFont.load_default(size=size * dpi / 72)
            draw.text((tx * px, ty * px), text, fill="black", font=font, anchor="ls")
    image.save(target, dpi=(dpi, dpi))
