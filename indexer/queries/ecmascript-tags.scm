; Shared by JavaScript, TypeScript and TSX (TypeScript's grammar extends JavaScript's).
; Not a language of its own: javascript-tags.scm and typescript-tags.scm inherit it.
; See python-tags.scm for the capture names.

[
  (class name: (_) @name.definition.class)
  (class_declaration name: (_) @name.definition.class)
] @definition.class

(method_definition
  name: [
    (property_identifier) (private_property_identifier) (computed_property_name)
  ] @name.definition.method) @definition.method

(method_definition
  name: (string (string_fragment) @name.definition.method)) @definition.method

[
  (function_expression name: (identifier) @name.definition.function)
  (function_declaration name: (identifier) @name.definition.function)
  (generator_function name: (identifier) @name.definition.function)
  (generator_function_declaration name: (identifier) @name.definition.function)
] @definition.function

(variable_declarator
  name: (identifier) @name.definition.function
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(variable_declarator
  name: (identifier) @name.definition.class
  value: (class)) @definition.class

; Top-level variables holding data (functions and classes are matched above).
(program
  [(lexical_declaration (variable_declarator
      name: (identifier) @name.definition.variable
      value: [(number) (string) (template_string) (object) (array) (call_expression)
              (new_expression) (member_expression) (identifier) (binary_expression)
              (true) (false) (null) (regex)]) @definition.variable)
   (variable_declaration (variable_declarator
      name: (identifier) @name.definition.variable
      value: [(number) (string) (template_string) (object) (array) (call_expression)
              (new_expression) (member_expression) (identifier) (binary_expression)
              (true) (false) (null) (regex)]) @definition.variable)])

(program
  (export_statement
    declaration: (lexical_declaration (variable_declarator
      name: (identifier) @name.definition.variable
      value: [(number) (string) (template_string) (object) (array) (call_expression)
              (new_expression) (member_expression) (identifier) (binary_expression)
              (true) (false) (null) (regex)]) @definition.variable)))

(assignment_expression
  left: [
    (identifier) @name.definition.function
    (member_expression property: (property_identifier) @name.definition.function)
  ]
  right: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(pair
  key: [
    (property_identifier) @name.definition.function
    (string (string_fragment) @name.definition.function)
  ]
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

; Object literals that hold structure (ctags and editor outlines list them too).
(pair
  key: [
    (property_identifier) @name.definition.field
    (string (string_fragment) @name.definition.field)
  ]
  value: (object)) @definition.field

(variable_declarator
  name: (identifier) @name.definition.variable
  value: (object)) @definition.variable

(assignment_expression
  left: (member_expression property: (property_identifier) @name.definition.field)
  right: (object)) @definition.field

(call_expression
  function: [
    (identifier) @name.reference.call
    (member_expression property: (property_identifier) @name.reference.call)
  ])

(new_expression
  constructor: [
    (identifier) @name.reference.class
    (member_expression property: (property_identifier) @name.reference.class)
  ])

(import_statement source: (string (string_fragment) @name.reference.import))
(import_specifier name: (identifier) @name.reference.import)
