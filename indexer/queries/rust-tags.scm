; Rust tags. See python-tags.scm for the capture names. An `impl` block is a container named
; after its type, so its functions come out as methods of that type.

(struct_item name: (type_identifier) @name.definition.struct) @definition.struct
(enum_item name: (type_identifier) @name.definition.enum) @definition.enum
(union_item name: (type_identifier) @name.definition.struct) @definition.struct
(type_item name: (type_identifier) @name.definition.type) @definition.type
(trait_item name: (type_identifier) @name.definition.interface) @definition.interface
(mod_item name: (identifier) @name.definition.module) @definition.module
(macro_definition name: (identifier) @name.definition.macro) @definition.macro
(function_item name: (identifier) @name.definition.function) @definition.function
(function_signature_item name: (identifier) @name.definition.function) @definition.function
(const_item name: (identifier) @name.definition.constant) @definition.constant
(static_item name: (identifier) @name.definition.variable) @definition.variable
(enum_variant name: (identifier) @name.definition.enummember) @definition.enummember
(field_declaration name: (field_identifier) @name.definition.field) @definition.field

(impl_item
  type: [
    (type_identifier) @name.definition.impl
    (generic_type type: (type_identifier) @name.definition.impl)
    (scoped_type_identifier name: (type_identifier) @name.definition.impl)
  ]) @definition.impl

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (field_identifier) @name.reference.call)
    (scoped_identifier name: (identifier) @name.reference.call)
  ])

(macro_invocation macro: (identifier) @name.reference.call)
(impl_item trait: (type_identifier) @name.reference.implementation)
(type_identifier) @name.reference.type
(use_declaration argument: (scoped_identifier name: (identifier) @name.reference.import))
(use_declaration argument: (identifier) @name.reference.import)
