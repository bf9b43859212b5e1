"""The code cites the domain through ``docs/domaine.md §N``: the file is in the repository and
every section cited exists (no citation of a document the repository does not carry)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    path
    for pattern in ("*.py", "*.html")
    for path in ROOT.rglob(pattern)
    if not {".venv", "node_modules", ".git"} & set(path.parts)
]


def sections():
    headings = re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", (ROOT / "docs" / "domaine.md").read_text(), re.M)
    return set(headings)


def test_every_section_the_code_cites_exists():
    known = sections()
    assert {str(n) for n in range(1, 10)} <= known
    cited = {}
    for path in SOURCES:
        for number in re.findall(r"docs/domaine\.md §(\d+(?:\.\d+)?)", path.read_text(encoding="utf-8")):
            cited.setdefault(number, path.relative_to(ROOT))
    assert cited, "the code cites docs/domaine.md"
    missing = {number: str(path) for number, path in cited.items() if number not in known}
    assert not missing


def test_no_citation_of_an_outside_domain_file():
    offenders = [
        str(path.relative_to(ROOT))
        for path in SOURCES
        if path.name != "test_domaine_doc.py"
        and re.search(r"(?<![\w/])DOMAIN(\.md)?(?![\w.])", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
