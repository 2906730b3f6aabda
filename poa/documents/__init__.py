"""Renderers of what the selectors read: the sheet in HTML, PDF and XLSX, the kept PDF of an
authorized sheet, charts, table exports and the year workbook. Imports rules, models and
selectors; writes no state but the files it keeps."""
