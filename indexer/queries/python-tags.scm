; Python tags. Captures: @name.definition.<kind> on the name, @definition.<kind> on the whole
; definition (its range), @name.reference.<kind> on referenced names.
; A function nested in a class becomes a method in extract.py (containers come from ranges).

(class_definition
  name: (identifier) @name.definition.class) @definition.class

(function_definition
  name: (identifier) @name.definition.function) @definition.function

(module
  (expression_statement
    (assignment
      left: (identifier) @name.definition.variable) @definition.variable))

(class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @name.definition.field) @definition.field)))

(call
  function: [
    (identifier) @name.reference.call
    (attribute attribute: (identifier) @name.reference.call)
  ])

(class_definition
  superclasses: (argument_list
    [
      (identifier) @name.reference.class
      (attribute attribute: (identifier) @name.reference.class)
    ]))

(type (identifier) @name.reference.type)

(import_statement name: (dotted_name) @name.reference.import)
(import_statement name: (aliased_import name: (dotted_name) @name.reference.import))
(import_from_statement module_name: (dotted_name) @name.reference.import)
(import_from_statement name: (dotted_name) @name.reference.import)
(import_from_statement name: (aliased_import name: (dotted_name) @name.reference.import))
