"""The render sandbox remembers its verdict on each (type, attribute): it must give
the same answer as Jinja's own immutable sandbox for every object and name a
template can reach, whatever was asked before."""

from __future__ import annotations

import collections
import types
from typing import Any

import jinja2
import markupsafe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.sandbox import ImmutableSandboxedEnvironment

from kabul_brief.publish.render import environment


def _function() -> None:
    pass


def _generator() -> Any:
    yield 1


class _View:
    title = "t"

    def method(self) -> str:
        return "m"


class _Lookalike:
    """Safe attributes named as the unsafe ones of lists, dicts, sets, types."""

    append = update = pop = clear = add = sort = mro = setdefault = rotate = "safe here"


OBJECTS: list[Any] = [
    "text", b"bytes", 1, 1.5, None, [1], {"a": 1}, {1}, collections.deque([1]), (1,),
    _function, _View().method, _View, _View(), _generator(), types, markupsafe.Markup("<b>"),
    str, dict, frozenset({1}), range(3), _Lookalike(),
]
NAMES = sorted({name for obj in OBJECTS for name in dir(obj)} | {"nosuch", "title"})


def _outcome(env: jinja2.Environment, obj: Any, name: str) -> tuple[str, Any]:
    value = env.getattr(obj, name)
    if isinstance(value, jinja2.Undefined):
        try:
            str(value)
        except jinja2.exceptions.SecurityError:
            return ("unsafe", None)
        except jinja2.UndefinedError:
            return ("undefined", None)
        return ("undefined", None)
    if callable(value) and getattr(value, "__name__", "") in ("format", "format_map"):
        return ("formatter", getattr(value, "__name__", ""))
    return ("value", value)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(range(len(OBJECTS))), st.sampled_from(NAMES)),
                min_size=1, max_size=40))
def test_the_remembered_verdicts_match_jinjas_sandbox(asks: list[tuple[int, str]]) -> None:
    ours = environment()
    jinjas = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    for index, name in asks:
        obj = OBJECTS[index]
        got, expected = _outcome(ours, obj, name), _outcome(jinjas, obj, name)
        assert got[0] == expected[0], (obj, name)
        if got[0] == "value":
            assert got[1] == expected[1] or got[1] is expected[1], (obj, name)


@pytest.mark.parametrize("source", [
    "{{ [].append(1) }}",
    "{% set d = {} %}{{ d.update({'a': 1}) }}",
    "{{ ''.__class__ }}",
    "{{ view.__class__.__mro__ }}",
])
def test_a_name_seen_safe_elsewhere_is_still_refused_where_it_is_not(source: str) -> None:
    """Safe lookups first, on other types, then the unsafe one: still refused."""
    env = environment()
    env.from_string("{{ view.title }}{{ 'a'.upper() }}{{ (1, 2).index(1) }}"
                    "{{ {'a': 1}.items() | list }}").render(view=_View())
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.from_string(source).render(view=_View())


def test_str_format_stays_wrapped_by_the_sandbox() -> None:
    env = environment()
    assert env.from_string("{{ '{0}'.format('x') }}").render() == "x"
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.from_string("{{ '{0.__class__}'.format('x') }}").render()


@pytest.mark.parametrize("order", ["forwards", "backwards"])
def test_every_name_on_every_object_in_either_order_matches_jinjas_sandbox(order: str) -> None:
    """A name safe on one type (``_Lookalike().append``) asked before or after the
    same name on a type where it is not (``[].append``)."""
    pairs = [(obj, name) for name in NAMES for obj in OBJECTS]
    if order == "backwards":
        pairs.reverse()
    ours = environment()
    for obj, name in pairs:
        jinjas = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
        got, expected = _outcome(ours, obj, name), _outcome(jinjas, obj, name)
        assert got[0] == expected[0], (obj, name)


def test_str_format_stays_wrapped_even_once_called_safe() -> None:
    """Jinja wraps ``str.format`` before it asks whether the name is safe; a verdict
    remembered for it (asked directly, as a filter may) must not unwrap it."""
    env = environment()
    assert env.is_safe_attribute("", "format", "".format)
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.from_string("{{ '{0.__class__}'.format('x') }}").render()
