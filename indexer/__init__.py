"""Tree-sitter workspace index (plain Python: imports neither pygls nor lsprotocol)."""
