"""The employer side of the PLIE: employers and their contacts, the exchanges with them, job
offers and mises en relation, social-clause markets and their hours, the tableau d'impact, and
the follow-up six months after exit (issue #18).

Why its own app: the employer side is a domain of its own, with its own role (the chargé(e) de
relations entreprises, who sees employers but no participant dossier) and its own objects,
which the parcours use (a hire on an offer creates the contract and its étape through
``parcours.services.suivi``) without the parcours app knowing of them. It sits after parcours in the
import chain: participants ← parcours ← entreprises ← operations ← reporting (it imports the
participants and the parcours; operations and reporting may read its counts; it imports neither).
"""
