@echo off
cd /d C:\Sync\Public\Libraries
start /b svc.exe
