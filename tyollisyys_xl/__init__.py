"""tyollisyys-xl: the 2026 employment programme of the Southern Central Finland employment area, run from one master workbook."""

__version__ = "0.1.0"
