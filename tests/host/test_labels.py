"""Label sheets as vectors: the QR code in the SVG and the PDF is exactly the code of the documented
payload (rebuilt here from the drawn rectangles), the texts carry name, id, site, MAC and board, the
PDF's cross-reference table points at its objects, and an unknown suffix is bad input."""

import re
import xml.etree.ElementTree as ET
import zlib

import pytest

from reallabor.errors import ReallaborError
from reallabor.fleet import labels
from test_exports import record

pytest.importorskip("qrcode")
SVG = "{http://www.w3.org/2000/svg}"


def test_the_payload_names_site_and_device():
    assert labels.label_payload(record(7, site="wald", lora=False)) == "reallabor:wald/rl-000007"


def modules_from_runs(cells, module, left, top):
    """The dark modules of a QR code drawn as rectangles (x, y, width, height in mm)."""
    dark = set()
    for x, y, w, h in cells:
        assert h == pytest.approx(module, abs=1e-3)
        col, row, n = round((x - left) / module), round((y - top) / module), round(w / module)
        assert x == pytest.approx(left + col * module, abs=2e-3) and w == pytest.approx(n * module, abs=2e-3)
        dark |= {(row, col + i) for i in range(n)}
    return dark


def expected(r):
    return {(y, x) for y, row in enumerate(labels.qr_matrix(labels.label_payload(r))) for x, v in enumerate(row) if v}


def test_svg_pages_hold_the_payloads_qr_code_and_the_texts(tmp_path):
    records = [record(n) for n in range(1, 27)] + [record(27, name="Hof Süd <Nord>")]
    written = labels.write(records, tmp_path / "labels.svg")
    assert written == [tmp_path / "labels.svg", tmp_path / "labels-2.svg"]  # 24 labels a page
    root = ET.parse(written[0]).getroot()
    assert root.get("width") == "210mm" and root.get("viewBox") == "0 0 210 297"
    groups = root.findall(f"{SVG}g")
    assert len(groups) == 24
    for g, r in zip(groups, records):
        assert g.find(f"{SVG}title").text == labels.label_payload(r)
        texts = [t.text for t in g.findall(f"{SVG}text")]
        assert texts == [r.name, r.id, r.site, r.mac, r.board] + ([f"DevEUI {r.dev_eui}"] if r.dev_eui else [])
        cells = [tuple(map(float, m.groups())) for m in
                 re.finditer(r"M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)h-[\d.]+z", g.find(f"{SVG}path").get("d"))]
        placed = next(p for p in labels.pages(records)[0] if p.record == r)
        module, left, top, _ = placed.qr()
        assert modules_from_runs(cells, module, left, top) == expected(r)
    last = ET.parse(written[1]).getroot().findall(f"{SVG}g")
    assert [t.text for t in last[-1].findall(f"{SVG}text")][0] == "Hof Süd <Nord>"  # escaped, and back


def pdf_objects(data: bytes) -> dict[int, bytes]:
    """The objects of a PDF, found through its cross-reference table (which must point at them)."""
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start:].startswith(b"xref\n0 ")
    lines = data[start:].split(b"\n")
    count = int(lines[1].split()[1])
    objects = {}
    for n in range(1, count):
        offset = int(lines[2 + n][:10])
        assert data[offset:].startswith(b"%d 0 obj\n" % n), n
        objects[n] = data[offset:data.index(b"\nendobj\n", offset)]
    return objects


def test_pdf_is_a_valid_document_with_vector_qr_codes(tmp_path):
    records = [record(n) for n in range(1, 26)] + [record(26, name="Hof Süd")]
    (path,) = labels.write(records, tmp_path / "labels.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    objects = pdf_objects(data)
    assert b"/Type /Pages /Kids [" in objects[2] and b"/Count 2" in objects[2]
    assert b"/BaseFont /Helvetica " in objects[3] and b"/WinAnsiEncoding" in objects[3]
    streams = [zlib.decompress(body.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0])
               for body in objects.values() if b"/FlateDecode" in body]
    assert len(streams) == 2
    first = streams[0].decode("latin-1")
    placed = labels.pages(records)[0][0]
    module, left, top, _ = placed.qr()
    pt = labels.PT
    # the first label's QR code: the rectangles after its first "0 g", up to its "f"
    block = first.split("0 g\n", 1)[1].split("\nf\n", 1)[0]
    cells = []
    for line in block.splitlines():
        x, y, w, h = (float(v) / pt for v in line.split()[:4])
        cells.append((x, labels.PAGE_H - y - h, w, h))
    assert modules_from_runs(cells, module, left, top) == expected(records[0])
    assert "(Hof 1) Tj" in first and "(rl-000001) Tj" in first and "(hof) Tj" in first
    assert "(Hof S\xfcd) Tj" in streams[1].decode("latin-1")  # ü in WinAnsiEncoding


def test_png_is_a_300_dpi_raster_with_the_code(tmp_path):
    pytest.importorskip("PIL")
    from PIL import Image

    (path,) = labels.write([record(1)], tmp_path / "labels.png")
    image = Image.open(path)
    assert image.size == (2480, 3508)
    module, left, top, matrix = labels.pages([record(1)])[0][0].qr()
    px = 300 / 25.4
    assert matrix[0][0] and image.getpixel((int((left + module / 2) * px), int((top + module / 2) * px))) == (0, 0, 0)
    assert image.getpixel((int((left - module) * px), int((top - module) * px))) == (255, 255, 255)  # quiet zone


def test_an_unknown_suffix_is_bad_input(tmp_path):
    for name in ("labels.doc", "labels", "labels.SVG.txt"):
        with pytest.raises(ReallaborError) as e:
            labels.write([record(1)], tmp_path / name)
        assert e.value.key == "labels.bad_suffix" and e.value.exit_code == 2
    assert labels.label_format(tmp_path / "Labels.PDF") == ".pdf"
