"""The errata form (attachment 3) filled from camera reports and roster errors."""

from __future__ import annotations

from sqlalchemy import select

from app.models import DataIssue, Student, now
from app.reports.xlsx import load_workbook
from tests._reports_day import day, id_number  # noqa: F401


def form_rows(ws) -> list[list]:
    rows = [list(r) for r in ws.iter_rows(min_row=7, values_only=True)]
    out = []
    for r in rows:
        if not isinstance(r[0], int):
            break
        out.append(r)
    return out


def test_errata_form_layout_and_content(day, db, run_cli, tmp_path):
    for key, value in (("school.contact", "张老师"), ("school.phone", "0514-87971234"), ("school.email", "12345@qq.com")):
        assert run_cli("config", key, value)[0] == 0
    out = tmp_path / "errata.xlsx"
    code, stdout, _ = run_cli("report", "errata", "--out", out)
    assert code == 0 and "勘误表: 4 人 (图像不符 0, 身份证号错误 2, 其他 2); 交中心 2 人" in stdout
    wb = load_workbook(out)
    assert wb.sheetnames == ["勘误反馈表", "学校核对", "明细"]
    ws = wb["勘误反馈表"]
    assert ws["A1"].value == "电子图像采集及勘误反馈表"
    # the centre's two header rows
    assert [ws.cell(5, c).value for c in range(1, 8)] == ["序号", "姓名", "原身份证号", "图像错误类型", None, "正确信息", "备注"]
    assert [ws.cell(6, c).value for c in (4, 5, 6)] == ["图像不符", "身份证号错误", "身份证号"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A5:A6", "B5:B6", "C5:C6", "D5:E5", "G5:G6"} <= merged
    assert ws.freeze_panes == "A7"

    rows = form_rows(ws)
    with db.session() as s:
        st = {x.student_no: x for x in s.scalars(select(Student))}
    by_name = {r[1]: r for r in rows}
    # only image and ID-number items go to the centre; the wrong name and the unlisted student go to the school
    assert [r[0] for r in rows] == [1, 2]
    assert list(by_name) == [st["X1901010"].name, st["X1901015"].name]
    bad = by_name[st["X1901010"].name]  # roster error: wrong check digit, the school supplies the number
    assert bad[2] == st["X1901010"].id_number and bad[4] == "√" and bad[3] is None and not bad[5]
    assert "名单第11行" in bad[6] and "校验位" in bad[6]
    wrong_id = by_name[st["X1901015"].name]  # reported at the camera with the right number
    assert wrong_id[2] == st["X1901015"].id_number and wrong_id[4] == "√" and wrong_id[5] == id_number(515)
    school = [list(r) for r in wb["学校核对"].iter_rows(min_row=3, values_only=True)]
    assert {r[3] for r in school} == {"X1901016", "X1901999"}
    assert any("应为 王晓明" in (r[7] or "") for r in school) and any("名单外" in (r[5] or "") for r in school)

    text = [str(c.value) for row in ws.iter_rows(min_row=9) for c in row if c.value]
    assert any("学校联系人：张老师；联系电话：0514-87971234；" in t for t in text)
    assert any("QQ 邮箱：12345@qq.com" in t for t in text)
    assert any("单位（盖章）：扬州大学" in t for t in text)
    assert any('请在"图像错误类型"相关栏目处打"√"' in t for t in text)
    assert any("此表请寄送或以电子版方式交我中心郭睿同志" in t and "025-83335730" in t for t in text)  # the notice's line

    detail = wb["明细"]
    drows = [r for r in detail.iter_rows(min_row=2, values_only=True)]
    assert len(drows) == 4 and {r[3] for r in drows} == {"X1901010", "X1901015", "X1901016", "X1901999"}


def test_errata_follows_new_reports_and_resolutions(day, db, run_cli, tmp_path):
    with db.session() as s:
        h3 = s.scalars(select(Student).where(Student.student_no == "H1901003")).one()
        s.add(DataIssue(student_id=h3.id, kind="image_mismatch", note="照片是别人", source="camera"))
        resolved = s.scalars(select(DataIssue).where(DataIssue.kind == "name_wrong")).one()
        resolved.resolved_at = now()
        s.commit()
        h3_name, h3_id = h3.name, h3.id_number
    out = tmp_path / "e.xlsx"
    code, stdout, _ = run_cli("report", "errata", "--out", out, "--password", "school-2019")
    assert code == 0 and "图像不符 1" in stdout
    rows = form_rows(load_workbook(out, password="school-2019")["勘误反馈表"])
    names = [r[1] for r in rows]
    assert h3_name in names and len(rows) == 3  # the two ID rows + 1 photo mismatch (names go to the school)
    row = rows[names.index(h3_name)]
    assert row[2] == h3_id and row[3] == "√" and row[4] is None and "照片是别人" in row[6]
    # a class filter keeps only that class
    code, _, _ = run_cli("report", "errata", "--out", tmp_path / "k.xlsx", "--class", "汉语言1901")
    rows = form_rows(load_workbook(tmp_path / "k.xlsx")["勘误反馈表"])
    assert [r[1] for r in rows] == [h3_name]


def test_empty_errata_form_is_still_a_form(db, run_cli, tmp_path):
    code, stdout, _ = run_cli("report", "errata", "--out", tmp_path / "e.xlsx")
    assert code == 0 and "勘误表: 0 人" in stdout
    ws = load_workbook(tmp_path / "e.xlsx")["勘误反馈表"]
    assert ws["A7"].value == "(无)"
    assert any("学校联系人：____" in str(c.value) for row in ws.iter_rows() for c in row if c.value)


def test_id_read_at_the_camera_fills_the_correct_number(day, db, run_cli, tmp_path):
    """With the seq engineer's ``shots.id_read`` column: the card's number goes into 正确信息 where it differs."""
    from sqlalchemy import text

    from app.models import Shot

    with db.session() as s:
        cols = {r[1] for r in s.execute(text("PRAGMA table_info(shots)"))}
        if "id_read" not in cols:
            s.execute(text("ALTER TABLE shots ADD COLUMN id_read VARCHAR(18)"))
        st = {x.student_no: x for x in s.scalars(select(Student))}
        mangled = st["X1901003"]  # the roster's number is fine but the card says another (valid) one
        card = id_number(703)
        shot = s.scalars(select(Shot).where(Shot.student_id == mangled.id)).first()
        s.execute(text("UPDATE shots SET id_read = :v WHERE id = :i"), {"v": card, "i": shot.id})
        same = st["X1901004"]  # the card agrees: nothing to report
        shot4 = s.scalars(select(Shot).where(Shot.student_id == same.id)).first()
        s.execute(text("UPDATE shots SET id_read = :v WHERE id = :i"), {"v": same.id_number, "i": shot4.id})
        s.commit()
        name3, id3 = mangled.name, mangled.id_number
    code, stdout, err = run_cli("report", "errata", "--out", tmp_path / "e.xlsx")
    assert code == 0, err
    rows = form_rows(load_workbook(tmp_path / "e.xlsx")["勘误反馈表"])
    by_name = {r[1]: r for r in rows}
    assert by_name[name3][2] == id3 and by_name[name3][4] == "√" and by_name[name3][5] == card
    assert st["X1901004"].name not in by_name
    code, _, _ = run_cli("config", "errata.recipient", "此表请交扬州片区负责人")
    code, _, _ = run_cli("report", "errata", "--out", tmp_path / "e2.xlsx")
    ws = load_workbook(tmp_path / "e2.xlsx")["勘误反馈表"]
    assert any("此表请交扬州片区负责人" in str(c.value) for row in ws.iter_rows() for c in row if c.value)
