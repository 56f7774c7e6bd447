; inherits: ecmascript
; TypeScript additions to ecmascript-tags.scm.

(abstract_class_declaration
  name: (type_identifier) @name.definition.class) @definition.class

(interface_declaration
  name: (type_identifier) @name.definition.interface) @definition.interface

(type_alias_declaration
  name: (type_identifier) @name.definition.type) @definition.type

(enum_declaration
  name: (identifier) @name.definition.enum) @definition.enum

(enum_body [
  (property_identifier) @name.definition.enummember
  (enum_assignment name: (property_identifier) @name.definition.enummember)])

[
  (module name: [(identifier) (string) (nested_identifier)] @name.definition.module)
  (internal_module name: [(identifier) (string) (nested_identifier)] @name.definition.module)
] @definition.module

(function_signature
  name: (identifier) @name.definition.function) @definition.function

[
  (method_signature name: (property_identifier) @name.definition.method)
  (abstract_method_signature name: (property_identifier) @name.definition.method)
] @definition.method

(public_field_definition
  name: [(property_identifier) (private_property_identifier)] @name.definition.field)
  @definition.field

(property_signature
  name: (property_identifier) @name.definition.field) @definition.field

(type_annotation (type_identifier) @name.reference.type)
(generic_type name: (type_identifier) @name.reference.type)
(extends_clause value: (identifier) @name.reference.class)
(implements_clause (type_identifier) @name.reference.implementation)
