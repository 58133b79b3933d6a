"""Chinese PDFs with an embedded font (sign-in sheets, schedules, proof sheets).

reportlab embeds TrueType outlines only, so the font is a TrueType/TTC font
with CJK glyphs: WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, installed by
scripts/bootstrap.sh) or another one found on the system. ``STATION_CJK_FONT``
names a font file explicitly.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from app.errors import StationError

FONT_NAME = "StationCJK"

_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
]


def find_cjk_font() -> Path:
    env = os.environ.get("STATION_CJK_FONT")
    for cand in ([env] if env else []) + _CANDIDATES:
        if cand and Path(cand).is_file():
            return Path(cand)
    raise StationError(
        "找不到可嵌入 PDF 的中文字体: 请安装 fonts-wqy-microhei (sudo apt-get install fonts-wqy-microhei) "
        "或用 STATION_CJK_FONT 指定一个 TrueType 字体文件",
        exit_code=2,
    )


@lru_cache(maxsize=1)
def register_cjk_font() -> str:
    """Register the CJK font with reportlab once; returns its reportlab name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = find_cjk_font()
    kwargs = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), **kwargs))
    return FONT_NAME
