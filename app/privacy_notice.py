"""The short privacy notice for students (PIPL art. 17, 29, 30: what, why, how long, their rights).

``station privacy-notice --pdf OUT.pdf`` prints it on one A4 page to post at
the waiting area; the school's name and contact come from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app import settings
from app.pdf import register_cjk_font
from capture.atomic import atomic_path


@dataclass
class Notice:
    title: str
    paragraphs: list[tuple[str, str]]  # (heading, text)
    footer: str

    def text(self) -> str:
        out = [self.title, ""]
        for h, body in self.paragraphs:
            out += [h, body, ""]
        out.append(self.footer)
        return "\n".join(out)


def build(session: Session) -> Notice:

    school = str(settings.get(session, "school.name") or "").strip() or "本校"
    contact = "、".join(x for x in (str(settings.get(session, k) or "").strip()
                                   for k in ("school.contact", "school.phone", "school.email")) if x)
    contact = contact or "学校毕业生图像采集负责老师"
    return Notice(
        title=f"{school}毕业生图像采集 · 个人信息告知",
        paragraphs=[
            ("收集什么",
             "为制作学历证书电子图像, 拍摄现场使用你的: 姓名、性别、学号、身份证号、考生号、学院、专业、班级 "
             "(来自学校提供的名单), 以及现场拍摄的正面照片。人脸照片和身份证号属于敏感个人信息。"),
            ("用来做什么",
             "只用于核对身份、拍摄和检查照片、统计拍摄情况, 并按毕业生图像采集通知交付给学校和采集中心用于学历证书。"
             "不用于其他目的, 不提供给其他人。"),
            ("存在哪里",
             "拍摄期间保存在现场拍摄电脑上 (数据库、照片文件夹和日志只有本机操作账户可读)。"
             "交付给学校和采集中心的照片压缩包使用 AES-256 加密。"),
            ("保存多久",
             "交付并由学校签字确认后, 拍摄机构用 station purge 删除本校学生的照片和个人信息 "
             "(照片文件先覆盖再删除, 数据库同时压缩清除)。每次导入、导出和删除都记入审计记录。"),
            ("你的权利",
             "你可以查询拍摄了哪些信息; 名单信息有误时请在现场告诉摄影师, 会记入勘误表更正; "
             "对照片不满意可以要求重拍; 对个人信息处理有疑问或要求删除, 请联系: " + contact + "。"),
        ],
        footer="拍摄即表示你已阅读本告知。 / By being photographed you confirm you have read this notice.",
    )


def write_pdf(notice: Notice, path: str | Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = register_cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=18, leading=26, spaceAfter=8, wordWrap="CJK")
    head = ParagraphStyle("h", fontName=font, fontSize=13, leading=19, spaceBefore=6, wordWrap="CJK")
    body = ParagraphStyle("b", fontName=font, fontSize=11.5, leading=18, wordWrap="CJK")
    small = ParagraphStyle("s", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    flow = [Paragraph(notice.title, title)]
    for h, text in notice.paragraphs:
        flow += [Paragraph(h, head), Paragraph(text, body)]
    flow += [Spacer(1, 8 * mm), Paragraph(notice.footer, small)]
    path = Path(path)
    with atomic_path(path) as tmp:
        SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                          bottomMargin=18 * mm, title=notice.title).build(flow)
    return path
