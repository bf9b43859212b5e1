"""Files through Django's storage API, never through a path (issue 17).

Pièces justificatives, imports and exports are stored in ``default_storage`` (``STORAGES``): local
files under ``MEDIA_ROOT`` by default, an S3-compatible bucket when ``AWS_STORAGE_BUCKET_NAME`` is
set (``plie/settings.py``). A worker produces a file in its own scratch directory, then hands the
whole file to the storage (:func:`store_file`): on a bucket the object only appears once complete,
so a worker killed mid-way never leaves a half file behind a finished job. The nightly clean-up
walks the storage (:func:`stored_files`), so it sees the files of every machine."""

from django.core.files import File
from django.core.files.storage import default_storage


def store_file(local_path, name, *, storage=None):
    """Copy the local file ``local_path`` to ``name`` in the storage, replacing a file of that
    name left by an earlier attempt of the same job. Returns the name actually stored."""
    storage = storage or default_storage
    if storage.exists(name):
        storage.delete(name)
    with open(local_path, "rb") as content:
        return storage.save(name, File(content, name=str(name)))


def stored_files(directory, *, storage=None):
    """The names (relative to the storage's root, ``directory/…``) of the files under ``directory``,
    its subdirectories included; none when it does not exist."""
    storage = storage or default_storage
    directory = str(directory).rstrip("/")
    try:
        subdirectories, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [f"{directory}/{name}" for name in files]
    for subdirectory in subdirectories:
        names.extend(stored_files(f"{directory}/{subdirectory}", storage=storage))
    return names


def delete_quietly(name, *, storage=None):
    """Delete ``name`` from the storage; a file already gone is not an error (idempotent)."""
    if name:
        (storage or default_storage).delete(name)
