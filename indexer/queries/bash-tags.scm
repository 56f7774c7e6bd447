; Bash tags. See python-tags.scm for the capture names.

(function_definition name: (word) @name.definition.function) @definition.function

(program (variable_assignment name: (variable_name) @name.definition.variable)
  @definition.variable)

(command name: (command_name (word) @name.reference.call))
