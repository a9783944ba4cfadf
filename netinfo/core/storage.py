"""Where uploaded images are kept: Django's FileSystemStorage, without half-written files."""

import logging

from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)


class MediaStorage(FileSystemStorage):
    """
    FileSystemStorage creates the file and then writes it; when the disk fills up or the folder
    turns out to be read-only, the error reaches the caller, but an empty or partial file stays
    behind under a name nothing points to. Here such a file is removed before the error goes on.
    """

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except OSError as error:
            logger.error("Could not store %s in %s: %s", name, self.location, error)
            # FileSystemStorage opens with O_EXCL, so a file at this name is the one just begun.
            try:
                if self.exists(name):
                    self.delete(name)
            except OSError:
                pass
            raise
