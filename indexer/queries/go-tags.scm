; Go tags. See python-tags.scm for the capture names. A method's @receiver gives its container
; (Go methods are declared outside their type, so nesting by range cannot find it).

(function_declaration
  name: (identifier) @name.definition.function) @definition.function

(method_declaration
  receiver: (parameter_list) @receiver
  name: (field_identifier) @name.definition.method) @definition.method

(type_spec name: (type_identifier) @name.definition.struct type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name.definition.interface type: (interface_type))
  @definition.interface
(type_spec name: (type_identifier) @name.definition.type) @definition.type
(type_alias name: (type_identifier) @name.definition.type) @definition.type

(source_file (const_declaration (const_spec name: (identifier) @name.definition.constant)
  @definition.constant))
(source_file (var_declaration (var_spec name: (identifier) @name.definition.variable)
  @definition.variable))

(field_declaration name: (field_identifier) @name.definition.field) @definition.field
(method_elem name: (field_identifier) @name.definition.method) @definition.method

(call_expression
  function: [
    (identifier) @name.reference.call
    (selector_expression field: (field_identifier) @name.reference.call)
  ])

(type_identifier) @name.reference.type

(import_spec path: (interpreted_string_literal) @name.reference.import)
