/**
 * Schema fragments that strict ajv accepts (strictRequired wants every
 * `required` name declared beside it, even inside oneOf/not).
 */

/** Exactly one of `names` must be given. */
export function exactlyOneOf(...names: string[]): Record<string, unknown> {
  return { oneOf: names.map((n) => ({ required: [n], properties: { [n]: true } })) };
}

/** `a` and `b` must not both be given. */
export function notBoth(a: string, b: string): Record<string, unknown> {
  return { not: { required: [a, b], properties: { [a]: true, [b]: true } } };
}

/** `needed` must be given when the Ansible boolean `flag` is true (Ansible's required_if). */
export function requiredIfTrue(flag: string, needed: string): Record<string, unknown> {
  return {
    if: {
      required: [flag],
      properties: {
        [flag]: {
          anyOf: [{ const: true }, { type: 'string', pattern: '^(?:[Yy]([Ee][Ss])?|[Tt][Rr][Uu][Ee]|[Oo][Nn]|1)$' }],
        },
      },
    },
    then: { required: [needed], properties: { [needed]: true } },
  };
}
