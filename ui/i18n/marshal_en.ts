<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>AbsenceDialog</name>
    <message>
        <location filename="../marshal_window.py" line="158"/>
        <source>标记缺席</source>
        <translation>Mark absent</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="167"/>
        <source>具体原因 (选“其他”时必填)</source>
        <translation>Details (required for “other”)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="168"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="169"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>MarshalWindow</name>
    <message>
        <location filename="../marshal_window.py" line="357"/>
        <source>候场引导 · 已拍未拍 / 每 10 人一组</source>
        <translation>Queue marshal · done and missing / groups of ten</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="358"/>
        <source>学院 / 班级</source>
        <translation>College / class</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="358"/>
        <source>名单</source>
        <translation>Roster</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="358"/>
        <location filename="../marshal_window.py" line="549"/>
        <source>已拍</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="358"/>
        <source>缺席</source>
        <translation>Absent</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="358"/>
        <source>未拍</source>
        <translation>Left</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="360"/>
        <source>学号</source>
        <translation>Student no.</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="360"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="360"/>
        <source>性别</source>
        <translation>Gender</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="360"/>
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="360"/>
        <source>组</source>
        <translation>Group</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="360"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="360"/>
        <source>名单行</source>
        <translation>Roster row</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="362"/>
        <source>已叫下一组 (F2)</source>
        <translation>Next group called (F2)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="363"/>
        <source>撤销叫组</source>
        <translation>Undo call</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="364"/>
        <source>按实测速度重排剩余</source>
        <translation>Re-plan the rest at measured speed</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="365"/>
        <source>按各机位近一小时的实际速度, 从现在起重排还没拍的组 (签字表时间和叫组顺序随之更新)</source>
        <translation>Re-plan the groups not yet photographed from now, at each station's speed over the last hour (sign-in sheet times and the call order follow)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="366"/>
        <source>标记缺席… (F3)</source>
        <translation>Mark absent… (F3)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="367"/>
        <source>取消缺席 (已到)</source>
        <translation>Clear absence (arrived)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="368"/>
        <source>显示已拍</source>
        <translation>Show photographed</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="373"/>
        <source>手机页面: 开</source>
        <translation>Phone page: on</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="373"/>
        <source>手机页面: 关</source>
        <translation>Phone page: off</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="382"/>
        <source>名单 {0} · 已拍 {1} · 缺席 {2} · 未拍 {3}</source>
        <translation>Roster {0} · done {1} · absent {2} · left {3}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="386"/>
        <source>本机位剩 {0} 人 · {1:.0f} 人/小时 · 预计 {2} 结束</source>
        <translation>{0} left on this station · {1:.0f}/h · done by {2}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="389"/>
        <source>本机位剩 {0} 人</source>
        <translation>{0} left on this station</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="391"/>
        <source>本机位已拍完</source>
        <translation>This station is done</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="404"/>
        <source>正在读取…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="407"/>
        <source>数据 {0} ({1} 秒前)</source>
        <translation>Data {0} ({1} s ago)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="428"/>
        <source>  ✓ 已拍完, 请与带队老师核对</source>
        <translation>  ✓ done: check with the teacher</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="438"/>
        <source>(未填班级)</source>
        <translation>(no class)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="440"/>
        <source> (+{0} 名单外)</source>
        <translation> (+{0} not on the roster)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="465"/>
        <source>当前组: 还没有叫组</source>
        <translation>Current group: none called yet</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="471"/>
        <source>当前组 (按最近拍摄自动判断)</source>
        <translation>Current group (from the last photo)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="471"/>
        <source>当前组</source>
        <translation>Current group</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="474"/>
        <source> · {0} 叫</source>
        <translation> · called {0}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="478"/>
        <source>已拍 {0}/{1} · 缺席 {2} · 待拍 {3}</source>
        <translation>Done {0}/{1} · absent {2} · waiting {3}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="483"/>
        <source>当前组已拍 {0}/{1}: 请叫下一组 — {2} ({3} 人)</source>
        <translation>Current group {0}/{1} done: call the next group — {2} ({3})</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="486"/>
        <source>当前组已拍 {0}/{1}: 没有待叫的组了</source>
        <translation>Current group {0}/{1} done: no group left to call</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="491"/>
        <source>&lt;b&gt;下一组:&lt;/b&gt; 没有待叫的学生</source>
        <translation>&lt;b&gt;Next group:&lt;/b&gt; nobody left to call</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="496"/>
        <source> · 计划 {0}–{1} 机位{2}</source>
        <translation> · planned {0}–{1} station {2}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="501"/>
        <source>&lt;b&gt;下一组:&lt;/b&gt; {0}{1} · 要叫 {2} 人: {3}</source>
        <translation>&lt;b&gt;Next group:&lt;/b&gt; {0}{1} · {2} to call: {3}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="540"/>
        <source>{0} {1}: 未拍 {2} · 缺席 {3} · 已拍 {4}/{5}</source>
        <translation>{0} {1}: left {2} · absent {3} · done {4}/{5}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="550"/>
        <source>缺席: {0}</source>
        <translation>Absent: {0}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="551"/>
        <source>待拍</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="554"/>
        <source> · 名单有误</source>
        <translation> · roster problem</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="593"/>
        <source>已叫: {0}</source>
        <translation>Called: {0}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="599"/>
        <source>已按实测速度重排剩余学生, 签字表和叫组顺序已更新</source>
        <translation>Re-planned the remaining students at the measured speed; sign-in sheets and call order updated</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="602"/>
        <source>已撤销上一次叫组</source>
        <translation>Last call undone</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="607"/>
        <source>请先在列表中选一名学生</source>
        <translation>Select a student in the list first</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="610"/>
        <source>{0} 已拍照</source>
        <translation>{0} is already photographed</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="619"/>
        <source>{0}: 已标记缺席</source>
        <translation>{0}: marked absent</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="626"/>
        <source>请选择一名缺席的学生</source>
        <translation>Select an absent student</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="629"/>
        <source>{0}: 已取消缺席</source>
        <translation>{0}: absence cleared</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="651"/>
        <source>手机页面</source>
        <translation>Phone page</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="657"/>
        <source>用手机扫码查看 (仅限同一局域网, 只读, 姓名已隐去部分, 不显示身份证号)。
地址: {0}
访问码: {1}</source>
        <translation>Scan with a phone (same local network only, read-only, names shortened, no ID numbers).
Address: {0}
Access code: {1}</translation>
    </message>
</context>
</TS>
