"""Contact sheets for labelling by eye: numbered tiles (the row number in sources.csv), 5 x 4 per PNG,
each tile a head-and-shoulders crop around the detected face (mediapipe face detection), so that
brows, ears, glasses and the top can be judged at tile size.

    python bench/realset/contact_sheets.py [--source casia] [--tile 240]   # -> bench/realset/sheets/
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import mediapipe as mp
import numpy as np
from PIL import Image, ImageDraw, ImageOps

HERE = Path(__file__).resolve().parent


def crop_box(im: Image.Image, det) -> tuple[int, int, int, int]:
    w, h = im.size
    res = det.process(np.asarray(im.convert("RGB")))
    if not res.detections:
        return (0, 0, w, h)
    best = max(res.detections, key=lambda d: d.location_data.relative_bounding_box.width)
    b = best.location_data.relative_bounding_box
    cx, cy, fw = (b.xmin + b.width / 2) * w, (b.ymin + b.height / 2) * h, b.width * w
    half_w, top, bottom = 1.3 * fw, cy - 1.5 * fw, cy + 1.9 * fw
    return (int(max(0, cx - half_w)), int(max(0, top)), int(min(w, cx + half_w)), int(min(h, bottom)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source")
    ap.add_argument("--tile", type=int, default=240)
    ap.add_argument("--cols", type=int, default=5)
    ap.add_argument("--rows", type=int, default=4)
    ap.add_argument("--full", action="store_true", help="whole photo, no crop")
    ap.add_argument("--only", help="comma-separated row numbers")
    args = ap.parse_args()
    with (HERE / "sources.csv").open(newline="", encoding="utf-8") as f:
        rows = [(i, r) for i, r in enumerate(csv.DictReader(f))]
    if args.source:
        rows = [(i, r) for i, r in rows if r["source"] == args.source]
    if args.only:
        want = {int(x) for x in args.only.split(",")}
        rows = [(i, r) for i, r in rows if i in want]
    out = HERE / "sheets"
    out.mkdir(exist_ok=True)
    tw, th = args.tile, int(args.tile * 1.25)
    per = args.cols * args.rows
    det = mp.solutions.face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.4)
    tag = args.source or "all"
    for s in range(0, len(rows), per):
        sheet = Image.new("RGB", (args.cols * tw, args.rows * th), "black")
        d = ImageDraw.Draw(sheet)
        for k, (i, r) in enumerate(rows[s:s + per]):
            im = ImageOps.exif_transpose(Image.open(HERE / "images" / r["file"])).convert("RGB")
            if not args.full:
                im = im.crop(crop_box(im, det))
            im.thumbnail((tw - 4, th - 4))
            x, y = (k % args.cols) * tw, (k // args.cols) * th
            sheet.paste(im, (x + 2, y + 2))
            d.rectangle((x + 2, y + 2, x + 42, y + 18), fill="black")
            d.text((x + 4, y + 4), str(i), fill="yellow")
        name = out / f"{tag}_{s // per:02d}.png"
        sheet.save(name)
        print(name, rows[s][0], rows[min(s + per, len(rows)) - 1][0])


if __name__ == "__main__":
    main()
