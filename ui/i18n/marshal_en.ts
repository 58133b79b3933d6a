<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>AbsenceDialog</name>
    <message>
        <location filename="../marshal_dialogs.py" line="17"/>
        <source>标记缺席</source>
        <translation>Mark absent</translation>
    </message>
    <message>
        <location filename="../marshal_dialogs.py" line="26"/>
        <source>具体原因 (选“其他”时必填)</source>
        <translation>Details (required for “other”)</translation>
    </message>
    <message>
        <location filename="../marshal_dialogs.py" line="27"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../marshal_dialogs.py" line="28"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>MarshalWindow</name>
    <message>
        <location filename="../marshal_window.py" line="218"/>
        <source>候场引导 · 已拍未拍 / 每 10 人一组</source>
        <translation>Queue marshal · done and missing / groups of ten</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="31"/>
        <source>学院 / 班级</source>
        <translation>College / class</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="31"/>
        <source>名单</source>
        <translation>Roster</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="31"/>
        <location filename="../marshal_widgets.py" line="124"/>
        <source>已拍</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="31"/>
        <source>缺席</source>
        <translation>Absent</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="31"/>
        <source>未拍</source>
        <translation>Left</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="108"/>
        <source>学号</source>
        <translation>Student no.</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="108"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="108"/>
        <source>性别</source>
        <translation>Gender</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="108"/>
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="109"/>
        <source>组</source>
        <translation>Group</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="109"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="108"/>
        <source>名单行</source>
        <translation>Roster row</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="221"/>
        <source>已叫下一组 (F8)</source>
        <translation>Next group called (F8)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="222"/>
        <source>撤销叫组</source>
        <translation>Undo call</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="223"/>
        <source>按实测速度重排剩余</source>
        <translation>Re-plan the rest at measured speed</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="224"/>
        <source>按各机位近一小时的实际速度, 从现在起重排还没拍的组 (签字表时间和叫组顺序随之更新)</source>
        <translation>Re-plan the groups not yet photographed from now, at each station&apos;s speed over the last hour (sign-in sheet times and the call order follow)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="225"/>
        <source>标记缺席… (F9)</source>
        <translation>Mark absent… (F9)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="226"/>
        <source>取消缺席, 已到 (F10)</source>
        <translation>Clear absence, arrived (F10)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="227"/>
        <source>显示已拍</source>
        <translation>Show photographed</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="232"/>
        <source>手机页面: 开</source>
        <translation>Phone page: on</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="232"/>
        <source>手机页面: 关</source>
        <translation>Phone page: off</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="241"/>
        <source>名单 {0} · 已拍 {1} · 缺席 {2} · 未拍 {3}</source>
        <translation>Roster {0} · done {1} · absent {2} · left {3}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="245"/>
        <source>本机位剩 {0} 人 · {1:.0f} 人/小时 · 预计 {2} 结束</source>
        <translation>{0} left on this station · {1:.0f}/h · done by {2}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="248"/>
        <source>本机位剩 {0} 人</source>
        <translation>{0} left on this station</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="250"/>
        <source>本机位已拍完</source>
        <translation>This station is done</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="266"/>
        <source>{0} (本机)</source>
        <translation>{0} (this laptop)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="267"/>
        <source>{0} 已拍 {1} 人</source>
        <translation>{0}: {1} photographed</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="268"/>
        <source>还没有机位</source>
        <translation>no station yet</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="270"/>
        <source>叫组顺序按本机位 ({0})</source>
        <translation>groups are called in the order of this station ({0})</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="272"/>
        <source>数据来源: {db} · 计入 {stations}。{order}; {site}</source>
        <translation>Data from: {db} · counting {stations}. {order}; {site}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="274"/>
        <source>数据来源: {db} · 计入 {stations}。{order}; 其他笔记本的拍摄合并 (station merge) 到此数据库后才计入。</source>
        <translation>Data: {db} · counts {stations}. {order}; another laptop&apos;s shots count once merged into this database (station merge).</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="279"/>
        <source>正在读取…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="282"/>
        <source>数据 {0} ({1} 秒前)</source>
        <translation>Data {0} ({1} s ago)</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="61"/>
        <source>  ✓ 已拍完, 请与带队老师核对</source>
        <translation>  ✓ done: check with the teacher</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="72"/>
        <source>(未填班级)</source>
        <translation>(no class)</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="74"/>
        <source> (+{0} 名单外)</source>
        <translation> (+{0} not on the roster)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="287"/>
        <source>当前组: 还没有叫组</source>
        <translation>Current group: none called yet</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="293"/>
        <source>当前组 (按最近拍摄自动判断)</source>
        <translation>Current group (from the last photo)</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="293"/>
        <source>当前组</source>
        <translation>Current group</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="296"/>
        <source> · {0} 叫</source>
        <translation> · called {0}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="300"/>
        <source>已拍 {0}/{1} · 缺席 {2} · 待拍 {3}</source>
        <translation>Done {0}/{1} · absent {2} · waiting {3}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="305"/>
        <source>当前组已拍 {0}/{1}: 请叫下一组 — {2} ({3} 人)</source>
        <translation>Current group {0}/{1} done: call the next group — {2} ({3})</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="308"/>
        <source>当前组已拍 {0}/{1}: 没有待叫的组了</source>
        <translation>Current group {0}/{1} done: no group left to call</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="313"/>
        <source>&lt;b&gt;下一组:&lt;/b&gt; 没有待叫的学生</source>
        <translation>&lt;b&gt;Next group:&lt;/b&gt; nobody left to call</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="318"/>
        <source> · 计划 {0}–{1} 机位{2}</source>
        <translation> · planned {0}–{1} station {2}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="323"/>
        <source>&lt;b&gt;下一组:&lt;/b&gt; {0}{1} · 要叫 {2} 人: {3}</source>
        <translation>&lt;b&gt;Next group:&lt;/b&gt; {0}{1} · {2} to call: {3}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="357"/>
        <source>{0} {1}: 未拍 {2} · 缺席 {3} · 已拍 {4}/{5}</source>
        <translation>{0} {1}: left {2} · absent {3} · done {4}/{5}</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="125"/>
        <source>缺席: {0}</source>
        <translation>Absent: {0}</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="126"/>
        <source>待拍</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="127"/>
        <source>已拍未确认</source>
        <translation>Shot, unconfirmed</translation>
    </message>
    <message>
        <location filename="../marshal_widgets.py" line="130"/>
        <source> · 名单有误</source>
        <translation> · roster problem</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="385"/>
        <source>已叫: {0}</source>
        <translation>Called: {0}</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="391"/>
        <source>已按实测速度重排剩余学生, 签字表和叫组顺序已更新</source>
        <translation>Re-planned the remaining students at the measured speed; sign-in sheets and call order updated</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="394"/>
        <source>已撤销上一次叫组</source>
        <translation>Last call undone</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="399"/>
        <source>请先在列表中选一名学生</source>
        <translation>Select a student in the list first</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="402"/>
        <source>{0} 已拍照</source>
        <translation>{0} is already photographed</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="411"/>
        <source>{0}: 已标记缺席</source>
        <translation>{0}: marked absent</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="418"/>
        <source>请选择一名缺席的学生</source>
        <translation>Select an absent student</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="421"/>
        <source>{0}: 已取消缺席</source>
        <translation>{0}: absence cleared</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="438"/>
        <source>手机页面</source>
        <translation>Phone page</translation>
    </message>
    <message>
        <location filename="../marshal_window.py" line="444"/>
        <source>用手机扫码查看 (仅限同一局域网, 只读, 姓名已隐去部分, 不显示身份证号)。
地址: {0}
访问码: {1}</source>
        <translation>Scan with a phone (same local network only, read-only, names shortened, no ID numbers).
Address: {0}
Access code: {1}</translation>
    </message>
</context>
<context>
    <name>SignedCountsDialog</name>
    <message>
        <location filename="../signed_counts.py" line="52"/>
        <source>录入签字人数</source>
        <translation>Enter signed counts</translation>
    </message>
    <message>
        <location filename="../signed_counts.py" line="62"/>
        <source>全部学院</source>
        <translation>All colleges</translation>
    </message>
    <message>
        <location filename="../signed_counts.py" line="63"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../signed_counts.py" line="66"/>
        <source>学院</source>
        <translation>College</translation>
    </message>
    <message>
        <location filename="../signed_counts.py" line="80"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../signed_counts.py" line="82"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../signed_counts.py" line="101"/>
        <source>读取中…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../signed_counts.py" line="180"/>
        <source>没有改动</source>
        <translation>No changes</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../signed_counts.py" line="199"/>
        <source>录入签字人数…</source>
        <translation>Enter signed counts…</translation>
    </message>
    <message>
        <location filename="../signed_counts.py" line="200"/>
        <source>按签字表逐组录入签字人数, 用于半天对账的签字核对</source>
        <translation>Enter the signed sheets&apos; counts group by group, for the half-day reconciliation&apos;s signature check</translation>
    </message>
</context>
</TS>
