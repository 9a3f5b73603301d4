/** The rule form's condition types, generated at build time from the rule model (dashboard/build.ts). */
declare module 'virtual:condition-types' {
  // A top-level import would turn this file into a module, and this declaration into an
  // augmentation of a module that does not exist: the inline import() type is the way here.
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports
  const specs: import('./condition-specs').ConditionTypeSpec[];
  export default specs;
}
