"""Where the program finds its templates and keeps what builds may reuse (and the key
that vouches for it), and what files a folder holds.

A module of its own, importing nothing heavy: a build with nothing to do needs these
answers and should not pay for loading Markdown, Jinja or the content model.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kabul_brief.errors import ContentError, ContentErrors, Position

CACHE_FOLDER: Final = ".kabul-brief-cache"
CACHE_KEY: Final = "cache-key"
TEMPLATES_FOLDER: Final = "templates"
"""A site's own templates: beside its content folder, in the site folder."""
_PACKAGED_THEME: Final = "theme"
TEMPLATE_SUFFIXES: Final = (".html", ".xml")
STATIC_PREFIX: Final = "static/"
"""The theme's static files (``Urls.STATIC_FOLDER``), copied, not rendered."""


def package_theme() -> Path:
    """The default theme: ``theme/`` inside the installed package, where a wheel carries
    it, else ``templates/`` of the checkout the package runs from (an editable install,
    or ``PYTHONPATH=src``), which is the theme's source."""
    package = Path(__file__).resolve().parent
    packaged = package / _PACKAGED_THEME
    return packaged if packaged.is_dir() else package.parents[1] / TEMPLATES_FOLDER


@dataclass(frozen=True, slots=True)
class Theme:
    """The folders templates and static files are taken from: each relative path from
    the first folder that has it. A site's own ``templates/`` comes first, so that any
    file there overrides the theme's file of the same path (``static/style.css``,
    ``article.html``); the package's theme is last and has every file."""

    folders: tuple[Path, ...]

    @property
    def overrides(self) -> tuple[Path, ...]:
        """The folders before the package's theme: the site's own."""
        return self.folders[:-1]

    def check(self) -> None:
        """Raise ContentErrors for whatever in the site's templates a build could not
        read: a file without permission, a link to nothing, a template that is not
        UTF-8, a folder named like one of
        the theme's files or a file named like one of its folders (which Jinja would
        pass over in silence, using the theme's file instead), and a catalog of its
        own (``locale/``) that a build could not read or fill in."""
        from kabul_brief.publish.interface import catalog_problems

        errors: list[ContentError] = []
        for folder in self.overrides:
            errors.extend(_template_problems(folder, self.folders[-1]))
            errors.extend(catalog_problems(folder))
        if errors:
            raise ContentErrors(errors)


def site_theme(content_dir: Path | None = None, templates: Path | None = None) -> Theme:
    """The theme a build of ``content_dir`` uses: ``templates`` (``--templates``), else
    ``templates/`` beside the content folder, over the package's theme. Raises
    ContentErrors if the templates folder given does not exist, if either is a file,
    or if anything in it cannot be read (see :meth:`Theme.check`)."""
    theme = package_theme()
    if not theme.is_dir():  # a broken installation, not the site's doing
        raise ContentErrors([_error(theme, "the package's own theme is missing",
                                    "Reinstall kabul-brief.", code="missing-templates")])
    if templates is None and content_dir is None:
        return Theme((theme,))
    given = templates is not None
    if templates is None:
        assert content_dir is not None
        templates = Path(os.path.normpath(content_dir / os.pardir)) / TEMPLATES_FOLDER
    if not templates.is_dir():
        if templates.exists() or templates.is_symlink():
            raise ContentErrors([_error(templates, "the templates folder is not a folder",
                                        "Replace it with a folder, or rename it.",
                                        code="missing-templates")])
        if given:
            raise ContentErrors([_error(templates, "the templates folder does not exist",
                                        "Check --templates.", code="missing-templates")])
        return Theme((theme,))
    if os.path.samefile(templates, theme):  # the theme's own checkout
        return Theme((theme,))
    found = Theme((templates, theme))
    found.check()
    return found


def _error(path: Path, message: str, hint: str, *, code: str) -> ContentError:
    return ContentError(position=Position(path=os.path.normpath(path).replace(os.sep, "/")),
                        code=code, message=message, hint=hint)


def _template_problems(folder: Path, theme: Path) -> list[ContentError]:
    """What :meth:`Theme.check` reports in one site folder. Folder links are followed,
    but not round a loop; names starting with ``.`` (an editor's swap and lock files)
    are left alone, as the build leaves them."""
    problems: list[ContentError] = []
    pending = [(folder, Path(), frozenset[tuple[int, int]]())]
    while pending:
        directory, relative, holding = pending.pop()
        try:
            info = os.stat(directory)
            with os.scandir(directory) as scan:
                entries = sorted((e for e in scan if not e.name.startswith(".")),
                                 key=lambda entry: entry.name)
        except OSError as problem:
            problems.append(_error(directory,
                                   f"the folder cannot be read ({problem.strerror})",
                                   "Fix its permissions.", code="unreadable-template"))
            continue
        inside = holding | {(info.st_dev, info.st_ino)}
        for entry in entries:
            path, inner = Path(entry.path), relative / entry.name
            if entry.is_symlink() and not _within(path, folder):
                problems.append(_error(
                    path, "a link out of the templates folder",
                    "Copy the file in instead: a link could publish any file of the machine"
                    " that builds the site.", code="unreadable-template"))
                continue
            unusable = _unusable(path, theme / inner, inner.as_posix())
            if unusable is not None:
                problems.append(_error(path, *unusable, code="unreadable-template"))
            elif path.is_dir():
                target = os.stat(path)
                if (target.st_dev, target.st_ino) not in inside:
                    pending.append((path, inner, inside))
    return problems


def _within(link: Path, folder: Path) -> bool:
    """Whether ``link`` leads to something inside ``folder`` (a dead link leads nowhere
    outside: :func:`_unusable` reports it)."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return True
    return target.is_relative_to(folder.resolve())


def _unusable(path: Path, ours: Path, inner: str) -> tuple[str, str] | None:
    """(message, hint) if the build could not use ``path`` in place of the theme's
    ``ours``, else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as problem:
        if path.is_symlink():
            return "a link to nothing", "Point the link at an existing file, or remove it."
        return (f"the template cannot be read ({problem.strerror})", "Fix its permissions.")
    if stat.S_ISDIR(mode):
        if ours.is_file():
            return (f"a folder, where the theme has the file {inner}",
                    "Replace it with a file, or remove it to use the theme's.")
        return None
    if not stat.S_ISREG(mode):
        return ("not a plain file (a named pipe or a device)",
                "Replace it with a plain file, or remove it.")
    if ours.is_dir():
        return (f"a file, where the theme has the folder {inner}",
                "Make it a folder of files that override the theme's, or remove it.")
    try:
        with open(path, "rb") as file:
            data = file.read() if is_template(inner) else b""
    except OSError as problem:
        return f"the template cannot be read ({problem.strerror})", "Fix its permissions."
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as problem:
        return (f"the template is not UTF-8 text (byte {data[problem.start]:#04x} at offset"
                f" {problem.start})", "Save it as UTF-8.")
    return None


def is_template(relative: str) -> bool:
    """Whether a file of the theme (by its path inside it) is a Jinja template; the
    files under ``static/`` are copied as they are."""
    return relative.endswith(TEMPLATE_SUFFIXES) and not relative.startswith(STATIC_PREFIX)


def cache_folder(content_dir: Path) -> Path:
    """Where builds keep what they may reuse: ``.kabul-brief-cache/`` beside ``content/``,
    or the folder ``KABUL_BRIEF_CACHE`` names (one per content folder inside it)."""
    content = content_dir.resolve()
    override = os.environ.get("KABUL_BRIEF_CACHE")
    if override:
        return Path(override) / hashlib.blake2b(str(content).encode(), digest_size=8).hexdigest()
    return content.parent / CACHE_FOLDER


def cache_key_file() -> Path:
    """The per-user key that authenticates cache files, in the user's own cache folder
    (``~/.cache/kabul-brief/`` and its equivalents): never beside the content, never
    in the folder ``KABUL_BRIEF_CACHE`` names, so neither a pull request nor a restored
    CI cache can bring one along."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kabul-brief", appauthor=False)) / CACHE_KEY


def files_in(folder: Path) -> list[tuple[str, str]]:
    """Every file under ``folder``: (path relative to it, path to open), sorted.

    ``os.scandir`` rather than ``Path.rglob``: an archive's output holds tens of
    thousands of files, and this walk runs on every build, even one with nothing to do.
    Folder links are followed, but not round a loop; a folder that cannot be read
    (or a link to nothing) is left out: the content loader reports those.
    """
    found: list[tuple[str, str]] = []
    pending = [("", os.fspath(folder), frozenset[tuple[int, int]]())]
    while pending:
        prefix, directory, holding = pending.pop()
        try:
            stat = os.stat(directory)
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError:
            continue
        inside = holding | {(stat.st_dev, stat.st_ino)}
        for entry in entries:
            relative = prefix + entry.name
            try:
                if entry.is_dir():
                    target = os.stat(entry.path)
                    if (target.st_dev, target.st_ino) not in inside:
                        pending.append((relative + "/", entry.path, inside))
                elif entry.is_file():
                    found.append((relative, entry.path))
            except OSError:
                continue
    found.sort()
    return found
