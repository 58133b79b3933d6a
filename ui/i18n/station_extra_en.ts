<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<!--
  Hand-kept entries that pyside6-lupdate cannot find (see README.md): strings passed to
  tr() through a variable, and tr() called on another object than self (its context at
  run time is that object's class). lupdate never rewrites this file; lrelease merges it
  into station_en.qm.
-->
<context>
    <name>CloseupPanel</name>
    <message>
        <source>已确认: 检查结果正确</source>
        <translation>Confirmed: the check is right</translation>
    </message>
    <message>
        <source>已推翻: 检查结果有误</source>
        <translation>Overruled: the check is wrong</translation>
    </message>
</context>
<context>
    <name>QWidget</name>
    <message>
        <source>%1需要主管 PIN</source>
        <translation>%1: the supervisor PIN is needed</translation>
    </message>
</context>
</TS>
