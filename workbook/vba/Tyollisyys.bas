Attribute VB_Name = "Tyollisyys"
' The five buttons on the Ohjaus sheet. Each runs one entry point of the Python package
' tyollisyys_xl.excel through xlwings' RunPython (module xlwings in this project).
' The commands are fixed here: no code is ever taken from cell contents.
' Source: workbook/vba/Tyollisyys.bas; the builder (tyollisyys-xl build) embeds it.
Option Explicit

' Testaa asennus (below). Module-level declarations must precede every procedure in VBA.
Private Const SELF_TEST_TITLE As String = "Testaa asennus"
' Python run by the fourth check: writes its version, xlwings' and tyollisyys_xl's, one per line.
' An import that fails leaves its traceback in the same place (sys.stderr). No double quotes, no
' percent signs: the code travels inside a quoted cmd.exe or sh command line.
Private Const CHECK_WINDOWS_PREFIX As String = "import sys;f=open(sys.argv[1],'w');sys.stderr=f;"
Private Const CHECK_MAC_PREFIX As String = "import sys;f=sys.stderr;"
Private Const CHECK_BODY As String = "f.write('PYTHON '+sys.version.split()[0]+chr(10));" & _
    "import xlwings;f.write('XLWINGS '+xlwings.__version__+chr(10));" & _
    "import tyollisyys_xl;f.write('TYOLLISYYS_XL '+tyollisyys_xl.__version__+chr(10))"

' Button: Tarkista syotteet
Public Sub TarkistaSyotteet()
    RunPython "import tyollisyys_xl.excel as t; t.validate_entries()"
End Sub

' Button: Laske toteutuminen
Public Sub LaskeToteutuminen()
    RunPython "import tyollisyys_xl.excel as t; t.compute_attainment()"
End Sub

' Button: Luo kuntakortit
Public Sub LuoKuntakortit()
    RunPython "import tyollisyys_xl.excel as t; t.make_municipality_cards()"
End Sub

' Button: Paivita budjettiseuranta
Public Sub PaivitaBudjettiseuranta()
    RunPython "import tyollisyys_xl.excel as t; t.update_budget_tracking()"
End Sub

' Button: Paivita kaikki
Public Sub PaivitaKaikki()
    RunPython "import tyollisyys_xl.excel as t; t.update_all()"
End Sub

' ---------------------------------------------------------------------------------------------
' Button: Testaa asennus. One message box that shows which layer works, so that IT sees in one
' click what fails. The first three checks use no Python and no RunPython: that macros run (the box
' appears at all), the version of the xlwings VBA module, and the interpreter RunPython would use
' (xlwings' own GetConfig, so the xlwings.conf sheet, then the file beside the workbook, then the
' user's file) and whether that file exists. Only then it starts that interpreter once, through
' cmd.exe as RunPython does, to import tyollisyys_xl. A start that Windows refuses is named as such:
' Defender's ASR rule "Block all Office applications from creating child processes", AppLocker or
' WDAC. See docs/excel.md.
' ---------------------------------------------------------------------------------------------

Public Sub TestaaAsennus()
    Dim report As String, interpreter As String, source As String, icon As VbMsgBoxStyle
    report = "1. Makrot toimivat." & vbLf
    report = report & "2. Työkirjan xlwings-moduulin versio on " & XLWINGS_VERSION & "." & vbLf
    interpreter = SelfTestInterpreter(source)
    report = report & "3. Python-tulkki (" & source & "):" & vbLf & "   " & interpreter & vbLf
    If interpreter = "python" Or interpreter = "pythonw" Then
        report = report & "   Polkua ei ole asetettu, joten xlwings etsii Pythonia PATH-muuttujasta. " & _
            "Aja asennusohjelma (excel\asenna.cmd) tai kirjoita polku xlwings.conf-välilehdelle." & vbLf
    ElseIf FileExists(interpreter) Then
        report = report & "   Tiedosto löytyy." & vbLf
    Else
        #If Mac Then
            report = report & "   Excel ei näe tiedostoa (Macissa Excel ei aina näe kotikansionsa ulkopuolelle); " & _
                "testi yrittää silti käynnistää sen." & vbLf
        #Else
            report = report & "   TIEDOSTOA EI LÖYDY. Aja asennusohjelma (excel\asenna.cmd) tai korjaa polku " & _
                "xlwings.conf-välilehden B-sarakkeeseen." & vbLf
            MsgBox report, vbExclamation, SELF_TEST_TITLE
            Exit Sub
        #End If
    End If
    icon = vbInformation
    report = report & "4. " & SelfTestImport(interpreter, icon)
    MsgBox report, icon, SELF_TEST_TITLE
End Sub

' The interpreter RunPython would use and where the setting comes from, as in xlwings' RunPython.
Private Function SelfTestInterpreter(ByRef source As String) As String
    Dim key As String, layer As Variant, setting As String
    #If Mac Then
        key = "INTERPRETER_MAC"
    #Else
        key = "INTERPRETER_WIN"
    #End If
    For Each layer In Array("sheet", "directory", "user")
        setting = GetConfig(key, "", CStr(layer))
        If setting = "" Then setting = GetConfig("INTERPRETER", "", CStr(layer))
        If setting <> "" Then
            Select Case layer
                Case "sheet": source = "asetus xlwings.conf-välilehdellä"
                Case "directory": source = "asetus työkirjan vieressä olevassa xlwings.conf-tiedostossa"
                Case Else: source = "asetus käyttäjän xlwings.conf-tiedostossa"
            End Select
            SelfTestInterpreter = setting
            Exit Function
        End If
    Next layer
    source = "ei asetusta"
    SelfTestInterpreter = "python"
End Function

' Starts the interpreter once and says what it could import; names a refused start as such.
Private Function SelfTestImport(ByVal interpreter As String, ByRef icon As VbMsgBoxStyle) As String
    Dim checkOutput As String, failure As String
    #If Mac Then
        checkOutput = SelfTestRunMac(interpreter, failure)
    #Else
        checkOutput = SelfTestRunWindows(interpreter, failure)
    #End If
    If failure <> "" Then
        icon = vbCritical
        SelfTestImport = failure
        Exit Function
    End If
    If SelfTestField(checkOutput, "TYOLLISYYS_XL") <> "" Then
        SelfTestImport = "Python " & SelfTestField(checkOutput, "PYTHON") & " käynnistyi ja löysi paketit: tyollisyys_xl " & _
            SelfTestField(checkOutput, "TYOLLISYYS_XL") & ", xlwings " & SelfTestField(checkOutput, "XLWINGS") & "." & vbLf
        If SelfTestField(checkOutput, "XLWINGS") <> XLWINGS_VERSION Then
            icon = vbExclamation
            SelfTestImport = SelfTestImport & "   Pythonin xlwings ja työkirjan xlwings-moduuli ovat eri versioita: asenna " & _
                "paketti uudelleen asennusohjelmalla tai käytä tähän versioon rakennettua päätyökirjaa." & vbLf
        Else
            SelfTestImport = SelfTestImport & "   Kaikki kunnossa: painikkeet toimivat." & vbLf
        End If
    ElseIf SelfTestField(checkOutput, "PYTHON") <> "" Then
        icon = vbExclamation
        SelfTestImport = "Python " & SelfTestField(checkOutput, "PYTHON") & " käynnistyi, mutta paketin tuonti " & _
            "epäonnistui:" & vbLf & "   " & SelfTestLastLine(checkOutput) & vbLf & _
            "   Asenna paketti tähän Pythoniin asennusohjelmalla (excel\asenna.cmd)." & vbLf
    Else
        icon = vbCritical
        SelfTestImport = "Python ei käynnistynyt oikein." & vbLf & "   " & SelfTestLastLine(checkOutput) & vbLf
    End If
End Function

#If Mac Then
' As xlwings' ExecuteMac: the script xlwings runpython install copies runs the command in the
' background and sends its error output to a log file, which is read until the check is done.
Private Function SelfTestRunMac(ByVal interpreter As String, ByRef failure As String) As String
    Dim logFile As String, parameters As String, started As Single, content As String
    logFile = Environ("HOME") & "/tyollisyys-testi.log"
    On Error Resume Next
    Kill logFile
    On Error GoTo 0
    parameters = "false;;;;;;" & "|" & interpreter & "|" & CHECK_MAC_PREFIX & CHECK_BODY & "|" & ThisWorkbook.Name & _
        "|" & Left(Application.Path, Len(Application.Path) - 4) & "|" & logFile
    On Error GoTo NoScript
    AppleScriptTask "xlwings-" & XLWINGS_VERSION & ".applescript", "VbaHandler", parameters
    On Error GoTo 0
    started = Timer
    Do
        DoEvents
        On Error Resume Next
        content = ""
        content = ReadFile(logFile)
        On Error GoTo 0
        If InStr(content, "TYOLLISYYS_XL ") > 0 Or InStr(content, "Error") > 0 Or InStr(content, "No such file") > 0 Then Exit Do
    Loop While Timer - started < 30
    If content = "" Then failure = "Python ei vastannut 30 sekunnissa. Tarkista Python-tulkin polku." & vbLf
    SelfTestRunMac = content
    Exit Function
NoScript:
    failure = "Excel ei voinut käynnistää Pythonia: xlwingsin apuskripti puuttuu. Aja Päätteessä asennusohjelma " & _
        "(excel/asenna-mac.sh) tai komento: xlwings runpython install" & vbLf
End Function
#Else
' As xlwings' ExecuteWindows: cmd.exe /C starts the interpreter, and the check writes to a temporary file.
' If Windows refuses the start, Run raises an error. If cmd.exe starts but runs nothing, Python is
' started directly once more to tell a blocked command prompt from a broken Python.
Private Function SelfTestRunWindows(ByVal interpreter As String, ByRef failure As String) As String
    Dim wsh As Object, outFile As String, pythonCommand As String, exitCode As Long
    Dim errorNumber As Long, errorText As String
    outFile = Environ("TEMP") & "\tyollisyys-testi-" & Format(Now, "yyyymmddhhnnss") & ".txt"
    pythonCommand = Chr(34) & interpreter & Chr(34) & " -B -c " & Chr(34) & CHECK_WINDOWS_PREFIX & CHECK_BODY & _
        Chr(34) & " " & Chr(34) & outFile & Chr(34)
    On Error Resume Next
    Set wsh = CreateObject("WScript.Shell")
    If Err.Number = 0 Then exitCode = wsh.Run("cmd.exe /S /C " & Chr(34) & pythonCommand & Chr(34), 0, True)
    errorNumber = Err.Number
    errorText = Err.Description
    On Error GoTo 0
    If wsh Is Nothing Then
        failure = "WScript.Shell-objektia ei voitu luoda (virhe " & errorNumber & ": " & errorText & "). " & _
            "Windows Script Host voi olla estetty; xlwings tarvitsee sen (ohje IT:lle: docs/excel.md)." & vbLf
        Exit Function
    ElseIf errorNumber <> 0 Then
        failure = "WINDOWS ESTI PROSESSIN KÄYNNISTYKSEN (virhe " & errorNumber & ": " & errorText & ")." & vbLf & _
            "   Excel ei saa käynnistää cmd.exe:tä eikä Pythonia. Tämä on tyypillinen merkki Microsoft Defenderin " & _
            "ASR-säännöstä ”Block all Office applications from creating child processes” tai AppLocker- tai " & _
            "WDAC-säännöstä. Painikkeet eivät toimi, ennen kuin IT sallii tämän (ohje IT:lle: docs/excel.md). " & _
            "xlwings Lite toimii ilman aliprosesseja." & vbLf
        Exit Function
    End If
    SelfTestRunWindows = SelfTestReadAndDelete(outFile)
    If SelfTestRunWindows <> "" Then Exit Function
    On Error Resume Next
    exitCode = wsh.Run(pythonCommand, 0, True)
    errorNumber = Err.Number
    On Error GoTo 0
    If errorNumber = 0 And SelfTestReadAndDelete(outFile) <> "" Then
        failure = "cmd.exe käynnistyi mutta ei ajanut Pythonia, vaikka Python käynnistyy suoraan: komentokehote on " & _
            "todennäköisesti estetty ryhmäkäytännöllä. xlwings tarvitsee cmd.exe:n (ohje IT:lle: docs/excel.md)." & vbLf
    Else
        failure = "Python ei käynnistynyt (poistumiskoodi " & exitCode & "). Tarkista polku tai aja asennusohjelma " & _
            "uudelleen; AppLocker tai WDAC voi myös estää Pythonin käynnistyksen käyttäjän kansiosta." & vbLf
    End If
End Function

Private Function SelfTestReadAndDelete(ByVal path As String) As String
    If Not FileExists(path) Then Exit Function
    SelfTestReadAndDelete = ReadFile(path)
    On Error Resume Next
    Kill path
    On Error GoTo 0
End Function
#End If

' The value after "KEY " on the line that starts with it, or "".
Private Function SelfTestField(ByVal content As String, ByVal key As String) As String
    Dim textLine As Variant
    For Each textLine In Split(Replace(content, vbCr, ""), vbLf)
        If Left(textLine, Len(key) + 1) = key & " " Then
            SelfTestField = Mid(textLine, Len(key) + 2)
            Exit Function
        End If
    Next textLine
End Function

' The last non-empty line (the error of a traceback).
Private Function SelfTestLastLine(ByVal content As String) As String
    Dim textLine As Variant
    For Each textLine In Split(Replace(content, vbCr, ""), vbLf)
        If Trim(textLine) <> "" Then SelfTestLastLine = Trim(textLine)
    Next textLine
    If SelfTestLastLine = "" Then SelfTestLastLine = "(ei tulostetta)"
End Function
