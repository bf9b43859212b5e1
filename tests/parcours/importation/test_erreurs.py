"""Every fault of a legacy file, each reported with its line, column and a French reason; and
nothing is imported when any row is wrong."""

import io
import zipfile

import pytest

from parcours.models import Parcours
from participants.models import Participant
from plie.core.enums import Role
from tests.factories import MembershipFactory, UserFactory
from tests.parcours.importation.helpers import csv_bytes, ligne, messages, run, xlsx_bytes

# (id, rows overrides (line 2 first), expected (line, column, message part))
FAUTES_LIGNE = [
    (
        "code_sortie_inconnu",
        [{"date_sortie": "01/03/2024", "type_sortie": "CDI_3M"}],
        (2, "type_sortie", "absent du référentiel"),
    ),
    (
        "sortie_avant_entree",
        [{"date_sortie": "01/01/2024", "type_sortie": "CDI"}],
        (2, "date_sortie", "précède l'entrée"),
    ),
    (
        "date_impossible",
        [{"date_entree": "31/02/2024"}],
        (2, "date_entree", "n'est pas une date qui existe"),
    ),
    ("date_mal_ecrite", [{"date_naissance": "12.03.1990"}], (2, "date_naissance", "format jj/mm/aaaa")),
    (
        "referent_inconnu",
        [{"referent_email": "personne@exemple.fr"}],
        (2, "referent_email", "Référent inconnu"),
    ),
    (
        "referent_autre_plie",
        [{"referent_email": "referent.b@exemple.fr"}],
        (2, "referent_email", "n'est pas un utilisateur de PLIE A (rattaché à PLIE B)"),
    ),
    (
        "email_invalide",
        [{"referent_email": "pas-une-adresse"}],
        (2, "referent_email", "n'est pas une adresse"),
    ),
    ("sexe", [{"sexe": "X"}], (2, "sexe", "le sexe s'écrit F ou M")),
    ("sexe_vide", [{"sexe": ""}], (2, "sexe", "Le sexe est obligatoire")),
    ("code_postal", [{"code_postal": "6900A"}], (2, "code_postal", "5 chiffres")),
    ("niveau", [{"niveau_formation": "bac+2"}], (2, "niveau_formation", "n'est pas un niveau de formation")),
    ("oui_non", [{"brsa": "peut-être"}], (2, "brsa", "répondez oui, non")),
    ("oui_non_qpv", [{"qpv": "2"}], (2, "qpv", "répondez oui, non")),
    ("type_sans_date", [{"type_sortie": "CDI"}], (2, "date_sortie", "type de sortie est indiqué sans date")),
    (
        "date_sans_type",
        [{"date_sortie": "01/03/2024"}],
        (2, "type_sortie", "date de sortie est indiquée sans type"),
    ),
    ("nom_manquant", [{"nom": " "}], (2, "nom", "Le nom est obligatoire")),
    ("prenom_manquant", [{"prenom": ""}], (2, "prenom", "Le prénom est obligatoire")),
    ("identifiant_manquant", [{"identifiant": ""}], (2, "identifiant", "L'identifiant est obligatoire")),
    ("nom_trop_long", [{"nom": "X" * 101}], (2, "nom", "dépasse 100 caractères")),
    ("entree_future", [{"date_entree": "01/07/2026"}], (2, "date_entree", "dans le futur")),
    (
        "sortie_future",
        [{"date_sortie": "01/07/2026", "type_sortie": "CDI"}],
        (2, "date_sortie", "dans le futur"),
    ),
    ("entree_manquante", [{"date_entree": ""}], (2, "date_entree", "La date d'entrée est obligatoire")),
    (
        "naissance_manquante",
        [{"date_naissance": ""}],
        (2, "date_naissance", "La date de naissance est obligatoire"),
    ),
    (
        "naissance_apres_entree",
        [{"date_naissance": "01/01/2025"}],
        (2, "date_naissance", "suit la date d'entrée"),
    ),
    (
        "naissance_invraisemblable",
        [{"date_naissance": "01/01/1900"}],
        (2, "date_naissance", "invraisemblable"),
    ),
    (
        "chevauchement",
        [
            {"date_entree": "01/02/2022", "date_sortie": "01/03/2023", "type_sortie": "ABANDON"},
            {"date_entree": "01/01/2023"},
        ],
        (
            3,
            "date_entree",
            "Parcours qui se chevauchent pour « L001 » : la ligne 2 (01/02/2022 – 01/03/2023)",
        ),
    ),
    (
        "chevauchement_parcours_en_cours",
        [{"date_entree": "01/02/2022"}, {"date_entree": "01/01/2023"}],
        (3, "date_entree", "la ligne 2 (01/02/2022 – en cours)"),
    ),
    (
        "naissances_differentes",
        [
            {"date_entree": "01/02/2020", "date_sortie": "01/03/2021", "type_sortie": "ABANDON"},
            {"date_naissance": "13/03/1990"},
        ],
        (3, "date_naissance", "a une autre date de naissance à la ligne 2 (12/03/1990)"),
    ),
    (
        "ligne_en_double",
        [{}, {}],
        (3, "date_entree", "Ligne en double : même identifiant et même date d'entrée qu'à la ligne 2"),
    ),
]


@pytest.mark.parametrize("rows,expected", [pytest.param(r, e, id=i) for i, r, e in FAUTES_LIGNE])
def test_it_reports_each_faulty_row(world, rows, expected):
    content = csv_bytes(
        [ligne(**values) for values in rows] + [ligne(identifiant="OK1", date_entree="01/01/2025")]
    )

    resultat, compteurs = run(content, world.plie_a)

    assert compteurs is None
    line, colonne, part = expected
    found = [(e.ligne, e.colonne) for e in resultat.erreurs if part in e.message]
    assert found == [(line, colonne)], messages(resultat)
    assert not Participant.objects.exists()  # nothing imported, not even the right row


def test_at_least_twenty_distinct_faults():
    assert len({part for _, _, (_, _, part) in FAUTES_LIGNE}) + len(FAUTES_FICHIER) >= 20


def test_an_inactive_exit_type_is_refused(world):
    world.plie_a.types_sortie.filter(code="RETRAITE").update(is_active=False)
    resultat, _ = run(csv_bytes([ligne(date_sortie="01/03/2024", type_sortie="retraite")]), world.plie_a)
    assert messages(resultat) == [
        (2, "type_sortie", "Le type de sortie « RETRAITE » est inactif dans ce PLIE.")
    ]


def test_a_referent_without_role_in_the_plie_but_member_elsewhere_is_named(world):
    user = UserFactory(email="ailleurs@exemple.fr")
    MembershipFactory(user=user, structure=world.operateur, role=Role.REFERENT)
    resultat, _ = run(csv_bytes([ligne(referent_email="ailleurs@exemple.fr")]), world.plie_a)
    assert "rattaché à Association Tremplin" in resultat.erreurs[0].message


def test_it_reports_every_faulty_row_at_once(world):
    rows = [ligne(identifiant=f"L{i}", sexe="X") for i in range(5)] + [
        ligne(identifiant="L9", nom="", code_postal="1")
    ]
    resultat, _ = run(csv_bytes(rows), world.plie_a)
    assert [(e.ligne, e.colonne) for e in resultat.erreurs] == [
        (2, "sexe"),
        (3, "sexe"),
        (4, "sexe"),
        (5, "sexe"),
        (6, "sexe"),
        (7, "code_postal"),
        (7, "nom"),
    ]


def test_overlap_with_a_parcours_already_imported(world):
    run(csv_bytes([ligne(date_entree="01/02/2022")]), world.plie_a)
    resultat, _ = run(csv_bytes([ligne(date_entree="01/01/2024")]), world.plie_a)
    assert messages(resultat) == [
        (
            2,
            "date_entree",
            "Parcours qui se chevauchent pour « L001 » : "
            "un parcours déjà enregistré (01/02/2022 – en cours).",
        )
    ]
    assert Parcours.objects.count() == 1


def test_a_birth_date_different_from_the_imported_participant(world):
    run(csv_bytes([ligne()]), world.plie_a)
    resultat, _ = run(csv_bytes([ligne(date_naissance="13/03/1990")]), world.plie_a)
    assert messages(resultat) == [
        (2, "date_naissance", "Le participant « L001 » déjà importé est né le 12/03/1990.")
    ]


def _xlsx_without_sheet():
    """A workbook whose sheets were all removed (openpyxl will not save that: edit the zip)."""
    source = io.BytesIO(xlsx_bytes([ligne()]))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode()
                start, end = text.index("<sheets>"), text.index("</sheets>") + len("</sheets>")
                data = (text[:start] + "<sheets/>" + text[end:]).encode()
            zout.writestr(item, data)
    return out.getvalue()


COLONNES_SANS_SEXE = [c for c in ligne() if c != "sexe"]
FAUTES_FICHIER = [
    (
        "colonne_manquante",
        "parcours.csv",
        csv_bytes([ligne()], columns=COLONNES_SANS_SEXE),
        "Colonne obligatoire manquante : « sexe ».",
    ),
    (
        "colonne_inconnue",
        "parcours.csv",
        csv_bytes([ligne()], columns=[*ligne(), "nir"]),
        "Colonne inconnue : « nir »",
    ),
    (
        "colonne_en_double",
        "parcours.csv",
        csv_bytes([ligne()], columns=[*ligne(), "nom"]),
        "Colonne en double : « nom ».",
    ),
    ("fichier_vide", "parcours.csv", b"", "Le fichier est vide"),
    ("en_tete_seule", "parcours.csv", csv_bytes([]), "aucune ligne de parcours sous l'en-tête"),
    ("encodage_illisible", "parcours.csv", csv_bytes([ligne()]) + b"\x81\x8d\x00\xff", "Encodage illisible"),
    ("xlsx_sans_feuille", "parcours.xlsx", _xlsx_without_sheet(), "ne contient aucune feuille"),
    ("xlsx_endommage", "parcours.xlsx", b"PK pas un zip", "XLSX est illisible"),
    ("format", "parcours.pdf", b"%PDF-1.4", "Format de fichier non pris en charge (.pdf)"),
    (
        "valeurs_en_trop",
        "parcours.csv",
        csv_bytes([ligne()]).replace(b"\r\n", b";extra\r\n").replace(b"qpv;extra", b"qpv"),
        "plus de valeurs que l'en-tête",
    ),
]


@pytest.mark.parametrize(
    "filename,content,part", [pytest.param(f, c, p, id=i) for i, f, c, p in FAUTES_FICHIER]
)
def test_it_reports_file_level_faults(world, filename, content, part):
    resultat, compteurs = run(content, world.plie_a, filename=filename)

    assert compteurs is None and not resultat.valide
    assert any(part in e.message for e in resultat.erreurs), messages(resultat)
    assert not Participant.objects.exists()
