; C tags. See python-tags.scm for the capture names.

(function_definition
  declarator: [
    (function_declarator declarator: (identifier) @name.definition.function)
    (pointer_declarator declarator: (function_declarator
      declarator: (identifier) @name.definition.function))
    (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator
      declarator: (identifier) @name.definition.function)))
  ]) @definition.function

(struct_specifier name: (type_identifier) @name.definition.struct body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name.definition.struct body: (_)) @definition.struct
(enum_specifier name: (type_identifier) @name.definition.enum body: (_)) @definition.enum
(enumerator name: (identifier) @name.definition.enummember) @definition.enummember
(type_definition declarator: (type_identifier) @name.definition.type) @definition.type
(preproc_def name: (identifier) @name.definition.macro) @definition.macro
(preproc_function_def name: (identifier) @name.definition.macro) @definition.macro
(field_declaration declarator: (field_identifier) @name.definition.field) @definition.field

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (field_identifier) @name.reference.call)
  ])
(type_identifier) @name.reference.type
(preproc_include path: [(string_literal) (system_lib_string)] @name.reference.import)
