from tyollisyys_xl.cli import console

console()
