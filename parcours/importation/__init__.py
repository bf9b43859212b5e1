"""Import of a legacy tool's parcours (issue 8): one row per parcours, CSV or XLSX.

- :mod:`parcours.importation.lecture` reads the file as a stream of ``(line, {column: text})``
  (CSV in UTF-8 or Windows-1252, ``;`` or ``,`` detected; XLSX with openpyxl in read-only mode);
- :mod:`parcours.importation.regles` parses one value (dates, oui/non, niveau…) into a fact or a
  French reason, pure functions;
- :mod:`parcours.importation.validation` checks the whole file against the PLIE (référents, exit
  referential, parcours already imported) and keeps one compact tuple per row;
- :mod:`parcours.importation.services` writes everything in one transaction with bulk inserts,
  nothing if any row is wrong; idempotent on (identifiant, date_entree)."""
