"""The coach's notebooks: the workbook, its widgets, uploads and the squad view."""
