<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<!--
  Hand-kept entries that pyside6-lupdate cannot find (see README.md): strings passed to
  tr() through a variable, and tr() called on another object than self (its context at
  run time is that object's class). lupdate never rewrites this file; lrelease merges it
  into marshal_en.qm.
-->
<context>
    <name>MarshalWindow</name>
    <message>
        <source>录入签字人数…</source>
        <translation>Enter signed counts…</translation>
    </message>
    <message>
        <source>按签字表逐组录入签字人数, 用于半天对账的签字核对</source>
        <translation>Enter the signed sheets&apos; counts group by group, for the half-day reconciliation&apos;s signature check</translation>
    </message>
</context>
<context>
    <name>SignedCountsDialog</name>
    <message>
        <source>班级</source>
        <translation>Class</translation>
    </message>
    <message>
        <source>组</source>
        <translation>Group</translation>
    </message>
    <message>
        <source>应到</source>
        <translation>Expected</translation>
    </message>
    <message>
        <source>已拍(机位)</source>
        <translation>Shot (station)</translation>
    </message>
    <message>
        <source>签字人数</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>差</source>
        <translation>Difference</translation>
    </message>
</context>
</TS>
