"""Validation: every row of every input table against its JSON Schema, then the rules between tables.

The schema files are the single source of the per-cell rules: required, x-type (how a cell is read),
enum, minimum/maximum, multipleOf, pattern, min/maxLength, formatMinimum/formatMaximum (a date
column's plausible range), x-list (allowed values from another table) and x-unique are read from
them and checked a column at a time with pandas, each distinct value parsed once. A keyword this
package does not know is still honoured: its column falls back to jsonschema.

A finding never stops the checks: a bad cell is treated as empty for the rules after it, and a row
with any error is left out of the clean Tables (warnings keep the row). Every finding names a rule
of the registry (core.rules).

The modules, in the order validate_sheets runs them:

- table: one table while it is checked (CheckedTable.flag) and the column-wise helpers;
- cells: each column on its own: parsing, x-type checks; keywords: the schema keywords, one checker each;
  limits: the plausible size of a number per x-type and unit;
- sheets: text in any cell of any sheet (HETU, too long for Excel, formula-like), merged cells, hidden rows;
- references: values from other tables, unique keys, commitments;
- entries: Toteumat against the unit of its indicator, and area totals;
- clean: the clean tables, and the money rules on them (owned by core.budget);
- run: validate_sheets and ValidationResult.
"""

from tyollisyys_xl.core.validation.entries import unit_rule
from tyollisyys_xl.core.validation.run import ValidationResult, validate_sheets

__all__ = ["ValidationResult", "unit_rule", "validate_sheets"]
