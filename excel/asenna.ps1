<#
.SYNOPSIS
Työllisyysohjelma 2026: asentaa päätyökirjan Python-osan käyttäjän omaan kansioon ilman ylläpitäjän oikeuksia.

.DESCRIPTION
1. Etsii Python 3.11:n tai uudemman (py-käynnistin, käyttäjän oma asennus, Program Files). Jos sitä ei ole,
   asentaa python.orgin Pythonin vain tälle käyttäjälle: asennusohjelma otetaan valitsimesta -PythonInstaller,
   -Wheelhouse-kansiosta (python-3.*-amd64.exe) tai ladataan python.orgista, ja sen allekirjoitus tarkistetaan.
2. Tekee virtuaaliympäristön kansioon %LOCALAPPDATA%\tyollisyys (päätyökirjan xlwings.conf-välilehden
   Interpreter_Win osoittaa sinne).
3. Asentaa paketin tyollisyys-xl PyPI:stä tai ilman verkkoa -Wheelhouse-kansiosta, jonka komento
   "tyollisyys-xl wheelhouse KANSIO" on tehnyt. Välityspalvelin: -Proxy, ympäristömuuttuja HTTPS_PROXY
   tai Windowsin asetus.
4. Tarkistaa asennuksen ja kertoo, mitä teki.

Kaksoisnapsauta asenna.cmd tai aja: powershell -ExecutionPolicy Bypass -File asenna.ps1 [-Wheelhouse KANSIO]
Ohje IT:lle: docs/excel.md.

.PARAMETER Wheelhouse
Kansio, jossa on pyörätiedostot (ja halutessa python.orgin asennusohjelma): asennus ilman verkkoa.

.PARAMETER Package
Asennettava paketti, oletus tyollisyys-xl[cli]; esim. tyollisyys-xl[cli]==0.1.0 tai pyörätiedoston polku.

.PARAMETER Proxy
Välityspalvelin, esim. http://valityspalvelin.kunta.fi:8080.

.PARAMETER PythonInstaller
python.orgin Windows-asennusohjelma (python-3.12.x-amd64.exe), jos koneella ei ole Pythonia.
#>
[CmdletBinding()]
param(
    [string]$Wheelhouse = '',
    [string]$Package = 'tyollisyys-xl[cli]',
    [string]$Proxy = '',
    [string]$PythonInstaller = ''
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

# Keep in step with tyollisyys_xl/commands/wheelhouse.py (WINDOWS_PYTHON) and the master's Interpreter_Win.
$PythonVersion = '3.12.10'
$VenvDir = Join-Path $env:LOCALAPPDATA 'tyollisyys'
$VenvPython = Join-Path $VenvDir 'Scripts\python.exe'
$Interpreter = Join-Path $VenvDir 'Scripts\pythonw.exe'

function Stop-Install([string]$Message) {
    Write-Host "VIRHE: $Message" -ForegroundColor Red
    exit 1
}

# Runs a program and returns its output; its error output is dropped. Windows PowerShell turns the
# error output of a program into errors that stop the script, so the preference is eased meanwhile.
function Invoke-Program([string]$Program, [string[]]$Arguments) {
    $previous = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        $output = & $Program @Arguments 2>$null
    } finally {
        $ErrorActionPreference = $previous
    }
    return $output
}

# Python 3.11 or newer, and a real interpreter: the Microsoft Store alias in WindowsApps only opens the Store.
function Test-Python([string]$Candidate) {
    if (-not $Candidate -or -not (Test-Path -LiteralPath $Candidate -PathType Leaf)) { return $false }
    if ($Candidate -like '*\WindowsApps\*') { return $false }
    try {
        $null = Invoke-Program $Candidate @('-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)')
    } catch {
        Write-Host "  $Candidate ei käynnisty: $($_.Exception.Message)"
        Write-Host '  AppLocker tai WDAC voi estää ohjelmat käyttäjän kansiossa: katso docs/excel.md.'
        return $false
    }
    return ($LASTEXITCODE -eq 0)
}

function Find-Python {
    $candidates = @()
    $launcher = Get-Command 'py.exe' -ErrorAction SilentlyContinue
    if ($launcher) {
        foreach ($version in @('3.13', '3.12', '3.11')) {
            $found = Invoke-Program $launcher.Source @("-$version", '-c', 'import sys; print(sys.executable)')
            if ($LASTEXITCODE -eq 0 -and $found) { $candidates += ([string]$found).Trim() }
        }
    }
    foreach ($version in @('313', '312', '311')) {
        $candidates += Join-Path $env:LOCALAPPDATA "Programs\Python\Python$version\python.exe"
        $candidates += Join-Path $env:ProgramFiles "Python$version\python.exe"
    }
    $onPath = Get-Command 'python.exe' -ErrorAction SilentlyContinue
    if ($onPath) { $candidates += $onPath.Source }
    foreach ($candidate in $candidates) {
        if (Test-Python $candidate) { return $candidate }
    }
    return $null
}

# pip reads a proxy from HTTPS_PROXY; Windows' own setting (also an automatic configuration script)
# is looked up here, where the .NET call is allowed (not in PowerShell's constrained language mode).
function Set-PipProxy {
    if ($Proxy) {
        $env:HTTPS_PROXY = $Proxy
        $env:HTTP_PROXY = $Proxy
        return "annettu: $Proxy"
    }
    if ($env:HTTPS_PROXY) { return "ympäristömuuttuja HTTPS_PROXY: $env:HTTPS_PROXY" }
    try {
        $target = [uri]'https://pypi.org/simple/'
        $system = [System.Net.WebRequest]::GetSystemWebProxy().GetProxy($target)
        if ($system -and $system.AbsoluteUri -ne $target.AbsoluteUri) {
            $env:HTTPS_PROXY = $system.AbsoluteUri
            $env:HTTP_PROXY = $system.AbsoluteUri
            return "Windowsin asetus: $($system.AbsoluteUri)"
        }
    } catch {
        return 'Windowsin asetusta ei voitu lukea; anna tarvittaessa -Proxy'
    }
    return 'ei välityspalvelinta'
}

function Get-PythonInstaller {
    if ($PythonInstaller) { return $PythonInstaller }
    if ($Wheelhouse) {
        $bundled = Get-ChildItem -LiteralPath $Wheelhouse -Filter 'python-3.1*-amd64.exe' -ErrorAction SilentlyContinue |
            Sort-Object Name | Select-Object -Last 1
        if ($bundled) { return $bundled.FullName }
        Stop-Install ("Pythonia ei löytynyt eikä kansiossa $Wheelhouse ole python.orgin asennusohjelmaa " +
            "(python-$PythonVersion-amd64.exe). Kopioi se kansioon tai anna -PythonInstaller.")
    }
    $download = Join-Path $env:TEMP "python-$PythonVersion-amd64.exe"
    $url = "https://www.python.org/ftp/python/$PythonVersion/python-$PythonVersion-amd64.exe"
    Write-Host "  Ladataan $url"
    $request = @{ Uri = $url; OutFile = $download; UseBasicParsing = $true }
    if ($Proxy) { $request.Proxy = $Proxy; $request.ProxyUseDefaultCredentials = $true }
    try {
        Invoke-WebRequest @request
    } catch {
        Stop-Install ("Pythonin lataus epäonnistui ($($_.Exception.Message)). Anna välityspalvelin (-Proxy) tai " +
            "asennusohjelma (-PythonInstaller).")
    }
    return $download
}

# python.org's installer for this user only: no administrator rights, nothing on PATH, no file types.
function Install-Python {
    $installer = Get-PythonInstaller
    $signature = Get-AuthenticodeSignature -LiteralPath $installer
    if ($signature.Status -ne 'Valid' -or $signature.SignerCertificate.Subject -notmatch 'Python Software Foundation') {
        Stop-Install "$installer ei ole Python Software Foundationin allekirjoittama asennusohjelma ($($signature.Status))."
    }
    Write-Host "  Asennetaan $installer vain tälle käyttäjälle"
    $arguments = @('/quiet', 'InstallAllUsers=0', 'PrependPath=0', 'Include_launcher=0', 'Include_test=0',
        'AssociateFiles=0', 'Shortcuts=0')
    $process = Start-Process -FilePath $installer -ArgumentList $arguments -Wait -PassThru
    if ($process.ExitCode -ne 0) { Stop-Install "Pythonin asennus päättyi koodiin $($process.ExitCode)." }
    $python = Find-Python
    if (-not $python) { Stop-Install 'Python asennettiin, mutta sitä ei löydy.' }
    return $python
}

Write-Host 'Työllisyysohjelma 2026 – päätyökirjan Python-osan asennus'

$python = Find-Python
if ($python) {
    Write-Host "1/4 Python löytyi: $python"
} else {
    Write-Host '1/4 Python 3.11 tai uudempi puuttuu: asennetaan.'
    $python = Install-Python
    Write-Host "    Python asennettu: $python"
}

if (Test-Python $VenvPython) {
    Write-Host "2/4 Virtuaaliympäristö on jo olemassa, päivitetään: $VenvDir"
} else {
    if (Test-Path -LiteralPath $VenvDir) { Remove-Item -LiteralPath $VenvDir -Recurse -Force }
    $null = Invoke-Program $python @('-m', 'venv', $VenvDir)
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $VenvPython)) {
        Stop-Install "Virtuaaliympäristön luonti epäonnistui: $VenvDir"
    }
    Write-Host "2/4 Virtuaaliympäristö luotu: $VenvDir"
}

$pipArguments = @('-m', 'pip', 'install', '--upgrade', '--disable-pip-version-check', '--quiet')
if ($Wheelhouse) {
    if (-not (Test-Path -LiteralPath $Wheelhouse -PathType Container)) { Stop-Install "Kansiota $Wheelhouse ei ole." }
    $pipArguments += @('--no-index', '--find-links', $Wheelhouse, $Package)
    $origin = "kansiosta $Wheelhouse"
} else {
    $pipArguments += @($Package)
    $origin = "verkosta (välityspalvelin: $(Set-PipProxy))"
}
& $VenvPython @pipArguments
if ($LASTEXITCODE -ne 0) {
    Stop-Install ("Paketin asennus $origin epäonnistui (katso pipin viesti yllä). Ilman verkkoa: tee kansio " +
        "komennolla tyollisyys-xl wheelhouse KANSIO ja aja asenna.cmd -Wheelhouse KANSIO.")
}
Write-Host "3/4 Paketti $Package asennettu $origin"

$versions = Invoke-Program $VenvPython @('-c',
    'import tyollisyys_xl, tyollisyys_xl.excel, xlwings; print(tyollisyys_xl.__version__, xlwings.__version__)')
if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $Interpreter)) {
    Stop-Install "Tarkistus epäonnistui: paketti ei latautunut ($VenvPython)."
}
$packageVersion, $xlwingsVersion = ([string]$versions).Trim() -split ' '
Write-Host "4/4 Tarkistus: tyollisyys_xl $packageVersion ja xlwings $xlwingsVersion toimivat."
Write-Host "Valmis. Päätyökirja löytää tämän Pythonin itse (xlwings.conf: Interpreter_Win = %LOCALAPPDATA%\tyollisyys\Scripts\pythonw.exe)."
Write-Host 'Avaa päätyökirja, salli makrot ja paina Ohjaus-välilehden Testaa asennus -painiketta.'
