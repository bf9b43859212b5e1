"""Signals of the parcours app, connected in :meth:`parcours.apps.ParcoursConfig.ready`."""

from plie.core.enums import StructureKind


def create_referentiels_for_new_plie(sender, instance, created, raw=False, **kwargs):
    """A new PLIE gets the default exit referential and step types at once (``post_save`` on
    :class:`~plie.core.models.Structure`). Not on fixture loading (``raw``). ``bulk_create``
    sends no signal: code that bulk-creates PLIE calls
    :func:`parcours.referentiels.create_default_referentiels` itself."""
    if raw or not created or instance.kind != StructureKind.PLIE:
        return
    from parcours.referentiels import create_default_referentiels

    create_default_referentiels(instance)
