Attribute VB_Name = "Tyollisyys"
' The five buttons on the Ohjaus sheet. Each runs one entry point of the Python package
' tyollisyys_xl.excel through xlwings' RunPython (module xlwings in this project).
' The commands are fixed here: no code is ever taken from cell contents.
' Source: workbook/vba/Tyollisyys.bas; the builder (tyollisyys-xl build) embeds it.
Option Explicit

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

' Button: Tuo kuntien lomakkeet (section Kuntien lomakkeet on Ohjaus)
' The folder of the returned forms comes from a folder picker (the workbook's own folder when the picker
' is unavailable); the macro writes it into the named cell Tuonti_Kansio and runs a fixed command, which
' reads the folder from that cell: the path never becomes code.
Public Sub TuoKuntienLomakkeet()
    Dim folder As String
    folder = LomakeKansio()
    If folder = "" Then Exit Sub
    ThisWorkbook.Names("Tuonti_Kansio").RefersToRange.Value = folder
    RunPython "import tyollisyys_xl.excel as t; t.import_forms()"
End Sub

' The folder chosen in the folder picker ("" when cancelled), or the workbook's folder without a picker.
Private Function LomakeKansio() As String
    Dim picker As Object
    On Error GoTo NoPicker
    Set picker = Application.FileDialog(4) ' msoFileDialogFolderPicker
    picker.Title = "Valitse kansio, jossa kuntien palauttamat lomakkeet ovat"
    picker.InitialFileName = ThisWorkbook.Path & Application.PathSeparator
    If picker.Show = -1 Then LomakeKansio = picker.SelectedItems(1)
    Exit Function
NoPicker:
    LomakeKansio = ThisWorkbook.Path
End Function
