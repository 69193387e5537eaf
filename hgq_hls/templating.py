"""Rendering the Jinja2 templates shipped in ``templates/`` (package ``hgq_hls.templates``).

Templates are found through ``importlib.resources``, so they work from a source checkout,
an editable install and a wheel alike.  Undefined variables are errors (StrictUndefined):
a template never silently renders an empty string where a width should be.
"""

from __future__ import annotations

import functools
from importlib import resources

import jinja2

_PACKAGE = "hgq_hls.templates"


class _ResourceLoader(jinja2.BaseLoader):
    """Loads ``hls/defines.h.j2``-style names from the installed templates package."""

    def get_source(self, environment, template):
        node = resources.files(_PACKAGE)
        for part in template.split("/"):
            node = node.joinpath(part)
        if not node.is_file():
            raise jinja2.TemplateNotFound(template)
        source = node.read_text(encoding="utf-8")
        return source, None, lambda: True


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment every backend renders with."""
    return jinja2.Environment(
        loader=_ResourceLoader(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render(template: str, /, **context) -> str:
    """Render ``template`` (relative to ``templates/``, e.g. ``hls/defines.h.j2``)."""
    return environment().get_template(template).render(**context)


def template_names() -> list[str]:
    """Every template file shipped with the package, as names :func:`render` accepts."""
    names = []

    def walk(node, prefix):
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".j2"):
                names.append(prefix + child.name)

    walk(resources.files(_PACKAGE), "")
    return sorted(names)
