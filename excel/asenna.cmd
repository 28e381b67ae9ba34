@echo off
rem Tyollisyysohjelma 2026: kaksoisnapsauta asentaaksesi paatyokirjan Python-osan kayttajan omaan
rem kansioon ilman yllapitajan oikeuksia. Valitsimet valitetaan asenna.ps1:lle, esim.
rem   asenna.cmd -Wheelhouse \\palvelin\jako\tyollisyys-paketit
rem Ohje IT:lle: docs/excel.md (ExecutionPolicy Bypass koskee vain tata ajoa).
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0asenna.ps1" %*
set "result=%errorlevel%"
echo.
pause
exit /b %result%
