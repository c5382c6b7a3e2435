@echo off
cd /d C:\build
call build.cmd > C:\build\build.log 2>&1
