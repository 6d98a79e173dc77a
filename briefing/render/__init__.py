"""Renderers: one module per output format, each a visitor over the document model."""

from __future__ import annotations


class Visitor:
    """Dispatches a node to the method named after its class: visit_Paragraph, visit_Text, ..."""

    def visit(self, node):
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise NotImplementedError(f"{type(self).__name__} has no method for {type(node).__name__} nodes")
        return method(node)
