; inherits: ecmascript
; JavaScript-only node types (TypeScript has public_field_definition and extends_clause).

(field_definition
  property: [(property_identifier) (private_property_identifier)] @name.definition.field)
  @definition.field

(class_heritage (identifier) @name.reference.class)
