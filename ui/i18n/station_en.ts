<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>CloseupPanel</name>
    <message>
        <location filename="../closeup.py" line="111"/>
        <source>请核对 (放大): {names}</source>
        <translation>Please check (enlarged): {names}</translation>
    </message>
    <message>
        <location filename="../closeup.py" line="124"/>
        <source>{a} 检查无误 · {b} 检查有误 (推翻)</source>
        <translation>{a} the check is right · {b} the check is wrong (overrule)</translation>
    </message>
    <message>
        <location filename="../closeup.py" line="153"/>
        <source>记录失败: {e}</source>
        <translation>Could not record it: {e}</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <location filename="../conflicts.py" line="24"/>
        <source>合并冲突: 两个机位都选定了照片</source>
        <translation>Merge conflicts: both stations selected a photo</translation>
    </message>
    <message>
        <location filename="../conflicts.py" line="26"/>
        <source>每位学生选定一张照片 (双击或点“选定此张”); 全部决定后才能交付。</source>
        <translation>Select one photo per student (double-click or click “Select this one”); delivery waits until all are decided.</translation>
    </message>
    <message>
        <location filename="../conflicts.py" line="38"/>
        <source>选定此张</source>
        <translation>Select this one</translation>
    </message>
    <message>
        <location filename="../conflicts.py" line="40"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../conflicts.py" line="59"/>
        <source>  (当前)</source>
        <translation>  (current)</translation>
    </message>
    <message>
        <location filename="../conflicts.py" line="65"/>
        <source>待决定 {n} 人</source>
        <translation>{n} students left to decide</translation>
    </message>
    <message>
        <location filename="../conflicts.py" line="66"/>
        <source>没有待决定的冲突, 可以交付</source>
        <translation>No conflicts left to decide: ready to deliver</translation>
    </message>
    <message>
        <location filename="../conflicts.py" line="72"/>
        <source>请选择一张照片 (学生下面的一行)</source>
        <translation>Choose a photo (a row under the student)</translation>
    </message>
</context>
<context>
    <name>DataIssueDialog</name>
    <message>
        <location filename="../dialogs.py" line="113"/>
        <source>报告信息错误</source>
        <translation>Report a data error</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="115"/>
        <source>学生: {name}</source>
        <translation>Student: {name}</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="123"/>
        <source>错误类型</source>
        <translation>Kind of error</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="124"/>
        <source>正确信息</source>
        <translation>Correct value</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="125"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="132"/>
        <source>请填写正确的值</source>
        <translation>Enter the correct value</translation>
    </message>
</context>
<context>
    <name>FileDialogs</name>
    <message>
        <location filename="../file_dialogs.py" line="27"/>
        <source>选择</source>
        <translation>Choose</translation>
    </message>
    <message>
        <location filename="../file_dialogs.py" line="30"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../file_dialogs.py" line="33"/>
        <source>打开</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../file_dialogs.py" line="34"/>
        <source>位置:</source>
        <translation>Look in:</translation>
    </message>
    <message>
        <location filename="../file_dialogs.py" line="35"/>
        <source>文件名:</source>
        <translation>File name:</translation>
    </message>
    <message>
        <location filename="../file_dialogs.py" line="36"/>
        <source>文件夹:</source>
        <translation>Folder:</translation>
    </message>
    <message>
        <location filename="../file_dialogs.py" line="37"/>
        <source>文件类型:</source>
        <translation>Files of type:</translation>
    </message>
    <message>
        <location filename="../file_dialogs.py" line="38"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>JobDialog</name>
    <message>
        <location filename="../jobs.py" line="126"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="127"/>
        <source>在当前学生之后停止; 已写入的文件保留, 再次导出从这里继续</source>
        <translation>Stop after the current student; the files written are kept and the next export goes on from there</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="131"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="151"/>
        <source>{done} / {total}</source>
        <translation>{done} / {total}</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="186"/>
        <source>正在进行… (可以继续拍摄)</source>
        <translation>Working… (you can go on shooting)</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="196"/>
        <source>正在停止 (当前学生写完为止)…</source>
        <translation>Stopping (after the current student)…</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="220"/>
        <source>完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="220"/>
        <source>完成, 但有未导出的项目 (见下)</source>
        <translation>Done, but some were not exported (see below)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="127"/>
        <source>毕业生图像采集 — 拍摄</source>
        <translation>Graduate photo capture — camera</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="133"/>
        <source>拍摄 (空格)</source>
        <translation>Shoot (Space)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="134"/>
        <source>接受 (回车)</source>
        <translation>Accept (Enter)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="135"/>
        <source>重拍 (R)</source>
        <translation>Retake (R)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="136"/>
        <source>选用此张 (F4)</source>
        <translation>Select this one (F4)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="137"/>
        <source>名单外学生 (F2)</source>
        <translation>Unlisted student (F2)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="138"/>
        <source>设置 (Ctrl+,)</source>
        <translation>Settings (Ctrl+,)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="142"/>
        <source>最近完成 (点击可重新打开、改选照片)</source>
        <translation>Finished lately (click to re-open and re-select)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="150"/>
        <source>学生坚持使用此照片</source>
        <translation>The student insists on this photo</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="150"/>
        <source>医学或宗教原因</source>
        <translation>Medical or religious reason</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="150"/>
        <source>检查误判, 人工核对合格</source>
        <translation>False alarm, checked by eye: compliant</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="157"/>
        <source>回车确认再拍; 或扫描下一位</source>
        <translation>Enter confirms a new shot; or scan the next student</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="156"/>
        <source>输入原因后回车 (或 1/2/3)</source>
        <translation>Type a reason, then Enter (or 1/2/3)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="78"/>
        <source>正在连接相机、加载照片检查…</source>
        <translation>Connecting the camera, loading the photo checks…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="158"/>
        <source>扫描证件, 或输入学号 / 姓名</source>
        <translation>Scan a card, or type a student number / name</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="162"/>
        <location filename="../main_window.py" line="432"/>
        <source>请扫描身份证或学生证</source>
        <translation>Scan the ID card or the student card</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="216"/>
        <source>仍在进行</source>
        <translation>Still running</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="217"/>
        <source>{jobs} 仍在进行。现在退出会等它做完当前这一步; 照片交付可以之后再次导出补齐。确定退出?</source>
        <translation>{jobs} is still running. Quitting now waits for its current step; a photo delivery can be completed by exporting again later. Quit?</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="299"/>
        <source>正在拍摄…</source>
        <translation>Shooting…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="315"/>
        <source>照片未通过检查: 接受需要填写原因</source>
        <translation>The photo failed the checks: accepting it needs a reason</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="260"/>
        <source>上一位的合格照片已自动接受</source>
        <translation>The previous student&apos;s passing photo was accepted</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="295"/>
        <source>已拍摄过: 回车确认再拍</source>
        <translation>Already photographed: Enter to shoot again</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="297"/>
        <source>按空格拍摄 (或相机快门)</source>
        <translation>Press Space to shoot (or the camera&apos;s shutter)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="267"/>
        <source>相机按钮拍摄的照片已归属此学生</source>
        <translation>The photo taken with the camera button now belongs to this student</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="271"/>
        <source>注意: 此学生名单信息有误, 可按 F3 报告正确信息</source>
        <translation>Note: this student&apos;s roster data has an error; F3 reports the correct value</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="274"/>
        <source>找到 {n} 人: 用 ↑↓ 选择, 回车确认</source>
        <translation>{n} students found: choose with ↑↓, confirm with Enter</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="280"/>
        <source>名单中没有 {code}: 继续输入以搜索, 或按 F2 登记名单外学生</source>
        <translation>{code} is not on the roster: keep typing to search, or F2 to register an unlisted student</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="302"/>
        <source>正在检查…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="302"/>
        <source>R 重拍 · 空格 再拍一张</source>
        <translation>R retake · Space shoot again</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="317"/>
        <source>未归属的照片</source>
        <translation>Photo without a student</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="239"/>
        <source>已接受: {name}</source>
        <translation>Accepted: {name}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="240"/>
        <location filename="../main_window.py" line="249"/>
        <source>请扫描下一位</source>
        <translation>Scan the next student</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="289"/>
        <source>重拍: 按空格拍摄</source>
        <translation>Retake: press Space to shoot</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="356"/>
        <source>上次的照片 ({when})</source>
        <translation>Last photo ({when})</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="311"/>
        <source>F4 选用此张 · Esc 返回</source>
        <translation>F4 select this one · Esc back</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="207"/>
        <source>照片尚未确认</source>
        <translation>Photo not confirmed yet</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="208"/>
        <source>{name} 已拍照片但尚未接受 (已拍未确认)。现在退出, 下次启动时会列出, 扫描后可继续确认。确定退出?</source>
        <translation>{name} has a photo that is not accepted yet (shot, unconfirmed). If you quit now, it is listed at the next start; scan the student to confirm it. Quit anyway?</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="269"/>
        <source>已拍未确认: 上次的照片等待确认 (回车接受 / R 重拍)</source>
        <translation>Shot, unconfirmed: the last photo waits for a decision (Enter accepts / R retakes)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="312"/>
        <source>当前选用的照片 · Esc 返回</source>
        <translation>The selected photo · Esc back</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="374"/>
        <source>电量 {b}</source>
        <translation>battery {b}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="376"/>
        <source>存储卡剩余 {mb:.0f} MB</source>
        <translation>card free {mb:.0f} MB</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="377"/>
        <source>相机已连接</source>
        <translation>Camera connected</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="377"/>
        <location filename="../main_window.py" line="398"/>
        <source>相机未连接</source>
        <translation>No camera</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="394"/>
        <source>相机被系统占用: 请关闭文件管理器或运行 gio mount -s gphoto2 后重试</source>
        <translation>The desktop holds the camera: close the file manager or run gio mount -s gphoto2</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="395"/>
        <source>未找到相机: 请连接USB线并打开相机电源</source>
        <translation>No camera found: connect the USB cable and switch the camera on</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="396"/>
        <source>相机已断开: 请检查USB线和电源, 重新连接后自动恢复</source>
        <translation>Camera disconnected: check the USB cable and power; the station reconnects by itself</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="405"/>
        <source>照片检查: 正在加载模型…</source>
        <translation>Photo checks: loading the models…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="406"/>
        <source>照片检查: 就绪</source>
        <translation>Photo checks: ready</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="407"/>
        <source>照片检查不可用: {d}</source>
        <translation>Photo checks unavailable: {d}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="414"/>
        <source>相机错误</source>
        <translation>Camera error</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="419"/>
        <source>启动检查照片文件夹失败: {e}</source>
        <translation>The start-up check of the capture folder failed: {e}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="426"/>
        <source>还没有导入名单: 菜单 名单 → 导入名单 (或 station roster import 名单.xlsx; 演示: station demo)</source>
        <translation>No roster imported yet: menu Roster → Import roster (or station roster import roster.xlsx; demo: station demo)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="446"/>
        <source>已记录, 将列入勘误表</source>
        <translation>Recorded for the errata form</translation>
    </message>
</context>
<context>
    <name>PasswordFields</name>
    <message>
        <location filename="../jobs.py" line="254"/>
        <source>不加密请留空; 至少 6 位</source>
        <translation>Leave empty for no encryption; at least 6 characters</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="255"/>
        <source>密码 (可选)</source>
        <translation>Password (optional)</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="256"/>
        <source>再次输入密码</source>
        <translation>Password again</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="264"/>
        <source>两次输入的密码不一致</source>
        <translation>The two passwords differ</translation>
    </message>
</context>
<context>
    <name>PathField</name>
    <message>
        <location filename="../jobs.py" line="59"/>
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="79"/>
        <source>选择文件夹</source>
        <translation>Choose a folder</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="81"/>
        <source>选择文件</source>
        <translation>Choose a file</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="83"/>
        <source>保存为</source>
        <translation>Save as</translation>
    </message>
</context>
<context>
    <name>PhotoPainting</name>
    <message>
        <location filename="../photo_frame.py" line="43"/>
        <source>眼睛对准这条线</source>
        <translation>Eyes on this line</translation>
    </message>
    <message>
        <location filename="../photo_frame.py" line="44"/>
        <source>实时取景 · 拍摄时暂停</source>
        <translation>Live view · paused while shooting</translation>
    </message>
    <message>
        <location filename="../photo_frame.py" line="109"/>
        <source>{pct}% · Z 返回全图 · 拖动平移</source>
        <translation>{pct}% · Z whole photo · drag to pan</translation>
    </message>
    <message>
        <location filename="../photo_frame.py" line="111"/>
        <source> · 正在载入原图…</source>
        <translation> · loading the original…</translation>
    </message>
    <message>
        <location filename="../photo_frame.py" line="157"/>
        <source>无曝光信息 (EXIF)</source>
        <translation>No exposure data (EXIF)</translation>
    </message>
    <message>
        <location filename="../photo_frame.py" line="160"/>
        <source>高光溢出 {p:.1f}%</source>
        <translation>highlights clipped {p:.1f}%</translation>
    </message>
    <message>
        <location filename="../photo_frame.py" line="162"/>
        <source>暗部死黑 {p:.1f}%</source>
        <translation>shadows clipped {p:.1f}%</translation>
    </message>
    <message>
        <location filename="../photo_frame.py" line="197"/>
        <source>对比: 左 = 较早的一张, 右 = 当前这张 · C 结束对比</source>
        <translation>Compare: left the earlier take, right this one · C to end</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <location filename="../pin_dialog.py" line="23"/>
        <source>主管 PIN</source>
        <translation>Supervisor PIN</translation>
    </message>
    <message>
        <location filename="../pin_dialog.py" line="31"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../pin_dialog.py" line="36"/>
        <source>再输入一次</source>
        <translation>Enter it again</translation>
    </message>
    <message numerus="yes">
        <location filename="../pin_dialog.py" line="53"/>
        <source>PIN 至少 %n 位</source>
        <translation>
            <numerusform>The PIN needs at least %n character</numerusform>
            <numerusform>The PIN needs at least %n characters</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../pin_dialog.py" line="56"/>
        <source>两次输入的 PIN 不一致</source>
        <translation>The two PINs do not match</translation>
    </message>
</context>
<context>
    <name>QDialog</name>
    <message>
        <location filename="../pin_dialog.py" line="85"/>
        <source>首次启动: 请设置机位主管 PIN。导出、导入名单、删除数据、修改设置和接受不合格照片都需要它。</source>
        <translation>First start: set the station&apos;s supervisor PIN. It is needed to export, import a roster, delete data, change the settings and accept a failing photo.</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <location filename="../jobs.py" line="290"/>
        <source>对账表</source>
        <translation>Reconciliation</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="291"/>
        <source>按学院、班级、机位统计已拍、未拍和缺席原因, 列出未拍学生; 与签字表核对。</source>
        <translation>Photographed, not photographed and reasons for absence by college, class and station; the students not photographed; the check against the sign-in sheets.</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="293"/>
        <source>本半天</source>
        <translation>This half day</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="293"/>
        <source>上午</source>
        <translation>Morning</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="293"/>
        <source>下午</source>
        <translation>Afternoon</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="293"/>
        <source>全天</source>
        <translation>Whole day</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="298"/>
        <source>时段</source>
        <translation>Period</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="299"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="302"/>
        <location filename="../jobs.py" line="307"/>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="303"/>
        <location filename="../jobs.py" line="308"/>
        <source>保存到</source>
        <translation>Save to</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="305"/>
        <source>勘误表</source>
        <translation>Errata form</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="306"/>
        <source>附件3 电子图像采集及勘误反馈表: 现场报告的信息错误、名单外学生和名单中有错误的行。</source>
        <translation>Attachment 3, the errata feedback form: data errors reported at the camera, students not on the roster and roster rows with errors.</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="311"/>
        <source>照片交付导出</source>
        <translation>Photo delivery</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="312"/>
        <source>每位已选定照片的学生: 原片和 480×640 标准照 (以身份证号命名), 按学校/学院/班级分文件夹, 附清单和校对单。再次导出只补写缺少或变化的文件。设置密码则输出 AES 加密压缩包。</source>
        <translation>For every student with a selected photo: the original and the 480×640 standard photo (named by ID number), in school / college / class folders, with a manifest and proof sheets. Exporting again writes only what is missing or changed. With a password the output is an AES-encrypted zip.</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="315"/>
        <source>输出文件夹</source>
        <translation>Output folder</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="319"/>
        <source>生成对账表</source>
        <translation>Write the reconciliation</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="319"/>
        <source>生成勘误表</source>
        <translation>Write the errata form</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="320"/>
        <source>开始导出</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="321"/>
        <source>打开文件夹</source>
        <translation>Open the folder</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="321"/>
        <source>打开文件</source>
        <translation>Open the file</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="346"/>
        <source>请选择保存位置</source>
        <translation>Choose where to save</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="358"/>
        <source>已处理 {done} / {total} 人</source>
        <translation>{done} / {total} students done</translation>
    </message>
</context>
<context>
    <name>RosterImportDialog</name>
    <message>
        <location filename="../jobs.py" line="387"/>
        <source>导入名单</source>
        <translation>Import a roster</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="388"/>
        <source>学校发来的学生名单 (xlsx / xls / csv)。再次导入更正后的名单会更新同一批学生, 不会重复, 也不会删除任何人。每一行的问题都写入问题报告。</source>
        <translation>The school&apos;s student list (xlsx / xls / csv). Importing a corrected roster again updates the same students: nobody is added twice and nobody is deleted. Every row&apos;s problems go into the findings report.</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="390"/>
        <source>名单 (*.xlsx *.xls *.csv);;所有文件 (*)</source>
        <translation>Rosters (*.xlsx *.xls *.csv);;All files (*)</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="391"/>
        <source>名单文件</source>
        <translation>Roster file</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="394"/>
        <source>名单密码</source>
        <translation>Roster password</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="397"/>
        <location filename="../jobs.py" line="459"/>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="398"/>
        <source>打开问题报告</source>
        <translation>Open the findings report</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="412"/>
        <source>请选择名单文件</source>
        <translation>Choose the roster file</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="414"/>
        <source>找不到文件: {path}</source>
        <translation>File not found: {path}</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="424"/>
        <source>读取名单…</source>
        <translation>Reading the roster…</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="425"/>
        <source>检查 {total} 行…</source>
        <translation>Checking {total} rows…</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="426"/>
        <source>写入数据库 {total} 行…</source>
        <translation>Writing {total} rows to the database…</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="427"/>
        <source>完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="442"/>
        <source>用此密码导入</source>
        <translation>Import with this password</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="443"/>
        <source>密码不对, 请重新输入</source>
        <translation>Wrong password: type it again</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="444"/>
        <source>名单有密码保护: 请输入学校提供的密码</source>
        <translation>The roster is password-protected: type the password the school gave</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="453"/>
        <source>确认移出并导入</source>
        <translation>Confirm the removals and import</translation>
    </message>
    <message>
        <location filename="../jobs.py" line="458"/>
        <source>已导入; {n} 行有错误, 见问题报告</source>
        <translation>Imported; {n} rows have errors, see the findings report</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../settings_dialog.py" line="34"/>
        <source>相机 (USB 连接)</source>
        <translation>Camera (USB)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="34"/>
        <source>热文件夹</source>
        <translation>Hot folder</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="35"/>
        <source>摄像头</source>
        <translation>Webcam</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="40"/>
        <source>默认 (通知要求)</source>
        <translation>Default (the notice&apos;s rules)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="40"/>
        <source>蓝色背景</source>
        <translation>Blue backdrop</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="41"/>
        <source>演示</source>
        <translation>Demo</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="64"/>
        <source>机位设置</source>
        <translation>Station settings</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="73"/>
        <source>选择…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="102"/>
        <source> 人/小时</source>
        <translation> per hour</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="109"/>
        <source>机位名称</source>
        <translation>Station name</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="110"/>
        <source>机位编号</source>
        <translation>Station number</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="111"/>
        <location filename="../settings_dialog.py" line="126"/>
        <source>照片保存文件夹</source>
        <translation>Capture folder</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="112"/>
        <source>相机接口</source>
        <translation>Camera backend</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="113"/>
        <source>检查标准</source>
        <translation>Check profile</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="114"/>
        <source>目标速度 (下限)</source>
        <translation>Target rate (low)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="115"/>
        <source>目标速度 (上限)</source>
        <translation>Target rate (high)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="116"/>
        <source>界面语言</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="117"/>
        <source>背景标定</source>
        <translation>Backdrop calibration</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="119"/>
        <source>相机接口和照片文件夹在重新打开窗口后生效。</source>
        <translation>The camera backend and the capture folder take effect when the window is opened again.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="135"/>
        <source>未标定: 按检查标准的颜色判断背景</source>
        <translation>Not calibrated: the backdrop is judged by the check profile&apos;s colour</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="137"/>
        <source>标定背景…</source>
        <translation>Calibrate the backdrop…</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="138"/>
        <source>先拍一张空背景 (没有人), 再选择这张照片</source>
        <translation>First shoot the empty backdrop (no one in it), then choose that photo</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="148"/>
        <source>选择空背景的照片</source>
        <translation>Choose the photo of the empty backdrop</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="149"/>
        <source>照片 (*.jpg *.jpeg *.png *.tif *.tiff)</source>
        <translation>Photos (*.jpg *.jpeg *.png *.tif *.tiff)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="158"/>
        <source>正在测量背景…</source>
        <translation>Measuring the backdrop…</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="164"/>
        <source>注意: </source>
        <translation>Note: </translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="165"/>
        <source>按确定保存</source>
        <translation>Press OK to save</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="174"/>
        <source>请填写机位名称</source>
        <translation>Enter the station name</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="177"/>
        <source>请填写照片保存文件夹</source>
        <translation>Enter the capture folder</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="180"/>
        <source>目标速度下限不能高于上限</source>
        <translation>The low target cannot be above the high one</translation>
    </message>
</context>
<context>
    <name>StationMenus</name>
    <message>
        <location filename="../main_menus.py" line="74"/>
        <source>名单(&amp;L)</source>
        <translation>&amp;Roster</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="74"/>
        <source>照片(&amp;P)</source>
        <translation>&amp;Photos</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="74"/>
        <source>报表(&amp;R)</source>
        <translation>Rep&amp;orts</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="75"/>
        <source>窗口(&amp;W)</source>
        <translation>&amp;Window</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="79"/>
        <source>导入名单…</source>
        <translation>Import a roster…</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="80"/>
        <source>待分配照片 ({n})…</source>
        <translation>Photos waiting for a student ({n})…</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="81"/>
        <source>对账表 (本半天 / 全天)…</source>
        <translation>Reconciliation (half day / day)…</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="82"/>
        <source>勘误表…</source>
        <translation>Errata form…</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="83"/>
        <source>照片交付导出…</source>
        <translation>Photo delivery…</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="84"/>
        <source>排队管理窗口</source>
        <translation>Queue marshal&apos;s window</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="85"/>
        <source>设置…</source>
        <translation>Settings…</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="115"/>
        <source>已拍未确认 {n} 人 (点击姓名继续确认): </source>
        <translation>{n} shot, unconfirmed (click a name to confirm): </translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="137"/>
        <source>查看 (F6)</source>
        <translation>Show (F6)</translation>
    </message>
    <message>
        <location filename="../main_menus.py" line="185"/>
        <source>{title}已完成: {path}</source>
        <translation>{title} done: {path}</translation>
    </message>
</context>
<context>
    <name>StudentCardView</name>
    <message>
        <location filename="../student_card.py" line="74"/>
        <source>学校</source>
        <translation>School</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="75"/>
        <source>学号</source>
        <translation>Student no.</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="76"/>
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="77"/>
        <source>考生号</source>
        <translation>Exam no.</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="78"/>
        <source>专业</source>
        <translation>Major</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="79"/>
        <source>班级</source>
        <translation>Class</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="80"/>
        <source>学院</source>
        <translation>College</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="84"/>
        <source>报告信息错误 (F3)</source>
        <translation>Report a data error (F3)</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="92"/>
        <source>等待扫描</source>
        <translation>Waiting for a scan</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="95"/>
        <source>请扫描身份证或学生证, 或输入学号、姓名、拼音首字母</source>
        <translation>Scan the ID card or student card, or type the student number, name or pinyin initials</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="113"/>
        <source>已拍摄: {when}, 共 {n} 张, {station}</source>
        <translation>Photographed: {when}, {n} shots, {station}</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="116"/>
        <source>再拍一张请按回车确认, 按 Esc 取消</source>
        <translation>Press Enter to confirm another shot, Esc to cancel</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="121"/>
        <source>已拍 {n} 张, 尚未选定</source>
        <translation>{n} shots, none selected yet</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="123"/>
        <source>未拍摄</source>
        <translation>Not photographed yet</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="126"/>
        <source>名单外学生 (将列入勘误表)</source>
        <translation>Not on the roster (goes to the errata form)</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="128"/>
        <source>曾登记为缺拍, 拍摄后自动撤销</source>
        <translation>Was marked absent; photographing clears that</translation>
    </message>
    <message>
        <location filename="../student_card.py" line="130"/>
        <source>名单问题: </source>
        <translation>Roster problem: </translation>
    </message>
    <message>
        <location filename="../student_card.py" line="130"/>
        <source>见名单检查报告</source>
        <translation>see the roster report</translation>
    </message>
</context>
<context>
    <name>ThroughputPanel</name>
    <message>
        <location filename="../throughput_panel.py" line="56"/>
        <source>近60分钟</source>
        <translation>Last 60 min</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="56"/>
        <source>今日</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="56"/>
        <source>平均每人</source>
        <translation>Per student</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="56"/>
        <source>当前</source>
        <translation>Current</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="57"/>
        <source>剩余</source>
        <translation>Remaining</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="57"/>
        <source>预计完成</source>
        <translation>Projected finish</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="65"/>
        <source>目标 150–180 人/小时</source>
        <translation>Target 150–180 per hour</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="68"/>
        <source>— 人/小时</source>
        <translation>— per hour</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="70"/>
        <source>{rate:.0f} 人/小时</source>
        <translation>{rate:.0f} per hour</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="72"/>
        <source>目标 {low}–{high} 人/小时</source>
        <translation>Target {low}–{high} per hour</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="74"/>
        <location filename="../throughput_panel.py" line="75"/>
        <source>{n} 人</source>
        <translation>{n}</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="79"/>
        <source>不到 1 秒</source>
        <translation>under 1 s</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="81"/>
        <source>{s:.0f} 秒</source>
        <translation>{s:.0f} s</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="87"/>
        <source>{left} / {total} 人</source>
        <translation>{left} / {total}</translation>
    </message>
    <message>
        <location filename="../throughput_panel.py" line="92"/>
        <source>已拍完</source>
        <translation>All done</translation>
    </message>
</context>
<context>
    <name>UnlistedDialog</name>
    <message>
        <location filename="../dialogs.py" line="44"/>
        <source>登记名单外学生</source>
        <translation>Register an unlisted student</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="46"/>
        <source>名单中没有此学生。填写后照常拍摄, 该学生会列入勘误表。</source>
        <translation>This student is not on the roster. Fill in the form and shoot as usual; the student goes to the errata form.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="64"/>
        <source>姓名 *</source>
        <translation>Name *</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="65"/>
        <source>学号</source>
        <translation>Student no.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="66"/>
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="67"/>
        <source>性别</source>
        <translation>Gender</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="68"/>
        <source>专业</source>
        <translation>Major</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="69"/>
        <source>班级 *</source>
        <translation>Class *</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="70"/>
        <source>学院 *</source>
        <translation>College *</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="71"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="78"/>
        <source>请填写姓名</source>
        <translation>Enter the name</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="81"/>
        <source>请填写学号或身份证号</source>
        <translation>Enter a student number or an ID number</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="85"/>
        <source>身份证号应为18位 (或15位旧号码)</source>
        <translation>An ID number has 18 characters (or 15 for the old format)</translation>
    </message>
</context>
<context>
    <name>Verdict</name>
    <message>
        <location filename="../verdict.py" line="14"/>
        <source>人脸数</source>
        <translation>faces</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="15"/>
        <source>构图</source>
        <translation>framing</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="16"/>
        <source>姿态</source>
        <translation>pose</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="17"/>
        <source>睁眼</source>
        <translation>eyes open</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="18"/>
        <source>眼镜</source>
        <translation>glasses</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="19"/>
        <source>眉毛</source>
        <translation>eyebrows</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="20"/>
        <source>耳朵</source>
        <translation>ears</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="21"/>
        <source>白色上衣</source>
        <translation>white top</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="22"/>
        <source>清晰度</source>
        <translation>sharpness</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="23"/>
        <source>曝光</source>
        <translation>exposure</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="24"/>
        <source>背景</source>
        <translation>background</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="25"/>
        <source>饰品</source>
        <translation>jewellery</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="36"/>
        <source>合格 ✓</source>
        <translation>Pass ✓</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="38"/>
        <source>合格 (有提醒)</source>
        <translation>Pass (with notes)</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="40"/>
        <source>合格 (部分项目未检查)</source>
        <translation>Pass (some checks not run)</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="41"/>
        <location filename="../verdict.py" line="44"/>
        <source>回车 接受 · R 重拍</source>
        <translation>Enter accept · R retake</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="43"/>
        <source>未检查</source>
        <translation>Not checked</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="47"/>
        <source>不合格 ✗</source>
        <translation>Fail ✗</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="49"/>
        <source>无法检查 ✗</source>
        <translation>Cannot be checked ✗</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="50"/>
        <source>R 重拍 · 回车 填写原因后接受</source>
        <translation>R retake · Enter accept with a reason</translation>
    </message>
    <message>
        <location filename="../verdict.py" line="54"/>
        <source>未能检查: {names}</source>
        <translation>Not checked: {names}</translation>
    </message>
</context>
<context>
    <name>WaitingPanel</name>
    <message>
        <location filename="../waiting_panel.py" line="142"/>
        <source>待分配照片</source>
        <translation>Photos waiting for a student</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="143"/>
        <source>分配给学生: 输入学号、身份证号 (或后6位)、姓名或拼音首字母</source>
        <translation>Give to a student: type the student number, ID number (or its last 6), name or pinyin initials</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="144"/>
        <source>搜索学生</source>
        <translation>Find a student</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="145"/>
        <source>该学生还没有选用照片时, 设为选用照片 (须通过检查)</source>
        <translation>Make it the selected photo when the student has none (if it passes the checks)</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="146"/>
        <source>分配给所选学生</source>
        <translation>Give to the chosen student</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="147"/>
        <source>移出原因 (可不填)</source>
        <translation>Why it is taken off (optional)</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="148"/>
        <source>移出列表 (文件保留)</source>
        <translation>Take off the list (the file stays)</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="149"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="192"/>
        <source>已核对校验值</source>
        <translation>checksums verified</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="193"/>
        <source>正在核对校验值…</source>
        <translation>verifying checksums…</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="194"/>
        <source>文件问题 ({n}) · {checked}</source>
        <translation>File problems ({n}) · {checked}</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="200"/>
        <source>{n} 张照片还没有归属学生: 选中一张, 分配给学生或移出列表。</source>
        <translation>{n} photos belong to no student: choose one, then give it to a student or take it off the list.</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="201"/>
        <source>没有待分配的照片。</source>
        <translation>No photos are waiting for a student.</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="203"/>
        <source>启动时在照片文件夹中找回 {n} 张数据库中没有记录的照片 (程序曾在保存后、登记前中断)。</source>
        <translation>At start-up {n} photos were found in the capture folder that the database did not know (the station stopped after saving them, before recording them).</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="208"/>
        <source>找回</source>
        <translation>recovered</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="208"/>
        <source>相机按钮</source>
        <translation>camera button</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="211"/>
        <source>文件不见了</source>
        <translation>file missing</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="231"/>
        <source>无预览</source>
        <translation>no preview</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="249"/>
        <source>合格</source>
        <translation>pass</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="249"/>
        <source>合格 (有提醒)</source>
        <translation>pass (with a warning)</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="249"/>
        <source>不合格</source>
        <translation>fail</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="250"/>
        <source>无法检查</source>
        <translation>could not be checked</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="250"/>
        <source>未检查 (分配时检查)</source>
        <translation>not checked yet (checked when given to a student)</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="251"/>
        <source>拍摄时间 {when}
检查: {verdict}
{path}</source>
        <translation>Taken {when}
Checks: {verdict}
{path}</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="256"/>
        <source>分配给文件名中的学生: {name} {no} {klass}</source>
        <translation>Give to the student in the file name: {name} {no} {klass}</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="296"/>
        <source>正在分配并检查照片…</source>
        <translation>Giving the photo and checking it…</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="309"/>
        <source>已分配给 {who}, 并设为选用照片</source>
        <translation>Given to {who} and made the selected photo</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="311"/>
        <source>已分配给 {who}</source>
        <translation>Given to {who}</translation>
    </message>
    <message>
        <location filename="../waiting_panel.py" line="319"/>
        <source>已移出列表, 文件保留: {path}</source>
        <translation>Taken off the list; the file stays: {path}</translation>
    </message>
</context>
<context>
    <name>WindowDialogs</name>
    <message>
        <location filename="../main_dialogs.py" line="36"/>
        <source>请先扫描学生</source>
        <translation>Scan a student first</translation>
    </message>
    <message>
        <location filename="../main_dialogs.py" line="58"/>
        <source>设置已保存</source>
        <translation>Settings saved</translation>
    </message>
</context>
<context>
    <name>WindowInput</name>
    <message>
        <location filename="../main_input.py" line="56"/>
        <source>没有找到: {q}</source>
        <translation>Nothing found: {q}</translation>
    </message>
    <message>
        <location filename="../main_input.py" line="81"/>
        <source>相机未连接, 无法拍摄</source>
        <translation>No camera connected: cannot shoot</translation>
    </message>
    <message>
        <location filename="../main_input.py" line="115"/>
        <source>只有一张照片, 没有可对比的</source>
        <translation>Only one photo: nothing to compare</translation>
    </message>
    <message>
        <location filename="../main_input.py" line="125"/>
        <source>当前这张</source>
        <translation>This one</translation>
    </message>
    <message>
        <location filename="../main_input.py" line="125"/>
        <source>另一张</source>
        <translation>The other one</translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <location filename="../pin_dialog.py" line="67"/>
        <source>%1需要主管 PIN</source>
        <translation>%1: the supervisor PIN is needed</translation>
    </message>
</context>
</TS>
