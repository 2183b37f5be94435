"""The interface's words in the page's language: gettext, as the Python world does it.

The theme's templates mark their words with Jinja's i18n extension (``{{ _("Search")
}}``, ``{% trans %}``) and the views theirs with :meth:`Kit.say
<kabul_brief.publish.views.Kit.say>`; ``pybabel extract`` gathers them into
``templates/locale/messages.pot`` and each language's catalog is
``templates/locale/LL_CC/LC_MESSAGES/messages.po`` (compiled to ``.mo`` by ``pybabel
compile``, see ``docs/themes.md, "The interface's words"``). A site's own
``templates/locale/`` comes first: a message it translates replaces the theme's, and
every other message is still the theme's.

One Jinja environment renders every language: the gettext functions it is given
look up the catalog of the page being rendered (:data:`CURRENT`), which the renderer
sets around each page, so that macros imported without context translate too.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from io import BytesIO
from pathlib import Path
from typing import Any, Final

import jinja2
import nh3
from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2.runtime import Context
from markupsafe import Markup, escape

from kabul_brief.errors import ContentError, Position
from kabul_brief.publish import datetext

DOMAIN: Final = "messages"
LOCALE_FOLDER: Final = "locale"
"""Inside a theme folder: the catalogs, ``LL_CC/LC_MESSAGES/messages.po`` and ``.mo``."""

CURRENT: ContextVar[gettext.NullTranslations | None] = ContextVar("interface", default=None)
"""The catalog of the page being rendered (None: the messages as written)."""
_AS_WRITTEN: Final = gettext.NullTranslations()


def N_(message: str) -> str:
    """Marks a message for ``pybabel extract`` where it is defined; translated where
    it is shown (:meth:`~kabul_brief.publish.views.Kit.say`)."""
    return message


def locale_names(code: str) -> tuple[str, ...]:
    """The folder names a catalog of ``code`` may have, most specific first:
    ``fa-AF`` -> ``fa_AF``, ``fa``."""
    try:
        locale = Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        parts = code.replace("-", "_").split("_")
        return tuple(dict.fromkeys(("_".join(parts), parts[0])))
    names = [str(locale)]
    if locale.territory:
        names.append(locale.language)
    return tuple(dict.fromkeys(names))


def _read(folder: Path, code: str) -> Translations | None:
    """The catalog of ``code`` in one theme folder (see :func:`_read_messages`)."""
    for name in locale_names(code):
        found = _read_messages(folder / LOCALE_FOLDER / name / "LC_MESSAGES")
        if found is not None:
            return found
    return None


def _read_messages(messages: Path) -> Translations | None:
    """The catalog in one ``LC_MESSAGES`` folder: its ``.po`` compiled here (the
    source, so a site's translator need not run ``pybabel compile``), else its ``.mo``;
    None without either."""
    mo = messages / f"{DOMAIN}.mo"
    po = messages / f"{DOMAIN}.po"
    if po.is_file():
        with po.open("rb") as source:
            catalog = read_po(source, locale=messages.parent.name)
        compiled = BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        return Translations(compiled, domain=DOMAIN)
    if mo.is_file():
        with mo.open("rb") as source:
            return Translations(source, domain=DOMAIN)
    return None


@functools.cache
def catalog(folders: tuple[Path, ...], code: str) -> gettext.NullTranslations:
    """The interface in ``code``: the first theme folder's catalog, falling back to
    the next's for a message it lacks; English (the messages themselves) without any."""
    found: gettext.NullTranslations = gettext.NullTranslations()
    for folder in reversed(folders):
        read = _read(folder, code)
        if read is not None:
            read.add_fallback(found)
            found = read
    return found


_PLACEHOLDER_RE: Final = re.compile(r"%\((\w+)\)[a-z]")
_TAG_RE: Final = re.compile(r"<([a-z]+)[\s>]")
_HREF_RE: Final = re.compile(r'href="([^"]*)"')


def catalog_problems(folder: Path) -> list[ContentError]:
    """What is wrong with a site's own catalogs (``folder/locale/LL/LC_MESSAGES/``,
    ``messages.po`` or a compiled ``messages.mo``): a file that is not a catalog or not
    UTF-8, a plural rule that cannot be worked out, or a translation that names a
    value its message does not give, or is no format its values can fill (a lone
    ``%``). Each an error (at its line, in a ``.po``), so that ``check`` says what
    ``build`` would stop on: the catalog is read here as the build reads it."""
    problems: list[ContentError] = []
    base = folder / LOCALE_FOLDER
    try:
        found = sorted(base.glob("*/LC_MESSAGES")) if base.is_dir() else []
    except OSError:  # an unreadable templates folder: Theme.check reports it
        return problems
    for messages in found:
        po, mo = messages / f"{DOMAIN}.po", messages / f"{DOMAIN}.mo"
        path = po if po.exists() or not mo.exists() else mo
        if not path.exists():
            continue
        shown = os.path.normpath(path).replace(os.sep, "/")

        def problem(line: int | None, message: str, hint: str, shown: str = shown) -> None:
            problems.append(ContentError(
                position=Position(path=shown, line=line, column=1 if line else None),
                code="bad-catalog", message=message, hint=hint))

        if path == po:
            try:
                data = po.read_bytes()
                data.decode("utf-8")
            except UnicodeDecodeError as error:
                problem(data[:error.start].count(b"\n") + 1, "the catalog is not UTF-8 text",
                        "Save it as UTF-8 (the charset its header should name).")
                continue
            except OSError as error:
                problem(None, f"the catalog cannot be read: {error.strerror or error}",
                        "Make it a readable file.")
                continue
        try:
            if path == po:
                catalog = read_po(BytesIO(data), abort_invalid=True, charset="utf-8")
                pairs = [(message.id, message.string or "", message.lineno)
                         for message in catalog if message.id]
            read = _read_messages(messages)
            assert read is not None
            rule = getattr(read, "plural", None)
            for count in range(12):  # the plural rule, worked out as pages will
                if rule is not None:
                    rule(count)
            if path == mo:
                pairs = [(_ids(key), value, None)
                         for key, value in read._catalog.items() if key]
        except Exception as error:  # whatever the catalog libraries raise of a bad file
            where: int | None = getattr(error, "lineno", None)
            problem(where, f"the catalog cannot be read: {type(error).__name__}: {error}",
                    "Write it in the .po format (msgid \"...\" then msgstr \"...\") with"
                    " a plural rule as in 'Plural-Forms: nplurals=2; plural=(n != 1);',"
                    " or compile it with pybabel compile.")
            continue
        for ids, strings, line in pairs:
            said = _translation_problem(ids, strings)
            if said is not None:
                problem(line, said,
                        "A translation may use the values its message names, %(name)s,"
                        " and no others; write a percent sign as %%.")
    return problems


def _ids(key: object) -> str | tuple[str, ...]:
    """A compiled catalog's key as the message's id: a plural one is (singular, n)."""
    return key[0] if isinstance(key, tuple) else str(key)


def _translation_problem(ids: str | Sequence[str], strings: str | Sequence[str]) -> str | None:
    """Why a translation cannot stand for its message, or None."""
    ids = (ids,) if isinstance(ids, str) else tuple(ids)
    strings = (strings,) if isinstance(strings, str) else tuple(strings)
    names = {name for message in ids for name in _PLACEHOLDER_RE.findall(message)}
    formatted = bool(names) or len(ids) > 1  # ngettext always fills in count and num
    # every value as the pages give it: text (a count in the page's digits too)
    values: dict[str, str] = {name: "1" for name in names} | {"count": "1", "num": "1"}
    for string in strings:
        if not string:
            continue
        unknown = set(_PLACEHOLDER_RE.findall(string)) - names - {"count", "num"}
        if unknown:
            return (f"the translation of {ids[0]!r} names {', '.join(sorted(unknown))},"
                    " which its message does not give")
        if formatted:
            try:
                string % values
            except (ValueError, TypeError, KeyError) as error:
                return f"the translation of {ids[0]!r} is no format its values fill: {error}"
    return None


def catalogs_digest(folders: Sequence[Path]) -> str:
    """What the interface's words depend on: every catalog file of the theme's folders."""
    hasher = hashlib.blake2b(digest_size=16)
    for folder in folders:
        base = folder / LOCALE_FOLDER
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.[pm]o")):
            hasher.update(path.relative_to(base).as_posix().encode() + b"\x00")
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


def _current() -> gettext.NullTranslations:
    return CURRENT.get() or _AS_WRITTEN


def _in_digits(variables: dict[str, Any]) -> dict[str, Any]:
    """Counts in the page's digits (``۳ رویداد`` on a Dari page)."""
    return {key: datetext.number(value)
            if isinstance(value, int) and not isinstance(value, bool) else value
            for key, value in variables.items()}


def _trusted(messages: Sequence[str], text: str) -> Markup:
    """A translation as HTML: the theme's own message as written; a translation (a
    site's catalog is the site's, not ours) escaped, or, where its message holds
    markup (``<strong>``, a link), cleaned down to that message's tags, a link's
    ``href`` alone kept."""
    if text in messages:
        return Markup(text)
    tags = {tag for message in messages for tag in _TAG_RE.findall(message)}
    if not tags:
        return escape(text)
    # a link goes where its message's does (href="%(url)s", filled in by the view),
    # never where a translation would send it
    hrefs = {href for message in messages for href in _HREF_RE.findall(message)}

    def keep(tag: str, attribute: str, value: str) -> str | None:
        return value if tag == "a" and attribute == "href" and value in hrefs else None

    return Markup(nh3.clean(text, tags=tags, attributes={"a": {"href"}} if "a" in tags else {},
                            attribute_filter=keep, link_rel=None, url_schemes=set()))


@jinja2.pass_context
def _gettext(context: Context, message: str, /, **variables: Any) -> str:
    """Jinja's newstyle gettext (escaping the values, ``%(name)s`` filled in), on the
    current page's catalog, its numbers in the page's digits."""
    text: str = _current().gettext(message)
    if context.eval_ctx.autoescape:
        text = _trusted((message,), text)
    return text % _in_digits(variables) if variables else text


@jinja2.pass_context
def _ngettext(context: Context, singular: str, plural: str, num: int, /,
              **variables: Any) -> str:
    variables.setdefault("num", num)
    text: str = _current().ngettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = _trusted((singular, plural), text)
    return text % _in_digits(variables)


@jinja2.pass_context
def _pgettext(context: Context, where: str, message: str, /, **variables: Any) -> str:
    text: str = _current().pgettext(where, message)
    if context.eval_ctx.autoescape:
        text = _trusted((message,), text)
    return text % _in_digits(variables) if variables else text


def install(env: jinja2.Environment) -> None:
    """Jinja's i18n extension, its gettext looking up the current page's catalog;
    ``{% trans %}`` trims white space as ``pybabel extract`` does (``trimmed``)."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext, pgettext=_pgettext)
    env.filters["number"] = datetext.number


def vocabulary() -> tuple[str, ...]:
    """The words of the content's vocabularies a page shows (an event's kind, a
    dispute's status, a kind's plural): translated where shown, ``_(event.kind)``."""
    from typing import get_args

    from kabul_brief.content import model as m
    from kabul_brief.content.schemas import (
        ACTOR_KINDS,
        ARTICLE_KINDS,
        DISPUTE_STATUSES,
        EVENT_KINDS,
        PLACE_KINDS,
        TREND_DIRECTIONS,
    )
    from kabul_brief.kinds import RECORD_KINDS

    words = [*ACTOR_KINDS, *PLACE_KINDS, *EVENT_KINDS, *ARTICLE_KINDS, *DISPUTE_STATUSES,
             *TREND_DIRECTIONS, *get_args(m.FactKind)]
    for kind in RECORD_KINDS:
        words += [kind.label, kind.plural]
    return tuple(dict.fromkeys(words))


def extract_vocabulary(fileobj: object, keywords: object, comment_tags: object,
                       options: object) -> Iterator[tuple[int, str, str, list[str]]]:
    """A ``pybabel extract`` method (``babel.cfg``): the :func:`vocabulary`, whatever
    file it is pointed at, so that the catalogs hold the words the code defines."""
    for word in vocabulary():
        yield 1, "_", word, ["vocabulary of the content model"]
