"""A command-palette provider built from the bindings active on the calling screen."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class BindingCommands(Provider):
    """Every described binding of the current screen (and its focused widget) as a command."""

    def _commands(self):
        seen: set[str] = set()
        app = self.app
        for _key, ab in self.screen.active_bindings.items():
            b = ab.binding
            if not ab.enabled or not b.description or b.system:
                continue
            ident = b.id or b.action
            if ident in seen:
                continue
            seen.add(ident)
            title = b.tooltip or b.description
            help_text = f"key: {app.get_key_display(b)}" + (f" · id: {b.id}" if b.id else "")
            yield title, help_text, partial(app.run_action, b.action, ab.node)

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
