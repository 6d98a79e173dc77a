"""What every writer's translator is: a visitor over the document model, with a scoped environment."""

from __future__ import annotations

import contextlib
import dataclasses


class Visitor:
    """Dispatches a node to the method named after its class: visit_Paragraph, visit_Text, ..."""

    def visit(self, node):
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise NotImplementedError(f"{type(self).__name__} has no method for {type(node).__name__} nodes")
        return method(node)


class Scoped:
    """A translator's environment: an immutable value (`env`, a frozen dataclass) holding what the nodes being
    visited are inside of (a list, a note, a link...), changed only for the time of a `with self.scoped(...)`
    block, as pandoc's writers use `local`. What a translator accumulates (notes, marks, the structure tree,
    the paragraph being written) is kept apart, in attributes of its own."""

    env: object

    @contextlib.contextmanager
    def scoped(self, **changes):
        """Within the block, `self.env` is the environment with `changes`; the outer one is back after it."""
        outer = self.env
        self.env = dataclasses.replace(outer, **changes)
        try:
            yield self.env
        finally:
            self.env = outer
