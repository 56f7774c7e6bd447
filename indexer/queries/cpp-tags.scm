; C++ tags. See python-tags.scm for the capture names. Out-of-class definitions such as
; `void Foo::bar()` carry their class in @scope, which becomes the container.

(function_definition
  declarator: [
    (function_declarator declarator: [(identifier) (field_identifier) (operator_name)
      (destructor_name)] @name.definition.function)
    (pointer_declarator declarator: (function_declarator
      declarator: [(identifier) (field_identifier)] @name.definition.function))
    (reference_declarator (function_declarator
      declarator: [(identifier) (field_identifier)] @name.definition.function))
  ]) @definition.function

(function_definition
  declarator: [
    (function_declarator declarator: (qualified_identifier
      scope: (_) @scope name: (_) @name.definition.method))
    (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier
      scope: (_) @scope name: (_) @name.definition.method)))
    (reference_declarator (function_declarator declarator: (qualified_identifier
      scope: (_) @scope name: (_) @name.definition.method)))
  ]) @definition.method

(field_declaration
  declarator: (function_declarator declarator: (field_identifier) @name.definition.method))
  @definition.method

(class_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class
(struct_specifier name: (type_identifier) @name.definition.struct body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name.definition.struct body: (_)) @definition.struct
(enum_specifier name: (type_identifier) @name.definition.enum body: (_)) @definition.enum
(enumerator name: (identifier) @name.definition.enummember) @definition.enummember
(namespace_definition name: [(namespace_identifier) (nested_namespace_specifier)]
  @name.definition.namespace) @definition.namespace
(type_definition declarator: (type_identifier) @name.definition.type) @definition.type
(alias_declaration name: (type_identifier) @name.definition.type) @definition.type
(preproc_def name: (identifier) @name.definition.macro) @definition.macro
(preproc_function_def name: (identifier) @name.definition.macro) @definition.macro
(field_declaration declarator: (field_identifier) @name.definition.field) @definition.field

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (field_identifier) @name.reference.call)
    (qualified_identifier name: (identifier) @name.reference.call)
  ])
(type_identifier) @name.reference.type
(preproc_include path: [(string_literal) (system_lib_string)] @name.reference.import)
