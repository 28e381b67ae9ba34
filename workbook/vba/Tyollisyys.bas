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
