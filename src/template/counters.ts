/**
 * How often the engine parsed and compiled template text in this process: each distinct text (and its parse
 * settings) should be parsed once per run, and each Handlebars program compiled at most twice (its native and its
 * text form). Read by the tests that hold the engine to that (test/unit/template/parse-once.test.ts).
 */
export const templateCounters = {
  /** Jinja2 texts parsed into bosun's AST (parse.ts cache misses). */
  jinjaParses: 0,
  /** Rendered outputs read back as Python literals (uncached: they are data, one per host or item). */
  literalParses: 0,
  /** Jinja2 ASTs walked for unknown filters and tests (once per parsed text). */
  jinjaChecks: 0,
  /** Handlebars texts parsed (the engine's cache misses). */
  handlebarsParses: 0,
  /** Handlebars programs compiled to functions. */
  handlebarsCompiles: 0,
};
