; inherits: typescript
; TSX uses the TypeScript queries unchanged.
