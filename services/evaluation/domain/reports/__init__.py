"""Reports: the county report (PDF with charts), the ranking and score sheets (XLSX), a school's report card
(PDF), generated in the worker."""
